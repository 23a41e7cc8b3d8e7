//! TLS for FTPS, without sockets: the rustls `ClientConfig` builder (the ring provider only,
//! system roots through `rustls-native-certs`, extra CAs, a whole `ClientConfig`, or no
//! verification at all), and the session store that keeps data connections resumable.
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
//! address). An async adapter hands [`TlsSession::client_config`] (an `Arc<ClientConfig>`)
//! and [`TlsSession::server_name`] to tokio-rustls or futures-rustls for every connection.
//!
//! - TLS 1.2: the session (id or ticket) is handed out by copy and never removed, so every
//!   data connection resumes it.
//! - TLS 1.3: rustls spends a ticket once, and its ticket type (`Tls13ClientSessionValue`)
//!   cannot be copied in rustls 0.23, so no store can hand the same ticket out twice. The store
//!   keeps a small pool instead: the control connection's tickets, then every ticket a data
//!   connection receives, handed out newest first. **Every data connection must read the
//!   tickets its server sends, uploads included** (send `close_notify`, then read the server's
//!   remaining records until it closes). An upload that never reads leaves its fresh tickets
//!   unread, which is why a plain shared cache passes the first transfers and fails a later
//!   one. proftpd 1.3.8 under TLS 1.3 sends no ticket on an upload at all, so a session there
//!   can resume at most two uploads: use TLS 1.2 with it ([`TlsConfigBuilder::protocol_versions`])
//!   or its `TLSOptions NoSessionReuseRequired`. The measurements per server are in
//!   ftp-blocking's `tls` module and in `docs/DESIGN.md`.
//!
//! ```
//! use ftp_support::tls::TlsConfig;
//!
//! # let ca = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
//! # let pem = ca.cert.pem();
//! let tls = TlsConfig::builder().system_roots(false).add_ca_pem(pem.as_bytes())?.build()?;
//! let session = tls.session("localhost")?;
//! // Every connection of the session shares one config, store and server name.
//! let config = session.client_config().clone(); // Arc<rustls::ClientConfig>, for tokio-rustls
//! assert_eq!(session.server_name().to_str(), "localhost");
//! let _control = session.client_connection()?;
//! # let _ = config;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{
    ClientSessionStore, Resumption, Tls12ClientSessionValue, Tls13ClientSessionValue,
};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, NamedGroup, RootCertStore,
    SignatureScheme, SupportedProtocolVersion,
};

/// Why a TLS configuration or session could not be set up. Adapters wrap it in their own
/// error type (ftp-blocking: `TransportError`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsSetupError {
    /// rustls refused the settings (for example an empty list of versions).
    #[error("TLS error: {0}")]
    Tls(#[from] rustls::Error),
    /// A certificate or CA file could not be read or parsed, or no trust anchor is available.
    #[error("certificate error: {0}")]
    Certificate(String),
    /// The host name is not a valid TLS server name.
    #[error("invalid TLS server name {0:?}")]
    InvalidServerName(String),
}

/// The crypto provider of the workspace: ring (one provider in the whole program, see
/// `docs/DESIGN.md`).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

// ---------------------------------------------------------------------------------------------
// Configuration

/// The TLS settings of a client: a rustls `ClientConfig` without resumption state. Make one per
/// application and a [`TlsSession`] per control connection from it.
///
/// ```no_run
/// use ftp_support::tls::TlsConfig;
///
/// let tls = TlsConfig::builder().add_ca_file("/etc/ftp/ca.pem")?.build()?;
/// let session = tls.session("ftp.example.com")?;
/// # Ok::<(), ftp_support::tls::TlsSetupError>(())
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
    /// use ftp_support::tls::TlsConfig;
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
    /// # let tls = ftp_support::tls::TlsConfig::builder()
    /// #     .danger_accept_invalid_certs(true).build()?;
    /// let session = tls.session("[::1]")?;
    /// assert_eq!(session.server_name().to_str(), "::1");
    /// # Ok::<(), ftp_support::tls::TlsSetupError>(())
    /// ```
    pub fn session(&self, host: &str) -> Result<TlsSession, TlsSetupError> {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let server_name = ServerName::try_from(bare.to_owned())
            .map_err(|_| TlsSetupError::InvalidServerName(host.to_owned()))?;
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
    pub fn add_ca_file(self, path: impl AsRef<Path>) -> Result<Self, TlsSetupError> {
        let path = path.as_ref();
        let pem = std::fs::read(path)
            .map_err(|e| TlsSetupError::Certificate(format!("{}: {e}", path.display())))?;
        self.add_ca_pem(&pem)
            .map_err(|e| TlsSetupError::Certificate(format!("{}: {e}", path.display())))
    }

    /// Also trusts every certificate in PEM text.
    ///
    /// ```
    /// # let ca = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    /// # let pem = ca.cert.pem();
    /// let tls = ftp_support::tls::TlsConfig::builder()
    ///     .system_roots(false)
    ///     .add_ca_pem(pem.as_bytes())?
    ///     .build()?;
    /// # Ok::<(), ftp_support::tls::TlsSetupError>(())
    /// ```
    pub fn add_ca_pem(mut self, pem: &[u8]) -> Result<Self, TlsSetupError> {
        let before = self.extra_roots.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| TlsSetupError::Certificate(e.to_string()))?;
            self.extra_roots.push(cert);
        }
        if self.extra_roots.len() == before {
            return Err(TlsSetupError::Certificate(
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
    /// let tls = ftp_support::tls::TlsConfig::builder()
    ///     .protocol_versions(&[&rustls::version::TLS12])
    ///     .danger_accept_invalid_certs(true)
    ///     .build()?;
    /// # Ok::<(), ftp_support::tls::TlsSetupError>(())
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
    pub fn build(self) -> Result<TlsConfig, TlsSetupError> {
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
                    .map_err(|e| TlsSetupError::Certificate(e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(TlsSetupError::Certificate(
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
/// are pooled (handed out newest first; the newest [`MAX_TLS13_TICKETS`] kept) and refilled by
/// every data connection, which must therefore read the tickets its server sends (ftp-blocking's
/// `DataConnection` does).
///
/// ```
/// use ftp_support::tls::FtpsSessionStore;
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
/// # let tls = ftp_support::tls::TlsConfig::builder()
/// #     .danger_accept_invalid_certs(true).build()?;
/// let session = tls.session("ftp.example.com")?;
/// assert_eq!(session.server_name().to_str(), "ftp.example.com");
/// # Ok::<(), ftp_support::tls::TlsSetupError>(())
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

    /// A new rustls client connection for this session (control or data): the session's
    /// config and server name. Blocking adapters drive it over their socket; async adapters
    /// can pass [`client_config`](Self::client_config) and [`server_name`](Self::server_name)
    /// to tokio-rustls or futures-rustls instead.
    pub fn client_connection(&self) -> Result<ClientConnection, rustls::Error> {
        ClientConnection::new(self.config.clone(), self.server_name.clone())
    }
}
