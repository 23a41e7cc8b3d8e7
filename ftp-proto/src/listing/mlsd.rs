//! RFC 3659 machine listings: the lines of `MLSD` and the fact line of an `MLST` reply.
//!
//! ```text
//! entry = [facts] SP pathname
//! facts = 1*( factname "=" value ";" )
//! ```
//!
//! Fact names are case-insensitive and reported lower-cased; values are kept verbatim. The
//! name is everything after the single space that ends the facts: it may hold spaces, `;` or
//! `=`, and a leading space is part of it.

use std::borrow::Cow;

use super::{EntryType, LineSplitter, ListingError, latin1, lossy, push_parser};
use crate::Timestamp;

/// The facts of one MLSD/MLST entry: `key=value` pairs, keys lower-cased, values verbatim.
///
/// Lookups are case-insensitive. Typed accessors read the facts RFC 3659 defines and the
/// `unix.*` facts common servers add; [`Facts::get`] and [`Facts::iter`] reach any other.
///
/// ```
/// use ftp_proto::listing::{parse_mlsd_line, EntryType};
/// let entry = parse_mlsd_line(b"Type=file;Size=54;modify=20261122050528.5;UNIX.mode=0644;X.Custom=a=B; plain.txt").unwrap();
/// let facts = entry.facts();
/// assert_eq!(facts.kind(), Some(EntryType::File));
/// assert_eq!(facts.size(), Some(54));
/// assert_eq!(facts.modify().unwrap().nanosecond(), 500_000_000);
/// assert_eq!(facts.unix_mode(), Some(0o644));
/// assert_eq!(facts.get("x.CUSTOM"), Some(&b"a=B"[..]));
/// let keys: Vec<&str> = facts.iter().map(|(k, _)| k).collect();
/// assert_eq!(keys, ["type", "size", "modify", "unix.mode", "x.custom"]);
/// ```
#[derive(Clone, Default)]
pub struct Facts {
    /// The line as received (an MLSD entry keeps its name here too, after `end`), fact names
    /// lower-cased in place and checked to be printable ASCII with a `=`.
    raw: Vec<u8>,
    /// Where the facts end in `raw`.
    end: usize,
    /// Where each of the first facts lies, so lookups need not rescan the line.
    index: FactIndex,
}

/// How many facts [`FactIndex`] records; a line with more is scanned on every lookup instead.
const INDEXED_FACTS: usize = 12;

/// The positions of the first facts of a line: `[name start, '=' position, value end]`.
#[derive(Clone, Copy, Default)]
struct FactIndex {
    /// How many entries of `spans` are used, or `None` when the line had too many facts.
    len: Option<u8>,
    /// u16 keeps entries small to move; a fact past 64 KiB into the line disables the index.
    spans: [[u16; 3]; INDEXED_FACTS],
}

impl FactIndex {
    fn push(&mut self, key_start: usize, eq: usize, value_end: usize) {
        if let Some(len) = self.len {
            let (Ok(a), Ok(b), Ok(c)) = (
                u16::try_from(key_start),
                u16::try_from(eq),
                u16::try_from(value_end),
            ) else {
                self.len = None;
                return;
            };
            match self.spans.get_mut(usize::from(len)) {
                Some(slot) => {
                    *slot = [a, b, c];
                    self.len = Some(len + 1);
                }
                None => self.len = None,
            }
        }
    }
}

impl Facts {
    /// Checks `line[..end]` as facts and lower-cases the fact names in place.
    fn parse_in_place(mut raw: Vec<u8>, end: usize) -> Result<Facts, (&'static str, Vec<u8>)> {
        let facts = &mut raw[..end];
        let mut i = 0;
        let mut error = None;
        let mut index = FactIndex {
            len: Some(0),
            ..FactIndex::default()
        };
        // Plain loops: the pieces are a few bytes long, too short for memchr to pay off.
        while i < end {
            // The name runs to the `=`; an empty fact (`;;`) is tolerated.
            // One pass over the name: find its end, check it is printable ASCII, lower-case it.
            let key_start = i;
            let mut printable = true;
            while i < end && facts[i] != b'=' && facts[i] != b';' {
                printable &= facts[i].is_ascii_graphic();
                facts[i] = facts[i].to_ascii_lowercase();
                i += 1;
            }
            if i == key_start && i < end && facts[i] == b';' {
                i += 1;
                continue;
            }
            if i == end || facts[i] == b';' {
                error = Some("a fact without '='");
                break;
            }
            if i == key_start {
                error = Some("a fact with an empty name");
                break;
            }
            if !printable {
                error = Some("a fact name that is not printable ASCII");
                break;
            }
            // The value runs to the `;` (the last one may lack it).
            let eq = i;
            i += 1;
            while i < end && facts[i] != b';' {
                i += 1;
            }
            index.push(key_start, eq, i);
            i += 1;
        }
        match error {
            None => Ok(Facts { raw, end, index }),
            Some(what) => Err((what, raw)),
        }
    }

