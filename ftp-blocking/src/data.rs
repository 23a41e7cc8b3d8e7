//! The data plane: moving a transfer's bytes in constant memory, fast, with an idle timeout,
//! progress reports and cancellation from another thread.
//!
//! Three ways to move bytes:
//!
//! - [`copy`]: a read/write loop over one buffer of [`DataOptions::buffer_size`] bytes, for any
//!   `Read` and `Write` (TLS data connections, listings, user streams).
//! - [`send_file`]: kernel zero-copy upload, `sendfile(2)` from a `File` to a `TcpStream`.
//! - [`receive_file`]: kernel zero-copy download, `splice(2)` from a `TcpStream` through a pipe
//!   into a `File`.
//!
//! [`upload_file`] and [`download_file`] pick the fastest measured way for plain TCP and fall
//! back to [`copy`] where zero-copy does not apply (a file opened for appending, a pipe, a
//! kernel that refuses). TLS data connections cannot use zero-copy: use [`copy`].
//!
//! Memory is constant whatever the file size: one buffer per transfer (or one pipe).
//!
//! # Idle timeout, progress, cancellation
//!
//! [`DataOptions::new`] takes the idle timeout: for `TcpStream` paths it is set as the
//! socket's read and write timeout, so it bounds every single wait for progress (not the whole
//! transfer), and expiry is reported as [`TransportError::Timeout`] with [`Wait::DataIdle`]
//! (an [`io::ErrorKind::TimedOut`] once converted). For [`copy`] over other streams the caller
//! sets the timeouts on the underlying socket (see
//! [`DataConnection::set_idle_timeout`](crate::tls::DataConnection::set_idle_timeout)); the loop maps the
//! `WouldBlock`/`TimedOut` they produce the same way.
//!
//! The progress callback gets the total bytes moved so far after every chunk. A [`Cancel`]
//! handle stops a transfer from another thread: its flag is checked between chunks, and
//! [`Cancel::cancel`] also shuts the attached socket down so that a read or write blocked in the
//! kernel wakes at once.
//!
//! # Measured
//!
//! `cargo run --release -p ftp-blocking --example dataplane_bench -- 1024 5 /tmp /dev/shm`:
//! a 1 GiB file in the page cache under `/tmp`, loopback TCP to a peer thread that reads into
//! (or writes from) a 1 MiB buffer, the download target on tmpfs (no disk writeback), each path
//! once per round with the paths interleaved, medians of 5 rounds. Throughput is relative to
//! the fastest path and to a raw `read`/`write` loop with a 1 MiB buffer; the last column is
//! the CPU time of the client thread per GiB. The run shared 2 cores with other builds and
//! fuzzers (load average 13), so wall-clock figures are several times below a quiet machine's
//! and noisy (two earlier runs ordered the copy paths differently); the CPU column is the
//! steadier one.
//!
//! | upload (file → TCP) | MB/s | vs fastest | vs raw 1 MiB | CPU s/GiB |
//! |---|---:|---:|---:|---:|
//! | raw read/write, 1 MiB | 376 | 0.61 | 1.00 | 0.45 |
//! | `copy`, 64 KiB | 430 | 0.70 | 1.14 | 0.39 |
//! | `copy`, 256 KiB | 343 | 0.56 | 0.91 | 0.35 |
//! | `copy`, 1 MiB | 613 | 1.00 | 1.63 | 0.36 |
//! | **`sendfile`** | 603 | 0.98 | 1.60 | **0.20** |
//! | `copy` 1 MiB + 4 MiB `SO_SNDBUF` | 431 | 0.70 | 1.15 | 0.41 |
//! | `sendfile` + 4 MiB `SO_SNDBUF` | 458 | 0.75 | 1.22 | 0.14 |
//!
//! | download (TCP → file) | MB/s | vs fastest | vs raw 1 MiB | CPU s/GiB |
//! |---|---:|---:|---:|---:|
//! | raw read/write, 1 MiB | 216 | 0.71 | 1.00 | 0.96 |
//! | `copy`, 64 KiB | 186 | 0.61 | 0.86 | 1.24 |
//! | `copy`, 256 KiB | 229 | 0.76 | 1.06 | 0.98 |
//! | `copy`, 1 MiB | 285 | 0.94 | 1.32 | 0.86 |
//! | **`splice`** | 267 | 0.88 | 1.23 | **0.78** |
//! | `copy` 1 MiB + 4 MiB `SO_RCVBUF` | 303 | 1.00 | 1.40 | 0.80 |
//! | `splice` + 4 MiB `SO_RCVBUF` | 270 | 0.89 | 1.25 | 0.83 |
//!
//! What follows, and what the defaults are:
//!
//! - Uploads: `sendfile` moves as fast as the best copy loop with about half its CPU time, so
//!   [`DEFAULT_UPLOAD_METHOD`] is [`Method::ZeroCopy`].
//! - Downloads: writing the file into the page cache dominates; `splice` saves about a tenth
//!   of the CPU time and was the fastest path in two of three runs, so
//!   [`DEFAULT_DOWNLOAD_METHOD`] is [`Method::ZeroCopy`].
//! - Copy loops (TLS, listings, other streams): 1 MiB buffers beat 64 and 256 KiB in every
//!   run: [`DEFAULT_BUFFER_SIZE`] is 1 MiB.
//! - Large fixed socket buffers (which switch Linux's autotuning off) slowed uploads in every
//!   run and did not help downloads consistently: they are not set by default
//!   ([`net::set_buffer_sizes`](crate::net::set_buffer_sizes) is there for other networks).
//!
//! ```no_run
//! use ftp_blocking::data::{Cancel, DataOptions, download_file};
//! use std::time::Duration;
//!
//! let socket = std::net::TcpStream::connect("127.0.0.1:30001")?;
//! let mut file = std::fs::File::create("/tmp/download.bin")?;
//! let cancel = Cancel::new();
//! let mut report = |n: u64| eprintln!("{n} bytes");
//! let opts = DataOptions::new(Duration::from_secs(60))
//!     .cancel(&cancel)
//!     .progress(&mut report);
//! let bytes = download_file(&socket, &mut file, opts)?;
//! # Ok::<(), ftp_blocking::error::TransportError>(())
//! ```

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustix::pipe::{PipeFlags, SpliceFlags, fcntl_setpipe_size, pipe_with, splice};

