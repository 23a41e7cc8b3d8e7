//! FTPS: trust configuration, the session store that lets every data connection resume the
//! control connection's TLS session, and the control and data stream types.
//!
//! # Trust
//!
//! [`TlsConfig::builder`] verifies certificates and host names against the system's roots,
//! loaded with `rustls-native-certs` (chosen over `rustls-platform-verifier`: it yields a plain
//! `RootCertStore` that a CA file can be added to, works with `builder_with_provider` and the
//! ring provider with no global state, and on Linux the platform verifier is webpki over the
//! same roots anyway). [`TlsConfigBuilder::add_ca_file`] adds a PEM CA file,
//! [`TlsConfig::from_client_config`] takes a whole rustls `ClientConfig`, and
//! [`TlsConfigBuilder::danger_accept_invalid_certs`] switches verification off.
//! Every config uses the **ring** provider only (`builder_with_provider`).
//!
//! # Session reuse on data connections
//!
//! Servers such as vsftpd (`require_ssl_reuse=YES`) and proftpd (by default) refuse a `PROT P`
//! data connection that does not resume the control connection's TLS session. Each control
//! connection gets a [`TlsSession`]: a `ClientConfig` whose resumption store is a fresh
//! [`FtpsSessionStore`] shared by the control connection and all its data connections, and the
//! control connection's server name, which data connections present too (never the PASV
//! address).
//!
//! - TLS 1.2: the session (id or ticket) is handed out by copy and never removed, so every
//!   data connection resumes it.
//! - TLS 1.3: rustls spends a ticket once, and its ticket type (`Tls13ClientSessionValue`)
//!   cannot be copied in rustls 0.23, so no store can hand the same ticket out twice. The store
//!   keeps a small pool instead: the control connection's tickets, then every ticket a data
//!   connection receives, handed out oldest first. **Every data connection reads the tickets
//!   its server sends, uploads included**: [`DataConnection::finish`] sends `close_notify` and
//!   reads the server's remaining records (tickets, its `close_notify`) until it closes. An
//!   upload that never reads leaves its fresh tickets unread, which is why a plain shared cache
//!   passes the first transfers and fails a later one (and why, closed with those bytes unread,
//!   its socket sends a reset: vsftpd then answers `426 Failure reading network stream`).
//!
//! Measured with `examples/ftps_reuse_probe.rs` (20 data connections, uploads, downloads and
//! listings in turn, session reuse required by the server):
//!
//! | server | TLS 1.2 | TLS 1.3 |
//! |---|---|---|
//! | vsftpd 3.0.3 (`require_ssl_reuse=YES`) | 20 of 20 resumed | 20 of 20 resumed |
//! | proftpd 1.3.8 (reuse required by default) | 20 of 20 resumed | the data connection after the 2nd upload fails |
//!
//! proftpd 1.3.8 under TLS 1.3 sends a new ticket on a data connection only when it writes on
//! it (downloads, listings: exactly one, replacing the ticket that connection spent), not on an
//! upload, so each upload uses up one of the two tickets of the control handshake for good;
//! once they are gone (after the second upload) the next data connection cannot resume and
//! proftpd refuses it with `425`. The most a session can do is any number of downloads and
//! listings with at most two uploads, the second being its last data connection. Its tickets can be reused (OpenSSL clients reuse the control session
//! for every data connection), but rustls 0.23 cannot copy one. With such a server use TLS
//! 1.2 ([`TlsConfigBuilder::protocol_versions`]), where the session is handed out by copy and
//! lasts, or its `TLSOptions NoSessionReuseRequired`.
//!
//! # Endings
//!
//! An upload ends with [`DataConnection::finish`] (`close_notify`, TCP half-close, then the server's
//! close is awaited so that no unread byte turns the close into a reset). A download that sees
//! TCP EOF without the server's `close_notify` reads as an error of kind
//! [`io::ErrorKind::UnexpectedEof`] carrying [`TransportError::MissingCloseNotify`] (see
//! [`is_missing_close_notify`]); the driver decides against the final reply and the announced
//! size whether that is truncation.
//!
//! `CCC` ([`ControlConnection::downgrade`]) sends `close_notify`, reads the server's, and carries
//! on in plain text on the same socket. To make that exact, the control stream reads TLS one
//! record at a time from the socket, so no byte after the server's `close_notify` is ever
//! swallowed into the TLS layer.
//!
//! ```no_run
//! use ftp_blocking::tls::{ControlConnection, DataConnection, TlsConfig};
//! use std::time::Duration;
//!
//! let tls = TlsConfig::builder().build()?;
//! let t = Duration::from_secs(30);
//! let tcp = ftp_blocking::net::connect("ftp.example.com", 21, t, None)?;
//! let mut control = ControlConnection::plain(tcp);
//! // ... send "AUTH TLS", read "234" through `control` ...
//! let session = tls.session("ftp.example.com")?;
//! control.upgrade(&session, t)?;
//! // ... "PBSZ 0", "PROT P", "PASV", "RETR x" ...
//! # let data_addr: std::net::SocketAddr = "127.0.0.1:30001".parse().unwrap();
//! let tcp = ftp_blocking::net::connect_data(data_addr, t, None)?;
//! let data = DataConnection::secure(tcp, &session, t)?;
//! assert_eq!(data.handshake_kind(), Some(rustls::HandshakeKind::Resumed));
//! # Ok::<(), ftp_blocking::error::TransportError>(())
//! ```

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{
    ClientSessionStore, Resumption, Tls12ClientSessionValue, Tls13ClientSessionValue,
};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, HandshakeKind, NamedGroup,
    RootCertStore, SignatureScheme, StreamOwned, SupportedProtocolVersion,
};

