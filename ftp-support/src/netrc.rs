//! Finding, reading and vetting the `.netrc` file; the parser itself is
//! [`ftp_proto::netrc`].
//!
//! - Where: `$NETRC` when set and non-empty, else `.netrc` in the home directory
//!   ([`NetrcFile::default_path`]).
//! - How much: at most [`MAX_NETRC_LEN`] (1 MiB); the text must be UTF-8.
//! - Who may read it: a file that holds a password for a login other than `anonymous` is
//!   **refused** when its group or other users have any access to it (mode `& 0o077`), as
//!   ftp(1) and Python's `netrc` refuse it: [`NetrcError::InsecurePermissions`]. A file with
//!   only anonymous logins or no passwords may be shared.
//!
//! ```no_run
//! use ftp_support::netrc::{Netrc, NetrcFile};
//!
//! if let Some(netrc) = Netrc::load_default()? {
//!     let entry = netrc.lookup("ftp.example.com");
//!     println!("{:?}", entry.and_then(|e| e.login()));
//! }
//! # Ok::<(), ftp_support::netrc::NetrcError>(())
//! ```

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use ftp_proto::netrc::{Netrc, NetrcEntry, NetrcSyntaxError};

/// The largest `.netrc` file [`NetrcFile::from_file`] reads: 1 MiB.
pub const MAX_NETRC_LEN: u64 = 1 << 20;

/// Why a `.netrc` file could not be used. No variant holds a token of the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetrcError {
    /// The file could not be opened or read.
    #[error("cannot read netrc file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The file is larger than [`MAX_NETRC_LEN`].
    #[error("netrc file {} is larger than {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// The file does not follow the `.netrc` syntax.
    #[error("netrc syntax error on line {line}: {problem}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong, without quoting the file.
        problem: &'static str,
    },
    /// The file holds a password for a login other than `anonymous` and its group or other
    /// users have access to it.
    #[error(
        "netrc file {} holds passwords but can be accessed by other users (mode {mode:03o}): \
         refusing to use it; make it private with `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits (`& 0o777`).
        mode: u32,
    },
}

impl From<NetrcSyntaxError> for NetrcError {
    fn from(e: NetrcSyntaxError) -> NetrcError {
        NetrcError::Syntax {
            line: e.line,
            problem: e.problem,
        }
    }
}

/// A copy; an I/O error keeps its kind and message.
impl Clone for NetrcError {
    fn clone(&self) -> Self {
        match self {
            NetrcError::Io { path, source } => NetrcError::Io {
                path: path.clone(),
                source: io::Error::new(source.kind(), source.to_string()),
            },
            NetrcError::TooLarge { path, limit } => NetrcError::TooLarge {
                path: path.clone(),
                limit: *limit,
            },
            NetrcError::Syntax { line, problem } => NetrcError::Syntax {
                line: *line,
                problem,
            },
            NetrcError::InsecurePermissions { path, mode } => NetrcError::InsecurePermissions {
                path: path.clone(),
                mode: *mode,
            },
        }
    }
}

/// Reading a [`Netrc`] from a file: `Netrc::from_file`, `Netrc::default_path`,
/// `Netrc::load_default` (bring the trait into scope).
pub trait NetrcFile: Sized {
    /// Reads, parses and vets the file at `path`: at most [`MAX_NETRC_LEN`] bytes, UTF-8, and
    /// private to its owner if it holds a password for a non-anonymous login.
    ///
    /// ```no_run
    /// use ftp_support::netrc::{Netrc, NetrcFile};
    /// let netrc = Netrc::from_file("/home/alice/.netrc".as_ref())?;
    /// # Ok::<(), ftp_support::netrc::NetrcError>(())
    /// ```
    fn from_file(path: &Path) -> Result<Self, NetrcError>;

    /// Where the `.netrc` file is looked for: `$NETRC` when set and non-empty, else `.netrc` in
    /// the home directory. `None` when neither is known.
    ///
    /// ```
    /// use ftp_support::netrc::{Netrc, NetrcFile};
    /// if let Some(path) = Netrc::default_path() {
    ///     println!("netrc: {}", path.display());
    /// }
    /// ```
    fn default_path() -> Option<PathBuf>;

    /// Reads the file [`default_path`](Self::default_path) names; `Ok(None)` when there is no
    /// such file.
    ///
    /// ```no_run
    /// use ftp_support::netrc::{Netrc, NetrcFile};
    /// if let Some(netrc) = Netrc::load_default()? {
    ///     println!("{} entries", netrc.entries().len());
    /// }
    /// # Ok::<(), ftp_support::netrc::NetrcError>(())
    /// ```
    fn load_default() -> Result<Option<Self>, NetrcError>;
}

