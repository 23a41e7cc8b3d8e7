//! `ftp://` and `ftps://` URLs as text: the parser is the core's ([`ftp_proto::url`], bytes,
//! no URL crate); this module gives the `&str` view the rest of this crate's API takes.
//!
//! ```text
//! ftp://[user[:password]@]host[:port][/path][;type=a|i|d]
//! ftps://...            implicit FTPS (TLS from the first byte), port 990 by default, as curl reads it
//! ```
//!
//! The user name, password and path are percent-decoded (`%40` is `@`, `%2F` is `/`) and must
//! be UTF-8 here ([`UrlError::NotUtf8`] otherwise); [`FtpUrl::as_proto`] gives the bytes, and
//! [`FtpBuilder::connect_url`](crate::FtpBuilder::connect_url) works from the bytes, so a
//! Latin-1 name such as `%E9` still reaches the server. The path is relative to the login
//! directory, as RFC 1738 and curl read it: `ftp://host/pub/a.txt` is `pub/a.txt` under
//! wherever the server put the session; an absolute path is written with a doubled slash
//! (`ftp://host//etc/motd`) or an encoded one (`ftp://host/%2Fetc/motd`). A path that ends with
//! `/` (or is empty) names a directory.
//!
//! The password never shows: [`FtpUrl`]'s `Debug` and `Display` print `****` in its place, and
//! no [`UrlError`] holds any part of the input past the scheme.
//!
//! ```
//! use ftp_blocking::url::{FtpUrl, Scheme};
//!
//! let url: FtpUrl = "ftp://alice:s%40cret@127.0.0.1:2121/pub/file.txt".parse()?;
//! assert_eq!(url.scheme(), Scheme::Ftp);
//! assert_eq!(url.host(), "127.0.0.1");
//! assert_eq!(url.port(), 2121);
//! assert_eq!(url.user(), Some("alice"));
//! assert_eq!(url.password(), Some("s@cret"));
//! assert_eq!(url.path(), "pub/file.txt");
//! assert_eq!(url.dir(), "pub");
//! assert_eq!(url.file_name(), Some("file.txt"));
//! // The password is never printed.
//! assert_eq!(url.to_string(), "ftp://alice:****@127.0.0.1:2121/pub/file.txt");
//! assert!(!format!("{url:?}").contains("cret"));
//!
//! let secure: FtpUrl = "ftps://[::1]/".parse()?;
//! assert_eq!((secure.host(), secure.port()), ("::1", 990));
//! assert!(secure.scheme().implicit_tls());
//! # Ok::<(), ftp_blocking::url::UrlError>(())
//! ```

use std::fmt;
use std::str::FromStr;

pub use ftp_proto::url::{Scheme, SyntaxError, Typecode, UrlError};
use ftp_proto::url_session::{TlsMode, UrlSession};

use crate::netrc::Netrc;

/// Connection parameters parsed from an `ftp://` or `ftps://` URL, with its text parts known
/// to be UTF-8. See the [module documentation](self) for the syntax and an example.
#[derive(Clone, PartialEq, Eq)]
pub struct FtpUrl {
    inner: ftp_proto::url::FtpUrl,
    user: Option<String>,
    password: Option<String>,
    path: String,
}

impl FtpUrl {
    /// Parses `input`; the same as `input.parse::<FtpUrl>()`.
    ///
    /// ```
    /// let url = ftp_blocking::url::FtpUrl::parse("ftp://example.invalid")?;
    /// assert_eq!((url.port(), url.user(), url.path()), (21, None, ""));
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn parse(input: &str) -> Result<FtpUrl, UrlError> {
        FtpUrl::try_from(ftp_proto::url::FtpUrl::parse(input)?)
    }

    /// The core's URL: bytes, segments.
    ///
    /// ```
    /// let url = ftp_blocking::url::FtpUrl::parse("ftp://h/a/b/c.txt")?;
    /// assert_eq!(url.as_proto().dir_segments(), [&b"a"[..], b"b"]);
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn as_proto(&self) -> &ftp_proto::url::FtpUrl {
        &self.inner
    }

