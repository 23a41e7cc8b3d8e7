//! The session an `ftp://` or `ftps://` URL describes, as plain data an adapter follows step by
//! step: where to connect, with which TLS mode, as whom, into which directory, and what to
//! transfer. No I/O: the adapter reads the `.netrc` file (if it wants one) and hands the parsed
//! [`Netrc`] in.
//!
//! - **Port**: the URL's, else 21 (`ftp://`) or 990 (`ftps://`).
//! - **TLS**: `ftps://` is implicit FTPS; `ftp://` is plain unless the caller asks for explicit
//!   FTPS (AUTH TLS before USER). With TLS either way, PBSZ 0 + PROT P follow the login so that
//!   data connections are encrypted too (curl does the same).
//! - **Credentials**: the URL's user and password; a user without password takes the password
//!   (and account) of the `.netrc` entry for that host and user; no user at all takes the
//!   `.netrc` entry for the host (`machine`, else `default`); else anonymous (empty strings:
//!   the login turns them into `anonymous` / `anonymous@`, as ftplib does). [`LoginSource`] says
//!   which, so that an adapter can warn when a `default` entry goes in clear to a host the file
//!   does not name ([`UrlSession::netrc_default_in_clear`]).
//! - **Directory**: one `CWD` per path segment (RFC 1738 section 3.2.2; see
//!   [`FtpUrl::dir_segments`]).
//! - **Typecode**: `;type=d` lists names (NLST); `;type=a` transfers the file in ASCII
//!   (TYPE A), `;type=i` or no typecode in binary (TYPE I); a directory path without a
//!   typecode is a full listing (LIST).
//!
//! ```
//! use ftp_proto::TransferType;
//! use ftp_proto::netrc::Netrc;
//! use ftp_proto::url::FtpUrl;
//! use ftp_proto::url_session::{LoginSource, SetupStep, TlsMode, UrlRequest, UrlSession};
//!
//! let url = FtpUrl::parse("ftps://files.example.invalid/pub/notes.txt;type=a")?;
//! let netrc = Netrc::parse("machine files.example.invalid login alice password pw")?;
//! let session = UrlSession::new(&url, Some(&netrc), TlsMode::None);
//! assert_eq!(session.tls(), TlsMode::Implicit);
//! assert_eq!(session.login_source(), LoginSource::NetrcMachine);
//! let steps: Vec<SetupStep<'_>> = session.steps().collect();
//! assert_eq!(steps, [
//!     SetupStep::Connect { host: "files.example.invalid", port: 990, implicit_tls: true },
//!     SetupStep::Login { user: b"alice", password: b"pw", account: b"" },
//!     SetupStep::ProtectData,
//!     SetupStep::Cwd(b"pub"),
//! ]);
//! assert_eq!(
//!     session.request(),
//!     UrlRequest::Retrieve { name: b"notes.txt", transfer_type: TransferType::Ascii }
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use crate::command::TransferType;
use crate::netrc::{Netrc, NetrcEntry};
use crate::url::{FtpUrl, Typecode};

/// How the control connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// Plain FTP: the password goes in clear.
    None,
    /// Explicit FTPS: `AUTH TLS` before `USER`.
    Explicit,
    /// Implicit FTPS (`ftps://`): TLS from the first byte.
    Implicit,
}

/// Where the login's credentials came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoginSource {
    /// The URL (its user, and its password if it has one; a `.netrc` account may complete it).
    Url,
    /// A `.netrc` `machine` entry for this host.
    NetrcMachine,
    /// The `.netrc` `default` entry: not written for this host.
    NetrcDefault,
    /// Nothing: an anonymous login.
    Anonymous,
}

/// The user name, password and account to log in with, as bytes (a URL may carry any byte,
/// `%E9` included). Empty where none was found, as ftplib's `login()` takes them. `Debug`
/// masks the password and the account.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct UrlLogin {
    user: Vec<u8>,
    password: Vec<u8>,
    account: Vec<u8>,
}

impl UrlLogin {
    /// The user name; empty for anonymous.
    pub fn user(&self) -> &[u8] {
        &self.user
    }

    /// The password; may be empty. Handle with care.
    pub fn password(&self) -> &[u8] {
        &self.password
    }

    /// The account (ACCT); usually empty.
    pub fn account(&self) -> &[u8] {
        &self.account
    }

    fn from_entry(entry: &NetrcEntry) -> UrlLogin {
        let bytes = |s: Option<&str>| s.unwrap_or_default().as_bytes().to_vec();
        UrlLogin {
            user: bytes(entry.login()),
            password: bytes(entry.password()),
            account: bytes(entry.account()),
        }
    }
}

