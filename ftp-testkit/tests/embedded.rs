//! The embedded libunftp server answering a raw-socket client, and the test certificates
//! checked by a real rustls (ring) client.

use ftp_testkit::embedded::{EmbeddedServer, ServedCert};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);

/// A raw control connection: one reply per call, multi-line replies joined.
struct Control<S: Read + Write> {
    io: BufReader<S>,
}

impl<S: Read + Write> Control<S> {
    fn reply(&mut self) -> String {
        let mut all = String::new();
        let mut line = String::new();
        self.io.read_line(&mut line).unwrap();
        assert!(line.len() >= 4, "short reply line {line:?}");
        let code = line[..3].to_string();
        all.push_str(&line);
        if line.as_bytes()[3] == b'-' {
            loop {
                line.clear();
                self.io.read_line(&mut line).unwrap();
                assert!(!line.is_empty(), "EOF inside a multi-line reply");
                all.push_str(&line);
                if line.starts_with(&format!("{code} ")) {
                    break;
                }
            }
        }
        all
    }

    fn cmd(&mut self, line: &str) -> String {
        self.io
            .get_mut()
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
        self.io.get_mut().flush().unwrap();
        self.reply()
    }
}

fn connect(addr: SocketAddr) -> Control<TcpStream> {
    let s = TcpStream::connect_timeout(&addr, CLIENT_TIMEOUT).unwrap();
    s.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    Control {
        io: BufReader::new(s),
    }
}

fn login<S: Read + Write>(c: &mut Control<S>) {
    assert!(c.cmd("USER tester").starts_with("331 "));
    assert!(c.cmd("PASS anything").starts_with("230 "));
}

fn epsv_addr(reply: &str) -> SocketAddr {
    assert!(reply.starts_with("229 "), "{reply}");
    let start = reply.find("(|||").unwrap() + 4;
    let end = reply[start..].find('|').unwrap() + start;
    SocketAddr::new(
        Ipv4Addr::LOCALHOST.into(),
        reply[start..end].parse().unwrap(),
    )
}

fn data_conn(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, CLIENT_TIMEOUT).unwrap();
    s.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    s
}

#[test]
fn embedded_server_answers_user_pass_pwd() {
    let server = EmbeddedServer::start().unwrap();
    assert!(server.addr().ip().is_loopback());
    let mut c = connect(server.addr());
    let greeting = c.reply();
    assert!(greeting.starts_with("220 "), "{greeting}");
    login(&mut c);
    assert_eq!(c.cmd("PWD"), "257 \"/\"\r\n");
    assert!(c.cmd("QUIT").starts_with("221 "));
}

#[test]
fn embedded_server_lists_its_root_over_passive_data() {
    let server = EmbeddedServer::start().unwrap();
    std::fs::write(server.root().join("listed.txt"), b"0123456789").unwrap();
    let mut c = connect(server.addr());
    c.reply();
    login(&mut c);
    let data_addr = epsv_addr(&c.cmd("EPSV"));
    let mut data = data_conn(data_addr);
    let prelim = c.cmd("LIST");
    assert!(prelim.starts_with("150 "), "{prelim}");
    let mut listing = Vec::new();
    data.read_to_end(&mut listing).unwrap();
    assert!(c.reply().starts_with("226 "));
    let listing = String::from_utf8(listing).unwrap();
    assert!(listing.contains("listed.txt"), "{listing}");
    assert!(listing.contains(" 10 "), "{listing}");
    assert!(listing.ends_with("\r\n"), "{listing:?}");
}

#[test]
fn embedded_server_stores_an_upload_in_its_root() {
    let server = EmbeddedServer::start().unwrap();
    let mut c = connect(server.addr());
    c.reply();
    login(&mut c);
    assert!(c.cmd("TYPE I").starts_with("200 "));
    let mut data = data_conn(epsv_addr(&c.cmd("EPSV")));
    assert!(c.cmd("STOR up.bin").starts_with("150 "));
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    data.write_all(&body).unwrap();
    drop(data);
    assert!(c.reply().starts_with("226 "));
    assert_eq!(std::fs::read(server.root().join("up.bin")).unwrap(), body);
}

#[test]
fn embedded_server_connects_back_for_port_active_mode() {
    let server = EmbeddedServer::start().unwrap();
    std::fs::write(server.root().join("a.txt"), b"active bytes").unwrap();
    let mut c = connect(server.addr());
    c.reply();
    login(&mut c);
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let p = l.local_addr().unwrap().port();
    let port_reply = c.cmd(&format!("PORT 127,0,0,1,{},{}", p >> 8, p & 0xff));
    assert!(port_reply.starts_with("200 "), "{port_reply}");
    assert!(c.cmd("RETR a.txt").starts_with("150 "));
    let (mut data, peer) = l.accept().unwrap();
    assert!(peer.ip().is_loopback());
    data.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    let mut got = Vec::new();
    data.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"active bytes");
    assert!(c.reply().starts_with("226 "));
}

