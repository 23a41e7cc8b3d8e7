//! Directory listings: push parsers for MLSD/MLST facts, LIST lines and NLST names.
//!
//! The adapters feed the bytes of a data connection into a parser in whatever chunks they
//! arrive ([`MlsdParser::push`]) and take entries out one at a time
//! ([`MlsdParser::next_entry`]) until it returns `None`, then push the next chunk. At the end
//! of the data, [`MlsdParser::finish`] returns what is left, including a last line that had no
//! line end. A parser holds at most one partial line, bounded by
//! [`ListingLimits::max_line_len`]: a longer line is reported as
//! [`ListingError::LineTooLong`], skipped, and parsing carries on with the next line. So a
//! listing of ten million entries, or a single line of a gigabyte, is never held whole.
//!
//! Names are bytes (`&[u8]`): a Latin-1 or otherwise non-UTF-8 name round-trips unchanged, and
//! `name_lossy()` / `name_latin1()` give text views for display.
//!
//! - [`MlsdParser`] / [`parse_mlsd_line`] / [`parse_mlst_line`]: RFC 3659 machine listings
//!   ([`MlsdEntry`], [`Facts`]).
//! - [`ListParser`] / [`parse_list_line`]: `LIST` output in the Unix `ls -l` family
//!   ([`UnixEntry`]) and the DOS/IIS format ([`DosEntry`]); a line that fits neither comes back
//!   as [`ListEntry::Unparsed`] with its bytes, never dropped.
//! - [`NlstParser`]: `NLST` names, one a line.
//! - [`LineSplitter`]: the bounded line framing under all of them, also usable on its own
//!   (`retrlines`).
//!
//! ```
//! use ftp_proto::listing::{EntryType, ListingLimits, MlsdParser};
//! let mut parser = MlsdParser::new(ListingLimits::default());
//! let mut names = Vec::new();
//! for chunk in [&b"type=file;size=54;modify=20261122050528; plain"[..], b".txt\r\ntype=dir; sub", b"dir\r\n"] {
//!     parser.push(chunk);
//!     while let Some(entry) = parser.next_entry() {
//!         let entry = entry.unwrap();
//!         names.push((entry.name_lossy().into_owned(), entry.facts().kind()));
//!     }
//! }
//! assert!(parser.finish().is_none());
//! assert_eq!(names, [("plain.txt".to_owned(), Some(EntryType::File)), ("subdir".to_owned(), Some(EntryType::Dir))]);
//! ```

use std::borrow::Cow;

mod dos;
mod lines;
mod list;
mod mlsd;
mod nlst;
mod unix;

pub use dos::DosEntry;
pub use lines::LineSplitter;
pub use list::{ListEntry, ListParser, parse_list_line};
pub use mlsd::{Facts, FactsIter, MlsdEntry, MlsdParser, parse_mlsd_line, parse_mlst_line};
pub use nlst::NlstParser;
pub use unix::{UnixEntry, UnixMode};

/// Limits that bound the memory of a listing parser.
///
/// ```
/// use ftp_proto::listing::ListingLimits;
/// assert_eq!(ListingLimits::default().max_line_len, 64 * 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ListingLimits {
    /// The longest line accepted, in bytes, not counting its line end. Default 64 KiB.
    pub max_line_len: usize,
}

impl Default for ListingLimits {
    fn default() -> Self {
        Self {
            max_line_len: 64 * 1024,
        }
    }
}

/// Why a listing line gave no entry. Parsing carries on with the next line after any of them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListingError {
    /// A line was longer than [`ListingLimits::max_line_len`]; it was skipped.
    #[error("listing line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// A line did not have the shape its format requires (an MLSD line without the space
    /// before the name, a fact without `=`).
    #[error("malformed listing line ({what}): {:?}", String::from_utf8_lossy(line))]
    Malformed {
        /// What was wrong.
        what: &'static str,
        /// The line, line end stripped.
        line: Vec<u8>,
    },
}

