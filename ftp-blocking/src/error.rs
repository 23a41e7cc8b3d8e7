//! The error type of the blocking client.
//!
//! ftplib's exception classes map one to one onto variants: `error_temp` is
//! [`Error::Temporary`], `error_perm` is [`Error::Permanent`], `error_reply` is
//! [`Error::UnexpectedReply`], `error_proto` is [`Error::Protocol`]; ftplib's `all_errors` is the
//! whole enum (I/O, timeouts, end of connection and TLS failures included). Every variant that
//! comes from a server reply keeps the full reply: see [`Error::reply`].

use std::io;

use ftp_proto::client::{DataFailure, ProtocolError, Timer, UsageError};
use ftp_proto::command::{ArgError, CommandParseError};
use ftp_proto::reply::Reply;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a session.
///
/// ```
/// use ftp_blocking::Error;
/// use ftp_proto::reply::{Reply, ReplyCode};
///
/// let reply = Reply::from_lines(ReplyCode::new(550).unwrap(), vec![b"550 No such file".to_vec()]);
/// let err = Error::Permanent(reply);
/// assert!(err.is_permanent());
/// assert_eq!(err.reply().unwrap().code().as_u16(), 550);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A 4xx reply (ftplib `error_temp`).
    #[error("temporary failure: {0}")]
    Temporary(Reply),
    /// A 5xx reply (ftplib `error_perm`).
    #[error("permanent failure: {0}")]
    Permanent(Reply),
    /// A 1xx-3xx reply where none was due (ftplib `error_reply`).
    #[error("unexpected reply: {0}")]
    UnexpectedReply(Reply),
    /// The server broke the protocol (ftplib `error_proto`); keeps the reply when there is one.
    #[error("protocol error: {0}")]
    Protocol(ProtocolError),
    /// A wait ran past its timeout; the timer says which wait.
    #[error("timed out ({0:?})")]
    Timeout(Timer),
    /// The server closed the control connection.
    #[error("the server closed the control connection")]
    ConnectionClosed,
    /// The data connection failed.
    #[error("data connection failed ({kind:?}): {message}")]
    Data {
        /// What failed.
        kind: DataFailure,
        /// The underlying error, as text.
        message: String,
    },
    /// An I/O error on the control connection or while connecting.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// A TLS failure.
    #[error("TLS error: {0}")]
    Tls(String),
    /// The caller asked for something the session cannot do in its state.
    #[error("usage error: {0}")]
    Usage(UsageError),
    /// An argument holds CR, LF or NUL; nothing was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(#[from] ArgError),
    /// A raw command line (`sendcmd`) is not a valid command; nothing was sent.
    #[error("invalid command: {0}")]
    InvalidCommand(#[from] CommandParseError),
    /// A string cannot be encoded in the session's encoding (Latin-1 holds only U+0000-U+00FF).
    #[error("cannot encode {0:?} in the session encoding")]
    Encoding(String),
    /// An option or parameter is out of range (a zero timeout, a zero block size).
    #[error("invalid option: {0}")]
    InvalidOption(&'static str),
    /// The running transfer was stopped by [`AbortHandle::abort`](crate::AbortHandle::abort) or
    /// an `abort()` call; holds the replies of the ABOR dialogue. The session stays usable.
    #[error("transfer aborted")]
    Aborted(Vec<Reply>),
    /// The session is closed (after `quit`, `close`, or a fatal error).
    #[error("the session is closed")]
    Closed,
    /// A line given to `storlines` is longer than the limit (ftplib: 8192 bytes).
    #[error("line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// An error of the core this version of the crate does not map to a variant of its own.
    #[error(transparent)]
    Core(ftp_proto::client::Error),
    /// The core answered an operation with an outcome of another kind: a bug in this crate.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl Error {
    /// The server reply this error carries, if any.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Error::Temporary(r) | Error::Permanent(r) | Error::UnexpectedReply(r) => Some(r),
            Error::Protocol(p) => p.reply(),
            Error::Aborted(replies) => replies.last(),
            _ => None,
        }
    }

    /// ftplib `error_temp`: a 4xx reply.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Error::Temporary(_))
    }

    /// ftplib `error_perm`: a 5xx reply.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Error::Permanent(_))
    }

    /// ftplib `error_reply`: an unexpected 1xx-3xx reply.
    pub fn is_unexpected_reply(&self) -> bool {
        matches!(self, Error::UnexpectedReply(_))
    }

    /// ftplib `error_proto`: the server broke the protocol.
    pub fn is_protocol(&self) -> bool {
        matches!(self, Error::Protocol(_))
    }

    /// A wait ran past its timeout (a socket-level timeout included).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout(_) => true,
            Error::Io(e) => matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock),
            _ => false,
        }
    }
}