use crate::error::{TransportError, Wait, check_timeout};

/// The crypto provider of the workspace: ring.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

// ---------------------------------------------------------------------------------------------
// Configuration

/// The TLS settings of a client: a rustls `ClientConfig` without resumption state. Make one per
/// application and a [`TlsSession`] per control connection from it.
///
/// ```no_run
/// use ftp_blocking::tls::TlsConfig;
///
/// let tls = TlsConfig::builder().add_ca_file("/etc/ftp/ca.pem")?.build()?;
/// let session = tls.session("ftp.example.com")?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TlsConfig {
    config: Arc<ClientConfig>,
}

impl TlsConfig {
    /// A builder: system roots, no extra CA, verification on, TLS 1.2 and 1.3.
    pub fn builder() -> TlsConfigBuilder {
        TlsConfigBuilder {
            system_roots: true,
            extra_roots: Vec::new(),
            danger_accept_invalid_certs: false,
            versions: None,
        }
    }

    /// Uses a whole rustls `ClientConfig` as it is (its verifier, versions and provider; build
    /// it with `builder_with_provider` and ring to keep one provider in the program). Only its
    /// resumption store is replaced, per control connection, by [`TlsConfig::session`].
    ///
    /// ```
    /// use ftp_blocking::tls::TlsConfig;
    /// use std::sync::Arc;
    ///
    /// let mut roots = rustls::RootCertStore::empty();
    /// # let ca = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    /// # roots.add(ca.cert.der().clone()).unwrap();
    /// let config = rustls::ClientConfig::builder_with_provider(Arc::new(
    ///     rustls::crypto::ring::default_provider(),
    /// ))
    /// .with_safe_default_protocol_versions()?
    /// .with_root_certificates(roots)
    /// .with_no_client_auth();
    /// let tls = TlsConfig::from_client_config(Arc::new(config));
    /// # Ok::<(), rustls::Error>(())
    /// ```
    pub fn from_client_config(config: Arc<ClientConfig>) -> TlsConfig {
        TlsConfig { config }
    }

    /// The underlying rustls configuration.
    pub fn client_config(&self) -> &Arc<ClientConfig> {
        &self.config
    }

    /// The TLS state of one control connection to `host` (a name or an IP literal, IPv6
    /// optionally in brackets): a config with a fresh [`FtpsSessionStore`] and the server name
    /// that the control connection and every data connection present and verify.
    ///
    /// ```
    /// # let tls = ftp_blocking::tls::TlsConfig::builder()
    /// #     .danger_accept_invalid_certs(true).build()?;
    /// let session = tls.session("[::1]")?;
    /// assert_eq!(session.server_name().to_str(), "::1");
    /// # Ok::<(), ftp_blocking::error::TransportError>(())
    /// ```
    pub fn session(&self, host: &str) -> Result<TlsSession, TransportError> {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let server_name = ServerName::try_from(bare.to_owned())
            .map_err(|_| TransportError::InvalidServerName(host.to_owned()))?;
        let store = Arc::new(FtpsSessionStore::new());
        let mut config = (*self.config).clone();
        config.resumption = Resumption::store(store.clone());
        Ok(TlsSession {
            config: Arc::new(config),
            server_name,
            store,
        })
    }
}

/// Builds a [`TlsConfig`]. See [`TlsConfig::builder`].
#[derive(Debug, Clone)]
pub struct TlsConfigBuilder {
    system_roots: bool,
    extra_roots: Vec<CertificateDer<'static>>,
    danger_accept_invalid_certs: bool,
    versions: Option<Vec<&'static SupportedProtocolVersion>>,
}

impl TlsConfigBuilder {
    /// Whether to trust the system's root certificates (default: yes).
    pub fn system_roots(mut self, yes: bool) -> Self {
        self.system_roots = yes;
        self
    }

    /// Also trusts every certificate of a PEM file (a private CA). A server's self-signed
    /// certificate can be pinned this way only if it is not marked as a CA: webpki refuses a CA
    /// certificate as the server's own (`CaUsedAsEndEntity`), and `openssl req -x509` marks
    /// its certificates `CA:TRUE` unless told otherwise.
    pub fn add_ca_file(self, path: impl AsRef<Path>) -> Result<Self, TransportError> {
        let path = path.as_ref();
        let pem = std::fs::read(path)
            .map_err(|e| TransportError::Certificate(format!("{}: {e}", path.display())))?;
        self.add_ca_pem(&pem)
            .map_err(|e| TransportError::Certificate(format!("{}: {e}", path.display())))
    }

