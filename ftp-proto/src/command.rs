//! Commands that cannot be built wrong.
//!
//! Every argument is an [`Arg`]: bytes checked at construction to hold no CR, LF or NUL, so no
//! path or user name can end the command line early and smuggle in a second command, and
//! [`Command::encode`] cannot fail. Paths are bytes underneath: a file name a server sent in
//! Latin-1 (or any other encoding) can be sent back unchanged.
//!
//! ```
//! use ftp_proto::{Arg, Command};
//! let cmd = Command::Retr(Arg::try_from("dir/file name.txt")?);
//! let mut out = Vec::new();
//! cmd.encode(&mut out);
//! assert_eq!(out, b"RETR dir/file name.txt\r\n");
//! assert!(Arg::try_from("x\r\nDELE y").is_err());
//! # Ok::<(), ftp_proto::ArgError>(())
//! ```

use core::fmt;
use std::borrow::Cow;
use std::convert::Infallible;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::Timestamp;

/// A command argument: bytes holding no CR, LF or NUL.
///
/// Build one from a `&str`, `String`, `&[u8]` or `Vec<u8>` with `try_from`, or from a string
/// meant as Latin-1 with [`Arg::from_latin1`].
///
/// ```
/// use ftp_proto::Arg;
/// let utf8 = Arg::try_from("café.txt").unwrap();
/// assert_eq!(utf8.as_bytes(), "café.txt".as_bytes());
/// let latin1 = Arg::from_latin1("café.bin").unwrap();
/// assert_eq!(latin1.as_bytes(), b"caf\xe9.bin");
/// assert_eq!(latin1.to_latin1_string(), "café.bin");
/// assert_eq!(latin1.to_str_lossy(), "caf\u{fffd}.bin");
/// let err = Arg::try_from("a\nb").unwrap_err();
/// assert_eq!(err.to_string(), "argument byte 0x0a at offset 1 is not allowed (CR, LF and NUL are refused)");
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Arg(Vec<u8>);

/// Why an argument was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArgError {
    /// The argument holds CR, LF or NUL.
    #[error(
        "argument byte {byte:#04x} at offset {position} is not allowed (CR, LF and NUL are refused)"
    )]
    ForbiddenByte {
        /// The byte refused.
        byte: u8,
        /// Its offset in the argument.
        position: usize,
    },
    /// [`Arg::from_latin1`] met a character above U+00FF.
    #[error("character {ch:?} at byte offset {position} has no Latin-1 encoding")]
    NotLatin1 {
        /// The character refused.
        ch: char,
        /// Its byte offset in the string.
        position: usize,
    },
}

impl From<Infallible> for ArgError {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

fn check(bytes: &[u8]) -> Result<(), ArgError> {
    match bytes.iter().position(|&b| matches!(b, b'\r' | b'\n' | 0)) {
        Some(position) => Err(ArgError::ForbiddenByte {
            byte: bytes[position],
            position,
        }),
        None => Ok(()),
    }
}

impl Arg {
    /// The argument for the Latin-1 encoding of `s` (each char U+0000 to U+00FF becomes one
    /// byte): the way to name a file that a server lists in Latin-1.
    pub fn from_latin1(s: &str) -> Result<Arg, ArgError> {
        let mut out = Vec::with_capacity(s.len());
        for (position, ch) in s.char_indices() {
            let byte =
                u8::try_from(u32::from(ch)).map_err(|_| ArgError::NotLatin1 { ch, position })?;
            out.push(byte);
        }
        Arg::try_from(out)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, taken out.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The bytes as UTF-8, invalid sequences replaced by U+FFFD.
    pub fn to_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The bytes read as Latin-1 (this never fails).
    pub fn to_latin1_string(&self) -> String {
        self.0.iter().map(|&b| char::from(b)).collect()
    }

    /// Whether the argument is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<&[u8]> for Arg {
    type Error = ArgError;
    fn try_from(bytes: &[u8]) -> Result<Arg, ArgError> {
        check(bytes)?;
        Ok(Arg(bytes.to_vec()))
    }
}

impl TryFrom<Vec<u8>> for Arg {
    type Error = ArgError;
    fn try_from(bytes: Vec<u8>) -> Result<Arg, ArgError> {
        check(&bytes)?;
        Ok(Arg(bytes))
    }
}

impl TryFrom<&str> for Arg {
    type Error = ArgError;
    fn try_from(s: &str) -> Result<Arg, ArgError> {
        Arg::try_from(s.as_bytes())
    }
}

impl TryFrom<String> for Arg {
    type Error = ArgError;
    fn try_from(s: String) -> Result<Arg, ArgError> {
        Arg::try_from(s.into_bytes())
    }
}

impl AsRef<[u8]> for Arg {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Arg({:?})", self.to_str_lossy())
    }
}

/// The bytes as UTF-8, invalid sequences replaced.
impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str_lossy())
    }
}

