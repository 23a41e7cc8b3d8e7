//! The steps of a script and the small types they use.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use super::generated::Generated;

/// How [`Step::PassiveListen`] announces its data listener on the control connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasvStyle {
    /// `229 Entering Extended Passive Mode (|||PORT|)` (RFC 2428), for IPv4 and IPv6 alike.
    Epsv,
    /// `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).` naming `advertised_ip`, or 127.0.0.1
    /// when `None`. The listener is always on the server's own loopback address, so another
    /// `advertised_ip` is a lie a client must distrust (it should connect to the control
    /// connection's peer instead, as ftplib does by default). **Lie with another loopback
    /// address such as 127.9.8.7**, never a private or public one: a buggy client would then
    /// send traffic off the machine, and tests stay on loopback. Nothing listens on the lie, so
    /// a client that trusts it gets "connection refused". Meant for IPv4 servers: a 227 cannot
    /// name an IPv6 address.
    Pasv {
        /// The address written into the 227 reply; `None` writes 127.0.0.1.
        advertised_ip: Option<Ipv4Addr>,
    },
}

/// A predicate on a whole control line (CRLF included), as [`LineMatch::Predicate`] holds it.
pub type LinePredicate = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// A check on one line the client sends, for [`Step::ExpectLine`].
#[derive(Clone)]
pub enum LineMatch {
    /// The line (CRLF included) starts with these bytes.
    Prefix(Vec<u8>),
    /// A predicate on the whole line (CRLF included), with a description for error messages.
    Predicate {
        /// What the predicate checks, shown when it fails.
        description: String,
        /// Returns `true` when the line is acceptable.
        check: LinePredicate,
    },
}

impl LineMatch {
    /// A line that starts with `prefix`.
    ///
    /// ```
    /// use ftp_testkit::scripted::LineMatch;
    /// assert!(LineMatch::prefix("PASS ").matches(b"PASS secret\r\n"));
    /// ```
    pub fn prefix(prefix: impl AsRef<[u8]>) -> LineMatch {
        LineMatch::Prefix(prefix.as_ref().to_vec())
    }

    /// A line accepted by `check`; `description` appears in the error when it is not.
    ///
    /// ```
    /// use ftp_testkit::scripted::LineMatch;
    /// let m = LineMatch::predicate("an EPRT or a PORT", |l| l.starts_with(b"EPRT ") || l.starts_with(b"PORT "));
    /// assert!(m.matches(b"PORT 127,0,0,1,4,1\r\n"));
    /// assert!(!m.matches(b"PASV\r\n"));
    /// ```
    pub fn predicate(
        description: impl Into<String>,
        check: impl Fn(&[u8]) -> bool + Send + Sync + 'static,
    ) -> LineMatch {
        LineMatch::Predicate {
            description: description.into(),
            check: Arc::new(check),
        }
    }

    /// Whether `line` (CRLF included) passes this check.
    pub fn matches(&self, line: &[u8]) -> bool {
        match self {
            LineMatch::Prefix(p) => line.starts_with(p),
            LineMatch::Predicate { check, .. } => check(line),
        }
    }
}

impl fmt::Debug for LineMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineMatch::Prefix(p) => write!(f, "a line starting with \"{}\"", escape(p)),
            LineMatch::Predicate { description, .. } => write!(f, "a line that is {description}"),
        }
    }
}

