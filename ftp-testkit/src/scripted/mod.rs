//! A scripted FTP server: a test states the exact bytes the server sends and what it expects
//! to receive, and gets back either everything the client sent or a precise description of the
//! first step that did not go as scripted.
//!
//! The server is plain std threads and sockets, so tests of blocking, tokio and async-std
//! adapters can all use it. It binds 127.0.0.1:0 (or `[::1]:0` with [`Script::ipv6`]), accepts
//! one control connection, runs the steps on a thread, and gives up after an overall cap
//! ([`DEFAULT_CAP`], 30 s, see [`Script::cap`]) so that a hung client never hangs CI. Every
//! read, write, accept and connect is bounded by that cap; every line read is bounded by
//! [`MAX_LINE`]. It only ever connects to loopback addresses.
//!
//! With [`Script::tls_config`] it also speaks TLS (rustls, ring): `AUTH TLS`
//! ([`Step::ControlStartTls`]), `CCC` ([`Step::ControlStopTls`]), PROT P data connections that
//! must resume the control session ([`Step::DataStartTls`]), and streams cut without
//! close_notify ([`Step::DataCut`]). What the client sends inside TLS is recorded decrypted.
//!
//! # Example
//!
//! A login driven by a raw socket standing in for the client under test:
//!
//! ```
//! use ftp_testkit::scripted::Script;
//! use std::io::{BufRead, BufReader, Write};
//! use std::net::TcpStream;
//!
//! let server = Script::new()
//!     .send("220 scripted\r\n")
//!     .expect("USER alice\r\n")
//!     .send("331 password please\r\n")
//!     .expect_prefix("PASS ")
//!     .send("230 in\r\n")
//!     .start()
//!     .unwrap();
//!
//! let mut client = BufReader::new(TcpStream::connect(server.addr()).unwrap());
//! let mut line = String::new();
//! client.read_line(&mut line).unwrap();
//! assert_eq!(line, "220 scripted\r\n");
//! client.get_mut().write_all(b"USER alice\r\nPASS secret\r\n").unwrap();
//! line.clear();
//! client.read_line(&mut line).unwrap();
//! assert_eq!(line, "331 password please\r\n");
//! line.clear();
//! client.read_line(&mut line).unwrap();
//! assert_eq!(line, "230 in\r\n");
//! drop(client);
//!
//! let log = server.finish().unwrap();
//! assert_eq!(log.control_received, b"USER alice\r\nPASS secret\r\n");
//! ```
//!
//! A mismatch fails the script and says where:
//!
//! ```
//! use ftp_testkit::scripted::{Failure, Script};
//! use std::io::Write;
//! use std::net::TcpStream;
//!
//! let server = Script::new().expect("USER alice\r\n").start().unwrap();
//! let mut client = TcpStream::connect(server.addr()).unwrap();
//! client.write_all(b"USER bob\r\n").unwrap();
//! let err = server.finish().unwrap_err();
//! assert!(matches!(err.failure, Failure::Mismatch { .. }));
//! assert!(err.to_string().contains("first difference at byte 5"), "{err}");
//! ```

mod conn;
mod generated;
mod run;
mod step;
mod transcript;

pub use generated::{Generated, ItemFn, push_decimal};
pub use step::{
    Channel, DataSummary, LineMatch, LinePredicate, PasvStyle, Responder, Step, escape,
};
pub use transcript::{TranscriptError, steps_from_transcript};

use crate::certs::CertAndKey;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The overall cap on one scripted session unless [`Script::cap`] sets another.
pub const DEFAULT_CAP: Duration = Duration::from_secs(30);

/// The longest control line (LF included) the server reads; a longer one fails the script.
pub const MAX_LINE: usize = 64 * 1024;

/// A script under construction: the steps of one session and where to run it.
///
/// Each builder method appends one [`Step`]; [`Script::start`] runs it.
#[derive(Clone)]
#[must_use]
pub struct Script {
    steps: Vec<Step>,
    ipv6: bool,
    cap: Duration,
    tls: Option<Arc<rustls::ServerConfig>>,
    max_line: usize,
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Script")
            .field("steps", &self.steps)
            .field("ipv6", &self.ipv6)
            .field("cap", &self.cap)
            .field("tls", &self.tls.is_some())
            .field("max_line", &self.max_line)
            .finish()
    }
}

