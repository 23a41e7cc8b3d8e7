//! `ftp://` and `ftps://` URLs (RFC 1738 section 3.2, RFC 3986), parsed without I/O and without
//! a URL crate.
//!
//! ```text
//! ftp://[user[:password]@]host[:port][/segment[/segment...]][;type=a|i|d]
//! ftps://...     implicit FTPS (TLS from the first byte), port 990 by default, as curl reads it
//! ```
//!
//! - The user name, password and path are percent-decoded **to bytes**: `%E9` is the byte
//!   0xE9, so a Latin-1 name can be reached; nothing here requires UTF-8.
//! - The host is a name (ASCII; write an international name in its `xn--` form), an IPv4
//!   address, or an IPv6 literal in brackets (`[::1]`, kept without the brackets).
//! - The path is relative to the login directory, as RFC 1738 and curl read it. It is a list of
//!   segments separated by `/`, each percent-decoded on its own: an encoded `%2F` stays inside
//!   its segment, so `ftp://h/%2Fetc/motd` names the directory `/etc`. A leading empty segment
//!   (`ftp://h//etc/motd`) means the root. A path that ends with `/` (or is empty) names a
//!   directory.
//! - `;type=a`, `;type=i` and `;type=d` at the end of the path are the RFC 1738 typecode.
//! - Refused with a typed [`UrlError`]: a raw CR, LF, NUL, space, tab or other control
//!   character anywhere; a decoded CR, LF or NUL (no FTP command may carry them); a query or
//!   fragment; a port that is not 1 to 65535.
//!
//! The password never shows: [`FtpUrl`]'s `Debug` and `Display` print `****` in its place, and
//! no [`UrlError`] holds any part of the input past the scheme.
//!
//! ```
//! use ftp_proto::url::{FtpUrl, Scheme, Typecode};
//!
//! let url = FtpUrl::parse("ftp://alice:s%40cret@127.0.0.1:2121/pub/caf%E9.txt;type=a")?;
//! assert_eq!(url.scheme(), Scheme::Ftp);
//! assert_eq!((url.host(), url.port()), ("127.0.0.1", 2121));
//! assert_eq!(url.user(), Some(&b"alice"[..]));
//! assert_eq!(url.password(), Some(&b"s@cret"[..]));
//! assert_eq!(url.path(), b"pub/caf\xe9.txt");
//! assert_eq!(url.dir_segments(), [&b"pub"[..]]);
//! assert_eq!(url.file_name(), Some(&b"caf\xe9.txt"[..]));
//! assert_eq!(url.typecode(), Some(Typecode::Ascii));
//! // The password is never printed.
//! assert_eq!(url.to_string(), "ftp://alice:****@127.0.0.1:2121/pub/caf%E9.txt;type=a");
//!
//! let secure = FtpUrl::parse("ftps://[::1]/")?;
//! assert_eq!((secure.host(), secure.port()), ("::1", 990));
//! # Ok::<(), ftp_proto::url::UrlError>(())
//! ```

use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::command::TransferType;

/// The longest URL [`FtpUrl::parse`] accepts: 64 KiB.
pub const MAX_URL_LEN: usize = 64 * 1024;

/// Which protocol a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `ftp://`: plain FTP, port 21 by default (explicit FTPS may still be negotiated).
    Ftp,
    /// `ftps://`: implicit FTPS, TLS from the first byte, port 990 by default (curl's reading).
    Ftps,
}

impl Scheme {
    /// The port a URL of this scheme names when it names none: 21 or 990.
    ///
    /// ```
    /// assert_eq!(ftp_proto::url::Scheme::Ftps.default_port(), 990);
    /// ```
    pub const fn default_port(self) -> u16 {
        match self {
            Scheme::Ftp => 21,
            Scheme::Ftps => 990,
        }
    }

