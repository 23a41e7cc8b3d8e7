//! The data plane: moving a transfer's bytes in constant memory, fast, with an idle timeout,
//! progress reports and cancellation from another thread.
//!
//! Three ways to move bytes:
//!
//! - [`copy`]: a read/write loop over one buffer of [`DataOptions::buffer_size`] bytes, for any
//!   `Read` and `Write` (TLS data connections, listings, user streams).
//! - [`send_file`]: kernel zero-copy upload, `sendfile(2)` from a `File` to a `TcpStream`.
//! - [`receive_file`]: kernel zero-copy download, `splice(2)` from a `TcpStream` through a pipe
//!   into a `File`, or straight into it when the `File` is itself a pipe (`ftp-cli get big.bin -
//!   | tar x`: standard output, duplicated into a `File`, is any of a pipe, a file or
//!   `/dev/null`, and each gets its zero-copy path).
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
/// `file` may be any open file description: a regular file, a character device such as
/// `/dev/null`, or a pipe (standard output piped into another program, which the socket is
/// spliced into directly, with no pipe of our own in between; the pipe is enlarged to
/// [`ZERO_COPY_CHUNK`] where the system allows it).
///
/// Sets the socket's read and write timeouts to the idle timeout. A file opened for appending
/// (where `splice` is refused), a non-blocking pipe, a file that refuses `splice` (a terminal)
/// and kernels that refuse `splice` fall back to [`copy`], carrying over any bytes already in
/// the pipe. The pipe is enlarged to [`ZERO_COPY_CHUNK`] where the system allows it.
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
    if is_blocking_pipe(file) {
        return splice_into_pipe(socket, file, opts);
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

/// Whether `file` is a pipe (a FIFO) in blocking mode: [`receive_file`] can then splice the
/// socket straight into it. A non-blocking pipe would make "pipe full" (`EAGAIN`)
/// indistinguishable from the socket's idle timeout, so it takes the copy loop.
fn is_blocking_pipe(file: &File) -> bool {
    let fifo = rustix::fs::fstat(file).is_ok_and(|st| {
        rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Fifo
    });
    fifo && rustix::fs::fcntl_getfl(file).is_ok_and(|f| !f.contains(rustix::fs::OFlags::NONBLOCK))
}

/// [`receive_file`] into a pipe (standard output piped into another program): one `splice`
/// per chunk from the socket into that pipe, no pipe of our own and no copy. The pipe is
/// enlarged to [`ZERO_COPY_CHUNK`] where the system allows it, so each call moves up to that
/// much. A reader that went away (`EPIPE`) is a local [`TransportError::Io`] of kind
/// `BrokenPipe`; a full pipe waits for its reader as a `write` would.
fn splice_into_pipe(
    socket: &TcpStream,
    pipe: &mut File,
    mut opts: DataOptions<'_>,
) -> Result<u64, TransportError> {
    // Best effort: a pipe that cannot grow still works, in smaller steps.
    let _ = fcntl_setpipe_size(&*pipe, ZERO_COPY_CHUNK);
    let mut total = 0u64;
    loop {
        opts.check_cancel()?;
        match splice(
            socket,
            None,
            &*pipe,
            None,
            ZERO_COPY_CHUNK,
            SpliceFlags::MOVE,
        ) {
            Ok(0) => break,
            Ok(n) => {
                total += n as u64;
                opts.report(total);
            }
            Err(rustix::io::Errno::INTR) => continue,
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) if total == 0 => {
                let mut sock = socket;
                return copy(&mut sock, pipe, opts);
            }
            Err(rustix::io::Errno::PIPE) => {
                return Err(TransportError::Io(io::ErrorKind::BrokenPipe.into()));
            }
            Err(e) => return Err(opts.socket_error(e.into())),
        }
    }
    opts.check_cancel()?;
    Ok(total)
}

/// Whether `file` is the writing end of a pipe whose readers have all gone (a write to it
/// would fail with `EPIPE`). After a failed download into standard output, this tells a
/// program that went away (`ftp-cli get big.bin - | head`) from a failed transfer: the data
/// connection is closed at once in both cases, so the server's reply alone cannot tell.
///
/// ```
/// let (reader, writer) = std::io::pipe()?;
/// let writer = std::fs::File::from(std::os::fd::OwnedFd::from(writer));
/// assert!(!ftp_blocking::data::is_broken_pipe(&writer));
/// drop(reader);
/// assert!(ftp_blocking::data::is_broken_pipe(&writer));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn is_broken_pipe(file: &File) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let mut fds = [PollFd::new(file, PollFlags::OUT)];
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    poll(&mut fds, Some(&now)).is_ok() && fds[0].revents().contains(PollFlags::ERR)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::os::fd::OwnedFd;

    /// A connected loopback pair whose far end sends `data` and closes.
    fn sending(data: Vec<u8>) -> (TcpStream, std::thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // The reader may have gone (broken pipe test): the peer then sees a reset.
            let _ = s.write_all(&data);
        });
        (TcpStream::connect(addr).unwrap(), peer)
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn pipe_files() -> (std::io::PipeReader, File) {
        let (r, w) = std::io::pipe().unwrap();
        (r, File::from(OwnedFd::from(w)))
    }

    #[test]
    fn receive_file_into_a_pipe_delivers_every_byte_in_order() {
        let data = pattern(3 * ZERO_COPY_CHUNK + 12_345);
        let (socket, peer) = sending(data.clone());
        let (mut r, mut w) = pipe_files();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            r.read_to_end(&mut got).unwrap();
            got
        });
        let mut seen = 0;
        let mut progress = |n: u64| seen = n;
        let opts = DataOptions::new(Duration::from_secs(30)).progress(&mut progress);
        let n = receive_file(&socket, &mut w, opts).unwrap();
        drop(w);
        peer.join().unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(seen, data.len() as u64);
        assert_eq!(reader.join().unwrap(), data);
    }

    #[test]
    fn receive_file_into_a_pipe_without_reader_is_a_broken_pipe() {
        let (socket, peer) = sending(pattern(1 << 16));
        let (r, mut w) = pipe_files();
        drop(r);
        assert!(is_broken_pipe(&w));
        let e =
            receive_file(&socket, &mut w, DataOptions::new(Duration::from_secs(30))).unwrap_err();
        assert!(
            matches!(&e, TransportError::Io(io) if io.kind() == io::ErrorKind::BrokenPipe),
            "{e:?}"
        );
        drop(socket);
        peer.join().unwrap();
    }

    #[test]
    fn receive_file_into_dev_null_counts_every_byte() {
        let data = pattern(2 * ZERO_COPY_CHUNK + 7);
        let (socket, peer) = sending(data.clone());
        let mut null = File::options().write(true).open("/dev/null").unwrap();
        let n = receive_file(
            &socket,
            &mut null,
            DataOptions::new(Duration::from_secs(30)),
        )
        .unwrap();
        peer.join().unwrap();
        assert_eq!(n, data.len() as u64);
    }

    #[test]
    fn a_pipe_with_its_reader_open_is_not_broken_and_a_file_never_is() {
        let (_r, w) = pipe_files();
        assert!(!is_broken_pipe(&w));
        let file = File::options().write(true).open("/dev/null").unwrap();
        assert!(!is_broken_pipe(&file));
    }
}