/// A rustls server configuration (ring provider) presenting `identity`, offering `versions`
/// (both TLS 1.2 and 1.3 when empty), with rustls's default in-memory session cache, so that
/// data connections can resume the control connection's session; TLS 1.3 tickets on too.
///
/// ```
/// use ftp_testkit::{certs::TestCerts, scripted::tls_server_config};
/// let certs = TestCerts::generate().unwrap();
/// let config = tls_server_config(certs.server(), &[&rustls::version::TLS13]);
/// assert!(config.send_tls13_tickets > 0);
/// let script = ftp_testkit::scripted::Script::new()
///     .tls_config(config)
///     .send("220 hi\r\n")
///     .expect("AUTH TLS\r\n")
///     .send("234 go\r\n")
///     .control_start_tls();
/// assert_eq!(script.steps().len(), 4);
/// ```
pub fn tls_server_config(
    identity: &CertAndKey,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&'static rustls::SupportedProtocolVersion] = if versions.is_empty() {
        rustls::ALL_VERSIONS
    } else {
        versions
    };
    let mut chain = vec![identity.cert_der()];
    chain.extend(identity.issuer_der());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("ring supports TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_single_cert(chain, identity.key_der())
        .expect("rcgen keys and certificates are valid for rustls");
    if let Ok(ticketer) = rustls::crypto::ring::Ticketer::new() {
        config.ticketer = ticketer;
    }
    Arc::new(config)
}

impl Default for Script {
    fn default() -> Self {
        Script::new()
    }
}

impl Script {
    /// An empty script on 127.0.0.1 with the [`DEFAULT_CAP`].
    pub fn new() -> Script {
        Script {
            steps: Vec::new(),
            ipv6: false,
            cap: DEFAULT_CAP,
            tls: None,
            max_line: MAX_LINE,
        }
    }

    /// A script of these steps on 127.0.0.1 with the [`DEFAULT_CAP`].
    ///
    /// ```
    /// use ftp_testkit::scripted::{Script, Step};
    /// let script = Script::from_steps(vec![Step::send("220 hi\r\n"), Step::WaitForClose]);
    /// assert_eq!(script.steps().len(), 2);
    /// ```
    pub fn from_steps(steps: Vec<Step>) -> Script {
        Script {
            steps,
            ..Script::new()
        }
    }

    /// A script made from a `C:`/`S:` transcript (see [`steps_from_transcript`]).
    ///
    /// ```
    /// use ftp_testkit::scripted::Script;
    /// let script = Script::from_transcript("S: 220 hi\nC: QUIT\nS: 221 bye\n").unwrap();
    /// assert_eq!(script.steps().len(), 3);
    /// ```
    pub fn from_transcript(text: &str) -> Result<Script, TranscriptError> {
        Ok(Script::from_steps(steps_from_transcript(text)?))
    }

    /// Appends the steps of a `C:`/`S:` transcript (see [`steps_from_transcript`]), so a test
    /// can mix transcript text with data steps.
    pub fn transcript(mut self, text: &str) -> Result<Script, TranscriptError> {
        self.steps.extend(steps_from_transcript(text)?);
        Ok(self)
    }

    /// Serve on `[::1]:0` instead of 127.0.0.1:0; data listeners and active-mode connections
    /// use ::1 too.
    pub fn ipv6(mut self) -> Script {
        self.ipv6 = true;
        self
    }

    /// The overall cap on the session (from `start()`): when it passes, the step running
    /// fails with [`Failure::Deadline`] and the connections close.
    pub fn cap(mut self, cap: Duration) -> Script {
        self.cap = cap;
        self
    }

    /// The longest control line (LF included) the server reads, instead of [`MAX_LINE`]: for
    /// clients that send long paths (a walk of a deep tree).
    pub fn max_line(mut self, bytes: usize) -> Script {
        self.max_line = bytes;
        self
    }

    /// The TLS configuration for [`Step::ControlStartTls`] and [`Step::DataStartTls`]
    /// (see [`tls_server_config`]).
    pub fn tls_config(mut self, config: Arc<rustls::ServerConfig>) -> Script {
        self.tls = Some(config);
        self
    }

