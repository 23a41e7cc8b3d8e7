//! The error type of the blocking client.
//!
//! ftplib's exception classes map one to one onto variants: `error_temp` is
//! [`Error::Temporary`], `error_perm` is [`Error::Permanent`], `error_reply` is
//! [`Error::UnexpectedReply`], `error_proto` is [`Error::Protocol`]; ftplib's `all_errors` is the
//! whole enum (I/O, timeouts, end of connection and TLS failures included). Every variant that
//! comes from a server reply keeps the full reply: see [`Error::reply`].
//!
//! The transport layer below the session ([`net`](crate::net), [`data`](crate::data),
//! [`tls`](crate::tls)) reports [`TransportError`], which converts into an [`io::Error`] with the
//! natural kind (a timeout becomes [`io::ErrorKind::TimedOut`], a missing `close_notify`
//! [`io::ErrorKind::UnexpectedEof`]) and is recovered with [`TransportError::from_io`].

use std::fmt;
use std::io;
use std::time::Duration;

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
    /// The error names the string (escaped), the character and its offset; for a password or
    /// account (`login`, a raw `PASS`/`ACCT` line) nothing of it.
    #[error("{0}")]
    Encoding(#[from] ftp_proto::text::EncodeError),
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
    /// [`Ftp::nlst`](crate::Ftp::nlst) got more names than
    /// [`FtpBuilder::max_nlst_names`](crate::FtpBuilder::max_nlst_names) allows; the listing
    /// was aborted and the session stays usable.
    #[error("the listing holds more than {limit} names (max_nlst_names)")]
    TooManyNames {
        /// The limit.
        limit: usize,
    },
    /// An error of the core this version of the crate does not map to a variant of its own.
    #[error(transparent)]
    Core(ftp_proto::client::Error),
    /// The core answered an operation with an outcome of another kind: a bug in this crate.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// An `ftp://` or `ftps://` URL cannot be used
    /// ([`FtpBuilder::connect_url`](crate::FtpBuilder::connect_url)). Never holds the password.
    #[error(transparent)]
    Url(#[from] crate::url::UrlError),
    /// A `.netrc` file cannot be read or parsed. Never holds a token of the file.
    #[error(transparent)]
    Netrc(#[from] crate::netrc::NetrcError),
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
            Error::Io(e) => matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ),
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
            Error::Data { kind, message } => Error::Data {
                kind: *kind,
                message: message.clone(),
            },
            Error::Io(e) => Error::Io(io::Error::new(e.kind(), e.to_string())),
            Error::Tls(m) => Error::Tls(m.clone()),
            Error::Usage(u) => Error::Usage(u.clone()),
            Error::InvalidArgument(a) => Error::InvalidArgument(a.clone()),
            Error::InvalidCommand(c) => Error::InvalidCommand(c.clone()),
            Error::Encoding(e) => Error::Encoding(e.clone()),
            Error::InvalidOption(s) => Error::InvalidOption(s),
            Error::Aborted(r) => Error::Aborted(r.clone()),
            Error::Closed => Error::Closed,
            Error::LineTooLong { limit } => Error::LineTooLong { limit: *limit },
            Error::TooManyNames { limit } => Error::TooManyNames { limit: *limit },
            Error::Internal(s) => Error::Internal(s),
            Error::Core(e) => Error::Core(e.clone()),
            Error::Url(e) => Error::Url(e.clone()),
            Error::Netrc(e) => Error::Netrc(e.clone()),
        }
    }
}

