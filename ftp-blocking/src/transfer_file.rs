//! One-call file transfers with resume and progress: [`Ftp::download_file`] and
//! [`Ftp::upload_file`]. The decisions (REST offset, STOR or APPE, the size checks, what an
//! unknown size means) are the core's resume plans ([`ftp_proto::plan`]); this module does the
//! file and socket work, and keeps local files safe.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ftp_proto::plan::{DownloadPlan, Note, RemoteSize, ResumeError, UploadCommand, UploadPlan};

use crate::error::{Error, Result, into_ftp_error};
use crate::ftp::Ftp;

/// What [`partial_path`] adds to a local file name: `big.iso` downloads into
/// `big.iso.ftp-part`, renamed to `big.iso` once complete.
pub const PARTIAL_SUFFIX: &str = ".ftp-part";

/// The buffer [`Ftp::download_file`] and [`Ftp::upload_file`] move data through unless
/// [`TransferOptions::buffer_size`] says otherwise: 256 KiB.
pub const DEFAULT_FILE_BUFFER: usize = 256 * 1024;

/// How far a file transfer has come, as handed to a [`TransferOptions::progress`] callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Where this transfer started in the file: 0, or the resume offset.
    pub offset: u64,
    /// Bytes moved by this call so far.
    pub transferred: u64,
    /// The whole file's size, when known (the server's SIZE for a download, the local file's
    /// length for an upload).
    pub total: Option<u64>,
}

impl Progress {
    /// The position in the file: `offset + transferred`.
    ///
    /// ```
    /// # use ftp_blocking::Progress;
    /// fn percent(p: &Progress) -> Option<u64> {
    ///     p.total.filter(|&t| t > 0).map(|t| p.position() * 100 / t)
    /// }
    /// ```
    pub fn position(&self) -> u64 {
        self.offset + self.transferred
    }
}

/// A progress callback as [`TransferOptions`] holds it.
type ProgressCallback<'a> = Box<dyn FnMut(&Progress) + 'a>;
/// A note callback as [`TransferOptions`] holds it.
type NoteCallback<'a> = Box<dyn FnMut(&Note) + 'a>;

/// Options for [`Ftp::download_file`] and [`Ftp::upload_file`].
///
/// ```
/// use ftp_blocking::TransferOptions;
/// let opts = TransferOptions::new()
///     .resume(true)
///     .progress(|p| eprintln!("{} bytes", p.position()));
/// ```
#[must_use]
pub struct TransferOptions<'a> {
    resume: bool,
    progress: Option<ProgressCallback<'a>>,
    note: Option<NoteCallback<'a>>,
    buffer_size: usize,
}

impl Default for TransferOptions<'_> {
    fn default() -> Self {
        TransferOptions {
            resume: false,
            progress: None,
            note: None,
            buffer_size: DEFAULT_FILE_BUFFER,
        }
    }
}

impl fmt::Debug for TransferOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferOptions")
            .field("resume", &self.resume)
            .field(
                "progress",
                &self.progress.as_ref().map(|_| "FnMut(&Progress)"),
            )
            .field("note", &self.note.as_ref().map(|_| "FnMut(&Note)"))
            .field("buffer_size", &self.buffer_size)
            .finish()
    }
}

impl<'a> TransferOptions<'a> {
    /// No resume, no progress callback, a [`DEFAULT_FILE_BUFFER`] buffer.
    ///
    /// ```
    /// let opts = ftp_blocking::TransferOptions::new().buffer_size(1 << 20);
    /// ```
    pub fn new() -> Self {
        TransferOptions::default()
    }

