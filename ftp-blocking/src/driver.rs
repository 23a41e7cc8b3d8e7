//! The driver: one loop around [`ftp_proto::client::Client`].
//!
//! It makes one change to the core (a request or an input), drains [`Client::poll_output`] until
//! [`Output::Idle`], carries out what the core asked for (control writes, data connections,
//! timers), then waits for the next input: control bytes, a data connection, data bytes, or the
//! earliest armed timer. It makes no protocol decision: every reply is judged by the core.
//!
//! It keeps no timer of its own: every wait (a control or data read, a connect, a TLS
//! handshake) lasts at most until the core's next deadline ([`Client::poll_timeout`]), and when
//! it has passed the driver calls [`Client::handle_timeout`] with the time. Every input carries
//! `Instant::now()`; bytes moved on the data connection (the zero-copy paths included) are
//! reported as progress, so the data-idle rule lives in the core. Control reads are bounded (a
//! fixed buffer fed to the core, whose framer bounds replies).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use ftp_proto::client::{
    Action, Client, DataEvent, DataFailure, Event, FromOutcome, ListingItem, Op, OpId, Outcome,
    Output, TlsEvent, TransferDone, TransferRequest, UsageError,
};
use ftp_proto::reply::Reply;

use ftp_proto::listing::ListingError;

use crate::data::{self, Cancel, DataOptions};
use crate::debug::Debug;
use crate::error::{Error, Result, TransportError};
use crate::tls::{ControlConnection, DataConnection, TlsSession, is_missing_close_notify};

/// Bytes read from the control connection at a time.
const CONTROL_CHUNK: usize = 8 * 1024;
/// Bytes read from a data connection at a time when the driver feeds a listing parser.
const PUMP_CHUNK: usize = 64 * 1024;
/// How far short of the asked time a socket wait may end (its timeouts count whole
/// milliseconds).
const ROUNDING: Duration = Duration::from_millis(5);
/// How often a wait on the control connection during a transfer looks at the abort flag.
const ABORT_POLL: Duration = Duration::from_millis(100);

/// A handle that stops the running transfer of a session from any thread.
///
/// [`abort`](AbortHandle::abort) sets a flag and shuts the data connection down, which wakes the
/// thread that moves the data; that thread then has the core send `ABOR` and read the replies,
/// and the transfer call returns [`Error::Aborted`]. The session stays usable. An abort
/// requested while no transfer runs does nothing (the flag is cleared when the next transfer
/// starts).
///
/// ```no_run
/// # fn main() -> ftp_blocking::Result<()> {
/// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
/// ftp.login("anonymous", "", "")?;
/// let handle = ftp.abort_handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_secs(1));
///     handle.abort();
/// });
/// let result = ftp.retrbinary("RETR big.bin", |_chunk| {}, 8192, None);
/// assert!(matches!(result, Err(ftp_blocking::Error::Aborted(_))) || result.is_ok());
/// ftp.noop()?; // the session carries on
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AbortHandle {
    cancel: Cancel,
}

impl AbortHandle {
    /// Stops the running transfer, if any. Returns at once; the thread running the transfer
    /// finishes the ABOR dialogue.
    pub fn abort(&self) {
        self.cancel.cancel();
    }
}

/// The handle of a transfer.
pub(crate) type TransferOp = Op<TransferDone>;

/// The result of an operation as the core reported it.
type Finished = std::result::Result<Outcome, ftp_proto::client::Error>;