/// What kind of file a listing entry names.
///
/// From the MLSD `type` fact (`file`, `dir`, `cdir`, `pdir`, `OS.unix=slink:...`,
/// `OS.unix=symlink`, anything else as [`EntryType::Other`]), from the first character of a
/// Unix mode (`-`, `d`, `l`, `c`, `b`, `p`, `s`), or from `<DIR>` in a DOS line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryType {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// The directory being listed (MLSD `type=cdir`).
    CurrentDir,
    /// The parent of the directory being listed (MLSD `type=pdir`).
    ParentDir,
    /// A symbolic link.
    Symlink,
    /// A character device (Unix mode `c`).
    CharDevice,
    /// A block device (Unix mode `b`).
    BlockDevice,
    /// A named pipe (Unix mode `p`).
    Pipe,
    /// A socket (Unix mode `s`).
    Socket,
    /// Any other MLSD type value, verbatim.
    Other(Vec<u8>),
}

impl EntryType {
    /// Whether this is a directory of any kind (`Dir`, `CurrentDir` or `ParentDir`).
    ///
    /// ```
    /// use ftp_proto::listing::EntryType;
    /// assert!(EntryType::ParentDir.is_dir());
    /// assert!(!EntryType::File.is_dir());
    /// ```
    pub fn is_dir(&self) -> bool {
        matches!(
            self,
            EntryType::Dir | EntryType::CurrentDir | EntryType::ParentDir
        )
    }
}

/// Decodes a name as UTF-8, replacing invalid sequences with U+FFFD.
pub(crate) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Decodes a name as Latin-1 (ISO 8859-1): every byte is the code point of the same value.
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Generates the push-parser methods shared by every listing parser: `new`, `push`,
/// `next_entry`, `finish`, `buffered_len`, `reset`, around a `lines: LineSplitter` field and a
/// function `fn(&[u8]) -> Option<Result<$item, ListingError>>` (`None` skips the line).
macro_rules! push_parser {
    ($parser:ident, $item:ty, $parse:path, $example:literal) => {
        impl $parser {
            /// A parser with the given limits.
            pub fn new(limits: $crate::listing::ListingLimits) -> Self {
                Self {
                    lines: $crate::listing::LineSplitter::new(limits),
                }
            }

            /// Appends bytes of the listing, in any chunking. Take entries with
            /// [`next_entry`](Self::next_entry) until it returns `None` before pushing more:
            /// the bytes are held until then.
            pub fn push(&mut self, bytes: &[u8]) {
                self.lines.push(bytes);
            }

            /// The next entry, or `None` when more bytes are needed. An `Err` concerns one
            /// line only; the entries after it follow.
            #[doc = $example]
            pub fn next_entry(&mut self) -> Option<Result<$item, $crate::listing::ListingError>> {
                loop {
                    let line = match self.lines.next_line()? {
                        Ok(line) => line,
                        Err(e) => return Some(Err(e)),
                    };
                    if let Some(item) = $parse(line) {
                        return Some(item);
                    }
                }
            }

            /// Marks the end of the listing and returns what is left: entries not yet taken,
            /// then the entry of a last line that had no line end. Call it until it returns
            /// `None`. A [`push`](Self::push) after that starts a new listing.
            pub fn finish(&mut self) -> Option<Result<$item, $crate::listing::ListingError>> {
                loop {
                    let line = match self.lines.finish()? {
                        Ok(line) => line,
                        Err(e) => return Some(Err(e)),
                    };
                    if let Some(item) = $parse(line) {
                        return Some(item);
                    }
                }
            }

            /// The number of bytes held that have not been parsed yet.
            pub fn buffered_len(&self) -> usize {
                self.lines.buffered_len()
            }

            /// Drops everything held and starts a new listing.
            pub fn reset(&mut self) {
                self.lines.reset();
            }
        }
    };
}
pub(crate) use push_parser;

