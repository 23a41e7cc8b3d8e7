//! The remote-tree walk planner: what to list next, which entries to hand out, and every
//! bound a hostile server could push against.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock};

use crate::listing::{EntryType, ListEntry, ListingError, MlsdEntry};
use crate::timestamp::Timestamp;

/// How deep a walk descends unless [`WalkLimits::max_depth`] says otherwise: 64 levels.
pub const DEFAULT_MAX_DEPTH: usize = 64;
/// The longest name accepted unless [`WalkLimits::max_name_len`] says otherwise: 1 KiB.
pub const DEFAULT_MAX_NAME_LEN: usize = 1024;
/// The longest remote path accepted unless [`WalkLimits::max_path_len`] says otherwise: 16 KiB.
pub const DEFAULT_MAX_PATH_LEN: usize = 16 * 1024;
/// The most entries one directory may list unless [`WalkLimits::max_entries_per_dir`] says
/// otherwise: 1,000,000.
pub const DEFAULT_MAX_ENTRIES_PER_DIR: usize = 1_000_000;
/// The most entries a whole walk may list unless [`WalkLimits::max_entries`] says otherwise:
/// 10,000,000.
pub const DEFAULT_MAX_ENTRIES: u64 = 10_000_000;
/// The most bytes of names and paths the planner holds at once unless
/// [`WalkLimits::max_bytes_held`] says otherwise: 64 MiB.
pub const DEFAULT_MAX_BYTES_HELD: usize = 64 << 20;

/// What one buffered entry costs beyond its name, for [`WalkLimits::max_bytes_held`].
const ENTRY_COST: usize = 96;
/// What one directory waiting to be listed costs beyond its path.
const DIR_COST: usize = 128;
/// What remembering one name of the open listing costs beyond the name.
const NAME_COST: usize = 32;
/// What one buffered error costs beyond its text.
const ERROR_COST: usize = 128;
/// How much of a path an error quotes (its end).
const QUOTED_PATH: usize = 256;
/// How much of a refused name an error quotes.
const QUOTED_NAME: usize = 64;

/// The bounds of a walk. Every one is a setting with a safe default; hitting one gives a
/// [`WalkError::LimitExceeded`] that names it.
///
/// ```
/// use ftp_proto::plan::WalkLimits;
/// let limits = WalkLimits { max_depth: 8, ..WalkLimits::default() };
/// assert_eq!(limits.max_name_len, 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WalkLimits {
    /// Directories deeper than this are not entered (1: only the root's entries). The
    /// directory that would have been entered is reported once.
    pub max_depth: usize,
    /// A longer name (in bytes, as decoded) is refused and skipped.
    pub max_name_len: usize,
    /// An entry whose remote path would be longer (in bytes) is refused and skipped.
    pub max_path_len: usize,
    /// The rest of a listing longer than this is not read; the walk goes on.
    pub max_entries_per_dir: usize,
    /// A walk that has listed this many entries in all ends.
    pub max_entries: u64,
    /// A walk whose buffered entries and waiting directories would hold more bytes ends.
    pub max_bytes_held: usize,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits {
            max_depth: DEFAULT_MAX_DEPTH,
            max_name_len: DEFAULT_MAX_NAME_LEN,
            max_path_len: DEFAULT_MAX_PATH_LEN,
            max_entries_per_dir: DEFAULT_MAX_ENTRIES_PER_DIR,
            max_entries: DEFAULT_MAX_ENTRIES,
            max_bytes_held: DEFAULT_MAX_BYTES_HELD,
        }
    }
}

/// A bound of [`WalkLimits`], as named in an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`WalkLimits::max_depth`].
    Depth,
    /// [`WalkLimits::max_name_len`].
    NameLength,
    /// [`WalkLimits::max_path_len`].
    PathLength,
    /// [`WalkLimits::max_entries_per_dir`].
    EntriesPerDir,
    /// [`WalkLimits::max_entries`].
    Entries,
    /// [`WalkLimits::max_bytes_held`].
    BytesHeld,
}

