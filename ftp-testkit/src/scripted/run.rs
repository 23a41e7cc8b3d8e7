//! The session thread: runs the steps against one control connection.

use super::conn::Conn;
use super::generated::Generated;
use super::step::{Channel, DataSummary, PasvStyle, Step};
use super::{Failure, ScriptError, SessionLog};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long accept loops sleep between polls of a non-blocking listener.
const ACCEPT_POLL: Duration = Duration::from_millis(2);
/// Read buffer size for control and data reads.
const CHUNK: usize = 64 * 1024;
/// How far past the scripted length [`Step::DataExpect`] keeps reading, to report the length.
const DATA_EXPECT_SLACK: usize = 64 * 1024;

type StepResult = Result<(), Failure>;

pub(super) fn run_session(
    listener: TcpListener,
    steps: Vec<Step>,
    cap: Duration,
    tls: Option<Arc<rustls::ServerConfig>>,
    max_line: usize,
) -> Result<SessionLog, ScriptError> {
    let deadline = Instant::now() + cap;
    let mut session = Session {
        deadline,
        cap,
        tls,
        max_line,
        control: None,
        local_ip: listener
            .local_addr()
            .map(|a| a.ip())
            .unwrap_or(Ipv4Addr::LOCALHOST.into()),
        pending: Vec::new(),
        pasv_listener: None,
        data: None,
        log: SessionLog::default(),
    };
    match session.accept(&listener) {
        Ok(stream) => session.control = Some(Conn::Plain(stream)),
        Err(failure) => {
            let failure = if matches!(failure, Failure::Deadline { .. }) {
                Failure::NoClient
            } else {
                failure
            };
            return Err(ScriptError {
                step_index: None,
                step: String::new(),
                failure,
                log: Box::new(session.log),
            });
        }
    }
    drop(listener);
    for (index, step) in steps.iter().enumerate() {
        if let Err(failure) = session.run_step(step) {
            // Close both connections at once so the client sees the failure as EOF.
            session.close_all();
            return Err(ScriptError {
                step_index: Some(index),
                step: step.describe(),
                failure,
                log: Box::new(session.log),
            });
        }
        session.log.steps_completed = index + 1;
    }
    session.close_all();
    Ok(session.log)
}

struct Session {
    deadline: Instant,
    cap: Duration,
    tls: Option<Arc<rustls::ServerConfig>>,
    /// The longest control line read.
    max_line: usize,
    control: Option<Conn>,
    local_ip: IpAddr,
    /// Control bytes read but not yet consumed as a line.
    pending: Vec<u8>,
    pasv_listener: Option<TcpListener>,
    data: Option<Conn>,
    log: SessionLog,
}

/// The session's deadline, copied out so that it can be used while a connection is borrowed.
#[derive(Clone, Copy)]
struct Clock {
    deadline: Instant,
    cap: Duration,
}

