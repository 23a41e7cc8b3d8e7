//! The embedded libunftp server: a real FTP server in the test process.
//!
//! libunftp 0.24 with the unftp-sbe-fs file system back end serves a fresh temporary
//! directory on 127.0.0.1 and a free port, from its own single-threaded tokio runtime on a
//! background thread, so blocking and async tests can use it alike. The server stops when the
//! [`EmbeddedServer`] is dropped: the accept loop ends, every session task is cancelled and
//! the directory is removed.
//!
//! What it does (see shared/transcripts/libunftp.txt): passive mode (`EPSV`, `PASV`), active
//! mode with `PORT` (switched on here; libunftp has **no `EPRT`** and answers it with 500),
//! `MLSD`, `MLST` (absolute paths), `SIZE`, `MDTM`, `REST`, optional explicit FTPS (TLS 1.2 by
//! default, 1.3 with [`EmbeddedBuilder::tls13`]). It has no ASCII mode.
//!
//! **Any user name and password log in, with full write access** (libunftp's default
//! authenticator). That is fine on loopback in a test; never expose this server.
//!
//! It binds its own listener and hands each accepted connection to libunftp's
//! `Server::service`, instead of `Server::listen` with a `shutdown_indicator`: `listen` binds a
//! given address itself and cannot report the port of `:0`, so it would need a port picked in
//! advance (racy when tests run in parallel). Stopping is the runtime's shutdown, bounded by
//! [`SHUTDOWN_GRACE`].
//!
//! ```
//! use ftp_testkit::embedded::EmbeddedServer;
//! use std::io::{BufRead, BufReader, Write};
//! use std::net::TcpStream;
//!
//! let server = EmbeddedServer::start().unwrap();
//! std::fs::write(server.root().join("hello.txt"), b"hi").unwrap();
//! let mut control = BufReader::new(TcpStream::connect(server.addr()).unwrap());
//! let mut line = String::new();
//! control.read_line(&mut line).unwrap();
//! assert!(line.starts_with("220 "), "{line}");
//! control.get_mut().write_all(b"USER anyone\r\n").unwrap();
//! line.clear();
//! control.read_line(&mut line).unwrap();
//! assert!(line.starts_with("331 "), "{line}");
//! ```

use crate::certs::TestCerts;
use libunftp::options::{ActivePassiveMode, TlsFlags};
use rustls_pki_types::CertificateDer;
use std::io::{self, BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use unftp_sbe_fs::Filesystem;

/// How long [`EmbeddedServer::start`] waits for the greeting before giving up.
pub const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long dropping the server waits for its runtime's blocking file tasks to end.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Which certificate the FTPS server presents (all from one [`TestCerts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServedCert {
    /// The good one: signed by the test CA for localhost, 127.0.0.1 and ::1.
    #[default]
    Localhost,
    /// Signed by the test CA, but for `wrong.example` only.
    WrongName,
    /// For the right names, but self-signed.
    SelfSigned,
}

/// Options for an [`EmbeddedServer`]; [`EmbeddedServer::builder`] makes one.
#[derive(Debug, Clone)]
#[must_use]
pub struct EmbeddedBuilder {
    active: bool,
    ftps: Option<ServedCert>,
    tls13: bool,
    ftps_required: bool,
    passive_ports: Option<RangeInclusive<u16>>,
    idle_timeout_secs: u64,
}

impl EmbeddedBuilder {
    /// Switch active mode (`PORT`) on or off (on by default).
    pub fn active(mut self, on: bool) -> Self {
        self.active = on;
        self
    }

    /// Enable explicit FTPS (`AUTH TLS`) with fresh [`TestCerts`], presenting the good
    /// certificate. TLS stays optional for clients unless [`ftps_required`](Self::ftps_required).
    pub fn ftps(self) -> Self {
        self.ftps_cert(ServedCert::Localhost)
    }

    /// Enable FTPS presenting the chosen certificate (for refusal tests).
    pub fn ftps_cert(mut self, which: ServedCert) -> Self {
        self.ftps = Some(which);
        self
    }

    /// Offer TLS 1.3 as well as 1.2 (libunftp offers 1.2 only by default).
    pub fn tls13(mut self) -> Self {
        self.tls13 = true;
        self
    }

