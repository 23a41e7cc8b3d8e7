//! Parsers for the replies that carry data: 150, 227, 229, 257, 213 and 211 (FEAT).
//!
//! Each takes a complete [`Reply`] from the [framer](crate::framer), checks its code and reads
//! the value out of its text. Each function's documentation gives the grammar it reads (the
//! RFC's words or ABNF, RFC 5234) and the leniencies it allows for real servers. The
//! functions match Python ftplib's `parse150`, `parse227`, `parse229` and `parse257`.
//!
//! ```
//! use ftp_proto::{parse, Reply, ReplyCode};
//! let reply = Reply::single(ReplyCode::ENTERING_PASSIVE, "Entering Passive Mode (127,0,0,1,4,1).");
//! let addr = parse::parse227(&reply).unwrap();
//! assert_eq!(addr.to_string(), "127.0.0.1:1025");
//! ```

use crate::reply::{Reply, ReplyCode};

mod epsv;
mod feat;
mod mdtm;
mod pasv;
mod path;
mod size;

pub use epsv::parse229;
pub use feat::{Features, parse_feat};
pub use mdtm::parse213_mdtm;
pub(crate) use mdtm::timestamp_exact;
pub use pasv::parse227;
pub use path::parse257;
pub use size::{parse150, parse213_size};

/// Why a reply's value could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The reply has another code than the parser reads.
    #[error("expected a {expected} reply, got {got}")]
    WrongCode {
        /// The code the parser reads.
        expected: u16,
        /// The code received.
        got: ReplyCode,
    },
    /// The text does not hold the value in any form the parser knows.
    #[error("malformed reply: no {what} found")]
    Malformed {
        /// What was looked for, e.g. `"address tuple"`.
        what: &'static str,
    },
    /// The value is there but out of range (an octet over 255, port 0, a size past u64, a
    /// date that does not exist).
    #[error("{what} out of range")]
    OutOfRange {
        /// What was out of range, e.g. `"port"`.
        what: &'static str,
    },
}

/// Checks the reply's code.
fn expect_code(reply: &Reply, expected: u16) -> Result<(), ParseError> {
    if reply.code().as_u16() == expected {
        Ok(())
    } else {
        Err(ParseError::WrongCode {
            expected,
            got: reply.code(),
        })
    }
}

/// The text of each line of `reply`, in order: after `NNN-` / `NNN ` where the line carries a
/// code, else the whole line.
///
/// RFC 959 section 4.2: the first line of a multi-line reply starts with `NNN-` and the last
/// with `NNN `, but the lines between need not start with a code at all (servers indent them
/// or write the value straight away, `(|||40000|)`), so cutting four bytes off every line
/// would cut into the value. The first and the last line lose their first four bytes, as
/// [`Reply::first_text`] and [`Reply::text`] read them (the framer made sure they hold a code;
/// the last may carry another one, the glFTPd quirk); a line between loses its code only when
/// it repeats the reply's own code followed by `-` or a space.
fn line_texts(reply: &Reply) -> impl Iterator<Item = &[u8]> {
    let last = reply.line_count() - 1;
    let own = reply.code().digits();
    reply.lines().enumerate().map(move |(i, line)| {
        let repeats_code =
            line.get(..3) == Some(&own[..]) && matches!(line.get(3), None | Some(b' ' | b'-'));
        if i == 0 || i == last || repeats_code {
            line.get(4..).unwrap_or_default()
        } else {
            line
        }
    })
}

/// Leading and trailing spaces and tabs removed.
fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}