    /// Also trusts every certificate in PEM text.
    ///
    /// ```
    /// # let ca = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    /// # let pem = ca.cert.pem();
    /// let tls = ftp_blocking::tls::TlsConfig::builder()
    ///     .system_roots(false)
    ///     .add_ca_pem(pem.as_bytes())?
    ///     .build()?;
    /// # Ok::<(), ftp_blocking::error::TransportError>(())
    /// ```
    pub fn add_ca_pem(mut self, pem: &[u8]) -> Result<Self, TransportError> {
        let before = self.extra_roots.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| TransportError::Certificate(e.to_string()))?;
            self.extra_roots.push(cert);
        }
        if self.extra_roots.len() == before {
            return Err(TransportError::Certificate(
                "no CERTIFICATE block in the PEM data".into(),
            ));
        }
        Ok(self)
    }

    /// Also trusts one DER certificate.
    pub fn add_ca_der(mut self, der: CertificateDer<'static>) -> Self {
        self.extra_roots.push(der);
        self
    }

    /// Restricts the TLS versions (default: rustls's safe defaults, TLS 1.3 and 1.2).
    ///
    /// ```
    /// let tls = ftp_blocking::tls::TlsConfig::builder()
    ///     .protocol_versions(&[&rustls::version::TLS12])
    ///     .danger_accept_invalid_certs(true)
    ///     .build()?;
    /// # Ok::<(), ftp_blocking::error::TransportError>(())
    /// ```
    pub fn protocol_versions(mut self, versions: &[&'static SupportedProtocolVersion]) -> Self {
        self.versions = Some(versions.to_vec());
        self
    }

    /// **Dangerous**: accepts any server certificate for any name, expired, self-signed or
    /// otherwise invalid. The handshake signature is still checked against the key of the
    /// certificate the server presented (so the server holds that key), but nothing ties
    /// that key to the server you meant to reach: anyone on the path can impersonate it.
    /// Use only for tests and for servers you reach over a trusted network.
    pub fn danger_accept_invalid_certs(mut self, yes: bool) -> Self {
        self.danger_accept_invalid_certs = yes;
        self
    }

    /// Builds the config. Fails when verification is on and no trust anchor is available
    /// (the system store is empty or unreadable and no CA was added), or a CA is malformed.
    pub fn build(self) -> Result<TlsConfig, TransportError> {
        let provider = provider();
        let builder = ClientConfig::builder_with_provider(provider.clone());
        let builder = match &self.versions {
            Some(v) => builder.with_protocol_versions(v)?,
            None => builder.with_safe_default_protocol_versions()?,
        };
        let config = if self.danger_accept_invalid_certs {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate {
                    algorithms: provider.signature_verification_algorithms,
                }))
                .with_no_client_auth()
        } else {
            let mut roots = RootCertStore::empty();
            if self.system_roots {
                let found = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(found.certs);
            }
            for cert in self.extra_roots {
                roots
                    .add(cert)
                    .map_err(|e| TransportError::Certificate(e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(TransportError::Certificate(
                    "no trusted root certificate: the system store is empty and no CA was added"
                        .into(),
                ));
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        };
        Ok(TlsConfig {
            config: Arc::new(config),
        })
    }
}

/// The verifier of [`TlsConfigBuilder::danger_accept_invalid_certs`].
#[derive(Debug)]
struct AcceptAnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

// ---------------------------------------------------------------------------------------------
// Session store

/// TLS 1.3 tickets kept per server name.
pub const MAX_TLS13_TICKETS: usize = 8;

/// The resumption store of one control connection and its data connections (see the module
/// documentation): TLS 1.2 sessions are handed out without being removed; TLS 1.3 tickets
/// are pooled (handed out oldest first; the newest [`MAX_TLS13_TICKETS`] kept) and refilled by every data
/// connection, which must therefore read the tickets its server sends ([`DataConnection`] does).
///
/// ```
/// use ftp_blocking::tls::FtpsSessionStore;
/// use rustls::pki_types::ServerName;
///
/// let store = FtpsSessionStore::new();
/// let name = ServerName::try_from("ftp.example.com").unwrap();
/// assert_eq!(store.tls13_tickets(&name), 0);
/// assert!(!store.has_tls12_session(&name));
/// ```
#[derive(Debug, Default)]
pub struct FtpsSessionStore {
    servers: Mutex<HashMap<ServerName<'static>, ServerEntry>>,
}

#[derive(Debug, Default)]
struct ServerEntry {
    kx_hint: Option<NamedGroup>,
    tls12: Option<Tls12ClientSessionValue>,
    tls13: VecDeque<Tls13ClientSessionValue>,
}

impl FtpsSessionStore {
    /// An empty store.
    pub fn new() -> FtpsSessionStore {
        FtpsSessionStore::default()
    }

    /// How many TLS 1.3 tickets are held for `name`.
    pub fn tls13_tickets(&self, name: &ServerName<'_>) -> usize {
        self.with(|m| m.get(&name.to_owned()).map_or(0, |e| e.tls13.len()))
    }

    /// Whether a TLS 1.2 session is held for `name`.
    pub fn has_tls12_session(&self, name: &ServerName<'_>) -> bool {
        self.with(|m| m.get(&name.to_owned()).is_some_and(|e| e.tls12.is_some()))
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<ServerName<'static>, ServerEntry>) -> T) -> T {
        let mut guard = self.servers.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }
}

impl ClientSessionStore for FtpsSessionStore {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.with(|m| m.entry(server_name).or_default().kx_hint = Some(group));
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.with(|m| m.get(&server_name.to_owned()).and_then(|e| e.kx_hint))
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.with(|m| m.entry(server_name).or_default().tls12 = Some(value));
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        // Handed out by copy: every data connection can resume it.
        self.with(|m| m.get(&server_name.to_owned()).and_then(|e| e.tls12.clone()))
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.with(|m| {
            if let Some(e) = m.get_mut(server_name) {
                e.tls12 = None;
            }
        });
    }

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        self.with(|m| {
            let tickets = &mut m.entry(server_name).or_default().tls13;
            if tickets.len() == MAX_TLS13_TICKETS {
                tickets.pop_front();
            }
            tickets.push_back(value);
        });
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        self.with(|m| m.get_mut(server_name).and_then(|e| e.tls13.pop_back()))
    }
}

