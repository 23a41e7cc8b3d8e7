//! The session encoding: user strings to command bytes, server bytes to text.

use std::fmt;
use std::str::FromStr;

use crate::client::Credentials;
use crate::command::{Arg, ArgError, Password};
use crate::reply::Reply;

/// How user strings become command bytes and how reply and listing bytes become text, as
/// ftplib's `encoding=`.
///
/// The encoding only *renders*: names the server sends are kept as bytes in the core's
/// entries and replies, so a name the encoding cannot decode exactly (U+FFFD in its text)
/// still round-trips when sent back as bytes.
///
/// [`Utf8`](Encoding::Utf8) and [`Latin1`](Encoding::Latin1) (true ISO-8859-1: every byte is one
/// character, so every name round-trips through text as well) are always there. With the
/// `encodings` feature (which brings in `encoding_rs`), every encoding of the WHATWG Encoding
/// Standard is available by label: windows-1251, KOI8-U, GBK, GB18030, Big5, Shift_JIS,
/// EUC-JP, EUC-KR, ISO-2022-JP, windows-125x, ISO-8859-x and the rest (UTF-16 and the
/// "replacement" encoding excepted: they cannot carry FTP's ASCII commands).
///
/// ```
/// use ftp_proto::text::Encoding;
/// assert_eq!(Encoding::Latin1.encode("café").unwrap(), b"caf\xe9");
/// assert_eq!(Encoding::Utf8.encode("café").unwrap(), "café".as_bytes());
/// assert_eq!(Encoding::Latin1.decode(b"caf\xe9"), "café");
/// assert!(Encoding::Latin1.encode("€").is_err());
/// assert_eq!("latin-1".parse::<Encoding>().unwrap(), Encoding::Latin1);
/// # #[cfg(feature = "encodings")] {
/// let cp1251: Encoding = "cp1251".parse().unwrap();
/// assert_eq!(cp1251.name(), "windows-1251");
/// assert_eq!(cp1251.encode("Привет").unwrap(), b"\xcf\xf0\xe8\xe2\xe5\xf2");
/// assert_eq!(cp1251.decode(b"\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет");
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Encoding {
    /// UTF-8 (ftplib's default); invalid bytes from the server decode to U+FFFD.
    #[default]
    Utf8,
    /// ISO-8859-1: U+0000 to U+00FF, one byte each (Python's `latin-1`; note that the WHATWG
    /// label `latin1` means windows-1252, which [`Encoding::for_label`] does not follow).
    Latin1,
    /// An encoding of the WHATWG Encoding Standard, through `encoding_rs`.
    #[cfg(feature = "encodings")]
    Whatwg(WhatwgEncoding),
}

/// One encoding of the WHATWG Encoding Standard (feature `encodings`); made by
/// [`Encoding::for_label`].
#[cfg(feature = "encodings")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct WhatwgEncoding(&'static encoding_rs::Encoding);

#[cfg(feature = "encodings")]
impl fmt::Debug for WhatwgEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

/// Python codec names that are not WHATWG labels, mapped to the WHATWG encoding that is the
/// same or a superset.
#[cfg(feature = "encodings")]
const PYTHON_ALIASES: &[(&str, &str)] = &[
    ("cp932", "shift_jis"),
    ("shift-jis", "shift_jis"),
    ("mskanji", "shift_jis"),
    ("cp936", "gbk"),
    ("cp950", "big5"),
    ("big5hkscs", "big5"),
    ("cp949", "euc-kr"),
    ("uhc", "euc-kr"),
    ("koi8u", "koi8-u"),
    ("koi8r", "koi8-r"),
    ("eucjp", "euc-jp"),
    ("euckr", "euc-kr"),
    ("iso2022-jp", "iso-2022-jp"),
];

impl Encoding {
    /// The encoding a label names, as Python's codec names and the WHATWG labels spell them
    /// (case-insensitive, `_` and `-` alike): `utf-8`/`utf8`; `latin-1`, `latin1`,
    /// `iso-8859-1`, `l1` for true ISO-8859-1; with the `encodings` feature, every WHATWG
    /// label (`cp1251`, `koi8-u`, `gbk`, `gb18030`, `big5`, `shift_jis`, `euc-jp`, ...) plus
    /// Python's `cp932`, `cp936`, `cp949`, `cp950`. `None` for an unknown label, and for
    /// UTF-16 and "replacement" (they cannot carry FTP's ASCII commands).
    ///
    /// ```
    /// use ftp_proto::text::Encoding;
    /// assert_eq!(Encoding::for_label("UTF_8"), Some(Encoding::Utf8));
    /// assert_eq!(Encoding::for_label("ISO-8859-1"), Some(Encoding::Latin1));
    /// assert_eq!(Encoding::for_label("klingon"), None);
    /// ```
    pub fn for_label(label: &str) -> Option<Encoding> {
        let label = label.trim().to_ascii_lowercase();
        let dashed = label.replace('_', "-");
        match dashed.as_str() {
            "utf-8" | "utf8" | "u8" | "unicode-1-1-utf-8" => return Some(Encoding::Utf8),
            "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "8859" | "cp819" | "l1"
            | "iso-ir-100" | "iso-8859-1:1987" => return Some(Encoding::Latin1),
            _ => {}
        }
        Self::whatwg_for_label(&label, &dashed)
    }

