//! The client session state machine: the whole FTP client dialogue, without I/O.
//!
//! A [`Client`] takes requests (`login`, `cwd`, `transfer`, ...) and inputs (control bytes,
//! data-connection and TLS events, timer expiry) and produces [`Output`]s: bytes to send,
//! [`Action`]s for the adapter, timer updates and [`Event`]s for the user. See [`Client`] for the
//! drive loop and `docs/DESIGN.md` for the table of states and transitions.

mod config;
mod error;
mod event;
#[cfg(feature = "fuzzing")]
mod fuzz;
mod login;
mod state;
mod transfer;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use crate::Timestamp;
use crate::command::{Arg, Command, Password, ProtLevel, TransferType};
use crate::framer::ReplyFramer;
use crate::listing::MlsdEntry;
use crate::parse::Features;
use crate::reply::Reply;

pub use config::{Config, Timeouts};
pub use error::{Error, ProtocolError, UsageError};
pub use event::{
    Action, DataEvent, DataFailure, Event, FromOutcome, ListingItem, Op, OpId, Outcome, Output,
    PathReply, SizeReply, Timer, TlsEvent, TransferDone, Transmit,
};
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use fuzz::fuzz_client;
pub use login::Credentials;
pub use transfer::{DataSink, TransferCommand, TransferRequest};

use state::{Expect, Running, Task};

/// Where the control connection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conn {
    Unconnected,
    Open,
    Closed,
}

/// One FTP client session, as a state machine without I/O.
///
/// FTP is serial: one operation runs at a time. Starting a second one while one runs is
/// [`UsageError::Busy`] (except [`abort`](Client::abort), which interrupts a transfer).
///
/// # The drive loop
///
/// Make exactly one change, then drain [`poll_output`](Client::poll_output) until
/// [`Output::Idle`], then wait for the next input:
///
/// 1. a change: a request (`login`, `transfer`, ...) or an input (`handle_*`), each with the
///    adapter's `now`;
/// 2. drain: [`Output::Send`] → write the bytes to the control connection;
///    [`Output::Action`] → carry it out (report its result later through
///    [`handle_data`](Client::handle_data) or [`handle_tls`](Client::handle_tls));
///    [`Output::Event`] → hand to the user ([`Event::Finished`] ends an operation: its
///    [`Op`] handle turns the result into the request's type);
/// 3. wait for the first of: control bytes, a data event, a TLS event, or the deadline
///    [`poll_timeout`](Client::poll_timeout) (then call
///    [`handle_timeout`](Client::handle_timeout) with the time).
///
/// The core has no clock: every `Instant` comes from the adapter, so a test can run the
/// whole session on a virtual clock.
///
/// ```
/// use std::time::{Duration, Instant};
/// use ftp_proto::client::{Client, Config, Event, Outcome, Output};
/// use ftp_proto::command::{Arg, Password};
///
/// let mut client = Client::new(Config::default());
/// let mut sent = Vec::new();
/// let mut finished = Vec::new();
/// // What a server would say, one reply per step of the dialogue.
/// let mut server = vec![&b"220 ready\r\n"[..], b"331 password?\r\n", b"230 welcome\r\n"].into_iter();
/// // A virtual clock: a real adapter passes Instant::now() each time.
/// let mut now = Instant::now();
///
/// client.connect("127.0.0.1:40000".parse().unwrap(), "127.0.0.1:21".parse().unwrap(), now).unwrap();
/// loop {
///     // 2. drain
///     loop {
///         match client.poll_output() {
///             Output::Send(t) => sent.push(t.display),
///             Output::Event(Event::Finished { result, .. }) => finished.push(result.unwrap()),
///             Output::Idle => break,
///             _ => {} // actions: none in this dialogue
///         }
///     }
///     // Once the greeting is in, ask to log in (one change at a time).
///     if finished.len() == 1 && !client.is_busy() {
///         let user = Arg::try_from("alice").unwrap();
///         let pass = Password::new(Arg::try_from("secret").unwrap()).unwrap();
///         client.login(user, pass, None, now).unwrap();
///         continue;
///     }
///     // 3. wait for input, at most until the deadline: here the next scripted reply
///     let deadline = client.poll_timeout();
///     assert!(deadline.is_some() || !client.is_busy());
///     now += Duration::from_millis(10);
///     match server.next() {
///         Some(bytes) => client.handle_control_input(bytes, now),
///         None => break,
///     }
/// }
/// assert_eq!(sent, ["USER alice", "PASS ****"]);
/// assert!(matches!(finished[0], Outcome::Greeting(_)));
/// assert!(matches!(finished[1], Outcome::LoggedIn(_)));
/// assert_eq!(client.poll_timeout(), None); // idle: nothing to wait for
/// ```
///
/// # Methods, in groups
///
/// - **Construction**: [`new`](Client::new).
/// - **Getters**: [`welcome`](Client::welcome), [`is_closed`](Client::is_closed),
///   [`is_busy`](Client::is_busy), [`control_secure`](Client::control_secure),
///   [`data_protection`](Client::data_protection), [`transfer_type`](Client::transfer_type),
///   [`peer`](Client::peer), [`local`](Client::local), [`features`](Client::features),
///   [`config`](Client::config), [`is_passive`](Client::is_passive); the mutator
///   [`set_passive`](Client::set_passive).
/// - **Inputs** (`handle_*`, each with `now`): [`connect`](Client::connect) first (the
///   control socket is open), then [`handle_control_input`](Client::handle_control_input),
///   [`handle_control_eof`](Client::handle_control_eof), [`handle_data`](Client::handle_data),
///   [`handle_data_input`](Client::handle_data_input),
///   [`handle_data_progress`](Client::handle_data_progress), [`handle_tls`](Client::handle_tls),
///   [`handle_timeout`](Client::handle_timeout).
/// - **Timers**: [`poll_timeout`](Client::poll_timeout), [`is_armed`](Client::is_armed),
///   [`deadline`](Client::deadline).
/// - **Requests** (each takes `now` and returns the typed [`Op`] handle whose id its events
///   carry): [`login`](Client::login), [`login_with`](Client::login_with),
///   [`execute`](Client::execute), [`cwd`](Client::cwd), [`cdup`](Client::cdup),
///   [`pwd`](Client::pwd), [`mkd`](Client::mkd), [`rmd`](Client::rmd),
///   [`delete`](Client::delete), [`rename`](Client::rename), [`size`](Client::size),
///   [`mdtm`](Client::mdtm), [`mfmt`](Client::mfmt), [`mlst`](Client::mlst),
///   [`feat`](Client::feat), [`opts_utf8`](Client::opts_utf8), [`host`](Client::host),
///   [`noop`](Client::noop), [`transfer`](Client::transfer), [`abort`](Client::abort),
///   [`auth_tls`](Client::auth_tls), [`prot_p`](Client::prot_p), [`prot_c`](Client::prot_c),
///   [`ccc`](Client::ccc), [`quit`](Client::quit), [`close`](Client::close).
/// - **Output**: [`poll_output`](Client::poll_output).
///
/// Call order: `new`, then `connect` once the control socket is open (for implicit TLS, once
/// it is secured), then requests one at a time, each followed by inputs until its
/// [`Event::Finished`]. Inputs that do not fit the current state (a stale data event) are
/// ignored; `handle_timeout` before a deadline does nothing.
#[derive(Debug)]
pub struct Client {
    config: Config,
    framer: ReplyFramer,
    out: VecDeque<Output>,
    next_op: u64,
    conn: Conn,
    local: Option<SocketAddr>,
    peer: Option<SocketAddr>,
    welcome: Option<Reply>,
    features: Option<Features>,
    control_secure: bool,
    data_protection: ProtLevel,
    transfer_type: Option<TransferType>,
    passive: bool,
    epsv_refused: bool,
    epsv_all: EpsvAll,
    eprt_refused: bool,
    deadlines: [Deadline; 7],
    /// Data bytes moved in the current low-speed window.
    window_bytes: u64,
    now: Option<Instant>,
    op: Option<Running>,
    /// The steps left of a request made of several operations (secure login).
    plan: Option<Plan>,
}