/// The TLS state of one control connection: the config (with its [`FtpsSessionStore`]) and
/// the server name shared by the control connection and its data connections. Cheap to clone.
///
/// ```
/// # let tls = ftp_blocking::tls::TlsConfig::builder()
/// #     .danger_accept_invalid_certs(true).build()?;
/// let session = tls.session("ftp.example.com")?;
/// assert_eq!(session.server_name().to_str(), "ftp.example.com");
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TlsSession {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    store: Arc<FtpsSessionStore>,
}

impl TlsSession {
    /// The server name presented (SNI) and verified on every connection of the session.
    pub fn server_name(&self) -> &ServerName<'static> {
        &self.server_name
    }

    /// The config used for the control and data connections.
    pub fn client_config(&self) -> &Arc<ClientConfig> {
        &self.config
    }

    /// The session store.
    pub fn store(&self) -> &Arc<FtpsSessionStore> {
        &self.store
    }

    fn connection(&self) -> Result<ClientConnection, TransportError> {
        Ok(ClientConnection::new(
            self.config.clone(),
            self.server_name.clone(),
        )?)
    }
}

// ---------------------------------------------------------------------------------------------
// Record-exact TLS input

/// Largest TLS record accepted: header plus 2^14 bytes plus the TLS 1.2 expansion allowance.
const MAX_RECORD: usize = 5 + (1 << 14) + 2048;

/// Reads whole TLS records from the socket, never a byte past the current record, keeping a
/// partial record across timeouts.
#[derive(Debug)]
struct RecordReader {
    buf: Vec<u8>,
    filled: usize,
}

impl RecordReader {
    fn new() -> RecordReader {
        RecordReader {
            buf: vec![0; MAX_RECORD],
            filled: 0,
        }
    }

    /// Reads the next record into the buffer: `Ok(Some(len))`, or `Ok(None)` on EOF at a
    /// record boundary. EOF inside a record is `UnexpectedEof`.
    fn read_record(&mut self, tcp: &mut TcpStream) -> io::Result<Option<usize>> {
        loop {
            let want = if self.filled < 5 {
                5
            } else {
                let len = usize::from(u16::from_be_bytes([self.buf[3], self.buf[4]]));
                if 5 + len > MAX_RECORD {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("TLS record of {len} bytes is too long"),
                    ));
                }
                5 + len
            };
            if self.filled == want && want > 5 {
                self.filled = 0;
                return Ok(Some(want));
            }
            if self.filled == want {
                // A header announcing an empty record: hand it over too.
                self.filled = 0;
                return Ok(Some(5));
            }
            match tcp.read(&mut self.buf[self.filled..want]) {
                Ok(0) if self.filled == 0 => return Ok(None),
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed inside a TLS record",
                    ));
                }
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads one record and gives it to `conn`, then processes it. `Ok(false)` on EOF.
    fn feed(&mut self, tcp: &mut TcpStream, conn: &mut ClientConnection) -> io::Result<bool> {
        let Some(len) = self.read_record(tcp)? else {
            // Tell rustls about the EOF, so that its reader reports it.
            conn.read_tls(&mut io::empty())?;
            return Ok(false);
        };
        let mut record = &self.buf[..len];
        while !record.is_empty() {
            if conn.read_tls(&mut record)? == 0 {
                return Err(io::Error::other("TLS layer accepted no input"));
            }
        }
        if let Err(e) = conn.process_new_packets() {
            // Try to send the alert describing the error; the error is what counts.
            let _ = write_out(conn, tcp);
            return Err(io::Error::new(io::ErrorKind::InvalidData, e));
        }
        Ok(true)
    }
}