    /// `(name, value)` pairs as bytes.
    fn pairs(&self) -> RawPairs<'_> {
        match self.index.len {
            Some(len) => RawPairs::Indexed {
                raw: &self.raw,
                spans: self.index.spans[..usize::from(len)].iter(),
            },
            None => RawPairs::Scan {
                rest: &self.raw[..self.end],
            },
        }
    }

    /// Every fact in the order the server sent them, key lower-cased, value verbatim.
    pub fn iter(&self) -> FactsIter<'_> {
        FactsIter {
            pairs: self.pairs(),
        }
    }

    /// The number of facts.
    pub fn len(&self) -> usize {
        self.pairs().count()
    }

    /// Whether there are no facts at all.
    pub fn is_empty(&self) -> bool {
        self.pairs().next().is_none()
    }

    /// The value of a fact, the key matched case-insensitively; the first if it repeats.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        // Stored names are lower-cased ASCII: compare bytes, no UTF-8 check per fact.
        let key = key.as_bytes();
        self.pairs()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The `type` fact: `file`, `dir`, `cdir`, `pdir`, a symlink written `OS.unix=slink:TARGET`
    /// (pure-ftpd) or `OS.unix=symlink` (proftpd), or [`EntryType::Other`] with the value.
    pub fn kind(&self) -> Option<EntryType> {
        let v = self.get("type")?;
        let lower = |s: &[u8], t: &[u8]| s.eq_ignore_ascii_case(t);
        Some(if lower(v, b"file") {
            EntryType::File
        } else if lower(v, b"dir") {
            EntryType::Dir
        } else if lower(v, b"cdir") {
            EntryType::CurrentDir
        } else if lower(v, b"pdir") {
            EntryType::ParentDir
        } else if lower(v, b"os.unix=symlink") || self.link_target().is_some() {
            EntryType::Symlink
        } else {
            EntryType::Other(v.to_vec())
        })
    }

    /// The target of a symlink written `type=OS.unix=slink:TARGET` (pure-ftpd), which may be
    /// empty; `None` for any other `type`.
    ///
    /// ```
    /// use ftp_proto::listing::parse_mlsd_line;
    /// let e = parse_mlsd_line(b"type=OS.unix=slink:/etc/motd; motd").unwrap();
    /// assert_eq!(e.facts().link_target(), Some(&b"/etc/motd"[..]));
    /// ```
    pub fn link_target(&self) -> Option<&[u8]> {
        let v = self.get("type")?;
        const PREFIX: &[u8] = b"os.unix=slink";
        if v.len() >= PREFIX.len() && v[..PREFIX.len()].eq_ignore_ascii_case(PREFIX) {
            match &v[PREFIX.len()..] {
                [] => Some(&[]),
                [b':', target @ ..] => Some(target),
                _ => None,
            }
        } else {
            None
        }
    }

    /// The `size` fact: the size of a file in octets.
    pub fn size(&self) -> Option<u64> {
        parse_u64(self.get("size")?)
    }

    /// The `sizd` fact: the size of a directory's own entry, as pure-ftpd reports it.
    pub fn sizd(&self) -> Option<u64> {
        parse_u64(self.get("sizd")?)
    }

    /// The `modify` fact: the last modification time, UTC, fractions kept.
    pub fn modify(&self) -> Option<Timestamp> {
        Timestamp::parse_rfc3659(self.get("modify")?)
    }

    /// The `create` fact: the creation time, UTC, fractions kept.
    pub fn create(&self) -> Option<Timestamp> {
        Timestamp::parse_rfc3659(self.get("create")?)
    }

    /// The `perm` fact, verbatim (letters such as `adfrw` or `elcdmpf`).
    pub fn perm(&self) -> Option<&[u8]> {
        self.get("perm")
    }

    /// The `unique` fact, verbatim.
    pub fn unique(&self) -> Option<&[u8]> {
        self.get("unique")
    }

    /// The `lang` fact, verbatim.
    pub fn lang(&self) -> Option<&[u8]> {
        self.get("lang")
    }

    /// The `media-type` fact, verbatim.
    pub fn media_type(&self) -> Option<&[u8]> {
        self.get("media-type")
    }

    /// The `charset` fact, verbatim.
    pub fn charset(&self) -> Option<&[u8]> {
        self.get("charset")
    }

    /// The `unix.mode` fact, an octal number such as `0644`.
    pub fn unix_mode(&self) -> Option<u32> {
        let v = self.get("unix.mode")?;
        if v.is_empty() || v.len() > 11 || !v.iter().all(|b| (b'0'..=b'7').contains(b)) {
            return None;
        }
        Some(
            v.iter()
                .fold(0u32, |acc, &b| (acc << 3) | u32::from(b - b'0')),
        )
    }

    /// The `unix.owner` fact, verbatim (proftpd puts the numeric uid there).
    pub fn unix_owner(&self) -> Option<&[u8]> {
        self.get("unix.owner")
    }

    /// The `unix.group` fact, verbatim (proftpd puts the numeric gid there).
    pub fn unix_group(&self) -> Option<&[u8]> {
        self.get("unix.group")
    }

    /// The `unix.ownername` fact, verbatim (proftpd).
    pub fn unix_ownername(&self) -> Option<&[u8]> {
        self.get("unix.ownername")
    }

    /// The `unix.groupname` fact, verbatim (proftpd).
    pub fn unix_groupname(&self) -> Option<&[u8]> {
        self.get("unix.groupname")
    }

    /// The numeric owner: the `unix.uid` fact (pure-ftpd, pyftpdlib), else a numeric
    /// `unix.owner` (proftpd).
    pub fn unix_uid(&self) -> Option<u32> {
        self.get("unix.uid")
            .or_else(|| self.unix_owner())
            .and_then(parse_u32)
    }

    /// The numeric group: the `unix.gid` fact, else a numeric `unix.group`.
    pub fn unix_gid(&self) -> Option<u32> {
        self.get("unix.gid")
            .or_else(|| self.unix_group())
            .and_then(parse_u32)
    }
}

