//! A recursive walk of a remote tree: [`Ftp::walk`], the building block of mirroring.

use std::collections::VecDeque;
use std::io;
use std::time::SystemTime;

use ftp_proto::Timestamp;
use ftp_proto::listing::{EntryType, ListEntry};

use crate::error::{Error, Result};
use crate::ftp::Ftp;

/// How deep [`Walk`] descends unless [`Walk::max_depth`] says otherwise.
pub const DEFAULT_WALK_DEPTH: usize = 64;

/// The most entries [`Walk`] holds for one directory unless [`Walk::max_entries_per_dir`] says
/// otherwise: 1,000,000.
pub const DEFAULT_WALK_DIR_ENTRIES: usize = 1_000_000;

/// One entry found by [`Walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkEntry {
    path: String,
    relative: String,
    name: String,
    kind: EntryType,
    size: Option<u64>,
    modified: Option<Timestamp>,
    depth: usize,
}

impl WalkEntry {
    /// The full remote path: the walk's root joined with every directory below it and the
    /// name, `/`-separated. Pass it back to [`Ftp::retr`], [`Ftp::size`] and the like.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path relative to the walk's root (`sub/dir/file.txt`): where a mirror puts it.
    /// Every component is a plain name: never empty, `.` or `..`, never holding `/`, `\` or NUL.
    pub fn relative_path(&self) -> &str {
        &self.relative
    }

    /// The entry's own name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The kind of file: [`EntryType::Dir`] entries are descended into (after being
    /// yielded), [`EntryType::Symlink`] entries never are.
    pub fn kind(&self) -> &EntryType {
        &self.kind
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == EntryType::Dir
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        self.kind == EntryType::File
    }

    /// The size in bytes, where the listing gives one.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The modification time, where the listing gives one (MLSD `modify`, in UTC; a LIST
    /// time, in the server's zone, with a missing year resolved against the local clock).
    pub fn modified(&self) -> Option<Timestamp> {
        self.modified
    }

    /// 1 for the root's own entries, 2 for theirs, and so on.
    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// An entry as a listing gave it, before it is checked and placed.
struct Found {
    name: String,
    kind: EntryType,
    size: Option<u64>,
    modified: Option<Timestamp>,
    unique: Option<Vec<u8>>,
}

/// One level of the walk: the entries of one directory still to be handed out.
#[derive(Debug)]
struct Level {
    /// The directory's unique id (MLSD `unique` fact), to spot a loop.
    unique: Option<Vec<u8>>,
    entries: VecDeque<(WalkEntry, Option<Vec<u8>>)>,
}

/// A depth-first walk of a remote tree ([`Ftp::walk`]); an [`Iterator`] of
/// `Result<WalkEntry>`.
///
/// Each directory is listed with MLSD, or with LIST when the server does not list MLST in its
/// FEAT reply or answers MLSD with 500 or 502. A directory is yielded before its contents
/// (pre-order). `.` and `..` are skipped, symbolic links are yielded but never followed, and a
/// directory whose MLSD `unique` fact matches one of its ancestors' is not entered (a loop).
/// Lines of a LIST listing that no parser can read are skipped. Plain `LIST` does not show
/// hidden (dot) files on some servers (vsftpd by default); MLSD shows them.
///
/// FTP runs one command at a time, so each directory's listing is read whole before the walk
/// goes on: memory is one directory's entries per level of the current path, each listing
/// bounded by [`max_entries_per_dir`](Walk::max_entries_per_dir), the depth by
/// [`max_depth`](Walk::max_depth).
///
/// Names are decoded with the session's [`Encoding`](crate::Encoding); with UTF-8 (the
/// default) a name that is not valid UTF-8 comes out with U+FFFD in it and cannot be sent back,
/// so walk such a server with [`Encoding::Latin1`](crate::Encoding::Latin1), under which every
/// name round-trips.
///
/// A directory that cannot be listed (or holds an unsafe name, such as `..` or one with a
/// `/`) is reported as an `Err` item, and the walk goes on with the next entry; errors that
/// end the session (the connection, a timeout) end the walk after being reported.
///
/// ```no_run
/// # fn main() -> ftp_blocking::Result<()> {
/// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
/// ftp.login("anonymous", "", "")?;
/// for entry in ftp.walk("pub")?.max_depth(3) {
///     let entry = entry?;
///     println!("{} {:?} {:?}", entry.path(), entry.kind(), entry.size());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Walk<'a> {
    ftp: &'a mut Ftp,
    root: String,
    use_mlsd: bool,
    stack: Vec<Level>,
    /// A directory yielded last, to list on the next call: (its entry, its unique id).
    pending: Option<(WalkEntry, Option<Vec<u8>>)>,
    started: bool,
    finished: bool,
    max_depth: usize,
    max_entries: usize,
    now: Option<Timestamp>,
}

