//! Reply codes and complete replies.
//!
//! A server answers every command with a *reply*: one line `NNN text`, or several lines, the
//! first `NNN-text` and the last `NNN text` (RFC 959 section 4.2). [`ReplyCode`] is the checked
//! three-digit number and [`ReplyClass`] what its first digit says. [`Reply`] holds the code
//! and the raw bytes of every line; the [`framer`](crate::framer) builds them from a byte
//! stream.

use crate::text::escape_bytes_for_terminal;
use core::fmt;
use std::borrow::Cow;

/// A reply code: three ASCII digits, the first 1 to 5 (RFC 959 section 4.2).
///
/// Every code in that range is accepted, known or not; [`ReplyCode::class`] tells what the
/// first digit means.
///
/// ```
/// use ftp_proto::{ReplyClass, ReplyCode};
/// let code = ReplyCode::new(227).unwrap();
/// assert_eq!(code, ReplyCode::ENTERING_PASSIVE);
/// assert_eq!(code.class(), ReplyClass::Completion);
/// assert_eq!(code.to_string(), "227");
/// assert!(ReplyCode::new(600).is_none());
/// assert!(ReplyCode::new(99).is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplyCode(u16);

/// What the first digit of a reply code says (RFC 959 section 4.2.1).
///
/// ```
/// use ftp_proto::{ReplyClass, ReplyCode};
/// assert_eq!(ReplyCode::new(150).unwrap().class(), ReplyClass::Preliminary);
/// assert!(ReplyClass::PermanentNegative.is_negative());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyClass {
    /// 1yz: the action is starting; expect another reply before the next command.
    Preliminary,
    /// 2yz: the action completed.
    Completion,
    /// 3yz: the command was accepted, but more information is needed (e.g. PASS after USER).
    Intermediate,
    /// 4yz: the command failed, but trying again may work.
    TransientNegative,
    /// 5yz: the command failed and should not be repeated as is.
    PermanentNegative,
}

impl ReplyClass {
    /// Whether this is 4yz or 5yz.
    pub const fn is_negative(self) -> bool {
        matches!(
            self,
            ReplyClass::TransientNegative | ReplyClass::PermanentNegative
        )
    }
}

