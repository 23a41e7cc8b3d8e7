//! What goes into a [`Client`](super::Client) besides control bytes (data and TLS events, timer
//! names) and everything that comes out of [`Client::poll_output`](super::Client::poll_output).

use core::fmt;
use core::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};

use crate::Timestamp;
use crate::listing::{ListEntry, ListingError, MlsdEntry};
use crate::parse::Features;
use crate::reply::Reply;

use super::error::Error;

/// The handle of one operation: every request returns one, and the events the operation causes
/// carry it. Ids are handed out in increasing order by one client.
///
/// ```
/// use ftp_proto::client::{Client, Config};
///
/// let mut client = Client::new(Config::default());
/// let now = std::time::Instant::now();
/// let op = client.connect("127.0.0.1:50000".parse().unwrap(), "127.0.0.1:21".parse().unwrap(), now).unwrap();
/// assert_eq!(op.id().as_u64(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub(crate) u64);

impl OpId {
    /// The number behind the id.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op#{}", self.0)
    }
}

/// One output of [`Client::poll_output`](super::Client::poll_output). Drain until
/// [`Output::Idle`].
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Write these bytes to the control connection.
    Send(Transmit),
    /// Carry out this action; report its result with
    /// [`handle_data`](super::Client::handle_data) or [`handle_tls`](super::Client::handle_tls).
    Action(Action),
    /// Hand this to the user.
    Event(Event),
    /// Nothing more until the next input or request.
    Idle,
}

/// Bytes for the control connection, with a loggable rendering.
#[derive(Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The exact bytes to write, CRLF included.
    pub bytes: Vec<u8>,
    /// The command line without CRLF for logs (ftplib debug level 1 and 2, tracing), with the
    /// argument of `PASS` shown as `****`.
    pub display: String,
}

impl fmt::Debug for Transmit {
    // The bytes may hold a password: show only the masked rendering.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transmit")
            .field("display", &self.display)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The named waits of a session. At most one of each runs at a time; the core keeps their
/// deadlines and answers the earliest with [`Client::poll_timeout`](super::Client::poll_timeout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The greeting after connecting, and a control-connection TLS handshake or shutdown.
    Connect,
    /// A whole reply to a command: armed when the command is sent and not re-armed by bytes, so
    /// a reply that trickles in byte by byte still ends at its deadline.
    Reply,
    /// Opening the data connection: the passive connect, or the active listen and accept.
    DataConnect,
    /// Data idleness: armed when the bytes start to move ([`Action::StartData`]) and
    /// restarted by the core each time the adapter reports progress
    /// ([`handle_data_progress`](super::Client::handle_data_progress) or
    /// [`handle_data_input`](super::Client::handle_data_input)).
    DataIdle,
    /// The final reply of a transfer once the data connection has ended or failed.
    FinalReply,
    /// The whole transfer or listing, from its first command to its final reply
    /// ([`Timeouts::max_time`](super::Timeouts::max_time), curl's `--max-time`). Off by default.
    MaxTime,
    /// The low-speed window ([`Timeouts::low_speed_time`](super::Timeouts::low_speed_time)):
    /// armed when the bytes start to move, with
    /// [`Config::low_speed_limit`](super::Config::low_speed_limit) above 0. When it expires
    /// with fewer than `low_speed_limit` bytes per second moved over the window, the transfer
    /// fails (curl's `--speed-limit` / `--speed-time`); else a new window starts.
    LowSpeed,
}

impl Timer {
    /// Every timer, in declaration order.
    pub const ALL: [Timer; 7] = [
        Timer::Connect,
        Timer::Reply,
        Timer::DataConnect,
        Timer::DataIdle,
        Timer::FinalReply,
        Timer::MaxTime,
        Timer::LowSpeed,
    ];

    pub(crate) const fn index(self) -> usize {
        match self {
            Timer::Connect => 0,
            Timer::Reply => 1,
            Timer::DataConnect => 2,
            Timer::DataIdle => 3,
            Timer::FinalReply => 4,
            Timer::MaxTime => 5,
            Timer::LowSpeed => 6,
        }
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Timer::Connect => "connect",
            Timer::Reply => "reply",
            Timer::DataConnect => "data connect",
            Timer::DataIdle => "data idle",
            Timer::FinalReply => "final reply",
            Timer::MaxTime => "max time",
            Timer::LowSpeed => "low speed (below the speed limit over the speed time)",
        })
    }
}