impl Limit {
    /// The setting's name, as in [`WalkLimits`].
    pub fn name(self) -> &'static str {
        match self {
            Limit::Depth => "max_depth",
            Limit::NameLength => "max_name_len",
            Limit::PathLength => "max_path_len",
            Limit::EntriesPerDir => "max_entries_per_dir",
            Limit::Entries => "max_entries",
            Limit::BytesHeld => "max_bytes_held",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something a walk refused or could not do. [`ends_walk`](WalkError::ends_walk) says whether
/// the walk stopped; otherwise it goes on with the next entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    /// A name that cannot be a single local path component: empty, `/`, `\`, or a control
    /// character (NUL, CR, LF, ESC, DEL, C1). The entry is skipped.
    #[error("the listing of {dir} holds an unsafe name {name:?} ({why}): skipped")]
    UnsafeName {
        /// The directory listed.
        dir: String,
        /// The name (its first 64 characters), to be shown escaped.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A limit was hit.
    #[error("{path}: walk limit {limit} = {value} reached{}", if self.ends_walk() { ": the walk stops" } else { "" })]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// Its value.
        value: u64,
        /// The directory (or, for a name or path too long, the directory holding it).
        path: String,
    },
    /// A directory seen before (its MLSD `unique` fact repeats an ancestor's, or its listing
    /// repeats an ancestor's listing entry for entry): not entered further.
    #[error("{path}: a loop ({how}): not entered")]
    Loop {
        /// The directory.
        path: String,
        /// How it was spotted.
        how: &'static str,
    },
    /// A second entry with the same name (as decoded) in one listing: it would overwrite the
    /// first one's local copy, so it is skipped.
    #[error("the listing of {dir} holds {name:?} twice (as decoded): the second is skipped")]
    DuplicateName {
        /// The directory listed.
        dir: String,
        /// The name (its first 64 characters).
        name: String,
    },
    /// A listing line no parser could read (too long, malformed): skipped.
    #[error("the listing of {dir} holds an unreadable line: {error}")]
    BadLine {
        /// The directory listed.
        dir: String,
        /// What the parser said.
        error: ListingError,
    },
}

impl WalkError {
    /// Whether the walk ended with this error (the limit on entries or bytes held).
    pub fn ends_walk(&self) -> bool {
        matches!(
            self,
            WalkError::LimitExceeded {
                limit: Limit::Entries | Limit::BytesHeld,
                ..
            }
        )
    }

    /// The limit hit, if this is [`WalkError::LimitExceeded`].
    pub fn limit(&self) -> Option<Limit> {
        match self {
            WalkError::LimitExceeded { limit, .. } => Some(*limit),
            _ => None,
        }
    }

    fn cost(&self) -> usize {
        ERROR_COST
            + match self {
                WalkError::UnsafeName { dir, name, .. }
                | WalkError::DuplicateName { dir, name } => dir.len() + name.len(),
                WalkError::LimitExceeded { path, .. } | WalkError::Loop { path, .. } => path.len(),
                WalkError::BadLine { dir, .. } => dir.len(),
            }
    }
}

/// One entry of a listing, as the adapter passes it to [`WalkPlanner::handle_listed`]: the
/// name already decoded with the session's encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed<'a> {
    /// The name.
    pub name: &'a str,
    /// The kind of file.
    pub kind: EntryType,
    /// The size in bytes, if listed.
    pub size: Option<u64>,
    /// The modification time, if listed (resolved to a full date).
    pub modified: Option<Timestamp>,
    /// The MLSD `unique` fact, if listed: used to spot loops.
    pub unique: Option<&'a [u8]>,
}

impl<'a> Listed<'a> {
    /// A name and a kind, nothing else known.
    pub fn new(name: &'a str, kind: EntryType) -> Self {
        Listed {
            name,
            kind,
            size: None,
            modified: None,
            unique: None,
        }
    }

    /// An MLSD entry (its name decoded as `name`); `None` without a `type` fact.
    pub fn from_mlsd(entry: &'a MlsdEntry, name: &'a str) -> Option<Self> {
        let facts = entry.facts();
        Some(Listed {
            name,
            kind: facts.kind()?,
            size: facts.size(),
            modified: facts.modify(),
            unique: facts.unique(),
        })
    }

    /// A LIST entry (its name decoded as `name`); a time without a year is resolved against
    /// `now`. `None` for a line no parser could read or one without a kind.
    pub fn from_list(entry: &'a ListEntry, name: &'a str, now: Option<Timestamp>) -> Option<Self> {
        if let ListEntry::Unparsed(_) = entry {
            return None;
        }
        let modified = entry
            .modified()
            .and_then(|t| now.and_then(|now| t.resolve(now)).or_else(|| t.full()));
        Some(Listed {
            name,
            kind: entry.kind()?,
            size: entry.size(),
            modified,
            unique: None,
        })
    }
}