    /// Resume an interrupted transfer: a download continues its partial file (see
    /// [`Ftp::download_file`]) with REST, an upload from the remote file's size (SIZE, then
    /// APPE). Where the remote size is unknown, a download starts over and an upload is sent
    /// whole (a [`Note`] says so).
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// A callback run after every block moved (and once at the start). Without one, plain-TCP
    /// transfers use kernel zero-copy (`splice` down, `sendfile` up), which reports no progress;
    /// with one, data moves through the buffer.
    pub fn progress(mut self, callback: impl FnMut(&Progress) + 'a) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// A callback for what the transfer decided that the user should hear about ([`Note`]):
    /// a size check skipped because the server would not tell the size, a resume that started
    /// over. The command-line client prints these with `-v`.
    ///
    /// ```
    /// let opts = ftp_blocking::TransferOptions::new().on_note(|n| eprintln!("note: {n}"));
    /// ```
    pub fn on_note(mut self, callback: impl FnMut(&Note) + 'a) -> Self {
        self.note = Some(Box::new(callback));
        self
    }

    /// The size of the buffer data moves through (at least 1 byte).
    pub fn buffer_size(mut self, bytes: usize) -> Self {
        self.buffer_size = bytes.max(1);
        self
    }

    fn report(&mut self, progress: &Progress) {
        if let Some(callback) = self.progress.as_mut() {
            callback(progress);
        }
    }

    fn tell(&mut self, notes: &[Note], told: &mut usize) {
        if let Some(callback) = self.note.as_mut() {
            for note in &notes[*told..] {
                callback(note);
            }
        }
        *told = notes.len();
    }
}

/// Where [`Ftp::download_file`] downloads `local` before renaming it into place: the same
/// directory, the name with [`PARTIAL_SUFFIX`] added (`dir/big.iso` -> `dir/big.iso.ftp-part`).
/// A failed or interrupted download leaves its bytes there, and a resumed download continues
/// that file. `None` when `local` has no file name (`/`, `..`).
///
/// ```
/// use std::path::Path;
/// assert_eq!(
///     ftp_blocking::partial_path(Path::new("dl/big.iso")).unwrap(),
///     Path::new("dl/big.iso.ftp-part")
/// );
/// ```
pub fn partial_path(local: &Path) -> Option<PathBuf> {
    let name = local.file_name()?;
    let mut part = OsString::from(name);
    part.push(PARTIAL_SUFFIX);
    Some(local.with_file_name(part))
}

/// An error about the local side or a size that does not match: kept as an I/O error of kind
/// `InvalidData` with a message that says which file.
fn mismatch(message: String) -> Error {
    Error::Io(io::Error::new(io::ErrorKind::InvalidData, message))
}

fn plan_error(file: &str, e: ResumeError) -> Error {
    mismatch(format!("{file}: {e}"))
}

/// One read from a download, retrying interrupted reads; 0 at the end of the data.
fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    loop {
        match reader.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(into_ftp_error(e)),
        }
    }
}

fn local_error(what: &str, path: &Path, e: io::Error) -> Error {
    Error::Io(io::Error::new(
        e.kind(),
        format!("{what} {}: {e}", path.display()),
    ))
}

/// The length of `path` if it is a regular file itself (a symbolic link is not), else `None`.
fn regular_len(path: &Path) -> Result<Option<u64>> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(local_error("cannot read", path, e)),
    }
}

