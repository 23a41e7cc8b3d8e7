//! Sockets: the control connection (with a timeout that also bounds name resolution) and the
//! data connections of passive and active mode.
//!
//! - [`connect`] resolves a host name and connects to the first address that answers, every
//!   resolved address (IPv6 and IPv4) tried in the resolver's order within one overall deadline.
//!   Name resolution runs on a helper thread because `getaddrinfo` has no timeout: when the
//!   deadline passes first, `connect` returns [`Wait::Resolve`] at once and **the helper thread
//!   lives on until the resolver returns** (then it exits; it holds nothing of the caller).
//!   The control socket gets `TCP_NODELAY` (each command is one small write; without it a
//!   reply can wait for a delayed ACK) and TCP keepalive ([`KEEPALIVE_IDLE`],
//!   [`KEEPALIVE_INTERVAL`], [`KEEPALIVE_RETRIES`]) so that the quiet control connection of a
//!   long transfer is not dropped by an idle NAT or firewall.
//! - [`connect_data`] opens a passive-mode data connection, [`listen_data`] binds an active-mode
//!   listener on port 0 of a given address and [`accept_data`] waits for the server's
//!   connection with a deadline (with `poll(2)`, no busy loop), optionally cancellable.
//! - Every timeout must be non-zero: a zero timeout is refused with
//!   [`TransportError::ZeroTimeout`], as Python's ftplib refuses it.
//!
//! ```no_run
//! use ftp_blocking::net;
//! use std::time::Duration;
//!
//! let control = net::connect("localhost", 21, Duration::from_secs(30), None)?;
//! println!("connected to {}", control.peer_addr()?);
//! # Ok::<(), ftp_blocking::error::TransportError>(())
//! ```

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};

use crate::error::{TransportError, Wait, check_timeout};

/// Idle time before the first TCP keepalive probe on the control connection.
///
/// Two minutes is well below the idle timeouts of common NATs and stateful firewalls (often
/// 5 to 15 minutes; some cloud load balancers 350 s) and sends next to nothing.
pub const KEEPALIVE_IDLE: Duration = Duration::from_secs(120);
/// Interval between unanswered keepalive probes.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Unanswered probes before the kernel declares the connection dead.
pub const KEEPALIVE_RETRIES: u32 = 4;

/// Longest single `poll(2)` wait in [`accept_data`] while a cancellation flag is watched: the
/// flag is seen at most this late. Without a flag the wait is one `poll` for the whole timeout.
pub const CANCEL_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Resolves `host` (a name, or an IPv4/IPv6 literal, IPv6 optionally in brackets) to socket
/// addresses, waiting at most `timeout`.
///
/// A literal address is returned without any lookup. A name is resolved on a helper thread;
/// if `timeout` passes first this returns [`TransportError::Timeout`] with [`Wait::Resolve`]
/// and the thread finishes in the background when the system resolver returns.
///
/// ```
/// use ftp_blocking::net::resolve;
/// use std::time::Duration;
///
/// let addrs = resolve("[::1]", 21, Duration::from_secs(5))?;
/// assert_eq!(addrs, vec!["[::1]:21".parse().unwrap()]);
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn resolve(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<Vec<SocketAddr>, TransportError> {
    check_timeout("connect", timeout)?;
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::sync_channel(1);
    let name = bare.to_owned();
    std::thread::Builder::new()
        .name("ftp-resolve".into())
        .spawn(move || {
            let result = (name.as_str(), port)
                .to_socket_addrs()
                .map(|it| it.collect::<Vec<_>>());
            // The receiver may be gone after a timeout: nothing to do then.
            let _ = tx.send(result);
        })?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) if addrs.is_empty() => Err(TransportError::NoAddress {
            host: host.to_owned(),
            reason: String::new(),
        }),
        Ok(Ok(addrs)) => Ok(addrs),
        Ok(Err(e)) => Err(TransportError::Io(e)),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TransportError::Timeout {
            wait: Wait::Resolve,
            after: timeout,
        }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(TransportError::Io(io::Error::other(
            "the resolver thread ended without an answer",
        ))),
    }
}

