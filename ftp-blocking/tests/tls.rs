//! TLS against a local rustls server on loopback: verification, session reuse of data
//! connections on TLS 1.3 and 1.2 (downloads and write-only uploads), CCC, close_notify.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use ftp_blocking::error::TransportError;
use ftp_blocking::tls::{
    ControlConnection, DataConnection, TlsConfig, TlsSession, is_missing_close_notify,
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{
    HandshakeKind, ServerConfig, ServerConnection, StreamOwned, SupportedProtocolVersion,
};

const T: Duration = Duration::from_secs(30);

struct Pki {
    ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
}

/// A CA and a leaf for `names`, signed by it.
fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        chain: vec![leaf.der().clone(), ca.der().clone()],
        key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()),
    }
}

/// A self-signed certificate for `localhost` (no CA).
fn self_signed() -> (Vec<CertificateDer<'static>>, PrivatePkcs8KeyDer<'static>) {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    (
        vec![c.cert.der().clone()],
        PrivatePkcs8KeyDer::from(c.signing_key.serialize_der()),
    )
}

#[derive(Clone, Copy, Debug)]
enum Tickets {
    /// Stateless tickets (as OpenSSL-based servers issue by default).
    Stateless,
    /// No ticketer: TLS 1.2 session ids, TLS 1.3 single-use stateful tickets.
    Stateful,
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
    version: &'static SupportedProtocolVersion,
    tickets: Tickets,
) -> Arc<ServerConfig> {
    let mut cfg =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(&[version])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, PrivateKeyDer::Pkcs8(key))
            .unwrap();
    if let Tickets::Stateless = tickets {
        cfg.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    }
    Arc::new(cfg)
}

fn client_for(pki: &Pki) -> TlsConfig {
    TlsConfig::builder()
        .add_ca_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap()
}

fn server_accept(
    l: &TcpListener,
    cfg: &Arc<ServerConfig>,
) -> StreamOwned<ServerConnection, TcpStream> {
    let (mut tcp, _) = l.accept().unwrap();
    tcp.set_read_timeout(Some(T)).unwrap();
    let mut conn = ServerConnection::new(cfg.clone()).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).unwrap();
    }
    StreamOwned::new(conn, tcp)
}

const PAYLOAD: usize = 100_000;

/// One control connection and `n` data connections; `upload(i)` says whether connection i is
/// an upload (the client only writes). Returns each data connection's handshake kind as
/// the client saw it and as the server saw it.
fn data_connections(
    version: &'static SupportedProtocolVersion,
    tickets: Tickets,
    n: usize,
    upload: fn(usize) -> bool,
) -> Vec<(Option<HandshakeKind>, Option<HandshakeKind>)> {
    data_connections_ending(version, tickets, n, upload, true)
}

/// As `data_connections`; with `finish_uploads` false an upload is dropped after its last
/// write instead of ending with `DataConnection::finish`.
fn data_connections_ending(
    version: &'static SupportedProtocolVersion,
    tickets: Tickets,
    n: usize,
    upload: fn(usize) -> bool,
    finish_uploads: bool,
) -> Vec<(Option<HandshakeKind>, Option<HandshakeKind>)> {
    let pki = pki(&["localhost"]);
    let scfg = server_config(pki.chain.clone(), pki.key.clone_key(), version, tickets);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let mut control = server_accept(&l, &scfg);
        control.write_all(b"220 ready\r\n").unwrap();
        control.flush().unwrap();
        let mut kinds = Vec::new();
        for i in 0..n {
            let mut data = server_accept(&l, &scfg);
            kinds.push(data.conn.handshake_kind());
            if upload(i) && !finish_uploads {
                let mut got = Vec::new();
                let _ = data.read_to_end(&mut got);
            } else if upload(i) {
                let mut got = Vec::new();
                data.read_to_end(&mut got).unwrap(); // ends at the client's close_notify
                assert_eq!(got.len(), PAYLOAD);
                data.conn.send_close_notify();
                data.flush().unwrap();
            } else {
                data.write_all(&vec![b'd'; PAYLOAD]).unwrap();
                data.conn.send_close_notify();
                data.flush().unwrap();
                let mut rest = Vec::new();
                let _ = data.read_to_end(&mut rest);
            }
        }
        kinds
    });
    let session = client_for(&pki).session("localhost").unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    let mut control = BufReader::new(ControlConnection::implicit(tcp, &session, T).unwrap());
    let mut greeting = String::new();
    control.read_line(&mut greeting).unwrap();
    assert_eq!(greeting, "220 ready\r\n");
    let mut client_kinds = Vec::new();
    for i in 0..n {
        let tcp = TcpStream::connect(addr).unwrap();
        let mut data = DataConnection::secure(tcp, &session, T).unwrap();
        data.set_idle_timeout(T).unwrap();
        client_kinds.push(data.handshake_kind());
        if upload(i) {
            data.write_all(&vec![b'u'; PAYLOAD]).unwrap();
            if !finish_uploads {
                data.flush().unwrap();
                continue;
            }
        } else {
            let mut got = Vec::new();
            data.read_to_end(&mut got).unwrap();
            assert_eq!(got.len(), PAYLOAD);
        }
        data.finish(T).unwrap();
    }
    let server_kinds = server.join().unwrap();
    client_kinds.into_iter().zip(server_kinds).collect()
}

