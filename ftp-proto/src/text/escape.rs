//! Escaping server text for a terminal and for ftplib's `repr()`-style debug lines.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal as itself.
///
/// C0 controls (U+0000-U+001F: ESC starts the sequences that move the cursor, set the window
/// title or rewrite the screen; BEL, BS, CR and LF move or hide text), DEL, C1 controls
/// (U+0080-U+009F: U+009B is CSI and U+009D is OSC on terminals that honour 8-bit controls),
/// and the invisible characters that can make text read otherwise than it is: bidirectional
/// overrides and isolates, zero-width characters, the line and paragraph separators, the soft
/// hyphen, the no-break space and the byte-order mark.
pub fn is_unsafe_for_terminal(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{a0}'
            | '\u{ad}'
            | '\u{61c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// Appends the escape of one character: `\t`, `\n`, `\r`, `\xNN` up to U+00FF, `\uNNNN`
/// above (Python's `repr()` forms).
fn push_escape(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if u32::from(c) <= 0xff => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        }
    }
}

/// Server text made safe to print on a terminal: every character of
/// [`is_unsafe_for_terminal`] is written as a visible escape (`\x1b`, `\x9b`, `\x7f`, `\n`,
/// `\u202e`, ...), everything else as is. Text without such characters is returned borrowed.
///
/// This is for display: it is not reversible (a name that holds a backslash followed by
/// `x1b` prints as a name that holds ESC would), and it is never applied to names sent back
/// to the server.
///
/// ```
/// use ftp_proto::text::escape_for_terminal;
/// assert_eq!(escape_for_terminal("plain.txt"), "plain.txt");
/// // A name that would set the window title and move the cursor up.
/// assert_eq!(escape_for_terminal("\u{1b}]0;owned\u{7}\u{1b}[1A"), "\\x1b]0;owned\\x07\\x1b[1A");
/// // C1 CSI and DEL.
/// assert_eq!(escape_for_terminal("a\u{9b}2Jb\u{7f}"), "a\\x9b2Jb\\x7f");
/// ```
pub fn escape_for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_for_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s, false);
    Cow::Owned(out)
}

/// [`escape_for_terminal`] for raw bytes not decoded with any encoding: valid UTF-8 is
/// escaped as text, every byte that is not part of valid UTF-8 (a raw C1 byte such as `0x9b`
/// among them) is written as `\xNN`.
///
/// ```
/// use ftp_proto::text::escape_bytes_for_terminal;
/// assert_eq!(escape_bytes_for_terminal(b"caf\xc3\xa9"), "café");
/// assert_eq!(escape_bytes_for_terminal(b"caf\xe9 \x9b2J \x1b[1A"), "caf\\xe9 \\x9b2J \\x1b[1A");
/// ```
pub fn escape_bytes_for_terminal(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return escape_for_terminal(s);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        escape_into(&mut out, chunk.valid(), false);
        for &b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    Cow::Owned(out)
}

/// Appends `s` with unsafe characters escaped; with `backslash`, `\` doubled as well.
pub(crate) fn escape_into(out: &mut String, s: &str, backslash: bool) {
    for c in s.chars() {
        if is_unsafe_for_terminal(c) {
            push_escape(out, c);
        } else if backslash && c == '\\' {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
}

/// Python's `repr()` of a string as ftplib prints debug lines: single quotes (double quotes
/// when the text holds a single quote and no double quote), backslashes and the chosen quote
/// escaped, and every character of [`is_unsafe_for_terminal`] escaped (Python's `repr` also
/// escapes other non-printable characters, such as unassigned code points, which are kept
/// here).
///
/// ```
/// use ftp_proto::text::py_repr;
/// assert_eq!(py_repr("PASS ****\r\n"), "'PASS ****\\r\\n'");
/// assert_eq!(py_repr("it's"), "\"it's\"");
/// assert_eq!(py_repr("\u{1b}[2J\u{9b}"), "'\\x1b[2J\\x9b'");
/// ```
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        if c == quote {
            out.push('\\');
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            escape_into(&mut out, c.encode_utf8(&mut buf), true);
        }
    }
    out.push(quote);
    out
}