/// Opens the control connection: resolves `host`, then tries every address within `timeout`
/// (resolution included), binding `source_address` first when given (only addresses of its
/// family are tried then). Sets `TCP_NODELAY` and TCP keepalive.
///
/// Each attempt gets an equal share of the time left, the last one all of it, so one address
/// that drops packets does not eat the whole budget; a refused address passes on at once.
/// The returned stream is blocking with no read or write timeout set.
///
/// ```no_run
/// use ftp_blocking::net::connect;
/// use std::time::Duration;
///
/// let source = Some("127.0.0.1:0".parse().unwrap());
/// let control = connect("localhost", 2121, Duration::from_secs(10), source)?;
/// assert!(control.nodelay()?);
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn connect(
    host: &str,
    port: u16,
    timeout: Duration,
    source_address: Option<SocketAddr>,
) -> Result<TcpStream, TransportError> {
    check_timeout("connect", timeout)?;
    let deadline = crate::error::deadline_after(timeout);
    let mut addrs = resolve(host, port, timeout)?;
    if let Some(src) = source_address {
        addrs.retain(|a| a.is_ipv4() == src.is_ipv4());
        if addrs.is_empty() {
            return Err(TransportError::NoAddress {
                host: host.to_owned(),
                reason: format!(": none of the family of the source address {src}"),
            });
        }
    }
    let stream = connect_any(&addrs, deadline, timeout, source_address)?;
    configure_control(&stream)?;
    Ok(stream)
}

/// Sets `TCP_NODELAY` and keepalive ([`KEEPALIVE_IDLE`], [`KEEPALIVE_INTERVAL`],
/// [`KEEPALIVE_RETRIES`]) on a control socket. [`connect`] does it already; this is for a
/// socket made elsewhere.
///
/// ```no_run
/// # let stream = std::net::TcpStream::connect("127.0.0.1:21")?;
/// ftp_blocking::net::configure_control(&stream)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn configure_control(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let keepalive = TcpKeepalive::new()
        .with_time(KEEPALIVE_IDLE)
        .with_interval(KEEPALIVE_INTERVAL)
        .with_retries(KEEPALIVE_RETRIES);
    SockRef::from(stream).set_tcp_keepalive(&keepalive)
}

fn connect_any(
    addrs: &[SocketAddr],
    deadline: Instant,
    timeout: Duration,
    source: Option<SocketAddr>,
) -> Result<TcpStream, TransportError> {
    let mut last_err = None;
    for (i, addr) in addrs.iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let remaining_addrs = (addrs.len() - i) as u32;
        let share = if remaining_addrs > 1 {
            (left / remaining_addrs).max(Duration::from_millis(1))
        } else {
            left
        };
        match connect_one(*addr, share, source) {
            Ok(s) => return Ok(s),
            Err(e) => last_err = Some(e),
        }
    }
    match last_err {
        // The deadline is what ended the search when the last attempt timed out.
        Some(e) if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock => {
            Err(TransportError::Timeout {
                wait: Wait::Connect,
                after: timeout,
            })
        }
        Some(e) => Err(TransportError::Io(e)),
        None => Err(TransportError::Timeout {
            wait: Wait::Connect,
            after: timeout,
        }),
    }
}

fn connect_one(
    addr: SocketAddr,
    timeout: Duration,
    source: Option<SocketAddr>,
) -> io::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if let Some(src) = source {
        socket.bind(&src.into())?;
    }
    socket.connect_timeout(&addr.into(), timeout)?;
    Ok(socket.into())
}

/// Opens a passive-mode data connection to `addr` within `timeout`, from `source_ip` (port 0)
/// when given.
///
/// ```no_run
/// use ftp_blocking::net::connect_data;
/// use std::time::Duration;
///
/// let data = connect_data("127.0.0.1:30001".parse().unwrap(), Duration::from_secs(30), None)?;
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn connect_data(
    addr: SocketAddr,
    timeout: Duration,
    source_ip: Option<IpAddr>,
) -> Result<TcpStream, TransportError> {
    check_timeout("data connect", timeout)?;
    let source = source_ip.map(|ip| SocketAddr::new(ip, 0));
    connect_one(addr, timeout, source)
        .map_err(|e| TransportError::from_socket(e, Wait::Connect, timeout))
}

/// Binds an active-mode listener on `ip`, port 0 (the kernel picks a free port), backlog 1.
/// Announce `listener.local_addr()` with `PORT`/`EPRT`.
///
/// ```
/// use ftp_blocking::net::listen_data;
///
/// let listener = listen_data("127.0.0.1".parse().unwrap())?;
/// assert_ne!(listener.local_addr()?.port(), 0);
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn listen_data(ip: IpAddr) -> Result<TcpListener, TransportError> {
    let addr = SocketAddr::new(ip, 0);
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.bind(&addr.into())?;
    socket.listen(1)?;
    Ok(socket.into())
}

