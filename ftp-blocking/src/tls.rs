//! FTPS: the control and data stream types over `std::net` and their blocking handshake
//! loops. The trust configuration ([`TlsConfig`]) and the session store that lets every data
//! connection resume the control connection's TLS session ([`FtpsSessionStore`]) are
//! re-exported from the `ftp-support` crate, which every adapter shares.
//!
//! # Trust
//!
//! [`TlsConfig::builder`] verifies certificates and host names against the system's roots,
//! loaded with `rustls-native-certs` (chosen over `rustls-platform-verifier`: it yields a plain
//! `RootCertStore` that a CA file can be added to, works with `builder_with_provider` and the
//! ring provider with no global state, and on Linux the platform verifier is webpki over the
//! same roots anyway). [`TlsConfigBuilder::add_ca_file`] adds a PEM CA file,
//! [`TlsConfig::from_client_config`] takes a whole rustls `ClientConfig`, and
//! [`TlsConfigBuilder::danger_accept_invalid_certs`] switches verification off.
//! Every config uses the **ring** provider only (`builder_with_provider`).
//!
//! # Session reuse on data connections
//!
//! Servers such as vsftpd (`require_ssl_reuse=YES`) and proftpd (by default) refuse a `PROT P`
//! data connection that does not resume the control connection's TLS session. Each control
//! connection gets a [`TlsSession`]: a `ClientConfig` whose resumption store is a fresh
//! [`FtpsSessionStore`] shared by the control connection and all its data connections, and the
//! control connection's server name, which data connections present too (never the PASV
//! address).
//!
//! - TLS 1.2: the session (id or ticket) is handed out by copy and never removed, so every
//!   data connection resumes it.
//! - TLS 1.3: rustls spends a ticket once, and its ticket type (`Tls13ClientSessionValue`)
//!   cannot be copied in rustls 0.23, so no store can hand the same ticket out twice. The store
//!   keeps a small pool instead: the control connection's tickets, then every ticket a data
//!   connection receives, handed out oldest first. **Every data connection reads the tickets
//!   its server sends, uploads included**: [`DataConnection::finish`] sends `close_notify` and
//!   reads the server's remaining records (tickets, its `close_notify`) until it closes. An
//!   upload that never reads leaves its fresh tickets unread, which is why a plain shared cache
//!   passes the first transfers and fails a later one (and why, closed with those bytes unread,
//!   its socket sends a reset: vsftpd then answers `426 Failure reading network stream`).
//!
//! Measured with `examples/ftps_reuse_probe.rs` (20 data connections, uploads, downloads and
//! listings in turn, session reuse required by the server):
//!
//! | server | TLS 1.2 | TLS 1.3 |
//! |---|---|---|
//! | vsftpd 3.0.3 (`require_ssl_reuse=YES`) | 20 of 20 resumed | 20 of 20 resumed |
//! | proftpd 1.3.8 (reuse required by default) | 20 of 20 resumed | the data connection after the 2nd upload fails |
//!
//! proftpd 1.3.8 under TLS 1.3 sends a new ticket on a data connection only when it writes on
//! it (downloads, listings: exactly one, replacing the ticket that connection spent), not on an
//! upload, so each upload uses up one of the two tickets of the control handshake for good;
//! once they are gone (after the second upload) the next data connection cannot resume and
//! proftpd refuses it with `425`. The most a session can do is any number of downloads and
//! listings with at most two uploads, the second being its last data connection. Its tickets can be reused (OpenSSL clients reuse the control session
//! for every data connection), but rustls 0.23 cannot copy one. With such a server use TLS
//! 1.2 ([`TlsConfigBuilder::protocol_versions`]), where the session is handed out by copy and
//! lasts, or its `TLSOptions NoSessionReuseRequired`.
//!
//! # Endings
//!
//! An upload ends with [`DataConnection::finish`] (`close_notify`, TCP half-close, then the server's
//! close is awaited so that no unread byte turns the close into a reset). A download that sees
//! TCP EOF without the server's `close_notify` reads as an error of kind
//! [`io::ErrorKind::UnexpectedEof`] carrying [`TransportError::MissingCloseNotify`] (see
//! [`is_missing_close_notify`]); the driver decides against the final reply and the announced
//! size whether that is truncation.
//!
//! `CCC` ([`ControlConnection::downgrade`]) sends `close_notify`, reads the server's, and carries
//! on in plain text on the same socket. To make that exact, the control stream reads TLS one
//! record at a time from the socket, so no byte after the server's `close_notify` is ever
//! swallowed into the TLS layer.
//!
//! ```no_run
//! use ftp_blocking::tls::{ControlConnection, DataConnection, TlsConfig};
//! use std::time::Duration;
//!
//! let tls = TlsConfig::builder().build()?;
//! let t = Duration::from_secs(30);
//! let tcp = ftp_blocking::net::connect("ftp.example.com", 21, t, None)?;
//! let mut control = ControlConnection::plain(tcp);
//! // ... send "AUTH TLS", read "234" through `control` ...
//! let session = tls.session("ftp.example.com")?;
//! control.upgrade(&session, t)?;
//! // ... "PBSZ 0", "PROT P", "PASV", "RETR x" ...
//! # let data_addr: std::net::SocketAddr = "127.0.0.1:30001".parse().unwrap();
//! let tcp = ftp_blocking::net::connect_data(data_addr, t, None)?;
//! let data = DataConnection::secure(tcp, &session, t)?;
//! assert_eq!(data.handshake_kind(), Some(rustls::HandshakeKind::Resumed));
//! # Ok::<(), ftp_blocking::error::TransportError>(())
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use rustls::{ClientConnection, HandshakeKind, StreamOwned};