fn write_out(conn: &mut ClientConnection, tcp: &mut TcpStream) -> io::Result<()> {
    while conn.wants_write() {
        conn.write_tls(tcp)?;
    }
    tcp.flush()
}

/// Runs a client handshake to completion within `timeout`, reading record by record.
fn handshake(
    conn: &mut ClientConnection,
    tcp: &mut TcpStream,
    records: &mut RecordReader,
    timeout: Duration,
) -> Result<(), TransportError> {
    check_timeout("TLS handshake", timeout)?;
    let saved = (tcp.read_timeout()?, tcp.write_timeout()?);
    let result = handshake_inner(conn, tcp, records, timeout);
    let restored = tcp
        .set_read_timeout(saved.0)
        .and_then(|()| tcp.set_write_timeout(saved.1));
    result?;
    restored?;
    Ok(())
}

fn handshake_inner(
    conn: &mut ClientConnection,
    tcp: &mut TcpStream,
    records: &mut RecordReader,
    timeout: Duration,
) -> Result<(), TransportError> {
    let deadline = crate::error::deadline_after(timeout);
    let fail = |e: io::Error| TransportError::from_socket(e, Wait::TlsHandshake, timeout);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TransportError::Timeout {
                wait: Wait::TlsHandshake,
                after: timeout,
            });
        }
        tcp.set_read_timeout(Some(left))?;
        tcp.set_write_timeout(Some(left))?;
        write_out(conn, tcp).map_err(fail)?;
        if !conn.is_handshaking() {
            return Ok(());
        }
        if !records.feed(tcp, conn).map_err(fail)? {
            return Err(TransportError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed during the TLS handshake",
            )));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Control stream

/// The control connection: plain TCP, upgraded in place to TLS after `234` (explicit FTPS) or
/// secured from the start (implicit FTPS), and downgraded back to plain by `CCC`.
///
/// It is `Read + Write`; timeouts are those of the socket ([`ControlConnection::tcp`]).
/// Under TLS it reads one record at a time (a few more system calls on a connection that
/// carries a few lines, in exchange for exact `CCC`). An EOF from the server reads as `Ok(0)`
/// with or without `close_notify` (a cut reply is the framer's to notice).
///
/// ```no_run
/// use ftp_blocking::tls::{ControlConnection, TlsConfig};
/// use std::io::{Read, Write};
/// use std::time::Duration;
///
/// let tls = TlsConfig::builder().build()?;
/// let session = tls.session("ftp.example.com")?;
/// let tcp = ftp_blocking::net::connect("ftp.example.com", 990, Duration::from_secs(30), None)?;
/// let mut control = ControlConnection::implicit(tcp, &session, Duration::from_secs(30))?;
/// let mut greeting = [0u8; 512];
/// let n = control.read(&mut greeting)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ControlConnection {
    inner: Control,
    /// Plain bytes that arrived inside TLS before the server's `close_notify` (after `CCC`),
    /// served before anything read from the socket.
    pending: Vec<u8>,
}

#[derive(Debug)]
enum Control {
    Plain(TcpStream),
    Tls {
        conn: Box<ClientConnection>,
        tcp: TcpStream,
        records: RecordReader,
    },
    /// After a failed upgrade or downgrade: the socket is gone.
    Closed,
}

impl ControlConnection {
    /// A plain control connection.
    pub fn plain(tcp: TcpStream) -> ControlConnection {
        ControlConnection {
            inner: Control::Plain(tcp),
            pending: Vec::new(),
        }
    }

    /// Implicit FTPS: the TLS handshake right after the TCP connect, within `timeout`.
    pub fn implicit(
        tcp: TcpStream,
        session: &TlsSession,
        timeout: Duration,
    ) -> Result<ControlConnection, TransportError> {
        let mut s = ControlConnection::plain(tcp);
        s.upgrade(session, timeout)?;
        Ok(s)
    }

    /// `AUTH TLS` was answered `234`: runs the TLS handshake on the same socket within
    /// `timeout`. Refuses with [`TransportError::PlaintextBeforeTls`] if plain bytes are still
    /// buffered here (they would be injected plaintext). After a failure the stream is closed.
    pub fn upgrade(
        &mut self,
        session: &TlsSession,
        timeout: Duration,
    ) -> Result<(), TransportError> {
        if !self.pending.is_empty() {
            return Err(TransportError::PlaintextBeforeTls(self.pending.len()));
        }
        let mut tcp = match std::mem::replace(&mut self.inner, Control::Closed) {
            Control::Plain(tcp) => tcp,
            other => {
                self.inner = other;
                return Err(TransportError::Io(io::Error::other(
                    "the control connection is not plain",
                )));
            }
        };
        let mut conn = session.connection()?;
        let mut records = RecordReader::new();
        handshake(&mut conn, &mut tcp, &mut records, timeout)?;
        self.inner = Control::Tls {
            conn: Box::new(conn),
            tcp,
            records,
        };
        Ok(())
    }

