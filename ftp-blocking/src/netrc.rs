//! `.netrc` files: login names and passwords by host, as ftp(1), curl and Python's `netrc` read
//! them.
//!
//! The file is a sequence of whitespace-separated tokens:
//!
//! ```text
//! machine HOST  [login NAME] [password PASSWORD] [account ACCOUNT]
//! default       [login NAME] [password PASSWORD] [account ACCOUNT]
//! macdef NAME   the rest of the line and every line up to an empty one are a macro: skipped
//! # a comment, where a keyword is expected, runs to the end of the line
//! ```
//!
//! A token may be written in double quotes (`password "two words"`); a backslash takes the next
//! character literally, inside quotes or not. [`Netrc::lookup`] finds the first `machine` entry
//! for a host (host names compare case-insensitively), else the `default` entry.
//!
//! Passwords and accounts never show: [`NetrcEntry`]'s `Debug` prints `****` in their place, and
//! a [`NetrcError`] names a line number and a problem, never a token.
//!
//! ```
//! use ftp_blocking::netrc::Netrc;
//!
//! let netrc = Netrc::parse(
//!     "machine ftp.example.invalid login alice password \"s3cret pass\"\n\
//!      default login anonymous password guest@\n",
//! )?;
//! let entry = netrc.lookup("FTP.example.invalid").expect("a machine entry");
//! assert_eq!(entry.login(), Some("alice"));
//! assert_eq!(entry.password(), Some("s3cret pass"));
//! assert!(!format!("{entry:?}").contains("s3cret"));
//! // Any other host gets the default entry.
//! assert_eq!(netrc.lookup("127.0.0.1").and_then(|e| e.login()), Some("anonymous"));
//! # Ok::<(), ftp_blocking::netrc::NetrcError>(())
//! ```

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The largest `.netrc` file [`Netrc::from_file`] reads: 1 MiB.
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
        }
    }
}

/// One `machine` or `default` entry.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct NetrcEntry {
    machine: Option<String>,
    login: Option<String>,
    password: Option<String>,
    account: Option<String>,
}

impl NetrcEntry {
    /// The host this entry is for; `None` for the `default` entry.
    ///
    /// ```
    /// let netrc = ftp_blocking::netrc::Netrc::parse("machine h login a\ndefault login b")?;
    /// let hosts: Vec<_> = netrc.entries().iter().map(|e| e.machine()).collect();
    /// assert_eq!(hosts, [Some("h"), None]);
    /// assert!(netrc.entries()[1].is_default());
    /// # Ok::<(), ftp_blocking::netrc::NetrcError>(())
    /// ```
    pub fn machine(&self) -> Option<&str> {
        self.machine.as_deref()
    }

    /// Whether this is the `default` entry.
    pub fn is_default(&self) -> bool {
        self.machine.is_none()
    }

    /// The `login` value, if given.
    ///
    /// ```
    /// let netrc = ftp_blocking::netrc::Netrc::parse("machine h login a password p account x")?;
    /// let e = &netrc.entries()[0];
    /// assert_eq!((e.login(), e.password(), e.account()), (Some("a"), Some("p"), Some("x")));
    /// # Ok::<(), ftp_blocking::netrc::NetrcError>(())
    /// ```
    pub fn login(&self) -> Option<&str> {
        self.login.as_deref()
    }

    /// The `password` value, if given. Handle with care: this is the only way it leaves the entry.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The `account` value (for ACCT), if given.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }
}

/// Password and account show as `****`.
impl fmt::Debug for NetrcEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetrcEntry")
            .field("machine", &self.machine)
            .field("login", &self.login)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("account", &self.account.as_ref().map(|_| "****"))
            .finish()
    }
}

/// A parsed `.netrc` file: its entries in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Netrc {
    entries: Vec<NetrcEntry>,
}