use crate::error::{TransportError, Wait, check_timeout};

// ---------------------------------------------------------------------------------------------
// Configuration and session store: ftp-support, shared with the other adapters

pub use ftp_support::tls::{
    FtpsSessionStore, MAX_TLS13_TICKETS, TlsConfig, TlsConfigBuilder, TlsSession, TlsSetupError,
};

/// Certificate and server-name problems keep their own variants; a rustls refusal is
/// [`TransportError::Tls`].
impl From<TlsSetupError> for TransportError {
    fn from(e: TlsSetupError) -> TransportError {
        match e {
            TlsSetupError::Tls(e) => TransportError::Tls(e),
            TlsSetupError::Certificate(s) => TransportError::Certificate(s),
            TlsSetupError::InvalidServerName(s) => TransportError::InvalidServerName(s),
            other => TransportError::Certificate(other.to_string()),
        }
    }
}

/// Through [`TransportError`].
impl From<TlsSetupError> for crate::Error {
    fn from(e: TlsSetupError) -> crate::Error {
        crate::Error::from(TransportError::from(e))
    }
}

// ---------------------------------------------------------------------------------------------
// Record-exact TLS input

/// Largest TLS record accepted: header plus 2^14 bytes plus the TLS 1.2 expansion allowance.
const MAX_RECORD: usize = 5 + (1 << 14) + 2048;

/// Reads whole TLS records from the socket, never a byte past the current record, keeping a
/// partial record across timeouts.
#[derive(Debug)]
struct RecordReader {
    buf: Vec<u8>,
    filled: usize,
}

impl RecordReader {
    fn new() -> RecordReader {
        RecordReader {
            buf: vec![0; MAX_RECORD],
            filled: 0,
        }
    }

