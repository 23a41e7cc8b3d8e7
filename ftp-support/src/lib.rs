//! # ftp-support: what every ftp-rs adapter needs that is not FTP
//!
//! The FTP protocol lives in [`ftp_proto`] (sans-IO); each adapter (`ftp-blocking` today,
//! tokio and async-std adapters next) owns its sockets. Between the two sits this crate, with
//! no sockets either, shared by every adapter so that none keeps a copy:
//!
//! - [`tls`]: the rustls `ClientConfig` builder with the single **ring** provider and the
//!   system roots (`rustls-native-certs`), the certificate options (CA file, PEM or DER, a
//!   whole `ClientConfig`, `danger_accept_invalid_certs`), and [`tls::FtpsSessionStore`], the
//!   session store that keeps data connections resumable (TLS 1.3 tickets included). Async
//!   adapters take [`tls::TlsSession::client_config`], an `Arc<rustls::ClientConfig>`.
//! - [`netrc`]: the `.netrc` file: where it is (`$NETRC`, `~/.netrc`), reading it (at most
//!   1 MiB), and refusing it when it holds passwords that other users can read.
//!
//! URL parsing and the session set-up a URL describes are in the core
//! ([`ftp_proto::url`], [`ftp_proto::url_session`]): they need no I/O at all.
#![forbid(unsafe_code)]

pub mod netrc;
pub mod tls;

pub use ftp_proto;
pub use rustls;