/// A file moved by the transport's data plane in one go.
#[derive(Debug)]
pub(crate) enum FileJob<'a> {
    /// Download into this file.
    Download(&'a mut std::fs::File),
    /// Upload this file.
    Upload(&'a mut std::fs::File),
}

/// What a pumped transfer yields next.
#[derive(Debug)]
pub(crate) enum Next {
    /// A listing item.
    Item(ListingItem),
    /// A line of the listing that could not be parsed; the listing goes on.
    BadItem(ListingError),
    /// The transfer ended with this result.
    Done(TransferDone),
}

/// An input produced while carrying out an action, fed to the core after the drain.
#[derive(Debug)]
enum Input {
    Connect(SocketAddr),
    SecureData,
    SecureControl,
    ShutdownControlTls,
    Data(DataEvent),
    ControlEof,
}

/// Connection options the driver applies to sockets.
#[derive(Debug, Clone)]
pub(crate) struct SocketOptions {
    pub(crate) source_address: Option<IpAddr>,
}

/// The session's sockets and the core.
#[derive(Debug)]
pub(crate) struct Driver {
    pub(crate) client: Client,
    control: Option<ControlConnection>,
    /// The read timeout last set on the control socket (each skips an unchanged syscall).
    control_timeout: Option<Option<Duration>>,
    listener: Option<TcpListener>,
    accepting: bool,
    data: Option<DataConnection>,
    tls: Option<TlsSession>,
    /// The read and write timeouts last set on the data socket (each skips an unchanged syscall).
    data_read_timeout: Option<Option<Duration>>,
    data_write_timeout: Option<Option<Duration>>,
    data_started: bool,
    data_eof: bool,
    data_bytes: u64,
    announced: Option<u64>,
    /// The last download ended without the server's TLS `close_notify` (the core accepted it
    /// only if every announced byte arrived).
    pub(crate) last_unclean: bool,
    pump: bool,
    transfer_op: Option<OpId>,
    abort_op: Option<Op<Vec<Reply>>>,
    inputs: VecDeque<Input>,
    finished: Vec<(OpId, Finished)>,
    entries: VecDeque<std::result::Result<ListingItem, ListingError>>,
    control_error: Option<io::Error>,
    pub(crate) debug: Debug,
    pub(crate) options: SocketOptions,
    abort: Cancel,
    buf: Vec<u8>,
}

impl Driver {
    pub(crate) fn new(
        client: Client,
        control: ControlConnection,
        tls: Option<TlsSession>,
        options: SocketOptions,
        debug: Debug,
    ) -> Driver {
        Driver {
            client,
            control: Some(control),
            control_timeout: None,
            listener: None,
            accepting: false,
            data: None,
            tls,
            data_read_timeout: None,
            data_write_timeout: None,
            data_started: false,
            data_eof: false,
            data_bytes: 0,
            announced: None,
            last_unclean: false,
            pump: false,
            transfer_op: None,
            abort_op: None,
            inputs: VecDeque::new(),
            finished: Vec::new(),
            entries: VecDeque::new(),
            control_error: None,
            debug,
            options,
            abort: Cancel::new(),
            buf: vec![0; PUMP_CHUNK],
        }
    }

    /// Whether a TLS configuration was given.
    pub(crate) fn has_tls(&self) -> bool {
        self.tls.is_some()
    }

    pub(crate) fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            cancel: self.abort.clone(),
        }
    }

    /// The size the server announced in its 1xx reply to the running transfer.
    pub(crate) fn announced_size(&self) -> Option<u64> {
        self.announced
    }

    /// Runs a request on the core (with the time) and drains its outputs.
    pub(crate) fn request<T, F>(&mut self, f: F) -> Result<Op<T>>
    where
        F: FnOnce(&mut Client, Instant) -> std::result::Result<Op<T>, UsageError>,
    {
        if self.control.is_none() || self.client.is_closed() {
            return Err(Error::Closed);
        }
        let op = f(&mut self.client, Instant::now())?;
        self.drain();
        Ok(op)
    }

    /// Time left until the core's next deadline (at least 1 ms); `None`: no deadline.
    fn time_left(&self) -> Option<Duration> {
        self.client.poll_timeout().map(|at| {
            at.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        })
    }

    /// A bound for a blocking socket call: the time left, or unbounded (`Duration::MAX`).
    fn bound(&self) -> Duration {
        self.time_left().unwrap_or(Duration::MAX)
    }

    /// Drains the core's outputs until it is idle, carrying out each one.
    fn drain(&mut self) {
        loop {
            match self.client.poll_output() {
                Output::Send(t) => {
                    self.debug.command(&t.bytes);
                    self.write_control(&t.bytes);
                }
                Output::Action(a) => self.act(a),
                Output::Event(e) => self.event(e),
                Output::Idle => return,
            }
        }
    }

    fn write_control(&mut self, bytes: &[u8]) {
        let Some(control) = self.control.as_mut() else {
            return;
        };
        let wait = self.client.poll_timeout().map(|at| {
            at.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1))
        });
        if let Ok(tcp) = control.tcp() {
            let _ = tcp.set_write_timeout(wait);
        }
        if let Err(e) = control.write_all(bytes) {
            tracing::debug!(target: "ftp_blocking", error = %e, "control write failed");
            self.control_error = Some(e);
            self.control = None;
            self.inputs.push_back(Input::ControlEof);
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Reply(reply) => self.debug.reply(&reply),
            Event::Entry { entry, .. } => self.entries.push_back(Ok(entry)),
            Event::EntryError { error, .. } => self.entries.push_back(Err(error)),
            Event::Finished { op, result } => self.finished.push((op, result)),
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    fn act(&mut self, action: Action) {
        match action {
            // Connecting blocks: it runs after the drain, once the DataConnect timer is armed.
            Action::ConnectData { addr } => self.inputs.push_back(Input::Connect(addr)),
            Action::ListenData { ip } => {
                let listener = crate::net::listen_data(ip).map_err(io::Error::from);
                let event = match listener.and_then(|l| {
                    let addr = l.local_addr()?;
                    l.set_nonblocking(true)?;
                    Ok((l, addr))
                }) {
                    Ok((listener, addr)) => {
                        self.listener = Some(listener);
                        DataEvent::Listening { addr }
                    }
                    Err(e) => data_failed(DataFailure::Listen, &e),
                };
                self.inputs.push_back(Input::Data(event));
            }
            Action::AcceptData { .. } => self.accepting = true,
            Action::RejectDataPeer { peer } => {
                tracing::warn!(target: "ftp_blocking", %peer, "data connection from a foreign peer dropped");
                self.close_data_stream();
                self.accepting = self.listener.is_some();
            }
            Action::StartData { announced_size } => {
                self.data_started = true;
                self.announced = announced_size;
            }
            Action::CloseData => {
                self.close_data_stream();
                self.listener = None;
                self.accepting = false;
            }
            // TLS handshakes block: they run after the drain, like the passive connect.
            Action::SecureData => self.inputs.push_back(Input::SecureData),
            Action::SecureControl => self.inputs.push_back(Input::SecureControl),
            Action::ShutdownControlTls => self.inputs.push_back(Input::ShutdownControlTls),
            Action::CloseAll => self.close_sockets(),
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    /// Opens the passive data connection, at most until the core's next deadline (its
    /// DataConnect timer).
    fn connect_data(&mut self, addr: SocketAddr) {
        let timeout = self.bound();
        let started = Instant::now();
        let result = crate::net::connect_data(addr, timeout, self.options.source_address)
            .map_err(io::Error::from)
            .and_then(|stream| Ok((stream.local_addr()?, stream.peer_addr()?, stream)));
        match result {
            Ok((local, peer, stream)) => {
                let _ = stream.set_nodelay(true);
                self.set_data(stream);
                self.client
                    .handle_data(DataEvent::Connected { local, peer }, Instant::now());
            }
            // The wait ran to the core's deadline (give or take the socket's millisecond
            // rounding): the core judges it when the deadline passes, in the next step. A
            // timeout of the system's own, well before it, is a failure to connect.
            Err(e) if is_timeout(&e) && started.elapsed() + ROUNDING >= timeout => {}
            Err(e) => self
                .client
                .handle_data(data_failed(DataFailure::Connect, &e), Instant::now()),
        }
    }

    fn set_data(&mut self, stream: TcpStream) {
        let _ = self.abort.attach(&stream);
        self.reset_data_timeouts();
        self.data = Some(DataConnection::plain(stream));
    }

    /// Whether the core's next deadline has passed.
    fn deadline_passed(&self) -> bool {
        self.client
            .poll_timeout()
            .is_some_and(|at| at <= Instant::now())
    }

    /// The time a TLS handshake or shutdown may take: until the core's next deadline.
    fn tls_timeout(&self) -> Duration {
        self.bound()
    }

    /// PROT P: the TLS handshake on the data connection, resuming the control session.
    fn secure_data(&mut self) {
        let (Some(session), Some(data)) = (self.tls.as_ref(), self.data.take()) else {
            let message = if self.tls.is_none() {
                "PROT P without a TLS configuration (FtpBuilder::tls)"
            } else {
                "no data connection to secure"
            };
            self.client.handle_data(
                DataEvent::Failed {
                    kind: DataFailure::Tls,
                    message: message.into(),
                },
                Instant::now(),
            );
            return;
        };
        let tcp = match data.tcp().try_clone() {
            Ok(tcp) => tcp,
            Err(e) => {
                return self
                    .client
                    .handle_data(data_failed(DataFailure::Io, &e), Instant::now());
            }
        };
        drop(data);
        match DataConnection::secure(tcp, session, self.tls_timeout()) {
            Ok(conn) => {
                tracing::debug!(target: "ftp_blocking", resumed = ?conn.handshake_kind(), "data connection secured");
                self.reset_data_timeouts();
                self.data = Some(conn);
            }
            Err(e) => {
                self.abort.detach();
                self.client.handle_data(
                    DataEvent::Failed {
                        kind: DataFailure::Tls,
                        message: e.to_string(),
                    },
                    Instant::now(),
                );
            }
        }
    }

    /// 234 to AUTH TLS: the handshake on the control connection.
    fn secure_control(&mut self) {
        let timeout = self.tls_timeout();
        let event = match (self.tls.as_ref(), self.control.as_mut()) {
            (Some(session), Some(control)) => match control.upgrade(session, timeout) {
                Ok(()) => {
                    self.control_timeout = None;
                    TlsEvent::ControlSecured
                }
                Err(e) => TlsEvent::Failed {
                    message: e.to_string(),
                },
            },
            (None, _) => TlsEvent::Failed {
                message: "AUTH TLS without a TLS configuration (FtpBuilder::tls)".into(),
            },
            (_, None) => TlsEvent::Failed {
                message: "the control connection is closed".into(),
            },
        };
        self.client.handle_tls(event, Instant::now());
    }

    /// 200 to CCC: close_notify both ways, then plain text.
    fn shutdown_control_tls(&mut self) {
        let timeout = self.tls_timeout();
        let event = match self.control.as_mut() {
            Some(control) => match control.downgrade(timeout) {
                Ok(()) => {
                    self.control_timeout = None;
                    TlsEvent::ControlPlain
                }
                Err(e) => TlsEvent::Failed {
                    message: e.to_string(),
                },
            },
            None => TlsEvent::Failed {
                message: "the control connection is closed".into(),
            },
        };
        self.client.handle_tls(event, Instant::now());
    }

    fn close_data_stream(&mut self) {
        self.abort.detach();
        self.data = None;
    }

    pub(crate) fn close_sockets(&mut self) {
        if let Some(control) = self.control.as_mut() {
            let _ = control.close_notify();
        }
        self.close_data_stream();
        self.listener = None;
        self.accepting = false;
        self.control = None;
    }

    /// Closes the session without a word to the server.
    pub(crate) fn close(&mut self) {
        if !self.client.is_closed() {
            self.client.close();
            self.drain();
        }
        self.close_sockets();
    }

    fn feed(&mut self, input: Input) {
        match input {
            Input::Connect(addr) => self.connect_data(addr),
            Input::SecureData => self.secure_data(),
            Input::SecureControl => self.secure_control(),
            Input::ShutdownControlTls => self.shutdown_control_tls(),
            Input::Data(e) => self.client.handle_data(e, Instant::now()),
            Input::ControlEof => self.client.handle_control_eof(),
        }
        self.drain();
    }

    fn take_finished(&mut self, op: OpId) -> Option<Finished> {
        let i = self.finished.iter().position(|(id, _)| *id == op)?;
        Some(self.finished.swap_remove(i).1)
    }

    fn is_finished(&self, op: OpId) -> bool {
        self.finished.iter().any(|(id, _)| *id == op)
    }

    /// Tells the core the time if its next deadline has passed. Returns true if it did.
    fn fire_expired(&mut self) -> bool {
        if !self.deadline_passed() {
            return false;
        }
        tracing::debug!(target: "ftp_blocking", "deadline passed");
        self.client.handle_timeout(Instant::now());
        self.drain();
        true
    }

    /// Sets the data socket's read or write timeout to the time left before the core's next
    /// deadline, so a blocked data read or write wakes when a timer is due.
    ///
    /// The timeout is rounded down to a step of [`SOCKET_TIMEOUT_STEP`]: the data-idle deadline
    /// moves forward with every read, so an exact value would differ on every call and cost a
    /// `setsockopt` per read (seen with strace on `retr()` and `retrbinary`); rounded down, it
    /// stays the same while data flows, and at worst the thread wakes a step early and looks again.
    fn arm_data_timeout(&mut self, direction: Direction) -> io::Result<()> {
        let wait = self.time_left().map(round_down_to_step);
        let Some(data) = self.data.as_ref() else {
            return Ok(());
        };
        let (last, tcp) = match direction {
            Direction::Read => (&mut self.data_read_timeout, data.tcp()),
            Direction::Write => (&mut self.data_write_timeout, data.tcp()),
        };
        if *last != Some(wait) {
            match direction {
                Direction::Read => tcp.set_read_timeout(wait)?,
                Direction::Write => tcp.set_write_timeout(wait)?,
            }
            *last = Some(wait);
        }
        Ok(())
    }

    /// Forgets the data socket timeouts (a new data connection starts with none set).
    fn reset_data_timeouts(&mut self) {
        self.data_read_timeout = None;
        self.data_write_timeout = None;
    }

    /// Makes one change: a pending input, an expired timer, an abort, or the next bytes.
    fn step(&mut self) -> Result<()> {
        if let Some(input) = self.inputs.pop_front() {
            self.feed(input);
            return Ok(());
        }
        if self.fire_expired() {
            return Ok(());
        }
        if self.abort.is_cancelled() && self.transfer_op.is_some() && self.abort_op.is_none() {
            self.start_abort();
            return Ok(());
        }
        if self.data_started && self.pump && self.data.is_some() && !self.data_eof {
            return self.pump_data();
        }
        self.wait_control()
    }

    /// Has the core send ABOR for the running transfer.
    fn start_abort(&mut self) {
        self.abort.reset();
        self.close_data_stream();
        match self.client.abort(Instant::now()) {
            Ok(op) => self.abort_op = Some(op),
            Err(e) => {
                tracing::debug!(target: "ftp_blocking", error = %e, "abort refused by the core")
            }
        }
        self.drain();
    }

    /// Waits for control bytes (and a data connection when accepting), at most until the
    /// core's next deadline (without one, as long as it takes: every timeout unlimited).
    fn wait_control(&mut self) -> Result<()> {
        let mut wait = self.time_left();
        if self.transfer_op.is_some() {
            // Not a timer: how often the abort handle's flag is looked at.
            wait = Some(wait.map_or(ABORT_POLL, |w| w.min(ABORT_POLL)));
        }
        if self.control.is_none() {
            if let Some(e) = self.control_error.take() {
                return Err(Error::Io(e));
            }
            return Err(Error::Closed);
        }
        if self.accepting && self.listener.is_some() {
            let (control_ready, listener_ready) = self.poll_accept(wait)?;
            if listener_ready {
                self.accept_data();
            }
            if control_ready {
                self.read_control(wait)?;
            }
            return Ok(());
        }
        self.read_control(wait)?;
        Ok(())
    }

    fn poll_accept(&mut self, wait: Option<Duration>) -> Result<(bool, bool)> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        // Text rustls already decrypted (or kept from before CCC) is not on the socket.
        if self.control.as_mut().is_some_and(|c| c.has_buffered_data()) {
            return Ok((true, false));
        }
        let (Some(control), Some(listener)) = (self.control.as_ref(), self.listener.as_ref())
        else {
            return Ok((false, false));
        };
        let control = control.tcp()?;
        let mut fds = [
            PollFd::new(control, PollFlags::IN),
            PollFd::new(listener, PollFlags::IN),
        ];
        let timeout = wait.map(|wait| Timespec {
            tv_sec: wait.as_secs().min(i64::MAX as u64) as _,
            tv_nsec: wait.subsec_nanos() as _,
        });
        match poll(&mut fds, timeout.as_ref()) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok((false, false)),
            Err(e) => return Err(Error::Io(e.into())),
        }
        let ready = |f: &PollFd<'_>| !f.revents().is_empty();
        Ok((ready(&fds[0]), ready(&fds[1])))
    }

    fn accept_data(&mut self) {
        let Some(listener) = self.listener.as_ref() else {
            return;
        };
        match listener.accept() {
            Ok((stream, peer)) => {
                let _ = stream.set_nonblocking(false);
                self.accepting = false;
                self.set_data(stream);
                self.inputs
                    .push_back(Input::Data(DataEvent::Accepted { peer }));
            }
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock
                    || e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                self.accepting = false;
                self.inputs
                    .push_back(Input::Data(data_failed(DataFailure::Accept, &e)));
            }
        }
    }

    /// Reads what the control connection has (bounded) and feeds it. Returns whether anything
    /// (bytes or end of stream) arrived.
    fn read_control(&mut self, wait: Option<Duration>) -> Result<bool> {
        let Some(control) = self.control.as_mut() else {
            return Ok(false);
        };
        if self.control_timeout != Some(wait) {
            control.tcp()?.set_read_timeout(wait)?;
            self.control_timeout = Some(wait);
        }
        match control.read(&mut self.buf[..CONTROL_CHUNK]) {
            Ok(0) => {
                self.control = None;
                self.client.handle_control_eof();
                self.drain();
                Ok(true)
            }
            Ok(n) => {
                self.client
                    .handle_control_input(&self.buf[..n], Instant::now());
                self.drain();
                Ok(true)
            }
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => Ok(false),
            Err(e) => {
                self.control_error = Some(e);
                self.control = None;
                self.client.handle_control_eof();
                self.drain();
                Ok(true)
            }
        }
    }

    /// Reads one chunk of a listing's data connection and feeds it to the core's parser.
    fn pump_data(&mut self) -> Result<()> {
        self.arm_data_timeout(Direction::Read)?;
        let Some(data) = self.data.as_mut() else {
            return Ok(());
        };
        match data.read(&mut self.buf[..PUMP_CHUNK]) {
            Ok(0) => self.data_ended(),
            Ok(n) => {
                self.data_bytes += n as u64;
                // Progress too: the core restarts its data-idle timer.
                self.client
                    .handle_data_input(&self.buf[..n], Instant::now());
                self.drain();
            }
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => self.data_error(e),
        }
        Ok(())
    }

    /// The data connection reached its end: either an abort shut it, or the server finished.
    fn data_ended(&mut self) {
        if self.abort.is_cancelled() {
            self.start_abort();
            return;
        }
        self.data_eof = true;
        if let Some(data) = self.data.take() {
            // After EOF this only sends close_notify under TLS (errors do not matter).
            let _ = data.finish(Duration::from_millis(100));
        }
        self.close_data_stream();
        self.client.handle_data(
            DataEvent::Finished {
                bytes: self.data_bytes,
            },
            Instant::now(),
        );
        self.drain();
    }

    fn data_error(&mut self, e: io::Error) {
        if self.abort.is_cancelled() {
            self.start_abort();
            return;
        }
        self.close_data_stream();
        self.data_eof = true;
        let event = if is_missing_close_notify(&e) {
            // The core judges it against the size the server announced.
            self.last_unclean = true;
            DataEvent::EndedWithoutCloseNotify {
                bytes: self.data_bytes,
                message: e.to_string(),
            }
        } else {
            data_failed(DataFailure::Io, &e)
        };
        self.client.handle_data(event, Instant::now());
        self.drain();
    }

    /// Runs until `op` finishes and returns its typed result.
    pub(crate) fn run<T: FromOutcome>(&mut self, op: Op<T>) -> Result<T> {
        let finished = self.wait_for(op.id())?;
        op.result(finished).map_err(|e| self.fatal_or(e))
    }

    /// Runs until operation `id` finishes and returns what the core reported. A transfer
    /// that was aborted meanwhile ends here with [`Error::Aborted`] and ABOR's replies.
    fn wait_for(&mut self, id: OpId) -> Result<Finished> {
        loop {
            if let Some(result) = self.take_finished(id) {
                if self.transfer_op == Some(id) {
                    self.transfer_op = None;
                }
                if let Some(abort_op) = self.abort_op.take() {
                    return Err(match self.run(abort_op) {
                        Ok(replies) => Error::Aborted(replies),
                        Err(e) => e,
                    });
                }
                return Ok(result);
            }
            self.step()?;
        }
    }

    /// A control I/O error that ended the session is a better explanation than "closed".
    fn fatal_or(&mut self, e: ftp_proto::client::Error) -> Error {
        match (e, self.control_error.take()) {
            (ftp_proto::client::Error::ConnectionClosed, Some(io)) => Error::Io(io),
            (e, _) => e.into(),
        }
    }

    /// Starts a transfer and waits until its data may move (or it failed).
    pub(crate) fn begin_transfer(
        &mut self,
        request: TransferRequest,
        pump: bool,
    ) -> Result<TransferOp> {
        self.abort.reset();
        self.data_started = false;
        self.data_eof = false;
        self.data_bytes = 0;
        self.announced = None;
        self.last_unclean = false;
        self.pump = pump;
        self.entries.clear();
        let op = self.request(|c, now| c.transfer(request, now))?;
        self.transfer_op = Some(op.id());
        loop {
            if self.data_started && self.inputs.is_empty() && (self.data.is_some() || self.data_eof)
            {
                return Ok(op);
            }
            if self.is_finished(op.id()) {
                // Finished before the data moved: a refusal, or an (empty) success.
                return match self.wait_for(op.id())? {
                    Ok(outcome) => {
                        self.finished.push((op.id(), Ok(outcome)));
                        self.data_eof = true;
                        Ok(op)
                    }
                    Err(e) => Err(self.fatal_or(e)),
                };
            }
            self.step()?;
        }
    }

    /// The next listing item of a pumped transfer, or its result at the end.
    pub(crate) fn next_item(&mut self, op: TransferOp) -> Result<Next> {
        loop {
            match self.entries.pop_front() {
                Some(Ok(item)) => return Ok(Next::Item(item)),
                Some(Err(e)) => return Ok(Next::BadItem(e)),
                None => {}
            }
            if self.is_finished(op.id()) {
                return self.run(op).map(Next::Done);
            }
            self.step()?;
        }
    }

    /// Whether the raw transfer `op` is being aborted (by `abort()` or the abort handle);
    /// starts the ABOR dialogue on the first call after the handle fired.
    fn abort_requested(&mut self, op: TransferOp) -> bool {
        let requested = self.abort_op.is_some()
            || (self.abort.is_cancelled() && self.transfer_op == Some(op.id()));
        if requested && self.abort_op.is_none() {
            self.start_abort();
        }
        requested
    }

    /// One turn before a data read or write: feeds a pending input or an expired deadline, or
    /// steps the session while no data connection is open yet (`Ok(false)`: look again);
    /// else arms the data socket's timeout for `direction` (`Ok(true)`: do the I/O now).
    fn data_turn(&mut self, direction: Direction) -> Result<bool> {
        if !self.inputs.is_empty() || self.fire_expired() {
            if let Some(input) = self.inputs.pop_front() {
                self.feed(input);
            }
            return Ok(false);
        }
        if self.data.is_none() {
            self.step()?;
            return Ok(false);
        }
        self.arm_data_timeout(direction)?;
        Ok(true)
    }

    /// Reads data of a raw download into `buf`; 0 at the end of the data.
    pub(crate) fn data_read(&mut self, op: TransferOp, buf: &mut [u8]) -> Result<usize> {
        loop {
            if self
                .finished
                .iter()
                .any(|(id, r)| *id == op.id() && r.is_err())
            {
                // The transfer failed while data was moving (timeout, abort, refusal).
                return self.run(op).map(|_| 0);
            }
            if self.abort_requested(op) {
                return self.run(op).map(|_| 0);
            }
            if self.data_eof || buf.is_empty() {
                return Ok(0);
            }
            if !self.data_turn(Direction::Read)? {
                continue;
            }
            let Some(data) = self.data.as_mut() else {
                continue;
            };
            match data.read(buf) {
                Ok(0) => {
                    self.data_ended();
                    if self.data_eof {
                        return Ok(0);
                    }
                }
                Ok(n) => {
                    self.data_bytes += n as u64;
                    self.client.handle_data_progress(n as u64, Instant::now());
                    return Ok(n);
                }
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.data_error(e),
            }
        }
    }

    /// Writes data of a raw upload; returns how much was taken.
    pub(crate) fn data_write(&mut self, op: TransferOp, buf: &[u8]) -> Result<usize> {
        loop {
            if self.is_finished(op.id()) || self.abort_requested(op) {
                return self.run(op).and(Err(Error::Closed));
            }
            if buf.is_empty() {
                return Ok(0);
            }
            if !self.data_turn(Direction::Write)? {
                continue;
            }
            let Some(data) = self.data.as_mut() else {
                continue;
            };
            match data.write(buf) {
                Ok(0) => self.data_error(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.data_bytes += n as u64;
                    self.client.handle_data_progress(n as u64, Instant::now());
                    return Ok(n);
                }
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.data_error(e),
            }
        }
    }

    /// Moves a raw transfer's data with a transport function (zero-copy file paths) in one go.
    /// The transport reports progress to the core as it goes and bounds each wait by the
    /// core's data-idle duration, so a transport timeout means the core's idle deadline has
    /// passed; it watches the abort handle.
    pub(crate) fn data_with(&mut self, op: TransferOp, job: FileJob<'_>) -> Result<u64> {
        let download = matches!(job, FileJob::Download(_));
        while let Some(input) = self.inputs.pop_front() {
            self.feed(input);
        }
        if self.is_finished(op.id()) || self.abort_op.is_some() {
            return self.run(op).and(Err(Error::Closed));
        }
        let idle = self.client.config().timeouts.data_idle;
        let client = &mut self.client;
        let Some(data) = self.data.as_mut() else {
            return Ok(0);
        };
        self.data_read_timeout = None;
        self.data_write_timeout = None;
        let mut reported = 0u64;
        let mut progress = |total: u64| {
            client.handle_data_progress(total.saturating_sub(reported), Instant::now());
            reported = total;
        };
        let opts = DataOptions::new(idle)
            .cancel(&self.abort)
            .progress(&mut progress);
        // Zero-copy on plain TCP; TLS goes through the buffered copy loop.
        let result = match (job, data.is_tls()) {
            (FileJob::Download(file), false) => data::download_file(data.tcp(), file, opts),
            (FileJob::Upload(file), false) => data::upload_file(file, data.tcp(), opts),
            (job, true) => data.set_idle_timeout(idle).and_then(|()| match job {
                FileJob::Download(file) => data::copy(data, file, opts),
                FileJob::Upload(file) => data::copy(file, data, opts),
            }),
        };
        match result {
            Ok(n) => {
                self.data_bytes += n;
                if download {
                    self.data_ended();
                    if !self.data_eof {
                        // An abort shut the connection: its outcome is the answer.
                        return self.run(op).and(Err(Error::Closed));
                    }
                }
                Ok(n)
            }
            Err(TransportError::Timeout { .. }) => {
                // No progress for the data-idle duration: the core's deadline has passed.
                self.client.handle_timeout(Instant::now());
                self.drain();
                self.run(op).and(Err(Error::Closed))
            }
            Err(TransportError::Cancelled) => {
                self.start_abort();
                self.run(op).and(Err(Error::Closed))
            }
            Err(e) => {
                self.data_error(e.into());
                self.run(op).and(Err(Error::Closed))
            }
        }
    }

    /// Ends a raw upload: shuts the data connection down, reports the end, reads the final reply.
    pub(crate) fn finish_upload(&mut self, op: TransferOp) -> Result<TransferDone> {
        if !self.data_eof && !self.is_finished(op.id()) {
            if self.abort.is_cancelled() {
                self.start_abort();
            } else if let Some(data) = self.data.take() {
                // close_notify under TLS, half-close, and read until the server closes, so
                // that no reset can destroy the end of the upload.
                let ended = data.finish(self.bound());
                self.abort.detach();
                self.data_eof = true;
                let event = match ended {
                    Ok(()) => DataEvent::Finished {
                        bytes: self.data_bytes,
                    },
                    Err(e) => DataEvent::Failed {
                        kind: if matches!(e, TransportError::Tls(_)) {
                            DataFailure::Tls
                        } else {
                            DataFailure::Io
                        },
                        message: e.to_string(),
                    },
                };
                self.client.handle_data(event, Instant::now());
                self.drain();
            }
        }
        self.run(op)
    }

    /// Stops the running transfer with ABOR and returns the replies.
    pub(crate) fn abort_transfer(&mut self, op: TransferOp) -> Result<Vec<Reply>> {
        if self.abort_op.is_none() && !self.is_finished(op.id()) {
            self.start_abort();
        }
        match self.run(op) {
            Err(Error::Aborted(replies)) => Ok(replies),
            Ok(done) => Ok(vec![done.reply]),
            Err(e) => Err(e),
        }
    }
}