fn assert_all_resumed(kinds: &[(Option<HandshakeKind>, Option<HandshakeKind>)]) {
    for (i, k) in kinds.iter().enumerate() {
        assert_eq!(
            *k,
            (Some(HandshakeKind::Resumed), Some(HandshakeKind::Resumed)),
            "data connection {} of {} did not resume",
            i + 1,
            kinds.len()
        );
    }
}

fn all_uploads(_: usize) -> bool {
    true
}
fn mixed(i: usize) -> bool {
    i % 3 != 1
}
fn all_downloads(_: usize) -> bool {
    false
}

macro_rules! resumption_tests {
    ($($name:ident: $version:expr, $tickets:expr, $pattern:expr;)*) => { $(
        #[test]
        fn $name() {
            assert_all_resumed(&data_connections(&$version, $tickets, 20, $pattern));
        }
    )* };
}

resumption_tests! {
    tls13_twenty_write_only_uploads_all_resume: rustls::version::TLS13, Tickets::Stateless, all_uploads;
    tls13_twenty_mixed_transfers_all_resume: rustls::version::TLS13, Tickets::Stateless, mixed;
    tls13_twenty_downloads_all_resume: rustls::version::TLS13, Tickets::Stateless, all_downloads;
    tls13_single_use_tickets_twenty_uploads_all_resume: rustls::version::TLS13, Tickets::Stateful, all_uploads;
    tls12_session_id_twenty_write_only_uploads_all_resume: rustls::version::TLS12, Tickets::Stateful, all_uploads;
    tls12_session_id_twenty_mixed_transfers_all_resume: rustls::version::TLS12, Tickets::Stateful, mixed;
    tls12_tickets_twenty_mixed_transfers_all_resume: rustls::version::TLS12, Tickets::Stateless, mixed;
}

#[test]
fn tls13_uploads_that_skip_finish_never_read_their_tickets_and_run_the_pool_dry() {
    // Why `finish` reads after an upload: without it only the control connection's two
    // tickets exist, and the third upload cannot resume.
    let kinds = data_connections_ending(
        &rustls::version::TLS13,
        Tickets::Stateless,
        3,
        all_uploads,
        false,
    );
    let client: Vec<_> = kinds.iter().map(|k| k.0).collect();
    assert_eq!(
        client,
        [
            Some(HandshakeKind::Resumed),
            Some(HandshakeKind::Resumed),
            Some(HandshakeKind::Full)
        ]
    );
}

/// Runs a server that completes (or fails) one handshake with `cfg`; returns the client's
/// handshake result.
fn handshake_with(
    cfg: Arc<ServerConfig>,
    client: &TlsConfig,
    host: &str,
) -> Result<(), TransportError> {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut tcp, _) = l.accept().unwrap();
        tcp.set_read_timeout(Some(T)).unwrap();
        let mut conn = ServerConnection::new(cfg).unwrap();
        while conn.is_handshaking() {
            if conn.complete_io(&mut tcp).is_err() {
                return;
            }
        }
        let _ = conn.complete_io(&mut tcp);
    });
    let session = client.session(host)?;
    let tcp = TcpStream::connect(addr).unwrap();
    let r = ControlConnection::implicit(tcp, &session, T).map(drop);
    server.join().unwrap();
    r
}

fn assert_certificate_refused(r: Result<(), TransportError>, what: &str) {
    match r {
        Err(TransportError::Tls(rustls::Error::InvalidCertificate(_))) => {}
        other => panic!("{what}: expected an invalid-certificate error, got {other:?}"),
    }
}

#[test]
fn certificate_for_another_name_is_refused() {
    let pki = pki(&["other.example"]);
    let cfg = server_config(
        pki.chain.clone(),
        pki.key.clone_key(),
        &rustls::version::TLS13,
        Tickets::Stateless,
    );
    assert_certificate_refused(
        handshake_with(cfg, &client_for(&pki), "localhost"),
        "wrong name",
    );
}