    /// Whether the control connection is TLS from the first byte (`ftps://`).
    ///
    /// ```
    /// assert!(!ftp_proto::url::Scheme::Ftp.implicit_tls());
    /// ```
    pub const fn implicit_tls(self) -> bool {
        matches!(self, Scheme::Ftps)
    }

    /// `"ftp"` or `"ftps"`.
    ///
    /// ```
    /// assert_eq!(ftp_proto::url::Scheme::Ftps.as_str(), "ftps");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Ftp => "ftp",
            Scheme::Ftps => "ftps",
        }
    }
}

/// The `;type=` suffix of an FTP URL (RFC 1738 section 3.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Typecode {
    /// `;type=a`: transfer in ASCII (TYPE A).
    Ascii,
    /// `;type=i`: transfer in binary (TYPE I).
    Image,
    /// `;type=d`: the path is a directory to list by name (NLST).
    Directory,
}

impl Typecode {
    /// The transfer type a file transfer uses under this typecode (`None` for `d`).
    ///
    /// ```
    /// use ftp_proto::{TransferType, url::Typecode};
    /// assert_eq!(Typecode::Ascii.transfer_type(), Some(TransferType::Ascii));
    /// assert_eq!(Typecode::Directory.transfer_type(), None);
    /// ```
    pub const fn transfer_type(self) -> Option<TransferType> {
        match self {
            Typecode::Ascii => Some(TransferType::Ascii),
            Typecode::Image => Some(TransferType::Binary),
            Typecode::Directory => None,
        }
    }

    const fn suffix(self) -> &'static str {
        match self {
            Typecode::Ascii => ";type=a",
            Typecode::Image => ";type=i",
            Typecode::Directory => ";type=d",
        }
    }
}

/// What is wrong with the syntax of a URL ([`UrlError::Syntax`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyntaxError {
    /// No `scheme:` at the start: not an absolute URL.
    #[error("not an absolute URL (no scheme)")]
    NoScheme,
    /// The port is not a number from 0 to 65535.
    #[error("invalid port number")]
    InvalidPort,
    /// An IPv6 literal is not closed by `]` or is not an IPv6 address.
    #[error("invalid IPv6 address literal")]
    InvalidIpv6,
    /// The host holds a character no host name may hold (an international name must be
    /// written in its `xn--` form).
    #[error("invalid character in the host name (write international names as xn--)")]
    InvalidHost,
    /// A backslash, which URLs do not use as a separator.
    #[error("a backslash in the URL (use '/' between path segments, %5C for a backslash)")]
    Backslash,
    /// The URL is longer than [`MAX_URL_LEN`].
    #[error("the URL is longer than {MAX_URL_LEN} bytes")]
    TooLong,
}

/// Why a string is not a usable FTP URL. No variant holds the input text past the scheme, so
/// printing the error cannot print a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// The URL syntax itself is broken.
    #[error("invalid URL: {0}")]
    Syntax(SyntaxError),
    /// The scheme is neither `ftp` nor `ftps`.
    #[error("unsupported URL scheme {scheme:?}: use ftp:// or ftps://")]
    UnsupportedScheme {
        /// The scheme given (lower-cased).
        scheme: String,
    },
    /// The URL names no host.
    #[error("the URL names no host")]
    MissingHost,
    /// The URL has an explicit port 0.
    #[error("port 0 is not a usable FTP port")]
    PortZero,
    /// `?query` or `#fragment` present: FTP URLs have neither.
    #[error("an FTP URL has no {what}: percent-encode '?' as %3F and '#' as %23 in names")]
    UnexpectedPart {
        /// `"query"` or `"fragment"`.
        what: &'static str,
    },
    /// A `;type=` suffix other than `a`, `i` or `d`.
    #[error("unknown ';type=' code in the URL path: use a, i or d")]
    BadTypecode,
    /// A percent-decoded part is not valid UTF-8 where text is required (the `str` views
    /// adapters offer; this parser itself keeps bytes).
    #[error("the URL's {what} is not valid UTF-8 once percent-decoded")]
    NotUtf8 {
        /// `"user"`, `"password"`, `"account"`, `"host"` or `"path"`.
        what: &'static str,
    },
    /// A percent-decoded part holds CR, LF or NUL, which no FTP command may carry, or the URL
    /// itself holds a raw control character or space.
    #[error("refusing a CR, LF or NUL (or a raw control character or space) in the URL's {what}")]
    ForbiddenByte {
        /// `"text"` (a raw character in the URL), `"user"`, `"password"`, `"host"` or `"path"`.
        what: &'static str,
    },
}