    /// Reads the next record into the buffer: `Ok(Some(len))`, or `Ok(None)` on EOF at a
    /// record boundary. EOF inside a record is `UnexpectedEof`. With a `deadline`, each socket
    /// read waits only for the time left until it, and once it has passed the read fails with
    /// `WouldBlock` (like a socket timeout); a partial record is kept for the next call.
    fn read_record(
        &mut self,
        tcp: &mut TcpStream,
        deadline: Option<Instant>,
    ) -> io::Result<Option<usize>> {
        loop {
            let want = if self.filled < 5 {
                5
            } else {
                let len = usize::from(u16::from_be_bytes([self.buf[3], self.buf[4]]));
                if 5 + len > MAX_RECORD {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("TLS record of {len} bytes is too long"),
                    ));
                }
                5 + len
            };
            if self.filled == want && want > 5 {
                self.filled = 0;
                return Ok(Some(want));
            }
            if self.filled == want {
                // A header announcing an empty record: hand it over too.
                self.filled = 0;
                return Ok(Some(5));
            }
            if let Some(deadline) = deadline {
                tcp.set_read_timeout(Some(time_left(deadline)?))?;
            }
            match tcp.read(&mut self.buf[self.filled..want]) {
                Ok(0) if self.filled == 0 => return Ok(None),
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed inside a TLS record",
                    ));
                }
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads one record (by `deadline`, see [`RecordReader::read_record`]) and gives it to
    /// `conn`, then processes it. `Ok(false)` on EOF.
    fn feed(
        &mut self,
        tcp: &mut TcpStream,
        conn: &mut ClientConnection,
        deadline: Option<Instant>,
    ) -> io::Result<bool> {
        let Some(len) = self.read_record(tcp, deadline)? else {
            // Tell rustls about the EOF, so that its reader reports it.
            conn.read_tls(&mut io::empty())?;
            return Ok(false);
        };
        let mut record = &self.buf[..len];
        while !record.is_empty() {
            if conn.read_tls(&mut record)? == 0 {
                return Err(io::Error::other("TLS layer accepted no input"));
            }
        }
        if let Err(e) = conn.process_new_packets() {
            // Try to send the alert describing the error; the error is what counts.
            let _ = write_out(conn, tcp);
            return Err(io::Error::new(io::ErrorKind::InvalidData, e));
        }
        Ok(true)
    }
}

/// The time left until `deadline` (at least 1 ms, the socket timeout's resolution), or
/// `WouldBlock` once it has passed: a wait ends at its deadline whatever records arrive.
fn time_left(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            "deadline passed while reading TLS records",
        ));
    }
    Ok(left.max(Duration::from_millis(1)))
}

fn write_out(conn: &mut ClientConnection, tcp: &mut TcpStream) -> io::Result<()> {
    while conn.wants_write() {
        conn.write_tls(tcp)?;
    }
    tcp.flush()
}

/// Runs a client handshake to completion within `timeout`, reading record by record.
fn handshake(
    conn: &mut ClientConnection,
    tcp: &mut TcpStream,
    records: &mut RecordReader,
    timeout: Duration,
) -> Result<(), TransportError> {
    check_timeout("TLS handshake", timeout)?;
    let saved = (tcp.read_timeout()?, tcp.write_timeout()?);
    let result = handshake_inner(conn, tcp, records, timeout);
    let restored = tcp
        .set_read_timeout(saved.0)
        .and_then(|()| tcp.set_write_timeout(saved.1));
    result?;
    restored?;
    Ok(())
}

fn handshake_inner(
    conn: &mut ClientConnection,
    tcp: &mut TcpStream,
    records: &mut RecordReader,
    timeout: Duration,
) -> Result<(), TransportError> {
    let deadline = crate::error::deadline_after(timeout);
    let fail = |e: io::Error| TransportError::from_socket(e, Wait::TlsHandshake, timeout);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TransportError::Timeout {
                wait: Wait::TlsHandshake,
                after: timeout,
            });
        }
        tcp.set_read_timeout(Some(left))?;
        tcp.set_write_timeout(Some(left))?;
        write_out(conn, tcp).map_err(fail)?;
        if !conn.is_handshaking() {
            return Ok(());
        }
        if !records.feed(tcp, conn, Some(deadline)).map_err(fail)? {
            return Err(TransportError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed during the TLS handshake",
            )));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Control stream