impl ReplyCode {
    /// 110 Restart marker reply.
    pub const RESTART_MARKER: ReplyCode = ReplyCode(110);
    /// 120 Service ready in nnn minutes.
    pub const READY_SOON: ReplyCode = ReplyCode(120);
    /// 125 Data connection already open; transfer starting.
    pub const DATA_ALREADY_OPEN: ReplyCode = ReplyCode(125);
    /// 150 File status okay; about to open data connection.
    pub const OPENING_DATA: ReplyCode = ReplyCode(150);
    /// 200 Command okay.
    pub const OK: ReplyCode = ReplyCode(200);
    /// 202 Command not implemented, superfluous at this site.
    pub const SUPERFLUOUS: ReplyCode = ReplyCode(202);
    /// 211 System status, or FEAT's reply.
    pub const FEATURES: ReplyCode = ReplyCode(211);
    /// 212 Directory status.
    pub const DIRECTORY_STATUS: ReplyCode = ReplyCode(212);
    /// 213 File status (SIZE, MDTM).
    pub const FILE_STATUS: ReplyCode = ReplyCode(213);
    /// 214 Help message.
    pub const HELP: ReplyCode = ReplyCode(214);
    /// 215 NAME system type (SYST).
    pub const SYSTEM_TYPE: ReplyCode = ReplyCode(215);
    /// 220 Service ready for new user (the greeting).
    pub const READY: ReplyCode = ReplyCode(220);
    /// 221 Service closing control connection (QUIT).
    pub const CLOSING: ReplyCode = ReplyCode(221);
    /// 225 Data connection open; no transfer in progress.
    pub const DATA_OPEN: ReplyCode = ReplyCode(225);
    /// 226 Closing data connection; requested file action successful.
    pub const TRANSFER_COMPLETE: ReplyCode = ReplyCode(226);
    /// 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).
    pub const ENTERING_PASSIVE: ReplyCode = ReplyCode(227);
    /// 229 Entering Extended Passive Mode (|||port|) (RFC 2428).
    pub const ENTERING_EPSV: ReplyCode = ReplyCode(229);
    /// 230 User logged in, proceed.
    pub const LOGGED_IN: ReplyCode = ReplyCode(230);
    /// 234 AUTH command accepted; start the TLS handshake (RFC 4217).
    pub const AUTH_OK: ReplyCode = ReplyCode(234);
    /// 250 Requested file action okay, completed.
    pub const FILE_ACTION_OK: ReplyCode = ReplyCode(250);
    /// 257 "PATHNAME" created (MKD, PWD).
    pub const PATH_CREATED: ReplyCode = ReplyCode(257);
    /// 331 User name okay, need password.
    pub const NEED_PASSWORD: ReplyCode = ReplyCode(331);
    /// 332 Need account for login.
    pub const NEED_ACCOUNT: ReplyCode = ReplyCode(332);
    /// 350 Requested file action pending further information (REST, RNFR).
    pub const PENDING: ReplyCode = ReplyCode(350);
    /// 421 Service not available, closing control connection.
    pub const NOT_AVAILABLE: ReplyCode = ReplyCode(421);
    /// 425 Can't open data connection.
    pub const CANT_OPEN_DATA: ReplyCode = ReplyCode(425);
    /// 426 Connection closed; transfer aborted.
    pub const TRANSFER_ABORTED: ReplyCode = ReplyCode(426);
    /// 450 Requested file action not taken (file busy).
    pub const FILE_UNAVAILABLE: ReplyCode = ReplyCode(450);
    /// 500 Syntax error, command unrecognized.
    pub const SYNTAX_ERROR: ReplyCode = ReplyCode(500);
    /// 501 Syntax error in parameters or arguments.
    pub const ARGUMENT_SYNTAX_ERROR: ReplyCode = ReplyCode(501);
    /// 502 Command not implemented.
    pub const NOT_IMPLEMENTED: ReplyCode = ReplyCode(502);
    /// 503 Bad sequence of commands.
    pub const BAD_SEQUENCE: ReplyCode = ReplyCode(503);
    /// 504 Command not implemented for that parameter.
    pub const PARAMETER_NOT_IMPLEMENTED: ReplyCode = ReplyCode(504);
    /// 530 Not logged in.
    pub const NOT_LOGGED_IN: ReplyCode = ReplyCode(530);
    /// 550 Requested action not taken (file unavailable).
    pub const FILE_NOT_FOUND: ReplyCode = ReplyCode(550);

    /// The code for `code`, or `None` unless it is between 100 and 599.
    pub const fn new(code: u16) -> Option<ReplyCode> {
        if code >= 100 && code <= 599 {
            Some(ReplyCode(code))
        } else {
            None
        }
    }

    /// The code read from three ASCII digits, the first 1 to 5.
    ///
    /// ```
    /// use ftp_proto::ReplyCode;
    /// assert_eq!(ReplyCode::from_digits(*b"550").unwrap().as_u16(), 550);
    /// assert!(ReplyCode::from_digits(*b"2a0").is_none());
    /// ```
    pub const fn from_digits(digits: [u8; 3]) -> Option<ReplyCode> {
        let [a, b, c] = digits;
        if a < b'1' || a > b'5' || !b.is_ascii_digit() || !c.is_ascii_digit() {
            return None;
        }
        Some(ReplyCode(
            (a - b'0') as u16 * 100 + (b - b'0') as u16 * 10 + (c - b'0') as u16,
        ))
    }

    /// The code as a number, e.g. `226`.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// The class given by the first digit.
    pub const fn class(self) -> ReplyClass {
        match self.0 / 100 {
            1 => ReplyClass::Preliminary,
            2 => ReplyClass::Completion,
            3 => ReplyClass::Intermediate,
            4 => ReplyClass::TransientNegative,
            _ => ReplyClass::PermanentNegative,
        }
    }

