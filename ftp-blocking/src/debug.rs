//! ftplib's debug output (`set_debuglevel`) and `tracing` events: the writing only.
//!
//! The lines themselves (`*cmd*`, `*resp*`, `*put*`, `*get*`, `*welcome*`, PASS and ACCT
//! masked, C0, C1 and DEL escaped) come from the core's
//! [`DebugPrinter`](ftp_proto::text::DebugPrinter). They go to standard error, or to the sink
//! set with [`FtpBuilder::debug_output`](crate::FtpBuilder::debug_output). `tracing` events
//! (target `ftp_blocking`) are emitted at every level: commands and replies at DEBUG, reply
//! lines at TRACE.

use std::fmt;
use std::io::Write;
use std::sync::{Arc, Mutex};

use ftp_proto::reply::Reply;
use ftp_proto::text::{DebugPrinter, Encoding};

/// Where debug lines go when not to standard error.
pub(crate) type DebugSink = Arc<Mutex<Box<dyn Write + Send>>>;

/// The debug output of one session.
#[derive(Clone, Default)]
pub(crate) struct Debug {
    pub(crate) level: u8,
    /// The session encoding, for reply text.
    pub(crate) encoding: Encoding,
    pub(crate) sink: Option<DebugSink>,
}

impl fmt::Debug for Debug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Debug")
            .field("level", &self.level)
            .field("encoding", &self.encoding)
            .field("sink", &self.sink.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl Debug {
    fn printer(&self) -> DebugPrinter {
        DebugPrinter::new(self.level, self.encoding)
    }

    fn print(&self, lines: impl IntoIterator<Item = String>) {
        let mut lines = lines.into_iter().peekable();
        if lines.peek().is_none() {
            return;
        }
        match &self.sink {
            Some(sink) => {
                let mut out = sink.lock().unwrap_or_else(|p| p.into_inner());
                for line in lines {
                    let _ = writeln!(out, "{line}");
                }
            }
            None => {
                let mut err = std::io::stderr().lock();
                for line in lines {
                    let _ = writeln!(err, "{line}");
                }
            }
        }
    }

    /// A command is about to be written: `line` is the bytes sent (`Transmit::bytes`); the
    /// core's printer decodes them with the session encoding and masks PASS and ACCT.
    pub(crate) fn command(&self, line: &[u8]) {
        let printer = self.printer();
        if tracing::enabled!(target: "ftp_blocking", tracing::Level::DEBUG) {
            let sanitized = printer.sanitize(line);
            tracing::debug!(target: "ftp_blocking", command = sanitized.as_str(), "send");
        }
        self.print(printer.command(line));
    }

    /// A complete reply arrived.
    pub(crate) fn reply(&self, reply: &Reply) {
        let printer = self.printer();
        if tracing::enabled!(target: "ftp_blocking", tracing::Level::DEBUG) {
            let text = printer.reply_text(reply);
            tracing::debug!(target: "ftp_blocking", code = reply.code().as_u16(), reply = text.as_str(), "reply");
            for line in reply.lines() {
                let line = self.encoding.decode(line);
                tracing::trace!(target: "ftp_blocking", line = line.as_str(), "get");
            }
        }
        self.print(printer.reply(reply));
    }

    /// The greeting, printed as ftplib's `getwelcome()` does at level 1.
    pub(crate) fn welcome(&self, reply: &Reply) {
        self.print(self.printer().welcome(reply));
    }
}