    /// The steps so far.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Appends any step.
    pub fn step(mut self, step: Step) -> Script {
        self.steps.push(step);
        self
    }

    /// Appends [`Step::Send`].
    pub fn send(self, bytes: impl AsRef<[u8]>) -> Script {
        self.step(Step::send(bytes))
    }

    /// Appends [`Step::SendSlowly`].
    pub fn send_slowly(self, bytes: impl AsRef<[u8]>, per_byte: Duration) -> Script {
        self.step(Step::SendSlowly {
            bytes: bytes.as_ref().to_vec(),
            per_byte,
        })
    }

    /// Appends [`Step::Expect`]: the next line must be exactly `line` (CRLF included).
    pub fn expect(self, line: impl AsRef<[u8]>) -> Script {
        self.step(Step::expect(line))
    }

    /// Appends [`Step::ExpectLine`] with a [`LineMatch::Prefix`].
    pub fn expect_prefix(self, prefix: impl AsRef<[u8]>) -> Script {
        self.step(Step::ExpectLine(LineMatch::prefix(prefix)))
    }

    /// Appends [`Step::ExpectLine`].
    pub fn expect_line(self, check: LineMatch) -> Script {
        self.step(Step::ExpectLine(check))
    }

    /// Appends [`Step::Sleep`].
    pub fn sleep(self, duration: Duration) -> Script {
        self.step(Step::Sleep(duration))
    }

    /// Appends [`Step::CloseControl`].
    pub fn close_control(self) -> Script {
        self.step(Step::CloseControl)
    }

    /// Appends [`Step::WaitForClose`].
    pub fn wait_for_close(self) -> Script {
        self.step(Step::WaitForClose)
    }

    /// Appends [`Step::NeverAnswer`].
    pub fn never_answer(self) -> Script {
        self.step(Step::NeverAnswer)
    }

    /// Appends [`Step::PassiveListen`] announced by a 229 reply.
    pub fn passive_epsv(self) -> Script {
        self.step(Step::PassiveListen {
            reply: PasvStyle::Epsv,
        })
    }

    /// Appends [`Step::PassiveListen`] announced by a 227 reply naming `advertised_ip`
    /// (127.0.0.1 when `None`).
    pub fn passive_pasv(self, advertised_ip: Option<Ipv4Addr>) -> Script {
        self.step(Step::PassiveListen {
            reply: PasvStyle::Pasv { advertised_ip },
        })
    }

    /// Appends [`Step::AcceptData`].
    pub fn accept_data(self) -> Script {
        self.step(Step::AcceptData)
    }

    /// Appends [`Step::ConnectToClientData`].
    pub fn connect_to_client_data(self, source_ip: Option<IpAddr>) -> Script {
        self.step(Step::ConnectToClientData { source_ip })
    }

    /// Appends [`Step::DataSend`].
    pub fn data_send(self, bytes: impl AsRef<[u8]>) -> Script {
        self.step(Step::DataSend(bytes.as_ref().to_vec()))
    }

    /// Appends [`Step::DataSendSlowly`].
    pub fn data_send_slowly(self, bytes: impl AsRef<[u8]>, per_byte: Duration) -> Script {
        self.step(Step::DataSendSlowly {
            bytes: bytes.as_ref().to_vec(),
            per_byte,
        })
    }

    /// Appends [`Step::DataSendUntilClosed`].
    pub fn data_send_until_closed(self, chunk: impl AsRef<[u8]>, max_bytes: u64) -> Script {
        self.step(Step::DataSendUntilClosed {
            chunk: chunk.as_ref().to_vec(),
            max_bytes,
        })
    }

    /// Appends [`Step::DataExpect`].
    pub fn data_expect(self, bytes: impl AsRef<[u8]>) -> Script {
        self.step(Step::DataExpect(bytes.as_ref().to_vec()))
    }

    /// Appends [`Step::DataExpectAll`].
    pub fn data_expect_all(self) -> Script {
        self.step(Step::DataExpectAll)
    }

    /// Appends [`Step::DataClose`].
    pub fn data_close(self) -> Script {
        self.step(Step::DataClose)
    }

