//! The driver: one loop around [`ftp_proto::client::Client`].
//!
//! It makes one change to the core (a request or an input), drains [`Client::poll_output`] until
//! [`Output::Idle`], carries out what the core asked for (control writes, data connections,
//! timers), then waits for the next input: control bytes, a data connection, data bytes, or the
//! earliest armed timer. It makes no protocol decision: every reply is judged by the core.
//!
//! Control reads are bounded (a fixed buffer fed to the core, whose framer bounds replies), and
//! every wait has a timeout: the socket read timeout is the time left until the earliest armed
//! deadline, and an expired deadline is reported to the core with `handle_timeout`.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use ftp_proto::client::{
    Action, Client, DataEvent, DataFailure, Event, ListingItem, OpId, Outcome, Output, Timer,
    TimerUpdate, TlsEvent, TransferRequest,
};

use ftp_proto::listing::ListingError;

use crate::data::{self, Cancel, DataOptions};
use crate::debug::Debug;
use crate::error::{Error, Result, TransportError};
use crate::tls::{ControlConnection, DataConnection, TlsSession, is_missing_close_notify};

/// Bytes read from the control connection at a time.
const CONTROL_CHUNK: usize = 8 * 1024;
/// Bytes read from a data connection at a time when the driver feeds a listing parser.
const PUMP_CHUNK: usize = 64 * 1024;
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

/// The deadlines the core asked for.
#[derive(Debug, Default)]
struct Timers {
    slots: Vec<(Timer, Instant, Duration)>,
}

impl Timers {
    fn update(&mut self, update: TimerUpdate) {
        match update {
            TimerUpdate::Arm { timer, after } => {
                self.cancel(timer);
                self.slots.push((timer, Instant::now() + after, after));
            }
            TimerUpdate::Cancel(timer) => self.cancel(timer),
        }
    }

    fn cancel(&mut self, timer: Timer) {
        self.slots.retain(|(t, _, _)| *t != timer);
    }

    fn clear(&mut self) {
        self.slots.clear();
    }

    fn earliest(&self) -> Option<(Timer, Instant)> {
        self.slots
            .iter()
            .min_by_key(|(_, at, _)| *at)
            .map(|(t, at, _)| (*t, *at))
    }

    /// Data moved: the idle deadline starts again.
    fn touch(&mut self, timer: Timer) {
        if let Some(slot) = self.slots.iter_mut().find(|(t, _, _)| *t == timer) {
            slot.1 = Instant::now() + slot.2;
        }
    }
}

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
    /// The transfer ended with this outcome.
    Done(Outcome),
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
    pub(crate) reply_timeout: Duration,
    pub(crate) data_connect_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) data_idle_timeout: Duration,
}

/// The session's sockets and the core.
#[derive(Debug)]
pub(crate) struct Driver {
    pub(crate) client: Client,
    control: Option<ControlConnection>,
    control_timeout: Option<Duration>,
    listener: Option<TcpListener>,
    accepting: bool,
    data: Option<DataConnection>,
    tls: Option<TlsSession>,
    /// The read and write timeouts last set on the data socket (each skips an unchanged syscall).
    data_read_timeout: Option<Duration>,
    data_write_timeout: Option<Duration>,
    data_started: bool,
    data_eof: bool,
    data_bytes: u64,
    announced: Option<u64>,
    /// The last download ended without the server's TLS `close_notify` (the core accepted it
    /// only if every announced byte arrived).
    pub(crate) last_unclean: bool,
    pump: bool,
    transfer_op: Option<OpId>,
    abort_op: Option<OpId>,
    timers: Timers,
    inputs: VecDeque<Input>,
    finished: Vec<(OpId, std::result::Result<Outcome, ftp_proto::client::Error>)>,
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
            timers: Timers::default(),
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

