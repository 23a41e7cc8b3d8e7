//! The embedded libunftp server answering a raw-socket client, and the test certificates
//! checked by a real rustls (ring) client.

use ftp_testkit::embedded::{EmbeddedServer, ServedCert};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};

mod common;
use common::{CLIENT_TIMEOUT, Control, auth_tls, connect, data_conn, epsv_addr, tls_client};

fn login<S: Read + Write>(c: &mut Control<S>) {
    c.login("tester", "anything");
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
    drop(data);
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
    drop(data);
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

fn secure(
    server: &EmbeddedServer,
    name: &'static str,
) -> Result<(Control<common::TlsStream>, rustls::ProtocolVersion), rustls::Error> {
    let ca = server.ca_cert_der().expect("FTPS is on");
    auth_tls(server.addr(), name, tls_client(&[ca], &[]))
}

#[test]
fn ftps_embedded_server_is_trusted_through_the_test_ca() {
    let server = EmbeddedServer::builder().ftps().start().unwrap();
    let (mut c, version) = secure(&server, "localhost").unwrap();
    assert_eq!(version, rustls::ProtocolVersion::TLSv1_2);
    let certs = server.certs().unwrap();
    assert!(
        server
            .cert_pem()
            .unwrap()
            .starts_with(certs.server().cert_pem())
    );
    assert!(server.cert_pem().unwrap().ends_with(certs.ca_cert_pem()));
    login(&mut c);
    assert_eq!(c.cmd("PWD"), "257 \"/\"\r\n");
}

#[test]
fn ftps_embedded_server_certificate_covers_127_0_0_1() {
    let server = EmbeddedServer::builder().ftps().start().unwrap();
    let (mut c, _) = secure(&server, "127.0.0.1").unwrap();
    assert!(c.cmd("PBSZ 0").starts_with("200 "));
}

#[test]
fn ftps_embedded_server_offers_tls13_when_asked() {
    let server = EmbeddedServer::builder().ftps().tls13().start().unwrap();
    let (_c, version) = secure(&server, "localhost").unwrap();
    assert_eq!(version, rustls::ProtocolVersion::TLSv1_3);
}

#[test]
fn wrong_name_certificate_is_refused_by_rustls() {
    let server = EmbeddedServer::builder()
        .ftps_cert(ServedCert::WrongName)
        .start()
        .unwrap();
    let err = secure(&server, "localhost").err().expect("must be refused");
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
    let err = secure(&server, "localhost").err().expect("must be refused");
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
