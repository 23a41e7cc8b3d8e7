//! FTPS: explicit (AUTH TLS, PBSZ/PROT, CCC) and implicit, against the embedded libunftp
//! server with a throwaway certificate and against the scripted server (refusals).

use std::io::{Read, Write};
use std::time::Duration;

use ftp_blocking::{Error, Ftp, FtpBuilder, TlsConfig};
use ftp_testkit::certs::TestCerts;
use ftp_testkit::embedded::{EmbeddedServer, ServedCert};
use ftp_testkit::scripted::{Script, ScriptedServer, tls_server_config};

fn trusting(ca: rustls::pki_types::CertificateDer<'static>) -> TlsConfig {
    TlsConfig::builder()
        .system_roots(false)
        .add_ca_der(ca)
        .build()
        .unwrap()
}

fn builder() -> FtpBuilder {
    Ftp::builder().timeout(Duration::from_secs(10))
}

fn connect(builder: FtpBuilder, addr: std::net::SocketAddr) -> Result<Ftp, Error> {
    builder.connect(&addr.ip().to_string(), addr.port())
}

/// 20 consecutive PROT P transfers mixing uploads, downloads and listings, then PROT C.
fn twenty_prot_p_transfers(server: &EmbeddedServer) {
    let tls = trusting(server.ca_cert_der().unwrap());
    let mut ftp = connect(builder().tls(tls), server.addr()).unwrap();
    assert_eq!(
        ftp.login_secure("tester", "secret", "")
            .unwrap()
            .code()
            .as_u16(),
        230
    );
    assert!(ftp.is_secure());
    assert!(
        matches!(ftp.auth(), Err(Error::Usage(_))),
        "a second AUTH TLS is a usage error"
    );
    ftp.prot_p().unwrap();
    for i in 0..20u32 {
        let name = format!("f{}.bin", i / 3);
        let body: Vec<u8> = (0..50_000 + i * 1000).map(|j| (j ^ i) as u8).collect();
        match i % 3 {
            0 => {
                let mut w = ftp.stor(&name).unwrap();
                w.write_all(&body).unwrap();
                w.finish().unwrap();
                assert_eq!(
                    std::fs::read(server.root().join(&name)).unwrap(),
                    body,
                    "upload {i}"
                );
            }
            1 => {
                let expected = std::fs::read(server.root().join(&name)).unwrap();
                let mut r = ftp.retr(&name, None).unwrap();
                let mut got = Vec::new();
                r.read_to_end(&mut got).unwrap();
                r.finish().unwrap();
                assert_eq!(got, expected, "download {i}");
            }
            _ => {
                let names: Vec<String> = ftp
                    .mlsd("", &[])
                    .unwrap()
                    .map(|e| e.map(|e| e.name_lossy().into_owned()))
                    .collect::<Result<_, _>>()
                    .unwrap();
                assert!(names.contains(&name), "listing {i}: {names:?}");
            }
        }
    }
    ftp.prot_c().unwrap();
    assert_eq!(ftp.nlst(&[]).unwrap().len(), 7);
    ftp.quit().unwrap();
}

#[test]
fn libunftp_ftps_tls12_twenty_prot_p_transfers() {
    let server = EmbeddedServer::builder().ftps().start().unwrap();
    twenty_prot_p_transfers(&server);
}

#[test]
fn libunftp_ftps_tls13_twenty_prot_p_transfers() {
    let server = EmbeddedServer::builder().ftps().tls13().start().unwrap();
    twenty_prot_p_transfers(&server);
}

#[test]
fn libunftp_ftps_certificate_for_another_name_is_refused() {
    let server = EmbeddedServer::builder()
        .ftps_cert(ServedCert::WrongName)
        .start()
        .unwrap();
    let tls = trusting(server.ca_cert_der().unwrap());
    let mut ftp = connect(builder().tls(tls), server.addr()).unwrap();
    let err = ftp.login_secure("tester", "secret", "").unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
}

#[test]
fn libunftp_ftps_self_signed_is_refused_without_opt_in() {
    let server = EmbeddedServer::builder()
        .ftps_cert(ServedCert::SelfSigned)
        .start()
        .unwrap();
    let tls = TlsConfig::builder().system_roots(false).build();
    // Without any trust anchor the configuration may already refuse to build.
    if let Ok(tls) = tls {
        let mut ftp = connect(builder().tls(tls), server.addr()).unwrap();
        assert!(matches!(ftp.login_secure("t", "s", ""), Err(Error::Tls(_))));
    }
    let tls = trusting(server.ca_cert_der().unwrap());
    let mut ftp = connect(builder().tls(tls), server.addr()).unwrap();
    assert!(matches!(ftp.login_secure("t", "s", ""), Err(Error::Tls(_))));

    let insecure = TlsConfig::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let mut ftp = connect(builder().tls(insecure), server.addr()).unwrap();
    ftp.login_secure("t", "s", "").unwrap();
    ftp.quit().unwrap();
}