/// The control connection: plain TCP, upgraded in place to TLS after `234` (explicit FTPS) or
/// secured from the start (implicit FTPS), and downgraded back to plain by `CCC`.
///
/// It is `Read + Write`; timeouts are those of the socket ([`ControlConnection::tcp`]). Under
/// TLS the socket's read timeout bounds a whole `read` call, however many records without
/// application data (session tickets, key updates) arrive meanwhile.
/// Under TLS it reads one record at a time (a few more system calls on a connection that
/// carries a few lines, in exchange for exact `CCC`). An EOF from the server reads as `Ok(0)`
/// with or without `close_notify` (a cut reply is the framer's to notice).
///
/// ```no_run
/// use ftp_blocking::tls::{ControlConnection, TlsConfig};
/// use std::io::{Read, Write};
/// use std::time::Duration;
///
/// let tls = TlsConfig::builder().build()?;
/// let session = tls.session("ftp.example.com")?;
/// let tcp = ftp_blocking::net::connect("ftp.example.com", 990, Duration::from_secs(30), None)?;
/// let mut control = ControlConnection::implicit(tcp, &session, Duration::from_secs(30))?;
/// let mut greeting = [0u8; 512];
/// let n = control.read(&mut greeting)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ControlConnection {
    inner: Control,
    /// Plain bytes that arrived inside TLS before the server's `close_notify` (after `CCC`),
    /// served before anything read from the socket.
    pending: Vec<u8>,
}

#[derive(Debug)]
enum Control {
    Plain(TcpStream),
    Tls {
        conn: Box<ClientConnection>,
        tcp: TcpStream,
        records: RecordReader,
    },
    /// After a failed upgrade or downgrade: the socket is gone.
    Closed,
}

impl ControlConnection {
    /// A plain control connection.
    pub fn plain(tcp: TcpStream) -> ControlConnection {
        ControlConnection {
            inner: Control::Plain(tcp),
            pending: Vec::new(),
        }
    }

    /// Implicit FTPS: the TLS handshake right after the TCP connect, within `timeout`.
    pub fn implicit(
        tcp: TcpStream,
        session: &TlsSession,
        timeout: Duration,
    ) -> Result<ControlConnection, TransportError> {
        let mut s = ControlConnection::plain(tcp);
        s.upgrade(session, timeout)?;
        Ok(s)
    }

    /// `AUTH TLS` was answered `234`: runs the TLS handshake on the same socket within
    /// `timeout`. Refuses with [`TransportError::PlaintextBeforeTls`] if plain bytes are still
    /// buffered here (they would be injected plaintext). After a failure the stream is closed.
    pub fn upgrade(
        &mut self,
        session: &TlsSession,
        timeout: Duration,
    ) -> Result<(), TransportError> {
        if !self.pending.is_empty() {
            return Err(TransportError::PlaintextBeforeTls(self.pending.len()));
        }
        let mut tcp = match std::mem::replace(&mut self.inner, Control::Closed) {
            Control::Plain(tcp) => tcp,
            other => {
                self.inner = other;
                return Err(TransportError::Io(io::Error::other(
                    "the control connection is not plain",
                )));
            }
        };
        let mut conn = session.client_connection()?;
        let mut records = RecordReader::new();
        handshake(&mut conn, &mut tcp, &mut records, timeout)?;
        self.inner = Control::Tls {
            conn: Box::new(conn),
            tcp,
            records,
        };
        Ok(())
    }

