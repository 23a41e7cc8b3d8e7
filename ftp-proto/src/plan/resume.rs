//! Resume plans for downloads (REST) and uploads (SIZE, then APPE), and the size check after
//! a transfer.

use std::fmt;

/// What is known about a remote file's size. A SIZE answer that is not `213` (a `250 1000`,
/// a `500`, a `550`), and no MLST `size` fact either, is [`RemoteSize::Unknown`]: the size is
/// only a help, so a transfer goes on without it and says what it skipped ([`Note`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RemoteSize {
    /// The server said (SIZE `213`, or the MLST `size` fact).
    Known(u64),
    /// The server would not say.
    Unknown,
}

impl RemoteSize {
    /// The size, if known.
    pub fn known(self) -> Option<u64> {
        match self {
            RemoteSize::Known(n) => Some(n),
            RemoteSize::Unknown => None,
        }
    }
}

impl From<Option<u64>> for RemoteSize {
    fn from(size: Option<u64>) -> Self {
        size.map_or(RemoteSize::Unknown, RemoteSize::Known)
    }
}

/// Something a plan decided that the user should be told about (the command-line client prints
/// these with `-v`). Nothing went wrong: the transfer went on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Note {
    /// The remote size is unknown: the size check after the transfer was skipped.
    SizeCheckSkipped,
    /// A download was asked to resume after `offset` bytes, but the remote size is unknown,
    /// so a server that ignored REST could not be told from one that honoured it: the whole
    /// file is fetched again instead of appending it after the local prefix.
    ResumeRestarted {
        /// The local bytes not reused.
        offset: u64,
    },
    /// An upload was asked to resume, but the remote size is unknown (no such file, or SIZE
    /// refused): the whole file is sent with STOR.
    UploadSentWhole,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::SizeCheckSkipped => {
                f.write_str("the server did not tell the remote size: size check skipped")
            }
            Note::ResumeRestarted { offset } => write!(
                f,
                "the server did not tell the remote size, so a resumed download could not be checked: \
                 downloading the whole file again instead of continuing after {offset} bytes"
            ),
            Note::UploadSentWhole => f.write_str(
                "the server did not tell the remote size (no such file, or SIZE refused): sending the whole file",
            ),
        }
    }
}

/// Why a resume plan refused to go on. The local partial file is kept as it was before the
/// transfer (truncated back to [`DownloadPlan::offset`] for [`ResumeError::TooMuchData`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResumeError {
    /// The local partial file is longer than the remote file: it is not a prefix of it.
    #[error(
        "cannot resume: the local file ({local} bytes) is larger than the remote file ({remote} bytes)"
    )]
    LocalLonger {
        /// The local length.
        local: u64,
        /// The remote size.
        remote: u64,
    },
    /// The remote file is longer than the local file an upload would resume.
    #[error(
        "cannot resume: the remote file ({remote} bytes) is larger than the local file ({local} bytes)"
    )]
    RemoteLonger {
        /// The remote size.
        remote: u64,
        /// The local length.
        local: u64,
    },
    /// A download sent more than the remote file holds after the offset: with REST, the
    /// server ignored it and is sending the whole file.
    #[error(
        "the server sent more than the {expected} bytes expected after offset {offset}{}: stopped",
        if *offset > 0 { " (it ignored REST)" } else { "" }
    )]
    TooMuchData {
        /// Where the download started.
        offset: u64,
        /// The bytes expected from there.
        expected: u64,
    },
    /// The size after the transfer is not the size expected.
    #[error("size check failed: {actual} bytes after the transfer, {expected} expected")]
    SizeMismatch {
        /// What the remote size (download) or the local length (upload) said.
        expected: u64,
        /// What there is.
        actual: u64,
    },
    /// The local file changed length while it was uploaded.
    #[error("the local file changed during the upload: {before} bytes before, {sent} sent")]
    LocalChanged {
        /// Its length before.
        before: u64,
        /// The offset plus the bytes sent.
        sent: u64,
    },
}

/// The result of the size check after a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeCheck {
    /// The sizes agree: this many bytes.
    Matched(u64),
    /// No size to check against ([`Note::SizeCheckSkipped`] was noted).
    Skipped,
}

