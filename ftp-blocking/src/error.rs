//! Errors of the transport layer: sockets, the data plane and TLS.
//!
//! Every function of [`net`](crate::net), [`data`](crate::data) and [`tls`](crate::tls) returns a
//! [`TransportError`]. It converts into an [`io::Error`] with the natural kind
//! (a timeout becomes [`io::ErrorKind::TimedOut`], a missing `close_notify` becomes
//! [`io::ErrorKind::UnexpectedEof`]) so it can travel through `Read`/`Write` implementations and
//! be recovered with [`TransportError::from_io`].

use std::fmt;
use std::io;
use std::time::Duration;

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