    /// `CCC` was answered `200`: sends `close_notify`, waits up to `timeout` for the server's,
    /// and continues in plain text on the same socket. Application data that arrived before
    /// the server's `close_notify` is kept and read first. After a failure the stream is closed.
    pub fn downgrade(&mut self, timeout: Duration) -> Result<(), TransportError> {
        check_timeout("TLS shutdown", timeout)?;
        let (mut conn, mut tcp, mut records) =
            match std::mem::replace(&mut self.inner, Control::Closed) {
                Control::Tls { conn, tcp, records } => (conn, tcp, records),
                other => {
                    self.inner = other;
                    return Err(TransportError::Io(io::Error::other(
                        "the control connection is not under TLS",
                    )));
                }
            };
        let saved = (tcp.read_timeout()?, tcp.write_timeout()?);
        let deadline = crate::error::deadline_after(timeout);
        let fail = |e: io::Error| TransportError::from_socket(e, Wait::TlsShutdown, timeout);
        conn.send_close_notify();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(TransportError::Timeout {
                    wait: Wait::TlsShutdown,
                    after: timeout,
                });
            }
            tcp.set_read_timeout(Some(left))?;
            tcp.set_write_timeout(Some(left))?;
            write_out(&mut conn, &mut tcp).map_err(fail)?;
            // Keep any application data still inside the TLS layer.
            let mut chunk = [0u8; 4096];
            loop {
                match conn.reader().read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(TransportError::from_io(e)),
                }
                if self.pending.len() > MAX_RECORD * 4 {
                    return Err(TransportError::Io(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "too much data before the server's close_notify",
                    )));
                }
            }
            if conn.is_handshaking() {
                return Err(TransportError::Io(io::Error::other(
                    "TLS handshake not complete",
                )));
            }
            if peer_closed(&mut conn) {
                break;
            }
            if !records
                .feed(&mut tcp, &mut conn, Some(deadline))
                .map_err(fail)?
            {
                return Err(TransportError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed before the server's close_notify",
                )));
            }
        }
        tcp.set_read_timeout(saved.0)?;
        tcp.set_write_timeout(saved.1)?;
        self.inner = Control::Plain(tcp);
        Ok(())
    }

    /// Whether the connection is under TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self.inner, Control::Tls { .. })
    }

    /// Whether bytes can be read without waiting on the socket: plain text kept from before a
    /// `CCC`, or decrypted text rustls holds from a record already read. A caller that polls
    /// the socket asks this first.
    pub fn has_buffered_data(&mut self) -> bool {
        if !self.pending.is_empty() {
            return true;
        }
        match &mut self.inner {
            Control::Tls { conn, .. } => conn
                .process_new_packets()
                .map(|state| state.plaintext_bytes_to_read() > 0)
                .unwrap_or(true),
            _ => false,
        }
    }

    /// The TCP socket (to set timeouts, read addresses, or shut it down); an error after a
    /// failed upgrade or downgrade closed the stream.
    pub fn tcp(&self) -> io::Result<&TcpStream> {
        match &self.inner {
            Control::Plain(tcp) | Control::Tls { tcp, .. } => Ok(tcp),
            Control::Closed => Err(closed()),
        }
    }

    /// The rustls connection while under TLS (protocol version, cipher suite, certificates).
    pub fn tls_connection(&self) -> Option<&ClientConnection> {
        match &self.inner {
            Control::Tls { conn, .. } => Some(conn),
            _ => None,
        }
    }

    /// Sends `close_notify` if under TLS (best effort, for a polite close after `QUIT`).
    pub fn close_notify(&mut self) -> io::Result<()> {
        if let Control::Tls { conn, tcp, .. } = &mut self.inner {
            conn.send_close_notify();
            write_out(conn, tcp)?;
        }
        Ok(())
    }
}

fn closed() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the control connection is closed",
    )
}

/// Whether the peer's close_notify has been processed.
fn peer_closed(conn: &mut ClientConnection) -> bool {
    conn.process_new_packets()
        .map(|state| state.peer_has_closed())
        .unwrap_or(false)
}

impl Read for ControlConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let n = buf.len().min(self.pending.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        match &mut self.inner {
            Control::Plain(tcp) => tcp.read(buf),
            Control::Tls { conn, tcp, records } => {
                // The socket's read timeout bounds the whole call, however many records
                // without application data (TLS 1.3 tickets, ...) arrive meanwhile.
                let base = tcp.read_timeout()?;
                let deadline = base.map(crate::error::deadline_after);
                let result = read_control_tls(conn, tcp, records, buf, deadline);
                if deadline.is_some() {
                    tcp.set_read_timeout(base)?;
                }
                result
            }
            Control::Closed => Err(closed()),
        }
    }
}

