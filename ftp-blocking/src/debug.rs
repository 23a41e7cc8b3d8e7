//! ftplib's debug output (`set_debuglevel`) and `tracing` events.
//!
//! Level 0 prints nothing, level 1 prints each command sent (`*cmd*`) and each reply received
//! (`*resp*`), level 2 also prints every line as it goes over the wire (`*put*`, `*get*`), all on
//! standard error in ftplib's format, with the PASS argument masked. `tracing` events (target
//! `ftp_blocking`) are emitted at every level: commands and replies at DEBUG, lines at TRACE.
//! [`FtpBuilder::debug_output`](crate::FtpBuilder::debug_output) sends the lines elsewhere.

use std::fmt::{self, Write as _};
use std::io::Write;
use std::sync::{Arc, Mutex};

use ftp_proto::reply::Reply;

/// Python `repr()` of a string, as ftplib prints lines: single quotes, escapes for control
/// characters and quotes.
pub(crate) fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Where debug lines go when not to standard error.
pub(crate) type DebugSink = Arc<Mutex<Box<dyn Write + Send>>>;

/// The debug output of one session.
#[derive(Clone, Default)]
pub(crate) struct Debug {
    pub(crate) level: u8,
    pub(crate) sink: Option<DebugSink>,
}

impl fmt::Debug for Debug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Debug")
            .field("level", &self.level)
            .field("sink", &self.sink.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl Debug {
    fn print(&self, tag: &str, text: &str) {
        let line = format!("{tag} {}", py_repr(text));
        match &self.sink {
            Some(sink) => {
                let mut out = sink.lock().unwrap_or_else(|p| p.into_inner());
                let _ = writeln!(out, "{line}");
            }
            None => eprintln!("{line}"),
        }
    }

    /// A command is about to be written; `shown` is the line without CRLF, PASS masked.
    pub(crate) fn command(&self, shown: &str) {
        tracing::debug!(target: "ftp_blocking", command = shown, "send");
        if self.level >= 1 {
            self.print("*cmd*", shown);
        }
        if self.level >= 2 {
            self.print("*put*", &format!("{shown}\r\n"));
        }
    }

    /// A complete reply arrived.
    pub(crate) fn reply(&self, reply: &Reply) {
        let text = reply.to_text_lossy();
        tracing::debug!(target: "ftp_blocking", code = reply.code().as_u16(), reply = text.as_str(), "reply");
        if self.level >= 2 {
            for line in reply.lines() {
                let line = String::from_utf8_lossy(line);
                tracing::trace!(target: "ftp_blocking", line = &*line, "get");
                self.print("*get*", &format!("{line}\r\n"));
            }
        }
        if self.level >= 1 {
            self.print("*resp*", &text);
        }
    }

    /// The greeting, printed as ftplib's `getwelcome()` does at level 1.
    pub(crate) fn welcome(&self, reply: &Reply) {
        if self.level >= 1 {
            self.print("*welcome*", &reply.to_text_lossy());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::py_repr;

    macro_rules! repr_vectors {
        ($($name:ident: $input:expr => $expected:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(py_repr($input), $expected);
            }
        )*};
    }

    repr_vectors! {
        repr_plain_command: "USER anonymous" => "'USER anonymous'";
        repr_masked_password_line: "PASS ****\r\n" => "'PASS ****\\r\\n'";
        repr_single_quote_switches_to_double: "200 I did nothing'." => "\"200 I did nothing'.\"";
        repr_both_quotes_escape_single: "say \"hi\" it's" => "'say \"hi\" it\\'s'";
        repr_control_byte_hex: "a\u{1}b" => "'a\\x01b'";
        repr_backslash: "a\\b" => "'a\\\\b'";
    }
}
