//! Why an operation failed: the server refused, the peer broke the protocol, a wait timed out,
//! the connection closed, or the caller misused the API.

use crate::framer::FrameError;
use crate::listing::ListingError;
use crate::parse::ParseError;
use crate::reply::{Reply, ReplyClass};

use super::event::{DataFailure, Timer};

/// Why an operation failed. The variants map one to one to Python ftplib's exception classes
/// (`error_temp`, `error_perm`, `error_reply`, `error_proto`; the rest are in `all_errors`),
/// and every variant born of a reply keeps the whole reply.
///
/// ```
/// use ftp_proto::client::Error;
/// use ftp_proto::reply::{Reply, ReplyCode};
///
/// let e = Error::from_reply(Reply::single(ReplyCode::new(550).unwrap(), "No such file."));
/// assert!(matches!(e, Error::Permanent(_)));
/// assert_eq!(e.reply().unwrap().code().as_u16(), 550);
/// assert_eq!(e.to_string(), "permanent error: 550 No such file.");
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `4xx` reply (ftplib `error_temp`): try again later.
    #[error("temporary error: {0}")]
    Temporary(Reply),
    /// A `5xx` reply (ftplib `error_perm`).
    #[error("permanent error: {0}")]
    Permanent(Reply),
    /// A `1xx`-`3xx` reply where another was due (ftplib `error_reply`).
    #[error("unexpected reply: {0}")]
    UnexpectedReply(Reply),
    /// The server broke the protocol (ftplib `error_proto`).
    #[error("protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// A named wait ran out.
    #[error("timed out waiting for the {0}")]
    Timeout(Timer),
    /// The server closed the control connection.
    #[error("connection closed by the server")]
    ConnectionClosed,
    /// The data connection failed.
    #[error("data connection failed ({kind}): {message}")]
    Data {
        /// Which step failed.
        kind: DataFailure,
        /// What the adapter reported.
        message: String,
    },
    /// The control connection's TLS handshake or shutdown failed.
    #[error("TLS failed: {0}")]
    Tls(String),
    /// The operation was cancelled by [`Client::abort`](super::Client::abort) (the transfer's
    /// own operation ends with this; the abort operation reports the replies).
    #[error("aborted")]
    Aborted,
    /// The caller misused the API.
    #[error(transparent)]
    Usage(#[from] UsageError),
}

impl Error {
    /// The error a negative or unexpected reply stands for: `4xx` is [`Error::Temporary`],
    /// `5xx` [`Error::Permanent`], anything else [`Error::UnexpectedReply`].
    pub fn from_reply(reply: Reply) -> Error {
        match reply.code().class() {
            ReplyClass::TransientNegative => Error::Temporary(reply),
            ReplyClass::PermanentNegative => Error::Permanent(reply),
            _ => Error::UnexpectedReply(reply),
        }
    }

    /// The reply this error carries, if any.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Error::Temporary(r) | Error::Permanent(r) | Error::UnexpectedReply(r) => Some(r),
            Error::Protocol(p) => p.reply(),
            _ => None,
        }
    }

    /// Whether this is the server refusing (a `4xx` or `5xx` reply: ftplib `error_temp` or
    /// `error_perm`).
    pub fn is_server_refusal(&self) -> bool {
        matches!(self, Error::Temporary(_) | Error::Permanent(_))
    }
}

/// The server broke the protocol (ftplib `error_proto`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The control connection carried something that is not a reply, or one past the limits.
    #[error("bad reply framing: {0}")]
    Frame(FrameError),
    /// A reply the operation needed could not be parsed (227, 229, 257, 213, 211 ...).
    #[error("malformed reply ({error}): {reply}")]
    Malformed {
        /// The reply.
        reply: Reply,
        /// What was wrong with it.
        error: ParseError,
    },
    /// The fact line of an `MLST` reply could not be parsed.
    #[error("malformed MLST reply ({error}): {reply}")]
    MalformedFacts {
        /// The reply.
        reply: Reply,
        /// What was wrong with it.
        error: ListingError,
    },
    /// A listing on the data connection could not be parsed (a line past the limit, say).
    #[error("bad listing data: {0}")]
    Listing(ListingError),
    /// Bytes followed the reply to `AUTH TLS` before the handshake: they would be plaintext
    /// injected into the secured session (CVE-2011-0411 style), so the session is closed.
    #[error("{buffered} bytes followed the AUTH TLS reply before the handshake: {reply}")]
    PlaintextInjection {
        /// The `234` reply.
        reply: Reply,
        /// How many bytes followed it.
        buffered: usize,
    },
    /// A reply to `ABOR` other than 426, 451, 225 or 226 (ftplib `abort` raises
    /// `error_proto`).
    #[error("unexpected reply to ABOR: {0}")]
    AbortReply(Reply),
    /// A reply arrived while none may: during a control TLS handshake or shutdown.
    #[error("reply during a TLS change: {0}")]
    ReplyDuringTlsChange(Reply),
}

impl ProtocolError {
    /// The reply this error carries, if any.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            ProtocolError::Malformed { reply, .. }
            | ProtocolError::MalformedFacts { reply, .. }
            | ProtocolError::PlaintextInjection { reply, .. }
            | ProtocolError::AbortReply(reply)
            | ProtocolError::ReplyDuringTlsChange(reply) => Some(reply),
            ProtocolError::Frame(_) | ProtocolError::Listing(_) => None,
        }
    }
}

/// The caller used the API in a way the session's state does not allow. Nothing was sent and
/// nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// Another operation is running (FTP is serial): wait for its `Event::Finished`.
    #[error("another operation is running")]
    Busy,
    /// The session is closed (after `quit`, `close`, a closing error or control EOF).
    #[error("the session is closed")]
    Closed,
    /// [`Client::connect`](super::Client::connect) has not been called yet.
    #[error("not connected yet")]
    NotConnected,
    /// [`Client::connect`](super::Client::connect) was already called.
    #[error("already connected")]
    AlreadyConnected,
    /// The control connection is already secured (a second `AUTH TLS`, or implicit TLS).
    #[error("the control connection is already secured")]
    AlreadySecure,
    /// The operation needs a secured control connection (`PROT P`, `CCC`).
    #[error("the control connection is not secured")]
    NotSecure,
    /// [`Client::abort`](super::Client::abort) while an operation other than a transfer runs.
    #[error("abort is only possible while a transfer runs or the session is idle")]
    NothingToAbort,
    /// An active-mode transfer after the server accepted `EPSV ALL`
    /// ([`Config::epsv_all`](super::Config::epsv_all)): only EPSV may open data connections.
    #[error("EPSV ALL is in force: only passive (EPSV) transfers are possible")]
    EpsvAllInForce,
    /// [`Op::result`](super::Op::result) was given the result of another kind of request.
    #[error("the result belongs to another operation")]
    WrongOperation,
    /// A raw command that would change state the session tracks: use the named method.
    #[error("{verb} cannot be sent raw: use {instead}")]
    UseDedicatedMethod {
        /// The refused verb, upper-cased.
        verb: String,
        /// What to use instead.
        instead: &'static str,
    },
}