/// One step of a scripted session. The server runs the steps in order on its own thread;
/// the first step that fails ends the session (both connections are closed) and is reported
/// by [`ScriptedServer::finish`](super::ScriptedServer::finish).
///
/// Control-connection reads take one line at a time (up to LF, at most
/// [`MAX_LINE`](super::MAX_LINE) bytes). Data steps work on the current data connection,
/// opened by [`AcceptData`](Step::AcceptData) or [`ConnectToClientData`](Step::ConnectToClientData).
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these bytes to the control connection (write them all, as one write).
    Send(Vec<u8>),
    /// Write these bytes one at a time, sleeping `per_byte` after each (a trickling reply).
    SendSlowly {
        /// The bytes to send.
        bytes: Vec<u8>,
        /// The pause after each byte.
        per_byte: Duration,
    },
    /// Read one line and require it to equal these bytes exactly (CRLF included).
    Expect(Vec<u8>),
    /// Read one line and require it to pass the check.
    ExpectLine(LineMatch),
    /// Do nothing for this long (the client's bytes wait in the socket buffer).
    Sleep(Duration),
    /// Close the control connection (and any data connection): the client sees end of stream.
    CloseControl,
    /// Require the client to close the control connection: read until end of stream; any
    /// byte received before it is a failure.
    WaitForClose,
    /// Never answer: read and record whatever arrives, until the client closes the control
    /// connection (success) or the session's overall cap ends the script (failure). For
    /// testing a client's reply timeout: drop the client before calling `finish()`.
    NeverAnswer,
    /// Open a data listener on the server's address, port 0, and announce it with a 229 or
    /// 227 reply on the control connection.
    PassiveListen {
        /// Which reply announces the port.
        reply: PasvStyle,
    },
    /// Accept one connection on the listener of the last [`PassiveListen`](Step::PassiveListen).
    AcceptData,
    /// Active mode: connect to the address of the last `EPRT` or `PORT` line the client sent,
    /// from `source_ip` when given (for example 127.0.0.2, to test that the client refuses a
    /// data connection that does not come from the server).
    ConnectToClientData {
        /// The local address to connect from; `None` uses the control connection's local IP.
        source_ip: Option<IpAddr>,
    },
    /// Write these bytes to the data connection.
    DataSend(Vec<u8>),
    /// Write these bytes to the data connection one at a time, pausing `per_byte` after each.
    DataSendSlowly {
        /// The bytes to send.
        bytes: Vec<u8>,
        /// The pause after each byte.
        per_byte: Duration,
    },
    /// Write `chunk` to the data connection again and again until the client closes it (a
    /// write fails) or `max_bytes` have gone: a large download the client aborts.
    DataSendUntilClosed {
        /// The bytes written in each round.
        chunk: Vec<u8>,
        /// Stop after this many bytes even if the client is still reading.
        max_bytes: u64,
    },
    /// Read the data connection to its end and require exactly these bytes (an upload). On a
    /// TLS data connection the end must be the client's close_notify.
    DataExpect(Vec<u8>),
    /// Read the data connection to its end and record its length and SHA-256 (a large upload)
    /// in [`SessionLog::data_summaries`](super::SessionLog::data_summaries).
    DataExpectAll,
    /// Close the data connection (the end of a download).
    DataClose,
    /// Close the data connection without a TLS close_notify (a cut stream; the same as
    /// [`DataClose`](Step::DataClose) on a plain connection).
    DataCut,
    /// TLS on the control connection: a server handshake with the script's
    /// [`tls_config`](super::Script::tls_config), typically right after sending the 234 reply
    /// to `AUTH TLS`. Plaintext the client sent after its `AUTH TLS` line fails the step.
    ControlStartTls,
    /// End TLS on the control connection (after the 200 reply to `CCC`): send close_notify,
    /// wait for the client's, and carry on in plain text.
    ControlStopTls,
    /// TLS on the data connection (PROT P), with the script's configuration, which shares its
    /// session cache with the control connection. The outcome goes to
    /// [`SessionLog::data_tls_resumed`](super::SessionLog::data_tls_resumed); with
    /// `require_resumption` a full handshake fails the step (as vsftpd and proftpd refuse it).
    DataStartTls {
        /// Fail unless the client resumed the control connection's TLS session.
        require_resumption: bool,
    },
    /// Keep the data connection open and silent until the client closes it (bytes it sends
    /// are counted and dropped), bounded by the overall cap. For data-idle timeouts and for
    /// vsftpd-style ABOR, where the server waits for the client to close the data connection.
    DataHoldOpen,
    /// Write a stream made on the fly to the control connection (a 1 MB reply line, an
    /// endless multi-line reply), until it ends or the client closes the connection (which
    /// ends the step successfully: that is the point of a reply too large to read). How much
    /// went out is in [`SessionLog::generated_sent`](super::SessionLog::generated_sent).
    SendGenerated(Generated),
    /// Write a stream made on the fly to the data connection (a 1 GB listing line, ten
    /// million entries), until it ends or the client closes the connection. How much went out
    /// is in [`SessionLog::data_sent`](super::SessionLog::data_sent).
    DataSendGenerated(Generated),
    /// Close the control connection with a TCP reset (SO_LINGER 0), and any data connection
    /// with it.
    ResetControl,
    /// Close the data connection with a TCP reset (SO_LINGER 0): a transfer cut by the network.
    DataReset,
    /// TLS records that carry no application data, at a slow trickle: a TLS 1.3 KeyUpdate
    /// every `every` on `channel` until the client closes that connection or `max` records
    /// went out (bytes the client sends meanwhile are recorded and otherwise ignored). rustls'
    /// server API cannot send a NewSessionTicket on demand (tickets go out once, after the
    /// handshake), so KeyUpdate is the record used; a rustls client accepts 32 in a row without
    /// application data, then fails with `TooManyKeyUpdateRequests`. Needs TLS 1.3 on that
    /// connection.
    TlsKeepAlive {
        /// The connection to send on.
        channel: Channel,
        /// The pause between two records.
        every: Duration,
        /// The most records to send.
        max: u32,
    },
    /// Answer whatever comes: read a line, run the steps the responder gives for it, repeat
    /// until the client closes the control connection (success). For sessions whose command
    /// sequence is not known in advance, such as a walk of a generated tree.
    Serve(Responder),
}