impl Clock {
    fn remaining(self) -> Result<Duration, Failure> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(self.failure())
        } else {
            Ok(left)
        }
    }

    fn failure(self) -> Failure {
        Failure::Deadline { cap: self.cap }
    }

    /// Writes all of `bytes`, bounded by the cap.
    fn write(self, conn: &mut Conn, bytes: &[u8], during: &str) -> StepResult {
        conn.set_timeouts(self.remaining()?)
            .map_err(|e| io_failure(during, e))?;
        match conn.write_all(bytes).and_then(|()| conn.flush()) {
            Ok(()) => Ok(()),
            Err(e) if is_timeout(&e) => Err(self.failure()),
            Err(e) => Err(io_failure(during, e)),
        }
    }

    /// One read, bounded by the cap: `Ok(0)` is end of stream.
    fn read(self, conn: &mut Conn, buf: &mut [u8]) -> io::Result<usize> {
        let left = self
            .remaining()
            .map_err(|_| io::Error::from(ErrorKind::TimedOut))?;
        conn.set_timeouts(left)?;
        loop {
            match conn.read(buf) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

fn io_failure(during: &str, error: io::Error) -> Failure {
    Failure::Io {
        during: during.to_string(),
        error: error.to_string(),
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

fn is_disconnect(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
    )
}

impl Session {
    /// The time left before the cap, or a deadline failure.
    fn remaining(&self) -> Result<Duration, Failure> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(Failure::Deadline { cap: self.cap })
        } else {
            Ok(left)
        }
    }

    fn deadline_failure(&self) -> Failure {
        Failure::Deadline { cap: self.cap }
    }

    /// Sleeps `d`, or fails at the cap.
    fn sleep(&self, d: Duration) -> StepResult {
        let left = self.remaining()?;
        if d >= left {
            std::thread::sleep(left);
            return Err(self.deadline_failure());
        }
        std::thread::sleep(d);
        Ok(())
    }

    fn accept(&mut self, listener: &TcpListener) -> Result<TcpStream, Failure> {
        listener
            .set_nonblocking(true)
            .map_err(|e| io_failure("setting up the listener", e))?;
        loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream
                        .set_nonblocking(false)
                        .map_err(|e| io_failure("setting up an accepted socket", e))?;
                    // Replies go out as scripted, without Nagle delays.
                    stream
                        .set_nodelay(true)
                        .map_err(|e| io_failure("setting TCP_NODELAY", e))?;
                    return Ok(stream);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    self.remaining()?;
                    std::thread::sleep(ACCEPT_POLL);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(io_failure("accepting a connection", e)),
            }
        }
    }

    fn clock(&self) -> Clock {
        Clock {
            deadline: self.deadline,
            cap: self.cap,
        }
    }

    fn close_all(&mut self) {
        if let Some(d) = self.data.take() {
            d.close();
        }
        self.pasv_listener = None;
        if let Some(c) = self.control.take() {
            c.close();
        }
    }

    fn control(&mut self) -> Result<&mut Conn, Failure> {
        self.control.as_mut().ok_or(Failure::ControlClosed)
    }

    fn data(&mut self) -> Result<&mut Conn, Failure> {
        self.data.as_mut().ok_or(Failure::NoDataConnection)
    }

    /// Reads control bytes into `pending`; `Ok(0)` is end of stream.
    fn fill_control(&mut self) -> Result<usize, Failure> {
        let mut buf = vec![0u8; CHUNK];
        let clock = self.clock();
        let control = self.control()?;
        match clock.read(control, &mut buf) {
            Ok(n) => {
                self.pending.extend_from_slice(&buf[..n]);
                self.log.control_received.extend_from_slice(&buf[..n]);
                Ok(n)
            }
            Err(e) if is_timeout(&e) => Err(self.deadline_failure()),
            // A TLS control connection cut without close_notify ends like a plain one.
            Err(e) if is_disconnect(&e) || e.kind() == ErrorKind::UnexpectedEof => Ok(0),
            Err(e) => Err(io_failure("reading the control connection", e)),
        }
    }

    /// The next complete control line (LF included).
    fn read_line(&mut self) -> Result<Vec<u8>, Failure> {
        loop {
            if let Some(pos) = self.pending.iter().position(|&b| b == b'\n') {
                if pos + 1 > self.max_line {
                    return Err(Failure::LineTooLong);
                }
                let line: Vec<u8> = self.pending.drain(..=pos).collect();
                self.log.lines.push(line.clone());
                return Ok(line);
            }
            if self.pending.len() >= self.max_line {
                return Err(Failure::LineTooLong);
            }
            if self.fill_control()? == 0 {
                return Err(Failure::ClosedBeforeLine {
                    partial: self.pending.clone(),
                });
            }
        }
    }

    fn run_step(&mut self, step: &Step) -> StepResult {
        match step {
            Step::Send(bytes) => {
                let clock = self.clock();
                let c = self.control()?;
                clock.write(c, bytes, "sending on the control connection")
            }
            Step::SendSlowly { bytes, per_byte } => {
                for b in bytes {
                    let clock = self.clock();
                    let c = self.control()?;
                    clock.write(
                        c,
                        std::slice::from_ref(b),
                        "sending on the control connection",
                    )?;
                    self.sleep(*per_byte)?;
                }
                Ok(())
            }
            Step::Expect(expected) => {
                let got = self.read_line()?;
                if &got == expected {
                    Ok(())
                } else {
                    Err(Failure::Mismatch {
                        expected: expected.clone(),
                        got,
                    })
                }
            }
            Step::ExpectLine(check) => {
                let got = self.read_line()?;
                if check.matches(&got) {
                    Ok(())
                } else {
                    Err(Failure::LineRejected {
                        check: format!("{check:?}"),
                        got,
                    })
                }
            }
            Step::Sleep(d) => self.sleep(*d),
            Step::CloseControl => {
                self.close_all();
                Ok(())
            }
            Step::WaitForClose => {
                if !self.pending.is_empty() {
                    return Err(Failure::BytesBeforeClose {
                        got: self.pending.clone(),
                    });
                }
                match self.fill_control()? {
                    0 => Ok(()),
                    _ => Err(Failure::BytesBeforeClose {
                        got: self.pending.clone(),
                    }),
                }
            }
            Step::NeverAnswer => loop {
                if self.fill_control()? == 0 {
                    return Ok(());
                }
                // Keep only the record in `control_received`: nothing will consume these lines.
                self.pending.clear();
            },
            Step::PassiveListen { reply } => self.passive_listen(reply),
            Step::AcceptData => {
                let listener = self.pasv_listener.take().ok_or(Failure::NoListener)?;
                let stream = self.accept(&listener)?;
                if let Ok(peer) = stream.peer_addr() {
                    self.log.data_peers.push(peer);
                }
                self.data = Some(Conn::Plain(stream));
                Ok(())
            }
            Step::ConnectToClientData { source_ip } => self.connect_to_client(*source_ip),
            Step::DataSend(bytes) => {
                let clock = self.clock();
                let d = self.data()?;
                clock.write(d, bytes, "sending on the data connection")?;
                self.log.data_sent.push(bytes.len() as u64);
                Ok(())
            }
            Step::DataSendSlowly { bytes, per_byte } => {
                for b in bytes {
                    let clock = self.clock();
                    let d = self.data()?;
                    clock.write(d, std::slice::from_ref(b), "sending on the data connection")?;
                    self.sleep(*per_byte)?;
                }
                self.log.data_sent.push(bytes.len() as u64);
                Ok(())
            }
            Step::DataSendUntilClosed { chunk, max_bytes } => {
                self.send_until_closed(chunk, *max_bytes)
            }
            Step::DataExpect(expected) => self.data_expect(expected),
            Step::DataExpectAll => self.data_expect_all(),
            Step::DataClose => {
                self.data.take().ok_or(Failure::NoDataConnection)?.close();
                Ok(())
            }
            Step::DataCut => {
                self.data.take().ok_or(Failure::NoDataConnection)?.cut();
                Ok(())
            }
            Step::ControlStartTls => {
                if !self.pending.is_empty() {
                    return Err(Failure::PlaintextBeforeTls {
                        got: self.pending.clone(),
                    });
                }
                let control = self.control.take().ok_or(Failure::ControlClosed)?;
                let (conn, _) = self.start_tls(control)?;
                self.control = Some(conn);
                Ok(())
            }
            Step::ControlStopTls => {
                let control = self.control.take().ok_or(Failure::ControlClosed)?;
                control
                    .set_timeouts(self.remaining()?)
                    .map_err(|e| io_failure("CCC", e))?;
                match control.stop_tls() {
                    Ok(plain) => {
                        self.control = Some(plain);
                        Ok(())
                    }
                    Err((conn, message)) => {
                        self.control = Some(conn);
                        Err(Failure::Tls(message))
                    }
                }
            }
            Step::DataStartTls { require_resumption } => {
                let data = self.data.take().ok_or(Failure::NoDataConnection)?;
                let (conn, resumed) = self.start_tls(data)?;
                self.data = Some(conn);
                self.log.data_tls_resumed.push(resumed);
                if *require_resumption && !resumed {
                    return Err(Failure::NotResumed);
                }
                Ok(())
            }
            Step::DataHoldOpen => {
                let mut buf = vec![0u8; CHUNK];
                loop {
                    let clock = self.clock();
                    let d = self.data()?;
                    match clock.read(d, &mut buf) {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e) if is_timeout(&e) => return Err(self.deadline_failure()),
                        Err(e) if is_disconnect(&e) || e.kind() == ErrorKind::UnexpectedEof => {
                            break;
                        }
                        Err(e) => return Err(io_failure("holding the data connection", e)),
                    }
                }
                self.data = None;
                Ok(())
            }
            Step::SendGenerated(g) => {
                let sent = self.send_generated(Channel::Control, g);
                self.log.generated_sent.push(sent.0);
                sent.1
            }
            Step::DataSendGenerated(g) => {
                let sent = self.send_generated(Channel::Data, g);
                self.log.data_sent.push(sent.0);
                sent.1
            }
            Step::ResetControl => {
                if let Some(d) = self.data.take() {
                    d.reset();
                }
                self.pasv_listener = None;
                self.control.take().ok_or(Failure::ControlClosed)?.reset();
                Ok(())
            }
            Step::DataReset => {
                self.data.take().ok_or(Failure::NoDataConnection)?.reset();
                Ok(())
            }
            Step::TlsKeepAlive {
                channel,
                every,
                max,
            } => {
                let (records, result) = self.tls_keep_alive(*channel, *every, *max);
                self.log.keep_alive_records.push(records);
                result
            }
            Step::Serve(responder) => loop {
                let line = match self.read_line() {
                    Ok(line) => line,
                    Err(Failure::ClosedBeforeLine { partial }) if partial.is_empty() => {
                        return Ok(());
                    }
                    Err(f) => return Err(f),
                };
                for step in responder.respond(&line) {
                    self.run_step(&step)?;
                }
            },
        }
    }

    fn conn(&mut self, channel: Channel) -> Result<&mut Conn, Failure> {
        match channel {
            Channel::Control => self.control(),
            Channel::Data => self.data(),
        }
    }

    /// Writes `g` to `channel` until it ends or the client closes the connection; returns how
    /// many bytes went out and the step's outcome.
    fn send_generated(&mut self, channel: Channel, g: &Generated) -> (u64, StepResult) {
        let mut cursor = g.cursor();
        let mut chunk = Vec::with_capacity(CHUNK + 4096);
        let mut sent: u64 = 0;
        loop {
            chunk.clear();
            let more = cursor.fill(&mut chunk, CHUNK);
            let clock = self.clock();
            let conn = match self.conn(channel) {
                Ok(c) => c,
                Err(f) => return (sent, Err(f)),
            };
            let left = match clock.remaining() {
                Ok(l) => l,
                Err(f) => return (sent, Err(f)),
            };
            if let Err(e) = conn.set_timeouts(left) {
                return (sent, Err(io_failure("sending a generated stream", e)));
            }
            let mut rest = &chunk[..];
            while !rest.is_empty() {
                match conn.write(rest) {
                    Ok(0) => return (sent, Ok(())),
                    Ok(n) => {
                        sent += n as u64;
                        rest = &rest[n..];
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) if is_timeout(&e) => return (sent, Err(clock.failure())),
                    // The client closed the connection: it refused to read the rest.
                    Err(_) => return (sent, Ok(())),
                }
            }
            if let Err(e) = conn.flush() {
                if is_timeout(&e) {
                    return (sent, Err(clock.failure()));
                }
                return (sent, Ok(()));
            }
            if !more {
                return (sent, Ok(()));
            }
        }
    }

    /// Sends KeyUpdate records on `channel` every `every` until the client closes that
    /// connection or `max` went out; returns how many went out and the step's outcome.
    fn tls_keep_alive(&mut self, channel: Channel, every: Duration, max: u32) -> (u32, StepResult) {
        let mut records = 0;
        let mut buf = vec![0u8; CHUNK];
        loop {
            if records >= max {
                return (records, Ok(()));
            }
            let clock = self.clock();
            let left = match clock.remaining() {
                Ok(l) => l,
                Err(f) => return (records, Err(f)),
            };
            let conn = match self.conn(channel) {
                Ok(c) => c,
                Err(f) => return (records, Err(f)),
            };
            if matches!(conn, Conn::Plain(_)) {
                return (
                    records,
                    Err(Failure::Tls(
                        "a TLS keep-alive needs a TLS connection".into(),
                    )),
                );
            }
            if let Err(e) = conn.set_timeouts(left.min(every)) {
                return (records, Err(io_failure("a TLS keep-alive", e)));
            }
            if conn.key_update().is_err() {
                // The client closed the connection.
                return (records, Ok(()));
            }
            records += 1;
            let read = loop {
                match conn.read(&mut buf) {
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            match read {
                Ok(0) => return (records, Ok(())),
                Ok(n) => {
                    if channel == Channel::Control {
                        self.pending.extend_from_slice(&buf[..n]);
                        self.log.control_received.extend_from_slice(&buf[..n]);
                    }
                }
                Err(e) if is_timeout(&e) => {}
                Err(_) => return (records, Ok(())),
            }
        }
    }

    /// A TLS server handshake on `conn` with the script's configuration, bounded by the cap.
    fn start_tls(&mut self, conn: Conn) -> Result<(Conn, bool), Failure> {
        let config = self.tls.clone().ok_or(Failure::NoTlsConfig)?;
        conn.set_timeouts(self.remaining()?)
            .map_err(|e| io_failure("starting TLS", e))?;
        conn.start_tls(config)
            .map_err(|(_, message)| Failure::Tls(message))
    }

    fn passive_listen(&mut self, style: &PasvStyle) -> StepResult {
        let listener = TcpListener::bind(SocketAddr::new(self.local_ip, 0))
            .map_err(|e| io_failure("binding the passive listener", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| io_failure("binding the passive listener", e))?
            .port();
        let reply = match style {
            PasvStyle::Epsv => format!("229 Entering Extended Passive Mode (|||{port}|)\r\n"),
            PasvStyle::Pasv { advertised_ip } => {
                let [a, b, c, d] = advertised_ip.unwrap_or(Ipv4Addr::LOCALHOST).octets();
                format!(
                    "227 Entering Passive Mode ({a},{b},{c},{d},{},{}).\r\n",
                    port >> 8,
                    port & 0xff
                )
            }
        };
        self.pasv_listener = Some(listener);
        let clock = self.clock();
        let c = self.control()?;
        clock.write(c, reply.as_bytes(), "sending the passive reply")
    }

    fn connect_to_client(&mut self, source_ip: Option<IpAddr>) -> StepResult {
        let line = self
            .log
            .lines
            .iter()
            .rev()
            .find(|l| {
                let upper = l.to_ascii_uppercase();
                upper.starts_with(b"EPRT ") || upper.starts_with(b"PORT ")
            })
            .cloned();
        let Some(line) = line else {
            return Err(Failure::NoActiveAddress { line: None });
        };
        let target = parse_active_address(&line).ok_or_else(|| Failure::NoActiveAddress {
            line: Some(line.clone()),
        })?;
        if !target.ip().is_loopback() {
            return Err(Failure::NotLoopback(target));
        }
        let source = source_ip.unwrap_or(match target {
            SocketAddr::V4(_) if self.local_ip.is_ipv4() => self.local_ip,
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        });
        let socket = socket2::Socket::new(
            socket2::Domain::for_address(target),
            socket2::Type::STREAM,
            Some(socket2::Protocol::TCP),
        )
        .map_err(|e| io_failure("creating the active-mode socket", e))?;
        socket
            .bind(&SocketAddr::new(source, 0).into())
            .map_err(|e| io_failure(&format!("binding the active-mode socket to {source}"), e))?;
        let left = self.remaining()?;
        match socket.connect_timeout(&target.into(), left) {
            Ok(()) => {}
            Err(e) if is_timeout(&e) => return Err(self.deadline_failure()),
            Err(e) => {
                return Err(io_failure(
                    &format!("connecting to the client at {target}"),
                    e,
                ));
            }
        }
        let stream: TcpStream = socket.into();
        self.log.data_peers.push(target);
        self.data = Some(Conn::Plain(stream));
        Ok(())
    }

    fn send_until_closed(&mut self, chunk: &[u8], max_bytes: u64) -> StepResult {
        let mut sent: u64 = 0;
        let result = loop {
            if sent >= max_bytes || chunk.is_empty() {
                break Ok(());
            }
            let room = usize::try_from(max_bytes - sent).unwrap_or(usize::MAX);
            let piece = &chunk[..chunk.len().min(room)];
            let left = match self.remaining() {
                Ok(l) => l,
                Err(f) => break Err(f),
            };
            let d = match self.data() {
                Ok(d) => d,
                Err(f) => break Err(f),
            };
            if let Err(e) = d.set_timeouts(left) {
                break Err(io_failure("sending on the data connection", e));
            }
            match d.write(piece) {
                Ok(n) => sent += n as u64,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => break Err(self.deadline_failure()),
                // The client closed the data connection: that is the point of this step.
                Err(_) => break Ok(()),
            }
        };
        self.log.data_sent.push(sent);
        result
    }

    fn data_expect(&mut self, expected: &[u8]) -> StepResult {
        let limit = expected.len() + DATA_EXPECT_SLACK;
        let mut got = Vec::with_capacity(expected.len().min(1 << 20));
        let mut buf = vec![0u8; CHUNK];
        loop {
            let clock = self.clock();
            let d = self.data()?;
            match clock.read(d, &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.len() > limit {
                        break;
                    }
                }
                Err(e) if is_timeout(&e) => return Err(self.deadline_failure()),
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                    return Err(Failure::NoCloseNotify);
                }
                Err(e) => return Err(io_failure("reading the data connection", e)),
            }
        }
        self.data = None;
        let first_difference = expected
            .iter()
            .zip(got.iter())
            .take_while(|(a, b)| a == b)
            .count();
        let ok = got == expected;
        let got_len = got.len();
        self.log.data_received.push(got);
        if ok {
            Ok(())
        } else {
            Err(Failure::DataMismatch {
                expected_len: expected.len(),
                got_len,
                first_difference,
            })
        }
    }

    fn data_expect_all(&mut self) -> StepResult {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        let mut len: u64 = 0;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let clock = self.clock();
            let d = self.data()?;
            match clock.read(d, &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    ctx.update(&buf[..n]);
                    len += n as u64;
                }
                Err(e) if is_timeout(&e) => return Err(self.deadline_failure()),
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                    return Err(Failure::NoCloseNotify);
                }
                Err(e) => return Err(io_failure("reading the data connection", e)),
            }
        }
        self.data = None;
        let mut sha256 = [0u8; 32];
        sha256.copy_from_slice(ctx.finish().as_ref());
        self.log.data_summaries.push(DataSummary { len, sha256 });
        Ok(())
    }
}