/// A password (or an `ACCT` account): an [`Arg`] that prints as `****` in `Debug` and
/// `Display`.
///
/// ```
/// use ftp_proto::{Command, Password};
/// let pass = Password::new("s3cret").unwrap();
/// assert_eq!(format!("{pass:?} {pass}"), "**** ****");
/// assert_eq!(pass.expose(), b"s3cret");
/// let cmd = Command::Pass(pass);
/// assert_eq!(cmd.to_string(), "PASS ****");
/// assert_eq!(format!("{cmd:?}"), "Pass(****)");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Password(Arg);

impl Password {
    /// A password from anything that converts into an [`Arg`].
    pub fn new<T>(value: T) -> Result<Password, ArgError>
    where
        T: TryInto<Arg>,
        ArgError: From<T::Error>,
    {
        Ok(Password(value.try_into()?))
    }

    /// The password's bytes.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The password as an argument.
    pub fn expose_arg(&self) -> &Arg {
        &self.0
    }
}

impl From<Arg> for Password {
    fn from(arg: Arg) -> Self {
        Password(arg)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// The representation type of `TYPE` (RFC 959 section 3.1.1).
///
/// ```
/// use ftp_proto::TransferType;
/// assert_eq!(TransferType::Binary.code(), "I");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransferType {
    /// `TYPE A`: ASCII, line ends translated by the server.
    Ascii,
    /// `TYPE I`: image, the bytes as they are.
    Binary,
}

impl TransferType {
    /// The argument of `TYPE`: `A` or `I`.
    pub const fn code(self) -> &'static str {
        match self {
            TransferType::Ascii => "A",
            TransferType::Binary => "I",
        }
    }

    fn from_code(arg: &[u8]) -> Option<Self> {
        match arg {
            b"A" | b"a" => Some(TransferType::Ascii),
            b"I" | b"i" => Some(TransferType::Binary),
            _ => None,
        }
    }
}

/// The data channel protection level of `PROT` (RFC 4217 section 9, RFC 2228).
///
/// ```
/// use ftp_proto::ProtLevel;
/// assert_eq!(ProtLevel::Private.code(), "P");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProtLevel {
    /// `C`: no protection.
    Clear,
    /// `S`: integrity only.
    Safe,
    /// `E`: confidentiality only.
    Confidential,
    /// `P`: integrity and confidentiality (TLS).
    Private,
}

impl ProtLevel {
    /// The argument of `PROT`: `C`, `S`, `E` or `P`.
    pub const fn code(self) -> &'static str {
        match self {
            ProtLevel::Clear => "C",
            ProtLevel::Safe => "S",
            ProtLevel::Confidential => "E",
            ProtLevel::Private => "P",
        }
    }

    fn from_code(arg: &[u8]) -> Option<Self> {
        match arg {
            b"C" | b"c" => Some(ProtLevel::Clear),
            b"S" | b"s" => Some(ProtLevel::Safe),
            b"E" | b"e" => Some(ProtLevel::Confidential),
            b"P" | b"p" => Some(ProtLevel::Private),
            _ => None,
        }
    }
}

