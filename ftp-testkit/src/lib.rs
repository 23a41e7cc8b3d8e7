//! Test servers for the ftp-rs adapters (dev-only, not published).
//!
//! - [`scripted`]: an in-process server that follows a script of exact bytes (odd replies,
//!   disconnects, slow bytes, passive and active data connections), on std threads so that
//!   blocking, tokio and async-std tests can all use it.
//! - [`embedded`]: the libunftp server on a temporary directory and a free loopback port, with
//!   active mode and optional FTPS.
//! - [`certs`]: throwaway certificates (a test CA, a server certificate for localhost,
//!   127.0.0.1 and ::1, one for another name, a self-signed one).
//! - [`hostile`]: the hostile suite of issue 13, a table of misbehaving-server scenarios
//!   that every adapter runs (a runner per adapter maps its errors to [`hostile::ErrorKind`]).
//! - [`real`]: the vsftpd, pure-ftpd, proftpd and pyftpdlib servers that
//!   `scripts/real-servers.sh` starts, read from the variables of its `servers.env`.
//!
//! Everything binds loopback addresses only.
#![forbid(unsafe_code)]

pub mod certs;
pub mod embedded;
pub mod hostile;
pub mod real;
pub mod scripted;