use crate::error::{TransportError, Wait, check_timeout};

/// Buffer size of [`copy`] unless [`DataOptions::buffer_size`] says otherwise: 1 MiB, the
/// fastest of 64 KiB, 256 KiB and 1 MiB measured (see the module documentation).
pub const DEFAULT_BUFFER_SIZE: usize = 1 << 20;

/// Largest amount handed to one `sendfile`/`splice` call: the progress callback and the
/// cancellation flag are served at least this often.
pub const ZERO_COPY_CHUNK: usize = 1 << 20;

/// Which way [`upload_file`]/[`download_file`] move the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// A read/write loop through a user-space buffer.
    Copy,
    /// `sendfile(2)` up, `splice(2)` down.
    ZeroCopy,
}

/// The method [`upload_file`] uses by default: `sendfile`, as fast as the best copy loop
/// with half its CPU time (see the module documentation).
pub const DEFAULT_UPLOAD_METHOD: Method = Method::ZeroCopy;
/// The method [`download_file`] uses by default: `splice`, a little less CPU time than the
/// best copy loop and faster in two of three runs (see the module documentation).
pub const DEFAULT_DOWNLOAD_METHOD: Method = Method::ZeroCopy;

/// Cancels a running transfer from any thread.
///
/// Cloning shares the handle. [`attach`](Cancel::attach) it to the data socket of the transfer
/// about to run; [`cancel`](Cancel::cancel) then sets the flag the loops check between chunks
/// **and** shuts the socket down (`shutdown(Both)` on a duplicate of its descriptor), which
/// wakes a read or write blocked in the kernel. The interrupted transfer returns
/// [`TransportError::Cancelled`].
///
/// ```
/// use ftp_blocking::data::Cancel;
///
/// let cancel = Cancel::new();
/// let remote = cancel.clone();
/// std::thread::spawn(move || remote.cancel()).join().unwrap();
/// assert!(cancel.is_cancelled());
/// cancel.reset();
/// assert!(!cancel.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    socket: Arc<Mutex<Option<TcpStream>>>,
}