/// Reads TLS records until one carries application data, the stream ends, or `deadline`.
fn read_control_tls(
    conn: &mut ClientConnection,
    tcp: &mut TcpStream,
    records: &mut RecordReader,
    buf: &mut [u8],
    deadline: Option<Instant>,
) -> io::Result<usize> {
    loop {
        match conn.reader().read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            // EOF without close_notify: an EOF all the same on the control connection.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
            Err(e) => return Err(e),
        }
        write_out(conn, tcp)?;
        if !records.feed(tcp, conn, deadline)? {
            // EOF: rustls knows, and its reader will say so on the next turn; make sure no
            // loop can come of it.
            return match conn.reader().read(buf) {
                Ok(n) => Ok(n),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
                Err(e) => Err(e),
            };
        }
    }
}

impl Write for ControlConnection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Control::Plain(tcp) => tcp.write(buf),
            Control::Tls { conn, tcp, .. } => {
                let n = conn.writer().write(buf)?;
                write_out(conn, tcp)?;
                Ok(n)
            }
            Control::Closed => Err(closed()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Control::Plain(tcp) => tcp.flush(),
            Control::Tls { conn, tcp, .. } => write_out(conn, tcp),
            Control::Closed => Err(closed()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Data stream

/// Bytes read from the server while waiting for it to close a finished data connection,
/// beyond which [`DataConnection::finish`] stops waiting.
pub const MAX_DRAIN_BYTES: usize = 1 << 20;

/// A data connection, plain or TLS (`PROT P`, resuming the control connection's session).
///
/// `Read + Write`. Under TLS a download that ends without the server's `close_notify` fails
/// with [`io::ErrorKind::UnexpectedEof`] carrying [`TransportError::MissingCloseNotify`]; a
/// download with `close_notify` ends with `Ok(0)`. End an upload with
/// [`DataConnection::finish`]. Dropping the stream closes it without `close_notify` (what an abort
/// wants).
///
/// ```no_run
/// use ftp_blocking::data::{DataOptions, copy};
/// use ftp_blocking::tls::{DataConnection, TlsConfig};
/// use std::time::Duration;
///
/// # let session = TlsConfig::builder().build()?.session("ftp.example.com")?;
/// let t = Duration::from_secs(30);
/// let tcp = ftp_blocking::net::connect_data("127.0.0.1:30001".parse().unwrap(), t, None)?;
/// let mut data = DataConnection::secure(tcp, &session, t)?;
/// data.set_idle_timeout(Duration::from_secs(60))?;
/// let mut file = std::fs::File::open("upload.bin")?;
/// copy(&mut file, &mut data, DataOptions::new(Duration::from_secs(60)))?;
/// data.finish(t)?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
#[derive(Debug)]
pub struct DataConnection {
    inner: Data,
    received: u64,
    eof: bool,
}

#[derive(Debug)]
enum Data {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, DeadlineTcp>>),
}

/// The socket under a TLS data connection: while a [`DataConnection`] read is under way,
/// every socket read after the first waits only until the read's deadline (the socket read
/// timeout when the call began), so records without application data cannot keep one
/// read alive past it.
#[derive(Debug)]
struct DeadlineTcp {
    tcp: TcpStream,
    /// The deadline of the read under way, and whether a socket read was made for it.
    deadline: Option<(Instant, bool)>,
    /// The socket's read timeout was changed and must be restored.
    touched: bool,
}

impl Read for DeadlineTcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((deadline, read_before)) = &mut self.deadline {
            if *read_before {
                self.tcp.set_read_timeout(Some(time_left(*deadline)?))?;
                self.touched = true;
            }
            *read_before = true;
        }
        self.tcp.read(buf)
    }
}

impl Write for DeadlineTcp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

impl DataConnection {
    /// A plain data connection (`PROT C`).
    pub fn plain(tcp: TcpStream) -> DataConnection {
        DataConnection {
            inner: Data::Plain(tcp),
            received: 0,
            eof: false,
        }
    }

    /// A TLS data connection (`PROT P`): handshake within `timeout` with the control
    /// connection's server name and session store, so that it resumes the control session.
    pub fn secure(
        mut tcp: TcpStream,
        session: &TlsSession,
        timeout: Duration,
    ) -> Result<DataConnection, TransportError> {
        let mut conn = session.client_connection()?;
        let mut records = RecordReader::new();
        handshake(&mut conn, &mut tcp, &mut records, timeout)?;
        Ok(DataConnection {
            inner: Data::Tls(Box::new(StreamOwned::new(
                conn,
                DeadlineTcp {
                    tcp,
                    deadline: None,
                    touched: false,
                },
            ))),
            received: 0,
            eof: false,
        })
    }