impl core::fmt::Debug for Facts {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (k, String::from_utf8_lossy(v))))
            .finish()
    }
}

impl PartialEq for Facts {
    fn eq(&self, other: &Self) -> bool {
        self.raw[..self.end] == other.raw[..other.end]
    }
}

impl Eq for Facts {}

impl core::hash::Hash for Facts {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.raw[..self.end].hash(state);
    }
}

/// Splits checked facts into `(name, value)`, skipping empty ones.
#[derive(Clone, Debug)]
enum RawPairs<'a> {
    /// From the recorded positions.
    Indexed {
        raw: &'a [u8],
        spans: core::slice::Iter<'a, [u16; 3]>,
    },
    /// By scanning the facts for `;` and `=`.
    Scan { rest: &'a [u8] },
}

impl<'a> Iterator for RawPairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = match self {
            RawPairs::Indexed { raw, spans } => {
                let &[key_start, eq, end] = spans.next()?;
                let (key_start, eq, end) = (key_start as usize, eq as usize, end as usize);
                return Some((&raw[key_start..eq], &raw[eq + 1..end]));
            }
            RawPairs::Scan { rest } => rest,
        };
        loop {
            if rest.is_empty() {
                return None;
            }
            let end = memchr::memchr(b';', rest).unwrap_or(rest.len());
            let fact = &rest[..end];
            *rest = rest.get(end + 1..).unwrap_or_default();
            if let Some(eq) = memchr::memchr(b'=', fact) {
                return Some((&fact[..eq], &fact[eq + 1..]));
            }
        }
    }
}

/// The iterator of [`Facts::iter`]: `(key, value)` pairs.
#[derive(Clone, Debug)]
pub struct FactsIter<'a> {
    pairs: RawPairs<'a>,
}

impl<'a> Iterator for FactsIter<'a> {
    type Item = (&'a str, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        // Fact names were checked to be ASCII when the line was parsed.
        self.pairs
            .by_ref()
            .find_map(|(k, v)| Some((core::str::from_utf8(k).ok()?, v)))
    }
}

/// One entry of an MLSD listing or an MLST reply: its facts and its name.
///
/// ```
/// use ftp_proto::listing::parse_mlsd_line;
/// let entry = parse_mlsd_line(b"type=file;size=19; file with spaces.txt").unwrap();
/// assert_eq!(entry.name(), b"file with spaces.txt");
/// assert_eq!(entry.facts().size(), Some(19));
/// let latin1 = parse_mlsd_line(b"type=file; caf\xe9.bin").unwrap();
/// assert_eq!(latin1.name(), b"caf\xe9.bin");
/// assert_eq!(latin1.name_lossy(), "caf\u{fffd}.bin");
/// assert_eq!(latin1.name_latin1(), "caf\u{e9}.bin");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MlsdEntry {
    /// The whole line; the name starts at `name_start`.
    facts: Facts,
    name_start: usize,
}