/// Something the adapter does for the core. Results come back through
/// [`Client::handle_data`](super::Client::handle_data) and
/// [`Client::handle_tls`](super::Client::handle_tls).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Passive mode: open a data connection to `addr`; report [`DataEvent::Connected`] or
    /// [`DataEvent::Failed`].
    ConnectData {
        /// Where to connect.
        addr: SocketAddr,
    },
    /// Active mode: listen on `ip` with a port of the system's choice; report
    /// [`DataEvent::Listening`] or [`DataEvent::Failed`].
    ListenData {
        /// The control connection's local address.
        ip: IpAddr,
    },
    /// Active mode: accept one connection on the listener and report its peer with
    /// [`DataEvent::Accepted`] (or [`DataEvent::Failed`]). Only a peer at `from` will be taken.
    AcceptData {
        /// The control connection's peer address.
        from: IpAddr,
    },
    /// The connection just accepted is not from the server: drop it and keep accepting (and
    /// report the next one with [`DataEvent::Accepted`] again).
    RejectDataPeer {
        /// The rejected peer.
        peer: SocketAddr,
    },
    /// `PROT P` is in force: run a TLS client handshake on the data connection, resuming the
    /// control connection's session and using its server name. Always emitted immediately
    /// before [`Action::StartData`]; a handshake failure is reported as
    /// [`DataEvent::Failed`] with [`DataFailure::Tls`].
    SecureData,
    /// The server took the transfer command: move the bytes now (read to EOF for a download,
    /// write and shut down for an upload), then report [`DataEvent::Finished`] or
    /// [`DataEvent::Failed`]. For a parsed [`DataSink`](super::DataSink) pass every byte read
    /// to [`Client::handle_data_input`](super::Client::handle_data_input).
    StartData {
        /// The size a `150 ... (N bytes)` reply announced, as announced (after `REST` vsftpd
        /// names the whole file, proftpd what remains).
        announced_size: Option<u64>,
    },
    /// Close the data connection (or the listener) at once without reporting anything more
    /// about it.
    CloseData,
    /// `234` to `AUTH TLS`: run the TLS client handshake on the control connection now; report
    /// [`TlsEvent::ControlSecured`] or [`TlsEvent::Failed`].
    SecureControl,
    /// `2xx` to `CCC`: send `close_notify` on the control connection, wait for the server's,
    /// and carry on in plain text; report [`TlsEvent::ControlPlain`] or [`TlsEvent::Failed`].
    ShutdownControlTls,
    /// Close every connection. The session is over; the client answers every further request
    /// with [`UsageError::Closed`](super::UsageError::Closed).
    CloseAll,
}

/// What happened on the data connection, as the adapter reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataEvent {
    /// Passive: the data connection is open.
    Connected {
        /// The data socket's local address.
        local: SocketAddr,
        /// The data socket's peer address.
        peer: SocketAddr,
    },
    /// Active: the listener is bound to `addr` (announced with EPRT/PORT).
    Listening {
        /// The bound address.
        addr: SocketAddr,
    },
    /// Active: a connection came in from `peer`.
    Accepted {
        /// Who connected.
        peer: SocketAddr,
    },
    /// The bytes have moved: for a download EOF was read (after TLS `close_notify` under
    /// PROT P), for an upload everything was written and the connection shut down. A binary
    /// `RETR` whose `bytes` fall short of the size the 1xx announced (counted from 0 or from
    /// the REST offset) is judged [`DataFailure::Truncated`] by the core.
    Finished {
        /// How many bytes moved.
        bytes: u64,
    },
    /// A TLS download's connection ended without the server's `close_notify` after `bytes`
    /// bytes. The core judges it: complete when every byte the 1xx reply announced arrived
    /// (counted from 0, or from the REST offset: vsftpd announces the whole file after REST,
    /// proftpd what remains), else [`DataFailure::Truncated`]. The final reply must still be
    /// 2xx either way.
    EndedWithoutCloseNotify {
        /// How many bytes arrived.
        bytes: u64,
        /// A human-readable cause (the TLS error message).
        message: String,
    },
    /// The data connection could not be opened, or broke.
    Failed {
        /// Which step failed.
        kind: DataFailure,
        /// A human-readable cause (an I/O or TLS error message).
        message: String,
    },
}

/// Which step of the data connection failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataFailure {
    /// Connecting (passive).
    Connect,
    /// Binding the listener (active).
    Listen,
    /// Accepting (active).
    Accept,
    /// The TLS handshake or a TLS error on the data connection.
    Tls,
    /// Reading or writing.
    Io,
    /// The data ended early: a download without TLS `close_notify`, or fewer bytes than
    /// announced (the adapter decides, see DESIGN.md).
    Truncated,
}

impl fmt::Display for DataFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataFailure::Connect => "connect",
            DataFailure::Listen => "listen",
            DataFailure::Accept => "accept",
            DataFailure::Tls => "TLS",
            DataFailure::Io => "I/O",
            DataFailure::Truncated => "truncated",
        })
    }
}

