//! FTPS through the ftplib-shaped API: the embedded libunftp server with TLS (1.2 there), and
//! scripted servers for what libunftp cannot show (implicit TLS, cut data streams, plaintext
//! behind the 234, TLS 1.3 resumption).

use std::io::Cursor;
use std::time::Duration;

use ftp_blocking::tls::TlsConfig;
use ftp_blocking::{Error, Ftp, FtpBuilder};
use ftp_proto::client::{DataFailure, ProtocolError, UsageError};
use ftp_proto::command::ProtLevel;
use ftp_testkit::certs::TestCerts;
use ftp_testkit::embedded::{EmbeddedServer, ServedCert};
use ftp_testkit::scripted::{Script, tls_server_config};

fn builder() -> FtpBuilder {
    Ftp::builder().timeout(Duration::from_secs(10))
}

/// A TLS config trusting only the test CA of `server`.
fn trusting(ca_pem: &str) -> TlsConfig {
    TlsConfig::builder()
        .system_roots(false)
        .add_ca_pem(ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap()
}

fn ftps_server(cert: ServedCert) -> EmbeddedServer {
    EmbeddedServer::builder().ftps_cert(cert).start().unwrap()
}

fn connect(server: &EmbeddedServer, host: &str, tls: TlsConfig) -> Ftp {
    builder()
        .tls(tls)
        .connect(host, server.addr().port())
        .unwrap()
}

fn retr(ftp: &mut Ftp, name: &str) -> Vec<u8> {
    let mut got = Vec::new();
    ftp.retrbinary(
        &format!("RETR {name}"),
        |c| got.extend_from_slice(c),
        8192,
        None,
    )
    .unwrap();
    got
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn libunftp_prot_p_and_prot_c_transfers_and_listings() {
    let server = ftps_server(ServedCert::Localhost);
    let mut ftp = connect(
        &server,
        "127.0.0.1",
        trusting(server.ca_cert_pem().unwrap()),
    );
    assert!(!ftp.is_secure());
    // login on a tls() session secures the control connection first, as FTP_TLS.login does
    ftp.login("alice", "pw", "").unwrap();
    assert!(ftp.is_secure());
    assert_eq!(ftp.prot_p().unwrap().code().as_u16(), 200);
    assert_eq!(ftp.data_protection(), ProtLevel::Private);

    let data = payload(300_000);
    ftp.storbinary("STOR p.bin", &mut Cursor::new(&data), 8192, None, None)
        .unwrap();
    assert_eq!(std::fs::read(server.root().join("p.bin")).unwrap(), data);
    assert_eq!(retr(&mut ftp, "p.bin"), data);
    assert_eq!(ftp.nlst(&[]).unwrap(), vec!["p.bin".to_string()]);
    let names: Vec<String> = ftp
        .mlsd("", &[])
        .unwrap()
        .map(|e| e.unwrap().name_lossy().into_owned())
        .collect();
    assert!(names.contains(&"p.bin".to_string()), "{names:?}");
    let mut lines = Vec::new();
    ftp.dir(&[], |l| lines.push(l.to_string())).unwrap();
    assert!(lines.iter().any(|l| l.ends_with("p.bin")), "{lines:?}");

    assert_eq!(ftp.prot_c().unwrap().code().as_u16(), 200);
    assert_eq!(ftp.data_protection(), ProtLevel::Clear);
    ftp.storbinary(
        "STOR c.bin",
        &mut Cursor::new(&data[..1000]),
        8192,
        None,
        None,
    )
    .unwrap();
    assert_eq!(retr(&mut ftp, "c.bin"), &data[..1000]);
    assert_eq!(ftp.nlst(&[]).unwrap().len(), 2);
    ftp.quit().unwrap();
}

#[test]
fn libunftp_login_secure_by_host_name_then_reader_and_writer_streams() {
    let server = ftps_server(ServedCert::Localhost);
    // A plain builder: login_secure does AUTH TLS itself.
    // the certificate is checked against the name "localhost" (the server listens on
    // 127.0.0.1; connect tries every address the name resolves to)
    let mut ftp = builder()
        .tls(trusting(server.ca_cert_pem().unwrap()))
        .connect("localhost", server.addr().port())
        .unwrap();
    ftp.login_secure("bob", "pw", "").unwrap();
    assert!(ftp.is_secure());
    // a second AUTH is a usage error, and the session goes on
    assert!(matches!(
        ftp.auth(),
        Err(Error::Usage(UsageError::AlreadySecure))
    ));
    ftp.prot_p().unwrap();
    let data = payload(70_000);
    {
        use std::io::Write;
        let mut w = ftp.stor("s.bin").unwrap();
        w.write_all(&data).unwrap();
        w.finish().unwrap();
    }
    {
        use std::io::Read;
        let mut r = ftp.retr("s.bin", Some(1000)).unwrap();
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        r.finish().unwrap();
        assert_eq!(got, &data[1000..]);
    }
    let dir = tempfile_dir();
    let local = dir.join("s.copy");
    {
        let mut file = std::fs::File::create(&local).unwrap();
        let mut r = ftp.retr("s.bin", None).unwrap();
        assert_eq!(r.copy_to_file(&mut file).unwrap(), data.len() as u64);
        r.finish().unwrap();
    }
    assert_eq!(std::fs::read(&local).unwrap(), data);
    std::fs::remove_dir_all(dir).unwrap();
    ftp.noop().unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ftps-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn libunftp_refuses_ccc_with_502_and_the_session_stays_secure_and_usable() {
    let server = ftps_server(ServedCert::Localhost);
    let mut ftp = connect(
        &server,
        "127.0.0.1",
        trusting(server.ca_cert_pem().unwrap()),
    );
    ftp.login("a", "b", "").unwrap();
    match ftp.ccc() {
        Err(Error::Permanent(reply)) => assert_eq!(reply.code().as_u16(), 502),
        other => panic!("expected 502, got {other:?}"),
    }
    assert!(ftp.is_secure());
    ftp.prot_p().unwrap();
    assert_eq!(ftp.nlst(&[]).unwrap(), Vec::<String>::new());
    ftp.noop().unwrap();
}

#[test]
fn auth_without_a_tls_configuration_is_refused_before_sending() {
    let server = EmbeddedServer::start().unwrap();
    let mut ftp = builder()
        .connect("127.0.0.1", server.addr().port())
        .unwrap();
    assert!(matches!(ftp.auth(), Err(Error::InvalidOption(_))));
    // plain login is untouched on a session without tls()
    ftp.login("a", "b", "").unwrap();
    assert!(!ftp.is_secure());
}

#[test]
fn certificate_for_another_name_is_refused() {
    let server = ftps_server(ServedCert::WrongName);
    let mut ftp = connect(
        &server,
        "127.0.0.1",
        trusting(server.ca_cert_pem().unwrap()),
    );
    match ftp.login("a", "b", "") {
        Err(Error::Tls(m)) => assert!(m.contains("certificate"), "{m}"),
        other => panic!("expected a TLS error, got {other:?}"),
    }
    // the password never went out: the session is closed
    assert!(matches!(ftp.noop(), Err(Error::Closed)));
}

#[test]
fn self_signed_certificate_is_refused_without_opt_in() {
    let server = ftps_server(ServedCert::SelfSigned);
    // trusting the test CA does not help: the served certificate is not signed by it
    let mut ftp = connect(
        &server,
        "127.0.0.1",
        trusting(server.ca_cert_pem().unwrap()),
    );
    match ftp.auth() {
        Err(Error::Tls(m)) => assert!(m.contains("certificate"), "{m}"),
        other => panic!("expected a TLS error, got {other:?}"),
    }
}

#[test]
fn self_signed_certificate_is_accepted_with_the_loud_opt_out() {
    let server = ftps_server(ServedCert::SelfSigned);
    let tls = TlsConfig::builder()
        .system_roots(false)
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let mut ftp = connect(&server, "127.0.0.1", tls);
    ftp.login("a", "b", "").unwrap();
    ftp.prot_p().unwrap();
    assert!(ftp.nlst(&[]).unwrap().is_empty());
}

// ---- scripted servers

fn tls_script(certs: &TestCerts, versions: &[&'static rustls::SupportedProtocolVersion]) -> Script {
    Script::new()
        .tls_config(tls_server_config(certs.server(), versions))
        .send("220 tls ready\r\n")
        .expect("AUTH TLS\r\n")
        .send("234 go\r\n")
        .control_start_tls()
        .expect("USER u\r\n")
        .send("331 pw\r\n")
        .expect("PASS p\r\n")
        .send("230 in\r\n")
        .expect("PBSZ 0\r\n")
        .send("200 PBSZ=0\r\n")
        .expect("PROT P\r\n")
        .send("200 private\r\n")
}

fn scripted_session(
    script: Script,
    certs: &TestCerts,
) -> (Ftp, ftp_testkit::scripted::ScriptedServer) {
    let server = script.start().unwrap();
    let tls = TlsConfig::builder()
        .system_roots(false)
        .add_ca_der(certs.ca_cert_der())
        .build()
        .unwrap();
    let mut ftp = builder()
        .tls(tls)
        .connect("127.0.0.1", server.addr().port())
        .unwrap();
    ftp.login("u", "p", "").unwrap();
    ftp.prot_p().unwrap();
    (ftp, server)
}

fn retr_steps(script: Script, announce: &str) -> Script {
    script
        .expect("TYPE I\r\n")
        .send("200 binary\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .expect("RETR f\r\n")
        .send(format!(
            "150 Opening BINARY mode data connection for f {announce}\r\n"
        ))
        .accept_data()
        .data_start_tls(true)
}

#[test]
fn data_cut_without_close_notify_before_the_announced_size_is_truncation() {
    let certs = TestCerts::generate().unwrap();
    let script = retr_steps(tls_script(&certs, &[]), "(100 bytes)")
        .data_send([b'x'; 40])
        .data_cut()
        .send("226 done\r\n");
    let (mut ftp, server) = scripted_session(script, &certs);
    let mut got = Vec::new();
    match ftp.retrbinary("RETR f", |c| got.extend_from_slice(c), 8192, None) {
        Err(Error::Data {
            kind: DataFailure::Truncated,
            message,
        }) => assert!(
            message.contains("without close_notify after 40 bytes"),
            "{message}"
        ),
        other => panic!("expected truncation, got {other:?}"),
    }
    assert_eq!(got.len(), 40);
    server.finish().unwrap();
}

#[test]
fn data_cut_without_close_notify_and_without_announced_size_is_truncation() {
    let certs = TestCerts::generate().unwrap();
    let script = retr_steps(tls_script(&certs, &[]), "")
        .data_send([b'x'; 40])
        .data_cut()
        .send("226 done\r\n");
    let (mut ftp, server) = scripted_session(script, &certs);
    let result = ftp.retrbinary("RETR f", |_| {}, 8192, None);
    assert!(
        matches!(
            result,
            Err(Error::Data {
                kind: DataFailure::Truncated,
                ..
            })
        ),
        "{result:?}"
    );
    server.finish().unwrap();
}

#[test]
fn data_cut_without_close_notify_at_the_announced_size_with_226_is_accepted() {
    let certs = TestCerts::generate().unwrap();
    let script = retr_steps(tls_script(&certs, &[]), "(40 bytes)")
        .data_send([b'x'; 40])
        .data_cut()
        .send("226 done\r\n");
    let (mut ftp, server) = scripted_session(script, &certs);
    let mut n = 0;
    let reply = ftp
        .retrbinary("RETR f", |c| n += c.len(), 8192, None)
        .unwrap();
    assert_eq!((reply.code().as_u16(), n), (226, 40));
    server.finish().unwrap();
}

#[test]
fn data_with_close_notify_needs_no_announced_size() {
    let certs = TestCerts::generate().unwrap();
    let script = retr_steps(tls_script(&certs, &[]), "")
        .data_send([b'y'; 1000])
        .data_close()
        .send("226 done\r\n");
    let (mut ftp, server) = scripted_session(script, &certs);
    let mut n = 0;
    ftp.retrbinary("RETR f", |c| n += c.len(), 8192, None)
        .unwrap();
    assert_eq!(n, 1000);
    server.finish().unwrap();
}

#[test]
fn plaintext_queued_behind_the_234_is_refused() {
    let certs = TestCerts::generate().unwrap();
    let server = Script::new()
        .tls_config(tls_server_config(certs.server(), &[]))
        .send("220 hi\r\n")
        .expect("AUTH TLS\r\n")
        .send("234 go\r\n200 injected\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let tls = TlsConfig::builder()
        .system_roots(false)
        .add_ca_der(certs.ca_cert_der())
        .build()
        .unwrap();
    let mut ftp = builder()
        .tls(tls)
        .connect("127.0.0.1", server.addr().port())
        .unwrap();
    match ftp.login("u", "p", "") {
        Err(Error::Protocol(ProtocolError::PlaintextInjection { .. })) => {}
        other => panic!("expected PlaintextInjection, got {other:?}"),
    }
    assert!(matches!(ftp.noop(), Err(Error::Closed)));
    let log = server.finish().unwrap();
    // nothing after AUTH TLS: no USER, no PASS
    assert_eq!(log.lines_lossy(), vec!["AUTH TLS".to_string()]);
}

#[test]
fn implicit_tls_from_the_first_byte() {
    let certs = TestCerts::generate().unwrap();
    let server = Script::new()
        .tls_config(tls_server_config(certs.server(), &[]))
        .control_start_tls()
        .send("220 implicit\r\n")
        .expect("USER u\r\n")
        .send("331 pw\r\n")
        .expect("PASS p\r\n")
        .send("230 in\r\n")
        .expect("PBSZ 0\r\n")
        .send("200 PBSZ=0\r\n")
        .expect("PROT P\r\n")
        .send("200 private\r\n")
        .expect("TYPE A\r\n")
        .send("200 ascii\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .expect("NLST\r\n")
        .send("150 here\r\n")
        .accept_data()
        .data_start_tls(true)
        .data_send("a\r\nb\r\n")
        .data_close()
        .send("226 done\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let tls = TlsConfig::builder()
        .system_roots(false)
        .add_ca_der(certs.ca_cert_der())
        .build()
        .unwrap();
    let mut ftp = builder()
        .implicit_tls(tls)
        .connect("127.0.0.1", server.addr().port())
        .unwrap();
    assert!(ftp.is_secure());
    assert_eq!(ftp.getwelcome().code().as_u16(), 220);
    ftp.login("u", "p", "").unwrap(); // no AUTH TLS on an implicit session
    ftp.prot_p().unwrap();
    assert_eq!(ftp.nlst(&[]).unwrap(), vec!["a", "b"]);
    ftp.quit().unwrap();
    let log = server.finish().unwrap();
    assert_eq!(log.data_tls_resumed, vec![true]);
}

/// TLS 1.3 against a rustls server: uploads, downloads and listings in turn, each data
/// connection resuming (the scripted server requires it). Uploads end with close_notify.
#[test]
fn tls13_every_data_connection_resumes_over_mixed_transfers() {
    let certs = TestCerts::generate().unwrap();
    let mut script = tls_script(&certs, &[&rustls::version::TLS13])
        .expect("TYPE I\r\n")
        .send("200 binary\r\n");
    for i in 0..4 {
        script = script
            .expect("EPSV\r\n")
            .passive_epsv()
            .expect(format!("STOR u{i}\r\n"))
            .send("150 go\r\n")
            .accept_data()
            .data_start_tls(true)
            .data_expect(format!("upload {i}"))
            .send("226 stored\r\n")
            .expect("EPSV\r\n")
            .passive_epsv()
            .expect(format!("RETR u{i}\r\n"))
            .send("150 here (6 bytes)\r\n")
            .accept_data()
            .data_start_tls(true)
            .data_send("abcdef")
            .data_close()
            .send("226 sent\r\n");
    }
    let (mut ftp, server) = scripted_session(script, &certs);
    for i in 0..4 {
        let body = format!("upload {i}");
        ftp.storbinary(
            &format!("STOR u{i}"),
            &mut Cursor::new(body),
            8192,
            None,
            None,
        )
        .unwrap();
        assert_eq!(retr(&mut ftp, &format!("u{i}")), b"abcdef");
    }
    drop(ftp);
    let log = server.finish().unwrap();
    assert_eq!(log.data_tls_resumed, vec![true; 8]);
}