    /// The three ASCII digits.
    pub const fn digits(self) -> [u8; 3] {
        [
            b'0' + (self.0 / 100) as u8,
            b'0' + (self.0 / 10 % 10) as u8,
            b'0' + (self.0 % 10) as u8,
        ]
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReplyCode({})", self.0)
    }
}

impl From<ReplyCode> for u16 {
    fn from(code: ReplyCode) -> u16 {
        code.0
    }
}

/// A complete reply: its code and the raw bytes of every line, line ends stripped.
///
/// Lines are kept as the server sent them (code and separator included), as bytes: servers
/// put non-UTF-8 file names in replies. The code is the first line's; in the glFTPd quirk
/// (see [`ReplyFramer`](crate::ReplyFramer)) the last line may carry another one.
///
/// ```
/// use ftp_proto::{Reply, ReplyCode};
/// let reply = Reply::from_lines(
///     ReplyCode::FEATURES,
///     vec![b"211-Features:".to_vec(), b" MDTM".to_vec(), b"211 End".to_vec()],
/// );
/// assert!(reply.is_multiline());
/// assert_eq!(reply.first_text(), b"Features:");
/// assert_eq!(reply.text(), b"End");
/// assert_eq!(reply.to_string(), "211-Features:\n MDTM\n211 End");
/// ```
#[derive(Clone)]
pub struct Reply {
    code: ReplyCode,
    /// Every line's bytes as received, line ends included, one after the other.
    data: Vec<u8>,
    /// The end offset in `data` of each line, after its line end; never empty.
    ends: Vec<usize>,
}

/// Replies are equal when their codes and lines are, whatever line ends they came with.
impl PartialEq for Reply {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.lines().eq(other.lines())
    }
}

impl Eq for Reply {}

impl std::hash::Hash for Reply {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.code.hash(state);
        for line in self.lines() {
            line.hash(state);
        }
    }
}

impl Reply {
    /// Builds a reply from its lines, taken as given (code included, without line ends).
    ///
    /// Meant for tests and servers. An empty `lines` is read as one line holding just the code.
    pub fn from_lines(code: ReplyCode, lines: Vec<Vec<u8>>) -> Reply {
        if lines.is_empty() {
            let mut data = code.digits().to_vec();
            data.extend_from_slice(b"\r\n");
            return Reply {
                code,
                data,
                ends: vec![5],
            };
        }
        let mut data = Vec::with_capacity(lines.iter().map(|l| l.len() + 2).sum());
        let mut ends = Vec::with_capacity(lines.len());
        for line in lines {
            data.extend_from_slice(&line);
            data.extend_from_slice(b"\r\n");
            ends.push(data.len());
        }
        Reply { code, data, ends }
    }

    /// A one-line reply `NNN text`.
    ///
    /// ```
    /// use ftp_proto::{Reply, ReplyCode};
    /// let reply = Reply::single(ReplyCode::OK, "TYPE is now 8-bit binary");
    /// assert_eq!(reply.to_string(), "200 TYPE is now 8-bit binary");
    /// ```
    pub fn single(code: ReplyCode, text: impl AsRef<[u8]>) -> Reply {
        let mut line = code.digits().to_vec();
        line.push(b' ');
        line.extend_from_slice(text.as_ref());
        Reply::from_lines(code, vec![line])
    }

    /// Built by the framer: `data` holds the lines as received, each ending in LF (CRLF or
    /// bare LF), `ends` the offset just past each LF.
    pub(crate) fn from_parts(code: ReplyCode, data: Vec<u8>, ends: Vec<usize>) -> Reply {
        debug_assert!(!ends.is_empty());
        Reply { code, data, ends }
    }