#[test]
fn auth_without_tls_configuration_sends_nothing() {
    let server = EmbeddedServer::start().unwrap();
    let mut ftp = connect(builder(), server.addr()).unwrap();
    assert!(matches!(ftp.auth(), Err(Error::InvalidOption(_))));
    ftp.login("a", "b", "").unwrap();
    ftp.quit().unwrap();
}

fn scripted_tls(certs: &TestCerts) -> Script {
    Script::new().tls_config(tls_server_config(certs.server(), &[]))
}

fn finish(server: ScriptedServer) {
    if let Err(e) = server.finish() {
        panic!("script failed: {e}");
    }
}

#[test]
fn plaintext_behind_the_234_is_refused() {
    let certs = TestCerts::generate().unwrap();
    let server = scripted_tls(&certs)
        .send("220 hi\r\n")
        .expect("AUTH TLS\r\n")
        .send("234 go ahead\r\n230 injected plaintext\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect(builder().tls(trusting(certs.ca_cert_der())), server.addr()).unwrap();
    let err = ftp.auth().unwrap_err();
    assert!(err.is_protocol(), "{err:?}");
    drop(ftp);
    finish(server);
}

fn secured(certs: &TestCerts) -> Script {
    scripted_tls(certs)
        .send("220 hi\r\n")
        .expect("AUTH TLS\r\n")
        .send("234 go ahead\r\n")
        .control_start_tls()
        .expect("USER u\r\n")
        .send("331 pass\r\n")
        .expect("PASS p\r\n")
        .send("230 in\r\n")
        .expect("PBSZ 0\r\n")
        .send("200 ok\r\n")
        .expect("PROT P\r\n")
        .send("200 ok\r\n")
}

#[test]
fn tls_download_cut_without_close_notify_before_the_announced_size_is_truncation() {
    let certs = TestCerts::generate().unwrap();
    let server = secured(&certs)
        .expect("TYPE I\r\n")
        .send("200 ok\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("RETR f\r\n")
        .send("150 Opening BINARY mode data connection for f (100 bytes)\r\n")
        .data_start_tls(true)
        .data_send([1u8; 10])
        .data_cut()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect(builder().tls(trusting(certs.ca_cert_der())), server.addr()).unwrap();
    ftp.login_secure("u", "p", "").unwrap();
    ftp.prot_p().unwrap();
    let err = ftp.retrbinary("RETR f", |_| {}, 8192, None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Data {
                kind: ftp_proto::client::DataFailure::Truncated,
                ..
            }
        ),
        "{err:?}"
    );
    drop(ftp);
    finish(server);
}

#[test]
fn tls_data_connection_resumes_the_control_session_and_ccc_returns_to_plain() {
    let certs = TestCerts::generate().unwrap();
    let server = secured(&certs)
        .expect("TYPE I\r\n")
        .send("200 ok\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("RETR f\r\n")
        .send("150 here\r\n")
        .data_start_tls(true)
        .data_send("secret data")
        .data_close()
        .send("226 done\r\n")
        .expect("CCC\r\n")
        .send("200 back to plain\r\n")
        .control_stop_tls()
        .expect("NOOP\r\n")
        .send("200 plain again\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect(builder().tls(trusting(certs.ca_cert_der())), server.addr()).unwrap();
    ftp.login_secure("u", "p", "").unwrap();
    ftp.prot_p().unwrap();
    let mut got = Vec::new();
    ftp.retrbinary("RETR f", |c| got.extend_from_slice(c), 8192, None)
        .unwrap();
    assert_eq!(got, b"secret data");
    ftp.ccc().unwrap();
    assert!(!ftp.is_secure());
    assert_eq!(ftp.noop().unwrap().to_text_lossy(), "200 plain again");
    drop(ftp);
    finish(server);
}

#[test]
fn implicit_tls_greeting_comes_inside_tls() {
    let certs = TestCerts::generate().unwrap();
    let server = scripted_tls(&certs)
        .control_start_tls()
        .send("220 implicit hello\r\n")
        .expect("USER u\r\n")
        .send("230 in\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let tls = trusting(certs.ca_cert_der());
    let mut ftp = connect(builder().implicit_tls(tls), server.addr()).unwrap();
    assert!(ftp.is_secure());
    assert_eq!(ftp.getwelcome().to_text_lossy(), "220 implicit hello");
    ftp.login("u", "", "").unwrap();
    ftp.quit().unwrap();
    finish(server);
}
