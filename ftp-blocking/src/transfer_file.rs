//! One-call file transfers with resume and progress: [`Ftp::download_file`] and
//! [`Ftp::upload_file`].

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, Result, into_ftp_error};
use crate::ftp::Ftp;

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
    buffer_size: usize,
}

impl Default for TransferOptions<'_> {
    fn default() -> Self {
        TransferOptions {
            resume: false,
            progress: None,
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

    /// Resume an interrupted transfer: a download continues from the local file's length
    /// (REST), an upload from the remote file's size (SIZE, then APPE).
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
}

/// An error about the local side or a size that does not match: kept as an I/O error with a
/// message that says which file.
fn mismatch(message: String) -> Error {
    Error::Io(io::Error::new(io::ErrorKind::InvalidData, message))
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

impl Ftp {
    /// The size of a remote file, or `None` when the server will not say (SIZE refused with a
    /// 4xx/5xx, and no MLST size either). Connection failures are errors.
    fn remote_size(&mut self, remote: &str) -> Result<Option<u64>> {
        match self.size(remote) {
            Ok(Some(size)) => return Ok(Some(size)),
            Ok(None) => {}
            Err(Error::Temporary(_) | Error::Permanent(_) | Error::UnexpectedReply(_)) => {}
            Err(e) => return Err(e),
        }
        // Some servers (proftpd) refuse SIZE in ASCII mode; MLST works in any mode.
        match self.mlst(remote) {
            Ok(entry) => Ok(entry.facts().size()),
            Err(Error::Temporary(_) | Error::Permanent(_) | Error::UnexpectedReply(_)) => Ok(None),
            Err(Error::Protocol(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Downloads the remote file `remote` into the local file `local` in binary mode and
    /// returns the number of bytes this call received.
    ///
    /// With [`TransferOptions::resume`], an existing local file is continued from its length
    /// (REST); without it, the local file is created or truncated. A partial file is kept when
    /// the transfer fails, so that a later call can resume it. When the server tells the
    /// file's size (SIZE, else the MLST `size` fact), the local file's final length is checked
    /// against it, and a mismatch is an [`Error::Io`] of kind `InvalidData`.
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
        let mut total = self.remote_size(remote)?;
        let offset = if opts.resume {
            match std::fs::metadata(local) {
                Ok(meta) => meta.len(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
                Err(e) => return Err(local_error("cannot read", local, e)),
            }
        } else {
            0
        };
        if let Some(size) = total {
            if offset > size {
                return Err(mismatch(format!(
                    "cannot resume: the local file {} ({offset} bytes) is larger than the remote file {remote} ({size} bytes)",
                    local.display()
                )));
            }
            if opts.resume && offset == size {
                opts.report(&Progress {
                    offset,
                    transferred: 0,
                    total,
                });
                return Ok(0);
            }
        }
        let mut progress = Progress {
            offset,
            transferred: 0,
            total,
        };
        opts.report(&progress);
        let mut buf = vec![0u8; opts.buffer_size];
        let rest = (offset > 0).then_some(offset);
        // The local file is opened only once the server has taken RETR, so that a refused
        // download leaves no empty file behind.
        let mut reader = self.retr(remote, rest)?;
        if total.is_none() && offset == 0 {
            total = reader.announced_size();
            progress.total = total;
        }
        // A refusal may surface only at the first read (the final reply can come after the
        // data connection opened): read before opening the local file, and for an empty
        // download wait for the final reply first.
        let mut pending = read_some(&mut reader, &mut buf)?;
        let reader = if pending == 0 {
            reader.finish()?;
            None
        } else {
            Some(reader)
        };
        let opened = if offset > 0 {
            OpenOptions::new().append(true).open(local)
        } else {
            File::create(local)
        };
        let mut file = match opened {
            Ok(file) => file,
            Err(e) => {
                if let Some(reader) = reader {
                    drop(reader.abort());
                }
                return Err(local_error("cannot open", local, e));
            }
        };
        if let Some(mut reader) = reader {
            file.write_all(&buf[..pending])
                .map_err(|e| local_error("cannot write", local, e))?;
            progress.transferred += pending as u64;
            opts.report(&progress);
            // Without a progress callback, the rest goes with kernel zero-copy (splice) where
            // the data connection is plain TCP; whatever that path leaves (a TLS connection)
            // goes through the buffer below.
            if opts.progress.is_none() {
                progress.transferred += reader.copy_to_file(&mut file)?;
            }
            pending = read_some(&mut reader, &mut buf)?;
            while pending > 0 {
                file.write_all(&buf[..pending])
                    .map_err(|e| local_error("cannot write", local, e))?;
                progress.transferred += pending as u64;
                opts.report(&progress);
                pending = read_some(&mut reader, &mut buf)?;
            }
            reader.finish()?;
        }
        file.flush()
            .map_err(|e| local_error("cannot write", local, e))?;
        let length = offset + progress.transferred;
        if let Some(size) = total
            && length != size
        {
            return Err(mismatch(format!(
                "{} holds {length} bytes after the download, the server said {remote} has {size}",
                local.display()
            )));
        }
        Ok(progress.transferred)
    }

    /// Uploads the local file `local` to the remote file `remote` in binary mode and returns
    /// the number of bytes this call sent.
    ///
    /// With [`TransferOptions::resume`], the remote file's size is asked (SIZE, else the MLST
    /// `size` fact; no such file counts as 0) and the rest of the local file is appended from
    /// that offset (APPE); without it, the remote file is written whole (STOR). Afterwards, when
    /// the server tells sizes, the remote size is checked against the local length.
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
        let offset = if opts.resume {
            self.remote_size(remote)?.unwrap_or(0)
        } else {
            0
        };
        if offset > length {
            return Err(mismatch(format!(
                "cannot resume: the remote file {remote} ({offset} bytes) is larger than the local file {} ({length} bytes)",
                local.display()
            )));
        }
        let mut progress = Progress {
            offset,
            transferred: 0,
            total: Some(length),
        };
        opts.report(&progress);
        if opts.resume && offset == length && offset > 0 {
            return Ok(0);
        }
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| local_error("cannot seek in", local, e))?;
        let mut buf = vec![0u8; opts.buffer_size];
        let mut writer = if offset > 0 {
            self.appe(remote)?
        } else {
            self.stor(remote)?
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
        if offset + progress.transferred != length {
            return Err(mismatch(format!(
                "{} changed during the upload: {length} bytes before, {} sent",
                local.display(),
                offset + progress.transferred
            )));
        }
        if let Some(size) = self.remote_size(remote)?
            && size != length
        {
            return Err(mismatch(format!(
                "the server says {remote} has {size} bytes after the upload of {length}"
            )));
        }
        Ok(progress.transferred)
    }
}