/// How to download a file into a local partial file, possibly continuing it, and how to check
/// the result.
///
/// The adapter asks the remote size (SIZE under TYPE I, else the MLST `size` fact), measures
/// the local partial file, and builds the plan. Then: if [`is_complete`](Self::is_complete),
/// nothing is to be fetched; else it truncates the partial file to [`offset`](Self::offset),
/// sends `REST` with [`rest`](Self::rest) and `RETR`, tells [`handle_announced`](Self::handle_announced)
/// the size a `150` announced, tells [`handle_data`](Self::handle_data) each block before
/// writing it (an error there means: stop, abort, truncate back to `offset`), and ends with
/// [`finish`](Self::finish).
///
/// With `--continue` and an unknown remote size the plan does not resume: a server that
/// ignores REST would send the whole file to be appended after the local prefix, and nothing
/// could tell (vsftpd announces the whole size after REST, proftpd the rest). With a known
/// size, a server ignoring REST is caught by the byte count before the excess is written.
///
/// ```
/// use ftp_proto::plan::{DownloadPlan, RemoteSize, ResumeError, SizeCheck};
///
/// // 400 of 1000 bytes are here: REST 400.
/// let mut plan = DownloadPlan::new(400, RemoteSize::Known(1000), true).unwrap();
/// assert_eq!(plan.rest(), Some(400));
/// plan.handle_data(600).unwrap();
/// assert_eq!(plan.finish(), Ok(SizeCheck::Matched(1000)));
///
/// // The server ignored REST and sends all 1000 bytes again: caught at byte 601.
/// let mut plan = DownloadPlan::new(400, RemoteSize::Known(1000), true).unwrap();
/// plan.handle_data(600).unwrap();
/// assert!(matches!(plan.handle_data(1), Err(ResumeError::TooMuchData { .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadPlan {
    offset: u64,
    total: Option<u64>,
    received: u64,
    complete: bool,
    notes: Vec<Note>,
}

impl DownloadPlan {
    /// A plan for a download whose local partial file holds `partial` bytes (0 if there is
    /// none), `remote` being the remote size, continued from the partial file when `resume`.
    pub fn new(partial: u64, remote: RemoteSize, resume: bool) -> Result<Self, ResumeError> {
        let mut plan = DownloadPlan {
            offset: 0,
            total: remote.known(),
            received: 0,
            complete: false,
            notes: Vec::new(),
        };
        if !resume || partial == 0 {
            return Ok(plan);
        }
        match remote {
            RemoteSize::Known(size) if partial > size => {
                return Err(ResumeError::LocalLonger {
                    local: partial,
                    remote: size,
                });
            }
            RemoteSize::Known(size) => {
                plan.offset = partial;
                plan.complete = partial == size;
            }
            RemoteSize::Unknown => plan.notes.push(Note::ResumeRestarted { offset: partial }),
        }
        Ok(plan)
    }

    /// Whether the local partial file already holds the whole remote file.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Where writing starts in the local partial file (truncate it to this length).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The REST offset to send, if any.
    pub fn rest(&self) -> Option<u64> {
        (self.offset > 0).then_some(self.offset)
    }

    /// The whole file's size, when known: for progress.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The size a `150` reply announced, if any. Without REST, when the remote size was
    /// unknown, the announced size becomes the size to check against (it is the whole file);
    /// after REST servers differ in what they announce, so it is not used.
    pub fn handle_announced(&mut self, announced: Option<u64>) {
        if self.total.is_none() && self.offset == 0 {
            self.total = announced;
        }
    }

    /// `n` more bytes arrived; call before writing them. An error means the server sent more
    /// than the file holds after the offset: stop and truncate the partial file back to
    /// [`offset`](Self::offset).
    pub fn handle_data(&mut self, n: u64) -> Result<(), ResumeError> {
        self.received = self.received.saturating_add(n);
        match self.total {
            Some(total) if self.offset.saturating_add(self.received) > total => {
                Err(ResumeError::TooMuchData {
                    offset: self.offset,
                    expected: total - self.offset,
                })
            }
            _ => Ok(()),
        }
    }

