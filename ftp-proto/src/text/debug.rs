//! ftplib's debug output (`set_debuglevel`), as lines: the adapters only write them.

use super::encoding::Encoding;
use super::escape::py_repr;
use crate::reply::Reply;

/// The lines ftplib's `set_debuglevel` prints, built once for every adapter.
///
/// Level 0 prints nothing. Level 1 prints each command as it is sent (`*cmd* 'USER alice'`)
/// and each complete reply (`*resp* '230 Logged in'`, a multi-line reply joined with `\n`).
/// Level 2 and above also print each line as it goes over the wire: `*put* 'USER alice\r\n'`
/// after the `*cmd*` line, and `*get* '230 Logged in\n'` for each reply line before the
/// `*resp*` line (ftplib reads replies in text mode, so its `*get*` lines end in `\n`).
///
/// Text is decoded with the session [`Encoding`] and printed as Python's `repr()` does, with
/// C0, C1 and DEL (and the other characters of
/// [`is_unsafe_for_terminal`](super::is_unsafe_for_terminal)) escaped, so a reply cannot
/// drive the terminal the output goes to. The arguments of `PASS` and `ACCT` are shown as
/// `****` (ftplib masks only `PASS`, with one star per character).
///
/// ```
/// use ftp_proto::text::{DebugPrinter, Encoding};
/// use ftp_proto::{Reply, ReplyCode};
///
/// let printer = DebugPrinter::new(2, Encoding::Utf8);
/// assert_eq!(printer.command(b"PASS s3cret\r\n"), ["*cmd* 'PASS ****'", "*put* 'PASS ****\\r\\n'"]);
/// let reply = Reply::single(ReplyCode::LOGGED_IN, "Welcome \u{1b}]0;pwned\u{7}");
/// assert_eq!(
///     printer.reply(&reply),
///     ["*get* '230 Welcome \\x1b]0;pwned\\x07\\n'", "*resp* '230 Welcome \\x1b]0;pwned\\x07'"],
/// );
/// assert!(DebugPrinter::new(0, Encoding::Utf8).command(b"NOOP").is_empty());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DebugPrinter {
    level: u8,
    encoding: Encoding,
}

impl DebugPrinter {
    /// A printer for ftplib's `level` (0, 1, 2; higher levels print as 2), decoding with
    /// `encoding`.
    pub fn new(level: u8, encoding: Encoding) -> DebugPrinter {
        DebugPrinter { level, encoding }
    }

    /// The level.
    pub fn level(&self) -> u8 {
        self.level
    }

    /// The encoding text is decoded with.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The command line as logs may show it: decoded, line end removed, the argument of
    /// `PASS` and `ACCT` (any letter case) replaced by `****`. Not escaped: pass it to a
    /// structured logger, or through [`escape_for_terminal`](super::escape_for_terminal) to
    /// print it.
    ///
    /// ```
    /// use ftp_proto::text::{DebugPrinter, Encoding};
    /// let printer = DebugPrinter::new(1, Encoding::Latin1);
    /// assert_eq!(printer.sanitize(b"acct budget\r\n"), "acct ****");
    /// assert_eq!(printer.sanitize(b"RETR caf\xe9\r\n"), "RETR café");
    /// ```
    pub fn sanitize(&self, line: &[u8]) -> String {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let secret = line.len() >= 5
            && (line[..5].eq_ignore_ascii_case(b"PASS ")
                || line[..5].eq_ignore_ascii_case(b"ACCT "));
        if secret {
            let mut shown = self.encoding.decode(&line[..5]);
            shown.push_str("****");
            shown
        } else {
            self.encoding.decode(line)
        }
    }

    /// The lines to print for a command about to be written (`line`: the bytes sent, with or
    /// without CRLF; a password in it is masked).
    pub fn command(&self, line: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        if self.level == 0 {
            return out;
        }
        let shown = self.sanitize(line);
        out.push(format!("*cmd* {}", py_repr(&shown)));
        if self.level >= 2 {
            out.push(format!("*put* {}", py_repr(&format!("{shown}\r\n"))));
        }
        out
    }

    /// The lines to print for a complete reply: at level 2 a `*get*` line per reply line,
    /// then at level 1 and above the `*resp*` line.
    pub fn reply(&self, reply: &Reply) -> Vec<String> {
        let mut out = Vec::new();
        if self.level == 0 {
            return out;
        }
        if self.level >= 2 {
            for line in reply.lines() {
                let mut text = self.encoding.decode(line);
                text.push('\n');
                out.push(format!("*get* {}", py_repr(&text)));
            }
        }
        out.push(format!("*resp* {}", py_repr(&self.reply_text(reply))));
        out
    }

    /// The line ftplib's `getwelcome()` prints at level 1 and above, `None` at level 0.
    pub fn welcome(&self, greeting: &Reply) -> Option<String> {
        (self.level >= 1).then(|| format!("*welcome* {}", py_repr(&self.reply_text(greeting))))
    }

    /// A reply as ftplib returns it: every line decoded, joined with `\n` (not escaped).
    pub fn reply_text(&self, reply: &Reply) -> String {
        self.encoding.decode_reply(reply)
    }
}