    /// `CCC` was answered `200`: sends `close_notify`, waits up to `timeout` for the server's,
    /// and continues in plain text on the same socket. Application data that arrived before
    /// the server's `close_notify` is kept and read first. After a failure the stream is closed.
    pub fn downgrade(&mut self, timeout: Duration) -> Result<(), TransportError> {
        check_timeout("TLS shutdown", timeout)?;
        let (mut conn, mut tcp, mut records) =
            match std::mem::replace(&mut self.inner, Control::Closed) {
                Control::Tls { conn, tcp, records } => (conn, tcp, records),
                other => {
                    self.inner = other;
                    return Err(TransportError::Io(io::Error::other(
                        "the control connection is not under TLS",
                    )));
                }
            };
        let saved = (tcp.read_timeout()?, tcp.write_timeout()?);
        let deadline = crate::error::deadline_after(timeout);
        let fail = |e: io::Error| TransportError::from_socket(e, Wait::TlsShutdown, timeout);
        conn.send_close_notify();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(TransportError::Timeout {
                    wait: Wait::TlsShutdown,
                    after: timeout,
                });
            }
            tcp.set_read_timeout(Some(left))?;
            tcp.set_write_timeout(Some(left))?;
            write_out(&mut conn, &mut tcp).map_err(fail)?;
            // Keep any application data still inside the TLS layer.
            let mut chunk = [0u8; 4096];
            loop {
                match conn.reader().read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(TransportError::from_io(e)),
                }
                if self.pending.len() > MAX_RECORD * 4 {
                    return Err(TransportError::Io(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "too much data before the server's close_notify",
                    )));
                }
            }
            if conn.is_handshaking() {
                return Err(TransportError::Io(io::Error::other(
                    "TLS handshake not complete",
                )));
            }
            if peer_closed(&mut conn) {
                break;
            }
            if !records.feed(&mut tcp, &mut conn).map_err(fail)? {
                return Err(TransportError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed before the server's close_notify",
                )));
            }
        }
        tcp.set_read_timeout(saved.0)?;
        tcp.set_write_timeout(saved.1)?;
        self.inner = Control::Plain(tcp);
        Ok(())
    }

    /// Whether the connection is under TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self.inner, Control::Tls { .. })
    }

    /// Whether bytes can be read without waiting on the socket: plain text kept from before a
    /// `CCC`, or decrypted text rustls holds from a record already read. A caller that polls
    /// the socket asks this first.
    pub fn has_buffered_data(&mut self) -> bool {
        if !self.pending.is_empty() {
            return true;
        }
        match &mut self.inner {
            Control::Tls { conn, .. } => conn
                .process_new_packets()
                .map(|state| state.plaintext_bytes_to_read() > 0)
                .unwrap_or(true),
            _ => false,
        }
    }

    /// The TCP socket (to set timeouts, read addresses, or shut it down); an error after a
    /// failed upgrade or downgrade closed the stream.
    pub fn tcp(&self) -> io::Result<&TcpStream> {
        match &self.inner {
            Control::Plain(tcp) | Control::Tls { tcp, .. } => Ok(tcp),
            Control::Closed => Err(closed()),
        }
    }

    /// The rustls connection while under TLS (protocol version, cipher suite, certificates).
    pub fn tls_connection(&self) -> Option<&ClientConnection> {
        match &self.inner {
            Control::Tls { conn, .. } => Some(conn),
            _ => None,
        }
    }

    /// Sends `close_notify` if under TLS (best effort, for a polite close after `QUIT`).
    pub fn close_notify(&mut self) -> io::Result<()> {
        if let Control::Tls { conn, tcp, .. } = &mut self.inner {
            conn.send_close_notify();
            write_out(conn, tcp)?;
        }
        Ok(())
    }
}

fn closed() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the control connection is closed",
    )
}

/// Whether the peer's close_notify has been processed.
fn peer_closed(conn: &mut ClientConnection) -> bool {
    conn.process_new_packets()
        .map(|state| state.peer_has_closed())
        .unwrap_or(false)
}

impl Read for ControlConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let n = buf.len().min(self.pending.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        match &mut self.inner {
            Control::Plain(tcp) => tcp.read(buf),
            Control::Tls { conn, tcp, records } => loop {
                match conn.reader().read(buf) {
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    // EOF without close_notify: an EOF all the same on the control connection.
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                    Err(e) => return Err(e),
                }
                write_out(conn, tcp)?;
                if !records.feed(tcp, conn)? {
                    // EOF: rustls knows, and its reader will say so on the next turn; make
                    // sure no loop can come of it.
                    return match conn.reader().read(buf) {
                        Ok(n) => Ok(n),
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
                        Err(e) => Err(e),
                    };
                }
            },
            Control::Closed => Err(closed()),
        }
    }
}