/// Waits up to `timeout` for one connection on `listener` and returns it (blocking mode, no
/// timeouts set) with the peer's address. Checking that the peer is the server is the
/// protocol core's decision (it answers with `AcceptData`/`RejectDataPeer`).
///
/// With `cancel`, the flag is checked every [`CANCEL_POLL_INTERVAL`] and a set flag ends the
/// wait with [`TransportError::Cancelled`]. The wait sleeps in `poll(2)`; it never spins.
///
/// ```
/// use ftp_blocking::net::{accept_data, listen_data};
/// use std::time::Duration;
///
/// let listener = listen_data("127.0.0.1".parse().unwrap())?;
/// let client = std::net::TcpStream::connect(listener.local_addr()?)?;
/// let (server_side, peer) = accept_data(&listener, Duration::from_secs(5), None)?;
/// assert_eq!(peer, client.local_addr()?);
/// # drop(server_side);
/// # Ok::<(), ftp_blocking::error::TransportError>(())
/// ```
pub fn accept_data(
    listener: &TcpListener,
    timeout: Duration,
    cancel: Option<&AtomicBool>,
) -> Result<(TcpStream, SocketAddr), TransportError> {
    check_timeout("data accept", timeout)?;
    let deadline = crate::error::deadline_after(timeout);
    listener.set_nonblocking(true)?;
    let result = accept_loop(listener, deadline, timeout, cancel);
    // Leave the listener as we found it (blocking) whatever happened.
    let restore = listener.set_nonblocking(false);
    let (stream, peer) = result?;
    restore?;
    stream.set_nonblocking(false)?;
    Ok((stream, peer))
}

fn accept_loop(
    listener: &TcpListener,
    deadline: Instant,
    timeout: Duration,
    cancel: Option<&AtomicBool>,
) -> Result<(TcpStream, SocketAddr), TransportError> {
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::Acquire)) {
            return Err(TransportError::Cancelled);
        }
        match listener.accept() {
            Ok(pair) => return Ok(pair),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // A connection that was reset before we took it: keep waiting for the next one.
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(TransportError::Io(e)),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(TransportError::Timeout {
                wait: Wait::Accept,
                after: timeout,
            });
        }
        let slice = if cancel.is_some() {
            left.min(CANCEL_POLL_INTERVAL)
        } else {
            left
        };
        wait_readable(listener, slice)?;
    }
}

/// Sleeps in `poll(2)` until `fd` is readable or `wait` passes (rounded up to a millisecond).
fn wait_readable(fd: &impl std::os::fd::AsFd, wait: Duration) -> Result<(), TransportError> {
    let ts = Timespec {
        tv_sec: wait.as_secs().try_into().unwrap_or(i64::MAX),
        tv_nsec: wait.subsec_nanos().into(),
    };
    let mut fds = [PollFd::new(fd, PollFlags::IN)];
    match poll(&mut fds, Some(&ts)) {
        Ok(_) => Ok(()),
        Err(rustix::io::Errno::INTR) => Ok(()),
        Err(e) => Err(TransportError::Io(e.into())),
    }
}