    /// The TCP socket of a plain connection, to secure it with [`DataConnection::secure`] once
    /// the server has taken the transfer command (`PROT P`); `Err(self)` when already under TLS.
    ///
    /// ```no_run
    /// # use ftp_blocking::tls::{DataConnection, TlsConfig};
    /// # let session = TlsConfig::builder().build()?.session("ftp.example.com")?;
    /// # let t = std::time::Duration::from_secs(30);
    /// # let tcp = ftp_blocking::net::connect_data("127.0.0.1:30001".parse().unwrap(), t, None)?;
    /// let plain = DataConnection::plain(tcp);
    /// let tcp = plain.into_tcp().expect("plain");
    /// let secure = DataConnection::secure(tcp, &session, t)?;
    /// # Ok::<(), ftp_blocking::error::TransportError>(())
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn into_tcp(self) -> Result<TcpStream, DataConnection> {
        match self.inner {
            Data::Plain(tcp) => Ok(tcp),
            inner => Err(DataConnection { inner, ..self }),
        }
    }

    /// Whether the connection is under TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self.inner, Data::Tls(_))
    }

    /// `Some(Resumed)` when the TLS handshake resumed the control session, `Some(Full)` when
    /// not, `None` for a plain connection.
    pub fn handshake_kind(&self) -> Option<HandshakeKind> {
        match &self.inner {
            Data::Plain(_) => None,
            Data::Tls(s) => s.conn.handshake_kind(),
        }
    }

    /// The rustls connection under TLS.
    pub fn tls_connection(&self) -> Option<&ClientConnection> {
        match &self.inner {
            Data::Plain(_) => None,
            Data::Tls(s) => Some(&s.conn),
        }
    }

    /// The TCP socket (for [`Cancel::attach`](crate::data::Cancel::attach), addresses,
    /// timeouts).
    pub fn tcp(&self) -> &TcpStream {
        match &self.inner {
            Data::Plain(tcp) => tcp,
            Data::Tls(s) => &s.sock.tcp,
        }
    }

    /// Sets the socket's read and write timeouts: the idle timeout of the transfer. A stall
    /// longer than that fails the read or write (`WouldBlock`, which
    /// [`data::copy`](crate::data::copy) reports as a [`Wait::DataIdle`] timeout). Under TLS the
    /// read timeout bounds a whole `read` call, whatever records without data arrive meanwhile.
    pub fn set_idle_timeout(&self, idle: Duration) -> Result<(), TransportError> {
        check_timeout("data idle", idle)?;
        self.tcp().set_read_timeout(Some(idle))?;
        self.tcp().set_write_timeout(Some(idle))?;
        Ok(())
    }

    /// Application bytes read so far.
    pub fn bytes_received(&self) -> u64 {
        self.received
    }

    /// Ends the connection politely, within `timeout`: under TLS sends `close_notify`; then
    /// half-closes TCP and reads what the server still sends (TLS 1.3 tickets, which refill
    /// the session store; its `close_notify`) until it closes, at most [`MAX_DRAIN_BYTES`].
    /// Waiting for the server's close matters: closing a socket with unread bytes makes the
    /// kernel send a reset, which can destroy the end of an upload the server has not read yet.
    ///
    /// After a download that reached EOF this only sends `close_notify` (errors ignored: the
    /// server may be gone).
    pub fn finish(mut self, timeout: Duration) -> Result<(), TransportError> {
        check_timeout("data close", timeout)?;
        let fail = |e: io::Error| TransportError::from_socket(e, Wait::DataClose, timeout);
        let eof = self.eof;
        match &mut self.inner {
            Data::Plain(tcp) => {
                if eof {
                    return Ok(());
                }
                tcp.set_write_timeout(Some(timeout))?;
                tcp.flush().map_err(fail)?;
            }
            Data::Tls(s) => {
                s.sock.tcp.set_write_timeout(Some(timeout))?;
                s.conn.send_close_notify();
                let sent = write_out(&mut s.conn, &mut s.sock.tcp);
                if eof {
                    return Ok(());
                }
                sent.map_err(fail)?;
            }
        }
        let tcp = self.tcp();
        match tcp.shutdown(Shutdown::Write) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotConnected => return Ok(()),
            Err(e) => return Err(TransportError::Io(e)),
        }
        let deadline = crate::error::deadline_after(timeout);
        let mut drained = 0usize;
        let mut scratch = vec![0u8; 16 * 1024];
        while drained < MAX_DRAIN_BYTES {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(TransportError::Timeout {
                    wait: Wait::DataClose,
                    after: timeout,
                });
            }
            self.tcp().set_read_timeout(Some(left))?;
            let n = match &mut self.inner {
                Data::Plain(tcp) => match tcp.read(&mut scratch) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    // The server reset instead of closing: it is gone either way.
                    Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                    Err(e) => return Err(fail(e)),
                },
                Data::Tls(s) => match s.conn.read_tls(&mut s.sock) {
                    Ok(0) => 0,
                    Ok(n) => {
                        // Tickets reach the store here; errors after our close_notify don't matter.
                        if s.conn.process_new_packets().is_err() {
                            return Ok(());
                        }
                        while let Ok(m) = s.conn.reader().read(&mut scratch) {
                            if m == 0 {
                                break;
                            }
                        }
                        n
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::ConnectionReset => 0,
                    Err(e) => return Err(fail(e)),
                },
            };
            if n == 0 {
                return Ok(());
            }
            drained += n;
        }
        Ok(())
    }
}