impl Ftp {
    /// Walks the remote tree under `remote` (empty for the working directory), depth-first;
    /// see [`Walk`]. Asks FEAT first to choose between MLSD and LIST.
    ///
    /// ```no_run
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// let files: Vec<String> = ftp
    ///     .walk("")?
    ///     .filter_map(|e| e.ok())
    ///     .filter(|e| e.is_file())
    ///     .map(|e| e.path().to_owned())
    ///     .collect();
    /// # Ok(()) }
    /// ```
    pub fn walk(&mut self, remote: &str) -> Result<Walk<'_>> {
        // A path must be a valid argument before anything is sent.
        self.arg(if remote.is_empty() { "." } else { remote })?;
        let use_mlsd = match self.feat() {
            Ok(features) => features.contains("MLST"),
            Err(Error::Temporary(_) | Error::Permanent(_) | Error::UnexpectedReply(_)) => false,
            Err(e) => return Err(e),
        };
        Ok(Walk {
            ftp: self,
            root: remote.to_owned(),
            use_mlsd,
            stack: Vec::new(),
            pending: None,
            started: false,
            finished: false,
            max_depth: DEFAULT_WALK_DEPTH,
            max_entries: DEFAULT_WALK_DIR_ENTRIES,
            now: Timestamp::from_system_time(SystemTime::now()),
        })
    }
}