/// One entry found by a walk: its remote path, its path relative to the walk's root, and
/// what the listing said about it. The three paths are views of one string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkEntry {
    path: String,
    relative_start: usize,
    name_start: usize,
    kind: EntryType,
    size: Option<u64>,
    modified: Option<Timestamp>,
    depth: usize,
}

impl WalkEntry {
    /// The full remote path: the walk's root joined with every directory below it and the
    /// name, `/`-separated. Pass it back to a download or SIZE.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path relative to the walk's root (`sub/dir/file.txt`): where a mirror puts it.
    /// Every component is a plain name: never empty, `.` or `..`, never holding `/`, `\` or a
    /// control character.
    pub fn relative_path(&self) -> &str {
        &self.path[self.relative_start..]
    }

    /// The entry's own name.
    pub fn name(&self) -> &str {
        &self.path[self.name_start..]
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

    /// The modification time, where the listing gives one.
    pub fn modified(&self) -> Option<Timestamp> {
        self.modified
    }

    /// 1 for the root's own entries, 2 for theirs, and so on.
    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// A directory the adapter should list next ([`WalkStep::List`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirToList {
    path: String,
    depth: usize,
}

impl DirToList {
    /// The remote path to list (empty: the working directory).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Its depth: 0 for the root.
    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// What the adapter does next ([`WalkPlanner::next_step`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WalkStep {
    /// List this directory, then feed the entries with
    /// [`handle_listed`](WalkPlanner::handle_listed) and end with
    /// [`handle_listing_end`](WalkPlanner::handle_listing_end) or
    /// [`handle_listing_failed`](WalkPlanner::handle_listing_failed).
    List(DirToList),
    /// Hand this entry to the user.
    Entry(WalkEntry),
    /// Hand this error to the user; the walk goes on unless it
    /// [ends the walk](WalkError::ends_walk).
    Error(WalkError),
    /// A listing is open and everything it gave so far was handed out: feed more of it.
    Listing,
    /// The walk is over.
    Done,
}

/// A directory found and not yet listed, or being listed. Entries and subdirectories share
/// their directory's node instead of copying its path.
#[derive(Debug)]
struct DirNode {
    parent: Option<Arc<DirNode>>,
    /// Its own name ("" for the root): the path is the chain of names up to the root.
    name: Box<str>,
    /// The length of its path relative to the root.
    relative_len: usize,
    depth: usize,
    unique: OnceLock<Box<[u8]>>,
    /// A hash of the directory's listing, once listed.
    fingerprint: OnceLock<u64>,
}

impl DirNode {
    /// What this node costs while it waits to be listed (the root, always there, nothing).
    fn cost(&self) -> usize {
        if self.parent.is_none() {
            return 0;
        }
        DIR_COST + self.name.len() + self.unique.get().map_or(0, |u| u.len())
    }

    /// The path relative to the root, built from the chain of names.
    fn relative(&self) -> String {
        let mut path = String::with_capacity(self.relative_len);
        self.write_relative(&mut path);
        path
    }

    /// Appends the path relative to the root to `out`.
    fn write_relative(&self, out: &mut String) {
        let mut names: Vec<&str> = Vec::with_capacity(self.depth);
        let mut node = Some(self);
        while let Some(n) = node {
            if n.parent.is_some() {
                names.push(&n.name);
            }
            node = n.parent.as_deref();
        }
        for (i, name) in names.iter().rev().enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(name);
        }
    }

    fn ancestors(self: &Arc<Self>) -> impl Iterator<Item = &DirNode> {
        std::iter::successors(Some(&**self), |n| n.parent.as_deref())
    }
}

/// A buffered entry, its path not yet built.
#[derive(Debug)]
struct Found {
    dir: Arc<DirNode>,
    name: Box<str>,
    kind: EntryType,
    size: Option<u64>,
    modified: Option<Timestamp>,
}

#[derive(Debug)]
enum Item {
    Found(Found),
    Error(WalkError),
}

impl Item {
    fn cost(&self) -> usize {
        match self {
            Item::Found(f) => ENTRY_COST + f.name.len(),
            Item::Error(e) => e.cost(),
        }
    }
}

