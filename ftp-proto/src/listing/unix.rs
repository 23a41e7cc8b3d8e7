//! `LIST` lines in the Unix `ls -l` family.
//!
//! ```text
//! -rw-r--r--    1 1001     1001           54 Nov 22 05:05 plain.txt
//! lrwxrwxrwx    1 1001     1001            9 Nov 22 05:05 link-to-plain.txt -> plain.txt
//! -rw-r--r--+   1 owner    group          16 Jun 15  2025 old-2025.txt
//! crw-rw-rw-    1 root     root       1,   3 Jun 15  2025 null
//! -rw-r--r--    1 owner                 1234 Jun 15  2025 no group
//! -rw-r--r--            1            0            0             16  Jun 15 2025 libunftp
//! ```
//!
//! The line is read as: the mode (a type character, nine permission characters and an
//! optional `+`, `@` or `.` marker), then whitespace-separated columns up to the first date
//! (`Mon DD HH:MM`, `Mon DD YYYY` or `YYYY-MM-DD HH:MM`) that follows a size, then one space and
//! the name. The columns before the size are the link count, the owner and the group, any of
//! which a server may leave out. Column widths do not matter; the name keeps every byte after
//! the single space that follows the date, leading and inner spaces included.

use std::borrow::Cow;

use super::mlsd::parse_u64;
use super::{EntryType, latin1, lossy};
use crate::{ListTimestamp, Timestamp};

/// The permissions of a Unix listing line and the marker after them.
///
/// ```
/// use ftp_proto::listing::{parse_list_line, ListEntry};
/// let ListEntry::Unix(e) = parse_list_line(b"drwsr-s--T+ 2 u g 4096 Nov 22 05:05 d").unwrap() else { panic!() };
/// assert_eq!(e.mode().bits(), 0o7750);
/// assert!(e.mode().has_acl());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnixMode {
    bits: u32,
    marker: Option<u8>,
}

impl UnixMode {
    /// The permission bits as in `chmod`, set-uid (0o4000), set-gid (0o2000) and sticky
    /// (0o1000) included.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// The character after the permissions: `+` (an ACL), `@` (extended attributes, macOS),
    /// `.` (an SELinux security context), or `None`.
    pub fn marker(&self) -> Option<char> {
        self.marker.map(char::from)
    }

    /// Whether the mode is followed by `+`: the file has an access control list.
    pub fn has_acl(&self) -> bool {
        self.marker == Some(b'+')
    }

    /// Whether the mode is followed by `@`: the file has extended attributes.
    pub fn has_xattr(&self) -> bool {
        self.marker == Some(b'@')
    }

    /// Whether the mode is followed by `.`: the file has an SELinux security context.
    pub fn has_security_context(&self) -> bool {
        self.marker == Some(b'.')
    }

    /// Reads the mode column (`-rw-r--r--`, `drwxr-xr-x+`...): its type and permissions.
    fn parse(token: &[u8]) -> Option<(EntryType, UnixMode)> {
        let (&kind, rest) = token.split_first()?;
        let kind = match kind {
            b'-' => EntryType::File,
            b'd' => EntryType::Dir,
            b'l' => EntryType::Symlink,
            b'c' => EntryType::CharDevice,
            b'b' => EntryType::BlockDevice,
            b'p' => EntryType::Pipe,
            b's' => EntryType::Socket,
            _ => return None,
        };
        let (perms, marker) = match rest.len() {
            9 => (rest, None),
            10 if matches!(rest[9], b'+' | b'@' | b'.') => (&rest[..9], Some(rest[9])),
            _ => return None,
        };
        let mut bits = 0u32;
        for (class, triple) in perms.chunks_exact(3).enumerate() {
            let shift = 6 - 3 * class as u32;
            match triple[0] {
                b'r' => bits |= 4 << shift,
                b'-' => {}
                _ => return None,
            }
            match triple[1] {
                b'w' => bits |= 2 << shift,
                b'-' => {}
                _ => return None,
            }
            // The execute column also shows set-uid (owner), set-gid (group) and sticky (other):
            // lower case when execute is set too. `l`/`L` is mandatory locking on old systems.
            let special = [0o4000, 0o2000, 0o1000][class];
            match (triple[2], class) {
                (b'x', _) => bits |= 1 << shift,
                (b'-', _) => {}
                (b's', 0 | 1) | (b't', 2) => bits |= (1 << shift) | special,
                (b'S', 0 | 1) | (b'T', 2) => bits |= special,
                (b'l' | b'L', 1) => bits |= special,
                _ => return None,
            }
        }
        Some((kind, UnixMode { bits, marker }))
    }
}

