//! `LIST` listings: whatever format each line is in.

use std::borrow::Cow;

use super::dos::DosEntry;
use super::unix::UnixEntry;
use super::{EntryType, LineSplitter, ListingError, latin1, lossy, push_parser};
use crate::ListTimestamp;

/// One line of a `LIST` listing: a Unix `ls -l` line, a DOS/IIS line, or the raw bytes of a
/// line that fits neither (never dropped).
///
/// ```
/// use ftp_proto::listing::{parse_list_line, EntryType, ListEntry};
/// let unix = parse_list_line(b"-rw-r--r--    1 1001     1001           54 Nov 22 05:05 plain.txt").unwrap();
/// assert_eq!(unix.name(), Some(&b"plain.txt"[..]));
/// assert_eq!(unix.kind(), Some(EntryType::File));
/// let dos = parse_list_line(b"11-22-26  05:05AM       <DIR>          subdir").unwrap();
/// assert_eq!(dos.kind(), Some(EntryType::Dir));
/// let other = parse_list_line(b"something else").unwrap();
/// assert_eq!(other, ListEntry::Unparsed(b"something else".to_vec()));
/// assert_eq!(other.name(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ListEntry {
    /// A Unix `ls -l` line.
    Unix(UnixEntry),
    /// A DOS/IIS line.
    Dos(DosEntry),
    /// A line in no known format, line end stripped.
    Unparsed(Vec<u8>),
}

impl ListEntry {
    /// The name; `None` for an unparsed line.
    pub fn name(&self) -> Option<&[u8]> {
        match self {
            ListEntry::Unix(e) => Some(e.name()),
            ListEntry::Dos(e) => Some(e.name()),
            ListEntry::Unparsed(_) => None,
        }
    }

    /// The name decoded as UTF-8, invalid bytes replaced with U+FFFD.
    pub fn name_lossy(&self) -> Option<Cow<'_, str>> {
        self.name().map(lossy)
    }

    /// The name decoded as Latin-1.
    pub fn name_latin1(&self) -> Option<String> {
        self.name().map(latin1)
    }

    /// The kind of file.
    pub fn kind(&self) -> Option<EntryType> {
        match self {
            ListEntry::Unix(e) => Some(e.kind().clone()),
            ListEntry::Dos(e) => Some(e.kind()),
            ListEntry::Unparsed(_) => None,
        }
    }

    /// The size in bytes, where the line gives one.
    pub fn size(&self) -> Option<u64> {
        match self {
            ListEntry::Unix(e) => e.size(),
            ListEntry::Dos(e) => e.size(),
            ListEntry::Unparsed(_) => None,
        }
    }

    /// The modification time as listed (maybe without a year, see [`ListTimestamp::resolve`]).
    pub fn modified(&self) -> Option<ListTimestamp> {
        match self {
            ListEntry::Unix(e) => Some(e.modified()),
            ListEntry::Dos(e) => Some(ListTimestamp::Full(e.modified())),
            ListEntry::Unparsed(_) => None,
        }
    }

    /// The target of a symlink, where the line shows it.
    pub fn link_target(&self) -> Option<&[u8]> {
        match self {
            ListEntry::Unix(e) => e.link_target(),
            _ => None,
        }
    }

    /// The whole line as received, line end stripped.
    pub fn raw(&self) -> &[u8] {
        match self {
            ListEntry::Unix(e) => e.raw(),
            ListEntry::Dos(e) => e.raw(),
            ListEntry::Unparsed(raw) => raw,
        }
    }
}

/// Reads one `LIST` line (line end stripped) in whichever format it is; `None` for a line that
/// carries no entry: an empty line or a `total N` header.
///
/// ```
/// use ftp_proto::listing::parse_list_line;
/// assert!(parse_list_line(b"total 24").is_none());
/// assert!(parse_list_line(b"").is_none());
/// ```
pub fn parse_list_line(line: &[u8]) -> Option<ListEntry> {
    if line.is_empty() || is_total(line) {
        return None;
    }
    let first = line[0];
    if first.is_ascii_digit() {
        if let Some(e) = DosEntry::parse(line) {
            return Some(ListEntry::Dos(e));
        }
    } else if let Some(e) = UnixEntry::parse(line) {
        return Some(ListEntry::Unix(e));
    }
    Some(ListEntry::Unparsed(line.to_vec()))
}

/// `total 24` (also `total 1.5K`): the block count `ls -l` prints first.
fn is_total(line: &[u8]) -> bool {
    line.len() > 6
        && line[..6].eq_ignore_ascii_case(b"total ")
        && line[6..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b',')
}

fn parse_item(line: &[u8]) -> Option<Result<ListEntry, ListingError>> {
    parse_list_line(line).map(Ok)
}

/// A push parser for the data of a `LIST` command: one [`ListEntry`] a line.
///
/// Empty lines and `total N` headers are skipped; every other line gives an entry, unparsed if
/// it fits no format. See the [module documentation](super) for the push/drain loop.
#[derive(Clone, Debug)]
pub struct ListParser {
    lines: LineSplitter,
}

push_parser!(
    ListParser,
    ListEntry,
    parse_item,
    "```\nuse ftp_proto::listing::{ListingLimits, ListParser};\nlet mut p = ListParser::new(ListingLimits::default());\np.push(b\"total 8\\r\\ndrwxr-xr-x 2 u g 4096 Nov 22 05:05 sub\");\nassert!(p.next_entry().is_none());\nassert_eq!(p.finish().unwrap().unwrap().name(), Some(&b\"sub\"[..]));\n```"
);