/// Sets the kernel send and receive buffer sizes of a data socket (`SO_SNDBUF`,
/// `SO_RCVBUF`). Setting them switches off Linux's buffer auto-tuning for that socket; the
/// [`data`](crate::data) module documents whether it pays on loopback (it is not set by
/// default).
///
/// ```
/// # let l = std::net::TcpListener::bind("127.0.0.1:0")?;
/// # let s = std::net::TcpStream::connect(l.local_addr()?)?;
/// ftp_blocking::net::set_buffer_sizes(&s, 4 << 20)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn set_buffer_sizes(stream: &TcpStream, bytes: usize) -> io::Result<()> {
    let sock = SockRef::from(stream);
    sock.set_send_buffer_size(bytes)?;
    sock.set_recv_buffer_size(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_connect_timeout_is_refused() {
        assert!(matches!(
            connect("127.0.0.1", 1, Duration::ZERO, None),
            Err(TransportError::ZeroTimeout { .. })
        ));
    }

    #[test]
    fn zero_accept_timeout_is_refused() {
        let l = listen_data("127.0.0.1".parse().unwrap()).unwrap();
        assert!(matches!(
            accept_data(&l, Duration::ZERO, None),
            Err(TransportError::ZeroTimeout { .. })
        ));
    }

    #[test]
    fn zero_data_connect_timeout_is_refused() {
        assert!(matches!(
            connect_data("127.0.0.1:1".parse().unwrap(), Duration::ZERO, None),
            Err(TransportError::ZeroTimeout { .. })
        ));
    }

    #[test]
    fn connect_sets_nodelay_and_keepalive() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let s = connect("127.0.0.1", port, Duration::from_secs(10), None).unwrap();
        assert!(s.nodelay().unwrap());
        let sock = SockRef::from(&s);
        assert!(sock.keepalive().unwrap());
        assert_eq!(sock.tcp_keepalive_time().unwrap(), KEEPALIVE_IDLE);
        assert_eq!(sock.tcp_keepalive_interval().unwrap(), KEEPALIVE_INTERVAL);
        assert_eq!(sock.tcp_keepalive_retries().unwrap(), KEEPALIVE_RETRIES);
    }

    #[test]
    fn connect_resolves_localhost_name() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let s = connect(
            "localhost",
            port,
            Duration::from_secs(10),
            Some("127.0.0.1:0".parse().unwrap()),
        )
        .unwrap();
        assert_eq!(s.peer_addr().unwrap(), l.local_addr().unwrap());
    }

    #[test]
    fn connect_binds_the_source_address() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        // A free source port on another loopback address of 127/8.
        let src_listener = TcpListener::bind("127.0.0.2:0").unwrap();
        let src = src_listener.local_addr().unwrap();
        drop(src_listener);
        let s = connect("127.0.0.1", port, Duration::from_secs(10), Some(src)).unwrap();
        assert_eq!(s.local_addr().unwrap(), src);
    }

    #[test]
    fn connect_tries_the_next_address_after_a_refusal() {
        // The first address refuses (nothing listens there), the second accepts.
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let refused = closed.local_addr().unwrap();
        drop(closed);
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let s = connect_any(
            &[refused, l.local_addr().unwrap()],
            deadline,
            Duration::from_secs(10),
            None,
        )
        .unwrap();
        assert_eq!(s.peer_addr().unwrap(), l.local_addr().unwrap());
    }

    #[test]
    fn connect_reports_the_refusal_when_every_address_refuses() {
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let refused = closed.local_addr().unwrap();
        drop(closed);
        let e = connect("127.0.0.1", refused.port(), Duration::from_secs(10), None).unwrap_err();
        match e {
            TransportError::Io(io) => assert_eq!(io.kind(), io::ErrorKind::ConnectionRefused),
            other => panic!("expected ConnectionRefused, got {other:?}"),
        }
    }

    #[test]
    fn source_of_other_family_leaves_no_address() {
        let e = connect(
            "127.0.0.1",
            21,
            Duration::from_secs(1),
            Some("[::1]:0".parse().unwrap()),
        )
        .unwrap_err();
        assert!(matches!(e, TransportError::NoAddress { .. }), "{e:?}");
    }

    #[test]
    fn resolve_accepts_bracketed_ipv6_and_plain_ipv4_literals() {
        let t = Duration::from_secs(1);
        assert_eq!(
            resolve("[::1]", 21, t).unwrap(),
            vec!["[::1]:21".parse().unwrap()]
        );
        assert_eq!(
            resolve("127.0.0.1", 990, t).unwrap(),
            vec!["127.0.0.1:990".parse().unwrap()]
        );
    }

    #[test]
    fn accept_times_out_with_the_accept_wait() {
        let l = listen_data("127.0.0.1".parse().unwrap()).unwrap();
        let e = accept_data(&l, Duration::from_millis(20), None).unwrap_err();
        assert!(
            matches!(
                e,
                TransportError::Timeout {
                    wait: Wait::Accept,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn accept_ends_with_cancelled_when_the_flag_is_set() {
        let l = listen_data("127.0.0.1".parse().unwrap()).unwrap();
        let flag = std::sync::Arc::new(AtomicBool::new(false));
        let f2 = flag.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            f2.store(true, Ordering::Release);
        });
        let e = accept_data(&l, Duration::from_secs(600), Some(&flag)).unwrap_err();
        t.join().unwrap();
        assert!(matches!(e, TransportError::Cancelled), "{e:?}");
    }

    #[test]
    fn accept_on_ipv6_loopback_returns_the_peer() {
        let l = listen_data("::1".parse().unwrap()).unwrap();
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (_s, peer) = accept_data(&l, Duration::from_secs(10), None).unwrap();
        assert_eq!(peer, c.local_addr().unwrap());
    }

    #[test]
    fn connect_data_uses_the_source_ip() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let s = connect_data(
            l.local_addr().unwrap(),
            Duration::from_secs(10),
            Some("127.0.0.3".parse().unwrap()),
        )
        .unwrap();
        assert_eq!(
            s.local_addr().unwrap().ip(),
            "127.0.0.3".parse::<IpAddr>().unwrap()
        );
    }
}