    /// Runs a request on the core and drains its outputs.
    pub(crate) fn request<F>(&mut self, f: F) -> Result<OpId>
    where
        F: FnOnce(&mut Client) -> std::result::Result<OpId, ftp_proto::client::UsageError>,
    {
        if self.control.is_none() || self.client.is_closed() {
            return Err(Error::Closed);
        }
        let op = f(&mut self.client)?;
        self.drain();
        Ok(op)
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
                Output::Timer(update) => self.timers.update(update),
                Output::Event(e) => self.event(e),
                Output::Idle => return,
            }
        }
    }

    fn write_control(&mut self, bytes: &[u8]) {
        let Some(control) = self.control.as_mut() else {
            return;
        };
        if let Ok(tcp) = control.tcp() {
            let _ = tcp.set_write_timeout(Some(self.options.reply_timeout));
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

    /// Opens the passive data connection within what is left of the DataConnect deadline.
    fn connect_data(&mut self, addr: SocketAddr) {
        let armed = self
            .timers
            .slots
            .iter()
            .find(|(t, _, _)| *t == Timer::DataConnect)
            .map(|s| s.1);
        let timeout = match armed {
            Some(at) => at.saturating_duration_since(Instant::now()),
            None => self.options.data_connect_timeout,
        }
        .max(Duration::from_millis(1));
        let result = crate::net::connect_data(addr, timeout, self.options.source_address)
            .map_err(io::Error::from)
            .and_then(|stream| Ok((stream.local_addr()?, stream.peer_addr()?, stream)));
        match result {
            Ok((local, peer, stream)) => {
                let _ = stream.set_nodelay(true);
                self.set_data(stream);
                self.client
                    .handle_data(DataEvent::Connected { local, peer });
            }
            // The DataConnect deadline has passed: the next step reports it as a timeout.
            Err(e) if is_timeout(&e) && armed.is_some() => {}
            Err(e) => self
                .client
                .handle_data(data_failed(DataFailure::Connect, &e)),
        }
    }

    fn set_data(&mut self, stream: TcpStream) {
        let _ = self.abort.attach(&stream);
        self.reset_data_timeouts();
        self.data = Some(DataConnection::plain(stream));
    }

    /// The time a TLS handshake or shutdown may take.
    fn tls_timeout(&self) -> Duration {
        self.options.connect_timeout
    }

    /// PROT P: the TLS handshake on the data connection, resuming the control session.
    fn secure_data(&mut self) {
        let (Some(session), Some(data)) = (self.tls.as_ref(), self.data.take()) else {
            let message = if self.tls.is_none() {
                "PROT P without a TLS configuration (FtpBuilder::tls)"
            } else {
                "no data connection to secure"
            };
            self.client.handle_data(DataEvent::Failed {
                kind: DataFailure::Tls,
                message: message.into(),
            });
            return;
        };
        let tcp = match data.tcp().try_clone() {
            Ok(tcp) => tcp,
            Err(e) => return self.client.handle_data(data_failed(DataFailure::Io, &e)),
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
                self.client.handle_data(DataEvent::Failed {
                    kind: DataFailure::Tls,
                    message: e.to_string(),
                });
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
        self.client.handle_tls(event);
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
        self.client.handle_tls(event);
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
        self.timers.clear();
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
            Input::Data(e) => self.client.handle_data(e),
            Input::ControlEof => self.client.handle_control_eof(),
        }
        self.drain();
    }

    fn take_finished(
        &mut self,
        op: OpId,
    ) -> Option<std::result::Result<Outcome, ftp_proto::client::Error>> {
        let i = self.finished.iter().position(|(id, _)| *id == op)?;
        Some(self.finished.swap_remove(i).1)
    }

    fn is_finished(&self, op: OpId) -> bool {
        self.finished.iter().any(|(id, _)| *id == op)
    }

    /// Reports the earliest deadline to the core if it has passed. Returns true if it did.
    fn fire_expired(&mut self) -> bool {
        if let Some((timer, at)) = self.timers.earliest()
            && at <= Instant::now()
        {
            self.timers.cancel(timer);
            tracing::debug!(target: "ftp_blocking", ?timer, "timer expired");
            self.client.handle_timeout(timer);
            self.drain();
            return true;
        }
        false
    }

    /// Time left until the earliest deadline, or `None` when nothing is armed.
    fn time_left(&self) -> Option<Duration> {
        self.timers
            .earliest()
            .map(|(_, at)| at.saturating_duration_since(Instant::now()))
    }

    /// Sets the data socket's read or write timeout to the time left before the earliest
    /// armed deadline, so a blocked data read or write wakes when a timer is due.
    fn arm_data_timeout(&mut self, direction: Direction) -> io::Result<()> {
        let wait = self
            .time_left()
            .unwrap_or(self.options.reply_timeout)
            .max(Duration::from_millis(1));
        let Some(data) = self.data.as_ref() else {
            return Ok(());
        };
        let (last, tcp) = match direction {
            Direction::Read => (&mut self.data_read_timeout, data.tcp()),
            Direction::Write => (&mut self.data_write_timeout, data.tcp()),
        };
        if *last != Some(wait) {
            match direction {
                Direction::Read => tcp.set_read_timeout(Some(wait))?,
                Direction::Write => tcp.set_write_timeout(Some(wait))?,
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
        match self.client.abort() {
            Ok(op) => self.abort_op = Some(op),
            Err(e) => {
                tracing::debug!(target: "ftp_blocking", error = %e, "abort refused by the core")
            }
        }
        self.drain();
    }

    /// Waits for control bytes (and a data connection when accepting), at most until the
    /// earliest deadline.
    fn wait_control(&mut self) -> Result<()> {
        let armed = self.time_left();
        let mut wait = armed.unwrap_or(self.options.reply_timeout);
        if self.transfer_op.is_some() {
            wait = wait.min(ABORT_POLL);
        }
        let wait = wait.max(Duration::from_millis(1));
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
        let got = self.read_control(wait)?;
        if !got && armed.is_none() && self.transfer_op.is_none() {
            // The core is waiting without a deadline: do not wait for ever.
            self.close();
            return Err(Error::Timeout(Timer::Reply));
        }
        Ok(())
    }

    fn poll_accept(&mut self, wait: Duration) -> Result<(bool, bool)> {
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
        let timeout = Timespec {
            tv_sec: wait.as_secs() as _,
            tv_nsec: wait.subsec_nanos() as _,
        };
        match poll(&mut fds, Some(&timeout)) {
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
    fn read_control(&mut self, wait: Duration) -> Result<bool> {
        let Some(control) = self.control.as_mut() else {
            return Ok(false);
        };
        if self.control_timeout != Some(wait) {
            control.tcp()?.set_read_timeout(Some(wait))?;
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
                self.client.handle_control_input(&self.buf[..n]);
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
                self.timers.touch(Timer::DataIdle);
                self.client.handle_data_input(&self.buf[..n]);
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
        self.client.handle_data(DataEvent::Finished {
            bytes: self.data_bytes,
        });
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
        self.client.handle_data(event);
        self.drain();
    }

    /// Runs until `op` finishes and returns its outcome.
    pub(crate) fn run(&mut self, op: OpId) -> Result<Outcome> {
        loop {
            if let Some(result) = self.take_finished(op) {
                if self.transfer_op == Some(op) {
                    self.transfer_op = None;
                }
                if let Some(abort_op) = self.abort_op.take() {
                    let aborted = self.run(abort_op);
                    return Err(match aborted {
                        Ok(Outcome::Aborted { replies }) => Error::Aborted(replies),
                        Ok(_) => Error::Aborted(Vec::new()),
                        Err(e) => e,
                    });
                }
                return result.map_err(|e| self.fatal_or(e));
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
    pub(crate) fn begin_transfer(&mut self, request: TransferRequest, pump: bool) -> Result<OpId> {
        self.abort.reset();
        self.data_started = false;
        self.data_eof = false;
        self.data_bytes = 0;
        self.announced = None;
        self.last_unclean = false;
        self.pump = pump;
        self.entries.clear();
        let op = self.request(|c| c.transfer(request))?;
        self.transfer_op = Some(op);
        loop {
            if self.data_started && self.inputs.is_empty() && (self.data.is_some() || self.data_eof)
            {
                return Ok(op);
            }
            if self.is_finished(op) {
                // Finished before the data moved: a refusal, or an (empty) success.
                return match self.run(op) {
                    Ok(outcome) => {
                        self.finished.push((op, Ok(outcome)));
                        self.data_eof = true;
                        Ok(op)
                    }
                    Err(e) => Err(e),
                };
            }
            self.step()?;
        }
    }

    /// The next listing item of a pumped transfer, or its outcome at the end.
    pub(crate) fn next_item(&mut self, op: OpId) -> Result<Next> {
        loop {
            match self.entries.pop_front() {
                Some(Ok(item)) => return Ok(Next::Item(item)),
                Some(Err(e)) => return Ok(Next::BadItem(e)),
                None => {}
            }
            if self.is_finished(op) {
                return self.run(op).map(Next::Done);
            }
            self.step()?;
        }
    }

    /// Whether the raw transfer `op` is being aborted (by `abort()` or the abort handle);
    /// starts the ABOR dialogue on the first call after the handle fired.
    fn abort_requested(&mut self, op: OpId) -> bool {
        let requested =
            self.abort_op.is_some() || (self.abort.is_cancelled() && self.transfer_op == Some(op));
        if requested && self.abort_op.is_none() {
            self.start_abort();
        }
        requested
    }

    /// One turn before a data read or write: feeds a pending input or an expired timer, or
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
    pub(crate) fn data_read(&mut self, op: OpId, buf: &mut [u8]) -> Result<usize> {
        loop {
            if let Some(pos) = self
                .finished
                .iter()
                .position(|(id, r)| *id == op && r.is_err())
            {
                // The transfer failed while data was moving (timeout, abort, refusal).
                let (_, result) = self.finished.swap_remove(pos);
                self.finished.push((op, result));
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
                    self.timers.touch(Timer::DataIdle);
                    return Ok(n);
                }
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.data_error(e),
            }
        }
    }

    /// Writes data of a raw upload; returns how much was taken.
    pub(crate) fn data_write(&mut self, op: OpId, buf: &[u8]) -> Result<usize> {
        loop {
            if self.is_finished(op) {
                return self.run(op).and(Err(Error::Closed));
            }
            if self.abort_requested(op) {
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
                    self.timers.touch(Timer::DataIdle);
                    return Ok(n);
                }
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.data_error(e),
            }
        }
    }

    /// Moves a raw transfer's data with a transport function (zero-copy file paths) in one go:
    /// the transport enforces the data-idle timeout and watches the abort handle.
    pub(crate) fn data_with(&mut self, op: OpId, job: FileJob<'_>) -> Result<u64> {
        let download = matches!(job, FileJob::Download(_));
        while let Some(input) = self.inputs.pop_front() {
            self.feed(input);
        }
        if self.is_finished(op) || self.abort_op.is_some() {
            return self.run(op).and(Err(Error::Closed));
        }
        let Some(data) = self.data.as_mut() else {
            return Ok(0);
        };
        let idle = self
            .timers
            .slots
            .iter()
            .find(|(t, _, _)| *t == Timer::DataIdle)
            .map_or(self.options.data_idle_timeout, |slot| slot.2);
        self.data_read_timeout = None;
        self.data_write_timeout = None;
        let opts = DataOptions::new(idle).cancel(&self.abort);
        // Zero-copy on plain TCP; TLS goes through the buffered copy loop.
        let result = match (job, data.is_tls()) {
            (FileJob::Download(file), false) => data::download_file(data.tcp(), file, opts),
            (FileJob::Upload(file), false) => data::upload_file(file, data.tcp(), opts),
            (job, true) => data.set_idle_timeout(idle).and_then(|()| match job {
                FileJob::Download(file) => data::copy(data, file, opts),
                FileJob::Upload(file) => data::copy(file, data, opts),
            }),
        };
        self.timers.touch(Timer::DataIdle);
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
                self.timers.cancel(Timer::DataIdle);
                self.client.handle_timeout(Timer::DataIdle);
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
    pub(crate) fn finish_upload(&mut self, op: OpId) -> Result<Outcome> {
        if !self.data_eof && !self.is_finished(op) {
            if self.abort.is_cancelled() {
                self.start_abort();
            } else if let Some(data) = self.data.take() {
                // close_notify under TLS, half-close, and read until the server closes, so
                // that no reset can destroy the end of the upload.
                let ended = data.finish(self.options.data_idle_timeout);
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
                self.client.handle_data(event);
                self.drain();
            }
        }
        self.run(op)
    }

    /// Stops the running transfer with ABOR and returns the replies.
    pub(crate) fn abort_transfer(&mut self, op: OpId) -> Result<Vec<Reply>> {
        if self.abort_op.is_none() && !self.is_finished(op) {
            self.start_abort();
        }
        match self.run(op) {
            Err(Error::Aborted(replies)) => Ok(replies),
            Ok(outcome) => Ok(match outcome {
                Outcome::Transfer { reply, .. } => vec![reply],
                _ => Vec::new(),
            }),
            Err(e) => Err(e),
        }
    }
}

use ftp_proto::reply::Reply;

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
