//! The real servers started by `scripts/real-servers.sh` (vsftpd, pure-ftpd, proftpd,
//! pyftpdlib), as described by the variables of its `servers.env`.
//!
//! `scripts/real-servers-test.sh` installs and starts the servers, exports `servers.env` and
//! runs `cargo test -p ftp-blocking --test real_servers -- --include-ignored`; such tests read
//! their server here. Outside that script the variables are missing and [`RealServer::from_env`]
//! returns `None` (mark those tests `#[ignore]`).
//!
//! ```
//! use ftp_testkit::real::{RealServer, ServerKind};
//! // Outside scripts/real-servers-test.sh the variables are usually not set.
//! if let Some(vsftpd) = RealServer::from_env(ServerKind::Vsftpd) {
//!     assert!(vsftpd.addr.ip().is_loopback());
//!     assert!(vsftpd.tls_session_reuse_required);
//! }
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;

/// Which real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerKind {
    /// vsftpd 3.0.3: no MLSD, requires TLS session reuse, TLS 1.2 and 1.3.
    Vsftpd,
    /// pure-ftpd 1.0.50: MLSD, CCC, multi-line greeting and 226 replies.
    PureFtpd,
    /// proftpd 1.3.8: MLSD, CCC, requires TLS session reuse, TLS versions configurable.
    Proftpd,
    /// pyftpdlib 2.x: MLSD, 125 instead of 150 on RETR.
    Pyftpdlib,
}

impl ServerKind {
    /// All four, in the order the scripts start them.
    pub const ALL: [ServerKind; 4] = [
        ServerKind::Vsftpd,
        ServerKind::PureFtpd,
        ServerKind::Proftpd,
        ServerKind::Pyftpdlib,
    ];

    /// The infix of its variables: `FTP_{prefix}_ADDR`.
    ///
    /// ```
    /// assert_eq!(ftp_testkit::real::ServerKind::PureFtpd.env_prefix(), "PUREFTPD");
    /// ```
    pub fn env_prefix(self) -> &'static str {
        match self {
            ServerKind::Vsftpd => "VSFTPD",
            ServerKind::PureFtpd => "PUREFTPD",
            ServerKind::Proftpd => "PROFTPD",
            ServerKind::Pyftpdlib => "PYFTPDLIB",
        }
    }
}

/// One running real server, read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealServer {
    /// Which server.
    pub kind: ServerKind,
    /// Its control address (127.0.0.1 and a fixed high port).
    pub addr: SocketAddr,
    /// The login user (a system or DummyAuthorizer user with a writable, chrooted home).
    pub user: String,
    /// Its password.
    pub password: String,
    /// The user's home on disk (`/` for the user): check uploads here.
    pub home: PathBuf,
    /// The anonymous root on disk (read-only for FTP users).
    pub anon_root: PathBuf,
    /// The PEM CA certificate to trust; it signed the certificate every server presents
    /// (for localhost, 127.0.0.1 and ::1).
    pub ca_file: PathBuf,
    /// The TLS server name to verify (`localhost`).
    pub tls_server_name: String,
    /// The TLS versions the server offers, e.g. `["1.2", "1.3"]`.
    pub tls_versions: Vec<String>,
    /// Whether data connections under PROT P must resume the control connection's TLS
    /// session (vsftpd and proftpd).
    pub tls_session_reuse_required: bool,
    /// The samples folder in every root (`listing-samples`).
    pub sample_dir: String,
    /// A 1 MiB file of random bytes in every root.
    pub sample_bin: String,
    /// Its SHA-256, lower-case hex.
    pub sample_bin_sha256: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl RealServer {
    /// The server's description from `FTP_*` variables, or `None` when they are not set.
    pub fn from_env(kind: ServerKind) -> Option<RealServer> {
        let p = kind.env_prefix();
        let addr: SocketAddr = var(&format!("FTP_{p}_ADDR"))?.parse().ok()?;
        if !addr.ip().is_loopback() {
            // The project talks to loopback servers only.
            return None;
        }
        Some(RealServer {
            kind,
            addr,
            user: var(&format!("FTP_{p}_USER"))?,
            password: var(&format!("FTP_{p}_PASSWORD"))?,
            home: var(&format!("FTP_{p}_HOME"))?.into(),
            anon_root: var("FTP_ANON_ROOT")?.into(),
            ca_file: var("FTP_CA_FILE")?.into(),
            tls_server_name: var("FTP_TLS_SERVER_NAME").unwrap_or_else(|| "localhost".into()),
            tls_versions: var(&format!("FTP_{p}_TLS_VERSIONS"))
                .unwrap_or_else(|| "1.2 1.3".into())
                .trim_matches('\'')
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            tls_session_reuse_required: var(&format!("FTP_{p}_TLS_SESSION_REUSE_REQUIRED"))
                .is_some_and(|v| v == "1"),
            sample_dir: var("FTP_SAMPLE_DIR").unwrap_or_else(|| "listing-samples".into()),
            sample_bin: var("FTP_SAMPLE_BIN").unwrap_or_else(|| "sample.bin".into()),
            sample_bin_sha256: var("FTP_SAMPLE_BIN_SHA256")?,
        })
    }

    /// Like [`from_env`](Self::from_env), but panics with instructions when the variables are
    /// missing: for `#[ignore]`d tests that only run under `scripts/real-servers-test.sh`.
    pub fn require(kind: ServerKind) -> RealServer {
        RealServer::from_env(kind).unwrap_or_else(|| {
            panic!(
                "FTP_{}_* variables are not set: run scripts/real-servers-test.sh (or source the \
                 servers.env that `scripts/real-servers.sh start DIR` writes)",
                kind.env_prefix()
            )
        })
    }

    /// Every server whose variables are set.
    pub fn all_from_env() -> Vec<RealServer> {
        ServerKind::ALL
            .into_iter()
            .filter_map(RealServer::from_env)
            .collect()
    }

    /// Whether the server offers this TLS version (`"1.2"` or `"1.3"`).
    pub fn offers_tls(&self, version: &str) -> bool {
        self.tls_versions.iter().any(|v| v == version)
    }
}