    /// Appends [`Step::DataCut`].
    pub fn data_cut(self) -> Script {
        self.step(Step::DataCut)
    }

    /// Appends [`Step::ControlStartTls`].
    pub fn control_start_tls(self) -> Script {
        self.step(Step::ControlStartTls)
    }

    /// Appends [`Step::ControlStopTls`].
    pub fn control_stop_tls(self) -> Script {
        self.step(Step::ControlStopTls)
    }

    /// Appends [`Step::DataStartTls`].
    pub fn data_start_tls(self, require_resumption: bool) -> Script {
        self.step(Step::DataStartTls { require_resumption })
    }

    /// Appends [`Step::DataHoldOpen`].
    pub fn data_hold_open(self) -> Script {
        self.step(Step::DataHoldOpen)
    }

    /// Appends [`Step::SendGenerated`].
    pub fn send_generated(self, stream: Generated) -> Script {
        self.step(Step::SendGenerated(stream))
    }

    /// Appends [`Step::DataSendGenerated`].
    pub fn data_send_generated(self, stream: Generated) -> Script {
        self.step(Step::DataSendGenerated(stream))
    }

    /// Appends [`Step::ResetControl`].
    pub fn reset_control(self) -> Script {
        self.step(Step::ResetControl)
    }

    /// Appends [`Step::DataReset`].
    pub fn data_reset(self) -> Script {
        self.step(Step::DataReset)
    }

    /// Appends [`Step::TlsKeepAlive`].
    pub fn tls_keep_alive(self, channel: Channel, every: Duration, max: u32) -> Script {
        self.step(Step::TlsKeepAlive {
            channel,
            every,
            max,
        })
    }

    /// Appends [`Step::Serve`].
    pub fn serve(self, responder: Responder) -> Script {
        self.step(Step::Serve(responder))
    }

    /// Binds the control listener and starts the session thread. The cap starts now.
    pub fn start(self) -> io::Result<ScriptedServer> {
        let ip: IpAddr = if self.ipv6 {
            Ipv6Addr::LOCALHOST.into()
        } else {
            Ipv4Addr::LOCALHOST.into()
        };
        let listener = TcpListener::bind(SocketAddr::new(ip, 0))?;
        let addr = listener.local_addr()?;
        let cap = self.cap;
        let steps = self.steps;
        let tls = self.tls;
        let max_line = self.max_line;
        let handle = std::thread::Builder::new()
            .name(format!("scripted-ftp-{}", addr.port()))
            .spawn(move || run::run_session(listener, steps, cap, tls, max_line))?;
        Ok(ScriptedServer {
            addr,
            handle: Some(handle),
        })
    }
}

/// A running scripted session. Call [`finish`](ScriptedServer::finish) to get its outcome;
/// dropping it without `finish()` detaches the thread, which ends by itself at the cap.
#[derive(Debug)]
#[must_use = "call finish() to learn whether the client followed the script"]
pub struct ScriptedServer {
    addr: SocketAddr,
    handle: Option<JoinHandle<Result<SessionLog, ScriptError>>>,
}

impl ScriptedServer {
    /// Starts a session of these steps on 127.0.0.1 with the [`DEFAULT_CAP`].
    pub fn start(steps: Vec<Step>) -> io::Result<ScriptedServer> {
        Script::from_steps(steps).start()
    }

    /// The control address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the session to end (at the latest at the cap) and returns what the client
    /// sent, or the first failure together with what had been received by then.
    pub fn finish(mut self) -> Result<SessionLog, ScriptError> {
        let handle = self
            .handle
            .take()
            .expect("finish() runs once: it takes self");
        match handle.join() {
            Ok(result) => result,
            Err(_) => Err(ScriptError {
                step_index: None,
                step: String::new(),
                failure: Failure::Panicked,
                log: Box::default(),
            }),
        }
    }

    /// The same as [`finish`](ScriptedServer::finish).
    pub fn join(self) -> Result<SessionLog, ScriptError> {
        self.finish()
    }
}

