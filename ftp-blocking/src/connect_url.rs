//! Connecting from an `ftp://` URL: [`FtpBuilder::connect_url`].

use crate::error::Result;
use crate::ftp::{Ftp, FtpBuilder};
use crate::netrc::Netrc;
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
        let mut builder = self;
        if url.scheme().implicit_tls() && !builder.config_implicit_tls() {
            // ftps:// is implicit FTPS: the TLS configuration given with tls() is kept,
            // else the default (system roots, verified host names).
            let config = match builder.tls_config() {
                Some(config) => config.clone(),
                None => crate::tls::TlsConfig::builder().build()?,
            };
            builder = builder.implicit_tls(config);
        }
        let mut ftp = builder.connect(url.host(), url.port())?;
        let login = url.credentials(netrc);
        ftp.login(login.user(), login.password(), login.account())?;
        let dir = url.dir();
        if !dir.is_empty() {
            ftp.cwd(dir)?;
        }
        Ok(ftp)
    }
}