/// Progress of a control-connection TLS change, as the adapter reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsEvent {
    /// The handshake asked for by [`Action::SecureControl`] completed.
    ControlSecured,
    /// The shutdown asked for by [`Action::ShutdownControlTls`] completed: plain text from now.
    ControlPlain,
    /// The handshake or shutdown failed; the control connection is unusable.
    Failed {
        /// A human-readable cause.
        message: String,
    },
}

/// Something for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A reply received on the control connection. Every reply is reported, in order, before
    /// whatever it causes (for ftplib's debug level 2 and for tracing).
    Reply(Reply),
    /// One entry of a listing transfer with a parsed [`DataSink`](super::DataSink), as soon as
    /// it is parsed (never collected).
    Entry {
        /// The transfer.
        op: OpId,
        /// The entry.
        entry: ListingItem,
    },
    /// A line of a parsed listing that could not be parsed (a line over the limit, say). It
    /// concerns that line only: the listing goes on.
    EntryError {
        /// The transfer.
        op: OpId,
        /// What was wrong.
        error: ListingError,
    },
    /// An operation ended.
    Finished {
        /// The operation.
        op: OpId,
        /// What it gave, or why it failed.
        result: Result<Outcome, Error>,
    },
}

/// One item of a parsed listing.
#[derive(Clone, Debug, PartialEq)]
pub enum ListingItem {
    /// An `MLSD` entry ([`DataSink::MlsdEntries`](super::DataSink::MlsdEntries)).
    Mlsd(MlsdEntry),
    /// A `LIST` line ([`DataSink::ListEntries`](super::DataSink::ListEntries)).
    List(ListEntry),
    /// A line with its line end removed ([`DataSink::Lines`](super::DataSink::Lines)).
    Line(Vec<u8>),
    /// An `NLST` name ([`DataSink::NlstNames`](super::DataSink::NlstNames)).
    Name(Vec<u8>),
}

/// The typed result of a successful operation.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// [`connect`](super::Client::connect): the server's greeting (also kept as
    /// [`welcome`](super::Client::welcome)).
    Greeting(Reply),
    /// [`login`](super::Client::login): the final `2xx` (230 usually; 202 is possible).
    LoggedIn(Reply),
    /// A command whose result is its reply (execute, cwd, rmd, delete, rename, noop, ...).
    Reply(Reply),
    /// [`pwd`](super::Client::pwd), [`mkd`](super::Client::mkd): the path of a `257` reply, as
    /// bytes with doubled quotes undone.
    Path {
        /// The path.
        path: Vec<u8>,
        /// The whole reply.
        reply: Reply,
    },
    /// [`size`](super::Client::size): the size of a `213` reply, or `None` when the server
    /// gave another positive reply (ftplib `size` returns `None` then), with the reply.
    Size {
        /// The size in bytes, when the reply was `213`.
        size: Option<u64>,
        /// The whole reply.
        reply: Reply,
    },
    /// [`mdtm`](super::Client::mdtm): the modification time (UTC).
    Modified(Timestamp),
    /// [`mlst`](super::Client::mlst): the fact line of the `250` reply.
    Facts(MlsdEntry),
    /// [`feat`](super::Client::feat): the parsed feature list (also kept as
    /// [`features`](super::Client::features)).
    Features(Features),
    /// [`transfer`](super::Client::transfer): the final reply and the size the `150` announced.
    Transfer {
        /// The final `2xx`.
        reply: Reply,
        /// The `(N bytes)` of the `150` reply, as announced.
        announced_size: Option<u64>,
    },
    /// [`abort`](super::Client::abort): the final replies that followed `ABOR` (two when the
    /// transfer's final reply was still due, in the order they came).
    Aborted {
        /// The replies.
        replies: Vec<Reply>,
    },
    /// [`quit`](super::Client::quit): the reply to `QUIT`, or `None` when the server closed the
    /// connection without one.
    Closed(Option<Reply>),
}