impl Write for ControlConnection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Control::Plain(tcp) => tcp.write(buf),
            Control::Tls { conn, tcp, .. } => {
                let n = conn.writer().write(buf)?;
                write_out(conn, tcp)?;
                Ok(n)
            }
            Control::Closed => Err(closed()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Control::Plain(tcp) => tcp.flush(),
            Control::Tls { conn, tcp, .. } => write_out(conn, tcp),
            Control::Closed => Err(closed()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Data stream

/// Bytes read from the server while waiting for it to close a finished data connection,
/// beyond which [`DataConnection::finish`] stops waiting.
pub const MAX_DRAIN_BYTES: usize = 1 << 20;

/// A data connection, plain or TLS (`PROT P`, resuming the control connection's session).
///
/// `Read + Write`. Under TLS a download that ends without the server's `close_notify` fails
/// with [`io::ErrorKind::UnexpectedEof`] carrying [`TransportError::MissingCloseNotify`]; a
/// download with `close_notify` ends with `Ok(0)`. End an upload with
/// [`DataConnection::finish`]. Dropping the stream closes it without `close_notify` (what an abort
/// wants).
///
/// ```no_run
/// use ftp_blocking::data::{DataOptions, copy};
/// use ftp_blocking::tls::{DataConnection, TlsConfig};
/// use std::time::Duration;
///
/// # let session = TlsConfig::builder().build()?.session("ftp.example.com")?;
/// let t = Duration::from_secs(30);
/// let tcp = ftp_blocking::net::connect_data("127.0.0.1:30001".parse().unwrap(), t, None)?;
/// let mut data = DataConnection::secure(tcp, &session, t)?;
/// data.set_idle_timeout(Duration::from_secs(60))?;
/// let mut file = std::fs::File::open("upload.bin")?;
/// copy(&mut file, &mut data, DataOptions::new(Duration::from_secs(60)))?;
/// data.finish(t)?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
#[derive(Debug)]
pub struct DataConnection {
    inner: Data,
    received: u64,
    eof: bool,
}

#[derive(Debug)]
enum Data {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl DataConnection {
    /// A plain data connection (`PROT C`).
    pub fn plain(tcp: TcpStream) -> DataConnection {
        DataConnection {
            inner: Data::Plain(tcp),
            received: 0,
            eof: false,
        }
    }

    /// A TLS data connection (`PROT P`): handshake within `timeout` with the control
    /// connection's server name and session store, so that it resumes the control session.
    pub fn secure(
        mut tcp: TcpStream,
        session: &TlsSession,
        timeout: Duration,
    ) -> Result<DataConnection, TransportError> {
        let mut conn = session.connection()?;
        let mut records = RecordReader::new();
        handshake(&mut conn, &mut tcp, &mut records, timeout)?;
        Ok(DataConnection {
            inner: Data::Tls(Box::new(StreamOwned::new(conn, tcp))),
            received: 0,
            eof: false,
        })
    }

    /// The TCP socket of a plain connection, to secure it with [`DataConnection::secure`] once
    /// the server has taken the transfer command (`PROT P`); `Err(self)` when already under TLS.
    ///
    /// ```no_run
    /// # use ftp_blocking::tls::{DataConnection, TlsConfig};
    /// # let session = TlsConfig::builder().build()?.session("ftp.example.com")?;
    /// # let t = std::time::Duration::from_secs(30);
    /// # let tcp = ftp_blocking::net::connect_data("127.0.0.1:30001".parse().unwrap(), t, None)?;
    /// let plain = DataConnection::plain(tcp);
    /// let tcp = plain.into_tcp().expect("plain");
    /// let secure = DataConnection::secure(tcp, &session, t)?;
    /// # Ok::<(), ftp_blocking::error::TransportError>(())
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn into_tcp(self) -> Result<TcpStream, DataConnection> {
        match self.inner {
            Data::Plain(tcp) => Ok(tcp),
            inner => Err(DataConnection { inner, ..self }),
        }
    }

    /// Whether the connection is under TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self.inner, Data::Tls(_))
    }

    /// `Some(Resumed)` when the TLS handshake resumed the control session, `Some(Full)` when
    /// not, `None` for a plain connection.
    pub fn handshake_kind(&self) -> Option<HandshakeKind> {
        match &self.inner {
            Data::Plain(_) => None,
            Data::Tls(s) => s.conn.handshake_kind(),
        }
    }

    /// The rustls connection under TLS.
    pub fn tls_connection(&self) -> Option<&ClientConnection> {
        match &self.inner {
            Data::Plain(_) => None,
            Data::Tls(s) => Some(&s.conn),
        }
    }

    /// The TCP socket (for [`Cancel::attach`](crate::data::Cancel::attach), addresses,
    /// timeouts).
    pub fn tcp(&self) -> &TcpStream {
        match &self.inner {
            Data::Plain(tcp) => tcp,
            Data::Tls(s) => &s.sock,
        }
    }

    /// Sets the socket's read and write timeouts: the idle timeout of the transfer. A stall
    /// longer than that fails the read or write (`WouldBlock`, which
    /// [`data::copy`](crate::data::copy) reports as a [`Wait::DataIdle`] timeout).
    pub fn set_idle_timeout(&self, idle: Duration) -> Result<(), TransportError> {
        check_timeout("data idle", idle)?;
        self.tcp().set_read_timeout(Some(idle))?;
        self.tcp().set_write_timeout(Some(idle))?;
        Ok(())
    }

    /// Application bytes read so far.
    pub fn bytes_received(&self) -> u64 {
        self.received
    }

    /// Ends the connection politely, within `timeout`: under TLS sends `close_notify`; then
    /// half-closes TCP and reads what the server still sends (TLS 1.3 tickets, which refill
    /// the session store; its `close_notify`) until it closes, at most [`MAX_DRAIN_BYTES`].
    /// Waiting for the server's close matters: closing a socket with unread bytes makes the
    /// kernel send a reset, which can destroy the end of an upload the server has not read yet.
    ///
    /// After a download that reached EOF this only sends `close_notify` (errors ignored: the
    /// server may be gone).
    pub fn finish(mut self, timeout: Duration) -> Result<(), TransportError> {
        check_timeout("data close", timeout)?;
        let fail = |e: io::Error| TransportError::from_socket(e, Wait::DataClose, timeout);
        let eof = self.eof;
        match &mut self.inner {
            Data::Plain(tcp) => {
                if eof {
                    return Ok(());
                }
                tcp.set_write_timeout(Some(timeout))?;
                tcp.flush().map_err(fail)?;
            }
            Data::Tls(s) => {
                s.sock.set_write_timeout(Some(timeout))?;
                s.conn.send_close_notify();
                let sent = write_out(&mut s.conn, &mut s.sock);
                if eof {
                    return Ok(());
                }
                sent.map_err(fail)?;
            }
        }
        let tcp = self.tcp();
        match tcp.shutdown(Shutdown::Write) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotConnected => return Ok(()),
            Err(e) => return Err(TransportError::Io(e)),
        }
        let deadline = crate::error::deadline_after(timeout);
        let mut drained = 0usize;
        let mut scratch = vec![0u8; 16 * 1024];
        while drained < MAX_DRAIN_BYTES {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(TransportError::Timeout {
                    wait: Wait::DataClose,
                    after: timeout,
                });
            }
            self.tcp().set_read_timeout(Some(left))?;
            let n = match &mut self.inner {
                Data::Plain(tcp) => match tcp.read(&mut scratch) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    // The server reset instead of closing: it is gone either way.
                    Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                    Err(e) => return Err(fail(e)),
                },
                Data::Tls(s) => match s.conn.read_tls(&mut s.sock) {
                    Ok(0) => 0,
                    Ok(n) => {
                        // Tickets reach the store here; errors after our close_notify don't matter.
                        if s.conn.process_new_packets().is_err() {
                            return Ok(());
                        }
                        while let Ok(m) = s.conn.reader().read(&mut scratch) {
                            if m == 0 {
                                break;
                            }
                        }
                        n
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                    Err(e) => return Err(fail(e)),
                },
            };
            if n == 0 {
                return Ok(());
            }
            drained += n;
        }
        Ok(())
    }
}