/// The directory being listed.
#[derive(Debug)]
struct Current {
    dir: Arc<DirNode>,
    count: usize,
    children: Vec<Arc<DirNode>>,
    hasher: DefaultHasher,
    /// The names seen in this listing, to refuse a second entry with the same name.
    names: HashSet<Box<str>>,
    /// What `names` costs.
    names_cost: usize,
}

/// A depth-first walk of a remote tree, without I/O: the adapter lists what it is told to and
/// feeds the entries in; the planner hands entries out with their relative paths.
///
/// Directories are listed one at a time (FTP runs one command at a time). Each directory is
/// handed out before anything under it; a directory's subdirectories are listed after its
/// listing ended, first listed first, depth-first. The planner holds only the entries not yet
/// handed out and the directories not yet listed, all of it counted against
/// [`WalkLimits::max_bytes_held`]; a directory holds only its own name and a link to its parent,
/// so entries and subdirectories share their ancestors' paths instead of copying them (the chain
/// of ancestors of the directory being listed is bounded by [`WalkLimits::max_path_len`]). An
/// entry's path is built once, when it is handed out.
///
/// It never follows symbolic links; it refuses names holding `/`, `\` or a control character
/// and skips `.` and `..`; it refuses a second entry of one listing with the same name (two
/// names that decode alike would be written to one local file); it catches loops (a subdirectory whose MLSD `unique` fact repeats an
/// ancestor's, or a listing that repeats an ancestor's entry for entry, as a server that lists a
/// directory as its own child does); and it is bounded by [`WalkLimits`].
///
/// The drive loop: call [`next_step`](Self::next_step) until [`WalkStep::Done`]. On
/// [`WalkStep::List`], start the listing and feed each entry with
/// [`handle_listed`](Self::handle_listed) (stop reading when it returns `false`), then
/// [`handle_listing_end`](Self::handle_listing_end). An adapter may call `next_step` between
/// two entries to hand out what is ready while the listing streams (it answers
/// [`WalkStep::Listing`] when it needs more), or feed a whole listing first so that the session
/// is free between two entries handed out (the blocking adapter does this, so a mirror can
/// download each file as it comes).
///
/// ```
/// use ftp_proto::listing::EntryType;
/// use ftp_proto::plan::{Listed, WalkLimits, WalkPlanner, WalkStep};
///
/// let mut walk = WalkPlanner::new("pub", WalkLimits::default());
/// let mut listings = vec![
///     ("pub", vec![("a", EntryType::Dir), ("x.txt", EntryType::File)]),
///     ("pub/a", vec![("b.txt", EntryType::File), ("..", EntryType::ParentDir)]),
/// ]
/// .into_iter();
/// let mut seen = Vec::new();
/// loop {
///     match walk.next_step() {
///         WalkStep::List(dir) => {
///             let (path, entries) = listings.next().unwrap();
///             assert_eq!(dir.path(), path);
///             for (name, kind) in entries {
///                 assert!(walk.handle_listed(Listed::new(name, kind)));
///             }
///             walk.handle_listing_end();
///         }
///         WalkStep::Entry(entry) => seen.push(entry.relative_path().to_owned()),
///         WalkStep::Error(e) => panic!("{e}"),
///         WalkStep::Listing => unreachable!("every listing was fed whole"),
///         WalkStep::Done => break,
///     }
/// }
/// assert_eq!(seen, ["a", "x.txt", "a/b.txt"]);
/// ```
#[derive(Debug)]
pub struct WalkPlanner {
    root: Box<str>,
    limits: WalkLimits,
    descend_limit: usize,
    pending: Vec<Arc<DirNode>>,
    current: Option<Current>,
    ready: VecDeque<Item>,
    held: usize,
    listed: u64,
    ended: bool,
    /// Whether names that differ only in case count as the same name.
    fold_case: bool,
    /// The error that ended the walk, handed out after everything ready (not counted as held).
    final_error: Option<WalkError>,
}