/// What a session received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionLog {
    /// Every byte the client sent on the control connection, in order.
    pub control_received: Vec<u8>,
    /// The complete lines (LF included) the client sent, in order; a partial last line is not
    /// listed here but is in `control_received`.
    pub lines: Vec<Vec<u8>>,
    /// What each [`Step::DataExpect`] read, in order.
    pub data_received: Vec<Vec<u8>>,
    /// What each [`Step::DataExpectAll`] read, in order.
    pub data_summaries: Vec<DataSummary>,
    /// How many bytes each data-sending step (`DataSend`, `DataSendSlowly`,
    /// `DataSendUntilClosed`, `DataSendGenerated`) wrote, in order.
    pub data_sent: Vec<u64>,
    /// The client's address on each data connection, in order (accepted or connected to).
    pub data_peers: Vec<SocketAddr>,
    /// For each [`Step::DataStartTls`], whether the client resumed an earlier TLS session.
    pub data_tls_resumed: Vec<bool>,
    /// How many bytes each [`Step::SendGenerated`] wrote to the control connection, in order.
    pub generated_sent: Vec<u64>,
    /// How many TLS records without application data each [`Step::TlsKeepAlive`] sent.
    pub keep_alive_records: Vec<u32>,
    /// How many steps completed (top-level steps; those a [`Step::Serve`] runs are not counted).
    pub steps_completed: usize,
}

impl SessionLog {
    /// The control lines as lossy text without their line ends, for readable assertions.
    ///
    /// ```
    /// let log = ftp_testkit::scripted::SessionLog {
    ///     lines: vec![b"USER a\r\n".to_vec(), b"PASS b\r\n".to_vec()],
    ///     ..Default::default()
    /// };
    /// assert_eq!(log.lines_lossy(), ["USER a", "PASS b"]);
    /// ```
    pub fn lines_lossy(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| {
                let l = l.strip_suffix(b"\n").unwrap_or(l);
                let l = l.strip_suffix(b"\r").unwrap_or(l);
                String::from_utf8_lossy(l).into_owned()
            })
            .collect()
    }
}

/// Why a scripted session failed: which step, what went wrong, and what had been received.
///
/// `Debug` prints the same readable report as `Display`, so that `server.finish().unwrap()`
/// in a test shows the diff.
#[derive(Clone)]
pub struct ScriptError {
    /// The index of the failing step, `None` when the client never connected or the thread
    /// panicked.
    pub step_index: Option<usize>,
    /// The failing step, described.
    pub step: String,
    /// What went wrong.
    pub failure: Failure,
    /// Everything received up to the failure.
    pub log: Box<SessionLog>,
}