/// Connection parameters parsed from an `ftp://` or `ftps://` URL. See the [module
/// documentation](self) for the syntax and an example.
#[derive(Clone, PartialEq, Eq)]
pub struct FtpUrl {
    scheme: Scheme,
    host: String,
    host_is_ipv6: bool,
    port: u16,
    user: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
    /// The decoded path, segments joined with `/`.
    path: Vec<u8>,
    /// Each segment decoded on its own (the last one may be empty: a directory).
    segments: Vec<Vec<u8>>,
    typecode: Option<Typecode>,
}

impl FtpUrl {
    /// Parses `input` (surrounding whitespace ignored); the same as `input.parse::<FtpUrl>()`.
    ///
    /// ```
    /// let url = ftp_proto::url::FtpUrl::parse("ftp://example.invalid")?;
    /// assert_eq!((url.port(), url.user(), url.path()), (21, None, &b""[..]));
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn parse(input: &str) -> Result<FtpUrl, UrlError> {
        let input = input.trim();
        if input.len() > MAX_URL_LEN {
            return Err(UrlError::Syntax(SyntaxError::TooLong));
        }
        if input.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(UrlError::ForbiddenByte { what: "text" });
        }
        let (scheme, rest) = split_scheme(input)?;
        let rest = rest
            .strip_prefix("//")
            .filter(|r| !r.starts_with('/'))
            .ok_or(UrlError::MissingHost)?;
        if rest.contains('\\') {
            return Err(UrlError::Syntax(SyntaxError::Backslash));
        }
        // The authority ends at the first '/', '?' or '#' (RFC 3986 section 3.2).
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if let Some(i) = tail.find(['?', '#']) {
            let what = if tail[i..].starts_with('?') {
                "query"
            } else {
                "fragment"
            };
            return Err(UrlError::UnexpectedPart { what });
        }
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (user, password) = match info.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (info, None),
                };
                let user = Some(decode(user, "user")?).filter(|u| !u.is_empty());
                let password = password
                    .map(|p| decode(p, "password"))
                    .transpose()?
                    .filter(|p| !p.is_empty());
                (user, password)
            }
        };
        let (host, host_is_ipv6, port) = parse_host_port(hostport)?;
        let port = match port {
            Some(0) => return Err(UrlError::PortZero),
            Some(port) => port,
            None => scheme.default_port(),
        };

        let raw_path = tail.strip_prefix('/').unwrap_or(tail);
        let (raw_path, typecode) = split_typecode(raw_path)?;
        let segments = raw_path
            .split('/')
            .map(|s| decode(s, "path"))
            .collect::<Result<Vec<_>, _>>()?;
        let path = segments.join(&b'/');
        Ok(FtpUrl {
            scheme,
            host,
            host_is_ipv6,
            port,
            user,
            password,
            path,
            segments,
            typecode,
        })
    }

    /// `ftp` or `ftps`.
    ///
    /// ```
    /// use ftp_proto::url::{FtpUrl, Scheme};
    /// assert_eq!(FtpUrl::parse("FTPS://h/")?.scheme(), Scheme::Ftps);
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host name (lower-cased) or address to connect to, IPv6 addresses without brackets.
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://[::1]:2121/")?.host(), "::1");
    /// assert_eq!(FtpUrl::parse("ftp://FTP.Example.Invalid/")?.host(), "ftp.example.invalid");
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the host is an IPv6 literal (written in brackets in the URL).
    pub fn host_is_ipv6(&self) -> bool {
        self.host_is_ipv6
    }

    /// The port: the one written, else 21 (`ftp`) or 990 (`ftps`).
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://h/")?.port(), 21);
    /// assert_eq!(FtpUrl::parse("ftps://h:21/")?.port(), 21);
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The percent-decoded user name, if the URL holds a non-empty one.
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://j%E9r%F4me@h/")?.user(), Some(&b"j\xe9r\xf4me"[..]));
    /// assert_eq!(FtpUrl::parse("ftp://h/")?.user(), None);
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn user(&self) -> Option<&[u8]> {
        self.user.as_deref()
    }

    /// The percent-decoded password, if the URL holds a non-empty one. Handle with care:
    /// this is the only way the password leaves an [`FtpUrl`].
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://u:a%3Ab@h/")?.password(), Some(&b"a:b"[..]));
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn password(&self) -> Option<&[u8]> {
        self.password.as_deref()
    }

    /// The same URL with `password` in place of its own (an empty one removes it): for a
    /// password given some other way than in the URL text (a prompt, an environment
    /// variable). A CR, LF or NUL is refused as it would be in the URL.
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// let url = FtpUrl::parse("ftp://alice@h/")?.with_password(b"from a prompt".to_vec())?;
    /// assert_eq!(url.password(), Some(&b"from a prompt"[..]));
    /// assert_eq!(url.to_string(), "ftp://alice:****@h/");
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn with_password(mut self, password: Vec<u8>) -> Result<FtpUrl, UrlError> {
        if password.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(UrlError::ForbiddenByte { what: "password" });
        }
        self.password = Some(password).filter(|p| !p.is_empty());
        Ok(self)
    }

    /// The percent-decoded path with the leading `/` and any `;type=` suffix removed, segments
    /// joined by `/`: relative to the login directory unless it starts with `/`. Empty when
    /// the URL has no path.
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://h/pub/my%20file;type=i")?.path(), b"pub/my file");
    /// assert_eq!(FtpUrl::parse("ftp://h//etc/motd")?.path(), b"/etc/motd");
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn path(&self) -> &[u8] {
        &self.path
    }

    /// The path's segments, each percent-decoded on its own (an encoded `%2F` stays inside its
    /// segment). `ftp://h` and `ftp://h/` both have one empty segment.
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// let url = FtpUrl::parse("ftp://h/a%2Fb/c/")?;
    /// assert_eq!(url.segments(), [&b"a/b"[..], b"c", b""]);
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn segments(&self) -> Vec<&[u8]> {
        self.segments.iter().map(Vec::as_slice).collect()
    }

    /// The `;type=` suffix, if any.
    ///
    /// ```
    /// use ftp_proto::url::{FtpUrl, Typecode};
    /// assert_eq!(FtpUrl::parse("ftp://h/a.txt;type=a")?.typecode(), Some(Typecode::Ascii));
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn typecode(&self) -> Option<Typecode> {
        self.typecode
    }

    /// Whether the path names a directory: it is empty, ends with `/`, or the URL says
    /// `;type=d`.
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// assert!(FtpUrl::parse("ftp://h/pub/")?.is_dir());
    /// assert!(!FtpUrl::parse("ftp://h/pub")?.is_dir());
    /// assert!(FtpUrl::parse("ftp://h/pub;type=d")?.is_dir());
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn is_dir(&self) -> bool {
        self.typecode == Some(Typecode::Directory)
            || self.segments.last().is_none_or(|s| s.is_empty())
    }

    /// The directory segments to change into after logging in, one `CWD` each (RFC 1738
    /// section 3.2.2): every segment when the path names a directory, else all but the last.
    /// A leading empty segment (`ftp://h//etc/`) is the root, `/`; other empty segments are
    /// skipped (an empty `CWD` argument is not a valid command).
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://h/a/b/c.txt")?.dir_segments(), [&b"a"[..], b"b"]);
    /// assert_eq!(FtpUrl::parse("ftp://h//etc/motd")?.dir_segments(), [&b"/"[..], b"etc"]);
    /// assert_eq!(FtpUrl::parse("ftp://h/%2Fetc/motd")?.dir_segments(), [&b"/etc"[..]]);
    /// assert!(FtpUrl::parse("ftp://h/c.txt")?.dir_segments().is_empty());
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn dir_segments(&self) -> Vec<&[u8]> {
        let dirs = if self.is_dir() {
            &self.segments[..]
        } else {
            &self.segments[..self.segments.len().saturating_sub(1)]
        };
        let mut out = Vec::with_capacity(dirs.len());
        for (i, segment) in dirs.iter().enumerate() {
            if !segment.is_empty() {
                out.push(segment.as_slice());
            } else if i == 0 && self.segments.len() > 1 {
                out.push(b"/".as_slice());
            }
        }
        out
    }

    /// The last path segment when the path names a file, else `None`.
    ///
    /// ```
    /// use ftp_proto::url::FtpUrl;
    /// assert_eq!(FtpUrl::parse("ftp://h/pub/a.txt")?.file_name(), Some(&b"a.txt"[..]));
    /// assert_eq!(FtpUrl::parse("ftp://h/pub/")?.file_name(), None);
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn file_name(&self) -> Option<&[u8]> {
        if self.is_dir() {
            return None;
        }
        // The whole last segment: an encoded '/' in it stays part of the name (RFC 1738).
        self.segments.last().map(Vec::as_slice)
    }

    fn write_redacted(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme.as_str())?;
        if self.user.is_some() || self.password.is_some() {
            if let Some(user) = &self.user {
                f.write_str(&encode(user, b"-._~!$&'()*+,="))?;
            }
            if self.password.is_some() {
                f.write_str(":****")?;
            }
            f.write_str("@")?;
        }
        if self.host_is_ipv6 {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if self.port != self.scheme.default_port() {
            write!(f, ":{}", self.port)?;
        }
        for segment in &self.segments {
            // A segment's own '/' stays encoded (%2F): it is part of that segment's name.
            write!(f, "/{}", encode(segment, b"-._~!$&'()*+,=:@"))?;
        }
        if let Some(code) = self.typecode {
            f.write_str(code.suffix())?;
        }
        Ok(())
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
        self.write_redacted(f)
    }
}