/// The connection a step works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The control connection.
    Control,
    /// The current data connection.
    Data,
}

/// The function inside a [`Responder`].
type RespondFn = Arc<dyn Fn(&[u8]) -> Vec<Step> + Send + Sync>;

/// The steps [`Step::Serve`] runs for each line the client sends.
#[derive(Clone)]
pub struct Responder {
    description: String,
    respond: RespondFn,
}

impl Responder {
    /// A responder: `respond(line)` (CRLF included) gives the steps to run for that line.
    ///
    /// ```
    /// use ftp_testkit::scripted::{Responder, Step};
    /// let r = Responder::new("NOOP only", |line| {
    ///     if line == b"NOOP\r\n" { vec![Step::send("200 ok\r\n")] } else { vec![Step::send("502 no\r\n")] }
    /// });
    /// assert_eq!(r.respond(b"NOOP\r\n").len(), 1);
    /// ```
    pub fn new(
        description: impl Into<String>,
        respond: impl Fn(&[u8]) -> Vec<Step> + Send + Sync + 'static,
    ) -> Responder {
        Responder {
            description: description.into(),
            respond: Arc::new(respond),
        }
    }

    /// The steps for `line`.
    pub fn respond(&self, line: &[u8]) -> Vec<Step> {
        (self.respond)(line)
    }
}

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Responder({})", self.description)
    }
}

impl Step {
    /// [`Step::Send`] from anything byte-like.
    ///
    /// ```
    /// use ftp_testkit::scripted::Step;
    /// let s = Step::send("220 ready\r\n");
    /// assert!(matches!(s, Step::Send(b) if b == b"220 ready\r\n"));
    /// ```
    pub fn send(bytes: impl AsRef<[u8]>) -> Step {
        Step::Send(bytes.as_ref().to_vec())
    }

    /// [`Step::Expect`] from anything byte-like.
    ///
    /// ```
    /// use ftp_testkit::scripted::Step;
    /// let s = Step::expect("QUIT\r\n");
    /// assert!(matches!(s, Step::Expect(b) if b == b"QUIT\r\n"));
    /// ```
    pub fn expect(bytes: impl AsRef<[u8]>) -> Step {
        Step::Expect(bytes.as_ref().to_vec())
    }

