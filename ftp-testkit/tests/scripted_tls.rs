//! The scripted server speaking TLS (AUTH TLS, PROT P with session resumption, CCC, cut
//! streams) to a ring-only rustls client.

mod common;

use common::{Control, TlsStream, auth_tls, data_conn, epsv_addr, tls_client};
use ftp_testkit::certs::TestCerts;
use ftp_testkit::scripted::{Failure, Script, ScriptError, SessionLog, tls_server_config};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

fn tls_script(certs: &TestCerts, versions: &[&'static rustls::SupportedProtocolVersion]) -> Script {
    Script::new()
        .tls_config(tls_server_config(certs.server(), versions))
        .send("220 tls ready\r\n")
        .expect("AUTH TLS\r\n")
        .send("234 go\r\n")
        .control_start_tls()
}

fn secure_data(
    tcp: TcpStream,
    config: Arc<rustls::ClientConfig>,
) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let conn = rustls::ClientConnection::new(config, "localhost".try_into().unwrap()).unwrap();
    rustls::StreamOwned::new(conn, tcp)
}

/// PBSZ, PROT P, EPSV and RETR over the secured control connection; returns the data bytes.
fn prot_p_download(
    versions: &[&'static rustls::SupportedProtocolVersion],
    reuse_config: bool,
) -> (std::io::Result<Vec<u8>>, Result<SessionLog, ScriptError>) {
    let certs = TestCerts::generate().unwrap();
    let server = tls_script(&certs, versions)
        .expect("PBSZ 0\r\n")
        .send("200 PBSZ=0\r\n")
        .expect("PROT P\r\n")
        .send("200 private\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .expect("RETR secret.txt\r\n")
        .send("150 here\r\n")
        .accept_data()
        .data_start_tls(true)
        .data_send("secret bytes")
        .data_close()
        .send("226 done\r\n")
        .start()
        .unwrap();
    let config = tls_client(&[certs.ca_cert_der()], versions);
    let (mut c, _) = auth_tls(server.addr(), "localhost", config.clone()).unwrap();
    assert!(c.cmd("PBSZ 0").starts_with("200"));
    assert!(c.cmd("PROT P").starts_with("200"));
    let data_addr = epsv_addr(&c.cmd("EPSV"));
    let tcp = data_conn(data_addr);
    assert!(c.cmd("RETR secret.txt").starts_with("150"));
    let data_config = if reuse_config {
        config
    } else {
        tls_client(&[certs.ca_cert_der()], versions)
    };
    let mut data = secure_data(tcp, data_config);
    let mut got = Vec::new();
    let read = data.read_to_end(&mut got).map(|_| got);
    drop(data);
    if matches!(&read, Ok(bytes) if !bytes.is_empty()) {
        assert_eq!(c.reply(), "226 done\r\n");
    }
    drop(c);
    (read, server.finish())
}

#[test]
fn prot_p_data_connection_resumes_the_control_session_on_tls12() {
    let (data, log) = prot_p_download(&[&rustls::version::TLS12], true);
    assert_eq!(data.unwrap(), b"secret bytes");
    assert_eq!(log.unwrap().data_tls_resumed, [true]);
}

#[test]
fn prot_p_data_connection_resumes_the_control_session_on_tls13() {
    let (data, log) = prot_p_download(&[&rustls::version::TLS13], true);
    assert_eq!(data.unwrap(), b"secret bytes");
    assert_eq!(log.unwrap().data_tls_resumed, [true]);
}

#[test]
fn data_connection_without_resumption_is_refused_when_required() {
    let (data, log) = prot_p_download(&[&rustls::version::TLS12], false);
    // The server ends the session: the client gets no byte of the file.
    assert!(data.as_ref().map_or(true, |d| d.is_empty()), "{data:?}");
    let err = log.unwrap_err();
    assert_eq!(err.failure, Failure::NotResumed);
    assert_eq!(err.log.data_tls_resumed, [false]);
}

#[test]
fn data_cut_without_close_notify_is_unexpected_eof_for_the_client() {
    let certs = TestCerts::generate().unwrap();
    let server = tls_script(&certs, &[])
        .passive_epsv()
        .accept_data()
        .data_start_tls(false)
        .data_send("partial")
        .data_cut()
        .start()
        .unwrap();
    let config = tls_client(&[certs.ca_cert_der()], &[]);
    let (mut c, _) = auth_tls(server.addr(), "localhost", config.clone()).unwrap();
    let data_addr = epsv_addr(&c.reply());
    let mut data = secure_data(data_conn(data_addr), config);
    let mut got = Vec::new();
    let err = data.read_to_end(&mut got).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(got, b"partial");
    drop(c);
    server.finish().unwrap();
}

#[test]
fn tls_upload_must_end_with_close_notify() {
    for send_close_notify in [true, false] {
        let certs = TestCerts::generate().unwrap();
        let server = tls_script(&certs, &[])
            .passive_epsv()
            .accept_data()
            .data_start_tls(false)
            .data_expect("uploaded")
            .start()
            .unwrap();
        let config = tls_client(&[certs.ca_cert_der()], &[]);
        let (mut c, _) = auth_tls(server.addr(), "localhost", config.clone()).unwrap();
        let data_addr = epsv_addr(&c.reply());
        let mut data = secure_data(data_conn(data_addr), config);
        data.write_all(b"uploaded").unwrap();
        data.flush().unwrap();
        if send_close_notify {
            data.conn.send_close_notify();
            data.conn.complete_io(&mut data.sock).unwrap();
        }
        // End the upload the way that loses nothing: FIN, then read until the server closes.
        // Closing with the server's TLS 1.3 session tickets unread would send a reset, which
        // may discard the upload's last bytes at the server.
        data.sock.shutdown(std::net::Shutdown::Write).unwrap();
        let mut drained = [0u8; 4096];
        while matches!(data.sock.read(&mut drained), Ok(n) if n > 0) {}
        drop(data);
        let result = server.finish();
        drop(c);
        if send_close_notify {
            assert_eq!(result.unwrap().data_received, [b"uploaded".to_vec()]);
        } else {
            assert_eq!(result.unwrap_err().failure, Failure::NoCloseNotify);
        }
    }
}

#[test]
fn plaintext_pipelined_behind_auth_tls_fails_the_handshake_step() {
    let certs = TestCerts::generate().unwrap();
    let server = tls_script(&certs, &[]).start().unwrap();
    let mut c = common::connect(server.addr());
    c.reply();
    c.io.get_mut()
        .write_all(b"AUTH TLS\r\nUSER early\r\n")
        .unwrap();
    let err = server.finish().unwrap_err();
    assert_eq!(
        err.failure,
        Failure::PlaintextBeforeTls {
            got: b"USER early\r\n".to_vec()
        }
    );
}

#[test]
fn ccc_returns_the_control_connection_to_plain_text() {
    let certs = TestCerts::generate().unwrap();
    let server = tls_script(&certs, &[])
        .expect("CCC\r\n")
        .send("200 plain again\r\n")
        .control_stop_tls()
        .expect("NOOP\r\n")
        .send("200 noop in clear\r\n")
        .start()
        .unwrap();
    let config = tls_client(&[certs.ca_cert_der()], &[]);
    let (mut c, _): (Control<TlsStream>, _) = auth_tls(server.addr(), "localhost", config).unwrap();
    assert_eq!(c.cmd("CCC"), "200 plain again\r\n");
    let mut tls = c.io.into_inner();
    tls.conn.send_close_notify();
    tls.conn.complete_io(&mut tls.sock).unwrap();
    let mut rest = Vec::new();
    // The server's close_notify ends the TLS stream cleanly.
    tls.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    let mut plain = Control {
        io: std::io::BufReader::new(tls.sock),
    };
    assert_eq!(plain.cmd("NOOP"), "200 noop in clear\r\n");
    drop(plain);
    let log = server.finish().unwrap();
    // Lines sent inside TLS are recorded decrypted, like the plain ones.
    assert_eq!(log.lines_lossy(), ["AUTH TLS", "CCC", "NOOP"]);
}

#[test]
fn tls_step_without_a_config_fails_clearly() {
    let server = Script::new().control_start_tls().start().unwrap();
    let _c = common::connect(server.addr());
    assert_eq!(server.finish().unwrap_err().failure, Failure::NoTlsConfig);
}