impl Cancel {
    /// A handle that is not cancelled and has no socket attached.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Sets the flag and shuts down the attached socket, if any.
    pub fn cancel(&self) {
        let slot = self.socket.lock().unwrap_or_else(PoisonError::into_inner);
        self.flag.store(true, Ordering::Release);
        if let Some(s) = slot.as_ref() {
            // The socket may already be closed by the peer: nothing more to wake then.
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Whether [`cancel`](Cancel::cancel) was called since the last [`reset`](Cancel::reset).
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }

    /// Clears the flag and detaches the socket, for the next transfer.
    pub fn reset(&self) {
        let mut slot = self.socket.lock().unwrap_or_else(PoisonError::into_inner);
        *slot = None;
        self.flag.store(false, Ordering::Release);
    }

    /// Attaches the socket that [`cancel`](Cancel::cancel) shuts down (a duplicate of its
    /// descriptor is kept until [`detach`](Cancel::detach) or [`reset`](Cancel::reset)). If
    /// the handle is already cancelled the socket is shut down at once.
    ///
    /// ```
    /// # let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// # let socket = std::net::TcpStream::connect(l.local_addr()?)?;
    /// let cancel = ftp_blocking::data::Cancel::new();
    /// cancel.attach(&socket)?;
    /// cancel.cancel(); // a read blocked on `socket` in another thread returns now
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn attach(&self, socket: &TcpStream) -> io::Result<()> {
        let clone = socket.try_clone()?;
        let mut slot = self.socket.lock().unwrap_or_else(PoisonError::into_inner);
        if self.flag.load(Ordering::Acquire) {
            let _ = clone.shutdown(Shutdown::Both);
        }
        *slot = Some(clone);
        Ok(())
    }

    /// Drops the attached socket duplicate (the flag stays as it is).
    pub fn detach(&self) {
        let mut slot = self.socket.lock().unwrap_or_else(PoisonError::into_inner);
        *slot = None;
    }

    /// The shared flag, for code that polls it itself (such as
    /// [`net::accept_data`](crate::net::accept_data)).
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }
}

/// How one transfer runs: idle timeout, buffer size, cancellation and progress.
///
/// ```
/// use ftp_blocking::data::DataOptions;
/// use std::time::Duration;
///
/// let mut seen = 0;
/// let mut progress = |n: u64| seen = n;
/// let opts = DataOptions::new(Duration::from_secs(30))
///     .buffer_size(256 * 1024)
///     .progress(&mut progress);
/// # drop(opts);
/// ```
pub struct DataOptions<'a> {
    idle_timeout: Duration,
    buffer_size: usize,
    cancel: Option<&'a Cancel>,
    progress: Option<&'a mut dyn FnMut(u64)>,
}