/// Any command: a verb of 1 to 16 ASCII letters and digits starting with a letter (kept
/// upper-cased; `XMD5` and `XSHA256` exist), and an optional argument.
///
/// ```
/// use ftp_proto::{Arg, RawCommand};
/// let raw = RawCommand::new("xcrc", Some(Arg::try_from("file.bin")?)).unwrap();
/// assert_eq!(raw.verb(), "XCRC");
/// assert_eq!(RawCommand::parse("SITE CHMOD 644 x").unwrap().arg().unwrap().as_bytes(), b"CHMOD 644 x");
/// assert!(RawCommand::new("X-1", None).is_err());
/// assert_eq!(RawCommand::new("xsha256", None).unwrap().verb(), "XSHA256");
/// # Ok::<(), ftp_proto::ArgError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawCommand {
    verb: String,
    arg: Option<Arg>,
}

impl RawCommand {
    /// A command with this verb (1 to 16 ASCII letters and digits, the first a letter) and
    /// argument.
    pub fn new(verb: &str, arg: Option<Arg>) -> Result<RawCommand, CommandParseError> {
        check_verb(verb.as_bytes())?;
        Ok(RawCommand {
            verb: verb.to_ascii_uppercase(),
            arg,
        })
    }

    /// Reads one command line, with or without its CRLF, keeping it raw.
    pub fn parse(line: &str) -> Result<RawCommand, CommandParseError> {
        let (verb, arg) = split_line(line.as_bytes())?;
        Ok(RawCommand { verb, arg })
    }

    /// The verb, upper-case.
    pub fn verb(&self) -> &str {
        &self.verb
    }

    /// The argument, if any.
    pub fn arg(&self) -> Option<&Arg> {
        self.arg.as_ref()
    }
}

impl fmt::Debug for RawCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawCommand")
            .field(&self.verb)
            .field(&self.arg)
            .finish()
    }
}

/// Why a command line could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandParseError {
    /// The line is empty.
    #[error("empty command line")]
    Empty,
    /// The verb is not 1 to 16 ASCII letters and digits, the first a letter, followed by a
    /// space or the line end.
    #[error("invalid command verb {:?}", String::from_utf8_lossy(verb))]
    InvalidVerb {
        /// The offending verb (at most 32 bytes of it).
        verb: Vec<u8>,
    },
    /// The line holds CR, LF or NUL before its end.
    #[error(transparent)]
    Arg(#[from] ArgError),
}

fn check_verb(verb: &[u8]) -> Result<(), CommandParseError> {
    let ok = verb.first().is_some_and(u8::is_ascii_alphabetic)
        && verb.len() <= 16
        && verb.iter().all(u8::is_ascii_alphanumeric);
    if !ok {
        let mut verb = verb.to_vec();
        verb.truncate(32);
        return Err(CommandParseError::InvalidVerb { verb });
    }
    Ok(())
}

/// Splits `VERB[ arg][\r]\n` into the upper-cased verb and the argument.
fn split_line(line: &[u8]) -> Result<(String, Option<Arg>), CommandParseError> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return Err(CommandParseError::Empty);
    }
    let (verb, arg) = match memchr::memchr(b' ', line) {
        Some(i) => (&line[..i], Some(&line[i + 1..])),
        None => (line, None),
    };
    check_verb(verb)?;
    let arg = match arg {
        Some(a) => Some(Arg::try_from(a).map_err(|e| match e {
            ArgError::ForbiddenByte { byte, position } => ArgError::ForbiddenByte {
                byte,
                position: position + verb.len() + 1,
            },
            other => other,
        })?),
        None => None,
    };
    let verb = verb
        .iter()
        .map(|b| char::from(b.to_ascii_uppercase()))
        .collect();
    Ok((verb, arg))
}