    /// The transfer ended (final reply positive): the size check.
    pub fn finish(&mut self) -> Result<SizeCheck, ResumeError> {
        let actual = self.offset.saturating_add(self.received);
        match self.total {
            Some(expected) if expected == actual => Ok(SizeCheck::Matched(actual)),
            Some(expected) => Err(ResumeError::SizeMismatch { expected, actual }),
            None => {
                if !self.notes.contains(&Note::SizeCheckSkipped) {
                    self.notes.push(Note::SizeCheckSkipped);
                }
                Ok(SizeCheck::Skipped)
            }
        }
    }

    /// What the plan decided that the user should hear about.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }
}

/// Which command stores an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UploadCommand {
    /// `STOR`: the whole file.
    Stor,
    /// `APPE`: the rest of the file, after what the server has.
    Appe,
}

/// How to upload a local file, possibly continuing a remote partial file with APPE, and how
/// to check the result.
///
/// Without resume: [`UploadPlan::new`], STOR from 0. With resume: ask the remote size (SIZE
/// under TYPE I, else MLST) and build [`UploadPlan::resume`]; then, unless
/// [`is_complete`](Self::is_complete), seek the local file to [`offset`](Self::offset), send
/// [`command`](Self::command), check the count with [`check_sent`](Self::check_sent), ask the
/// remote size again and [`finish`](Self::finish).
///
/// ```
/// use ftp_proto::plan::{RemoteSize, SizeCheck, UploadCommand, UploadPlan};
/// let mut plan = UploadPlan::resume(1000, RemoteSize::Known(300)).unwrap();
/// assert_eq!((plan.command(), plan.offset()), (UploadCommand::Appe, 300));
/// plan.check_sent(700).unwrap();
/// // A server that answers SIZE with `250 1000` after the upload: the check is skipped.
/// assert_eq!(plan.finish(RemoteSize::Unknown), Ok(SizeCheck::Skipped));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadPlan {
    length: u64,
    offset: u64,
    resume: bool,
    notes: Vec<Note>,
}

impl UploadPlan {
    /// A whole upload (STOR) of a local file of `length` bytes.
    pub fn new(length: u64) -> Self {
        UploadPlan {
            length,
            offset: 0,
            resume: false,
            notes: Vec::new(),
        }
    }

    /// A resumed upload of a local file of `length` bytes, the remote file being `remote`
    /// bytes long: APPE from there; an unknown remote size sends the whole file.
    pub fn resume(length: u64, remote: RemoteSize) -> Result<Self, ResumeError> {
        let mut plan = UploadPlan {
            length,
            offset: 0,
            resume: true,
            notes: Vec::new(),
        };
        match remote {
            RemoteSize::Known(size) if size > length => {
                return Err(ResumeError::RemoteLonger {
                    remote: size,
                    local: length,
                });
            }
            RemoteSize::Known(size) => plan.offset = size,
            RemoteSize::Unknown => plan.notes.push(Note::UploadSentWhole),
        }
        Ok(plan)
    }

    /// Whether the remote file already holds the whole local file (a resume with nothing to
    /// send).
    pub fn is_complete(&self) -> bool {
        self.resume && self.offset > 0 && self.offset == self.length
    }

    /// Where to start reading the local file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The local file's length: for progress.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// STOR from the start, or APPE after what the server has.
    pub fn command(&self) -> UploadCommand {
        if self.offset > 0 {
            UploadCommand::Appe
        } else {
            UploadCommand::Stor
        }
    }

    /// The upload sent `sent` bytes from the offset: an error when the local file changed
    /// length meanwhile.
    pub fn check_sent(&self, sent: u64) -> Result<(), ResumeError> {
        let total = self.offset.saturating_add(sent);
        if total == self.length {
            Ok(())
        } else {
            Err(ResumeError::LocalChanged {
                before: self.length,
                sent: total,
            })
        }
    }

    /// The remote size after the upload: the size check.
    pub fn finish(&mut self, remote: RemoteSize) -> Result<SizeCheck, ResumeError> {
        match remote {
            RemoteSize::Known(size) if size == self.length => Ok(SizeCheck::Matched(size)),
            RemoteSize::Known(size) => Err(ResumeError::SizeMismatch {
                expected: self.length,
                actual: size,
            }),
            RemoteSize::Unknown => {
                self.notes.push(Note::SizeCheckSkipped);
                Ok(SizeCheck::Skipped)
            }
        }
    }

    /// What the plan decided that the user should hear about.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }
}