    /// Require TLS on the control and data connections (`FtpsRequired::All`).
    pub fn ftps_required(mut self) -> Self {
        self.ftps_required = true;
        self
    }

    /// The passive port range (default: libunftp's 49152-65535, picked at random with retries).
    pub fn passive_ports(mut self, range: RangeInclusive<u16>) -> Self {
        self.passive_ports = Some(range);
        self
    }

    /// Seconds of idleness after which libunftp closes a session (default 600).
    pub fn idle_timeout_secs(mut self, secs: u64) -> Self {
        self.idle_timeout_secs = secs;
        self
    }

    /// Makes the directory and certificates, starts the server and waits (at most
    /// [`READY_TIMEOUT`]) until it sends its greeting.
    pub fn start(self) -> io::Result<EmbeddedServer> {
        let root = tempfile::Builder::new()
            .prefix("ftp-testkit-root-")
            .tempdir()?;
        let tls_dir = tempfile::Builder::new()
            .prefix("ftp-testkit-tls-")
            .tempdir()?;
        let certs = match self.ftps {
            None => None,
            Some(which) => {
                let certs = TestCerts::generate().map_err(io::Error::other)?;
                let served = match which {
                    ServedCert::Localhost => certs.server(),
                    ServedCert::WrongName => certs.wrong_name(),
                    ServedCert::SelfSigned => certs.self_signed(),
                };
                let paths = served.write_to(tls_dir.path(), "server")?;
                Some((certs, paths))
            }
        };
        let config = Arc::new(ServerConfig {
            root: root.path().to_path_buf(),
            active: self.active,
            tls_files: certs.as_ref().map(|(_, paths)| paths.clone()),
            tls13: self.tls13,
            ftps_required: self.ftps_required,
            passive_ports: self.passive_ports,
            idle_timeout_secs: self.idle_timeout_secs,
        });
        // Build once here so that a configuration error (a bad certificate) is reported by
        // start() rather than by every connection.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime
            .block_on(build_and_serve(&config, None))
            .map_err(|e| io::Error::other(format!("libunftp: {e}")))?;

        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("libunftp-{}", addr.port()))
            .spawn(move || serve(runtime, listener, config, stop_rx))?;
        let server = EmbeddedServer {
            addr,
            root,
            _tls_dir: tls_dir,
            certs: certs.map(|(c, _)| c),
            served: self.ftps,
            stop: Some(stop_tx),
            thread: Some(thread),
        };
        server.wait_ready()?;
        Ok(server)
    }
}

struct ServerConfig {
    root: PathBuf,
    active: bool,
    tls_files: Option<(PathBuf, PathBuf)>,
    tls13: bool,
    ftps_required: bool,
    passive_ports: Option<RangeInclusive<u16>>,
    idle_timeout_secs: u64,
}

/// Builds a libunftp server from `config` and, given a connection, serves it to its end.
/// Without one it only checks that the configuration builds.
async fn build_and_serve(
    config: &ServerConfig,
    stream: Option<tokio::net::TcpStream>,
) -> Result<(), libunftp::ServerError> {
    let root = config.root.clone();
    let mut builder = libunftp::ServerBuilder::new(Box::new(move || {
        // The directory exists for the server's whole life; new() only fails if it does not.
        Filesystem::new(root.clone()).expect("the embedded server's root directory exists")
    }))
    .greeting("Welcome to the ftp-testkit embedded libunftp server")
    .idle_session_timeout(config.idle_timeout_secs)
    .active_passive_mode(if config.active {
        ActivePassiveMode::ActiveAndPassive
    } else {
        ActivePassiveMode::PassiveOnly
    });
    if let Some(range) = &config.passive_ports {
        builder = builder.passive_ports(range.clone());
    }
    if let Some((cert, key)) = &config.tls_files {
        builder = builder.ftps(cert.clone(), key.clone());
        if config.tls13 {
            builder = builder.ftps_tls_flags(TlsFlags::default() | TlsFlags::V1_3);
        }
        if config.ftps_required {
            builder = builder.ftps_required(
                libunftp::options::FtpsRequired::All,
                libunftp::options::FtpsRequired::All,
            );
        }
    }
    let server = builder.build()?;
    if let Some(stream) = stream {
        // A session's end (even an abrupt one) is the client's business, not the test's.
        let _ = server.service(stream).await;
    }
    Ok(())
}