/// An FTP command (RFC 959, 2228, 2389, 2428, 3659, 4217, 7151 and the MFMT draft).
///
/// [`encode`](Self::encode) writes the line; [`parse`](Self::parse) reads one back and is its
/// inverse. The `Display` form is the line without CRLF, with PASS's argument masked.
///
/// ```
/// use ftp_proto::{Arg, Command, TransferType};
/// let mut out = Vec::new();
/// Command::Type(TransferType::Binary).encode(&mut out);
/// Command::Rest(1024).encode(&mut out);
/// Command::List(None).encode(&mut out);
/// assert_eq!(out, b"TYPE I\r\nREST 1024\r\nLIST\r\n");
///
/// let cmd = Command::parse(b"STOR caf\xe9.bin\r\n").unwrap();
/// assert_eq!(cmd, Command::Stor(Arg::try_from(&b"caf\xe9.bin"[..]).unwrap()));
/// assert_eq!(cmd.verb(), "STOR");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command {
    /// `USER name`.
    User(Arg),
    /// `PASS password`, masked when printed.
    Pass(Password),
    /// `ACCT account`, masked when printed like `PASS` (an account is often a second secret).
    Acct(Password),
    /// `CWD path`.
    Cwd(Arg),
    /// `CDUP`.
    Cdup,
    /// `PWD`.
    Pwd,
    /// `MKD path`.
    Mkd(Arg),
    /// `RMD path`.
    Rmd(Arg),
    /// `DELE path`.
    Dele(Arg),
    /// `RNFR path`.
    Rnfr(Arg),
    /// `RNTO path`.
    Rnto(Arg),
    /// `SIZE path` (RFC 3659).
    Size(Arg),
    /// `MDTM path` (RFC 3659).
    Mdtm(Arg),
    /// `MFMT YYYYMMDDHHMMSS[.f] path` (draft-somers-ftp-mfxx).
    Mfmt(Timestamp, Arg),
    /// `TYPE A` or `TYPE I`.
    Type(TransferType),
    /// `PASV`.
    Pasv,
    /// `EPSV` (RFC 2428).
    Epsv,
    /// `PORT h1,h2,h3,h4,p1,p2`.
    Port(SocketAddrV4),
    /// `EPRT |1|ip|port|` or `EPRT |2|ip|port|` (RFC 2428). IPv6 flow info and scope id are
    /// not sent and read back as 0.
    Eprt(SocketAddr),
    /// `REST offset` (RFC 3659 stream-mode restart).
    Rest(u64),
    /// `RETR path`.
    Retr(Arg),
    /// `STOR path`.
    Stor(Arg),
    /// `STOU`.
    Stou,
    /// `APPE path`.
    Appe(Arg),
    /// `LIST [path]`.
    List(Option<Arg>),
    /// `NLST [path]`.
    Nlst(Option<Arg>),
    /// `MLSD [path]` (RFC 3659).
    Mlsd(Option<Arg>),
    /// `MLST [path]` (RFC 3659).
    Mlst(Option<Arg>),
    /// `FEAT` (RFC 2389).
    Feat,
    /// `OPTS args` (RFC 2389), e.g. `OPTS UTF8 ON`.
    Opts(Arg),
    /// `HOST name` (RFC 7151).
    Host(Arg),
    /// `AUTH mechanism` (RFC 2228), e.g. `AUTH TLS`.
    Auth(Arg),
    /// `PBSZ size` (RFC 2228).
    Pbsz(u64),
    /// `PROT level` (RFC 2228).
    Prot(ProtLevel),
    /// `CCC` (RFC 2228): back to a clear control connection.
    Ccc,
    /// `ABOR`.
    Abor,
    /// `NOOP`.
    Noop,
    /// `SYST`.
    Syst,
    /// `STAT [path]`.
    Stat(Option<Arg>),
    /// `SITE args`.
    Site(Arg),
    /// `QUIT`.
    Quit,
    /// Any other command, or a known verb with an argument the typed form cannot hold.
    Raw(RawCommand),
}