impl WalkPlanner {
    /// A walk of the tree under `root` (empty: the working directory), which is listed first.
    pub fn new(root: &str, limits: WalkLimits) -> Self {
        let node = Arc::new(DirNode {
            parent: None,
            name: "".into(),
            relative_len: 0,
            depth: 0,
            unique: OnceLock::new(),
            fingerprint: OnceLock::new(),
        });
        let held = node.cost();
        WalkPlanner {
            root: root.into(),
            limits,
            descend_limit: usize::MAX,
            pending: vec![node],
            current: None,
            ready: VecDeque::new(),
            held,
            listed: 0,
            ended: false,
            fold_case: false,
            final_error: None,
        }
    }

    /// Descends at most `depth` levels below the root (1: the root's entries only), silently:
    /// a choice of the caller, unlike [`WalkLimits::max_depth`], which is reported when hit.
    pub fn descend_at_most(&mut self, depth: usize) {
        self.descend_limit = depth;
    }

    /// Treats names that differ only in case (Unicode lower case) as the same name, so that
    /// the second is refused as [`WalkError::DuplicateName`]: for a mirror onto a file system
    /// that ignores case (Windows, macOS by default), where both would land in one file.
    pub fn fold_case(&mut self, fold: bool) {
        self.fold_case = fold;
    }

    /// The limits in force.
    pub fn limits(&self) -> &WalkLimits {
        &self.limits
    }

    /// The bytes of names, paths and errors held now (what
    /// [`WalkLimits::max_bytes_held`] bounds).
    pub fn held_bytes(&self) -> usize {
        self.held
    }

    /// How many entries have been listed so far (what [`WalkLimits::max_entries`] bounds).
    pub fn entries_listed(&self) -> u64 {
        self.listed
    }

    /// What to do next; see the type's documentation for the loop.
    pub fn next_step(&mut self) -> WalkStep {
        if let Some(item) = self.ready.pop_front() {
            self.held -= item.cost();
            return match item {
                Item::Found(found) => WalkStep::Entry(self.entry_of(found)),
                Item::Error(e) => WalkStep::Error(e),
            };
        }
        if let Some(e) = self.final_error.take() {
            return WalkStep::Error(e);
        }
        if self.current.is_some() {
            return WalkStep::Listing;
        }
        if self.ended {
            return WalkStep::Done;
        }
        let Some(dir) = self.pending.pop() else {
            self.ended = true;
            return WalkStep::Done;
        };
        self.held -= dir.cost();
        let step = WalkStep::List(DirToList {
            path: self.remote_path(&dir.relative()),
            depth: dir.depth,
        });
        self.current = Some(Current {
            dir,
            count: 0,
            children: Vec::new(),
            hasher: DefaultHasher::new(),
            names: HashSet::new(),
            names_cost: 0,
        });
        step
    }

    /// One entry of the open listing. Returns whether the planner wants more of this listing:
    /// `false` when a limit ended it (stop reading it, abort it if needed; the planner has
    /// already closed it and [`handle_listing_end`](Self::handle_listing_end) is a no-op).
    pub fn handle_listed(&mut self, entry: Listed<'_>) -> bool {
        if !self.count_one() {
            return false;
        }
        let Some(current) = self.current.as_mut() else {
            return false;
        };
        let Listed {
            name,
            kind,
            size,
            modified,
            unique,
        } = entry;
        (name, &kind, size, modified.map(|t| t.unix_seconds())).hash(&mut current.hasher);
        if kind == EntryType::CurrentDir {
            if let Some(unique) = unique {
                let _ = current.dir.unique.set(unique.into());
            }
            return true;
        }
        if kind == EntryType::ParentDir || name == "." || name == ".." {
            return true;
        }
        let dir = current.dir.clone();
        if let Some(why) = unsafe_name(name) {
            let quoted = name.chars().take(QUOTED_NAME).collect();
            return self.push_error(WalkError::UnsafeName {
                dir: self.display_path(&dir.relative()),
                name: quoted,
                why,
            });
        }
        if name.len() > self.limits.max_name_len {
            return self.push_error(self.limit_error(Limit::NameLength, &dir.relative()));
        }
        let root_len = if self.root.is_empty() {
            0
        } else {
            self.root.len() + 1
        };
        let dir_len = if dir.relative_len == 0 {
            0
        } else {
            dir.relative_len + 1
        };
        if root_len + dir_len + name.len() > self.limits.max_path_len {
            return self.push_error(self.limit_error(Limit::PathLength, &dir.relative()));
        }
        let key: Box<str> = if self.fold_case {
            name.to_lowercase().into()
        } else {
            name.into()
        };
        if let Some(current) = self.current.as_mut() {
            if current.names.contains(&key) {
                return self.push_error(WalkError::DuplicateName {
                    dir: self.display_path(&dir.relative()),
                    name: name.chars().take(QUOTED_NAME).collect(),
                });
            }
            let cost = NAME_COST + key.len();
            current.names.insert(key);
            current.names_cost += cost;
            self.held += cost;
        }
        let depth = dir.depth + 1;
        let mut after = None;
        if kind == EntryType::Dir {
            let looped = unique.is_some_and(|u| {
                dir.ancestors()
                    .any(|a| a.unique.get().is_some_and(|a| **a == *u))
            });
            if looped {
                after = Some(WalkError::Loop {
                    path: self.display_path(&join(&dir.relative(), name)),
                    how: "its unique fact repeats an ancestor's",
                });
            } else if depth >= self.descend_limit {
                // The caller asked not to go deeper.
            } else if depth >= self.limits.max_depth {
                after = Some(self.limit_error(Limit::Depth, &join(&dir.relative(), name)));
            } else {
                let node = Arc::new(DirNode {
                    parent: Some(dir.clone()),
                    name: name.into(),
                    relative_len: dir_len + name.len(),
                    depth,
                    unique: OnceLock::new(),
                    fingerprint: OnceLock::new(),
                });
                if let Some(unique) = unique {
                    let _ = node.unique.set(unique.into());
                }
                self.held += node.cost();
                if let Some(current) = self.current.as_mut() {
                    current.children.push(node);
                }
            }
        }
        let found = Item::Found(Found {
            dir,
            name: name.into(),
            kind,
            size,
            modified,
        });
        if !self.push(found) {
            return false;
        }
        match after {
            Some(e) => self.push_error(e),
            None => true,
        }
    }

