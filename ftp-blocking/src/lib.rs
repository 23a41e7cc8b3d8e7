//! # ftp-blocking: a blocking FTP client with an ftplib-shaped API
//!
//! This placeholder crate root holds the parts that do not need a connection yet:
//! [`url`] (`ftp://` and `ftps://` URLs) and [`netrc`] (`.netrc` files).
#![forbid(unsafe_code)]

pub mod netrc;
pub mod url;