impl std::fmt::Debug for DataOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataOptions")
            .field("idle_timeout", &self.idle_timeout)
            .field("buffer_size", &self.buffer_size)
            .field("cancel", &self.cancel)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<'a> DataOptions<'a> {
    /// Options with `idle_timeout` (must be non-zero: checked when the transfer starts),
    /// [`DEFAULT_BUFFER_SIZE`], no cancellation and no progress callback.
    pub fn new(idle_timeout: Duration) -> DataOptions<'a> {
        DataOptions {
            idle_timeout,
            buffer_size: DEFAULT_BUFFER_SIZE,
            cancel: None,
            progress: None,
        }
    }

    /// The buffer size of [`copy`] (at least 1 byte; 0 is taken as 1).
    pub fn buffer_size(mut self, bytes: usize) -> Self {
        self.buffer_size = bytes.max(1);
        self
    }

    /// Stop when `cancel` is cancelled (the caller attaches the socket to it).
    pub fn cancel(mut self, cancel: &'a Cancel) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// Call `progress` with the total bytes moved so far after every chunk.
    pub fn progress(mut self, progress: &'a mut dyn FnMut(u64)) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The idle timeout.
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(Cancel::is_cancelled)
    }

    fn check_cancel(&self) -> Result<(), TransportError> {
        if self.cancelled() {
            Err(TransportError::Cancelled)
        } else {
            Ok(())
        }
    }

    fn report(&mut self, total: u64) {
        if let Some(p) = self.progress.as_mut() {
            p(total);
        }
    }

    /// Maps an error of the data socket: a cancellation wins over whatever the shutdown caused.
    fn socket_error(&self, e: io::Error) -> TransportError {
        if self.cancelled() {
            TransportError::Cancelled
        } else {
            TransportError::from_socket(e, Wait::DataIdle, self.idle_timeout)
        }
    }
}

/// Copies `reader` to `writer` until EOF through one buffer, returning the bytes copied.
///
/// Works on any streams (TLS included). Timeouts are those of the underlying sockets, set by
/// the caller; `WouldBlock`/`TimedOut` errors become [`Wait::DataIdle`] timeouts. A
/// [`TransportError`] carried inside an `io::Error` (such as
/// [`TransportError::MissingCloseNotify`] from a TLS data stream) comes out as itself. The
/// writer is flushed at the end, not shut down.
///
/// ```
/// use ftp_blocking::data::{DataOptions, copy};
/// use std::time::Duration;
///
/// let mut out = Vec::new();
/// let n = copy(&mut &b"hello"[..], &mut out, DataOptions::new(Duration::from_secs(1)))?;
/// assert_eq!((n, &out[..]), (5, &b"hello"[..]));
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn copy<R, W>(
    reader: &mut R,
    writer: &mut W,
    mut opts: DataOptions<'_>,
) -> Result<u64, TransportError>
where
    R: Read + ?Sized,
    W: Write + ?Sized,
{
    check_timeout("data idle", opts.idle_timeout)?;
    let mut buf = vec![0u8; opts.buffer_size];
    let mut total = 0u64;
    loop {
        opts.check_cancel()?;
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted && e.get_ref().is_none() => continue,
            Err(e) => return Err(opts.socket_error(e)),
        };
        writer
            .write_all(&buf[..n])
            .map_err(|e| opts.socket_error(e))?;
        total += n as u64;
        opts.report(total);
    }
    // A shutdown from `Cancel::cancel` looks like EOF to the reader.
    opts.check_cancel()?;
    writer.flush().map_err(|e| opts.socket_error(e))?;
    Ok(total)
}

fn set_socket_timeouts(socket: &TcpStream, idle: Duration) -> Result<(), TransportError> {
    check_timeout("data idle", idle)?;
    socket.set_read_timeout(Some(idle))?;
    socket.set_write_timeout(Some(idle))?;
    Ok(())
}

