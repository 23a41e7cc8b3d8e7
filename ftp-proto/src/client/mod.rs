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

use crate::Timestamp;
use crate::command::{Arg, Command, Password, ProtLevel, TransferType};
use crate::framer::ReplyFramer;
use crate::parse::Features;
use crate::reply::Reply;

pub use config::{Config, Timeouts};
pub use error::{Error, ProtocolError, UsageError};
pub use event::{
    Action, DataEvent, DataFailure, Event, ListingItem, OpId, Outcome, Output, Timer, TimerUpdate,
    TlsEvent, Transmit,
};
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use fuzz::fuzz_client;
pub use login::Credentials;
pub use transfer::{DataSink, TransferCommand, TransferRequest};

use state::{Expect, Op, Running};

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
/// 1. a change: a request (`login`, `transfer`, ...) or an input (`handle_*`);
/// 2. drain: [`Output::Send`] → write the bytes to the control connection;
///    [`Output::Action`] → carry it out (report its result later through
///    [`handle_data`](Client::handle_data) or [`handle_tls`](Client::handle_tls));
///    [`Output::Timer`] → arm or cancel that timer; [`Output::Event`] → hand to the user
///    ([`Event::Finished`] ends an operation);
/// 3. wait for the first of: control bytes, a data event, a TLS event, the earliest armed timer.
///
/// ```
/// use ftp_proto::client::{Client, Config, Event, Outcome, Output};
/// use ftp_proto::command::{Arg, Password};
///
/// let mut client = Client::new(Config::default());
/// let mut sent = Vec::new();
/// let mut finished = Vec::new();
/// // What a server would say, one reply per step of the dialogue.
/// let mut server = vec![&b"220 ready\r\n"[..], b"331 password?\r\n", b"230 welcome\r\n"].into_iter();
///
/// client.connect("127.0.0.1:40000".parse().unwrap(), "127.0.0.1:21".parse().unwrap()).unwrap();
/// loop {
///     // 2. drain
///     loop {
///         match client.poll_output() {
///             Output::Send(t) => sent.push(t.display),
///             Output::Event(Event::Finished { result, .. }) => finished.push(result.unwrap()),
///             Output::Idle => break,
///             _ => {} // actions and timers: none in this dialogue that need care
///         }
///     }
///     // Once the greeting is in, ask to log in (one change at a time).
///     if finished.len() == 1 && !client.is_busy() {
///         let user = Arg::try_from("alice").unwrap();
///         let pass = Password::new(Arg::try_from("secret").unwrap()).unwrap();
///         client.login(user, pass, None).unwrap();
///         continue;
///     }
///     // 3. wait for input: here the next scripted reply
///     match server.next() {
///         Some(bytes) => client.handle_control_input(bytes),
///         None => break,
///     }
/// }
/// assert_eq!(sent, ["USER alice", "PASS ****"]);
/// assert!(matches!(finished[0], Outcome::Greeting(_)));
/// assert!(matches!(finished[1], Outcome::LoggedIn(_)));
/// ```
///
/// # Methods, in groups
///
/// - **Construction**: [`new`](Client::new).
/// - **Getters**: [`welcome`](Client::welcome), [`is_closed`](Client::is_closed),
///   [`is_busy`](Client::is_busy), [`control_secure`](Client::control_secure),
///   [`data_protection`](Client::data_protection), [`transfer_type`](Client::transfer_type),
///   [`peer`](Client::peer), [`local`](Client::local), [`features`](Client::features),
///   [`is_passive`](Client::is_passive); the mutator [`set_passive`](Client::set_passive).
/// - **Inputs** (`handle_*`): [`connect`](Client::connect) first (the control socket is
///   open), then [`handle_control_input`](Client::handle_control_input),
///   [`handle_control_eof`](Client::handle_control_eof), [`handle_data`](Client::handle_data),
///   [`handle_data_input`](Client::handle_data_input), [`handle_tls`](Client::handle_tls),
///   [`handle_timeout`](Client::handle_timeout).
/// - **Requests** (each returns the [`OpId`] its events carry): [`login`](Client::login),
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
/// [`Event::Finished`]. Inputs that do not fit the current state (a stale data event, a timer
/// already cancelled) are ignored.
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
    eprt_refused: bool,
    armed: [bool; 5],
    op: Option<Running>,
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
            eprt_refused: false,
            armed: [false; 5],
            op: None,
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
    /// Passive (`true`) or active mode for the next transfers (ftplib `set_pasv`).
    pub fn set_passive(&mut self, passive: bool) {
        self.passive = passive;
    }

    // ------------------------------------------------------------------ inputs

    /// The control connection is open between `local` and `peer` (and, with
    /// [`Config::implicit_tls`], secured). The operation ends with the greeting
    /// ([`Outcome::Greeting`]) under [`Timer::Connect`].
    pub fn connect(&mut self, local: SocketAddr, peer: SocketAddr) -> Result<OpId, UsageError> {
        match self.conn {
            Conn::Closed => return Err(UsageError::Closed),
            Conn::Open => return Err(UsageError::AlreadyConnected),
            Conn::Unconnected => {}
        }
        self.conn = Conn::Open;
        self.local = Some(local);
        self.peer = Some(peer);
        self.control_secure = self.config.implicit_tls;
        let id = self.new_op_id();
        self.arm(Timer::Connect);
        self.op = Some(Running {
            id,
            op: Op::Greeting,
        });
        Ok(id)
    }

    /// Bytes read from the control connection, in any chunking. Each complete reply is emitted
    /// as [`Event::Reply`] and then acted on. Ignored before `connect` and after close.
    pub fn handle_control_input(&mut self, bytes: &[u8]) {
        if self.conn != Conn::Open || bytes.is_empty() {
            return;
        }
        if let Some(Running {
            op: Op::AuthTls { reply: Some(_) },
            ..
        }) = &self.op
        {
            // Bytes after the 234 and before the handshake completed: plaintext that would be
            // taken as if it came through TLS.
            if let Some(Running {
                id,
                op: Op::AuthTls { reply: Some(reply) },
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
            Some(Running { id, op: Op::Quit }) => self.finish(id, Ok(Outcome::Closed(None))),
            Some(Running { id, .. }) => self.finish(id, Err(Error::ConnectionClosed)),
            None => {}
        }
        self.shutdown();
    }

    /// A data-connection event. Events that do not fit the current state are ignored.
    pub fn handle_data(&mut self, event: DataEvent) {
        if self.conn != Conn::Open {
            return;
        }
        match self.op.take() {
            Some(Running {
                id,
                op: Op::Transfer(t),
            }) => self.transfer_data_event(id, t, event),
            other => self.op = other,
        }
    }

    /// Bytes read from the data connection of a transfer with a parsed [`DataSink`]; the core
    /// emits [`Event::Entry`] for each complete item. Ignored for [`DataSink::Raw`] and
    /// outside the data phase.
    pub fn handle_data_input(&mut self, bytes: &[u8]) {
        if self.conn != Conn::Open {
            return;
        }
        match self.op.take() {
            Some(Running {
                id,
                op: Op::Transfer(t),
            }) => self.transfer_data_input(id, t, bytes),
            other => self.op = other,
        }
    }

    /// Progress of a control-connection TLS change asked for with [`Action::SecureControl`]
    /// or [`Action::ShutdownControlTls`].
    pub fn handle_tls(&mut self, event: TlsEvent) {
        if self.conn != Conn::Open {
            return;
        }
        match (self.op.take(), event) {
            (
                Some(Running {
                    id,
                    op: Op::AuthTls { reply: Some(r) },
                }),
                TlsEvent::ControlSecured,
            ) => {
                self.control_secure = true;
                self.finish(id, Ok(Outcome::Reply(r)));
            }
            (
                Some(Running {
                    id,
                    op: Op::Ccc { reply: Some(r) },
                }),
                TlsEvent::ControlPlain,
            ) => {
                self.control_secure = false;
                self.finish(id, Ok(Outcome::Reply(r)));
            }
            (
                Some(Running {
                    id,
                    op: Op::AuthTls { reply: Some(_) } | Op::Ccc { reply: Some(_) },
                }),
                TlsEvent::Failed { message },
            ) => {
                self.finish(id, Err(Error::Tls(message)));
                self.shutdown();
            }
            (other, _) => self.op = other,
        }
    }

    /// A timer armed with [`TimerUpdate::Arm`] expired. A report for a timer that is not armed
    /// (cancelled meanwhile) is ignored. What each expiry does is in `docs/DESIGN.md`: the
    /// control timers (`Connect`, `Reply`, `FinalReply`) close the session, the data timers
    /// (`DataConnect`, `DataIdle`) close the data connection and leave the session usable.
    pub fn handle_timeout(&mut self, timer: Timer) {
        if self.conn != Conn::Open || !self.armed[timer.index()] {
            return;
        }
        self.armed[timer.index()] = false;
        match self.op.take() {
            Some(Running {
                id,
                op: Op::Transfer(t),
            }) => self.transfer_timeout(id, t, timer),
            Some(Running { id, .. }) => {
                self.finish(id, Err(Error::Timeout(timer)));
                self.shutdown();
            }
            None => {}
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
    ) -> Result<OpId, UsageError> {
        let step = login::LoginStep::User { password, acct };
        self.start(Op::Login(step), Command::User(user))
    }

    /// [`login`](Client::login) with [`Credentials`].
    pub fn login_with(&mut self, credentials: Credentials) -> Result<OpId, UsageError> {
        self.login(credentials.user, credentials.password, credentials.acct)
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
    /// let mut client = Client::new(Config::default());
    /// client.connect("127.0.0.1:40000".parse().unwrap(), "127.0.0.1:21".parse().unwrap()).unwrap();
    /// client.handle_control_input(b"220 hi\r\n");
    /// let refused = client.execute(Command::Raw(RawCommand::parse("retr x").unwrap()));
    /// assert!(matches!(refused, Err(UsageError::UseDedicatedMethod { .. })));
    /// assert!(client.execute(Command::Syst).is_ok());
    /// ```
    pub fn execute(&mut self, command: Command) -> Result<OpId, UsageError> {
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
        self.start(Op::Command(Expect::Execute { sent_type }), command)
    }

    /// `CWD path` (2xx). An empty path means `.`; `..` sends `CDUP` first and falls back to
    /// `CWD ..` when that gets `500` or `502` (ftplib `cwd`).
    pub fn cwd(&mut self, path: Arg) -> Result<OpId, UsageError> {
        match path.as_bytes() {
            b".." => self.start(Op::Command(Expect::CdupOrCwd), Command::Cdup),
            b"" => self.simple(Expect::Void, Command::Cwd(const_arg("."))),
            _ => self.simple(Expect::Void, Command::Cwd(path)),
        }
    }
    /// `CDUP` (2xx).
    pub fn cdup(&mut self) -> Result<OpId, UsageError> {
        self.simple(Expect::Void, Command::Cdup)
    }
    /// `PWD`: [`Outcome::Path`] from the `257` reply.
    pub fn pwd(&mut self) -> Result<OpId, UsageError> {
        self.simple(Expect::Path, Command::Pwd)
    }
    /// `MKD path`: [`Outcome::Path`] from the `257` reply.
    pub fn mkd(&mut self, path: Arg) -> Result<OpId, UsageError> {
        self.simple(Expect::Path, Command::Mkd(path))
    }
    /// `RMD path` (2xx).
    pub fn rmd(&mut self, path: Arg) -> Result<OpId, UsageError> {
        self.simple(Expect::Void, Command::Rmd(path))
    }
    /// `DELE path`: `250` or `200`; another `2xx` is [`Error::UnexpectedReply`] (ftplib `delete`).
    pub fn delete(&mut self, path: Arg) -> Result<OpId, UsageError> {
        self.simple(Expect::Delete, Command::Dele(path))
    }
    /// `RNFR from`, which must get a `3xx`, then `RNTO to` (2xx).
    pub fn rename(&mut self, from: Arg, to: Arg) -> Result<OpId, UsageError> {
        self.start(Op::Rename { to }, Command::Rnfr(from))
    }
    /// `SIZE path`: [`Outcome::Size`] from a `213`; another `2xx` is a protocol error.
    pub fn size(&mut self, path: Arg) -> Result<OpId, UsageError> {
        self.simple(Expect::Size, Command::Size(path))
    }
    /// `MDTM path`: [`Outcome::Modified`] from a `213`.
    pub fn mdtm(&mut self, path: Arg) -> Result<OpId, UsageError> {
        self.simple(Expect::Mdtm, Command::Mdtm(path))
    }
    /// `MFMT time path` (2xx, usually 213).
    pub fn mfmt(&mut self, path: Arg, time: Timestamp) -> Result<OpId, UsageError> {
        self.simple(Expect::Void, Command::Mfmt(time, path))
    }
    /// `MLST [path]`: [`Outcome::Facts`] from the fact line of the `250` reply.
    pub fn mlst(&mut self, path: Option<Arg>) -> Result<OpId, UsageError> {
        self.simple(Expect::Mlst, Command::Mlst(path))
    }
    /// `FEAT`: [`Outcome::Features`], also kept for [`features`](Client::features).
    pub fn feat(&mut self) -> Result<OpId, UsageError> {
        self.simple(Expect::Feat, Command::Feat)
    }
    /// `OPTS UTF8 ON`. Any final reply is the result ([`Outcome::Reply`]): a refusal such as
    /// pure-ftpd's `504` is not an error.
    pub fn opts_utf8(&mut self) -> Result<OpId, UsageError> {
        self.simple(Expect::OptsUtf8, Command::Opts(const_arg("UTF8 ON")))
    }
    /// `HOST name` (RFC 7151), sent before login (2xx).
    pub fn host(&mut self, name: Arg) -> Result<OpId, UsageError> {
        self.simple(Expect::Void, Command::Host(name))
    }
    /// `NOOP` (2xx).
    pub fn noop(&mut self) -> Result<OpId, UsageError> {
        self.simple(Expect::Void, Command::Noop)
    }

    /// A transfer: `TYPE` (only when it differs from the session's), `EPSV`/`PASV` or
    /// `EPRT`/`PORT` with the data connection, `REST`, the command, then the data and the final
    /// reply in any order ([`Outcome::Transfer`]). See `docs/DESIGN.md` for every step.
    pub fn transfer(&mut self, request: TransferRequest) -> Result<OpId, UsageError> {
        self.start_transfer(request)
    }

    /// `ABOR`, sent as a plain line. While a transfer runs: [`Action::CloseData`], the
    /// transfer's operation ends with [`Error::Aborted`], `ABOR` is sent and the abort
    /// operation collects two final replies in either order if the transfer's final reply had
    /// not come (426/451/226 and 225/226), else one, all under [`Timer::Reply`], ending with
    /// [`Outcome::Aborted`]. When idle: one reply. While another operation runs:
    /// [`UsageError::Busy`].
    pub fn abort(&mut self) -> Result<OpId, UsageError> {
        self.check_open()?;
        let expected = match self.op.take() {
            None => 1,
            Some(Running {
                id,
                op: Op::Transfer(t),
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
            op: Op::Abort {
                expected,
                replies: Vec::new(),
            },
        });
        Ok(id)
    }

    /// `AUTH TLS`; on `234` [`Action::SecureControl`], then [`TlsEvent::ControlSecured`]
    /// ends the operation. Bytes after the `234` are a protocol error (plaintext injection).
    /// A second call (or implicit TLS) is [`UsageError::AlreadySecure`].
    pub fn auth_tls(&mut self) -> Result<OpId, UsageError> {
        self.check_ready()?;
        if self.control_secure {
            return Err(UsageError::AlreadySecure);
        }
        self.start(Op::AuthTls { reply: None }, Command::Auth(const_arg("TLS")))
    }
    /// `PBSZ 0` then `PROT P`: data connections use TLS from the next transfer. Needs a
    /// secured control connection ([`UsageError::NotSecure`]).
    pub fn prot_p(&mut self) -> Result<OpId, UsageError> {
        self.check_ready()?;
        if !self.control_secure {
            return Err(UsageError::NotSecure);
        }
        self.start(Op::ProtP { pbsz_done: false }, Command::Pbsz(0))
    }
    /// `PROT C`: clear data connections from the next transfer.
    pub fn prot_c(&mut self) -> Result<OpId, UsageError> {
        self.simple(
            Expect::Prot(ProtLevel::Clear),
            Command::Prot(ProtLevel::Clear),
        )
    }
    /// `CCC`; on `2xx` [`Action::ShutdownControlTls`], then [`TlsEvent::ControlPlain`] ends
    /// it. Needs a secured control connection ([`UsageError::NotSecure`]).
    pub fn ccc(&mut self) -> Result<OpId, UsageError> {
        self.check_ready()?;
        if !self.control_secure {
            return Err(UsageError::NotSecure);
        }
        self.start(Op::Ccc { reply: None }, Command::Ccc)
    }

    /// `QUIT`: a `2xx` gives [`Outcome::Closed`]`(Some(reply))`, EOF without a reply
    /// `Closed(None)`, another reply its error; in every case [`Action::CloseAll`] follows and
    /// the session is closed.
    pub fn quit(&mut self) -> Result<OpId, UsageError> {
        self.start(Op::Quit, Command::Quit)
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
    fn begin(&mut self) -> Result<OpId, UsageError> {
        self.check_ready()?;
        Ok(self.new_op_id())
    }

    /// Starts an operation that begins by sending `command`.
    fn start(&mut self, op: Op, command: Command) -> Result<OpId, UsageError> {
        let id = self.begin()?;
        self.send(command);
        self.op = Some(Running { id, op });
        Ok(id)
    }

    fn simple(&mut self, expect: Expect, command: Command) -> Result<OpId, UsageError> {
        self.start(Op::Command(expect), command)
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

    fn arm(&mut self, timer: Timer) {
        let t = &self.config.timeouts;
        let after = match timer {
            Timer::Connect => t.connect,
            Timer::Reply => t.reply,
            Timer::DataConnect => t.data_connect,
            Timer::DataIdle => t.data_idle,
            Timer::FinalReply => t.final_reply,
        };
        self.armed[timer.index()] = true;
        self.push(Output::Timer(TimerUpdate::Arm { timer, after }));
    }

    fn cancel(&mut self, timer: Timer) {
        if self.armed[timer.index()] {
            self.armed[timer.index()] = false;
            self.push(Output::Timer(TimerUpdate::Cancel(timer)));
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
        self.push(Output::Event(Event::Finished { op: id, result }));
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