#[test]
fn certificate_for_the_right_name_and_a_trusted_ca_is_accepted() {
    let pki = pki(&["localhost"]);
    let cfg = server_config(
        pki.chain.clone(),
        pki.key.clone_key(),
        &rustls::version::TLS13,
        Tickets::Stateless,
    );
    handshake_with(cfg, &client_for(&pki), "localhost").unwrap();
}

#[test]
fn self_signed_certificate_is_refused_by_default() {
    let (chain, key) = self_signed();
    let cfg = server_config(chain, key, &rustls::version::TLS13, Tickets::Stateless);
    // System roots plus an unrelated CA (so the config builds on a machine without roots).
    let client = client_for(&pki(&["unrelated"]));
    assert_certificate_refused(handshake_with(cfg, &client, "localhost"), "self-signed");
}

#[test]
fn self_signed_certificate_is_accepted_with_the_danger_opt_in() {
    let (chain, key) = self_signed();
    let cfg = server_config(chain, key, &rustls::version::TLS12, Tickets::Stateless);
    let client = TlsConfig::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    handshake_with(cfg, &client, "anything.example").unwrap();
}

#[test]
fn ca_file_is_read_from_disk() {
    let pki = pki(&["localhost"]);
    let path = std::env::temp_dir().join(format!("ftp-blocking-ca-{}.pem", std::process::id()));
    std::fs::write(&path, &pki.ca_pem).unwrap();
    let client = TlsConfig::builder()
        .system_roots(false)
        .add_ca_file(&path)
        .unwrap()
        .build()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    let cfg = server_config(
        pki.chain.clone(),
        pki.key.clone_key(),
        &rustls::version::TLS13,
        Tickets::Stateless,
    );
    handshake_with(cfg, &client, "localhost").unwrap();
}

#[test]
fn no_trust_anchor_at_all_is_refused_when_building() {
    // The builder lives in ftp-support now: its error converts without losing the variant.
    let r = TlsConfig::builder()
        .system_roots(false)
        .build()
        .map_err(TransportError::from);
    assert!(matches!(r, Err(TransportError::Certificate(_))), "{r:?}");
}

#[test]
fn pem_without_certificate_is_refused() {
    let r = TlsConfig::builder()
        .add_ca_pem(b"not a pem file")
        .map_err(TransportError::from);
    assert!(matches!(r, Err(TransportError::Certificate(_))), "{r:?}");
}

/// Reads exactly one TLS record from `tcp` and gives it to `conn` (the test server must not
/// read the client's plain text after CCC into its TLS layer either).
fn server_read_record(tcp: &mut TcpStream, conn: &mut ServerConnection) {
    let mut header = [0u8; 5];
    tcp.read_exact(&mut header).unwrap();
    let len = u16::from_be_bytes([header[3], header[4]]) as usize;
    let mut record = header.to_vec();
    record.resize(5 + len, 0);
    tcp.read_exact(&mut record[5..]).unwrap();
    let mut slice = &record[..];
    while !slice.is_empty() {
        conn.read_tls(&mut slice).unwrap();
    }
    conn.process_new_packets().unwrap();
}

fn server_read_tls_line(tcp: &mut TcpStream, conn: &mut ServerConnection) -> String {
    let mut line = Vec::new();
    loop {
        let mut b = [0u8; 1];
        match conn.reader().read(&mut b) {
            Ok(1) => {
                line.push(b[0]);
                if b[0] == b'\n' {
                    return String::from_utf8(line).unwrap();
                }
            }
            Ok(_) => panic!("EOF in a line"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => server_read_record(tcp, conn),
            Err(e) => panic!("{e}"),
        }
    }
}

/// Writes `bytes` under TLS, then close_notify, then `then_plain` unencrypted, in one write.
fn server_write_tls_then_close(
    tcp: &mut TcpStream,
    conn: &mut ServerConnection,
    bytes: &[u8],
    then_plain: &[u8],
) {
    conn.writer().write_all(bytes).unwrap();
    conn.send_close_notify();
    let mut out = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut out).unwrap();
    }
    out.extend_from_slice(then_plain);
    tcp.write_all(&out).unwrap();
}

fn read_line(control: &mut ControlConnection) -> String {
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while !line.ends_with(b"\n") {
        assert_eq!(control.read(&mut b).unwrap(), 1, "EOF inside a line");
        line.push(b[0]);
    }
    String::from_utf8(line).unwrap()
}

