//! Connecting from an `ftp://` URL: [`FtpBuilder::connect_url`].

use crate::error::Result;
use crate::ftp::{Ftp, FtpBuilder};
use crate::netrc::Netrc;
use crate::tls::TlsConfig;
use crate::url::FtpUrl;

impl FtpBuilder {
    /// Connects to the host and port of an `ftp://` URL, logs in and changes to the URL's
    /// directory ([`FtpUrl::dir`]).
    ///
    /// The login comes from the URL's user and password; a missing password from the `.netrc`
    /// file for that host and user; without a user in the URL, from the `.netrc` entry for the
    /// host; else the login is anonymous (see [`FtpUrl::credentials`]). The `.netrc` file is
    /// `$NETRC`, else `~/.netrc` ([`Netrc::default_path`]), read only when the URL holds no
    /// password; a file that is present but malformed is an [`Error::Netrc`](crate::Error::Netrc).
    ///
    /// TLS: an `ftps://` URL is implicit FTPS (with the trust settings of
    /// [`tls`](FtpBuilder::tls) or [`implicit_tls`](FtpBuilder::implicit_tls) if given, else the
    /// system roots); with [`tls`](FtpBuilder::tls) and an `ftp://` URL, the login is
    /// [`login_secure`](Ftp::login_secure) (AUTH TLS first). Either way PROT P follows the login,
    /// so that data connections are encrypted too.
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
        let url = FtpUrl::parse(url)?;
        let netrc = if url.password().is_none() {
            Netrc::load_default()?
        } else {
            None
        };
        self.connect_url_with(&url, netrc.as_ref())
    }

    /// [`connect_url`](FtpBuilder::connect_url) with a parsed URL and the `.netrc` to use
    /// (`None`: none at all).
    ///
    /// ```no_run
    /// use ftp_blocking::{netrc::Netrc, url::FtpUrl, Ftp};
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let url: FtpUrl = "ftp://127.0.0.1:2121/".parse()?;
    /// let netrc = Netrc::from_file("my-netrc".as_ref())?;
    /// let ftp = Ftp::builder().connect_url_with(&url, Some(&netrc))?;
    /// # Ok(()) }
    /// ```
    pub fn connect_url_with(self, url: &FtpUrl, netrc: Option<&Netrc>) -> Result<Ftp> {
        let (tls, implicit) = self.tls_settings();
        let (tls, implicit) = (tls.cloned(), implicit);
        let builder = match (url.scheme().implicit_tls(), implicit, tls.clone()) {
            // ftps:// is implicit FTPS: with the trust settings given, else the system roots.
            (true, false, Some(config)) => self.implicit_tls(config),
            (true, false, None) => self.implicit_tls(TlsConfig::builder().build()?),
            _ => self,
        };
        let implicit = implicit || url.scheme().implicit_tls();
        let explicit = tls.is_some() && !implicit;
        let mut ftp = builder.connect(url.host(), url.port())?;
        let login = url.credentials(netrc);
        if explicit {
            // AUTH TLS before USER, so that the password never goes in clear.
            ftp.login_secure(login.user(), login.password(), login.account())?;
        } else {
            ftp.login(login.user(), login.password(), login.account())?;
        }
        if explicit || implicit {
            // Data connections encrypted too (PBSZ 0, PROT P), as curl does for ftps://.
            ftp.prot_p()?;
        }
        let dir = url.dir();
        if !dir.is_empty() {
            ftp.cwd(dir)?;
        }
        Ok(ftp)
    }
}