    /// `ftp` or `ftps`.
    ///
    /// ```
    /// use ftp_blocking::url::{FtpUrl, Scheme};
    /// assert_eq!(FtpUrl::parse("FTPS://h/")?.scheme(), Scheme::Ftps);
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.inner.scheme()
    }

    /// The host name or address to connect to, IPv6 addresses without brackets.
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://[::1]:2121/")?.host(), "::1");
    /// assert_eq!(FtpUrl::parse("ftp://FTP.Example.Invalid/")?.host(), "ftp.example.invalid");
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn host(&self) -> &str {
        self.inner.host()
    }

    /// The port: the one written, else 21 (`ftp`) or 990 (`ftps`).
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://h/")?.port(), 21);
    /// assert_eq!(FtpUrl::parse("ftps://h:21/")?.port(), 21);
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn port(&self) -> u16 {
        self.inner.port()
    }

    /// The percent-decoded user name, if the URL holds a non-empty one.
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://me%40example.invalid@h/")?.user(), Some("me@example.invalid"));
    /// assert_eq!(FtpUrl::parse("ftp://h/")?.user(), None);
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The percent-decoded password, if the URL holds a non-empty one. Handle with care:
    /// this is the only way the password leaves an [`FtpUrl`].
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://u:a%3Ab@h/")?.password(), Some("a:b"));
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The same URL with `password` in place of its own (an empty one removes it), for a
    /// password given some other way than in the URL text. CR, LF and NUL are refused.
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// let url = FtpUrl::parse("ftp://alice@h/")?.with_password("from-env")?;
    /// assert_eq!(url.password(), Some("from-env"));
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn with_password(self, password: &str) -> Result<FtpUrl, UrlError> {
        let inner = self.inner.with_password(password.as_bytes().to_vec())?;
        FtpUrl::try_from(inner)
    }

    /// The percent-decoded path with the leading `/` and any `;type=` suffix removed, relative
    /// to the login directory unless it starts with `/`. Empty when the URL has no path.
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://h/pub/my%20file;type=i")?.path(), "pub/my file");
    /// assert_eq!(FtpUrl::parse("ftp://h//etc/motd")?.path(), "/etc/motd");
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The `;type=` suffix, if any.
    ///
    /// ```
    /// use ftp_blocking::url::{FtpUrl, Typecode};
    /// assert_eq!(FtpUrl::parse("ftp://h/a.txt;type=a")?.typecode(), Some(Typecode::Ascii));
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn typecode(&self) -> Option<Typecode> {
        self.inner.typecode()
    }

    /// Whether the path names a directory: it is empty, ends with `/`, or the URL says
    /// `;type=d`.
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// assert!(FtpUrl::parse("ftp://h/pub/")?.is_dir());
    /// assert!(!FtpUrl::parse("ftp://h/pub")?.is_dir());
    /// assert!(FtpUrl::parse("ftp://h/pub;type=d")?.is_dir());
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn is_dir(&self) -> bool {
        self.inner.is_dir()
    }

    /// The directory the URL names, as one path: the whole path when it names a directory,
    /// else everything before its last segment ([`file_name`](Self::file_name)). Empty means "stay in the login directory"; `/` is
    /// the root. Trailing slashes are removed (except for the root).
    /// [`connect_url`](crate::FtpBuilder::connect_url) changes into it one segment at a time
    /// ([`ftp_proto::url::FtpUrl::dir_segments`]), as RFC 1738 asks.
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://h/a/b/c.txt")?.dir(), "a/b");
    /// assert_eq!(FtpUrl::parse("ftp://h/a/b/")?.dir(), "a/b");
    /// assert_eq!(FtpUrl::parse("ftp://h//c.txt")?.dir(), "/");
    /// assert_eq!(FtpUrl::parse("ftp://h/c.txt")?.dir(), "");
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn dir(&self) -> &str {
        let dir = match self.file_name() {
            Some(name) => &self.path[..self.path.len() - name.len()],
            None => self.path.as_str(),
        };
        let trimmed = dir.trim_end_matches('/');
        if trimmed.is_empty() && dir.starts_with('/') {
            "/"
        } else {
            trimmed
        }
    }

    /// The last path segment when the path names a file, else `None`. An encoded `%2F` in it
    /// stays part of the name, as RFC 1738 reads it.
    ///
    /// ```
    /// use ftp_blocking::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://h/pub/a.txt")?.file_name(), Some("a.txt"));
    /// assert_eq!(FtpUrl::parse("ftp://h/pub/")?.file_name(), None);
    /// assert_eq!(FtpUrl::parse("ftp://h/pub/a%2Fb")?.file_name(), Some("a/b"));
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn file_name(&self) -> Option<&str> {
        let name = self.inner.file_name()?;
        // The path is the segments joined by '/', so the last segment is its tail, and the
        // path was checked to be UTF-8.
        Some(&self.path[self.path.len() - name.len()..])
    }

    /// The login to use for this URL: the URL's user and password; a missing password from
    /// the `.netrc` entry for this host and user; without a user in the URL, the `.netrc`
    /// entry for the host (`machine`, else `default`); else anonymous. ftplib's `login()`
    /// turns an empty user into `anonymous` and its empty password into `anonymous@`. The
    /// order is the core's ([`ftp_proto::url_session`]).
    ///
    /// ```
    /// use ftp_blocking::netrc::Netrc;
    /// use ftp_blocking::url::FtpUrl;
    ///
    /// let netrc = Netrc::parse("machine h login alice password from-netrc")?;
    /// let login = FtpUrl::parse("ftp://h/")?.credentials(Some(&netrc));
    /// assert_eq!((login.user(), login.password()), ("alice", "from-netrc"));
    /// let login = FtpUrl::parse("ftp://bob:pw@h/")?.credentials(Some(&netrc));
    /// assert_eq!((login.user(), login.password()), ("bob", "pw"));
    /// let login = FtpUrl::parse("ftp://other/")?.credentials(Some(&netrc));
    /// assert_eq!((login.user(), login.password()), ("", ""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn credentials(&self, netrc: Option<&Netrc>) -> Login {
        let session = UrlSession::new(&self.inner, netrc, TlsMode::None);
        let login = session.login();
        // Every part is UTF-8: from this URL's checked text or from the .netrc text.
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Login {
            user: text(login.user()),
            password: text(login.password()),
            account: text(login.account()),
        }
    }
}