impl From<ftp_proto::text::TextArgError> for Error {
    fn from(e: ftp_proto::text::TextArgError) -> Self {
        match e {
            ftp_proto::text::TextArgError::Encode(e) => Error::Encoding(e),
            ftp_proto::text::TextArgError::Arg(e) => Error::InvalidArgument(e),
            _ => Error::Internal("unknown text argument error"),
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

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Io(e) => Error::Io(e),
            TransportError::Tls(e) => Error::Tls(e.to_string()),
            TransportError::ZeroTimeout { what } => Error::InvalidOption(what),
            other => Error::Io(other.into()),
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

/// Which wait ran out of time.
///
/// ```
/// use ftp_blocking::error::Wait;
/// assert_eq!(Wait::Resolve.to_string(), "name resolution");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Wait {
    /// Name resolution of the server's host name.
    Resolve,
    /// A TCP connect (control or data).
    Connect,
    /// Accepting the server's data connection in active mode.
    Accept,
    /// A data connection that moved no byte for the idle timeout.
    DataIdle,
    /// The server closing its end of a finished data connection.
    DataClose,
    /// A TLS handshake (control or data).
    TlsHandshake,
    /// The peer's `close_notify` after `CCC`.
    TlsShutdown,
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Wait::Resolve => "name resolution",
            Wait::Connect => "connect",
            Wait::Accept => "data connection accept",
            Wait::DataIdle => "data connection idle",
            Wait::DataClose => "data connection close",
            Wait::TlsHandshake => "TLS handshake",
            Wait::TlsShutdown => "TLS close_notify",
        })
    }
}

/// An error of the transport layer.
///
/// ```
/// use ftp_blocking::error::{TransportError, Wait};
/// use std::time::Duration;
///
/// let e = TransportError::Timeout { wait: Wait::DataIdle, after: Duration::from_secs(60) };
/// assert!(e.is_timeout());
/// let io: std::io::Error = e.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// // ... and back, without losing which wait it was:
/// let back = TransportError::from_io(io);
/// assert!(matches!(back, TransportError::Timeout { wait: Wait::DataIdle, .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// An operating-system I/O error.
    #[error("I/O error: {0}")]
    Io(#[source] io::Error),
    /// TLS failed: handshake, certificate verification, or a protocol error of the peer.
    #[error("TLS error: {0}")]
    Tls(#[source] rustls::Error),
    /// A wait ran out of time.
    #[error("timed out after {after:?} waiting for {wait}")]
    Timeout {
        /// Which wait.
        wait: Wait,
        /// The timeout that ran out.
        after: Duration,
    },
    /// The transfer was cancelled through a [`Cancel`](crate::data::Cancel) handle.
    #[error("transfer cancelled")]
    Cancelled,
    /// A timeout of zero was given; as in Python's ftplib it is refused (a zero timeout would
    /// turn blocking sockets into non-blocking ones).
    #[error("the {what} timeout must not be zero")]
    ZeroTimeout {
        /// Which timeout.
        what: &'static str,
    },
    /// Name resolution succeeded but gave no usable address.
    #[error("no usable address for {host:?}{reason}")]
    NoAddress {
        /// The host name.
        host: String,
        /// Why none was usable (empty, or a phrase starting with ": ").
        reason: String,
    },
    /// A TLS data connection ended (TCP EOF) without the peer's `close_notify`: the data may be
    /// truncated. Whether it is depends on the final reply and the announced size.
    #[error("TLS data connection closed without close_notify after {bytes} bytes")]
    MissingCloseNotify {
        /// Bytes of application data received before the EOF.
        bytes: u64,
    },
    /// Plain bytes were buffered when TLS was to start: they would be injected plaintext.
    #[error("{0} plaintext bytes buffered before the TLS handshake")]
    PlaintextBeforeTls(usize),
    /// A certificate or CA file could not be read or parsed, or no trust anchor is available.
    #[error("certificate error: {0}")]
    Certificate(String),
    /// The host name is not a valid TLS server name.
    #[error("invalid TLS server name {0:?}")]
    InvalidServerName(String),
}

impl TransportError {
    /// Whether this is a timeout, whichever wait it was.
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Timeout { .. })
    }

    /// Recovers a `TransportError` that travelled inside an [`io::Error`] (see the module
    /// documentation); any other I/O error becomes [`TransportError::Io`].
    pub fn from_io(e: io::Error) -> TransportError {
        if e.get_ref()
            .is_some_and(|inner| inner.is::<TransportError>())
        {
            match e.into_inner().map(|b| b.downcast::<TransportError>()) {
                Some(Ok(t)) => return *t,
                // Unreachable after the `is` check above; keep the information anyway.
                Some(Err(other)) => return TransportError::Io(io::Error::other(other)),
                None => return TransportError::Io(io::Error::other("empty error")),
            }
        }
        if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
            if let Some(Ok(t)) = e.into_inner().map(|b| b.downcast::<rustls::Error>()) {
                return TransportError::Tls(*t);
            }
            return TransportError::Io(io::Error::other("TLS error"));
        }
        TransportError::Io(e)
    }

    /// Classifies an I/O error of a socket with a read/write timeout: `WouldBlock` and
    /// `TimedOut` (what a socket timeout yields) become [`TransportError::Timeout`] for `wait`.
    pub(crate) fn from_socket(e: io::Error, wait: Wait, after: Duration) -> TransportError {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut if e.get_ref().is_none() => {
                TransportError::Timeout { wait, after }
            }
            _ => TransportError::from_io(e),
        }
    }
}

