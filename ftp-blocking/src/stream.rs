//! Data connections as std I/O: [`DataStream`] (ftplib's `transfercmd`), [`RetrReader`] (a
//! download as a [`Read`]) and [`StorWriter`] (an upload as a [`Write`]).
//!
//! Each borrows the session until it is finished. `finish()` ends the transfer and returns the
//! server's final reply. Dropping one without `finish()` ends it on a best-effort basis and
//! ignores the outcome: an upload is aborted (ABOR, and the data connection closed without a
//! TLS `close_notify`), so that a `?` that returns early never leaves a truncated file the
//! server takes as complete; a download that has reached the end of its data reads the final
//! reply; a download dropped earlier is aborted (ABOR). Call `finish()` or `abort()` to learn
//! how it went.

use std::fs::File;
use std::io::{self, Read, Write};

use ftp_proto::reply::Reply;

use crate::driver::{Driver, FileJob, TransferOp};
use crate::error::{Error, Result, to_io};

/// Buffer size of [`RetrReader::copy_to`] and [`StorWriter::copy_from`].
const COPY_BUFFER: usize = 1024 * 1024;

/// An open data connection of a running transfer: ftplib's `transfercmd` socket.
///
/// Reading gives a download's data (0 at its end); writing sends an upload's data.
/// [`finish`](DataStream::finish) returns the final reply.
#[derive(Debug)]
pub struct DataStream<'a> {
    driver: &'a mut Driver,
    op: TransferOp,
    upload: bool,
    read_eof: bool,
    done: bool,
    failed: Option<Error>,
}

impl<'a> DataStream<'a> {
    pub(crate) fn new(driver: &'a mut Driver, op: TransferOp, upload: bool) -> DataStream<'a> {
        DataStream {
            driver,
            op,
            upload,
            read_eof: false,
            done: false,
            failed: None,
        }
    }

    /// The size the server announced in its 1xx reply (`150 ... (N bytes)`), if it did.
    /// After a REST some servers announce the whole file, others the rest.
    pub fn announced_size(&self) -> Option<u64> {
        self.driver.announced_size()
    }

    fn fail(&mut self, e: Error) -> io::Error {
        self.failed = Some(e.duplicate());
        self.done = true;
        to_io(e)
    }

    fn with_transport(&mut self, job: FileJob<'_>) -> Result<u64> {
        let upload = matches!(job, FileJob::Upload(_));
        if let Some(e) = &self.failed {
            return Err(e.duplicate());
        }
        if self.done || (!upload && self.read_eof) {
            return Ok(0);
        }
        match self.driver.data_with(self.op, job) {
            Ok(n) => {
                if !upload {
                    self.read_eof = true;
                }
                Ok(n)
            }
            Err(e) => {
                self.failed = Some(e.duplicate());
                self.done = true;
                Err(e)
            }
        }
    }

    /// Ends the transfer and returns the final reply. An upload's data connection is shut
    /// down first; a download's remaining data is read and discarded (use
    /// [`abort`](DataStream::abort) to stop early).
    pub fn finish(mut self) -> Result<Reply> {
        self.finish_inner()
    }

    fn finish_inner(&mut self) -> Result<Reply> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.done = true;
        if self.upload {
            return Ok(self.driver.finish_upload(self.op)?.reply);
        }
        if !self.read_eof {
            let mut buf = vec![0u8; 64 * 1024];
            while self.driver.data_read(self.op, &mut buf)? != 0 {}
            self.read_eof = true;
        }
        Ok(self.driver.run(self.op)?.reply)
    }

    /// Stops the transfer: the data connection is closed and ABOR sent as a plain line.
    /// Returns the replies that followed (the transfer's final reply and ABOR's, in the order
    /// they came).
    pub fn abort(mut self) -> Result<Vec<Reply>> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.done = true;
        self.driver.abort_transfer(self.op)
    }
}

impl Read for DataStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = &self.failed {
            return Err(to_io(e.duplicate()));
        }
        if self.done || self.read_eof {
            return Ok(0);
        }
        match self.driver.data_read(self.op, buf) {
            Ok(0) if !buf.is_empty() => {
                self.read_eof = true;
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail(e)),
        }
    }
}