#[test]
fn explicit_upgrade_then_ccc_continues_in_plain_text_on_the_same_socket() {
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let pki = pki(&["localhost"]);
        let scfg = server_config(
            pki.chain.clone(),
            pki.key.clone_key(),
            version,
            Tickets::Stateless,
        );
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let server = thread::spawn(move || {
            let (mut tcp, _) = l.accept().unwrap();
            tcp.set_read_timeout(Some(T)).unwrap();
            tcp.write_all(b"220 plain hello\r\n").unwrap();
            let mut cmd = [0u8; 10];
            tcp.read_exact(&mut cmd).unwrap();
            assert_eq!(&cmd, b"AUTH TLS\r\n");
            tcp.write_all(b"234 go\r\n").unwrap();
            let mut conn = ServerConnection::new(scfg).unwrap();
            while conn.is_handshaking() {
                if conn.wants_write() {
                    conn.write_tls(&mut tcp).unwrap();
                } else {
                    server_read_record(&mut tcp, &mut conn);
                }
            }
            while conn.wants_write() {
                conn.write_tls(&mut tcp).unwrap();
            }
            assert_eq!(server_read_tls_line(&mut tcp, &mut conn), "CCC\r\n");
            // The reply, close_notify, and (unusually early) plain text in one segment: the
            // client must not swallow the plain text into its TLS layer.
            server_write_tls_then_close(
                &mut tcp,
                &mut conn,
                b"200 CCC ok\r\n",
                b"250 first plain\r\n",
            );
            // The client's close_notify, exactly one record at a time.
            while !conn.process_new_packets().unwrap().peer_has_closed() {
                server_read_record(&mut tcp, &mut conn);
            }
            let mut cmd = [0u8; 6];
            tcp.read_exact(&mut cmd).unwrap();
            assert_eq!(&cmd, b"NOOP\r\n");
            tcp.write_all(b"200 plain again\r\n").unwrap();
        });
        let tls = client_for(&pki);
        let session: TlsSession = tls.session("localhost").unwrap();
        let mut control = ControlConnection::plain(TcpStream::connect(addr).unwrap());
        assert_eq!(read_line(&mut control), "220 plain hello\r\n");
        control.write_all(b"AUTH TLS\r\n").unwrap();
        assert_eq!(read_line(&mut control), "234 go\r\n");
        control.upgrade(&session, T).unwrap();
        assert!(control.is_tls());
        control.write_all(b"CCC\r\n").unwrap();
        assert_eq!(read_line(&mut control), "200 CCC ok\r\n");
        control.downgrade(T).unwrap();
        assert!(!control.is_tls());
        assert_eq!(read_line(&mut control), "250 first plain\r\n");
        control.write_all(b"NOOP\r\n").unwrap();
        assert_eq!(read_line(&mut control), "200 plain again\r\n");
        server.join().unwrap();
    }
}

/// A server that sends `PAYLOAD` bytes on one data connection, then closes with or without
/// close_notify; returns what the client's read loop ended with.
fn download_ending(with_close_notify: bool) -> (Vec<u8>, std::io::Result<()>) {
    let pki = pki(&["localhost"]);
    let scfg = server_config(
        pki.chain.clone(),
        pki.key.clone_key(),
        &rustls::version::TLS13,
        Tickets::Stateless,
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let mut data = server_accept(&l, &scfg);
        data.write_all(&vec![b'x'; PAYLOAD]).unwrap();
        if with_close_notify {
            data.conn.send_close_notify();
        }
        data.flush().unwrap();
        data.sock.shutdown(std::net::Shutdown::Write).unwrap();
        let mut rest = Vec::new();
        let _ = data.sock.read_to_end(&mut rest);
    });
    let session = client_for(&pki).session("localhost").unwrap();
    let mut data = DataConnection::secure(TcpStream::connect(addr).unwrap(), &session, T).unwrap();
    data.set_idle_timeout(T).unwrap();
    let mut got = Vec::new();
    let r = data.read_to_end(&mut got).map(drop);
    data.finish(T).unwrap();
    server.join().unwrap();
    (got, r)
}

#[test]
fn download_with_close_notify_ends_cleanly() {
    let (got, r) = download_ending(true);
    r.unwrap();
    assert_eq!(got.len(), PAYLOAD);
}

#[test]
fn download_without_close_notify_is_reported_distinctly() {
    let (got, r) = download_ending(false);
    let e = r.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
    assert!(is_missing_close_notify(&e), "{e:?}");
    assert_eq!(got.len(), PAYLOAD, "the bytes before the cut are delivered");
    match TransportError::from_io(e) {
        TransportError::MissingCloseNotify { bytes } => assert_eq!(bytes, PAYLOAD as u64),
        other => panic!("{other:?}"),
    }
}

