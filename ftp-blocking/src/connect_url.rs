//! Connecting from an `ftp://` URL: [`FtpBuilder::connect_url`], which follows the core's
//! [`UrlSession`] step by step, and [`Ftp::fetch_url`], which carries out what the URL's path
//! and `;type=` ask for.

use std::io::Write;

use ftp_proto::reply::Reply;
use ftp_proto::url_session::{SetupStep, TlsMode, UrlRequest, UrlSession};

use crate::Encoding;
use crate::error::{Error, Result};
use crate::ftp::{Ftp, FtpBuilder};
use crate::netrc::{Netrc, NetrcFile};
use crate::tls::TlsConfig;
use crate::url::{FtpUrl, UrlError};

impl FtpBuilder {
    /// Connects to the host and port of an `ftp://` URL, logs in and changes to the URL's
    /// directory, one `CWD` per path segment (RFC 1738; see
    /// [`ftp_proto::url::FtpUrl::dir_segments`]). The URL's names are bytes: `%E9` reaches the
    /// server as the byte 0xE9 (user and password must be expressible in the session's
    /// [`Encoding`]: UTF-8 by default, Latin-1 takes any byte).
    ///
    /// The login comes from the URL's user and password; a missing password from the `.netrc`
    /// file for that host and user; without a user in the URL, from the `.netrc` entry for the
    /// host; else the login is anonymous (see [`FtpUrl::credentials`]). The `.netrc` file is
    /// `$NETRC`, else `~/.netrc` ([`NetrcFile::default_path`]), read only when the URL holds no
    /// password; a file that is present but malformed, or that holds passwords other users
    /// can read, is an [`Error::Netrc`](crate::Error::Netrc). When the credentials come from
    /// the file's `default` entry (not written for this host) and the session is not under
    /// TLS, a `tracing` warning says so before they are sent.
    ///
    /// TLS: an `ftps://` URL is implicit FTPS (with the trust settings of
    /// [`tls`](FtpBuilder::tls) or [`implicit_tls`](FtpBuilder::implicit_tls) if given, else the
    /// system roots); with [`tls`](FtpBuilder::tls) and an `ftp://` URL, AUTH TLS comes before
    /// USER. Either way PROT P follows the login, so that data connections are encrypted too.
    ///
    /// The password never appears in an error or in the debug output (PASS is shown as `****`).
    ///
    /// ```no_run
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::builder()
    ///     .timeout(std::time::Duration::from_secs(20))
    ///     .connect_url("ftp://alice:s3cret@127.0.0.1:2121/pub/")?;
    /// assert_eq!(ftp.pwd()?, "/pub");
    /// # Ok(()) }
    /// ```
    pub fn connect_url(self, url: &str) -> Result<Ftp> {
        let url = ftp_proto::url::FtpUrl::parse(url)?;
        let netrc = if UrlSession::wants_netrc(&url) {
            Netrc::load_default()?
        } else {
            None
        };
        self.connect_proto_url(&url, netrc.as_ref())
    }

    /// [`connect_url`](FtpBuilder::connect_url) with a parsed URL and the `.netrc` to use
    /// (`None`: none at all).
    ///
    /// ```no_run
    /// use ftp_blocking::{netrc::{Netrc, NetrcFile}, url::FtpUrl, Ftp};
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let url: FtpUrl = "ftp://127.0.0.1:2121/".parse()?;
    /// let netrc = Netrc::from_file("my-netrc".as_ref())?;
    /// let ftp = Ftp::builder().connect_url_with(&url, Some(&netrc))?;
    /// # Ok(()) }
    /// ```
    pub fn connect_url_with(self, url: &FtpUrl, netrc: Option<&Netrc>) -> Result<Ftp> {
        self.connect_proto_url(url.as_proto(), netrc)
    }