/// Checks that the user, password and path are UTF-8.
impl TryFrom<ftp_proto::url::FtpUrl> for FtpUrl {
    type Error = UrlError;

    fn try_from(inner: ftp_proto::url::FtpUrl) -> Result<FtpUrl, UrlError> {
        let text =
            |b: &[u8], what| String::from_utf8(b.to_vec()).map_err(|_| UrlError::NotUtf8 { what });
        let user = inner.user().map(|u| text(u, "user")).transpose()?;
        let password = inner.password().map(|p| text(p, "password")).transpose()?;
        let path = text(inner.path(), "path")?;
        Ok(FtpUrl {
            inner,
            user,
            password,
            path,
        })
    }
}

impl From<FtpUrl> for ftp_proto::url::FtpUrl {
    fn from(url: FtpUrl) -> ftp_proto::url::FtpUrl {
        url.inner
    }
}

impl FromStr for FtpUrl {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<FtpUrl, UrlError> {
        FtpUrl::parse(s)
    }
}

/// The URL again, with the password replaced by `****`.
impl fmt::Display for FtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

/// Every field but the password, which shows as `****`.
impl fmt::Debug for FtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FtpUrl")
            .field("scheme", &self.scheme())
            .field("host", &self.host())
            .field("port", &self.port())
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("path", &self.path)
            .field("typecode", &self.typecode())
            .finish()
    }
}

/// A user name, password and account to log in with ([`FtpUrl::credentials`]); empty strings
/// where none was found, as ftplib's `login()` takes them. `Debug` masks the password and the
/// account.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Login {
    user: String,
    password: String,
    account: String,
}

impl Login {
    /// The user name; empty for anonymous.
    ///
    /// ```
    /// let login = ftp_blocking::url::FtpUrl::parse("ftp://h/")?.credentials(None);
    /// assert_eq!((login.user(), login.password(), login.account()), ("", "", ""));
    /// # Ok::<(), ftp_blocking::url::UrlError>(())
    /// ```
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password; may be empty.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The account (ACCT); usually empty.
    pub fn account(&self) -> &str {
        &self.account
    }
}

