//! A recursive walk of a remote tree ([`Ftp::walk`], the building block of mirroring) and one
//! directory's listing with the session's listing choice ([`Ftp::list_dir`]). Both carry out
//! the decisions of the core's planners ([`ftp_proto::plan`]); nothing here decides.

use std::io;
use std::time::SystemTime;

use ftp_proto::Timestamp;
use ftp_proto::listing::{ListEntry, ListingError, MlsdEntry};
use ftp_proto::plan::{
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_ENTRIES_PER_DIR, Listed, ListingChoice, ListingCommand,
    WalkError, WalkLimits, WalkPlanner, WalkStep,
};

use crate::error::{Error, Result};
use crate::ftp::Ftp;

pub use ftp_proto::plan::WalkEntry;

/// The depth limit of [`Walk`] unless [`Walk::limits`] says otherwise: 64 levels.
pub const DEFAULT_WALK_DEPTH: usize = DEFAULT_MAX_DEPTH;

/// The most entries [`Walk`] reads from one directory unless [`Walk::max_entries_per_dir`]
/// says otherwise: 1,000,000.
pub const DEFAULT_WALK_DIR_ENTRIES: usize = DEFAULT_MAX_ENTRIES_PER_DIR;

/// One item of a directory listing, as [`Ftp::list_dir`] hands it to its callback.
#[derive(Debug)]
#[non_exhaustive]
pub enum DirItem<'e> {
    /// An MLSD entry.
    Mlsd(&'e MlsdEntry),
    /// A LIST entry (possibly [`ListEntry::Unparsed`]).
    List(&'e ListEntry),
    /// A line no parser could read (too long, malformed).
    Bad(&'e ListingError),
}

impl Ftp {
    /// Lists the directory `path` (empty: the working directory) with the command `choice`
    /// picks (MLSD when FEAT names MLST, else LIST; `LIST -a` when `dot_files`), falling back
    /// as it says when the server refuses before any entry (MLSD answered 500/502, `LIST -a`
    /// refused), and hands each item to `each`, which returns whether it wants more (`false`
    /// stops and aborts the listing). Returns the command that listed. Keep one
    /// [`ListingChoice`] per session so that a fallback is remembered.
    ///
    /// ```no_run
    /// use ftp_blocking::DirItem;
    /// use ftp_blocking::ftp_proto::plan::ListingChoice;
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// let mut choice = ListingChoice::new();
    /// let mut names = Vec::new();
    /// ftp.list_dir("pub", &mut choice, true, |item| {
    ///     match item {
    ///         DirItem::Mlsd(e) => names.push(e.name_lossy().into_owned()),
    ///         DirItem::List(e) => names.extend(e.name_lossy().map(|n| n.into_owned())),
    ///         _ => {}
    ///     }
    ///     Ok(true)
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn list_dir(
        &mut self,
        path: &str,
        choice: &mut ListingChoice,
        dot_files: bool,
        mut each: impl FnMut(DirItem<'_>) -> Result<bool>,
    ) -> Result<ListingCommand> {
        // A path must be a valid argument before anything is sent.
        if !path.is_empty() {
            self.arg(path)?;
        }
        if choice.needs_features() {
            let features = match self.feat() {
                Ok(features) => Some(features),
                Err(Error::Temporary(_) | Error::Permanent(_) | Error::UnexpectedReply(_)) => None,
                Err(e) => return Err(e),
            };
            choice.handle_features(features.as_ref());
        }
        let mut command = choice.command(path, dot_files);
        loop {
            let arg = command.argument(path).unwrap_or_default();
            let mut handed = false;
            let result = self.list_once(command, &arg, &mut |item| {
                handed = true;
                each(item)
            });
            match result {
                Err(e) if !handed => {
                    let refused = match &e {
                        Error::Temporary(reply) | Error::Permanent(reply) => Some(reply.code()),
                        _ => None,
                    };
                    match refused.and_then(|code| choice.handle_refused(command, code)) {
                        Some(next) => command = next,
                        None => return Err(e),
                    }
                }
                Err(e) => return Err(e),
                Ok(()) => {
                    choice.handle_listed(command);
                    return Ok(command);
                }
            }
        }
    }

    /// [`list_dir`](Ftp::list_dir) with the session's own [`ListingChoice`] (the one
    /// [`walk`](Ftp::walk) uses), so that a fallback learnt once holds for the session.
    ///
    /// ```no_run
    /// use ftp_blocking::DirItem;
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// let mut count = 0;
    /// ftp.list_dir_in_session("pub", false, |_| {
    ///     count += 1;
    ///     Ok(true)
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn list_dir_in_session(
        &mut self,
        path: &str,
        dot_files: bool,
        each: impl FnMut(DirItem<'_>) -> Result<bool>,
    ) -> Result<ListingCommand> {
        let mut choice = std::mem::take(&mut self.listing);
        let result = self.list_dir(path, &mut choice, dot_files, each);
        self.listing = choice;
        result
    }

    /// Runs one listing command to its end (or until `each` says stop).
    fn list_once(
        &mut self,
        command: ListingCommand,
        arg: &str,
        each: &mut dyn FnMut(DirItem<'_>) -> Result<bool>,
    ) -> Result<()> {
        if command.is_mlsd() {
            feed(self.mlsd(arg, &[])?, |e| DirItem::Mlsd(e), each)
        } else {
            feed(self.list(arg)?, |e| DirItem::List(e), each)
        }
    }
}

/// Hands each entry of a listing to `each` (lines no parser could read as [`DirItem::Bad`])
/// until it ends, fails, or `each` says stop (dropping the listing aborts it).
fn feed<T>(
    entries: impl Iterator<Item = Result<T>>,
    wrap: fn(&T) -> DirItem<'_>,
    each: &mut dyn FnMut(DirItem<'_>) -> Result<bool>,
) -> Result<()> {
    for entry in entries {
        let more = match &entry {
            Ok(e) => each(wrap(e))?,
            Err(Error::Protocol(ftp_proto::ProtocolError::Listing(bad))) => {
                each(DirItem::Bad(bad))?
            }
            Err(_) => return entry.map(drop),
        };
        if !more {
            break;
        }
    }
    Ok(())
}

/// A depth-first walk of a remote tree ([`Ftp::walk`]); an [`Iterator`] of
/// `Result<WalkEntry>`, driven by the core's [`WalkPlanner`].
///
/// Each directory is listed with MLSD, or with `LIST -a` (dot files included; plain `LIST`
/// where a server refuses `-a`) when the server does not list MLST in its FEAT reply or
/// answers MLSD with 500 or 502 ([`ListingChoice`]). A directory is yielded before its
/// contents; each listing is read whole (bounded by the limits) and handed out before the next
/// directory is listed, so that the session is free between two entries. `.` and `..` are
/// skipped, symbolic links are yielded but never followed, and loops are caught (a directory
/// whose MLSD `unique` fact repeats an ancestor's, or whose listing repeats an ancestor's).
///
/// Memory and time are bounded by [`WalkLimits`] (depth, name and path length, entries per
/// directory and per walk, bytes held), settable with [`limits`](Walk::limits).
///
/// Names are decoded with the session's [`Encoding`](crate::Encoding); with UTF-8 (the
/// default) a name that is not valid UTF-8 comes out with U+FFFD in it and cannot be sent back,
/// so walk such a server with [`Encoding::Latin1`](crate::Encoding::Latin1), under which every
/// name round-trips.
///
/// What the walk refuses is an `Err` item, and the walk goes on with the next entry: a
/// directory that cannot be listed (the server's error), and a [`WalkError`] (an unsafe name,
/// a name listed twice, a loop, a limit), carried as an [`Error::Io`] of kind `InvalidData`
/// whose inner error is the [`WalkError`]. After an error that ends the session (the
/// connection, a timeout) or a limit that ends the walk, the walk ends.
///
/// ```no_run
/// use ftp_blocking::ftp_proto::plan::WalkError;
/// # fn main() -> ftp_blocking::Result<()> {
/// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
/// ftp.login("anonymous", "", "")?;
/// for entry in ftp.walk("pub")?.max_depth(3) {
///     match entry {
///         Ok(entry) => println!("{} {:?} {:?}", entry.path(), entry.kind(), entry.size()),
///         Err(ftp_blocking::Error::Io(e)) if e.get_ref().is_some_and(|e| e.is::<WalkError>()) => {
///             eprintln!("skipped: {e}")
///         }
///         Err(e) => return Err(e),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Walk<'a> {
    ftp: &'a mut Ftp,
    root: String,
    limits: WalkLimits,
    descend: usize,
    fold_case: bool,
    planner: Option<WalkPlanner>,
    finished: bool,
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
        // The session's choice: a fallback learnt by one walk holds for the next.
        if self.listing.needs_features() {
            match self.feat() {
                Ok(features) => self.listing.handle_features(Some(&features)),
                Err(Error::Temporary(_) | Error::Permanent(_) | Error::UnexpectedReply(_)) => {
                    self.listing.handle_features(None)
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Walk {
            ftp: self,
            root: remote.to_owned(),
            limits: WalkLimits::default(),
            descend: usize::MAX,
            fold_case: false,
            planner: None,
            finished: false,
            now: Timestamp::from_system_time(SystemTime::now()),
        })
    }
}

impl Walk<'_> {
    /// Descends at most `depth` levels below the root (1: the root's entries only), without
    /// reporting it (unlike [`WalkLimits::max_depth`], a safety bound that is reported).
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
        self.descend = depth;
        self
    }

    /// Reads at most `entries` entries of one directory; the rest is refused (an `Err` item
    /// naming the limit) and the walk goes on. Shorthand for the field of [`WalkLimits`].
    #[must_use]
    pub fn max_entries_per_dir(mut self, entries: usize) -> Self {
        self.limits.max_entries_per_dir = entries;
        self
    }

    /// Refuses a second name of one directory that differs from another only in case (see
    /// [`WalkPlanner::fold_case`]): for mirroring onto a file system that ignores case.
    #[must_use]
    pub fn fold_case(mut self, fold: bool) -> Self {
        self.fold_case = fold;
        self
    }

    /// Sets every bound of the walk (before the first entry).
    ///
    /// ```no_run
    /// use ftp_blocking::ftp_proto::plan::WalkLimits;
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// let limits = WalkLimits { max_entries: 100_000, max_depth: 16, ..WalkLimits::default() };
    /// let n = ftp.walk("pub")?.limits(limits).count();
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn limits(mut self, limits: WalkLimits) -> Self {
        self.limits = limits;
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
        self.ftp.listing.uses_mlsd()
    }

    fn step(&mut self) -> Option<Result<WalkEntry>> {
        let Walk {
            ftp,
            root,
            limits,
            descend,
            fold_case,
            planner,
            now,
            ..
        } = self;
        let planner = planner.get_or_insert_with(|| {
            let mut p = WalkPlanner::new(root, *limits);
            p.descend_at_most(*descend);
            p.fold_case(*fold_case);
            p
        });
        loop {
            match planner.next_step() {
                WalkStep::Entry(entry) => return Some(Ok(entry)),
                WalkStep::Error(e) => {
                    if e.ends_walk() {
                        self.finished = true;
                    }
                    return Some(Err(walk_error(e)));
                }
                WalkStep::Done => return None,
                // Every listing is fed whole below, so this does not happen; closing it keeps
                // the walk going if it ever did.
                WalkStep::Listing => planner.handle_listing_end(),
                WalkStep::List(dir) => {
                    let encoding = ftp.encoding();
                    let now = *now;
                    let listed = ftp.list_dir_in_session(dir.path(), true, |item| {
                        Ok(match item {
                            DirItem::Mlsd(e) => {
                                let name = encoding.decode(e.name());
                                match Listed::from_mlsd(e, &name) {
                                    Some(listed) => planner.handle_listed(listed),
                                    None => planner.handle_skipped(),
                                }
                            }
                            DirItem::List(e) => {
                                let name = e.name().map(|n| encoding.decode(n));
                                match name.as_deref().and_then(|n| Listed::from_list(e, n, now)) {
                                    Some(listed) => planner.handle_listed(listed),
                                    // A line that no parser reads is skipped (`ls` shows it),
                                    // but counted against the limits.
                                    None => planner.handle_skipped(),
                                }
                            }
                            DirItem::Bad(e) => planner.handle_bad_line(e.clone()),
                        })
                    });
                    match listed {
                        Ok(_) => planner.handle_listing_end(),
                        Err(e) => {
                            planner.handle_listing_failed();
                            if ends_session(&e) {
                                self.finished = true;
                            }
                            return Some(Err(e));
                        }
                    }
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

/// A planner's refusal as this crate's error: I/O kind `InvalidData`, the [`WalkError`]
/// inside.
fn walk_error(e: WalkError) -> Error {
    Error::Io(io::Error::new(io::ErrorKind::InvalidData, e))
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