/// The user name escaped; the password and account as `****` when present.
impl fmt::Debug for UrlLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |s: &[u8]| if s.is_empty() { "" } else { "****" };
        f.debug_struct("UrlLogin")
            .field("user", &self.user.escape_ascii().to_string())
            .field("password", &mask(&self.password))
            .field("account", &mask(&self.account))
            .finish()
    }
}

/// One step of the set-up, in the order [`UrlSession::steps`] gives them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SetupStep<'a> {
    /// Open the control connection; with `implicit_tls`, TLS from the first byte.
    Connect {
        /// Host name or address (IPv6 without brackets).
        host: &'a str,
        /// Port.
        port: u16,
        /// Whether TLS starts at once.
        implicit_tls: bool,
    },
    /// `AUTH TLS` and the handshake, before the login (explicit FTPS).
    SecureControl,
    /// USER / PASS / ACCT with these bytes (empty: ftplib's anonymous defaults).
    Login {
        /// User name.
        user: &'a [u8],
        /// Password.
        password: &'a [u8],
        /// Account.
        account: &'a [u8],
    },
    /// `PBSZ 0` and `PROT P`: data connections under TLS too.
    ProtectData,
    /// `CWD` to one path segment (`/` for the root).
    Cwd(&'a [u8]),
}

/// The password and account show as `****`.
impl fmt::Debug for SetupStep<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupStep::Connect {
                host,
                port,
                implicit_tls,
            } => f
                .debug_struct("Connect")
                .field("host", host)
                .field("port", port)
                .field("implicit_tls", implicit_tls)
                .finish(),
            SetupStep::SecureControl => f.write_str("SecureControl"),
            SetupStep::Login { user, .. } => f
                .debug_struct("Login")
                .field("user", &user.escape_ascii().to_string())
                .finish_non_exhaustive(),
            SetupStep::ProtectData => f.write_str("ProtectData"),
            SetupStep::Cwd(dir) => f
                .debug_tuple("Cwd")
                .field(&dir.escape_ascii().to_string())
                .finish(),
        }
    }
}

/// What the URL asks for once the session is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlRequest<'a> {
    /// A directory without typecode: the full listing (LIST) of the directory changed into.
    List,
    /// `;type=d`: the names (NLST) of the directory changed into.
    ListNames,
    /// A file: RETR `name` in the directory changed into, with this TYPE (`;type=a` ASCII,
    /// else binary).
    Retrieve {
        /// The file name (the URL's last segment).
        name: &'a [u8],
        /// TYPE A or TYPE I.
        transfer_type: TransferType,
    },
}

/// The whole set-up a URL describes. See the [module documentation](self).
#[derive(Clone, PartialEq, Eq)]
pub struct UrlSession {
    host: String,
    port: u16,
    tls: TlsMode,
    login: UrlLogin,
    login_source: LoginSource,
    cwd: Vec<Vec<u8>>,
    file: Option<Vec<u8>>,
    typecode: Option<Typecode>,
}

impl UrlSession {
    /// Whether the credentials may come from a `.netrc` file: only when the URL holds no
    /// password. An adapter reads the file only then.
    ///
    /// ```
    /// use ftp_proto::{url::FtpUrl, url_session::UrlSession};
    /// assert!(UrlSession::wants_netrc(&FtpUrl::parse("ftp://alice@h/")?));
    /// assert!(!UrlSession::wants_netrc(&FtpUrl::parse("ftp://alice:pw@h/")?));
    /// # Ok::<(), ftp_proto::url::UrlError>(())
    /// ```
    pub fn wants_netrc(url: &FtpUrl) -> bool {
        url.password().is_none()
    }

    /// The session `url` describes, with the credentials `netrc` completes; `tls` is what the
    /// caller asks for on an `ftp://` URL (an `ftps://` URL is [`TlsMode::Implicit`]
    /// regardless).
    pub fn new(url: &FtpUrl, netrc: Option<&Netrc>, tls: TlsMode) -> UrlSession {
        let tls = if url.scheme().implicit_tls() {
            TlsMode::Implicit
        } else {
            tls
        };
        let (login, login_source) = credentials(url, netrc);
        UrlSession {
            host: url.host().to_owned(),
            port: url.port(),
            tls,
            login,
            login_source,
            cwd: url.dir_segments().into_iter().map(<[u8]>::to_vec).collect(),
            file: url.file_name().map(<[u8]>::to_vec),
            typecode: url.typecode(),
        }
    }

    /// The host to connect to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How the control connection is secured.
    pub fn tls(&self) -> TlsMode {
        self.tls
    }

    /// The credentials.
    pub fn login(&self) -> &UrlLogin {
        &self.login
    }

    /// Where the credentials came from.
    pub fn login_source(&self) -> LoginSource {
        self.login_source
    }