impl Command {
    /// The verb, e.g. `"RETR"`.
    pub fn verb(&self) -> &str {
        match self {
            Command::User(_) => "USER",
            Command::Pass(_) => "PASS",
            Command::Acct(_) => "ACCT",
            Command::Cwd(_) => "CWD",
            Command::Cdup => "CDUP",
            Command::Pwd => "PWD",
            Command::Mkd(_) => "MKD",
            Command::Rmd(_) => "RMD",
            Command::Dele(_) => "DELE",
            Command::Rnfr(_) => "RNFR",
            Command::Rnto(_) => "RNTO",
            Command::Size(_) => "SIZE",
            Command::Mdtm(_) => "MDTM",
            Command::Mfmt(..) => "MFMT",
            Command::Type(_) => "TYPE",
            Command::Pasv => "PASV",
            Command::Epsv => "EPSV",
            Command::Port(_) => "PORT",
            Command::Eprt(_) => "EPRT",
            Command::Rest(_) => "REST",
            Command::Retr(_) => "RETR",
            Command::Stor(_) => "STOR",
            Command::Stou => "STOU",
            Command::Appe(_) => "APPE",
            Command::List(_) => "LIST",
            Command::Nlst(_) => "NLST",
            Command::Mlsd(_) => "MLSD",
            Command::Mlst(_) => "MLST",
            Command::Feat => "FEAT",
            Command::Opts(_) => "OPTS",
            Command::Host(_) => "HOST",
            Command::Auth(_) => "AUTH",
            Command::Pbsz(_) => "PBSZ",
            Command::Prot(_) => "PROT",
            Command::Ccc => "CCC",
            Command::Abor => "ABOR",
            Command::Noop => "NOOP",
            Command::Syst => "SYST",
            Command::Stat(_) => "STAT",
            Command::Site(_) => "SITE",
            Command::Quit => "QUIT",
            Command::Raw(raw) => raw.verb(),
        }
    }

    /// Appends `VERB[ arg]\r\n` to `out`. This cannot fail: every argument was checked when
    /// it was built.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.write_line(out, false);
        out.extend_from_slice(b"\r\n");
    }

    /// The line `VERB[ arg]\r\n` as a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Writes the line without its end; with `mask`, PASS's argument as `****`.
    fn write_line(&self, out: &mut Vec<u8>, mask: bool) {
        out.extend_from_slice(self.verb().as_bytes());
        let mut arg = |bytes: &[u8]| {
            out.push(b' ');
            out.extend_from_slice(bytes);
        };
        match self {
            Command::Pass(p) if mask => arg(b"****"),
            Command::Pass(p) => arg(p.expose()),
            Command::Acct(_) if mask => arg(b"****"),
            Command::Acct(a) => arg(a.expose()),
            Command::User(a)
            | Command::Cwd(a)
            | Command::Mkd(a)
            | Command::Rmd(a)
            | Command::Dele(a)
            | Command::Rnfr(a)
            | Command::Rnto(a)
            | Command::Size(a)
            | Command::Mdtm(a)
            | Command::Retr(a)
            | Command::Stor(a)
            | Command::Appe(a)
            | Command::Opts(a)
            | Command::Host(a)
            | Command::Auth(a)
            | Command::Site(a) => arg(a.as_bytes()),
            Command::List(a)
            | Command::Nlst(a)
            | Command::Mlsd(a)
            | Command::Mlst(a)
            | Command::Stat(a) => {
                if let Some(a) = a {
                    arg(a.as_bytes())
                }
            }
            Command::Raw(raw) => {
                if let Some(a) = &raw.arg {
                    arg(a.as_bytes())
                }
            }
            Command::Mfmt(t, a) => {
                let mut s = t.to_string().into_bytes();
                s.push(b' ');
                s.extend_from_slice(a.as_bytes());
                arg(&s)
            }
            Command::Type(t) => arg(t.code().as_bytes()),
            Command::Prot(p) => arg(p.code().as_bytes()),
            Command::Rest(n) | Command::Pbsz(n) => arg(n.to_string().as_bytes()),
            Command::Port(addr) => {
                let [a, b, c, d] = addr.ip().octets();
                let p = addr.port();
                arg(format!("{a},{b},{c},{d},{},{}", p >> 8, p & 0xff).as_bytes())
            }
            Command::Eprt(addr) => {
                let family = if addr.is_ipv4() { 1 } else { 2 };
                arg(format!("|{family}|{}|{}|", addr.ip(), addr.port()).as_bytes())
            }
            Command::Cdup
            | Command::Pwd
            | Command::Pasv
            | Command::Epsv
            | Command::Stou
            | Command::Feat
            | Command::Ccc
            | Command::Abor
            | Command::Noop
            | Command::Syst
            | Command::Quit => {}
        }
    }

    /// Reads one command line, with or without its CRLF (or bare LF): the inverse of
    /// [`encode`](Self::encode).
    ///
    /// The verb is matched without regard to case. A known verb whose argument the typed form
    /// cannot hold (`TYPE L 8`, `PWD x`, `CWD` without a path) is kept as [`Command::Raw`], so
    /// any well-formed line can be sent as it is. Errors are an empty line, a verb that is not
    /// 1 to 16 ASCII letters and digits starting with a letter, and CR, LF or NUL inside the
    /// line.
    ///
    /// ```
    /// use ftp_proto::{Arg, Command, ProtLevel};
    /// assert_eq!(Command::parse(b"prot p").unwrap(), Command::Prot(ProtLevel::Private));
    /// assert_eq!(Command::parse(b"LIST -la\r\n").unwrap(), Command::List(Some(Arg::try_from("-la").unwrap())));
    /// assert!(matches!(Command::parse(b"TYPE L 8").unwrap(), Command::Raw(_)));
    /// assert!(Command::parse(b"RETR a\rb").is_err());
    /// ```
    pub fn parse(line: &[u8]) -> Result<Command, CommandParseError> {
        let (verb, arg) = split_line(line)?;
        Ok(typed(&verb, arg.as_ref()).unwrap_or(Command::Raw(RawCommand { verb, arg })))
    }
}

