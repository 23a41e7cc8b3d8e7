//! `.netrc` text: login names and passwords by host, as ftp(1), curl and Python's `netrc` read
//! them. Only the parser: reading the file (`$NETRC`, else `~/.netrc`, at most 1 MiB) and
//! checking its permissions is the adapters' part (`ftp-support`).
//!
//! The text is a sequence of whitespace-separated tokens:
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
//! a [`NetrcSyntaxError`] names a line number and a problem, never a token.
//!
//! ```
//! use ftp_proto::netrc::Netrc;
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
//! # Ok::<(), ftp_proto::netrc::NetrcSyntaxError>(())
//! ```

use std::fmt;

/// The `.netrc` text does not follow the syntax. Names a line and a problem, never a token of
/// the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("netrc syntax error on line {line}: {problem}")]
pub struct NetrcSyntaxError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, without quoting the text.
    pub problem: &'static str,
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
    /// let netrc = ftp_proto::netrc::Netrc::parse("machine h login a\ndefault login b")?;
    /// let hosts: Vec<_> = netrc.entries().iter().map(|e| e.machine()).collect();
    /// assert_eq!(hosts, [Some("h"), None]);
    /// assert!(netrc.entries()[1].is_default());
    /// # Ok::<(), ftp_proto::netrc::NetrcSyntaxError>(())
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
    /// let netrc = ftp_proto::netrc::Netrc::parse("machine h login a password p account x")?;
    /// let e = &netrc.entries()[0];
    /// assert_eq!((e.login(), e.password(), e.account()), (Some("a"), Some("p"), Some("x")));
    /// # Ok::<(), ftp_proto::netrc::NetrcSyntaxError>(())
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
    /// let netrc = ftp_proto::netrc::Netrc::parse("machine h login u password p")?;
    /// assert_eq!(netrc.entries().len(), 1);
    /// # Ok::<(), ftp_proto::netrc::NetrcSyntaxError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Netrc, NetrcSyntaxError> {
        Parser::new(text).parse()
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[NetrcEntry] {
        &self.entries
    }

    /// The first `machine` entry for `host` (ASCII case-insensitive), else the `default` entry.
    ///
    /// ```
    /// let netrc = ftp_proto::netrc::Netrc::parse("machine a login x\nmachine b login y")?;
    /// assert_eq!(netrc.lookup("b").and_then(|e| e.login()), Some("y"));
    /// assert!(netrc.lookup("c").is_none());
    /// # Ok::<(), ftp_proto::netrc::NetrcSyntaxError>(())
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
    /// let netrc = ftp_proto::netrc::Netrc::parse(
    ///     "machine h login alice password a\nmachine h login bob password b",
    /// )?;
    /// assert_eq!(netrc.lookup_login("h", "bob").and_then(|e| e.password()), Some("b"));
    /// assert!(netrc.lookup_login("h", "carol").is_none());
    /// # Ok::<(), ftp_proto::netrc::NetrcSyntaxError>(())
    /// ```
    pub fn lookup_login(&self, host: &str, user: &str) -> Option<&NetrcEntry> {
        let fits = |e: &&NetrcEntry| e.login.as_deref().is_none_or(|l| l == user);
        self.machine(host)
            .find(fits)
            .or_else(|| self.entries.iter().filter(|e| e.is_default()).find(fits))
    }

    /// Whether a `machine` entry names `host` (ASCII case-insensitive): when it does not,
    /// [`lookup`](Self::lookup) can only give the `default` entry, which was not written for
    /// that host.
    ///
    /// ```
    /// let netrc = ftp_proto::netrc::Netrc::parse("machine a login x\ndefault login y")?;
    /// assert!(netrc.names_host("A") && !netrc.names_host("b"));
    /// # Ok::<(), ftp_proto::netrc::NetrcSyntaxError>(())
    /// ```
    pub fn names_host(&self, host: &str) -> bool {
        self.machine(host).next().is_some()
    }

    /// Whether an entry holds a password for a login other than `anonymous`: such a file must
    /// be readable by its owner only (ftp(1) and Python's `netrc` refuse it otherwise).
    ///
    /// ```
    /// use ftp_proto::netrc::Netrc;
    /// assert!(Netrc::parse("machine h login alice password pw")?.holds_private_password());
    /// assert!(!Netrc::parse("default login anonymous password me@")?.holds_private_password());
    /// # Ok::<(), ftp_proto::netrc::NetrcSyntaxError>(())
    /// ```
    pub fn holds_private_password(&self) -> bool {
        self.entries
            .iter()
            .any(|e| e.password.is_some() && e.login.as_deref() != Some("anonymous"))
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

    fn next_token(&mut self) -> Result<Option<Token>, NetrcSyntaxError> {
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
                        return Err(NetrcSyntaxError {
                            line,
                            problem: "a quoted token has no closing quote",
                        });
                    }
                    Some('"') => break,
                    Some('\\') => match self.bump() {
                        Some(c) => text.push(c),
                        None => {
                            return Err(NetrcSyntaxError {
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

    fn value(
        &mut self,
        keyword_line: usize,
        problem: &'static str,
    ) -> Result<String, NetrcSyntaxError> {
        match self.next_token()? {
            Some(token) => Ok(token.text),
            None => Err(NetrcSyntaxError {
                line: keyword_line,
                problem,
            }),
        }
    }

    fn parse(mut self) -> Result<Netrc, NetrcSyntaxError> {
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
                            return Err(NetrcSyntaxError {
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
                    return Err(NetrcSyntaxError {
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
mod tests;