    /// The reply code (the first line's).
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// Each whole line, code included, line end stripped.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = &[u8]> + DoubleEndedIterator + '_ {
        (0..self.ends.len()).map(move |i| self.line(i))
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.ends.len()
    }

    fn line(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let line = &self.data[start..self.ends[i]];
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        line.strip_suffix(b"\r").unwrap_or(line)
    }

    /// The text of the last line, after `NNN ` (empty if the line is shorter).
    pub fn text(&self) -> &[u8] {
        after_code(self.line(self.ends.len() - 1))
    }

    /// The text of the first line, after `NNN-` or `NNN ` (empty if the line is shorter).
    pub fn first_text(&self) -> &[u8] {
        after_code(self.line(0))
    }

    /// Whether the reply has more than one line.
    pub fn is_multiline(&self) -> bool {
        self.ends.len() > 1
    }

    /// All lines joined with `\n`, invalid UTF-8 replaced: what Python's ftplib returns.
    pub fn to_text_lossy(&self) -> String {
        let mut out = String::with_capacity(self.data.len() + self.ends.len());
        for (i, line) in self.lines().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&String::from_utf8_lossy(line));
        }
        out
    }

    /// The text of the last line as a string, invalid UTF-8 replaced.
    pub fn text_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.text())
    }

    /// Appends the reply as a server sends it, each line ended by CRLF.
    ///
    /// ```
    /// use ftp_proto::{Reply, ReplyCode};
    /// let mut out = Vec::new();
    /// Reply::single(ReplyCode::READY, "hello").encode(&mut out);
    /// assert_eq!(out, b"220 hello\r\n");
    /// ```
    pub fn encode(&self, out: &mut Vec<u8>) {
        for line in self.lines() {
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
    }

    /// The number of bytes the reply took on the wire, line ends included (CRLF for a reply
    /// built with [`Reply::from_lines`]).
    pub fn wire_len(&self) -> usize {
        self.data.len()
    }
}

fn after_code(line: &[u8]) -> &[u8] {
    line.get(4..).unwrap_or(&[])
}

/// The lines joined with `\n`, each shown safe for a terminal: C0 and C1 controls, DEL and
/// bytes that are not UTF-8 escaped ([`escape_bytes_for_terminal`]), so that an error quoting a
/// server's reply cannot move the cursor, retitle the window or hide a warning (issue 13 item 3).
/// [`to_text_lossy`](Reply::to_text_lossy) gives the text unescaped.
///
/// ```
/// use ftp_proto::reply::{Reply, ReplyCode};
///
/// let r = Reply::single(ReplyCode::FILE_UNAVAILABLE, b"\x1b]0;owned\x07no");
/// assert_eq!(r.to_string(), "450 \\x1b]0;owned\\x07no");
/// ```
impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.lines().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&escape_bytes_for_terminal(line))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<Cow<'_, str>> = self.lines().map(String::from_utf8_lossy).collect();
        f.debug_struct("Reply")
            .field("code", &self.code.0)
            .field("lines", &lines)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_from_100_to_599_is_accepted_with_its_class() {
        for n in 100..=599u16 {
            let code = ReplyCode::new(n).unwrap();
            assert_eq!(code.as_u16(), n);
            assert_eq!(ReplyCode::from_digits(code.digits()), Some(code));
            assert_eq!(code.class() as u16, n / 100 - 1);
        }
        assert!(ReplyCode::new(0).is_none());
        assert!(ReplyCode::new(600).is_none());
        assert!(ReplyCode::from_digits(*b"099").is_none());
        assert!(ReplyCode::from_digits(*b"600").is_none());
        assert!(ReplyCode::from_digits(*b"2 0").is_none());
    }

    #[test]
    fn short_lines_have_empty_text() {
        let r = Reply::from_lines(ReplyCode::OK, vec![b"200".to_vec()]);
        assert_eq!(r.text(), b"");
        assert_eq!(r.first_text(), b"");
        assert!(!r.is_multiline());
    }

    #[test]
    fn empty_lines_become_the_bare_code() {
        let r = Reply::from_lines(ReplyCode::OK, vec![]);
        assert_eq!(r.lines().collect::<Vec<_>>(), vec![b"200".as_slice()]);
    }

    #[test]
    fn to_text_lossy_replaces_invalid_utf8() {
        let r = Reply::single(ReplyCode::FILE_ACTION_OK, b"caf\xe9");
        assert_eq!(r.to_text_lossy(), "250 caf\u{fffd}");
    }
}