impl Netrc {
    /// Parses the text of a `.netrc` file.
    ///
    /// ```
    /// let netrc = ftp_blocking::netrc::Netrc::parse("machine h login u password p")?;
    /// assert_eq!(netrc.entries().len(), 1);
    /// # Ok::<(), ftp_blocking::netrc::NetrcError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Netrc, NetrcError> {
        Parser::new(text).parse()
    }

    /// Reads and parses the file at `path` (at most [`MAX_NETRC_LEN`] bytes).
    ///
    /// ```no_run
    /// let netrc = ftp_blocking::netrc::Netrc::from_file("/home/alice/.netrc".as_ref())?;
    /// # Ok::<(), ftp_blocking::netrc::NetrcError>(())
    /// ```
    pub fn from_file(path: &Path) -> Result<Netrc, NetrcError> {
        let io_err = |source| NetrcError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
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
        Netrc::parse(&text)
    }

    /// Where the `.netrc` file is looked for: `$NETRC` when set and non-empty, else `.netrc` in
    /// the home directory (`$HOME`). `None` when neither is known.
    ///
    /// ```
    /// if let Some(path) = ftp_blocking::netrc::Netrc::default_path() {
    ///     println!("netrc: {}", path.display());
    /// }
    /// ```
    pub fn default_path() -> Option<PathBuf> {
        default_path_from(std::env::var_os("NETRC"), std::env::home_dir())
    }

    /// Reads the file [`default_path`](Self::default_path) names; `Ok(None)` when there is no
    /// such file.
    ///
    /// ```no_run
    /// if let Some(netrc) = ftp_blocking::netrc::Netrc::load_default()? {
    ///     println!("{} entries", netrc.entries().len());
    /// }
    /// # Ok::<(), ftp_blocking::netrc::NetrcError>(())
    /// ```
    pub fn load_default() -> Result<Option<Netrc>, NetrcError> {
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

    /// Every entry, in file order.
    pub fn entries(&self) -> &[NetrcEntry] {
        &self.entries
    }

    /// The first `machine` entry for `host` (ASCII case-insensitive), else the `default` entry.
    ///
    /// ```
    /// let netrc = ftp_blocking::netrc::Netrc::parse("machine a login x\nmachine b login y")?;
    /// assert_eq!(netrc.lookup("b").and_then(|e| e.login()), Some("y"));
    /// assert!(netrc.lookup("c").is_none());
    /// # Ok::<(), ftp_blocking::netrc::NetrcError>(())
    /// ```
    pub fn lookup(&self, host: &str) -> Option<&NetrcEntry> {
        self.machine(host)
            .next()
            .or_else(|| self.entries.iter().find(|e| e.is_default()))
    }

    /// The first entry for `host` whose login is `user` (or that names no login), else the
    /// `default` entry under the same condition: the entry to take the password from when the
    /// user name is already known.
    ///
    /// ```
    /// let netrc = ftp_blocking::netrc::Netrc::parse(
    ///     "machine h login alice password a\nmachine h login bob password b",
    /// )?;
    /// assert_eq!(netrc.lookup_login("h", "bob").and_then(|e| e.password()), Some("b"));
    /// assert!(netrc.lookup_login("h", "carol").is_none());
    /// # Ok::<(), ftp_blocking::netrc::NetrcError>(())
    /// ```
    pub fn lookup_login(&self, host: &str, user: &str) -> Option<&NetrcEntry> {
        let fits = |e: &&NetrcEntry| e.login.as_deref().is_none_or(|l| l == user);
        self.machine(host)
            .find(fits)
            .or_else(|| self.entries.iter().filter(|e| e.is_default()).find(fits))
    }

    fn machine<'a>(&'a self, host: &str) -> impl Iterator<Item = &'a NetrcEntry> + use<'a> {
        let host = host.to_owned();
        self.entries.iter().filter(move |e| {
            e.machine
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(&host))
        })
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