impl From<io::Error> for TransportError {
    fn from(e: io::Error) -> Self {
        TransportError::from_io(e)
    }
}

impl From<rustls::Error> for TransportError {
    fn from(e: rustls::Error) -> Self {
        TransportError::Tls(e)
    }
}

impl From<TransportError> for io::Error {
    fn from(e: TransportError) -> io::Error {
        let kind = match &e {
            TransportError::Io(_) => {
                let TransportError::Io(inner) = e else {
                    unreachable!("matched above")
                };
                return inner;
            }
            TransportError::Tls(_) => io::ErrorKind::InvalidData,
            TransportError::Timeout { .. } => io::ErrorKind::TimedOut,
            TransportError::Cancelled => io::ErrorKind::Interrupted,
            TransportError::ZeroTimeout { .. } => io::ErrorKind::InvalidInput,
            TransportError::NoAddress { .. } => io::ErrorKind::NotFound,
            TransportError::MissingCloseNotify { .. } => io::ErrorKind::UnexpectedEof,
            TransportError::PlaintextBeforeTls(_) => io::ErrorKind::InvalidData,
            TransportError::Certificate(_) => io::ErrorKind::InvalidInput,
            TransportError::InvalidServerName(_) => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, e)
    }
}

/// `timeout` from now, saturated: a duration too long for an `Instant` (`Duration::MAX`, a
/// wait without limit) gives a deadline about 136 years away instead of an overflow panic.
pub(crate) fn deadline_after(timeout: Duration) -> std::time::Instant {
    let now = std::time::Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(now)
}

/// Refuses a zero timeout (ftplib parity).
pub(crate) fn check_timeout(what: &'static str, t: Duration) -> Result<(), TransportError> {
    if t.is_zero() {
        Err(TransportError::ZeroTimeout { what })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_round_trips_through_io_error_with_its_wait() {
        let e = TransportError::Timeout {
            wait: Wait::Accept,
            after: Duration::from_millis(5),
        };
        let io: io::Error = e.into();
        assert_eq!(io.kind(), io::ErrorKind::TimedOut);
        assert!(matches!(
            TransportError::from_io(io),
            TransportError::Timeout {
                wait: Wait::Accept,
                ..
            }
        ));
    }

    #[test]
    fn plain_io_error_stays_io_with_its_kind() {
        let io = io::Error::from(io::ErrorKind::ConnectionReset);
        let back: io::Error = TransportError::from_io(io).into();
        assert_eq!(back.kind(), io::ErrorKind::ConnectionReset);
    }

    #[test]
    fn missing_close_notify_is_unexpected_eof() {
        let io: io::Error = TransportError::MissingCloseNotify { bytes: 3 }.into();
        assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn socket_would_block_is_a_timeout_of_the_given_wait() {
        let e = TransportError::from_socket(
            io::Error::from(io::ErrorKind::WouldBlock),
            Wait::DataIdle,
            Duration::from_secs(1),
        );
        assert!(matches!(
            e,
            TransportError::Timeout {
                wait: Wait::DataIdle,
                ..
            }
        ));
    }

    #[test]
    fn zero_timeout_is_refused() {
        assert!(matches!(
            check_timeout("connect", Duration::ZERO),
            Err(TransportError::ZeroTimeout { what: "connect" })
        ));
        assert!(check_timeout("connect", Duration::from_nanos(1)).is_ok());
    }
}