/// A request carried out as a sequence of operations under one id.
#[derive(Debug)]
struct Plan {
    id: OpId,
    steps: VecDeque<PlanStep>,
    logged_in: Option<Reply>,
}

#[derive(Debug)]
enum PlanStep {
    AuthTls,
    Login(Credentials),
    ProtP,
}

/// Where `EPSV ALL` ([`Config::epsv_all`]) stands in the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EpsvAll {
    NotSent,
    Accepted,
    Refused,
}

/// When a named timer expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Deadline {
    /// Not armed.
    Off,
    /// Armed: expires at this instant.
    At(Instant),
    /// Armed with a duration too long for an `Instant` (`Duration::MAX`): never expires.
    Never,
}

impl Client {
    // ------------------------------------------------------------------ construction

    /// A session that is not connected yet.
    pub fn new(config: Config) -> Client {
        Client {
            framer: ReplyFramer::new(config.framer),
            out: VecDeque::new(),
            next_op: 1,
            conn: Conn::Unconnected,
            local: None,
            peer: None,
            welcome: None,
            features: None,
            control_secure: false,
            data_protection: ProtLevel::Clear,
            transfer_type: None,
            passive: config.passive,
            epsv_refused: false,
            epsv_all: EpsvAll::NotSent,
            eprt_refused: false,
            deadlines: [Deadline::Off; 7],
            window_bytes: 0,
            now: None,
            op: None,
            plan: None,
            config,
        }
    }

    // ------------------------------------------------------------------ getters