struct Token {
    text: String,
    quoted: bool,
    line: usize,
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            chars: text.chars().peekable(),
            line: 1,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next();
        if c == Some('\n') {
            self.line += 1;
        }
        c
    }

    fn skip_whitespace(&mut self) {
        while self.chars.peek().is_some_and(|c| c.is_whitespace()) {
            self.bump();
        }
    }

    /// Skips to just after the next line end (or the end of the text).
    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    fn next_token(&mut self) -> Result<Option<Token>, NetrcError> {
        self.skip_whitespace();
        let line = self.line;
        let Some(&first) = self.chars.peek() else {
            return Ok(None);
        };
        let mut text = String::new();
        if first == '"' {
            self.bump();
            loop {
                match self.bump() {
                    None => {
                        return Err(NetrcError::Syntax {
                            line,
                            problem: "a quoted token has no closing quote",
                        });
                    }
                    Some('"') => break,
                    Some('\\') => match self.bump() {
                        Some(c) => text.push(c),
                        None => {
                            return Err(NetrcError::Syntax {
                                line,
                                problem: "a quoted token has no closing quote",
                            });
                        }
                    },
                    Some(c) => text.push(c),
                }
            }
            return Ok(Some(Token {
                text,
                quoted: true,
                line,
            }));
        }
        while let Some(&c) = self.chars.peek() {
            if c.is_whitespace() {
                break;
            }
            self.bump();
            if c == '\\' {
                if let Some(next) = self.bump() {
                    text.push(next);
                }
            } else {
                text.push(c);
            }
        }
        Ok(Some(Token {
            text,
            quoted: false,
            line,
        }))
    }

    fn value(&mut self, keyword_line: usize, problem: &'static str) -> Result<String, NetrcError> {
        match self.next_token()? {
            Some(token) => Ok(token.text),
            None => Err(NetrcError::Syntax {
                line: keyword_line,
                problem,
            }),
        }
    }

    fn parse(mut self) -> Result<Netrc, NetrcError> {
        let mut entries: Vec<NetrcEntry> = Vec::new();
        // Whether the last entry of `entries` still takes login/password/account tokens.
        let mut open = false;
        while let Some(token) = self.next_token()? {
            let line = token.line;
            let keyword = if token.quoted {
                ""
            } else {
                token.text.as_str()
            };
            match keyword {
                _ if keyword.starts_with('#') => self.skip_line_after_token(line),
                "machine" => {
                    let host = self.value(line, "`machine` needs a host name")?;
                    entries.push(NetrcEntry {
                        machine: Some(host),
                        ..NetrcEntry::default()
                    });
                    open = true;
                }
                "default" => {
                    entries.push(NetrcEntry::default());
                    open = true;
                }
                "login" | "password" | "account" => {
                    let problem = match keyword {
                        "login" => "`login` needs a value",
                        "password" => "`password` needs a value",
                        _ => "`account` needs a value",
                    };
                    let value = self.value(line, problem)?;
                    let entry = match entries.last_mut() {
                        Some(entry) if open => entry,
                        _ => {
                            return Err(NetrcError::Syntax {
                                line,
                                problem: "`login`, `password` or `account` outside a `machine` or `default` entry",
                            });
                        }
                    };
                    let slot = match keyword {
                        "login" => &mut entry.login,
                        "password" => &mut entry.password,
                        _ => &mut entry.account,
                    };
                    *slot = Some(value);
                }
                "macdef" => {
                    self.value(line, "`macdef` needs a macro name")?;
                    self.skip_macro(line);
                    open = false;
                }
                _ => {
                    return Err(NetrcError::Syntax {
                        line,
                        problem: "unexpected token where a keyword (machine, default, login, password, account, macdef) was due",
                    });
                }
            }
        }
        Ok(Netrc { entries })
    }

    /// A comment: the rest of the line the `#` token started on is skipped.
    fn skip_line_after_token(&mut self, token_line: usize) {
        if self.line == token_line {
            self.skip_line();
        }
    }

    /// A macro body: the rest of the `macdef` line, then every line up to and including the
    /// first empty (or blank) one.
    fn skip_macro(&mut self, macdef_line: usize) {
        if self.line == macdef_line {
            self.skip_line();
        }
        loop {
            if self.chars.peek().is_none() {
                return;
            }
            let mut blank = true;
            while let Some(c) = self.bump() {
                if c == '\n' {
                    break;
                }
                if !c.is_whitespace() {
                    blank = false;
                }
            }
            if blank {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Found = Option<(
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    )>;

    fn found<'a>(
        netrc: &'a Netrc,
        host: &str,
    ) -> Option<(Option<&'a str>, Option<&'a str>, Option<&'a str>)> {
        netrc
            .lookup(host)
            .map(|e| (e.login(), e.password(), e.account()))
    }

    macro_rules! looks_up {
        ($($name:ident: $text:expr, $host:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                let netrc = Netrc::parse($text).unwrap_or_else(|e| panic!("{e}"));
                let want: Found = $want;
                assert_eq!(found(&netrc, $host), want);
                // Debug never shows a password or an account.
                let debug = format!("{netrc:?}");
                for entry in netrc.entries() {
                    for secret in [entry.password(), entry.account()].into_iter().flatten() {
                        if secret.len() >= 4 {
                            assert!(!debug.contains(secret), "{debug}");
                        }
                    }
                }
            }
        )*};
    }

    looks_up! {
        machine_on_one_line:
            "machine h login alice password secret1", "h" => Some((Some("alice"), Some("secret1"), None));
        machine_over_several_lines_with_tabs:
            "machine h\n\tlogin alice\n\tpassword secret1\n\taccount acct99\n", "h" => Some((Some("alice"), Some("secret1"), Some("acct99")));
        host_compares_case_insensitively:
            "machine FTP.Example.Invalid login a password pppp", "ftp.example.INVALID" => Some((Some("a"), Some("pppp"), None));
        first_matching_machine_wins:
            "machine h login first\nmachine h login second", "h" => Some((Some("first"), None, None));
        other_machine_is_not_taken:
            "machine a login x password xxxx", "b" => None;
        default_is_taken_when_no_machine_matches:
            "machine a login x\ndefault login anonymous password guest@", "b" => Some((Some("anonymous"), Some("guest@"), None));
        machine_beats_an_earlier_default:
            "default login anonymous\nmachine h login alice", "h" => Some((Some("alice"), None, None));
        quoted_password_keeps_spaces:
            "machine h login alice password \"two words\"", "h" => Some((Some("alice"), Some("two words"), None));
        quoted_password_keeps_escaped_quote_and_backslash:
            r#"machine h login a password "q\"x\\y""#, "h" => Some((Some("a"), Some("q\"x\\y"), None));
        backslash_escapes_a_space_in_a_bare_token:
            r"machine h login a password two\ words", "h" => Some((Some("a"), Some("two words"), None));
        keyword_as_quoted_value_is_a_value:
            "machine h login \"machine\" password \"default\"", "h" => Some((Some("machine"), Some("default"), None));
        hash_inside_a_password_is_not_a_comment:
            "machine h login a password #notacomment", "h" => Some((Some("a"), Some("#notacomment"), None));
        comment_line_is_skipped:
            "# my hosts\nmachine h login a # trailing words login b\npassword pw12", "h" => Some((Some("a"), Some("pw12"), None));
        macdef_body_is_skipped_up_to_blank_line:
            "macdef init\ncd /pub\nmachine evil login mallory\n\nmachine h login alice", "h" => Some((Some("alice"), None, None));
        macdef_body_is_not_parsed_as_entries:
            "macdef init\nmachine h login mallory\n\nmachine h login alice", "h" => Some((Some("alice"), None, None));
        macdef_ends_an_entry:
            "machine h login alice\nmacdef m\nbody\n\n", "h" => Some((Some("alice"), None, None));
        macdef_running_to_end_of_file:
            "machine h login alice\nmacdef m\nbody line", "h" => Some((Some("alice"), None, None));
        crlf_line_ends:
            "machine h\r\nlogin alice\r\npassword pw12\r\n", "h" => Some((Some("alice"), Some("pw12"), None));
        empty_file_has_nothing:
            "", "h" => None;
        entry_without_login:
            "machine h password only", "h" => Some((None, Some("only"), None));
    }

    macro_rules! refuses {
        ($($name:ident: $text:expr => line $line:expr;)*) => {$(
            #[test]
            fn $name() {
                match Netrc::parse($text) {
                    Err(NetrcError::Syntax { line, problem }) => {
                        assert_eq!(line, $line, "{problem}");
                        assert!(!problem.contains("hunter2"));
                    }
                    other => panic!("{other:?}"),
                }
            }
        )*};
    }

    refuses! {
        unterminated_quote:
            "machine h\nlogin a password \"hunter2" => line 2;
        machine_without_host:
            "machine" => line 1;
        password_without_value:
            "machine h login a\npassword" => line 2;
        login_before_any_machine:
            "login a password hunter2" => line 1;
        login_after_macdef_without_machine:
            "machine h\nmacdef m\nx\n\nlogin a" => line 5;
        unknown_token_is_refused_without_quoting_it:
            "machine h login a password hunter2 extra" => line 1;
        unquoted_password_with_space_is_refused:
            "machine h\npassword hunter2 second" => line 2;
    }

    #[test]
    fn lookup_login_picks_the_entry_of_that_user() {
        let netrc = Netrc::parse(
            "machine h login alice password pa\n\
             machine h login bob password pb\n\
             machine h password anyuser\n\
             default login anonymous password guest",
        )
        .unwrap();
        let pw = |user| netrc.lookup_login("h", user).and_then(|e| e.password());
        assert_eq!(pw("alice"), Some("pa"));
        assert_eq!(pw("bob"), Some("pb"));
        assert_eq!(pw("carol"), Some("anyuser"));
        assert_eq!(
            netrc
                .lookup_login("other", "anonymous")
                .and_then(|e| e.password()),
            Some("guest")
        );
        assert!(netrc.lookup_login("other", "carol").is_none());
    }

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

    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ftp-blocking-netrc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
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
        let path = std::env::temp_dir().join("ftp-blocking-netrc-does-not-exist/x");
        assert!(matches!(
            Netrc::from_file(&path),
            Err(NetrcError::Io { .. })
        ));
    }
}