/// The typed command for `verb` and `arg`, if the typed form can hold them exactly.
fn typed(verb: &str, arg: Option<&Arg>) -> Option<Command> {
    let a = || arg.cloned();
    let req = |f: fn(Arg) -> Command| arg.map(|a| f(a.clone()));
    let none = |c: Command| arg.is_none().then_some(c);
    let opt = |f: fn(Option<Arg>) -> Command| Some(f(a()));
    Some(match verb {
        "USER" => req(Command::User)?,
        "PASS" => Command::Pass(Password(arg?.clone())),
        "ACCT" => Command::Acct(Password(arg?.clone())),
        "CWD" => req(Command::Cwd)?,
        "CDUP" => none(Command::Cdup)?,
        "PWD" => none(Command::Pwd)?,
        "MKD" => req(Command::Mkd)?,
        "RMD" => req(Command::Rmd)?,
        "DELE" => req(Command::Dele)?,
        "RNFR" => req(Command::Rnfr)?,
        "RNTO" => req(Command::Rnto)?,
        "SIZE" => req(Command::Size)?,
        "MDTM" => req(Command::Mdtm)?,
        "MFMT" => {
            let bytes = arg?.as_bytes();
            let sp = memchr::memchr(b' ', bytes)?;
            let t = crate::parse::timestamp_exact(&bytes[..sp])?;
            // Only the canonical form (as Display writes it) round-trips.
            if t.to_string().as_bytes() != &bytes[..sp] {
                return None;
            }
            Command::Mfmt(t, Arg(bytes[sp + 1..].to_vec()))
        }
        "TYPE" => Command::Type(TransferType::from_code(arg?.as_bytes())?),
        "PASV" => none(Command::Pasv)?,
        "EPSV" => none(Command::Epsv)?,
        "PORT" => Command::Port(parse_port_arg(arg?.as_bytes())?),
        "EPRT" => Command::Eprt(parse_eprt_arg(arg?.as_bytes())?),
        "REST" => Command::Rest(canonical_u64(arg?.as_bytes())?),
        "RETR" => req(Command::Retr)?,
        "STOR" => req(Command::Stor)?,
        "STOU" => none(Command::Stou)?,
        "APPE" => req(Command::Appe)?,
        "LIST" => opt(Command::List)?,
        "NLST" => opt(Command::Nlst)?,
        "MLSD" => opt(Command::Mlsd)?,
        "MLST" => opt(Command::Mlst)?,
        "FEAT" => none(Command::Feat)?,
        "OPTS" => req(Command::Opts)?,
        "HOST" => req(Command::Host)?,
        "AUTH" => req(Command::Auth)?,
        "PBSZ" => Command::Pbsz(canonical_u64(arg?.as_bytes())?),
        "PROT" => Command::Prot(ProtLevel::from_code(arg?.as_bytes())?),
        "CCC" => none(Command::Ccc)?,
        "ABOR" => none(Command::Abor)?,
        "NOOP" => none(Command::Noop)?,
        "SYST" => none(Command::Syst)?,
        "STAT" => opt(Command::Stat)?,
        "SITE" => req(Command::Site)?,
        "QUIT" => none(Command::Quit)?,
        _ => return None,
    })
}