/// A line of a Unix-style `LIST` listing, read column by column.
///
/// Every byte range (name, link target, owner, group) points into the raw line, kept whole.
///
/// ```
/// use ftp_proto::listing::{parse_list_line, EntryType, ListEntry};
/// use ftp_proto::ListTimestamp;
/// let ListEntry::Unix(e) = parse_list_line(b"lrwxrwxrwx 1 ftpuser ftpuser 9 Nov 22 05:05 link -> plain.txt").unwrap() else { panic!() };
/// assert_eq!(e.kind(), &EntryType::Symlink);
/// assert_eq!(e.name(), b"link");
/// assert_eq!(e.link_target(), Some(&b"plain.txt"[..]));
/// assert_eq!(e.owner(), Some(&b"ftpuser"[..]));
/// assert_eq!(e.size(), Some(9));
/// assert_eq!(e.modified(), ListTimestamp::YearLess { month: 11, day: 22, hour: 5, minute: 5 });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnixEntry {
    raw: Vec<u8>,
    kind: EntryType,
    mode: UnixMode,
    links: Option<u64>,
    owner: Option<Span>,
    group: Option<Span>,
    size: Option<u64>,
    device: Option<(u32, u32)>,
    modified: ListTimestamp,
    name: Span,
    target: Option<Span>,
}

type Span = (usize, usize);

impl UnixEntry {
    /// The file type from the first character of the mode.
    pub fn kind(&self) -> &EntryType {
        &self.kind
    }

    /// The permissions and the ACL / extended-attribute marker.
    pub fn mode(&self) -> UnixMode {
        self.mode
    }

    /// The link count, if the server printed one.
    pub fn link_count(&self) -> Option<u64> {
        self.links
    }

    /// The owner column (a name or a number), if present.
    pub fn owner(&self) -> Option<&[u8]> {
        self.owner.map(|s| &self.raw[s.0..s.1])
    }

    /// The group column (a name or a number), if present.
    pub fn group(&self) -> Option<&[u8]> {
        self.group.map(|s| &self.raw[s.0..s.1])
    }

    /// The size in bytes; `None` for a device, which shows its numbers instead.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The major and minor numbers of a character or block device (`1, 3`).
    pub fn device(&self) -> Option<(u32, u32)> {
        self.device
    }

    /// The modification time as listed: year-less for recent files
    /// (see [`ListTimestamp::resolve`]), in the server's time zone.
    pub fn modified(&self) -> ListTimestamp {
        self.modified
    }

    /// The name, without the ` -> target` of a symlink.
    pub fn name(&self) -> &[u8] {
        &self.raw[self.name.0..self.name.1]
    }

    /// The name decoded as UTF-8, invalid bytes replaced with U+FFFD.
    pub fn name_lossy(&self) -> Cow<'_, str> {
        lossy(self.name())
    }

    /// The name decoded as Latin-1.
    pub fn name_latin1(&self) -> String {
        latin1(self.name())
    }

    /// The target of a symlink (after ` -> `), if the server showed it.
    pub fn link_target(&self) -> Option<&[u8]> {
        self.target.map(|s| &self.raw[s.0..s.1])
    }

    /// The whole line as received, line end stripped.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Reads a Unix `ls -l` line; `None` if it is not one.
    pub(crate) fn parse(line: &[u8]) -> Option<UnixEntry> {
        let mode_end = memchr::memchr(b' ', line)?;
        let (kind, mode) = UnixMode::parse(&line[..mode_end])?;

        // Columns after the mode, up to and including the date.
        const MAX_COLUMNS: usize = 12;
        let mut cols: [Span; MAX_COLUMNS] = [(0, 0); MAX_COLUMNS];
        let mut n = 0;
        let mut pos = mode_end;
        let (date_start, date, date_end) = loop {
            while pos < line.len() && line[pos] == b' ' {
                pos += 1;
            }
            if pos >= line.len() || n == MAX_COLUMNS {
                return None;
            }
            let start = pos;
            while pos < line.len() && line[pos] != b' ' {
                pos += 1;
            }
            cols[n] = (start, pos);
            n += 1;
            let col = |i: usize| &line[cols[i].0..cols[i].1];
            // `Mon DD HH:MM` / `Mon DD YYYY`, after at least a size column.
            if n >= 4
                && let Some(t) = month_day_time(col(n - 3), col(n - 2), col(n - 1))
            {
                break (n - 3, t, pos);
            }
            // `YYYY-MM-DD HH:MM` (ls --time-style=long-iso).
            if n >= 3
                && let Some(t) = iso_date_time(col(n - 2), col(n - 1))
            {
                break (n - 2, t, pos);
            }
        };

        // The size (or a device's `major, minor`), then owner columns before it.
        let col = |i: usize| &line[cols[i].0..cols[i].1];
        let mut before = date_start; // columns [0, before) remain to be read
        let (size, device) = {
            let last = col(before - 1);
            let is_device = matches!(kind, EntryType::CharDevice | EntryType::BlockDevice);
            if let (true, Some(dev)) = (is_device, split_device(last)) {
                before -= 1;
                (None, Some(dev))
            } else if let (true, Some(minor), true) = (
                is_device,
                parse_u64(last).and_then(|m| u32::try_from(m).ok()),
                before >= 2 && col(before - 2).ends_with(b","),
            ) {
                let major = col(before - 2);
                let major =
                    parse_u64(&major[..major.len() - 1]).and_then(|m| u32::try_from(m).ok())?;
                before -= 2;
                (None, Some((major, minor)))
            } else {
                before -= 1;
                (Some(parse_u64(last)?), None)
            }
        };
        let (links, owner, group) = match before {
            0 => (None, None, None),
            1 => match parse_u64(col(0)) {
                Some(links) => (Some(links), None, None),
                None => (None, Some(cols[0]), None),
            },
            2 => match parse_u64(col(0)) {
                Some(links) => (Some(links), Some(cols[1]), None),
                None => (None, Some(cols[0]), Some(cols[1])),
            },
            _ => {
                // A group name with spaces in it: everything after the owner.
                (
                    Some(parse_u64(col(0))?),
                    Some(cols[1]),
                    Some((cols[2].0, cols[before - 1].1)),
                )
            }
        };

        // One space, then the name.
        if date_end + 1 >= line.len() {
            return None;
        }
        let mut name = (date_end + 1, line.len());
        let mut target = None;
        if kind == EntryType::Symlink
            && let Some(i) = memchr::memmem::find(&line[name.0..], b" -> ")
        {
            target = Some((name.0 + i + 4, line.len()));
            name.1 = name.0 + i;
        }
        Some(UnixEntry {
            raw: line.to_vec(),
            kind,
            mode,
            links,
            owner,
            group,
            size,
            device,
            modified: date,
            name,
            target,
        })
    }
}

