//! `.netrc` files: login names and passwords by host, as ftp(1), curl and Python's `netrc` read
//! them. The parser is the core's ([`ftp_proto::netrc`]); finding, reading and vetting the file
//! is `ftp-support`'s ([`NetrcFile`]); both are re-exported here.
//!
//! The file is a sequence of whitespace-separated tokens:
//!
//! ```text
//! machine HOST  [login NAME] [password PASSWORD] [account ACCOUNT]
//! default       [login NAME] [password PASSWORD] [account ACCOUNT]
//! macdef NAME   the rest of the line and every line up to an empty one are a macro: skipped
//! # a comment, where a keyword is expected, runs to the end of the line
//! ```
//!
//! A token may be written in double quotes (`password "two words"`); a backslash takes the next
//! character literally, inside quotes or not. [`Netrc::lookup`] finds the first `machine` entry
//! for a host (host names compare case-insensitively), else the `default` entry.
//!
//! Passwords and accounts never show: [`NetrcEntry`]'s `Debug` prints `****` in their place, and
//! a [`NetrcError`] names a line number and a problem, never a token.
//!
//! A file that holds a password for a login other than `anonymous` is refused
//! ([`NetrcError::InsecurePermissions`]) when its group or other users have access to it, as
//! ftp(1) and Python's `netrc` refuse it.
//!
//! ```
//! use ftp_blocking::netrc::Netrc;
//!
//! let netrc = Netrc::parse(
//!     "machine ftp.example.invalid login alice password \"s3cret pass\"\n\
//!      default login anonymous password guest@\n",
//! )?;
//! let entry = netrc.lookup("FTP.example.invalid").expect("a machine entry");
//! assert_eq!(entry.login(), Some("alice"));
//! assert_eq!(entry.password(), Some("s3cret pass"));
//! assert!(!format!("{entry:?}").contains("s3cret"));
//! // Any other host gets the default entry.
//! assert_eq!(netrc.lookup("127.0.0.1").and_then(|e| e.login()), Some("anonymous"));
//! # Ok::<(), ftp_blocking::netrc::NetrcError>(())
//! ```

pub use ftp_support::netrc::{
    MAX_NETRC_LEN, Netrc, NetrcEntry, NetrcError, NetrcFile, NetrcSyntaxError,
};