    /// A line of the open listing that no parser could read: counted against the limits and
    /// reported. Returns whether the planner wants more of this listing.
    pub fn handle_bad_line(&mut self, error: ListingError) -> bool {
        if !self.count_one() {
            return false;
        }
        let Some(current) = self.current.as_ref() else {
            return false;
        };
        let dir = self.display_path(&current.dir.relative());
        self.push_error(WalkError::BadLine { dir, error })
    }

    /// A line of the open listing that gives no entry to walk (a LIST line in no known format,
    /// an MLSD entry without a `type` fact): not reported, but counted against the limits, so
    /// that an endless listing of such lines still ends. Returns whether the planner wants more
    /// of this listing.
    pub fn handle_skipped(&mut self) -> bool {
        self.count_one()
    }

    /// The open listing ended normally: its subdirectories are queued, unless its entries
    /// repeat an ancestor's listing one for one (a loop, reported).
    pub fn handle_listing_end(&mut self) {
        let Some(current) = self.current.take() else {
            return;
        };
        self.held -= current.names_cost;
        let fingerprint = current.hasher.finish();
        if current.children.is_empty() {
            let _ = current.dir.fingerprint.set(fingerprint);
            return;
        }
        let repeats = current.dir.parent.as_ref().is_some_and(|p| {
            p.ancestors()
                .any(|a| a.fingerprint.get() == Some(&fingerprint))
        });
        if repeats {
            self.drop_children(current.children);
            let path = self.display_path(&current.dir.relative());
            self.push_error(WalkError::Loop {
                path,
                how: "its listing repeats an ancestor's",
            });
            return;
        }
        let _ = current.dir.fingerprint.set(fingerprint);
        self.pending.extend(current.children.into_iter().rev());
    }

    /// The open listing failed (refused, or cut off): nothing under it is entered. The
    /// adapter reports its own error.
    pub fn handle_listing_failed(&mut self) {
        if let Some(current) = self.current.take() {
            self.held -= current.names_cost;
            self.drop_children(current.children);
        }
    }

    /// Whether the walk has ended (everything handed out, or a limit ended it).
    pub fn is_done(&self) -> bool {
        self.ended && self.ready.is_empty() && self.current.is_none() && self.final_error.is_none()
    }

    fn drop_children(&mut self, children: Vec<Arc<DirNode>>) {
        for child in children {
            self.held -= child.cost();
        }
    }