/// Uploads `file` from its current position to its end into `socket` with `sendfile(2)`
/// (no copy through user space), returning the bytes sent.
///
/// Sets the socket's read and write timeouts to the idle timeout. Falls back to [`copy`] when
/// the kernel refuses `sendfile` for this file before any byte went out (`EINVAL`, `ENOSYS`,
/// `EOPNOTSUPP`). The file position ends at the end of the data sent. The socket is not shut
/// down: finishing the upload is the caller's (see
/// [`DataConnection::finish`](crate::tls::DataConnection::finish)).
///
/// ```no_run
/// use ftp_blocking::data::{DataOptions, send_file};
/// use std::time::Duration;
///
/// let socket = std::net::TcpStream::connect("127.0.0.1:30001")?;
/// let mut file = std::fs::File::open("/etc/hostname")?;
/// send_file(&mut file, &socket, DataOptions::new(Duration::from_secs(60)))?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn send_file(
    file: &mut File,
    socket: &TcpStream,
    mut opts: DataOptions<'_>,
) -> Result<u64, TransportError> {
    set_socket_timeouts(socket, opts.idle_timeout)?;
    let mut total = 0u64;
    loop {
        opts.check_cancel()?;
        match rustix::fs::sendfile(socket, &*file, None, ZERO_COPY_CHUNK) {
            Ok(0) => break,
            Ok(n) => {
                total += n as u64;
                opts.report(total);
            }
            Err(rustix::io::Errno::INTR) => continue,
            Err(
                rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::OPNOTSUPP,
            ) if total == 0 => {
                let mut sock = socket;
                return copy(file, &mut sock, opts);
            }
            Err(e) => return Err(opts.socket_error(e.into())),
        }
    }
    opts.check_cancel()?;
    Ok(total)
}

/// Downloads from `socket` until EOF into `file` at its current position with `splice(2)`
/// through a pipe (no copy through user space), returning the bytes received.
///
/// Sets the socket's read and write timeouts to the idle timeout. A file opened for appending
/// (where `splice` is refused) and kernels that refuse `splice` fall back to [`copy`], carrying
/// over any bytes already in the pipe. The pipe is enlarged to [`ZERO_COPY_CHUNK`] where the
/// system allows it.
///
/// ```no_run
/// use ftp_blocking::data::{DataOptions, receive_file};
/// use std::time::Duration;
///
/// let socket = std::net::TcpStream::connect("127.0.0.1:30001")?;
/// let mut file = std::fs::File::create("/tmp/out.bin")?;
/// receive_file(&socket, &mut file, DataOptions::new(Duration::from_secs(60)))?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn receive_file(
    socket: &TcpStream,
    file: &mut File,
    mut opts: DataOptions<'_>,
) -> Result<u64, TransportError> {
    set_socket_timeouts(socket, opts.idle_timeout)?;
    let appending = rustix::fs::fcntl_getfl(&*file)
        .map(|f| f.contains(rustix::fs::OFlags::APPEND))
        .unwrap_or(true);
    if appending {
        let mut sock = socket;
        return copy(&mut sock, file, opts);
    }
    let (pipe_r, pipe_w) = match pipe_with(PipeFlags::CLOEXEC) {
        Ok(p) => p,
        Err(_) => {
            let mut sock = socket;
            return copy(&mut sock, file, opts);
        }
    };
    let pipe_len = fcntl_setpipe_size(&pipe_w, ZERO_COPY_CHUNK).unwrap_or(64 * 1024);
    let mut total = 0u64;
    loop {
        opts.check_cancel()?;
        let n = match splice(socket, None, &pipe_w, None, pipe_len, SpliceFlags::MOVE) {
            Ok(0) => break,
            Ok(n) => n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) if total == 0 => {
                let mut sock = socket;
                return copy(&mut sock, file, opts);
            }
            Err(e) => return Err(opts.socket_error(e.into())),
        };
        let mut left = n;
        while left > 0 {
            match splice(&pipe_r, None, &*file, None, left, SpliceFlags::MOVE) {
                Ok(0) => {
                    return Err(TransportError::Io(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "splice into the file wrote nothing",
                    )));
                }
                Ok(m) => left -= m,
                Err(rustix::io::Errno::INTR) => continue,
                Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
                    // The file refuses splice: move what sits in the pipe by hand, then copy.
                    drain_pipe(&pipe_r, left, file)?;
                    total += n as u64;
                    opts.report(total);
                    let mut sock = socket;
                    let rest = copy(&mut sock, file, opts)?;
                    return Ok(total + rest);
                }
                Err(e) => return Err(TransportError::Io(e.into())),
            }
        }
        total += n as u64;
        opts.report(total);
    }
    opts.check_cancel()?;
    Ok(total)
}