    #[cfg(feature = "encodings")]
    fn whatwg_for_label(label: &str, dashed: &str) -> Option<Encoding> {
        let alias = PYTHON_ALIASES
            .iter()
            .find(|(python, _)| *python == dashed)
            .map(|(_, whatwg)| *whatwg);
        let found = [Some(label), Some(dashed), alias]
            .into_iter()
            .flatten()
            .find_map(|l| encoding_rs::Encoding::for_label_no_replacement(l.as_bytes()))?;
        if found == encoding_rs::UTF_8 {
            return Some(Encoding::Utf8);
        }
        if found == encoding_rs::UTF_16LE || found == encoding_rs::UTF_16BE {
            return None;
        }
        Some(Encoding::Whatwg(WhatwgEncoding(found)))
    }

    #[cfg(not(feature = "encodings"))]
    fn whatwg_for_label(_label: &str, _dashed: &str) -> Option<Encoding> {
        None
    }

    /// The canonical name: `UTF-8`, `ISO-8859-1`, or the WHATWG name (`windows-1251`,
    /// `KOI8-U`, `GBK`, `Shift_JIS`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Latin1 => "ISO-8859-1",
            #[cfg(feature = "encodings")]
            Encoding::Whatwg(w) => w.0.name(),
        }
    }

    /// Encodes a string for the wire. A character the encoding cannot represent is an
    /// [`EncodeError`] naming the string, the character and its position. Use
    /// [`encode_secret`](Encoding::encode_secret) for a password or account.
    pub fn encode(self, s: &str) -> Result<Vec<u8>, EncodeError> {
        self.encode_inner(s).map_err(|(position, ch)| EncodeError {
            encoding: self,
            what: Some((position, ch)),
            text: Some(s.to_owned()),
        })
    }

    /// Encodes a secret (a password or an account): an error says that the secret cannot be
    /// encoded, and nothing about its text.
    ///
    /// ```
    /// use ftp_proto::text::Encoding;
    /// let err = Encoding::Latin1.encode_secret("pässwörd€").unwrap_err();
    /// assert_eq!(err.to_string(), "a password or account cannot be encoded in ISO-8859-1 (its text is not shown)");
    /// ```
    pub fn encode_secret(self, s: &str) -> Result<Vec<u8>, EncodeError> {
        self.encode_inner(s).map_err(|_| EncodeError {
            encoding: self,
            what: None,
            text: None,
        })
    }

    fn encode_inner(self, s: &str) -> Result<Vec<u8>, (usize, char)> {
        match self {
            Encoding::Utf8 => Ok(s.as_bytes().to_vec()),
            Encoding::Latin1 => s
                .char_indices()
                .map(|(i, c)| u8::try_from(u32::from(c)).map_err(|_| (i, c)))
                .collect(),
            #[cfg(feature = "encodings")]
            Encoding::Whatwg(w) => whatwg_encode(w.0, s),
        }
    }

    /// Decodes bytes from the wire for display or for a `String` API. Bytes the encoding
    /// cannot decode become U+FFFD (Latin-1 never needs to). No BOM is looked for.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Encoding::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            #[cfg(feature = "encodings")]
            Encoding::Whatwg(w) => w.0.decode_without_bom_handling(bytes).0.into_owned(),
        }
    }

    /// A whole reply as ftplib returns it: every line decoded, joined with `\n`.
    ///
    /// ```
    /// use ftp_proto::text::Encoding;
    /// use ftp_proto::{Reply, ReplyCode};
    /// let reply = Reply::single(ReplyCode::PATH_CREATED, b"\"/caf\xe9\" created".as_slice());
    /// assert_eq!(Encoding::Latin1.decode_reply(&reply), "257 \"/café\" created");
    /// ```
    pub fn decode_reply(self, reply: &Reply) -> String {
        let mut text = String::new();
        for (i, line) in reply.lines().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(&self.decode(line));
        }
        text
    }

    /// Whether `decode` followed by `encode` gives back every byte string unchanged (true of
    /// Latin-1 only): with any other encoding, keep names as bytes to send them back.
    pub fn round_trips_every_name(self) -> bool {
        self == Encoding::Latin1
    }

    /// A command argument for `s` in this encoding: encoded, then checked for CR, LF and NUL.
    pub fn arg(self, s: &str) -> Result<Arg, TextArgError> {
        Ok(Arg::try_from(self.encode(s)?)?)
    }
}