    /// Whether the credentials of a `.netrc` `default` entry (not written for this host) would
    /// go over a connection without TLS: an adapter warns before sending them.
    ///
    /// ```
    /// use ftp_proto::{netrc::Netrc, url::FtpUrl, url_session::{TlsMode, UrlSession}};
    /// let netrc = Netrc::parse("machine known login a password pa\ndefault login d password pd")?;
    /// let plain = UrlSession::new(&FtpUrl::parse("ftp://other/")?, Some(&netrc), TlsMode::None);
    /// assert!(plain.netrc_default_in_clear());
    /// let secure = UrlSession::new(&FtpUrl::parse("ftp://other/")?, Some(&netrc), TlsMode::Explicit);
    /// assert!(!secure.netrc_default_in_clear());
    /// let named = UrlSession::new(&FtpUrl::parse("ftp://known/")?, Some(&netrc), TlsMode::None);
    /// assert!(!named.netrc_default_in_clear());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn netrc_default_in_clear(&self) -> bool {
        self.login_source == LoginSource::NetrcDefault && self.tls == TlsMode::None
    }

    /// The directories to change into, one `CWD` each.
    pub fn cwd(&self) -> impl Iterator<Item = &[u8]> {
        self.cwd.iter().map(Vec::as_slice)
    }

    /// The set-up, in order: connect, `AUTH TLS` (explicit FTPS), login, `PBSZ 0` + `PROT P`
    /// (under TLS), one `CWD` per directory segment.
    pub fn steps(&self) -> impl Iterator<Item = SetupStep<'_>> {
        let connect = SetupStep::Connect {
            host: &self.host,
            port: self.port,
            implicit_tls: self.tls == TlsMode::Implicit,
        };
        let secure = (self.tls == TlsMode::Explicit).then_some(SetupStep::SecureControl);
        let login = SetupStep::Login {
            user: &self.login.user,
            password: &self.login.password,
            account: &self.login.account,
        };
        let protect = (self.tls != TlsMode::None).then_some(SetupStep::ProtectData);
        std::iter::once(connect)
            .chain(secure)
            .chain(std::iter::once(login))
            .chain(protect)
            .chain(self.cwd().map(SetupStep::Cwd))
    }

    /// What the URL asks for after the set-up: its typecode honoured.
    pub fn request(&self) -> UrlRequest<'_> {
        match (&self.file, self.typecode) {
            (_, Some(Typecode::Directory)) => UrlRequest::ListNames,
            (Some(name), code) => UrlRequest::Retrieve {
                name,
                transfer_type: code
                    .and_then(Typecode::transfer_type)
                    .unwrap_or(TransferType::Binary),
            },
            (None, _) => UrlRequest::List,
        }
    }
}

/// The password and account are masked (through [`UrlLogin`]'s `Debug`).
impl fmt::Debug for UrlSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlSession")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("login", &self.login)
            .field("login_source", &self.login_source)
            .field("request", &self.request())
            .finish_non_exhaustive()
    }
}

/// The login for `url` (see the module documentation for the order).
fn credentials(url: &FtpUrl, netrc: Option<&Netrc>) -> (UrlLogin, LoginSource) {
    let host = url.host();
    let entry_for = |user: &[u8]| {
        let user = std::str::from_utf8(user).ok()?;
        netrc?.lookup_login(host, user)
    };
    let text = |s: Option<&str>| s.unwrap_or_default().as_bytes().to_vec();
    match (url.user(), url.password()) {
        (Some(user), Some(password)) => (
            UrlLogin {
                user: user.to_vec(),
                password: password.to_vec(),
                account: text(entry_for(user).and_then(NetrcEntry::account)),
            },
            LoginSource::Url,
        ),
        (Some(user), None) => {
            let entry = entry_for(user);
            let source = match entry.filter(|e| e.password().is_some()) {
                Some(e) if e.is_default() => LoginSource::NetrcDefault,
                Some(_) => LoginSource::NetrcMachine,
                None => LoginSource::Url,
            };
            (
                UrlLogin {
                    user: user.to_vec(),
                    password: text(entry.and_then(NetrcEntry::password)),
                    account: text(entry.and_then(NetrcEntry::account)),
                },
                source,
            )
        }
        (None, Some(password)) => (
            UrlLogin {
                user: Vec::new(),
                password: password.to_vec(),
                account: Vec::new(),
            },
            LoginSource::Url,
        ),
        (None, None) => match netrc.and_then(|n| n.lookup(host)) {
            Some(entry) if entry.is_default() => {
                (UrlLogin::from_entry(entry), LoginSource::NetrcDefault)
            }
            Some(entry) => (UrlLogin::from_entry(entry), LoginSource::NetrcMachine),
            None => (UrlLogin::default(), LoginSource::Anonymous),
        },
    }
}

#[cfg(test)]
mod tests;