/// Whether an I/O error from a [`DataConnection`] read means the TLS data connection ended without
/// the server's `close_notify`.
///
/// ```
/// use ftp_blocking::error::TransportError;
/// let e: std::io::Error = TransportError::MissingCloseNotify { bytes: 10 }.into();
/// assert!(ftp_blocking::tls::is_missing_close_notify(&e));
/// assert!(!ftp_blocking::tls::is_missing_close_notify(&std::io::ErrorKind::UnexpectedEof.into()));
/// ```
pub fn is_missing_close_notify(e: &io::Error) -> bool {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TransportError>())
        .is_some_and(|t| matches!(t, TransportError::MissingCloseNotify { .. }))
}

impl Read for DataConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = match &mut self.inner {
            Data::Plain(tcp) => tcp.read(buf),
            Data::Tls(s) => match s.read(buf) {
                Err(e)
                    if e.kind() == io::ErrorKind::UnexpectedEof
                        && e.get_ref().is_none_or(|i| !i.is::<rustls::Error>()) =>
                {
                    self.eof = true;
                    return Err(TransportError::MissingCloseNotify {
                        bytes: self.received,
                    }
                    .into());
                }
                other => other,
            },
        };
        match result {
            Ok(0) if !buf.is_empty() => {
                self.eof = true;
                Ok(0)
            }
            Ok(n) => {
                self.received += n as u64;
                Ok(n)
            }
            Err(e) => Err(e),
        }
    }
}

impl Write for DataConnection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Data::Plain(tcp) => tcp.write(buf),
            Data::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Data::Plain(tcp) => tcp.flush(),
            Data::Tls(s) => s.flush(),
        }
    }
}