/// A decimal number without sign or leading zeros (so that it encodes back the same).
fn canonical_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || (bytes.len() > 1 && bytes[0] == b'0') {
        return None;
    }
    if !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// `h1,h2,h3,h4,p1,p2`, each 0-255 in canonical decimal.
fn parse_port_arg(bytes: &[u8]) -> Option<SocketAddrV4> {
    let mut n = [0u8; 6];
    let mut parts = bytes.split(|&b| b == b',');
    for slot in &mut n {
        *slot = u8::try_from(canonical_u64(parts.next()?)?).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    let ip = Ipv4Addr::new(n[0], n[1], n[2], n[3]);
    Some(SocketAddrV4::new(
        ip,
        u16::from(n[4]) << 8 | u16::from(n[5]),
    ))
}

/// `|1|ip|port|` or `|2|ip|port|` with `|` as written by `encode`, in canonical form.
fn parse_eprt_arg(bytes: &[u8]) -> Option<SocketAddr> {
    let s = std::str::from_utf8(bytes).ok()?;
    let inner = s.strip_prefix('|')?.strip_suffix('|')?;
    let mut parts = inner.split('|');
    let (family, host, port) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let port = u16::try_from(canonical_u64(port.as_bytes())?).ok()?;
    let addr = match family {
        "1" => SocketAddr::V4(SocketAddrV4::new(host.parse::<Ipv4Addr>().ok()?, port)),
        "2" => SocketAddr::V6(SocketAddrV6::new(
            host.parse::<Ipv6Addr>().ok()?,
            port,
            0,
            0,
        )),
        _ => return None,
    };
    // Only the form `encode` writes round-trips (e.g. no `::ffff:1.2.3.4` spelled otherwise).
    (addr.ip().to_string() == host).then_some(addr)
}

/// The line without CRLF, PASS's argument masked as `****`.
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.write_line(&mut out, true);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

#[cfg(test)]
mod acct_tests {
    use super::*;

    #[test]
    fn acct_is_masked_in_debug_and_display_like_pass() {
        let cmd = Command::Acct(Password::new("hunter2").unwrap());
        assert_eq!(cmd.to_string(), "ACCT ****");
        assert_eq!(cmd.to_bytes(), b"ACCT hunter2\r\n");
        let debug = format!("{cmd:?} {cmd:#?}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn parsed_acct_is_masked_too() {
        let cmd = Command::parse(b"acct hunter2\r\n").unwrap();
        assert!(matches!(cmd, Command::Acct(_)), "{cmd:?}");
        assert!(!format!("{cmd:?} {cmd}").contains("hunter2"));
        assert_eq!(cmd.to_bytes(), b"ACCT hunter2\r\n");
    }
}