impl NetrcFile for Netrc {
    fn from_file(path: &Path) -> Result<Netrc, NetrcError> {
        let io_err = |source| NetrcError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
        let mode = file_mode(&file).map_err(io_err)?;
        let mut bytes = Vec::new();
        file.take(MAX_NETRC_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(io_err)?;
        if bytes.len() as u64 > MAX_NETRC_LEN {
            return Err(NetrcError::TooLarge {
                path: path.to_owned(),
                limit: MAX_NETRC_LEN,
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            NetrcError::Syntax {
                line: 1 + valid.iter().filter(|&&b| b == b'\n').count(),
                problem: "the file is not valid UTF-8",
            }
        })?;
        let netrc = Netrc::parse(&text)?;
        if let Some(mode) = mode
            && mode & 0o077 != 0
            && netrc.holds_private_password()
        {
            return Err(NetrcError::InsecurePermissions {
                path: path.to_owned(),
                mode: mode & 0o777,
            });
        }
        Ok(netrc)
    }

    fn default_path() -> Option<PathBuf> {
        default_path_from(std::env::var_os("NETRC"), std::env::home_dir())
    }

    fn load_default() -> Result<Option<Netrc>, NetrcError> {
        let Some(path) = Netrc::default_path() else {
            return Ok(None);
        };
        match Netrc::from_file(&path) {
            Ok(netrc) => Ok(Some(netrc)),
            Err(NetrcError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// The permission bits of the open file (checked on the file read, not on the path, so that
/// a swap between the check and the read changes nothing); `None` where there are none.
fn file_mode(file: &File) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(Some(file.metadata()?.permissions().mode()))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(None)
    }
}

fn default_path_from(netrc: Option<OsString>, home: Option<PathBuf>) -> Option<PathBuf> {
    match netrc {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => home
            .filter(|h| !h.as_os_str().is_empty())
            .map(|h| h.join(".netrc")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_prefers_netrc_variable_then_home() {
        let home = Some(PathBuf::from("/home/u"));
        assert_eq!(
            default_path_from(Some("/etc/my-netrc".into()), home.clone()),
            Some(PathBuf::from("/etc/my-netrc"))
        );
        assert_eq!(
            default_path_from(Some("".into()), home.clone()),
            Some(PathBuf::from("/home/u/.netrc"))
        );
        assert_eq!(
            default_path_from(None, home),
            Some(PathBuf::from("/home/u/.netrc"))
        );
        assert_eq!(default_path_from(None, None), None);
    }

    /// A file with `bytes`, mode 0600 (the owner only).
    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ftp-support-netrc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        set_mode(&path, 0o600);
        path
    }

    fn set_mode(path: &Path, mode: u32) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        #[cfg(not(unix))]
        let _ = (path, mode);
    }

    #[test]
    fn from_file_reads_and_parses() {
        let path = temp_file("ok", b"machine h login a password filepw");
        let netrc = Netrc::from_file(&path).unwrap();
        assert_eq!(netrc.lookup("h").and_then(|e| e.password()), Some("filepw"));
    }

    #[test]
    fn from_file_refuses_a_file_over_the_limit() {
        let path = temp_file("big", &vec![b' '; MAX_NETRC_LEN as usize + 1]);
        assert!(matches!(
            Netrc::from_file(&path),
            Err(NetrcError::TooLarge { .. })
        ));
    }

    #[test]
    fn from_file_refuses_invalid_utf8_naming_the_line() {
        let path = temp_file("latin1", b"machine h\nlogin a password \xe9t\xe9");
        assert!(matches!(
            Netrc::from_file(&path),
            Err(NetrcError::Syntax { line: 2, .. })
        ));
    }

    #[test]
    fn from_file_missing_is_an_io_error() {
        let path = std::env::temp_dir().join("ftp-support-netrc-does-not-exist/x");
        assert!(matches!(
            Netrc::from_file(&path),
            Err(NetrcError::Io { .. })
        ));
    }

    #[test]
    fn syntax_error_in_a_file_never_quotes_it() {
        let path = temp_file("syntax", b"machine h login a password hunter2 extra");
        let err = Netrc::from_file(&path).unwrap_err();
        assert!(matches!(err, NetrcError::Syntax { line: 1, .. }), "{err}");
        assert!(!format!("{err} {err:?}").contains("hunter2"));
    }

    #[cfg(unix)]
    #[test]
    fn password_file_readable_by_others_is_refused_naming_the_fix() {
        for mode in [0o644, 0o640, 0o604, 0o620, 0o601] {
            let path = temp_file(
                &format!("shared-{mode:o}"),
                b"machine h login alice password hunter2",
            );
            set_mode(&path, mode);
            let err = Netrc::from_file(&path).unwrap_err();
            assert!(
                matches!(err, NetrcError::InsecurePermissions { mode: m, .. } if m == mode),
                "{mode:o}: {err:?}"
            );
            let shown = err.to_string();
            assert!(shown.contains("chmod 600"), "{shown}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn shared_file_without_a_private_password_is_accepted() {
        for text in [
            &b"machine h login anonymous password me@example.invalid"[..],
            b"machine h login alice",
            b"default login anonymous password guest@",
        ] {
            let path = temp_file("shared-anon", text);
            set_mode(&path, 0o644);
            Netrc::from_file(&path).unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn private_file_with_passwords_is_accepted() {
        let path = temp_file("private", b"machine h login alice password pw");
        set_mode(&path, 0o400);
        assert!(Netrc::from_file(&path).is_ok());
    }
}