#[test]
fn embedded_server_refuses_eprt_as_documented() {
    let server = EmbeddedServer::start().unwrap();
    let mut c = connect(server.addr());
    c.reply();
    login(&mut c);
    assert!(c.cmd("EPRT |1|127.0.0.1|40000|").starts_with("500 "));
}

#[test]
fn embedded_server_with_active_off_refuses_port() {
    let server = EmbeddedServer::builder().active(false).start().unwrap();
    let mut c = connect(server.addr());
    c.reply();
    login(&mut c);
    assert!(c.cmd("PORT 127,0,0,1,156,64").starts_with("502 "));
}

#[test]
fn dropping_the_embedded_server_stops_it_and_removes_its_root() {
    let server = EmbeddedServer::start().unwrap();
    let addr = server.addr();
    let root = server.root().to_path_buf();
    drop(server);
    assert!(!root.exists());
    assert!(TcpStream::connect_timeout(&addr, CLIENT_TIMEOUT).is_err());
}

// ---- FTPS with a ring-only rustls client

fn tls_client(roots: &[rustls_pki_types::CertificateDer<'static>]) -> Arc<rustls::ClientConfig> {
    let mut store = rustls::RootCertStore::empty();
    for r in roots {
        store.add(r.clone()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(store)
            .with_no_client_auth(),
    )
}

/// AUTH TLS, then a handshake as `name`; returns the secured control connection or the
/// handshake error.
fn auth_tls(
    server: &EmbeddedServer,
    name: &'static str,
) -> Result<
    (
        Control<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>,
        rustls::ProtocolVersion,
    ),
    rustls::Error,
> {
    let mut c = connect(server.addr());
    c.reply();
    let reply = c.cmd("AUTH TLS");
    assert!(reply.starts_with("234 "), "{reply}");
    let tcp = c.io.into_inner();
    let ca = server.ca_cert_der().expect("FTPS is on");
    let conn = rustls::ClientConnection::new(tls_client(&[ca]), name.try_into().unwrap()).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    while tls.conn.is_handshaking() {
        match tls.conn.complete_io(&mut tls.sock) {
            Ok(_) => {}
            Err(e) => {
                return Err(e
                    .into_inner()
                    .and_then(|inner| inner.downcast::<rustls::Error>().ok())
                    .map(|b| *b)
                    .unwrap_or(rustls::Error::General("I/O error during handshake".into())));
            }
        }
    }
    let version = tls.conn.protocol_version().unwrap();
    Ok((
        Control {
            io: BufReader::new(tls),
        },
        version,
    ))
}

#[test]
fn ftps_embedded_server_is_trusted_through_the_test_ca() {
    let server = EmbeddedServer::builder().ftps().start().unwrap();
    let (mut c, version) = auth_tls(&server, "localhost").unwrap();
    assert_eq!(version, rustls::ProtocolVersion::TLSv1_2);
    login(&mut c);
    assert_eq!(c.cmd("PWD"), "257 \"/\"\r\n");
}

#[test]
fn ftps_embedded_server_certificate_covers_127_0_0_1() {
    let server = EmbeddedServer::builder().ftps().start().unwrap();
    let (mut c, _) = auth_tls(&server, "127.0.0.1").unwrap();
    assert!(c.cmd("PBSZ 0").starts_with("200 "));
}

#[test]
fn ftps_embedded_server_offers_tls13_when_asked() {
    let server = EmbeddedServer::builder().ftps().tls13().start().unwrap();
    let (_c, version) = auth_tls(&server, "localhost").unwrap();
    assert_eq!(version, rustls::ProtocolVersion::TLSv1_3);
}

#[test]
fn wrong_name_certificate_is_refused_by_rustls() {
    let server = EmbeddedServer::builder()
        .ftps_cert(ServedCert::WrongName)
        .start()
        .unwrap();
    let err = auth_tls(&server, "localhost")
        .err()
        .expect("must be refused");
    assert!(
        matches!(
            err,
            rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName)
                | rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForNameContext { .. }
                )
        ),
        "{err:?}"
    );
}

#[test]
fn self_signed_certificate_is_refused_by_rustls() {
    let server = EmbeddedServer::builder()
        .ftps_cert(ServedCert::SelfSigned)
        .start()
        .unwrap();
    let err = auth_tls(&server, "localhost")
        .err()
        .expect("must be refused");
    assert!(
        matches!(
            err,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        ),
        "{err:?}"
    );
}

#[test]
fn ftps_required_refuses_a_plain_login() {
    let server = EmbeddedServer::builder()
        .ftps()
        .ftps_required()
        .start()
        .unwrap();
    let mut c = connect(server.addr());
    c.reply();
    let reply = c.cmd("USER plain");
    assert!(reply.starts_with("534 "), "{reply}");
}