/// `1,3` in one column.
fn split_device(col: &[u8]) -> Option<(u32, u32)> {
    let comma = memchr::memchr(b',', col)?;
    let major = u32::try_from(parse_u64(&col[..comma])?).ok()?;
    let minor = u32::try_from(parse_u64(&col[comma + 1..])?).ok()?;
    Some((major, minor))
}

/// An English month abbreviation, any case: 1 to 12.
pub(crate) fn month(col: &[u8]) -> Option<u8> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let col: [u8; 3] = col.try_into().ok()?;
    let lower = col.map(|b| b.to_ascii_lowercase());
    MONTHS
        .iter()
        .position(|m| **m == lower)
        .map(|i| i as u8 + 1)
}

/// A number of one or two digits.
fn small(col: &[u8]) -> Option<u8> {
    match *col {
        [a] if a.is_ascii_digit() => Some(a - b'0'),
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

/// `HH:MM` or `H:MM`, checked.
pub(crate) fn hour_minute(col: &[u8]) -> Option<(u8, u8)> {
    let colon = memchr::memchr(b':', col)?;
    let hour = small(&col[..colon])?;
    let minute = &col[colon + 1..];
    if minute.len() != 2 {
        return None;
    }
    let minute = small(minute)?;
    (hour < 24 && minute < 60).then_some((hour, minute))
}

/// Four digits.
fn year4(col: &[u8]) -> Option<u16> {
    if col.len() != 4 || !col.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        col.iter()
            .fold(0u16, |acc, &b| acc * 10 + u16::from(b - b'0')),
    )
}

/// `Mon DD HH:MM` (year-less) or `Mon DD YYYY`.
fn month_day_time(m: &[u8], d: &[u8], t: &[u8]) -> Option<ListTimestamp> {
    let month = month(m)?;
    let day = small(d)?;
    if let Some(year) = year4(t) {
        return Timestamp::new(year, month, day, 0, 0, 0, 0).map(ListTimestamp::Full);
    }
    let (hour, minute) = hour_minute(t)?;
    // Checked against a leap year, as the year is unknown.
    Timestamp::new(2000, month, day, hour, minute, 0, 0)?;
    Some(ListTimestamp::YearLess {
        month,
        day,
        hour,
        minute,
    })
}

/// `YYYY-MM-DD HH:MM`.
fn iso_date_time(d: &[u8], t: &[u8]) -> Option<ListTimestamp> {
    if d.len() != 10 || d[4] != b'-' || d[7] != b'-' {
        return None;
    }
    let year = year4(&d[..4])?;
    let month = small(&d[5..7])?;
    let day = small(&d[8..10])?;
    let (hour, minute) = hour_minute(t)?;
    Timestamp::new(year, month, day, hour, minute, 0, 0).map(ListTimestamp::Full)
}