impl MlsdEntry {
    /// The name (a path for MLST), bytes as the server sent them.
    pub fn name(&self) -> &[u8] {
        &self.facts.raw[self.name_start..]
    }

    /// The name decoded as UTF-8, invalid bytes replaced with U+FFFD.
    pub fn name_lossy(&self) -> Cow<'_, str> {
        lossy(self.name())
    }

    /// The name decoded as Latin-1, for servers that send names in ISO 8859-1.
    pub fn name_latin1(&self) -> String {
        latin1(self.name())
    }

    /// The facts.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// The name and the facts, by value.
    pub fn into_parts(self) -> (Vec<u8>, Facts) {
        let mut facts = self.facts;
        let name = facts.raw.split_off(self.name_start);
        facts.raw.truncate(facts.end);
        (name, facts)
    }
}

/// Parses one MLSD line (line end already stripped).
///
/// Errors when the line has no space before the name, or a fact lacks `=` or a name.
///
/// ```
/// use ftp_proto::listing::parse_mlsd_line;
/// let e = parse_mlsd_line(b"type=file;size=1;  two;spaces=x").unwrap();
/// assert_eq!(e.name(), b" two;spaces=x");
/// assert!(parse_mlsd_line(b"type=file;size=1;no-space").is_err());
/// ```
pub fn parse_mlsd_line(line: &[u8]) -> Result<MlsdEntry, ListingError> {
    let Some(space) = memchr::memchr(b' ', line) else {
        return Err(ListingError::Malformed {
            what: "no space before the name",
            line: line.to_vec(),
        });
    };
    match Facts::parse_in_place(line.to_vec(), space) {
        Ok(facts) => Ok(MlsdEntry {
            facts,
            name_start: space + 1,
        }),
        // Give back the line as received, not with its fact names lower-cased.
        Err((what, _)) => Err(ListingError::Malformed {
            what,
            line: line.to_vec(),
        }),
    }
}

/// Parses the fact line of an `MLST` reply: the line between `250-...` and `250 ...`, which
/// RFC 3659 starts with one space (kept or already removed, either works).
///
/// Works on the line's bytes so it needs no reply type: pass the reply's second line.
///
/// ```
/// use ftp_proto::listing::parse_mlst_line;
/// let e = parse_mlst_line(b" type=file;size=54;modify=20261122050528; /capture/plain.txt").unwrap();
/// assert_eq!(e.name(), b"/capture/plain.txt");
/// assert_eq!(e.facts().modify().unwrap().to_string(), "20261122050528");
/// ```
pub fn parse_mlst_line(line: &[u8]) -> Result<MlsdEntry, ListingError> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match line {
        // A fact line with facts starts with one space; with no facts at all it is two
        // spaces and the name.
        [b' ', rest @ ..] => parse_mlsd_line(rest).or_else(|_| parse_mlsd_line(line)),
        _ => parse_mlsd_line(line),
    }
}

/// The line-level parse used by [`MlsdParser`]: empty lines carry nothing and are skipped.
fn parse_item(line: &[u8]) -> Option<Result<MlsdEntry, ListingError>> {
    if line.is_empty() {
        return None;
    }
    Some(parse_mlsd_line(line))
}

/// A push parser for the data of an `MLSD` command: one [`MlsdEntry`] a line.
///
/// Empty lines are skipped; a malformed line is reported as [`ListingError::Malformed`] with
/// its bytes, and parsing goes on. See the [module documentation](super) for the push/drain
/// loop and the memory bound.
#[derive(Clone, Debug)]
pub struct MlsdParser {
    lines: LineSplitter,
}

push_parser!(
    MlsdParser,
    MlsdEntry,
    parse_item,
    "```\nuse ftp_proto::listing::{ListingLimits, MlsdParser};\nlet mut p = MlsdParser::new(ListingLimits::default());\np.push(b\"type=dir; a\\r\\nbad\\r\\ntype=file; b\");\nassert_eq!(p.next_entry().unwrap().unwrap().name(), b\"a\");\nassert!(p.next_entry().unwrap().is_err());\nassert!(p.next_entry().is_none());\nassert_eq!(p.finish().unwrap().unwrap().name(), b\"b\");\n```"
);

pub(crate) fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter().try_fold(0u64, |acc, &b| {
        acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

fn parse_u32(v: &[u8]) -> Option<u32> {
    u32::try_from(parse_u64(v)?).ok()
}
