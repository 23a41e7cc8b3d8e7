//! Exit statuses and the error type that carries them.

use std::fmt;
use std::io;

use ftp_blocking::Error;
use ftp_blocking::ftp_proto::text::escape_for_terminal;

/// A local error: a local file cannot be read or written.
pub(crate) const LOCAL: u8 = 1;
/// Bad options or arguments, a bad URL or .netrc, a CR/LF in a path.
pub(crate) const USAGE: u8 = 2;
/// Connection, timeout, TLS or protocol failure.
pub(crate) const CONNECTION: u8 = 3;
/// A 4xx reply.
pub(crate) const TEMPORARY: u8 = 4;
/// A 5xx reply.
pub(crate) const PERMANENT: u8 = 5;

/// Why the program stops, and with which exit status.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An error from the FTP session.
    Ftp(Error),
    /// A usage error found before connecting.
    Usage(String),
    /// A local file error.
    Local(String),
    /// Already reported (on standard error, entry by entry): exit with this status.
    Quiet(u8),
}

impl Failure {
    pub(crate) fn code(&self) -> u8 {
        match self {
            Failure::Ftp(e) => code_of(e),
            Failure::Usage(_) => USAGE,
            Failure::Local(_) => LOCAL,
            Failure::Quiet(code) => *code,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Ftp(e)
    }
}

/// Text that may come from the server (replies, names) made safe to print: C0 and C1 controls,
/// DEL and invisible format characters escaped in each line (issue 13 item 3), the breaks
/// between the lines of a multi-line reply kept.
pub(crate) fn terminal_safe(text: &str) -> String {
    text.split('\n')
        .map(escape_for_terminal)
        .collect::<Vec<_>>()
        .join("\n")
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The error's text holds the server's whole reply where there is one.
            Failure::Ftp(e) => f.write_str(&terminal_safe(&e.to_string())),
            Failure::Usage(message) | Failure::Local(message) => {
                f.write_str(&terminal_safe(message))
            }
            Failure::Quiet(code) => write!(f, "exit status {code}"),
        }
    }
}

/// The exit status for a session error.
pub(crate) fn code_of(e: &Error) -> u8 {
    match e {
        Error::Temporary(_) => TEMPORARY,
        Error::Permanent(_) => PERMANENT,
        Error::Io(io) => io_code(io),
        Error::Usage(_)
        | Error::InvalidArgument(_)
        | Error::InvalidCommand(_)
        | Error::Encoding(_)
        | Error::InvalidOption(_)
        | Error::Url(_)
        | Error::Netrc(_) => USAGE,
        Error::LineTooLong { .. } => LOCAL,
        _ => CONNECTION,
    }
}

/// Whether the session cannot go on after `e` (the connection is gone or out of step), as
/// opposed to a refusal, a local file error or a size mismatch.
pub(crate) fn session_lost(e: &Error) -> bool {
    match e {
        Error::Temporary(_)
        | Error::Permanent(_)
        | Error::Usage(_)
        | Error::InvalidArgument(_)
        | Error::InvalidCommand(_)
        | Error::Encoding(_)
        | Error::InvalidOption(_)
        | Error::Url(_)
        | Error::Netrc(_)
        | Error::LineTooLong { .. }
        | Error::Aborted(_) => false,
        Error::Io(io) => io_code(io) == CONNECTION && io.kind() != io::ErrorKind::InvalidData,
        _ => true,
    }
}

/// I/O errors about local files are local (1); the rest are the connection's (3).
fn io_code(e: &io::Error) -> u8 {
    use io::ErrorKind as K;
    match e.kind() {
        K::NotFound
        | K::PermissionDenied
        | K::AlreadyExists
        | K::IsADirectory
        | K::NotADirectory
        | K::ReadOnlyFilesystem
        | K::StorageFull
        | K::DirectoryNotEmpty
        | K::InvalidFilename
        | K::FileTooLarge => LOCAL,
        _ => CONNECTION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ftp_blocking::ftp_proto::reply::{Reply, ReplyCode};

    fn reply(code: u16) -> Reply {
        Reply::from_lines(
            ReplyCode::new(code).unwrap(),
            vec![format!("{code} text").into_bytes()],
        )
    }

    macro_rules! exit_codes {
        ($($name:ident: $error:expr => $code:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(code_of(&$error), $code);
            }
        )*};
    }

    #[test]
    fn refusals_and_local_errors_keep_the_session() {
        assert!(!session_lost(&Error::Permanent(reply(550))));
        assert!(!session_lost(&Error::Temporary(reply(450))));
        assert!(!session_lost(&Error::Io(io::Error::from(
            io::ErrorKind::NotFound
        ))));
        assert!(!session_lost(&Error::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "size mismatch"
        ))));
        assert!(session_lost(&Error::ConnectionClosed));
        assert!(session_lost(&Error::Io(io::Error::from(
            io::ErrorKind::ConnectionReset
        ))));
    }

    exit_codes! {
        reply_4xx_exits_4: Error::Temporary(reply(450)) => TEMPORARY;
        reply_5xx_exits_5: Error::Permanent(reply(550)) => PERMANENT;
        unexpected_reply_exits_3: Error::UnexpectedReply(reply(350)) => CONNECTION;
        closed_connection_exits_3: Error::ConnectionClosed => CONNECTION;
        refused_connection_exits_3: Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)) => CONNECTION;
        tls_failure_exits_3: Error::Tls("bad certificate".into()) => CONNECTION;
        missing_local_file_exits_1: Error::Io(io::Error::from(io::ErrorKind::NotFound)) => LOCAL;
        bad_option_exits_2: Error::InvalidOption("zero timeout") => USAGE;
    }
}