/// Every field but the password, which shows as `****`; byte strings shown escaped.
impl fmt::Debug for FtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = |b: &[u8]| b.escape_ascii().to_string();
        f.debug_struct("FtpUrl")
            .field("scheme", &self.scheme)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user.as_deref().map(bytes))
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("path", &bytes(&self.path))
            .field("typecode", &self.typecode)
            .finish()
    }
}

/// `scheme ":"` with scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 section 3.1).
fn split_scheme(input: &str) -> Result<(Scheme, &str), UrlError> {
    let colon = input
        .find(':')
        .ok_or(UrlError::Syntax(SyntaxError::NoScheme))?;
    let name = &input[..colon];
    let valid = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !valid {
        return Err(UrlError::Syntax(SyntaxError::NoScheme));
    }
    let scheme = if name.eq_ignore_ascii_case("ftp") {
        Scheme::Ftp
    } else if name.eq_ignore_ascii_case("ftps") {
        Scheme::Ftps
    } else {
        return Err(UrlError::UnsupportedScheme {
            scheme: name.to_ascii_lowercase(),
        });
    };
    Ok((scheme, &input[colon + 1..]))
}

/// `host [":" port]`: an IPv6 literal in brackets, or a name / IPv4 address (percent-decoded,
/// ASCII, lower-cased).
fn parse_host_port(hostport: &str) -> Result<(String, bool, Option<u16>), UrlError> {
    let (host, ipv6, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or(UrlError::Syntax(SyntaxError::InvalidIpv6))?;
        let ip: Ipv6Addr = inner[..close]
            .parse()
            .map_err(|_| UrlError::Syntax(SyntaxError::InvalidIpv6))?;
        let after = &inner[close + 1..];
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or(UrlError::Syntax(SyntaxError::InvalidIpv6))?,
            ),
        };
        (ip.to_string(), true, port)
    } else {
        let (name, port) = match hostport.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (hostport, None),
        };
        let decoded = decode(name, "host")?;
        let valid = decoded.iter().all(|&b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'.'
                        | b'_'
                        | b'~'
                        | b'!'
                        | b'$'
                        | b'&'
                        | b'\''
                        | b'('
                        | b')'
                        | b'*'
                        | b'+'
                        | b','
                        | b';'
                        | b'='
                )
        });
        if !valid {
            return Err(UrlError::Syntax(SyntaxError::InvalidHost));
        }
        let mut host =
            String::from_utf8(decoded).map_err(|_| UrlError::NotUtf8 { what: "host" })?;
        host.make_ascii_lowercase();
        // An IPv4 address prints in its usual form.
        if let Ok(ip) = host.parse::<Ipv4Addr>() {
            host = ip.to_string();
        }
        (host, false, port)
    };
    if host.is_empty() {
        return Err(UrlError::MissingHost);
    }
    let port = match port {
        // "host:" with no digits is the default port (RFC 3986 section 3.2.3).
        None | Some("") => None,
        Some(digits) => {
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(UrlError::Syntax(SyntaxError::InvalidPort));
            }
            let trimmed = digits.trim_start_matches('0');
            if trimmed.len() > 5 {
                return Err(UrlError::Syntax(SyntaxError::InvalidPort));
            }
            let value: u32 = if trimmed.is_empty() {
                0
            } else {
                trimmed
                    .parse()
                    .map_err(|_| UrlError::Syntax(SyntaxError::InvalidPort))?
            };
            Some(u16::try_from(value).map_err(|_| UrlError::Syntax(SyntaxError::InvalidPort))?)
        }
    };
    Ok((host, ipv6, port))
}