    /// The greeting (`220`), once it came.
    pub fn welcome(&self) -> Option<&Reply> {
        self.welcome.as_ref()
    }
    /// Whether the session is over (after `quit`, `close`, control EOF or a closing error).
    pub fn is_closed(&self) -> bool {
        self.conn == Conn::Closed
    }
    /// Whether an operation runs.
    pub fn is_busy(&self) -> bool {
        self.op.is_some()
    }
    /// Whether the control connection is TLS (after `AUTH TLS`, or implicit TLS; not after `CCC`).
    pub fn control_secure(&self) -> bool {
        self.control_secure
    }
    /// The data-connection protection in force (`PROT`): `Clear` until `prot_p`.
    pub fn data_protection(&self) -> ProtLevel {
        self.data_protection
    }
    /// The transfer type the server is known to be in, if known (a raw `TYPE` that is not a
    /// typed [`Command::Type`] makes it unknown).
    pub fn transfer_type(&self) -> Option<TransferType> {
        self.transfer_type
    }
    /// The control connection's peer address, once connected.
    pub fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }
    /// The control connection's local address, once connected.
    pub fn local(&self) -> Option<SocketAddr> {
        self.local
    }
    /// The features of the last successful [`feat`](Client::feat).
    pub fn features(&self) -> Option<&Features> {
        self.features.as_ref()
    }
    /// Whether transfers use passive mode.
    pub fn is_passive(&self) -> bool {
        self.passive
    }
    /// The configuration the session was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// Passive (`true`) or active mode for the next transfers (ftplib `set_pasv`).
    pub fn set_passive(&mut self, passive: bool) {
        self.passive = passive;
    }

    // ------------------------------------------------------------------ inputs

    /// The control connection is open between `local` and `peer` (and, with
    /// [`Config::implicit_tls`], secured) at `now`. The operation ends with the greeting
    /// ([`Outcome::Greeting`]) under [`Timer::Connect`].
    pub fn connect(
        &mut self,
        local: SocketAddr,
        peer: SocketAddr,
        now: Instant,
    ) -> Result<Op<Reply>, UsageError> {
        match self.conn {
            Conn::Closed => return Err(UsageError::Closed),
            Conn::Open => return Err(UsageError::AlreadyConnected),
            Conn::Unconnected => {}
        }
        self.tick(now);
        self.conn = Conn::Open;
        // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is IPv4: EPSV falls back to PASV and
        // EPRT to PORT as on any IPv4 session.
        self.local = Some(SocketAddr::new(local.ip().to_canonical(), local.port()));
        self.peer = Some(SocketAddr::new(peer.ip().to_canonical(), peer.port()));
        self.control_secure = self.config.implicit_tls;
        let id = self.new_op_id();
        self.arm(Timer::Connect);
        self.op = Some(Running {
            id,
            op: Task::Greeting,
        });
        Ok(Op::new(id))
    }

    /// Bytes read from the control connection at `now`, in any chunking. Each complete reply
    /// is emitted as [`Event::Reply`] and then acted on. Ignored before `connect` and after
    /// close.
    pub fn handle_control_input(&mut self, bytes: &[u8], now: Instant) {
        if self.conn != Conn::Open || bytes.is_empty() {
            return;
        }
        self.tick(now);
        if let Some(Running {
            op: Task::AuthTls { reply: Some(_) },
            ..
        }) = &self.op
        {
            // Bytes after the 234 and before the handshake completed: plaintext that would be
            // taken as if it came through TLS.
            if let Some(Running {
                id,
                op: Task::AuthTls { reply: Some(reply) },
            }) = self.op.take()
            {
                let buffered = bytes.len();
                self.finish(
                    id,
                    Err(ProtocolError::PlaintextInjection { reply, buffered }.into()),
                );
                self.shutdown();
            }
            return;
        }
        self.framer.push(bytes);
        while self.conn == Conn::Open {
            match self.framer.next_reply() {
                None => break,
                Some(Ok(reply)) => {
                    self.push(Output::Event(Event::Reply(reply.clone())));
                    self.dispatch_reply(reply);
                }
                Some(Err(e)) => {
                    // The framer skipped the bad reply, but the dialogue is out of step.
                    self.fail_op(Error::Protocol(ProtocolError::Frame(e)));
                    self.shutdown();
                }
            }
        }
    }

    /// The server closed the control connection. The running operation ends with
    /// [`Error::ConnectionClosed`] (a `quit` with [`Outcome::Closed`]`(None)`) and the session
    /// closes.
    pub fn handle_control_eof(&mut self) {
        if self.conn != Conn::Open {
            return;
        }
        match self.op.take() {
            Some(Running { id, op: Task::Quit }) => self.finish(id, Ok(Outcome::Closed(None))),
            Some(Running { id, .. }) => self.finish(id, Err(Error::ConnectionClosed)),
            None => {}
        }
        self.shutdown();
    }

    /// A data-connection event at `now`. Events that do not fit the current state are ignored.
    pub fn handle_data(&mut self, event: DataEvent, now: Instant) {
        if self.conn != Conn::Open {
            return;
        }
        self.tick(now);
        match self.op.take() {
            Some(Running {
                id,
                op: Task::Transfer(t),
            }) => self.transfer_data_event(id, t, event),
            other => self.op = other,
        }
    }

    /// Bytes read at `now` from the data connection of a transfer with a parsed
    /// [`DataSink`]; the core emits [`Event::Entry`] for each complete item. For any sink it
    /// counts as progress ([`Timer::DataIdle`] restarts, as with
    /// [`handle_data_progress`](Client::handle_data_progress)); the bytes themselves are
    /// ignored for [`DataSink::Raw`] and outside the data phase.
    pub fn handle_data_input(&mut self, bytes: &[u8], now: Instant) {
        if self.conn != Conn::Open {
            return;
        }
        self.tick(now);
        if !bytes.is_empty() {
            self.restart_idle();
            self.window_bytes = self.window_bytes.saturating_add(bytes.len() as u64);
        }
        match self.op.take() {
            Some(Running {
                id,
                op: Task::Transfer(t),
            }) => self.transfer_data_input(id, t, bytes),
            other => self.op = other,
        }
    }

    /// `bytes` moved on the data connection of a transfer whose bytes the adapter moves itself
    /// ([`DataSink::Raw`]), by `now`: [`Timer::DataIdle`] restarts when `bytes > 0`. Report
    /// after every read or write, and from the zero-copy paths as they go; the data-idle rule
    /// (no progress for [`Timeouts::data_idle`]) lives here.
    pub fn handle_data_progress(&mut self, bytes: u64, now: Instant) {
        if self.conn != Conn::Open {
            return;
        }
        self.tick(now);
        if bytes > 0 {
            self.restart_idle();
            self.window_bytes = self.window_bytes.saturating_add(bytes);
        }
    }

    /// Progress of a control-connection TLS change asked for with [`Action::SecureControl`]
    /// or [`Action::ShutdownControlTls`], at `now`.
    pub fn handle_tls(&mut self, event: TlsEvent, now: Instant) {
        if self.conn != Conn::Open {
            return;
        }
        self.tick(now);
        match (self.op.take(), event) {
            (
                Some(Running {
                    id,
                    op: Task::AuthTls { reply: Some(r) },
                }),
                TlsEvent::ControlSecured,
            ) => {
                self.control_secure = true;
                // RFC 2228: a successful AUTH resets the security state: PBSZ/PROT again.
                self.data_protection = ProtLevel::Clear;
                self.finish(id, Ok(Outcome::Reply(r)));
            }
            (
                Some(Running {
                    id,
                    op: Task::Ccc { reply: Some(r) },
                }),
                TlsEvent::ControlPlain,
            ) => {
                self.control_secure = false;
                self.finish(id, Ok(Outcome::Reply(r)));
            }
            (
                Some(Running {
                    id,
                    op: Task::AuthTls { reply: Some(_) } | Task::Ccc { reply: Some(_) },
                }),
                TlsEvent::Failed { message },
            ) => {
                self.finish(id, Err(Error::Tls(message)));
                self.shutdown();
            }
            (other, _) => self.op = other,
        }
    }

    /// The time is `now`: every timer whose deadline has passed expires, in deadline order
    /// (see [`poll_timeout`](Client::poll_timeout)). Calling it early, late or more than once
    /// is harmless. What each expiry does is in `docs/DESIGN.md`: the control timers
    /// (`Connect`, `Reply`, `FinalReply`) close the session, the data timers (`DataConnect`,
    /// `DataIdle`) close the data connection and leave the session usable.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tick(now);
        while self.conn == Conn::Open {
            let due = Timer::ALL
                .into_iter()
                .filter_map(|t| match self.deadlines[t.index()] {
                    Deadline::At(at) if at <= now => Some((at, t)),
                    _ => None,
                })
                .min_by_key(|(at, t)| (*at, t.index()));
            let Some((_, timer)) = due else {
                break;
            };
            self.deadlines[timer.index()] = Deadline::Off;
            self.expire(timer);
        }
    }

    fn expire(&mut self, timer: Timer) {
        match self.op.take() {
            Some(Running {
                id,
                op: Task::Transfer(t),
            }) => self.transfer_timeout(id, t, timer),
            Some(Running { id, .. }) => {
                self.finish(id, Err(Error::Timeout(timer)));
                self.shutdown();
            }
            None => {}
        }
    }

    // ------------------------------------------------------------------ timers

    /// The earliest deadline of the armed timers: wait for input at most until then, then
    /// call [`handle_timeout`](Client::handle_timeout). `None`: no deadline (nothing armed, or
    /// only timers whose duration is too long for an `Instant`, such as `Duration::MAX`).
    /// Look again after every change: each request and input may move it.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines
            .iter()
            .filter_map(|d| match d {
                Deadline::At(at) => Some(*at),
                _ => None,
            })
            .min()
    }

    /// Whether `timer` is armed now (for logs and tests).
    pub fn is_armed(&self, timer: Timer) -> bool {
        self.deadlines[timer.index()] != Deadline::Off
    }

    /// The deadline of `timer`, when it is armed with one.
    pub fn deadline(&self, timer: Timer) -> Option<Instant> {
        match self.deadlines[timer.index()] {
            Deadline::At(at) => Some(at),
            _ => None,
        }
    }

    // ------------------------------------------------------------------ requests

    /// `USER`, then `PASS` only after a `3xx`, then `ACCT` only after a `3xx` (a `3xx` to
    /// `PASS` without an account is [`Error::UnexpectedReply`]). A `2xx` at any step ends the
    /// login ([`Outcome::LoggedIn`]): vsftpd and pure-ftpd answer an anonymous `USER` with
    /// `230`. See [`Credentials`] for ftplib's anonymous defaults.
    pub fn login(
        &mut self,
        user: Arg,
        password: Password,
        acct: Option<Arg>,
        now: Instant,
    ) -> Result<Op<Reply>, UsageError> {
        let step = login::LoginStep::User { password, acct };
        self.start(now, Task::Login(step), Command::User(user))
    }

    /// The secure login of an FTPS session, as one request: `AUTH TLS` and the control
    /// handshake ([`Action::SecureControl`]) unless the control connection is already secured
    /// (implicit TLS), then the login (`USER`/`PASS`/`ACCT` as [`login`](Client::login)),
    /// then with `protect_data` `PBSZ 0` and `PROT P`. The password never goes out in clear.
    /// The first failure ends it; success is the login's reply ([`Outcome::LoggedIn`]).
    pub fn login_secure(
        &mut self,
        credentials: Credentials,
        protect_data: bool,
        now: Instant,
    ) -> Result<Op<Reply>, UsageError> {
        let id = self.begin(now)?;
        let mut steps = VecDeque::new();
        if !self.control_secure {
            steps.push_back(PlanStep::AuthTls);
        }
        steps.push_back(PlanStep::Login(credentials));
        if protect_data {
            steps.push_back(PlanStep::ProtP);
        }
        let plan = Plan {
            id,
            steps,
            logged_in: None,
        };
        // Nothing has run yet: the first step starts at once.
        self.start_plan_step(plan);
        Ok(Op::new(id))
    }

    /// [`login`](Client::login) with [`Credentials`].
    pub fn login_with(
        &mut self,
        credentials: Credentials,
        now: Instant,
    ) -> Result<Op<Reply>, UsageError> {
        self.login(
            credentials.user,
            credentials.password,
            credentials.acct,
            now,
        )
    }

    /// A raw command (ftplib `sendcmd`): finishes on the first final reply, a `2xx` or `3xx`
    /// as [`Outcome::Reply`], `4xx`/`5xx` as errors. `1xx` replies are reported as
    /// [`Event::Reply`] but are not final (unlike ftplib).
    ///
    /// Commands that would change state the session tracks are refused with
    /// [`UsageError::UseDedicatedMethod`]: `USER`, `PASS` (login), `REST`, `RETR`, `STOR`,
    /// `STOU`, `APPE`, `LIST`, `NLST`, `MLSD`, `PASV`, `EPSV`, `PORT`, `EPRT`, `LPRT`, `LPSV`
    /// (transfer), `AUTH`, `ADAT`, `PROT`, `CCC` (the TLS methods), `ABOR` (abort), `QUIT`
    /// (quit), `REIN`, `MODE`, `STRU`. `TYPE` is accepted: a typed [`Command::Type`] updates
    /// the known transfer type on `2xx`, a raw one makes it unknown (the next transfer sends
    /// its `TYPE`). `PBSZ` is accepted (it changes nothing tracked).
    ///
    /// ```
    /// use ftp_proto::client::{Client, Config, UsageError};
    /// use ftp_proto::command::{Command, RawCommand};
    ///
    /// let now = std::time::Instant::now();
    /// let mut client = Client::new(Config::default());
    /// client.connect("127.0.0.1:40000".parse().unwrap(), "127.0.0.1:21".parse().unwrap(), now).unwrap();
    /// client.handle_control_input(b"220 hi\r\n", now);
    /// let refused = client.execute(Command::Raw(RawCommand::parse("retr x").unwrap()), now);
    /// assert!(matches!(refused, Err(UsageError::UseDedicatedMethod { .. })));
    /// assert!(client.execute(Command::Syst, now).is_ok());
    /// ```
    pub fn execute(&mut self, command: Command, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.raw(command, false, now)
    }

    /// `execute` (`void == false`) and `voidcmd` (`void == true`).
    fn raw(&mut self, command: Command, void: bool, now: Instant) -> Result<Op<Reply>, UsageError> {
        let verb = command.verb().to_ascii_uppercase();
        let instead = match verb.as_str() {
            "USER" | "PASS" => Some("login()"),
            "REST" | "RETR" | "STOR" | "STOU" | "APPE" | "LIST" | "NLST" | "MLSD" | "PASV"
            | "EPSV" | "PORT" | "EPRT" | "LPRT" | "LPSV" => Some("transfer()"),
            "AUTH" | "ADAT" => Some("auth_tls()"),
            "PROT" => Some("prot_p() or prot_c()"),
            "CCC" => Some("ccc()"),
            "ABOR" => Some("abort()"),
            "QUIT" => Some("quit()"),
            "REIN" => Some("a new session"),
            "MODE" | "STRU" => Some("the defaults (stream mode, file structure)"),
            _ => None,
        };
        if let Some(instead) = instead {
            // Refuse only after the state checks, so that a closed session says so.
            self.check_ready()?;
            return Err(UsageError::UseDedicatedMethod { verb, instead });
        }
        let sent_type = match &command {
            Command::Type(t) => Some(*t),
            _ => None,
        };
        self.check_ready()?;
        if verb == "TYPE" {
            self.transfer_type = None;
        }
        self.start(
            now,
            Task::Command(Expect::Execute { sent_type, void }),
            command,
        )
    }

    /// A raw command whose reply must be `2xx` (ftplib `voidcmd`): the same refusals as
    /// [`execute`](Client::execute); a `3xx` is [`Error::UnexpectedReply`].
    pub fn voidcmd(&mut self, command: Command, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.raw(command, true, now)
    }

    /// `CWD path` (2xx). An empty path means `.`; `..` sends `CDUP` first and falls back to
    /// `CWD ..` when that gets `500` or `502` (ftplib `cwd`).
    pub fn cwd(&mut self, path: Arg, now: Instant) -> Result<Op<Reply>, UsageError> {
        match path.as_bytes() {
            b".." => self.start(now, Task::Command(Expect::CdupOrCwd), Command::Cdup),
            b"" => self.simple(now, Expect::Void, Command::Cwd(const_arg("."))),
            _ => self.simple(now, Expect::Void, Command::Cwd(path)),
        }
    }
    /// `CDUP` (2xx).
    pub fn cdup(&mut self, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.simple(now, Expect::Void, Command::Cdup)
    }
    /// `PWD`: [`Outcome::Path`] from the `257` reply.
    pub fn pwd(&mut self, now: Instant) -> Result<Op<PathReply>, UsageError> {
        self.simple(now, Expect::Path, Command::Pwd)
    }
    /// `MKD path`: [`Outcome::Path`] from the `257` reply.
    pub fn mkd(&mut self, path: Arg, now: Instant) -> Result<Op<PathReply>, UsageError> {
        self.simple(now, Expect::Path, Command::Mkd(path))
    }
    /// `RMD path` (2xx).
    pub fn rmd(&mut self, path: Arg, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.simple(now, Expect::Void, Command::Rmd(path))
    }
    /// `DELE path`: `250` or `200`; another `2xx` is [`Error::UnexpectedReply`] (ftplib `delete`).
    pub fn delete(&mut self, path: Arg, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.simple(now, Expect::Delete, Command::Dele(path))
    }
    /// `RNFR from`, which must get a `3xx`, then `RNTO to` (2xx).
    pub fn rename(&mut self, from: Arg, to: Arg, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.start(now, Task::Rename { to }, Command::Rnfr(from))
    }
    /// `SIZE path` under `TYPE I` (sent first unless the session is known to be binary: RFC
    /// 3659 makes the size depend on the type): [`SizeReply`] with the size of a `213`, or no
    /// size for another positive reply (ftplib `size`); 4xx/5xx are errors.
    pub fn size(&mut self, path: Arg, now: Instant) -> Result<Op<SizeReply>, UsageError> {
        if self.transfer_type == Some(TransferType::Binary) {
            return self.simple(now, Expect::Size, Command::Size(path));
        }
        // RFC 3659 4: the size depends on the TYPE (proftpd refuses SIZE in ASCII mode).
        let then = Command::Size(path);
        self.start(
            now,
            Task::TypeThen {
                expect: Expect::Size,
                then,
            },
            Command::Type(TransferType::Binary),
        )
    }

    /// `ACCT account` (ftplib `acct`): 2xx, else an error.
    pub fn acct(&mut self, account: Arg, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.simple(now, Expect::Void, Command::Acct(account.into()))
    }
    /// `MDTM path`: [`Outcome::Modified`] from a `213`.
    pub fn mdtm(&mut self, path: Arg, now: Instant) -> Result<Op<Timestamp>, UsageError> {
        self.simple(now, Expect::Mdtm, Command::Mdtm(path))
    }
    /// `MFMT time path` (2xx, usually 213).
    pub fn mfmt(
        &mut self,
        path: Arg,
        time: Timestamp,
        now: Instant,
    ) -> Result<Op<Reply>, UsageError> {
        self.simple(now, Expect::Void, Command::Mfmt(time, path))
    }
    /// `MLST [path]`: [`Outcome::Facts`] from the fact line of the `250` reply.
    pub fn mlst(&mut self, path: Option<Arg>, now: Instant) -> Result<Op<MlsdEntry>, UsageError> {
        self.simple(now, Expect::Mlst, Command::Mlst(path))
    }
    /// `FEAT`: [`Outcome::Features`], also kept for [`features`](Client::features).
    pub fn feat(&mut self, now: Instant) -> Result<Op<Features>, UsageError> {
        self.simple(now, Expect::Feat, Command::Feat)
    }
    /// `OPTS UTF8 ON`. Any final reply is the result ([`Outcome::Reply`]): a refusal such as
    /// pure-ftpd's `504` is not an error.
    pub fn opts_utf8(&mut self, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.simple(now, Expect::OptsUtf8, Command::Opts(const_arg("UTF8 ON")))
    }
    /// `HOST name` (RFC 7151), sent before login (2xx).
    pub fn host(&mut self, name: Arg, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.simple(now, Expect::Void, Command::Host(name))
    }
    /// `NOOP` (2xx).
    pub fn noop(&mut self, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.simple(now, Expect::Void, Command::Noop)
    }

    /// A transfer: `TYPE` (only when it differs from the session's), `EPSV`/`PASV` or
    /// `EPRT`/`PORT` with the data connection, `REST`, the command, then the data and the final
    /// reply in any order ([`Outcome::Transfer`]). See `docs/DESIGN.md` for every step.
    pub fn transfer(
        &mut self,
        request: TransferRequest,
        now: Instant,
    ) -> Result<Op<TransferDone>, UsageError> {
        self.start_transfer(request, now)
    }

    /// `ABOR`, sent as a plain line. While a transfer runs: [`Action::CloseData`], the
    /// transfer's operation ends with [`Error::Aborted`], `ABOR` is sent and the abort
    /// operation collects two final replies in either order if the transfer's final reply had
    /// not come (426/451/226 and 225/226), else one, all under [`Timer::Reply`], ending with
    /// [`Outcome::Aborted`]. When idle: one reply. While another operation runs:
    /// [`UsageError::Busy`].
    pub fn abort(&mut self, now: Instant) -> Result<Op<Vec<Reply>>, UsageError> {
        self.check_open()?;
        self.tick(now);
        let (expected, unchecked) = match self.op.take() {
            None => (1, false),
            Some(Running {
                id,
                op: Task::Transfer(t),
            }) => self.abort_transfer(id, t),
            Some(other) => {
                self.op = Some(other);
                return Err(UsageError::Busy);
            }
        };
        let id = self.new_op_id();
        self.send(Command::Abor);
        self.op = Some(Running {
            id,
            op: Task::Abort {
                expected,
                replies: Vec::new(),
                unchecked: usize::from(unchecked),
            },
        });
        Ok(Op::new(id))
    }

    /// `AUTH TLS`; on `234` [`Action::SecureControl`], then [`TlsEvent::ControlSecured`]
    /// ends the operation. Bytes after the `234` are a protocol error (plaintext injection).
    /// A second call (or implicit TLS) is [`UsageError::AlreadySecure`].
    pub fn auth_tls(&mut self, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.check_ready()?;
        if self.control_secure {
            return Err(UsageError::AlreadySecure);
        }
        self.start(
            now,
            Task::AuthTls { reply: None },
            Command::Auth(const_arg("TLS")),
        )
    }
    /// `PBSZ 0` then `PROT P`: data connections use TLS from the next transfer. Needs a
    /// secured control connection ([`UsageError::NotSecure`]).
    pub fn prot_p(&mut self, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.check_ready()?;
        if !self.control_secure {
            return Err(UsageError::NotSecure);
        }
        self.start(now, Task::ProtP { pbsz_done: false }, Command::Pbsz(0))
    }
    /// `PROT C`: clear data connections from the next transfer.
    pub fn prot_c(&mut self, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.simple(
            now,
            Expect::Prot(ProtLevel::Clear),
            Command::Prot(ProtLevel::Clear),
        )
    }
    /// `CCC`; on `2xx` [`Action::ShutdownControlTls`], then [`TlsEvent::ControlPlain`] ends
    /// it. Needs a secured control connection ([`UsageError::NotSecure`]).
    pub fn ccc(&mut self, now: Instant) -> Result<Op<Reply>, UsageError> {
        self.check_ready()?;
        if !self.control_secure {
            return Err(UsageError::NotSecure);
        }
        self.start(now, Task::Ccc { reply: None }, Command::Ccc)
    }

    /// `QUIT`: a `2xx` gives [`Outcome::Closed`]`(Some(reply))`, EOF without a reply
    /// `Closed(None)`, another reply its error; in every case [`Action::CloseAll`] follows and
    /// the session is closed.
    pub fn quit(&mut self, now: Instant) -> Result<Op<Option<Reply>>, UsageError> {
        self.start(now, Task::Quit, Command::Quit)
    }

    /// Closes the session at once without `QUIT`: [`Action::CloseAll`]. A running operation
    /// ends with [`UsageError::Closed`]. Nothing happens if already closed.
    pub fn close(&mut self) {
        if self.conn == Conn::Closed {
            return;
        }
        self.fail_op(Error::Usage(UsageError::Closed));
        self.shutdown();
    }

    // ------------------------------------------------------------------ output

    /// The next output, or [`Output::Idle`] when there is nothing more until the next change.
    pub fn poll_output(&mut self) -> Output {
        self.out.pop_front().unwrap_or(Output::Idle)
    }

    // ------------------------------------------------------------------ internals

    fn new_op_id(&mut self) -> OpId {
        let id = OpId(self.next_op);
        self.next_op += 1;
        id
    }

    fn check_open(&self) -> Result<(), UsageError> {
        match self.conn {
            Conn::Closed => Err(UsageError::Closed),
            Conn::Unconnected => Err(UsageError::NotConnected),
            Conn::Open => Ok(()),
        }
    }

    fn check_ready(&self) -> Result<(), UsageError> {
        self.check_open()?;
        if self.op.is_some() {
            return Err(UsageError::Busy);
        }
        Ok(())
    }

    /// Allocates an id for a new operation once the session can take one.
    fn begin(&mut self, now: Instant) -> Result<OpId, UsageError> {
        self.check_ready()?;
        self.tick(now);
        Ok(self.new_op_id())
    }

    /// Starts an operation that begins by sending `command`.
    fn start<T>(&mut self, now: Instant, op: Task, command: Command) -> Result<Op<T>, UsageError> {
        let id = self.begin(now)?;
        self.send(command);
        self.op = Some(Running { id, op });
        Ok(Op::new(id))
    }

    fn simple<T>(
        &mut self,
        now: Instant,
        expect: Expect,
        command: Command,
    ) -> Result<Op<T>, UsageError> {
        self.start(now, Task::Command(expect), command)
    }

    fn push(&mut self, output: Output) {
        self.out.push_back(output);
    }

    /// Queues `command` and arms the reply timer.
    fn send(&mut self, command: Command) {
        let mut bytes = Vec::new();
        command.encode(&mut bytes);
        let display = command.to_string();
        self.push(Output::Send(Transmit { bytes, display }));
        self.arm(Timer::Reply);
    }

    /// The adapter's clock says `now` (never goes back).
    fn tick(&mut self, now: Instant) {
        self.now = Some(self.now.map_or(now, |n| n.max(now)));
    }

    /// Starts (or restarts) `timer` from the last `now`, its duration from the config. A
    /// deadline past what an `Instant` holds (`Duration::MAX`) is no deadline.
    fn arm(&mut self, timer: Timer) {
        let after = self.config.timeouts.duration(timer);
        self.deadlines[timer.index()] = match self.now.and_then(|now| now.checked_add(after)) {
            Some(at) => Deadline::At(at),
            None => Deadline::Never,
        };
    }

    /// Arms `timer` only when its duration gives a deadline (an unlimited limit stays off).
    fn arm_limit(&mut self, timer: Timer) {
        let after = self.config.timeouts.duration(timer);
        if let Some(at) = self.now.and_then(|now| now.checked_add(after)) {
            self.deadlines[timer.index()] = Deadline::At(at);
        }
    }

    /// Moves `timer`'s deadline to `after` from now if that is later (never earlier, never
    /// onto a timer without a deadline).
    fn extend(&mut self, timer: Timer, after: core::time::Duration) {
        if let Deadline::At(at) = self.deadlines[timer.index()]
            && let Some(later) = self.now.and_then(|now| now.checked_add(after))
            && later > at
        {
            self.deadlines[timer.index()] = Deadline::At(later);
        }
    }

    fn cancel(&mut self, timer: Timer) {
        self.deadlines[timer.index()] = Deadline::Off;
    }

    /// Progress on the data connection: the idle timer starts again, if it runs.
    fn restart_idle(&mut self) {
        if self.is_armed(Timer::DataIdle) {
            self.arm(Timer::DataIdle);
        }
    }

    fn cancel_all(&mut self) {
        for timer in Timer::ALL {
            self.cancel(timer);
        }
    }

    /// Ends operation `id`: cancels every armed timer and emits [`Event::Finished`]. The
    /// caller has already taken the operation out of `self.op`.
    fn finish(&mut self, id: OpId, result: Result<Outcome, Error>) {
        self.cancel_all();
        let result = match self.plan.take() {
            // A step of a plan succeeded: the next step runs under the same id.
            Some(plan) if plan.id == id => match result {
                Ok(outcome) => match self.advance_plan(plan, outcome) {
                    Some(result) => result,
                    None => return,
                },
                Err(e) => Err(e),
            },
            other => {
                self.plan = other;
                result
            }
        };
        self.push(Output::Event(Event::Finished { op: id, result }));
    }

    /// Starts the next step of `plan` after a step ended with `outcome`; `Some(result)` when
    /// the plan is complete.
    fn advance_plan(&mut self, mut plan: Plan, outcome: Outcome) -> Option<Result<Outcome, Error>> {
        let last = match outcome {
            Outcome::LoggedIn(reply) => {
                plan.logged_in = Some(reply.clone());
                Outcome::LoggedIn(reply)
            }
            other => other,
        };
        if plan.steps.is_empty() {
            // The plan's result: the login's reply, else the last step's outcome.
            return Some(Ok(plan.logged_in.map_or(last, Outcome::LoggedIn)));
        }
        self.start_plan_step(plan);
        None
    }

    /// Starts the next step of `plan` (there is one) under the plan's id.
    fn start_plan_step(&mut self, mut plan: Plan) {
        let id = plan.id;
        let (task, command) = match plan.steps.pop_front() {
            None => return,
            Some(PlanStep::AuthTls) => (
                Task::AuthTls { reply: None },
                Command::Auth(const_arg("TLS")),
            ),
            Some(PlanStep::Login(c)) => (
                Task::Login(login::LoginStep::User {
                    password: c.password,
                    acct: c.acct,
                }),
                Command::User(c.user),
            ),
            Some(PlanStep::ProtP) => (Task::ProtP { pbsz_done: false }, Command::Pbsz(0)),
        };
        self.send(command);
        self.op = Some(Running { id, op: task });
        self.plan = Some(plan);
    }

    /// Ends the running operation, if any, with `error`.
    fn fail_op(&mut self, error: Error) {
        if let Some(Running { id, .. }) = self.op.take() {
            self.finish(id, Err(error));
        }
    }

    /// Closes the session: the running operation (if any) ends with
    /// [`Error::ConnectionClosed`], timers are cancelled, [`Action::CloseAll`] is emitted.
    fn shutdown(&mut self) {
        if self.conn == Conn::Closed {
            return;
        }
        self.fail_op(Error::ConnectionClosed);
        self.cancel_all();
        self.conn = Conn::Closed;
        self.push(Output::Action(Action::CloseAll));
    }
}

/// An argument from a constant known to hold no CR, LF or NUL.
fn const_arg(s: &'static str) -> Arg {
    Arg::try_from(s).unwrap_or_default()
}