/// What went wrong in a [`ScriptError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// No client connected to the control port before the cap.
    NoClient,
    /// [`Step::Expect`]: the client sent another line.
    Mismatch {
        /// The scripted line.
        expected: Vec<u8>,
        /// The line the client sent.
        got: Vec<u8>,
    },
    /// [`Step::ExpectLine`]: the line failed the check.
    LineRejected {
        /// The check, described.
        check: String,
        /// The line the client sent.
        got: Vec<u8>,
    },
    /// The client closed the control connection while a line was expected; `partial` holds
    /// any bytes of an unterminated last line.
    ClosedBeforeLine {
        /// Bytes received after the last complete line.
        partial: Vec<u8>,
    },
    /// A control line longer than [`MAX_LINE`] (or [`Script::max_line`]).
    LineTooLong,
    /// [`Step::WaitForClose`]: the client sent bytes instead of closing.
    BytesBeforeClose {
        /// What arrived.
        got: Vec<u8>,
    },
    /// [`Step::DataExpect`]: the upload differs.
    DataMismatch {
        /// The scripted length.
        expected_len: usize,
        /// How many bytes arrived (counting stops a little past the scripted length).
        got_len: usize,
        /// The first differing offset (the shorter length when one is a prefix of the other).
        first_difference: usize,
    },
    /// A data step ran with no data connection open.
    NoDataConnection,
    /// [`Step::AcceptData`] without an open passive listener.
    NoListener,
    /// [`Step::ConnectToClientData`] found no `EPRT` or `PORT` line, or could not parse it.
    NoActiveAddress {
        /// The last EPRT/PORT line, if there was one.
        line: Option<Vec<u8>>,
    },
    /// The client announced a non-loopback address; the test server never connects there.
    NotLoopback(SocketAddr),
    /// A control step ran after [`Step::CloseControl`].
    ControlClosed,
    /// The overall cap passed during this step.
    Deadline {
        /// The cap.
        cap: Duration,
    },
    /// A socket operation failed.
    Io {
        /// What the server was doing.
        during: String,
        /// The error.
        error: String,
    },
    /// A TLS step ran but the script has no [`Script::tls_config`].
    NoTlsConfig,
    /// A TLS handshake or shutdown failed.
    Tls(String),
    /// [`Step::DataStartTls`] with `require_resumption`: the client made a full handshake.
    NotResumed,
    /// A TLS data connection ended without the client's close_notify.
    NoCloseNotify,
    /// [`Step::ControlStartTls`]: the client sent plaintext after its last line.
    PlaintextBeforeTls {
        /// The bytes.
        got: Vec<u8>,
    },
    /// The session thread panicked (a bug in the testkit).
    Panicked,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step_index {
            Some(i) => write!(f, "scripted FTP session failed at step {i} {}: ", self.step)?,
            None => write!(f, "scripted FTP session failed: ")?,
        }
        match &self.failure {
            Failure::NoClient => write!(f, "no client connected")?,
            Failure::Mismatch { expected, got } => {
                let at = expected
                    .iter()
                    .zip(got.iter())
                    .take_while(|(a, b)| a == b)
                    .count();
                write!(
                    f,
                    "line differs\n  expected: \"{}\"\n  received: \"{}\"\n  first difference at byte {at}",
                    escape(expected),
                    escape(got)
                )?;
            }
            Failure::LineRejected { check, got } => {
                write!(f, "expected {check}\n  received: \"{}\"", escape(got))?
            }
            Failure::ClosedBeforeLine { partial } => write!(
                f,
                "the client closed the control connection before sending a line (partial: \"{}\")",
                escape(partial)
            )?,
            Failure::LineTooLong => write!(f, "a control line longer than {MAX_LINE} bytes")?,
            Failure::BytesBeforeClose { got } => write!(
                f,
                "expected the client to close the control connection, received \"{}\"",
                escape(got)
            )?,
            Failure::DataMismatch {
                expected_len,
                got_len,
                first_difference,
            } => write!(
                f,
                "data differs: expected {expected_len} bytes, received {got_len}; first difference at byte {first_difference}"
            )?,
            Failure::NoDataConnection => write!(f, "no data connection is open")?,
            Failure::NoListener => write!(f, "no passive listener is open (PassiveListen first)")?,
            Failure::NoActiveAddress { line: None } => {
                write!(f, "the client sent no EPRT or PORT line")?
            }
            Failure::NoActiveAddress { line: Some(l) } => write!(
                f,
                "cannot parse the active-mode address in \"{}\"",
                escape(l)
            )?,
            Failure::NotLoopback(a) => write!(
                f,
                "the client announced {a}, not a loopback address; not connecting"
            )?,
            Failure::ControlClosed => write!(f, "the control connection was already closed")?,
            Failure::Deadline { cap } => write!(f, "the session's cap of {cap:?} passed")?,
            Failure::Io { during, error } => write!(f, "I/O error while {during}: {error}")?,
            Failure::NoTlsConfig => write!(f, "a TLS step needs Script::tls_config")?,
            Failure::Tls(m) => write!(f, "TLS failed: {m}")?,
            Failure::NotResumed => write!(
                f,
                "the data connection's TLS handshake did not resume the control session"
            )?,
            Failure::NoCloseNotify => {
                write!(f, "the TLS data connection ended without close_notify")?
            }
            Failure::PlaintextBeforeTls { got } => {
                write!(f, "plaintext before the TLS handshake: \"{}\"", escape(got))?
            }
            Failure::Panicked => write!(f, "the session thread panicked")?,
        }
        let received = &self.log.control_received;
        const TAIL: usize = 300;
        if received.len() > TAIL {
            write!(
                f,
                "\n  control bytes received ({} in all), the last {TAIL}: \"{}\"",
                received.len(),
                escape(&received[received.len() - TAIL..])
            )
        } else {
            write!(f, "\n  control bytes received: \"{}\"", escape(received))
        }
    }
}

impl fmt::Debug for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ScriptError {}