/// Splits a `;type=X` suffix off the last segment of the (still percent-encoded) path.
fn split_typecode(path: &str) -> Result<(&str, Option<Typecode>), UrlError> {
    let last_start = path.rfind('/').map_or(0, |i| i + 1);
    let Some(semi) = path[last_start..].rfind(';') else {
        return Ok((path, None));
    };
    let semi = last_start + semi;
    let suffix = &path[semi + 1..];
    let Some((key, value)) = suffix.split_once('=') else {
        return Ok((path, None));
    };
    if !key.eq_ignore_ascii_case("type") {
        return Ok((path, None));
    }
    let code = match value {
        "a" | "A" => Typecode::Ascii,
        "i" | "I" => Typecode::Image,
        "d" | "D" => Typecode::Directory,
        _ => return Err(UrlError::BadTypecode),
    };
    Ok((&path[..semi], Some(code)))
}

/// Percent-decodes `raw` to bytes (a `%` not followed by two hex digits stays as it is) and
/// refuses a decoded CR, LF or NUL.
fn decode(raw: &str, what: &'static str) -> Result<Vec<u8>, UrlError> {
    let bytes = percent_decode(raw.as_bytes());
    if bytes.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(UrlError::ForbiddenByte { what });
    }
    Ok(bytes)
}

/// Percent-decoding as RFC 3986 section 2.1 defines it.
pub fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%'
            && i + 2 < raw.len()
            && let (Some(high), Some(low)) = (hex(raw[i + 1]), hex(raw[i + 2]))
        {
            out.push((high << 4) | low);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes every byte but ASCII letters, digits and `keep`.
fn encode(bytes: &[u8], keep: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests;