impl Error {
    /// A copy for a second caller (a transfer's error is seen by `read` and again by
    /// `finish`); I/O errors keep their kind and message.
    pub(crate) fn duplicate(&self) -> Error {
        match self {
            Error::Temporary(r) => Error::Temporary(r.clone()),
            Error::Permanent(r) => Error::Permanent(r.clone()),
            Error::UnexpectedReply(r) => Error::UnexpectedReply(r.clone()),
            Error::Protocol(p) => Error::Protocol(p.clone()),
            Error::Timeout(t) => Error::Timeout(*t),
            Error::ConnectionClosed => Error::ConnectionClosed,
            Error::Data { kind, message } => Error::Data { kind: *kind, message: message.clone() },
            Error::Io(e) => Error::Io(io::Error::new(e.kind(), e.to_string())),
            Error::Tls(m) => Error::Tls(m.clone()),
            Error::Usage(u) => Error::Usage(u.clone()),
            Error::InvalidArgument(a) => Error::InvalidArgument(a.clone()),
            Error::InvalidCommand(c) => Error::InvalidCommand(c.clone()),
            Error::Encoding(s) => Error::Encoding(s.clone()),
            Error::InvalidOption(s) => Error::InvalidOption(s),
            Error::Aborted(r) => Error::Aborted(r.clone()),
            Error::Closed => Error::Closed,
            Error::LineTooLong { limit } => Error::LineTooLong { limit: *limit },
            Error::Internal(s) => Error::Internal(s),
            Error::Core(e) => Error::Core(e.clone()),
        }
    }
}

impl From<ftp_proto::client::Error> for Error {
    fn from(e: ftp_proto::client::Error) -> Self {
        use ftp_proto::client::Error as P;
        match e {
            P::Temporary(r) => Error::Temporary(r),
            P::Permanent(r) => Error::Permanent(r),
            P::UnexpectedReply(r) => Error::UnexpectedReply(r),
            P::Protocol(p) => Error::Protocol(p),
            P::Timeout(t) => Error::Timeout(t),
            P::ConnectionClosed => Error::ConnectionClosed,
            P::Data { kind, message } => Error::Data { kind, message },
            P::Tls(m) => Error::Tls(m),
            P::Usage(u) => Error::Usage(u),
            P::Aborted => Error::Aborted(Vec::new()),
            other => Error::Core(other),
        }
    }
}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        Error::Usage(e)
    }
}

/// Turns an [`Error`] into an [`io::Error`] for the `Read`/`Write` implementations, keeping the
/// original inside (get it back with [`into_ftp_error`]).
pub(crate) fn to_io(e: Error) -> io::Error {
    match e {
        Error::Io(e) => e,
        e if e.is_timeout() => io::Error::new(io::ErrorKind::TimedOut, e),
        e => io::Error::other(e),
    }
}

/// Recovers an [`Error`] from an [`io::Error`] made by the `Read`/`Write` implementations of this
/// crate; other I/O errors become [`Error::Io`].
///
/// ```
/// use ftp_blocking::{into_ftp_error, Error};
/// let e = into_ftp_error(std::io::Error::other(Error::Closed));
/// assert!(matches!(e, Error::Closed));
/// ```
pub fn into_ftp_error(e: io::Error) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        match e.into_inner().map(|b| b.downcast::<Error>()) {
            Some(Ok(b)) => *b,
            Some(Err(other)) => Error::Io(io::Error::other(other)),
            None => Error::Closed,
        }
    } else {
        Error::Io(e)
    }
}