/// Whether an I/O error from a [`DataConnection`] read means the TLS data connection ended without
/// the server's `close_notify`.
///
/// ```
/// use ftp_blocking::error::TransportError;
/// let e: std::io::Error = TransportError::MissingCloseNotify { bytes: 10 }.into();
/// assert!(ftp_blocking::tls::is_missing_close_notify(&e));
/// assert!(!ftp_blocking::tls::is_missing_close_notify(&std::io::ErrorKind::UnexpectedEof.into()));
/// ```
pub fn is_missing_close_notify(e: &io::Error) -> bool {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TransportError>())
        .is_some_and(|t| matches!(t, TransportError::MissingCloseNotify { .. }))
}

/// One read of a TLS data connection, ending at most one socket read timeout after it began
/// whatever records arrive meanwhile.
fn read_data_tls(
    s: &mut StreamOwned<ClientConnection, DeadlineTcp>,
    buf: &mut [u8],
) -> io::Result<usize> {
    let base = s.sock.tcp.read_timeout()?;
    s.sock.deadline = base.map(|t| (crate::error::deadline_after(t), false));
    let result = s.read(buf);
    s.sock.deadline = None;
    if s.sock.touched {
        s.sock.touched = false;
        s.sock.tcp.set_read_timeout(base)?;
    }
    result
}

impl Read for DataConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = match &mut self.inner {
            Data::Plain(tcp) => tcp.read(buf),
            Data::Tls(s) => match read_data_tls(s, buf) {
                Err(e)
                    if e.kind() == io::ErrorKind::UnexpectedEof
                        && e.get_ref().is_none_or(|i| !i.is::<rustls::Error>()) =>
                {
                    self.eof = true;
                    return Err(TransportError::MissingCloseNotify {
                        bytes: self.received,
                    }
                    .into());
                }
                other => other,
            },
        };
        match result {
            Ok(0) if !buf.is_empty() => {
                self.eof = true;
                Ok(0)
            }
            Ok(n) => {
                self.received += n as u64;
                Ok(n)
            }
            Err(e) => Err(e),
        }
    }
}

impl Write for DataConnection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Data::Plain(tcp) => tcp.write(buf),
            Data::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Data::Plain(tcp) => tcp.flush(),
            Data::Tls(s) => s.flush(),
        }
    }
}