/// Feeds arbitrary bytes, in chunk sizes derived from the data, through every listing parser,
/// checking that none panics and that none holds more than its limit plus one chunk.
///
/// Hidden entry point for the `listing` fuzz target.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub fn fuzz_listing(data: &[u8]) {
    // The first bytes choose the limit and the chunk sizes; the rest is the listing.
    let (control, body) = data.split_at(data.len().min(4));
    let limit = 1 + usize::from(control.first().copied().unwrap_or(80)) * 4;
    let sizes: Vec<usize> = control
        .iter()
        .skip(1)
        .map(|&b| 1 + usize::from(b % 64))
        .collect();
    let limits = ListingLimits {
        max_line_len: limit,
    };

    let mut lines = LineSplitter::new(limits);
    let mut mlsd = MlsdParser::new(limits);
    let mut list = ListParser::new(limits);
    let mut nlst = NlstParser::new(limits);
    let mut chunk_index = 0;
    let mut rest = body;
    let mut total_lines = 0usize;
    while !rest.is_empty() {
        let size = sizes
            .get(chunk_index % sizes.len().max(1))
            .copied()
            .unwrap_or(7)
            .min(rest.len());
        chunk_index += 1;
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let bound = limit + 1 + chunk.len();

        lines.push(chunk);
        assert!(
            lines.buffered_len() <= bound,
            "line splitter holds {} > {bound}",
            lines.buffered_len()
        );
        while let Some(line) = lines.next_line() {
            if let Ok(line) = line {
                assert!(line.len() <= limit);
                assert!(!line.contains(&b'\n'));
            }
            total_lines += 1;
        }
        assert!(lines.buffered_len() <= limit + 1);

        mlsd.push(chunk);
        assert!(mlsd.buffered_len() <= bound);
        while let Some(entry) = mlsd.next_entry() {
            if let Ok(entry) = entry {
                check_mlsd(&entry);
            }
        }
        list.push(chunk);
        assert!(list.buffered_len() <= bound);
        while let Some(entry) = list.next_entry() {
            if let Ok(entry) = entry {
                check_list(&entry);
            }
        }
        nlst.push(chunk);
        assert!(nlst.buffered_len() <= bound);
        while let Some(name) = nlst.next_entry() {
            if let Ok(name) = name {
                assert!(name.len() <= limit);
            }
        }
    }
    while lines.finish().is_some() {
        total_lines += 1;
    }
    assert!(total_lines <= body.len() + 1);
    while let Some(entry) = mlsd.finish() {
        if let Ok(entry) = entry {
            check_mlsd(&entry);
        }
    }
    while let Some(entry) = list.finish() {
        if let Ok(entry) = entry {
            check_list(&entry);
        }
    }
    while nlst.finish().is_some() {}
    assert_eq!(
        lines.buffered_len() + mlsd.buffered_len() + list.buffered_len() + nlst.buffered_len(),
        0
    );

    // Every complete line also goes through the one-line entry points.
    for line in body.split(|&b| b == b'\n').take(64) {
        if let Ok(entry) = parse_mlst_line(line) {
            check_mlsd(&entry);
        }
        if let Some(entry) = parse_list_line(line) {
            check_list(&entry);
        }
    }

    #[cfg(feature = "fuzzing")]
    fn check_mlsd(entry: &MlsdEntry) {
        let _ = entry.name_lossy();
        let facts = entry.facts();
        let _ = (
            facts.kind(),
            facts.size(),
            facts.sizd(),
            facts.modify(),
            facts.create(),
        );
        let _ = (
            facts.perm(),
            facts.unique(),
            facts.unix_mode(),
            facts.unix_uid(),
            facts.unix_gid(),
        );
        for (key, _) in facts.iter() {
            assert!(!key.is_empty());
            assert!(!key.bytes().any(|b| b.is_ascii_uppercase()));
            assert!(facts.get(key).is_some());
        }
    }

    #[cfg(feature = "fuzzing")]
    fn check_list(entry: &ListEntry) {
        let _ = (
            entry.kind(),
            entry.size(),
            entry.modified(),
            entry.name_lossy(),
        );
        if let Some(name) = entry.name() {
            assert!(name.len() <= entry.raw().len());
        }
        if let ListEntry::Unix(u) = entry {
            let _ = (
                u.mode(),
                u.link_count(),
                u.owner(),
                u.group(),
                u.device(),
                u.link_target(),
            );
        }
    }
}
