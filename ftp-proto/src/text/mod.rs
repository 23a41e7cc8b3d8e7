//! Text, written once for every adapter: the session [`Encoding`] (ftplib's `encoding=`), the
//! escaping of server text for a terminal, ftplib's debug lines, and `storlines`' line rules.
//!
//! - [`Encoding`]: user strings to command bytes and server bytes to text (UTF-8 and
//!   Latin-1 always; every WHATWG encoding with the `encodings` feature). Credentials are
//!   encoded as secrets: an [`EncodeError`] never carries a password's text.
//! - [`escape_for_terminal`] / [`escape_bytes_for_terminal`]: C0, C1, DEL and invisible
//!   characters shown as escapes, so a file name or a reply cannot drive the terminal.
//! - [`DebugPrinter`]: the `*cmd*` / `*resp*` / `*put*` / `*get*` lines of ftplib's
//!   `set_debuglevel`, with `PASS` and `ACCT` masked and the same escaping.
//! - [`LineEncoder`]: any input line end to CRLF, with a bounded line length.

mod debug;
mod encoding;
mod escape;
mod lines;

pub use debug::DebugPrinter;
#[cfg(feature = "encodings")]
pub use encoding::WhatwgEncoding;
pub use encoding::{EncodeError, Encoding, TextArgError, UnknownEncoding};
pub use escape::{escape_bytes_for_terminal, escape_for_terminal, is_unsafe_for_terminal, py_repr};
pub use lines::{DEFAULT_MAX_LINE, LineEncoder, LineTooLong};