/// The password and account show as `****`.
impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |s: &str| if s.is_empty() { "" } else { "****" };
        f.debug_struct("Login")
            .field("user", &self.user)
            .field("password", &mask(&self.password))
            .field("account", &mask(&self.account))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a parsed URL must hold: (scheme, host, port, user, password, path, dir, file, typecode).
    type Expected = (
        Scheme,
        &'static str,
        u16,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<Typecode>,
    );

    fn check(input: &str, want: Expected) {
        let url = FtpUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        let got = (
            url.scheme(),
            url.host(),
            url.port(),
            url.user(),
            url.password(),
            url.path(),
            url.dir(),
            url.file_name(),
            url.typecode(),
        );
        assert_eq!(got, want, "{input}");
        // Display never shows the password and parses back to the same URL (password aside).
        let shown = url.to_string();
        let debug = format!("{url:?}");
        if let Some(password) = url.password().filter(|p| p.len() >= 3) {
            assert!(!shown.contains(password), "{shown}");
            assert!(!debug.contains(password), "{debug}");
        }
        let again = FtpUrl::parse(&shown).unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert_eq!(
            (again.scheme(), again.host(), again.port(), again.user()),
            (url.scheme(), url.host(), url.port(), url.user()),
            "{shown}"
        );
        assert_eq!(
            (again.path(), again.typecode()),
            (url.path(), url.typecode()),
            "{shown}"
        );
        assert_eq!(
            again.password().is_some(),
            url.password().is_some(),
            "{shown}"
        );
    }

    macro_rules! parses {
        ($($name:ident: $input:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                check($input, $want);
            }
        )*};
    }

    use Scheme::{Ftp, Ftps};

    parses! {
        bare_host_is_port_21_anonymous_login_dir:
            "ftp://example.invalid" => (Ftp, "example.invalid", 21, None, None, "", "", None, None);
        ftps_defaults_to_implicit_port_990:
            "ftps://example.invalid/" => (Ftps, "example.invalid", 990, None, None, "", "", None, None);
        explicit_port_is_kept:
            "ftp://127.0.0.1:2121/" => (Ftp, "127.0.0.1", 2121, None, None, "", "", None, None);
        ftp_explicit_port_21_is_21:
            "ftp://h:21/" => (Ftp, "h", 21, None, None, "", "", None, None);
        ftps_explicit_port_21_is_21_not_990:
            "ftps://h:21/" => (Ftps, "h", 21, None, None, "", "", None, None);
        user_and_password_are_percent_decoded:
            "ftp://al%20ice:s%40c%3Aret@h/" => (Ftp, "h", 21, Some("al ice"), Some("s@c:ret"), "", "", None, None);
        empty_password_is_no_password:
            "ftp://alice:@h/" => (Ftp, "h", 21, Some("alice"), None, "", "", None, None);
        user_without_password:
            "ftp://alice@h/" => (Ftp, "h", 21, Some("alice"), None, "", "", None, None);
        ftps_user_and_password_are_percent_decoded:
            "ftps://bob:p%2Fw@h:9990/x" => (Ftps, "h", 9990, Some("bob"), Some("p/w"), "x", "", Some("x"), None);
        ipv6_host_loses_its_brackets:
            "ftp://[::1]:2121/a" => (Ftp, "::1", 2121, None, None, "a", "", Some("a"), None);
        ftps_ipv6_host_loses_its_brackets:
            "ftps://[::1]/" => (Ftps, "::1", 990, None, None, "", "", None, None);
        host_is_lower_cased:
            "ftp://EXAMPLE.Invalid/" => (Ftp, "example.invalid", 21, None, None, "", "", None, None);
        ftps_host_is_lower_cased_like_ftp:
            "FTPS://EXAMPLE.Invalid/" => (Ftps, "example.invalid", 990, None, None, "", "", None, None);
        path_is_relative_to_login_directory:
            "ftp://h/pub/linux/README" => (Ftp, "h", 21, None, None, "pub/linux/README", "pub/linux", Some("README"), None);
        trailing_slash_names_a_directory:
            "ftp://h/pub/linux/" => (Ftp, "h", 21, None, None, "pub/linux/", "pub/linux", None, None);
        doubled_slash_is_an_absolute_path:
            "ftp://h//etc/motd" => (Ftp, "h", 21, None, None, "/etc/motd", "/etc", Some("motd"), None);
        encoded_slash_is_an_absolute_path:
            "ftp://h/%2Fetc/motd" => (Ftp, "h", 21, None, None, "/etc/motd", "/etc", Some("motd"), None);
        file_in_root_has_root_dir:
            "ftp://h//motd" => (Ftp, "h", 21, None, None, "/motd", "/", Some("motd"), None);
        root_directory:
            "ftp://h//" => (Ftp, "h", 21, None, None, "/", "/", None, None);
        path_spaces_and_utf8_are_decoded:
            "ftp://h/my%20dir/%C3%A9t%C3%A9.txt" => (Ftp, "h", 21, None, None, "my dir/été.txt", "my dir", Some("été.txt"), None);
        typecode_i_is_binary:
            "ftp://h/a.bin;type=i" => (Ftp, "h", 21, None, None, "a.bin", "", Some("a.bin"), Some(Typecode::Image));
        typecode_a_is_ascii:
            "ftp://h/d/a.txt;type=a" => (Ftp, "h", 21, None, None, "d/a.txt", "d", Some("a.txt"), Some(Typecode::Ascii));
        typecode_upper_case_is_accepted:
            "ftp://h/a.bin;TYPE=I" => (Ftp, "h", 21, None, None, "a.bin", "", Some("a.bin"), Some(Typecode::Image));
        typecode_d_makes_a_directory:
            "ftp://h/pub;type=d" => (Ftp, "h", 21, None, None, "pub", "pub", None, Some(Typecode::Directory));
        semicolon_that_is_not_a_typecode_stays_in_the_name:
            "ftp://h/a;v=1" => (Ftp, "h", 21, None, None, "a;v=1", "", Some("a;v=1"), None);
        encoded_semicolon_is_never_a_typecode:
            "ftp://h/a%3Btype=i" => (Ftp, "h", 21, None, None, "a;type=i", "", Some("a;type=i"), None);
        encoded_slash_in_the_file_name_stays_in_it:
            "ftp://h/pub/a%2Fb" => (Ftp, "h", 21, None, None, "pub/a/b", "pub", Some("a/b"), None);
        lone_percent_stays_literal:
            "ftp://h/100%" => (Ftp, "h", 21, None, None, "100%", "", Some("100%"), None);
    }

    macro_rules! refuses {
        ($($name:ident: $input:expr => $want:pat,)*) => {$(
            #[test]
            fn $name() {
                let input: &str = $input;
                let err = FtpUrl::parse(input).expect_err(input);
                assert!(matches!(err, $want), "{input}: {err:?}");
                // No error shows the password, whatever it is.
                let shown = format!("{err} {err:?}");
                assert!(!shown.contains("hunter2"), "{shown}");
            }
        )*};
    }

    refuses! {
        http_scheme_is_refused:
            "http://u:hunter2@h/" => UrlError::UnsupportedScheme { .. },
        sftp_scheme_is_refused:
            "sftp://u:hunter2@h/" => UrlError::UnsupportedScheme { .. },
        not_a_url_is_a_syntax_error:
            "h:hunter2" => UrlError::Syntax(_) | UrlError::UnsupportedScheme { .. },
        relative_reference_is_a_syntax_error:
            "/pub/hunter2" => UrlError::Syntax(_),
        ftps_without_host_is_refused:
            "ftps:///hunter2" => UrlError::MissingHost,
        ftp_without_host_is_refused:
            "ftp:///hunter2" => UrlError::MissingHost,
        port_out_of_range_is_refused:
            "ftp://u:hunter2@h:70000/" => UrlError::Syntax(_),
        port_zero_is_refused:
            "ftp://u:hunter2@h:0/" => UrlError::PortZero,
        query_is_refused:
            "ftp://u:hunter2@h/a?b" => UrlError::UnexpectedPart { what: "query" },
        fragment_is_refused:
            "ftp://u:hunter2@h/a#b" => UrlError::UnexpectedPart { what: "fragment" },
        unknown_typecode_is_refused:
            "ftp://u:hunter2@h/a;type=x" => UrlError::BadTypecode,
        cr_lf_in_path_is_refused:
            "ftp://u:hunter2@h/a%0D%0ADELE%20b" => UrlError::ForbiddenByte { what: "path" },
        lf_in_user_is_refused:
            "ftp://u%0A:hunter2@h/" => UrlError::ForbiddenByte { what: "user" },
        nul_in_password_is_refused:
            "ftp://u:hunter2%00@h/" => UrlError::ForbiddenByte { what: "password" },
        raw_line_feed_in_url_is_refused_not_dropped:
            "ftp://u:hunter2@h/a\nDELE b" => UrlError::ForbiddenByte { what: "text" },
        raw_tab_in_url_is_refused_not_dropped:
            "ftp://u:hunter2@h/a\tb" => UrlError::ForbiddenByte { what: "text" },
        invalid_utf8_in_path_is_refused:
            "ftp://u:hunter2@h/%FF" => UrlError::NotUtf8 { what: "path" },
    }

    const NETRC: &str = "machine h login alice password alice-pw account alice-acct\n\
                         machine h login bob password bob-pw\n\
                         default login guest password guest-pw";

    macro_rules! logs_in {
        ($($name:ident: $url:expr, $netrc:expr => ($user:expr, $password:expr, $account:expr);)*) => {$(
            #[test]
            fn $name() {
                let netrc: Option<Netrc> = $netrc.map(|text: &str| Netrc::parse(text).unwrap());
                let login = FtpUrl::parse($url).unwrap().credentials(netrc.as_ref());
                assert_eq!(
                    (login.user(), login.password(), login.account()),
                    ($user, $password, $account)
                );
                let debug = format!("{login:?}");
                if login.password().len() > 2 {
                    assert!(!debug.contains(login.password()), "{debug}");
                }
            }
        )*};
    }

    logs_in! {
        url_user_and_password_win_over_netrc:
            "ftp://carol:url-pw@h/", Some(NETRC) => ("carol", "url-pw", "");
        url_password_with_netrc_account_of_same_user:
            "ftp://alice:url-pw@h/", Some(NETRC) => ("alice", "url-pw", "alice-acct");
        url_user_takes_the_netrc_password_of_that_user:
            "ftp://bob@h/", Some(NETRC) => ("bob", "bob-pw", "");
        url_user_unknown_to_netrc_falls_to_default_entry_without_login_match:
            "ftp://carol@h/", Some(NETRC) => ("carol", "", "");
        no_url_user_takes_the_first_machine_entry:
            "ftp://h/", Some(NETRC) => ("alice", "alice-pw", "alice-acct");
        no_url_user_other_host_takes_default_entry:
            "ftp://elsewhere/", Some(NETRC) => ("guest", "guest-pw", "");
        no_url_user_no_netrc_is_anonymous:
            "ftp://h/", None::<&str> => ("", "", "");
        no_matching_entry_and_no_default_is_anonymous:
            "ftp://elsewhere/", Some("machine h login alice") => ("", "", "");
        password_without_user_is_kept_for_anonymous:
            "ftp://:me%40example.invalid@h/", Some(NETRC) => ("", "me@example.invalid", "");
        netrc_host_matches_ipv6_without_brackets:
            "ftp://[::1]:2121/", Some("machine ::1 login six password six-pw") => ("six", "six-pw", "");
    }

    #[test]
    fn latin1_url_is_refused_by_the_text_view_only() {
        let input = "ftp://j%E9@h/caf%E9";
        assert_eq!(
            FtpUrl::parse(input),
            Err(UrlError::NotUtf8 { what: "user" })
        );
        let bytes = ftp_proto::url::FtpUrl::parse(input).unwrap();
        assert_eq!(bytes.user(), Some(&b"j\xe9"[..]));
        assert_eq!(bytes.file_name(), Some(&b"caf\xe9"[..]));
    }

    #[test]
    fn display_and_debug_mask_the_password() {
        let url = FtpUrl::parse("ftp://alice:hunter2@h:2121/pub/a.txt;type=i").unwrap();
        assert_eq!(url.to_string(), "ftp://alice:****@h:2121/pub/a.txt;type=i");
        let debug = format!("{url:?}");
        assert!(debug.contains("\"****\""), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!format!("{url:#?}").contains("hunter2"));
    }

    #[test]
    fn display_without_credentials_round_trips_exactly() {
        for input in [
            "ftp://h/",
            "ftps://[::1]:2121/a%20b/c",
            "ftp://u@h//etc/motd",
            "ftp://h/a%3Bb;type=d",
        ] {
            assert_eq!(FtpUrl::parse(input).unwrap().to_string(), input);
        }
    }
}