impl Write for DataStream<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(e) = &self.failed {
            return Err(to_io(e.duplicate()));
        }
        if self.done {
            return Err(to_io(Error::Closed));
        }
        self.driver
            .data_write(self.op, buf)
            .map_err(|e| self.fail(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for DataStream<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        if std::thread::panicking() {
            self.driver.close();
        } else if self.read_eof && !self.upload {
            let _ = self.driver.run(self.op);
        } else {
            let _ = self.driver.abort_transfer(self.op);
        }
    }
}

/// A download as a [`Read`] ([`Ftp::retr`](crate::Ftp::retr)).
///
/// ```no_run
/// # fn main() -> ftp_blocking::Result<()> {
/// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
/// ftp.login("anonymous", "", "")?;
/// let mut file = std::fs::File::create("README")?;
/// let mut reader = ftp.retr("README", None)?;
/// reader.copy_to(&mut file)?;
/// println!("{}", reader.finish()?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RetrReader<'a>(DataStream<'a>);

impl<'a> RetrReader<'a> {
    pub(crate) fn new(stream: DataStream<'a>) -> Self {
        RetrReader(stream)
    }

    /// The size the server announced, if it did.
    pub fn announced_size(&self) -> Option<u64> {
        self.0.announced_size()
    }

    /// Copies the rest of the download into `out` through a 1 MiB buffer (constant memory);
    /// returns the number of bytes copied.
    pub fn copy_to(&mut self, out: &mut impl Write) -> Result<u64> {
        let mut buf = vec![0u8; COPY_BUFFER];
        let mut total = 0u64;
        loop {
            let n = self
                .0
                .read(&mut buf)
                .map_err(crate::error::into_ftp_error)?;
            if n == 0 {
                return Ok(total);
            }
            out.write_all(&buf[..n])?;
            total += n as u64;
        }
    }

    /// Copies the rest of the download into `file` with kernel zero-copy (`splice` through a
    /// pipe, falling back to a 1 MiB buffer where the kernel refuses); returns the number of
    /// bytes copied.
    pub fn copy_to_file(&mut self, file: &mut File) -> Result<u64> {
        self.0.with_transport(FileJob::Download(file))
    }

    /// Reads the rest of the data (discarding it) and returns the final reply.
    pub fn finish(self) -> Result<Reply> {
        self.0.finish()
    }

    /// Stops the download with ABOR; returns the replies that followed.
    pub fn abort(self) -> Result<Vec<Reply>> {
        self.0.abort()
    }
}

impl Read for RetrReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

/// An upload as a [`Write`] ([`Ftp::stor`](crate::Ftp::stor), [`Ftp::appe`](crate::Ftp::appe)).
///
/// ```no_run
/// use std::io::Write;
/// # fn main() -> ftp_blocking::Result<()> {
/// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
/// ftp.login("anonymous", "", "")?;
/// let mut writer = ftp.stor("hello.txt")?;
/// writer.write_all(b"hello\n")?;
/// println!("{}", writer.finish()?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct StorWriter<'a>(DataStream<'a>);

impl<'a> StorWriter<'a> {
    pub(crate) fn new(stream: DataStream<'a>) -> Self {
        StorWriter(stream)
    }

    /// Copies all of `input` into the upload through a 1 MiB buffer (constant memory); returns
    /// the number of bytes copied.
    pub fn copy_from(&mut self, input: &mut impl Read) -> Result<u64> {
        let mut buf = vec![0u8; COPY_BUFFER];
        let mut total = 0u64;
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            };
            self.0
                .write_all(&buf[..n])
                .map_err(crate::error::into_ftp_error)?;
            total += n as u64;
        }
    }

    /// Sends the rest of `file` with kernel zero-copy (`sendfile`, falling back to a 1 MiB
    /// buffer); returns the number of bytes sent.
    pub fn copy_from_file(&mut self, file: &mut File) -> Result<u64> {
        self.0.with_transport(FileJob::Upload(file))
    }

    /// Ends the data (shutting the data connection down) and returns the final reply.
    pub fn finish(self) -> Result<Reply> {
        self.0.finish()
    }

    /// Stops the upload with ABOR; returns the replies that followed.
    pub fn abort(self) -> Result<Vec<Reply>> {
        self.0.abort()
    }
}

impl Write for StorWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