    /// A short name and the step's bytes, for error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Step::Send(b) => format!("Send(\"{}\")", escape_short(b)),
            Step::SendSlowly { bytes, per_byte } => {
                format!("SendSlowly(\"{}\", {per_byte:?}/byte)", escape_short(bytes))
            }
            Step::Expect(b) => format!("Expect(\"{}\")", escape_short(b)),
            Step::ExpectLine(m) => format!("ExpectLine({m:?})"),
            Step::Sleep(d) => format!("Sleep({d:?})"),
            Step::CloseControl => "CloseControl".into(),
            Step::WaitForClose => "WaitForClose".into(),
            Step::NeverAnswer => "NeverAnswer".into(),
            Step::PassiveListen { reply } => format!("PassiveListen({reply:?})"),
            Step::AcceptData => "AcceptData".into(),
            Step::ConnectToClientData { source_ip } => {
                format!("ConnectToClientData(source_ip: {source_ip:?})")
            }
            Step::DataSend(b) => format!("DataSend({} bytes)", b.len()),
            Step::DataSendSlowly { bytes, per_byte } => {
                format!("DataSendSlowly({} bytes, {per_byte:?}/byte)", bytes.len())
            }
            Step::DataSendUntilClosed { chunk, max_bytes } => {
                format!(
                    "DataSendUntilClosed({}-byte chunks, max {max_bytes})",
                    chunk.len()
                )
            }
            Step::DataExpect(b) => format!("DataExpect({} bytes)", b.len()),
            Step::DataExpectAll => "DataExpectAll".into(),
            Step::DataClose => "DataClose".into(),
            Step::DataHoldOpen => "DataHoldOpen".into(),
            Step::DataCut => "DataCut".into(),
            Step::ControlStartTls => "ControlStartTls".into(),
            Step::ControlStopTls => "ControlStopTls".into(),
            Step::DataStartTls { require_resumption } => {
                format!("DataStartTls(require_resumption: {require_resumption})")
            }
            Step::SendGenerated(g) => format!("SendGenerated({g:?})"),
            Step::DataSendGenerated(g) => format!("DataSendGenerated({g:?})"),
            Step::ResetControl => "ResetControl".into(),
            Step::DataReset => "DataReset".into(),
            Step::TlsKeepAlive {
                channel,
                every,
                max,
            } => format!("TlsKeepAlive({channel:?}, every {every:?}, max {max})"),
            Step::Serve(r) => format!("Serve({r:?})"),
        }
    }
}

/// What [`Step::DataExpectAll`] read from one data connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSummary {
    /// How many bytes arrived before end of stream.
    pub len: u64,
    /// SHA-256 of those bytes.
    pub sha256: [u8; 32],
}

impl DataSummary {
    /// The summary of `bytes`, for comparing with what the server recorded.
    ///
    /// ```
    /// use ftp_testkit::scripted::DataSummary;
    /// let s = DataSummary::of(b"abc");
    /// assert_eq!(s.len, 3);
    /// assert_eq!(s.sha256_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /// ```
    pub fn of(bytes: &[u8]) -> DataSummary {
        let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
        let mut sha256 = [0u8; 32];
        sha256.copy_from_slice(digest.as_ref());
        DataSummary {
            len: bytes.len() as u64,
            sha256,
        }
    }

    /// The SHA-256 as 64 lower-case hex digits.
    pub fn sha256_hex(&self) -> String {
        self.sha256.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Bytes as printable ASCII with `\r`, `\n`, `\t`, `\\`, `\"` and `\xNN` escapes.
///
/// ```
/// assert_eq!(ftp_testkit::scripted::escape(b"USER a\r\n\xe9"), "USER a\\r\\n\\xe9");
/// ```
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// [`escape`], cut to about 200 bytes with a note of the full length.
pub(crate) fn escape_short(bytes: &[u8]) -> String {
    const MAX: usize = 200;
    if bytes.len() <= MAX {
        escape(bytes)
    } else {
        format!("{}... ({} bytes)", escape(&bytes[..MAX]), bytes.len())
    }
}