/// Encodes without replacement: the first unmappable character is the error.
#[cfg(feature = "encodings")]
fn whatwg_encode(enc: &'static encoding_rs::Encoding, s: &str) -> Result<Vec<u8>, (usize, char)> {
    use encoding_rs::EncoderResult;
    let mut encoder = enc.new_encoder();
    let mut out = Vec::with_capacity(
        encoder
            .max_buffer_length_from_utf8_without_replacement(s.len())
            .unwrap_or(s.len().saturating_mul(4)),
    );
    let mut input = s;
    let mut consumed = 0;
    loop {
        let (result, read) =
            encoder.encode_from_utf8_to_vec_without_replacement(input, &mut out, true);
        consumed += read;
        input = &input[read..];
        match result {
            EncoderResult::InputEmpty => return Ok(out),
            EncoderResult::OutputFull => {
                out.reserve(input.len().saturating_mul(4).max(16));
            }
            EncoderResult::Unmappable(ch) => {
                return Err((consumed - ch.len_utf8(), ch));
            }
        }
    }
}

impl fmt::Debug for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encoding::Utf8 => f.write_str("Utf8"),
            Encoding::Latin1 => f.write_str("Latin1"),
            #[cfg(feature = "encodings")]
            Encoding::Whatwg(w) => write!(f, "Whatwg({w:?})"),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Encoding {
    type Err = UnknownEncoding;
    fn from_str(s: &str) -> Result<Encoding, UnknownEncoding> {
        Encoding::for_label(s).ok_or_else(|| UnknownEncoding {
            label: crate::text::escape_for_terminal(s).into_owned(),
        })
    }
}

/// A label [`Encoding::for_label`] does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    feature = "encodings",
    error("unknown encoding {label:?} (UTF-8, Latin-1 and the WHATWG encodings are known)")
)]
#[cfg_attr(
    not(feature = "encodings"),
    error(
        "unknown encoding {label:?} (UTF-8 and Latin-1 are known; ftp-proto was built without the `encodings` feature)"
    )
)]
pub struct UnknownEncoding {
    /// The label, escaped for display.
    pub label: String,
}

/// A string holds a character the session encoding cannot represent.
///
/// It names the string, the character and its byte offset; for a secret
/// ([`Encoding::encode_secret`]) nothing of it: neither the text nor the character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError {
    encoding: Encoding,
    what: Option<(usize, char)>,
    text: Option<String>,
}

impl EncodeError {
    /// The encoding that could not represent the text.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The character refused and its byte offset in the string; `None` for a secret.
    pub fn character(&self) -> Option<(usize, char)> {
        self.what
    }

    /// The string that could not be encoded; `None` for a secret.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.what, &self.text) {
            // `{:?}` quotes the text with its control characters escaped.
            (Some((position, ch)), Some(text)) => write!(
                f,
                "cannot encode {text:?} in {}: character U+{:04X} at byte offset {position}",
                self.encoding.name(),
                u32::from(ch),
            ),
            (Some((position, ch)), None) => write!(
                f,
                "character U+{:04X} at byte offset {position} cannot be encoded in {}",
                u32::from(ch),
                self.encoding.name()
            ),
            (None, _) => write!(
                f,
                "a password or account cannot be encoded in {} (its text is not shown)",
                self.encoding.name()
            ),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Why a string could not become a command argument.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextArgError {
    /// The encoding cannot represent a character.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The encoded bytes hold CR, LF or NUL.
    #[error(transparent)]
    Arg(#[from] ArgError),
}

impl Credentials {
    /// [`Credentials::new`] (ftplib's `login()` defaults) with each part encoded in
    /// `encoding`. The password and account are encoded as secrets: an error never carries
    /// their text.
    ///
    /// ```
    /// use ftp_proto::client::Credentials;
    /// use ftp_proto::text::Encoding;
    /// let c = Credentials::encoded("rené", "café", "", Encoding::Latin1).unwrap();
    /// assert_eq!(c.user.as_bytes(), b"ren\xe9");
    /// assert_eq!(c.password.expose(), b"caf\xe9");
    /// let err = Credentials::encoded("rené", "s3cret€", "", Encoding::Latin1).unwrap_err();
    /// assert!(!err.to_string().contains("s3cret"));
    /// ```
    pub fn encoded(
        user: &str,
        password: &str,
        acct: &str,
        encoding: Encoding,
    ) -> Result<Credentials, TextArgError> {
        // ftplib's defaults first, on the text; they only ever add ASCII.
        let user = if user.is_empty() { "anonymous" } else { user };
        let password = if user == "anonymous" && (password.is_empty() || password == "-") {
            format!("{password}anonymous@")
        } else {
            password.to_owned()
        };
        let secret = |s: &str| -> Result<Arg, TextArgError> {
            Ok(Arg::try_from(encoding.encode_secret(s)?)?)
        };
        Ok(Credentials {
            user: encoding.arg(user)?,
            password: Password::from(secret(&password)?),
            acct: if acct.is_empty() {
                None
            } else {
                Some(secret(acct)?)
            },
        })
    }
}