/// The typed handle of one running request: [`id`](Op::id) is the [`OpId`] its events carry,
/// and [`result`](Op::result) turns the result of its [`Event::Finished`] into the type the
/// request promises (`T`), so an adapter never matches on [`Outcome`] itself.
///
/// | request | `T` |
/// |---|---|
/// | `connect`, `login`, `execute`, `voidcmd`, `cwd`, `rmd`, `delete`, `rename`, `noop`, `prot_p`, ... | [`Reply`] |
/// | `pwd`, `mkd` | [`PathReply`] |
/// | `size` | [`SizeReply`] |
/// | `mdtm` | [`Timestamp`] |
/// | `mlst` | [`MlsdEntry`] |
/// | `feat` | [`Features`] |
/// | `transfer` | [`TransferDone`] |
/// | `abort` | `Vec<Reply>` (the replies that followed `ABOR`) |
/// | `quit` | `Option<Reply>` (`None`: the server closed without a reply) |
///
/// ```
/// use std::time::Instant;
/// use ftp_proto::client::{Client, Config, Event, Output, SizeReply};
/// use ftp_proto::command::Arg;
///
/// let now = Instant::now();
/// let mut client = Client::new(Config::default());
/// client.connect("127.0.0.1:40000".parse().unwrap(), "127.0.0.1:21".parse().unwrap(), now).unwrap();
/// client.handle_control_input(b"220 ready\r\n", now);
/// while client.poll_output() != Output::Idle {}
///
/// let op = client.size(Arg::try_from("f.bin").unwrap(), now).unwrap();
/// // SIZE goes under TYPE I: the core asks for binary first.
/// client.handle_control_input(b"200 Switching to Binary mode.\r\n213 1000\r\n", now);
/// let mut size = None;
/// loop {
///     match client.poll_output() {
///         Output::Event(Event::Finished { op: id, result }) if id == op.id() => {
///             let typed: SizeReply = op.result(result).unwrap();
///             size = typed.size;
///         }
///         Output::Idle => break,
///         _ => {}
///     }
/// }
/// assert_eq!(size, Some(1000));
/// ```
pub struct Op<T> {
    id: OpId,
    _result: PhantomData<fn() -> T>,
}

impl<T> Op<T> {
    pub(crate) fn new(id: OpId) -> Op<T> {
        Op {
            id,
            _result: PhantomData,
        }
    }
    /// The id the events of this request carry.
    pub fn id(&self) -> OpId {
        self.id
    }
}

impl<T: FromOutcome> Op<T> {
    /// The typed result, from the `result` of this request's [`Event::Finished`]. An outcome of
    /// another kind (the result of a different request passed in by mistake) is
    /// [`UsageError::WrongOperation`](super::UsageError::WrongOperation).
    pub fn result(&self, result: Result<Outcome, Error>) -> Result<T, Error> {
        let outcome = result?;
        T::from_outcome(outcome).ok_or(Error::Usage(super::UsageError::WrongOperation))
    }
}

impl<T> Clone for Op<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Op<T> {}
impl<T> PartialEq for Op<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<T> Eq for Op<T> {}
impl<T> fmt::Debug for Op<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Op({})", self.id)
    }
}

/// The result of [`pwd`](super::Client::pwd) and [`mkd`](super::Client::mkd).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathReply {
    /// The path of the `257` reply, as bytes with doubled quotes undone; empty when the reply
    /// held no quoted path (IIS, as ftplib).
    pub path: Vec<u8>,
    /// The whole reply.
    pub reply: Reply,
}

/// The result of [`size`](super::Client::size).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeReply {
    /// The size of a `213` reply; `None` for another positive reply (size unknown).
    pub size: Option<u64>,
    /// The whole reply.
    pub reply: Reply,
}

/// The result of a [`transfer`](super::Client::transfer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferDone {
    /// The final `2xx`.
    pub reply: Reply,
    /// The `(N bytes)` of the `1xx` reply, as announced.
    pub announced_size: Option<u64>,
}

mod sealed {
    pub trait Sealed {}
}

/// The types an [`Op`] can promise: one per kind of request (see the table on [`Op`]).
/// Sealed: implemented by this crate only.
pub trait FromOutcome: sealed::Sealed + Sized {
    /// The value, if `outcome` is of this kind.
    fn from_outcome(outcome: Outcome) -> Option<Self>;
}

macro_rules! from_outcome {
    ($t:ty, $o:ident => $($pat:pat => $val:expr),+) => {
        impl sealed::Sealed for $t {}
        impl FromOutcome for $t {
            fn from_outcome($o: Outcome) -> Option<Self> {
                match $o {
                    $($pat => Some($val),)+
                    _ => None,
                }
            }
        }
    };
}

from_outcome!(Reply, o =>
    Outcome::Greeting(r) | Outcome::LoggedIn(r) | Outcome::Reply(r) => r);
from_outcome!(PathReply, o => Outcome::Path { path, reply } => PathReply { path, reply });
from_outcome!(SizeReply, o => Outcome::Size { size, reply } => SizeReply { size, reply });
from_outcome!(Timestamp, o => Outcome::Modified(t) => t);
from_outcome!(MlsdEntry, o => Outcome::Facts(e) => e);
from_outcome!(Features, o => Outcome::Features(f) => f);
from_outcome!(TransferDone, o =>
    Outcome::Transfer { reply, announced_size } => TransferDone { reply, announced_size });
from_outcome!(Vec<Reply>, o => Outcome::Aborted { replies } => replies);
from_outcome!(Option<Reply>, o => Outcome::Closed(r) => r);