/// The granularity of data socket timeouts (see `Driver::arm_data_timeout`).
const SOCKET_TIMEOUT_STEP: Duration = Duration::from_millis(50);

/// `wait` rounded down to a whole number of [`SOCKET_TIMEOUT_STEP`]s; a wait shorter than one
/// step is kept as it is (never zero: `time_left` is at least 1 ms).
fn round_down_to_step(wait: Duration) -> Duration {
    let step = SOCKET_TIMEOUT_STEP.as_nanos();
    if wait.as_nanos() < step {
        return wait;
    }
    let rounded = wait.as_nanos() / step * step;
    Duration::from_nanos(u64::try_from(rounded).unwrap_or(u64::MAX))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn data_failed(kind: DataFailure, e: &io::Error) -> DataEvent {
    DataEvent::Failed {
        kind,
        message: e.to_string(),
    }
}

/// Which way a data-socket timeout applies.
#[derive(Clone, Copy)]
enum Direction {
    Read,
    Write,
}

#[cfg(test)]
mod tests {
    use super::{SOCKET_TIMEOUT_STEP, round_down_to_step};
    use std::time::Duration;

    #[test]
    fn socket_timeout_never_exceeds_the_time_left() {
        for ms in [1u64, 49, 50, 51, 99, 100, 29_999, 30_000, 30_001] {
            let wait = Duration::from_millis(ms) + Duration::from_micros(7);
            assert!(round_down_to_step(wait) <= wait, "{wait:?}");
        }
        assert!(round_down_to_step(Duration::MAX) <= Duration::MAX);
    }

    #[test]
    fn socket_timeout_is_the_same_while_an_idle_deadline_moves_with_each_read() {
        // time_left() just after a read restarted a 30 s idle deadline: a little under 30 s,
        // by a different few microseconds each time.
        let idle = Duration::from_secs(30);
        let first = round_down_to_step(idle - Duration::from_micros(3));
        for micros in [1, 20, 400, 9_000] {
            assert_eq!(
                round_down_to_step(idle - Duration::from_micros(micros)),
                first
            );
        }
        assert_eq!(first, idle - SOCKET_TIMEOUT_STEP);
    }

    #[test]
    fn a_wait_shorter_than_one_step_is_kept_exactly() {
        let wait = Duration::from_millis(3);
        assert_eq!(round_down_to_step(wait), wait);
    }
}