/// The address in a `PORT h1,h2,h3,h4,p1,p2` or `EPRT |af|addr|port|` line (CRLF allowed).
pub(super) fn parse_active_address(line: &[u8]) -> Option<SocketAddr> {
    let text = std::str::from_utf8(line)
        .ok()?
        .trim_end_matches(['\r', '\n']);
    let (verb, arg) = text.split_once(' ')?;
    if verb.eq_ignore_ascii_case("PORT") {
        let nums: Vec<u8> = arg
            .trim()
            .split(',')
            .map(|n| n.trim().parse().ok())
            .collect::<Option<_>>()?;
        let [a, b, c, d, p1, p2] = nums.as_slice() else {
            return None;
        };
        let ip = Ipv4Addr::new(*a, *b, *c, *d);
        return Some(SocketAddr::new(
            ip.into(),
            u16::from(*p1) << 8 | u16::from(*p2),
        ));
    }
    if verb.eq_ignore_ascii_case("EPRT") {
        let arg = arg.trim();
        let delim = arg.chars().next()?;
        let parts: Vec<&str> = arg.split(delim).collect();
        // "|1|127.0.0.1|5282|" splits into ["", "1", "127.0.0.1", "5282", ""].
        let ["", af, addr, port, ""] = parts.as_slice() else {
            return None;
        };
        let port: u16 = port.parse().ok()?;
        let ip: IpAddr = match *af {
            "1" => IpAddr::V4(addr.parse().ok()?),
            "2" => IpAddr::V6(addr.parse().ok()?),
            _ => return None,
        };
        return Some(SocketAddr::new(ip, port));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse_active_address;
    use std::net::SocketAddr;

    fn addr(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn port_line_parses() {
        assert_eq!(
            parse_active_address(b"PORT 127,0,0,1,4,1\r\n"),
            addr("127.0.0.1:1025")
        );
    }

    #[test]
    fn eprt_ipv4_and_ipv6_lines_parse() {
        assert_eq!(
            parse_active_address(b"EPRT |1|127.0.0.1|5282|\r\n"),
            addr("127.0.0.1:5282")
        );
        assert_eq!(
            parse_active_address(b"eprt !2!::1!80!\r\n"),
            addr("[::1]:80")
        );
    }

    #[test]
    fn malformed_active_lines_are_refused() {
        for line in [
            &b"PORT 127,0,0,1,4\r\n"[..],
            b"PORT 127,0,0,1,4,256\r\n",
            b"EPRT |3|127.0.0.1|1|\r\n",
            b"EPRT |1|::1|1|\r\n",
            b"EPRT |1|127.0.0.1|99999|\r\n",
            b"NOOP\r\n",
        ] {
            assert_eq!(parse_active_address(line), None, "{line:?}");
        }
    }
}
