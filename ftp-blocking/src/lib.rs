//! # ftp-blocking: a blocking FTP client shaped after Python's ftplib
//!
//! [`Ftp`] is ftplib's `FTP` class over `std::net` sockets: the same method names
//! (`login`, `retrbinary`, `storlines`, `mlsd`, `sendcmd`, ...) and the same behaviour, plus
//! Rust-native forms beside them: [`Ftp::retr`] returns a [`std::io::Read`], [`Ftp::stor`] a
//! [`std::io::Write`], [`Ftp::mlsd`] and [`Ftp::list`] stream parsed entries. Errors map onto
//! ftplib's exception classes (see [`Error`]).
//!
//! The crate is a thin driver of the sans-IO core [`ftp_proto::client::Client`]: it owns the
//! sockets and the clock, and the core makes every protocol decision (which reply is an error,
//! the PASV address distrust, the active-mode peer check, the ABOR dialogue).
//!
//! ```no_run
//! use ftp_blocking::Ftp;
//! # fn main() -> ftp_blocking::Result<()> {
//! let mut ftp = Ftp::connect("127.0.0.1", 2121)?;
//! ftp.login("anonymous", "", "")?;
//! ftp.cwd("pub")?;
//! for entry in ftp.mlsd("", &[])? {
//!     println!("{}", entry?.name_lossy());
//! }
//! let mut readme = String::new();
//! std::io::Read::read_to_string(&mut ftp.retr("README", None)?, &mut readme)?;
//! println!("{}", ftp.quit()?);
//! # Ok(()) }
//! ```
//!
//! Layers: [`Ftp`] drives the core over the transport modules: [`net`] (connections with
//! deadlines, source address, keepalive), [`data`] (the constant-memory data plane with large
//! buffers and kernel zero-copy), [`tls`] (rustls configuration, session resumption for data
//! connections, the upgradable control stream). Their errors are [`error::TransportError`].
//! The TLS configuration and session store, and the `.netrc` file lookup, come from the
//! `ftp-support` crate every adapter shares; URL and `.netrc` parsing from [`ftp_proto`].
//!
//! Conveniences on top: [`url`] (`ftp://` and `ftps://` URLs, [`FtpBuilder::connect_url`]),
//! [`netrc`] (`.netrc` files), [`Ftp::download_file`] and [`Ftp::upload_file`] (resume and
//! progress), [`Ftp::walk`] (a recursive walk of a remote tree, for mirroring).
//!
//! Timeouts: every wait is bounded (connect with name resolution, each reply, opening a data
//! connection, data idleness, the final reply), see [`FtpBuilder`]. Memory: transfers move data
//! through fixed buffers, listings are parsed as they stream.
#![forbid(unsafe_code)]

mod connect_url;
pub mod data;
mod debug;
mod driver;
pub mod error;
mod ftp;
mod iter;
pub mod net;
pub mod netrc;
mod stream;
pub mod tls;
mod transfer_file;
pub mod url;
mod walk;

pub use driver::AbortHandle;
pub use error::{Error, Result, into_ftp_error};
pub use ftp::{
    BlockCallback, DEFAULT_BLOCKSIZE, DEFAULT_MAX_NLST_NAMES, Encoding, FTP_PORT, Ftp, FtpBuilder,
    IMPLICIT_FTPS_PORT, MAXLINE,
};
pub use iter::{ListIter, MlsdIter};
pub use stream::{DataStream, RetrReader, StorWriter};
pub use tls::TlsConfig;
pub use transfer_file::{
    DEFAULT_FILE_BUFFER, PARTIAL_SUFFIX, Progress, TransferOptions, partial_path,
};
pub use walk::{DEFAULT_WALK_DEPTH, DEFAULT_WALK_DIR_ENTRIES, DirItem, Walk, WalkEntry};

pub use ftp_proto;

/// The README's Rust examples, compiled (and run where not `no_run`) as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