fn drain_pipe(pipe_r: &impl AsFd, mut left: usize, file: &mut File) -> Result<(), TransportError> {
    let mut buf = vec![0u8; left.min(ZERO_COPY_CHUNK)];
    while left > 0 {
        let want = left.min(buf.len());
        let m = rustix::io::read(pipe_r, &mut buf[..want]).map_err(io::Error::from)?;
        if m == 0 {
            break;
        }
        file.write_all(&buf[..m])?;
        left -= m;
    }
    Ok(())
}

/// Uploads `file` to a plain TCP data socket with [`DEFAULT_UPLOAD_METHOD`].
///
/// ```no_run
/// use ftp_blocking::data::{DataOptions, upload_file};
/// use std::time::Duration;
///
/// let socket = std::net::TcpStream::connect("127.0.0.1:30001")?;
/// let mut file = std::fs::File::open("/etc/hostname")?;
/// let sent = upload_file(&mut file, &socket, DataOptions::new(Duration::from_secs(60)))?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn upload_file(
    file: &mut File,
    socket: &TcpStream,
    opts: DataOptions<'_>,
) -> Result<u64, TransportError> {
    upload_file_with(DEFAULT_UPLOAD_METHOD, file, socket, opts)
}

/// Uploads `file` to a plain TCP data socket with the given method.
///
/// ```no_run
/// use ftp_blocking::data::{DataOptions, Method, upload_file_with};
/// use std::time::Duration;
///
/// let socket = std::net::TcpStream::connect("127.0.0.1:30001")?;
/// let mut file = std::fs::File::open("/etc/hostname")?;
/// upload_file_with(Method::Copy, &mut file, &socket, DataOptions::new(Duration::from_secs(60)))?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn upload_file_with(
    method: Method,
    file: &mut File,
    socket: &TcpStream,
    opts: DataOptions<'_>,
) -> Result<u64, TransportError> {
    match method {
        Method::ZeroCopy => send_file(file, socket, opts),
        Method::Copy => {
            set_socket_timeouts(socket, opts.idle_timeout)?;
            let mut sock = socket;
            copy(file, &mut sock, opts)
        }
    }
}

/// Downloads from a plain TCP data socket into `file` with [`DEFAULT_DOWNLOAD_METHOD`].
///
/// ```no_run
/// use ftp_blocking::data::{DataOptions, download_file};
/// use std::time::Duration;
///
/// let socket = std::net::TcpStream::connect("127.0.0.1:30001")?;
/// let mut file = std::fs::File::create("/tmp/out.bin")?;
/// let got = download_file(&socket, &mut file, DataOptions::new(Duration::from_secs(60)))?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn download_file(
    socket: &TcpStream,
    file: &mut File,
    opts: DataOptions<'_>,
) -> Result<u64, TransportError> {
    download_file_with(DEFAULT_DOWNLOAD_METHOD, socket, file, opts)
}

/// Downloads from a plain TCP data socket into `file` with the given method.
///
/// ```no_run
/// use ftp_blocking::data::{DataOptions, Method, download_file_with};
/// use std::time::Duration;
///
/// let socket = std::net::TcpStream::connect("127.0.0.1:30001")?;
/// let mut file = std::fs::File::create("/tmp/out.bin")?;
/// download_file_with(Method::Copy, &socket, &mut file, DataOptions::new(Duration::from_secs(60)))?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn download_file_with(
    method: Method,
    socket: &TcpStream,
    file: &mut File,
    opts: DataOptions<'_>,
) -> Result<u64, TransportError> {
    match method {
        Method::ZeroCopy => receive_file(socket, file, opts),
        Method::Copy => {
            set_socket_timeouts(socket, opts.idle_timeout)?;
            let mut sock = socket;
            copy(&mut sock, file, opts)
        }
    }
}