/// Removes the file at `path` if there is one (a symbolic link itself, never its target).
fn remove_if_any(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Where the bytes already downloaded are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prefix {
    /// Nowhere: start at 0.
    None,
    /// In the partial file.
    Part,
    /// In the local file itself (a partial file left by an older version, or by another tool):
    /// copied into the partial file before it grows, so that the local file stays as it is if
    /// this download fails.
    Local,
}

/// Opens the partial file `part` for writing at `offset`: a fresh file (never through a link
/// planted at its name), or the prefix cut to `offset`.
fn open_partial(part: &Path, local: &Path, prefix: Prefix, offset: u64) -> io::Result<File> {
    let mut file = if offset == 0 || prefix == Prefix::None {
        remove_if_any(part)?;
        // create_new refuses to follow a link at `part`.
        OpenOptions::new().write(true).create_new(true).open(part)?
    } else {
        if prefix == Prefix::Local {
            remove_if_any(part)?;
            let mut from = File::open(local)?;
            let mut to = OpenOptions::new().write(true).create_new(true).open(part)?;
            io::copy(&mut (&mut from).take(offset), &mut to)?;
        }
        OpenOptions::new().write(true).open(part)?
    };
    file.set_len(offset)?;
    file.seek(SeekFrom::Start(offset))?;
    Ok(file)
}

impl Ftp {
    /// The size of a remote file for a transfer that only uses it as a help: SIZE, else the
    /// MLST `size` fact; [`RemoteSize::Unknown`] when the server will not say (any refusal,
    /// and a SIZE answer other than `213`, such as `250 1000`). Connection failures are errors.
    fn remote_size(&mut self, remote: &str) -> Result<RemoteSize> {
        match self.size(remote) {
            Ok(Some(size)) => return Ok(RemoteSize::Known(size)),
            Ok(None) => {}
            Err(
                Error::Temporary(_)
                | Error::Permanent(_)
                | Error::UnexpectedReply(_)
                | Error::Protocol(_),
            ) => {}
            Err(e) => return Err(e),
        }
        // Some servers (proftpd) refuse SIZE in ASCII mode; MLST works in any mode.
        match self.mlst(remote) {
            Ok(entry) => Ok(entry.facts().size().into()),
            Err(
                Error::Temporary(_)
                | Error::Permanent(_)
                | Error::UnexpectedReply(_)
                | Error::Protocol(_),
            ) => Ok(RemoteSize::Unknown),
            Err(e) => Err(e),
        }
    }

    /// Downloads the remote file `remote` into the local file `local` in binary mode and
    /// returns the number of bytes this call received.
    ///
    /// The bytes go to a partial file beside `local` ([`partial_path`]: `local` plus
    /// [`PARTIAL_SUFFIX`]), which is renamed onto `local` only once the download is complete
    /// and its size checked: a failed or interrupted download never touches an existing
    /// `local`, and a symbolic link at `local` is replaced, never followed. The partial file
    /// is kept after a failure.
    ///
    /// With [`TransferOptions::resume`], the download continues the partial file (or, if
    /// there is none, a copy of `local` taken as the prefix) with REST. When the server tells
    /// the file's size (SIZE, else the MLST `size` fact), a prefix longer than the file is
    /// refused, a complete one fetches nothing, and a server that ignores REST is caught before
    /// the excess is written. When it does not tell, the download starts over (a [`Note`] says
    /// so), since nothing could tell a server that ignored REST from one that honoured it.
    ///
    /// The size check afterwards uses the server's size, or the size a `150` announced; a
    /// mismatch is an [`Error::Io`] of kind `InvalidData` (the partial file is kept, `local`
    /// untouched). Without any size the check is skipped ([`Note::SizeCheckSkipped`]).
    ///
    /// ```no_run
    /// use ftp_blocking::{Ftp, TransferOptions};
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// let opts = TransferOptions::new()
    ///     .resume(true)
    ///     .progress(|p| eprint!("\r{} / {:?}", p.position(), p.total));
    /// let received = ftp.download_file("pub/big.iso", "big.iso".as_ref(), opts)?;
    /// # Ok(()) }
    /// ```
    pub fn download_file(
        &mut self,
        remote: &str,
        local: &Path,
        mut opts: TransferOptions<'_>,
    ) -> Result<u64> {
        let Some(part) = partial_path(local) else {
            return Err(mismatch(format!(
                "cannot download to {}: not a file name",
                local.display()
            )));
        };
        let (prefix, prefix_len) = if opts.resume {
            match regular_len(&part)? {
                Some(n) => (Prefix::Part, n),
                None => match fs::metadata(local) {
                    Ok(meta) if meta.is_file() => (Prefix::Local, meta.len()),
                    Ok(_) => (Prefix::None, 0),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => (Prefix::None, 0),
                    Err(e) => return Err(local_error("cannot read", local, e)),
                },
            }
        } else {
            (Prefix::None, 0)
        };
        let size = self.remote_size(remote)?;
        let mut plan = DownloadPlan::new(prefix_len, size, opts.resume)
            .map_err(|e| plan_error(&format!("{} from {remote}", local.display()), e))?;
        let mut told = 0;
        opts.tell(plan.notes(), &mut told);
        let offset = plan.offset();
        let mut progress = Progress {
            offset,
            transferred: 0,
            total: plan.total(),
        };
        opts.report(&progress);
        if plan.is_complete() {
            if prefix == Prefix::Part {
                fs::rename(&part, local).map_err(|e| local_error("cannot rename", &part, e))?;
            }
            return Ok(0);
        }
        let mut buf = vec![0u8; opts.buffer_size];
        // The partial file is opened only once the server has taken RETR, so that a refused
        // download leaves no file behind.
        let arg = self.arg(remote)?;
        let mut reader = self.retr_expecting(arg, plan.rest(), plan.total())?;
        plan.handle_announced(reader.announced_size());
        progress.total = plan.total();
        // A refusal may surface only at the first read (the final reply can come after the
        // data connection opened): read before opening the file, and for an empty download
        // wait for the final reply first.
        let mut pending = read_some(&mut reader, &mut buf)?;
        let reader = if pending == 0 {
            reader.finish()?;
            None
        } else {
            Some(reader)
        };
        let mut file = match open_partial(&part, local, prefix, offset) {
            Ok(file) => file,
            Err(e) => {
                if let Some(reader) = reader {
                    drop(reader.abort());
                }
                return Err(local_error("cannot open", &part, e));
            }
        };
        // Too much data (REST ignored): cut the partial file back to where it was.
        let too_much = |file: &File, e: ResumeError| {
            let _ = file.set_len(offset);
            plan_error(remote, e)
        };
        if let Some(mut reader) = reader {
            if let Err(e) = plan.handle_data(pending as u64) {
                drop(reader.abort());
                return Err(too_much(&file, e));
            }
            file.write_all(&buf[..pending])
                .map_err(|e| local_error("cannot write", &part, e))?;
            progress.transferred += pending as u64;
            opts.report(&progress);
            // Without a progress callback, the rest goes with kernel zero-copy (splice) where
            // the data connection is plain TCP; whatever that path leaves (a TLS connection)
            // goes through the buffer below. Zero-copy writes before it can be checked, so too
            // much data is cut off afterwards.
            if opts.progress.is_none() {
                let n = reader.copy_to_file(&mut file)?;
                progress.transferred += n;
                if let Err(e) = plan.handle_data(n) {
                    drop(reader.abort());
                    return Err(too_much(&file, e));
                }
            }
            pending = read_some(&mut reader, &mut buf)?;
            while pending > 0 {
                if let Err(e) = plan.handle_data(pending as u64) {
                    drop(reader.abort());
                    return Err(too_much(&file, e));
                }
                file.write_all(&buf[..pending])
                    .map_err(|e| local_error("cannot write", &part, e))?;
                progress.transferred += pending as u64;
                opts.report(&progress);
                pending = read_some(&mut reader, &mut buf)?;
            }
            reader.finish()?;
        }
        file.sync_data()
            .map_err(|e| local_error("cannot write", &part, e))?;
        drop(file);
        plan.finish().map_err(|e| {
            plan_error(
                &format!("{} (kept as {})", local.display(), part.display()),
                e,
            )
        })?;
        opts.tell(plan.notes(), &mut told);
        fs::rename(&part, local).map_err(|e| local_error("cannot rename", &part, e))?;
        Ok(progress.transferred)
    }

    /// Uploads the local file `local` to the remote file `remote` in binary mode and returns
    /// the number of bytes this call sent.
    ///
    /// With [`TransferOptions::resume`], the remote file's size is asked (SIZE, else the MLST
    /// `size` fact) and the rest of the local file is appended from that offset (APPE); when
    /// the server will not say (no such file, or SIZE refused), the whole file is sent with
    /// STOR. Without it, the remote file is written whole (STOR). Afterwards, when the server
    /// tells sizes, the remote size is checked against the local length; when it does not, the
    /// check is skipped ([`Note::SizeCheckSkipped`]).
    ///
    /// ```no_run
    /// use ftp_blocking::{Ftp, TransferOptions};
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("alice", "secret", "")?;
    /// ftp.upload_file("backup.tar".as_ref(), "incoming/backup.tar", TransferOptions::new().resume(true))?;
    /// # Ok(()) }
    /// ```
    pub fn upload_file(
        &mut self,
        local: &Path,
        remote: &str,
        mut opts: TransferOptions<'_>,
    ) -> Result<u64> {
        let mut file = File::open(local).map_err(|e| local_error("cannot open", local, e))?;
        let length = file
            .metadata()
            .map_err(|e| local_error("cannot read", local, e))?
            .len();
        let context = || format!("{} to {remote}", local.display());
        let mut plan = if opts.resume {
            let size = self.remote_size(remote)?;
            UploadPlan::resume(length, size).map_err(|e| plan_error(&context(), e))?
        } else {
            UploadPlan::new(length)
        };
        let mut told = 0;
        opts.tell(plan.notes(), &mut told);
        let offset = plan.offset();
        let mut progress = Progress {
            offset,
            transferred: 0,
            total: Some(length),
        };
        opts.report(&progress);
        if plan.is_complete() {
            return Ok(0);
        }
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| local_error("cannot seek in", local, e))?;
        let mut buf = vec![0u8; opts.buffer_size];
        let mut writer = match plan.command() {
            UploadCommand::Appe => self.appe(remote)?,
            UploadCommand::Stor => self.stor(remote)?,
        };
        // Without a progress callback, kernel zero-copy (sendfile) where the data connection
        // is plain TCP; whatever that path leaves (a TLS connection) goes through the buffer
        // below, from the file position it reached.
        if opts.progress.is_none() {
            progress.transferred += writer.copy_from_file(&mut file)?;
        }
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Leave the remote file as far as it got; a later resume continues it.
                    drop(writer.abort());
                    return Err(local_error("cannot read", local, e));
                }
            };
            writer.write_all(&buf[..n]).map_err(into_ftp_error)?;
            progress.transferred += n as u64;
            opts.report(&progress);
        }
        writer.finish()?;
        plan.check_sent(progress.transferred)
            .map_err(|e| plan_error(&context(), e))?;
        let after = self.remote_size(remote)?;
        plan.finish(after).map_err(|e| plan_error(&context(), e))?;
        opts.tell(plan.notes(), &mut told);
        Ok(progress.transferred)
    }
}
