//! `LIST` lines in the DOS / IIS format.
//!
//! ```text
//! 11-22-26  05:05AM       <DIR>          subdir
//! 11-22-26  05:05PM                   54 plain.txt
//! 11-22-2026  17:05                   54 plain.txt
//! ```
//!
//! Dates are `MM-DD-YY` (years 70-99 are 19xx, 00-69 are 20xx) or `MM-DD-YYYY`; times are
//! 12-hour with `AM`/`PM` or 24-hour. After `<DIR>` the padding spaces are skipped; after a
//! size exactly one space separates the name, as IIS writes it, so a name's leading spaces are
//! kept there.

use std::borrow::Cow;

use super::unix::hour_minute;
use super::{EntryType, latin1, lossy};
use crate::Timestamp;

/// A line of a DOS/IIS-style `LIST` listing.
///
/// ```
/// use ftp_proto::listing::{parse_list_line, ListEntry};
/// let ListEntry::Dos(e) = parse_list_line(b"11-22-26  05:05PM                   54 plain.txt").unwrap() else { panic!() };
/// assert!(!e.is_dir());
/// assert_eq!(e.size(), Some(54));
/// assert_eq!(e.name(), b"plain.txt");
/// assert_eq!(e.modified().to_string(), "20261122170500");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DosEntry {
    raw: Vec<u8>,
    is_dir: bool,
    size: Option<u64>,
    modified: Timestamp,
    name_start: usize,
}

impl DosEntry {
    /// [`EntryType::Dir`] for `<DIR>`, else [`EntryType::File`].
    pub fn kind(&self) -> EntryType {
        if self.is_dir {
            EntryType::Dir
        } else {
            EntryType::File
        }
    }

    /// Whether the line shows `<DIR>`.
    pub fn is_dir(&self) -> bool {
        self.is_dir
    }

    /// The size in bytes; `None` for a directory.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The modification time as listed, in the server's time zone.
    pub fn modified(&self) -> Timestamp {
        self.modified
    }

    /// The name.
    pub fn name(&self) -> &[u8] {
        &self.raw[self.name_start..]
    }

    /// The name decoded as UTF-8, invalid bytes replaced with U+FFFD.
    pub fn name_lossy(&self) -> Cow<'_, str> {
        lossy(self.name())
    }

    /// The name decoded as Latin-1.
    pub fn name_latin1(&self) -> String {
        latin1(self.name())
    }

    /// The whole line as received, line end stripped.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Reads a DOS/IIS line; `None` if it is not one.
    pub(crate) fn parse(line: &[u8]) -> Option<DosEntry> {
        let mut cur = Cursor { line, pos: 0 };
        let date = cur.word()?;
        let (month, day, year) = dos_date(date)?;
        cur.spaces();
        let time = cur.word()?;
        let (hour, minute) = if let Some(t) = strip_ampm(time) {
            t
        } else {
            let hm = hour_minute(time)?;
            // `05:05 PM` with a space.
            let save = cur.pos;
            cur.spaces();
            match cur.word().and_then(ampm) {
                Some(pm) => to_24h(hm, pm)?,
                None => {
                    cur.pos = save;
                    hm
                }
            }
        };
        let modified = Timestamp::new(year, month, day, hour, minute, 0, 0)?;
        cur.spaces();
        let what = cur.word()?;
        let (is_dir, size) = if what.eq_ignore_ascii_case(b"<DIR>") {
            cur.spaces();
            (true, None)
        } else {
            // Sizes with thousands separators (`1,234`) occur too.
            if what.is_empty()
                || what[0] == b','
                || !what.iter().all(|&b| b.is_ascii_digit() || b == b',')
            {
                return None;
            }
            let mut size = 0u64;
            for &b in what.iter().filter(|&&b| b != b',') {
                size = size.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            }
            if cur.line.get(cur.pos) != Some(&b' ') {
                return None;
            }
            cur.pos += 1;
            (false, Some(size))
        };
        if cur.pos >= line.len() {
            return None;
        }
        Some(DosEntry {
            raw: line.to_vec(),
            is_dir,
            size,
            modified,
            name_start: cur.pos,
        })
    }
}

struct Cursor<'a> {
    line: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn spaces(&mut self) {
        while self.line.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
    }

    fn word(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        while self.pos < self.line.len() && self.line[self.pos] != b' ' {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.line[start..self.pos])
    }
}

/// `MM-DD-YY` or `MM-DD-YYYY` (also with `/`): (month, day, year).
fn dos_date(d: &[u8]) -> Option<(u8, u8, u16)> {
    if !(d.len() == 8 || d.len() == 10) || !matches!(d[2], b'-' | b'/') || d[5] != d[2] {
        return None;
    }
    let digits = |s: &[u8]| -> Option<u16> {
        s.iter().try_fold(0u16, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0'))
        })
    };
    let month = u8::try_from(digits(&d[0..2])?).ok()?;
    let day = u8::try_from(digits(&d[3..5])?).ok()?;
    let year = digits(&d[6..])?;
    let year = if d.len() == 10 {
        year
    } else if year < 70 {
        2000 + year
    } else {
        1900 + year
    };
    Some((month, day, year))
}

/// `AM` / `PM` (any case): whether it is PM.
fn ampm(w: &[u8]) -> Option<bool> {
    if w.eq_ignore_ascii_case(b"AM") {
        Some(false)
    } else if w.eq_ignore_ascii_case(b"PM") {
        Some(true)
    } else {
        None
    }
}

/// `05:05AM`: the 24-hour time.
fn strip_ampm(w: &[u8]) -> Option<(u8, u8)> {
    if w.len() < 3 {
        return None;
    }
    let (t, suffix) = w.split_at(w.len() - 2);
    to_24h(hour_minute(t)?, ampm(suffix)?)
}

/// 12-hour clock to 24-hour: 12AM is 0, 12PM is 12.
fn to_24h((hour, minute): (u8, u8), pm: bool) -> Option<(u8, u8)> {
    if !(1..=12).contains(&hour) {
        return None;
    }
    Some(((hour % 12) + if pm { 12 } else { 0 }, minute))
}