    /// [`connect_url_with`](FtpBuilder::connect_url_with) for the core's URL type, whose
    /// names need not be UTF-8.
    ///
    /// ```no_run
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let url = ftp_blocking::ftp_proto::url::FtpUrl::parse("ftp://127.0.0.1:2121/caf%E9/")?;
    /// let ftp = ftp_blocking::Ftp::builder()
    ///     .encoding(ftp_blocking::Encoding::Latin1)
    ///     .connect_proto_url(&url, None)?;
    /// # Ok(()) }
    /// ```
    pub fn connect_proto_url(
        self,
        url: &ftp_proto::url::FtpUrl,
        netrc: Option<&Netrc>,
    ) -> Result<Ftp> {
        let (tls, implicit) = self.tls_settings();
        let (tls, implicit) = (tls.cloned(), implicit);
        let mode = match (implicit, &tls) {
            (true, _) => TlsMode::Implicit,
            (false, Some(_)) => TlsMode::Explicit,
            (false, None) => TlsMode::None,
        };
        let session = UrlSession::new(url, netrc, mode);
        let builder = match (url.scheme().implicit_tls(), implicit, tls) {
            // ftps:// is implicit FTPS: with the trust settings given, else the system roots.
            (true, false, Some(config)) => self.implicit_tls(config),
            (true, false, None) => self.implicit_tls(TlsConfig::builder().build()?),
            _ => self,
        };
        if session.netrc_default_in_clear() {
            tracing::warn!(
                target: "ftp_blocking",
                host = session.host(),
                "the .netrc `default` entry (not written for this host) is sent without TLS"
            );
        }
        let mut builder = Some(builder);
        let mut ftp: Option<Ftp> = None;
        for step in session.steps() {
            match step {
                SetupStep::Connect { host, port, .. } => {
                    let builder = builder
                        .take()
                        .ok_or(Error::InvalidOption("connect twice"))?;
                    ftp = Some(builder.connect(host, port)?);
                }
                step => {
                    let ftp = ftp.as_mut().ok_or(Error::InvalidOption("not connected"))?;
                    match step {
                        SetupStep::SecureControl => {
                            ftp.auth()?;
                        }
                        SetupStep::Login {
                            user,
                            password,
                            account,
                        } => {
                            let encoding = ftp.encoding();
                            let user = text(encoding, user, "user")?;
                            let password = text(encoding, password, "password")?;
                            let account = text(encoding, account, "account")?;
                            ftp.login(&user, &password, &account)?;
                        }
                        SetupStep::ProtectData => {
                            ftp.prot_p()?;
                        }
                        SetupStep::Cwd(dir) => {
                            ftp.cwd_bytes(dir)?;
                        }
                        SetupStep::Connect { .. } => {}
                    }
                }
            }
        }
        ftp.ok_or(Error::InvalidOption("the URL set-up has no connect step"))
    }
}

/// `bytes` as the string that the session's encoding turns back into exactly these bytes;
/// else the URL error for `what` (never quoting the bytes).
fn text(encoding: Encoding, bytes: &[u8], what: &'static str) -> Result<String> {
    let s = encoding.decode(bytes);
    match encoding.encode(&s) {
        Ok(again) if again == bytes => Ok(s),
        _ => Err(Error::Url(UrlError::NotUtf8 { what })),
    }
}

impl Ftp {
    /// Carries out what a URL asks for once [`connect_url`](FtpBuilder::connect_url) has set
    /// the session up, its `;type=` honoured ([`UrlSession::request`]): a directory is listed
    /// (LIST, one line each), `;type=d` lists names (NLST, one per line), a file is retrieved
    /// in binary (TYPE I), or in ASCII with `;type=a` (TYPE A, lines ending in `\n`). Everything
    /// goes to `out`; returns the final reply.
    ///
    /// ```no_run
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let url = "ftp://127.0.0.1:2121/pub;type=d";
    /// let mut ftp = ftp_blocking::Ftp::builder().connect_url(url)?;
    /// ftp.fetch_url(url, &mut std::io::stdout())?; // the names in pub/
    /// # Ok(()) }
    /// ```
    pub fn fetch_url(&mut self, url: &str, out: &mut impl Write) -> Result<Reply> {
        let url = ftp_proto::url::FtpUrl::parse(url)?;
        let session = UrlSession::new(&url, None, TlsMode::None);
        self.fetch_url_request(session.request(), out)
    }

    /// [`fetch_url`](Ftp::fetch_url) for a request already taken from a [`UrlSession`].
    pub fn fetch_url_request(
        &mut self,
        request: UrlRequest<'_>,
        out: &mut impl Write,
    ) -> Result<Reply> {
        let mut failed: Option<std::io::Error> = None;
        let mut line = |text: &str| {
            if failed.is_none()
                && let Err(e) = writeln!(out, "{text}")
            {
                failed = Some(e);
            }
        };
        let reply = match request {
            UrlRequest::List => self.retrlines("LIST", &mut line)?,
            UrlRequest::ListNames => self.retrlines("NLST", &mut line)?,
            UrlRequest::Retrieve {
                name,
                transfer_type: ftp_proto::TransferType::Ascii,
            } => {
                let name = text(self.encoding(), name, "path")?;
                self.retrlines(&format!("RETR {name}"), &mut line)?
            }
            UrlRequest::Retrieve { name, .. } => {
                let mut reader = self.retr_bytes(name, None)?;
                reader.copy_to(out)?;
                return reader.finish();
            }
        };
        match failed {
            Some(e) => Err(Error::Io(e)),
            None => Ok(reply),
        }
    }
}