    /// Counts one listed entry against the per-directory and per-walk limits.
    fn count_one(&mut self) -> bool {
        if self.ended {
            return false;
        }
        let Some(current) = self.current.as_mut() else {
            return false;
        };
        self.listed += 1;
        current.count += 1;
        if self.listed > self.limits.max_entries {
            let relative = current.dir.relative();
            let e = self.limit_error(Limit::Entries, &relative);
            self.end(e);
            return false;
        }
        if current.count > self.limits.max_entries_per_dir {
            let relative = current.dir.relative();
            let e = self.limit_error(Limit::EntriesPerDir, &relative);
            // What was listed so far stands, subdirectories included.
            self.handle_listing_end();
            self.push_error(e);
            return false;
        }
        true
    }

    /// Buffers an item, ending the walk if that holds too much.
    fn push(&mut self, item: Item) -> bool {
        self.held += item.cost();
        self.ready.push_back(item);
        if self.held > self.limits.max_bytes_held {
            let relative = self
                .current
                .as_ref()
                .map(|c| c.dir.relative())
                .unwrap_or_default();
            let e = self.limit_error(Limit::BytesHeld, &relative);
            self.end(e);
            return false;
        }
        true
    }

    fn push_error(&mut self, e: WalkError) -> bool {
        self.push(Item::Error(e))
    }

    /// Ends the walk with `e`: nothing more is listed; what was ready is still handed out,
    /// then `e`.
    fn end(&mut self, e: WalkError) {
        self.ended = true;
        if let Some(current) = self.current.take() {
            self.held -= current.names_cost;
            self.drop_children(current.children);
        }
        for dir in std::mem::take(&mut self.pending) {
            self.held -= dir.cost();
        }
        // Entries waiting beyond the budget are dropped; the error says why.
        while self.held > self.limits.max_bytes_held {
            match self.ready.pop_back() {
                Some(item) => self.held -= item.cost(),
                None => break,
            }
        }
        self.final_error = Some(e);
    }

    fn limit_error(&self, limit: Limit, relative: &str) -> WalkError {
        let value = match limit {
            Limit::Depth => self.limits.max_depth as u64,
            Limit::NameLength => self.limits.max_name_len as u64,
            Limit::PathLength => self.limits.max_path_len as u64,
            Limit::EntriesPerDir => self.limits.max_entries_per_dir as u64,
            Limit::Entries => self.limits.max_entries,
            Limit::BytesHeld => self.limits.max_bytes_held as u64,
        };
        WalkError::LimitExceeded {
            limit,
            value,
            path: self.display_path(relative),
        }
    }

    fn remote_path(&self, relative: &str) -> String {
        let mut path = String::with_capacity(self.root.len() + 1 + relative.len());
        path.push_str(&self.root);
        if !self.root.is_empty() && !relative.is_empty() && !self.root.ends_with('/') {
            path.push('/');
        }
        path.push_str(relative);
        path
    }

    /// A path as an error quotes it: `.` for the working directory, and no more than its last
    /// 256 bytes (a hostile tree's paths can be megabytes).
    fn display_path(&self, relative: &str) -> String {
        let path = self.remote_path(relative);
        if path.is_empty() {
            return ".".to_owned();
        }
        if path.len() <= QUOTED_PATH {
            return path;
        }
        let mut start = path.len() - QUOTED_PATH;
        while !path.is_char_boundary(start) {
            start += 1;
        }
        format!("...{}", &path[start..])
    }

    fn entry_of(&self, found: Found) -> WalkEntry {
        // One allocation, one copy: `root/dir/.../name`.
        let dir = &found.dir;
        let mut path =
            String::with_capacity(self.root.len() + dir.relative_len + found.name.len() + 2);
        path.push_str(&self.root);
        if !self.root.is_empty() && !self.root.ends_with('/') {
            path.push('/');
        }
        let relative_start = path.len();
        dir.write_relative(&mut path);
        if dir.relative_len > 0 {
            path.push('/');
        }
        let name_start = path.len();
        path.push_str(&found.name);
        WalkEntry {
            path,
            relative_start,
            name_start,
            kind: found.kind,
            size: found.size,
            modified: found.modified,
            depth: found.dir.depth + 1,
        }
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

/// Why `name` cannot be one local path component, if it cannot.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("empty")
    } else if name.contains('/') {
        Some("holds '/'")
    } else if name.contains('\\') {
        Some("holds '\\'")
    } else if name.contains(char::is_control) {
        Some("holds a control character")
    } else {
        None
    }
}