impl Walk<'_> {
    /// Descends at most `depth` levels below the root (1: the root's entries only).
    ///
    /// ```no_run
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// let top: Vec<_> = ftp.walk("")?.max_depth(1).max_entries_per_dir(10_000).collect();
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Refuses (as an `Err` item) a directory listing longer than `entries`.
    #[must_use]
    pub fn max_entries_per_dir(mut self, entries: usize) -> Self {
        self.max_entries = entries;
        self
    }

    /// The session, between two entries: for instance to download the file just yielded, as
    /// a mirror does. No listing is open between two calls to `next`, so any command may be
    /// sent; one that changes the working directory would make the relative paths still to
    /// come wrong.
    ///
    /// ```no_run
    /// use ftp_blocking::TransferOptions;
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// let mut walk = ftp.walk("pub")?;
    /// while let Some(entry) = walk.next() {
    ///     let entry = entry?;
    ///     if entry.is_file() {
    ///         let local = std::path::Path::new("mirror").join(entry.relative_path());
    ///         walk.ftp().download_file(entry.path(), &local, TransferOptions::new())?;
    ///     } else if entry.is_dir() {
    ///         std::fs::create_dir_all(std::path::Path::new("mirror").join(entry.relative_path()))?;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn ftp(&mut self) -> &mut Ftp {
        self.ftp
    }

    /// Whether the walk lists with MLSD (else LIST).
    pub fn uses_mlsd(&self) -> bool {
        self.use_mlsd
    }

    fn join(parent: &str, name: &str) -> String {
        if parent.is_empty() {
            name.to_owned()
        } else if parent.ends_with('/') {
            format!("{parent}{name}")
        } else {
            format!("{parent}/{name}")
        }
    }

    /// Lists one directory into a new level.
    fn list(&mut self, dir_path: &str, dir_relative: &str, depth: usize) -> Result<Level> {
        let mut entries = VecDeque::new();
        if self.use_mlsd {
            match self.list_mlsd(dir_path, dir_relative, depth, &mut entries) {
                Ok(()) => {
                    return Ok(Level {
                        unique: None,
                        entries,
                    });
                }
                Err(e) if is_not_implemented(&e) => {
                    self.use_mlsd = false;
                    entries.clear();
                }
                Err(e) => return Err(e),
            }
        }
        self.list_list(dir_path, dir_relative, depth, &mut entries)?;
        Ok(Level {
            unique: None,
            entries,
        })
    }

    fn push_entry(
        &self,
        entries: &mut VecDeque<(WalkEntry, Option<Vec<u8>>)>,
        dir_path: &str,
        dir_relative: &str,
        depth: usize,
        found: Found,
    ) -> Result<()> {
        let Found {
            name,
            kind,
            size,
            modified,
            unique,
        } = found;
        if matches!(kind, EntryType::CurrentDir | EntryType::ParentDir)
            || name == "."
            || name == ".."
        {
            return Ok(());
        }
        if name.is_empty() || name.contains(['/', '\\', '\0']) {
            return Err(unsafe_name(dir_path));
        }
        if entries.len() >= self.max_entries {
            return Err(Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the listing of {:?} holds more than {} entries",
                    display_dir(dir_path),
                    self.max_entries
                ),
            )));
        }
        entries.push_back((
            WalkEntry {
                path: Self::join(dir_path, &name),
                relative: Self::join(dir_relative, &name),
                name,
                kind,
                size,
                modified,
                depth,
            },
            unique,
        ));
        Ok(())
    }

    fn list_mlsd(
        &mut self,
        dir_path: &str,
        dir_relative: &str,
        depth: usize,
        entries: &mut VecDeque<(WalkEntry, Option<Vec<u8>>)>,
    ) -> Result<()> {
        let encoding = self.ftp.encoding();
        let mut found = Vec::new();
        {
            let listing = self.ftp.mlsd(dir_path, &[])?;
            for entry in listing {
                let entry = entry?;
                if found.len() > self.max_entries {
                    break;
                }
                let facts = entry.facts();
                let Some(kind) = facts.kind() else { continue };
                found.push(Found {
                    name: encoding.decode(entry.name()),
                    kind,
                    size: facts.size(),
                    modified: facts.modify(),
                    unique: facts.unique().map(<[u8]>::to_vec),
                });
            }
        }
        for found in found {
            self.push_entry(entries, dir_path, dir_relative, depth, found)?;
        }
        Ok(())
    }

    fn list_list(
        &mut self,
        dir_path: &str,
        dir_relative: &str,
        depth: usize,
        entries: &mut VecDeque<(WalkEntry, Option<Vec<u8>>)>,
    ) -> Result<()> {
        let encoding = self.ftp.encoding();
        let now = self.now;
        let mut found = Vec::new();
        {
            let listing = self.ftp.list(dir_path)?;
            for entry in listing {
                let entry = entry?;
                if found.len() > self.max_entries {
                    break;
                }
                if let ListEntry::Unparsed(_) = entry {
                    continue;
                }
                let (Some(name), Some(kind)) = (entry.name(), entry.kind()) else {
                    continue;
                };
                let modified = entry
                    .modified()
                    .and_then(|t| now.and_then(|now| t.resolve(now)).or_else(|| t.full()));
                found.push(Found {
                    name: encoding.decode(name),
                    kind,
                    size: entry.size(),
                    modified,
                    unique: None,
                });
            }
        }
        for found in found {
            self.push_entry(entries, dir_path, dir_relative, depth, found)?;
        }
        Ok(())
    }

    fn step(&mut self) -> Option<Result<WalkEntry>> {
        if !self.started {
            self.started = true;
            let root = self.root.clone();
            return match self.list(&root, "", 1) {
                Ok(level) => {
                    self.stack.push(level);
                    self.step()
                }
                Err(e) => {
                    self.finished = true;
                    Some(Err(e))
                }
            };
        }
        if let Some((dir, unique)) = self.pending.take() {
            let looped = unique.is_some()
                && self
                    .stack
                    .iter()
                    .any(|level| level.unique.is_some() && level.unique == unique);
            if !looped && dir.depth < self.max_depth {
                match self.list(&dir.path, &dir.relative, dir.depth + 1) {
                    Ok(mut level) => {
                        level.unique = unique;
                        self.stack.push(level);
                    }
                    Err(e) => {
                        if ends_session(&e) {
                            self.finished = true;
                        }
                        return Some(Err(e));
                    }
                }
            }
        }
        loop {
            let level = self.stack.last_mut()?;
            match level.entries.pop_front() {
                Some((entry, unique)) => {
                    if entry.is_dir() {
                        self.pending = Some((entry.clone(), unique));
                    }
                    return Some(Ok(entry));
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

impl Iterator for Walk<'_> {
    type Item = Result<WalkEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let item = self.step();
        if item.is_none() {
            self.finished = true;
        }
        item
    }
}

/// MLSD refused as not implemented (500, 502): fall back to LIST.
fn is_not_implemented(e: &Error) -> bool {
    matches!(e, Error::Permanent(reply) if matches!(reply.code().as_u16(), 500 | 502))
}

/// Errors after which the session cannot carry on.
fn ends_session(e: &Error) -> bool {
    match e {
        Error::Temporary(_)
        | Error::Permanent(_)
        | Error::UnexpectedReply(_)
        | Error::InvalidArgument(_)
        | Error::Encoding(_) => false,
        Error::Io(io) => io.kind() != io::ErrorKind::InvalidData,
        _ => true,
    }
}

fn display_dir(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

fn unsafe_name(dir: &str) -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the listing of {:?} holds an unsafe name (empty, or with '/', '\\' or NUL): not followed",
            display_dir(dir)
        ),
    ))
}