#[test]
fn data_copy_reports_missing_close_notify_as_itself() {
    // Through the data plane's copy loop the error keeps its identity.
    let pki = pki(&["localhost"]);
    let scfg = server_config(
        pki.chain.clone(),
        pki.key.clone_key(),
        &rustls::version::TLS12,
        Tickets::Stateless,
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let mut data = server_accept(&l, &scfg);
        data.write_all(b"partial").unwrap();
        data.flush().unwrap();
    });
    let session = client_for(&pki).session("localhost").unwrap();
    let mut data = DataConnection::secure(TcpStream::connect(addr).unwrap(), &session, T).unwrap();
    data.set_idle_timeout(T).unwrap();
    server.join().unwrap();
    let mut out = Vec::new();
    let r = ftp_blocking::data::copy(&mut data, &mut out, ftp_blocking::data::DataOptions::new(T));
    assert!(
        matches!(r, Err(TransportError::MissingCloseNotify { bytes: 7 })),
        "{r:?}"
    );
    assert_eq!(out, b"partial");
}

/// Key updates the server sends, one per `TRICKLE_EVERY`, at most (fewer than the 32 rustls
/// accepts in a row without application data, so the trickle itself never fails the read).
const TRICKLE_RECORDS: usize = 30;
const TRICKLE_EVERY: Duration = Duration::from_millis(100);
/// The read timeout under test: a tenth of the trickle's whole length.
const SHORT: Duration = Duration::from_millis(300);

/// A TLS 1.3 server that, once the handshake is done, sends a KeyUpdate record (no application
/// data) every `TRICKLE_EVERY`, until the client goes away or `TRICKLE_RECORDS` were sent.
fn trickling_server(pki: &Pki) -> (std::net::SocketAddr, thread::JoinHandle<usize>) {
    let scfg = server_config(
        pki.chain.clone(),
        pki.key.clone_key(),
        &rustls::version::TLS13,
        Tickets::Stateless,
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let mut s = server_accept(&l, &scfg);
        let mut sent = 0;
        while sent < TRICKLE_RECORDS {
            thread::sleep(TRICKLE_EVERY);
            if s.conn.refresh_traffic_keys().is_err() {
                break;
            }
            if s.conn.write_tls(&mut s.sock).is_err() {
                break;
            }
            sent += 1;
        }
        sent
    });
    (addr, server)
}

fn assert_timed_out_before_the_trickle_ended(r: std::io::Result<usize>, began: std::time::Instant) {
    let e = r.unwrap_err();
    assert!(
        matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{e:?}"
    );
    // Generous: ten times the timeout, while each record re-arming the wait would take the
    // whole trickle (TRICKLE_RECORDS * TRICKLE_EVERY) plus the timeout.
    let bound = TRICKLE_EVERY * (TRICKLE_RECORDS as u32);
    assert!(began.elapsed() < bound, "read took {:?}", began.elapsed());
}

#[test]
fn control_read_under_tls_ends_at_its_timeout_while_records_without_data_trickle() {
    let pki = pki(&["localhost"]);
    let (addr, server) = trickling_server(&pki);
    let session = client_for(&pki).session("localhost").unwrap();
    let mut control =
        ControlConnection::implicit(TcpStream::connect(addr).unwrap(), &session, T).unwrap();
    control
        .tcp()
        .unwrap()
        .set_read_timeout(Some(SHORT))
        .unwrap();
    let began = std::time::Instant::now();
    let r = control.read(&mut [0u8; 512]);
    assert_timed_out_before_the_trickle_ended(r, began);
    // The socket keeps the timeout it was given.
    assert_eq!(control.tcp().unwrap().read_timeout().unwrap(), Some(SHORT));
    drop(control);
    server.join().unwrap();
}

#[test]
fn data_read_under_tls_ends_at_its_idle_timeout_while_records_without_data_trickle() {
    let pki = pki(&["localhost"]);
    let (addr, server) = trickling_server(&pki);
    let session = client_for(&pki).session("localhost").unwrap();
    let mut data = DataConnection::secure(TcpStream::connect(addr).unwrap(), &session, T).unwrap();
    data.set_idle_timeout(SHORT).unwrap();
    let began = std::time::Instant::now();
    let r = data.read(&mut [0u8; 512]);
    assert_timed_out_before_the_trickle_ended(r, began);
    assert_eq!(data.tcp().read_timeout().unwrap(), Some(SHORT));
    drop(data);
    server.join().unwrap();
}