/// The server thread: accept connections until told to stop, then shut the runtime down.
fn serve(
    runtime: tokio::runtime::Runtime,
    listener: std::net::TcpListener,
    config: Arc<ServerConfig>,
    stop: tokio::sync::oneshot::Receiver<()>,
) {
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(_) => return,
        };
        tokio::spawn(async move {
            loop {
                let Ok((stream, _peer)) = listener.accept().await else {
                    // Out of descriptors or similar: wait a little instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                // libunftp leaves Nagle on; the client's tests should not wait 40 ms per reply.
                let _ = stream.set_nodelay(true);
                let config = Arc::clone(&config);
                tokio::spawn(async move {
                    let _ = build_and_serve(&config, Some(stream)).await;
                });
            }
        });
        // Either a stop message or the EmbeddedServer's sender dropped: stop serving.
        let _ = stop.await;
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
}

/// A running embedded libunftp server; see the [module docs](self).
#[derive(Debug)]
pub struct EmbeddedServer {
    addr: SocketAddr,
    root: tempfile::TempDir,
    _tls_dir: tempfile::TempDir,
    certs: Option<TestCerts>,
    served: Option<ServedCert>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EmbeddedServer {
    /// A plain FTP server with active mode on: the same as `EmbeddedServer::builder().start()`.
    pub fn start() -> io::Result<EmbeddedServer> {
        EmbeddedServer::builder().start()
    }

    /// Options: FTPS, TLS 1.3, active mode, passive ports.
    ///
    /// ```
    /// use ftp_testkit::embedded::EmbeddedServer;
    /// let server = EmbeddedServer::builder().ftps().tls13().start().unwrap();
    /// assert!(server.ca_cert_pem().unwrap().contains("BEGIN CERTIFICATE"));
    /// ```
    pub fn builder() -> EmbeddedBuilder {
        EmbeddedBuilder {
            active: true,
            ftps: None,
            tls13: false,
            ftps_required: false,
            passive_ports: None,
            idle_timeout_secs: 600,
        }
    }

    /// The control address (127.0.0.1 and a free port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The served directory: `/` for every FTP user. Put files here before a download and
    /// check them after an upload.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The certificates when FTPS is on.
    pub fn certs(&self) -> Option<&TestCerts> {
        self.certs.as_ref()
    }

    /// The CA certificate (DER) a TLS client should trust, when FTPS is on.
    pub fn ca_cert_der(&self) -> Option<CertificateDer<'static>> {
        self.certs.as_ref().map(TestCerts::ca_cert_der)
    }

    /// The CA certificate (PEM) a TLS client should trust, when FTPS is on.
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.certs.as_ref().map(TestCerts::ca_cert_pem)
    }

    /// The certificate the server presents (PEM, with its issuer for the CA-signed ones),
    /// when FTPS is on.
    pub fn cert_pem(&self) -> Option<&str> {
        let certs = self.certs.as_ref()?;
        Some(match self.served? {
            ServedCert::Localhost => certs.server().chain_pem(),
            ServedCert::WrongName => certs.wrong_name().chain_pem(),
            ServedCert::SelfSigned => certs.self_signed().chain_pem(),
        })
    }

    /// Connects until the greeting arrives, bounded by [`READY_TIMEOUT`].
    fn wait_ready(&self) -> io::Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut last_error = io::Error::new(io::ErrorKind::TimedOut, "no greeting");
        while Instant::now() < deadline {
            match self.try_greeting(deadline) {
                Ok(()) => return Ok(()),
                Err(e) => last_error = e,
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "the embedded libunftp server sent no greeting within {READY_TIMEOUT:?}: {last_error}"
            ),
        ))
    }

    fn try_greeting(&self, deadline: Instant) -> io::Result<()> {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        let stream = TcpStream::connect_timeout(&self.addr, left)?;
        stream.set_read_timeout(Some(left))?;
        let mut line = Vec::new();
        // A greeting line is short; bound the read anyway.
        BufReader::new(std::io::Read::take(&stream, 4096)).read_until(b'\n', &mut line)?;
        if line.starts_with(b"220") {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "unexpected greeting {:?}",
                String::from_utf8_lossy(&line)
            )))
        }
    }
}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // Bounded: the runtime shutdown waits at most SHUTDOWN_GRACE.
            let _ = thread.join();
        }
    }
}
