//! Blocking FTP and FTPS client over `std::net` sockets and rustls, driven by the sans-IO
//! `ftp-proto` core.
//!
//! This crate is built in layers. The transport layer is here now:
//!
//! - [`net`]: the control connection (a connect timeout that also bounds name resolution,
//!   every resolved address tried, source address, `TCP_NODELAY`, TCP keepalive) and the data
//!   connections of passive and active mode (connect, listen, accept with a deadline).
//! - [`data`]: the data plane in constant memory: large-buffer copy loops for any stream and
//!   kernel zero-copy (`sendfile` up, `splice` down) for plain TCP, each with an idle
//!   timeout, progress reports and cancellation from another thread.
//! - [`tls`]: FTPS with rustls (ring): trust settings, a session store that makes every data
//!   connection resume the control connection's session, a control stream upgraded in place
//!   (`AUTH TLS`, implicit FTPS) and downgraded (`CCC`), and a data stream that ends with
//!   `close_notify` and reports a missing one.
//! - [`error`]: the error type of these layers.
//! - [`url`]: `ftp://` and `ftps://` URLs; [`netrc`]: `.netrc` files.
//!
//! The ftplib-shaped client that drives the `ftp-proto` state machine over these modules
//! comes on top of them (`ftp.rs`, `session.rs`).
//!
//! ```no_run
//! use ftp_blocking::data::{DataOptions, download_file};
//! use std::time::Duration;
//!
//! let t = Duration::from_secs(30);
//! let control = ftp_blocking::net::connect("localhost", 21, t, None)?;
//! // ... the protocol core says PASV answered 127.0.0.1:30001 and RETR was accepted ...
//! let data = ftp_blocking::net::connect_data("127.0.0.1:30001".parse().unwrap(), t, None)?;
//! let mut file = std::fs::File::create("download.bin")?;
//! let bytes = download_file(&data, &mut file, DataOptions::new(Duration::from_secs(60)))?;
//! # drop(control);
//! # Ok::<(), ftp_blocking::error::TransportError>(())
//! ```
#![forbid(unsafe_code)]

pub mod data;
pub mod error;
pub mod net;
pub mod netrc;
pub mod tls;
pub mod url;
