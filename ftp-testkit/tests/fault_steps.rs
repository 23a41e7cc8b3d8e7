//! The scripted server's fault-injecting steps (the hostile suite's building blocks), driven by
//! a raw socket standing in for a client.

mod common;

use common::{auth_tls, connect, data_conn, epsv_addr, tls_client};
use ftp_testkit::certs::TestCerts;
use ftp_testkit::hostile;
use ftp_testkit::scripted::{
    Channel, Failure, Generated, Responder, Script, Step, push_decimal, tls_server_config,
};
use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

#[test]
fn generated_reply_stops_when_the_client_closes() {
    // A 1 GB reply line: the client reads 100 KB and hangs up; the step ends successfully.
    let server = Script::new()
        .send_generated(Generated::repeat(vec![b'x'; 1 << 16], 1 << 14).head("200 "))
        .start()
        .unwrap();
    let mut c = data_conn(server.addr());
    let mut buf = vec![0u8; 100_000];
    c.read_exact(&mut buf).unwrap();
    assert!(buf.starts_with(b"200 xxx"));
    drop(c);
    let log = server.finish().unwrap();
    assert_eq!(log.generated_sent.len(), 1);
    assert!(log.generated_sent[0] >= 100_000);
    assert!(log.generated_sent[0] < 1 << 30, "{}", log.generated_sent[0]);
}

#[test]
fn generated_listing_arrives_whole_on_the_data_connection() {
    let listing = Generated::lines("names", 10_000, |i, buf| {
        buf.extend_from_slice(b"f");
        push_decimal(buf, i);
        buf.extend_from_slice(b"\r\n");
    });
    let expected = listing.collect_for_test(usize::MAX);
    let server = Script::new()
        .send("220 hi\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .data_send_generated(listing)
        .data_close()
        .start()
        .unwrap();
    let mut c = connect(server.addr());
    c.reply();
    let mut data = data_conn(epsv_addr(&c.cmd("EPSV")));
    let mut got = Vec::new();
    data.read_to_end(&mut got).unwrap();
    assert_eq!(got, expected);
    assert!(got.ends_with(b"f9999\r\n"));
    drop(c);
    let log = server.finish().unwrap();
    assert_eq!(log.data_sent, [expected.len() as u64]);
}

#[test]
fn data_reset_is_seen_as_a_connection_reset() {
    let server = Script::new()
        .send("220 hi\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .data_send("some")
        .data_reset()
        .wait_for_close()
        .start()
        .unwrap();
    let mut c = connect(server.addr());
    c.reply();
    let mut data = data_conn(epsv_addr(&c.cmd("EPSV")));
    let mut got = Vec::new();
    let err = data.read_to_end(&mut got).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    drop(c);
    server.finish().unwrap();
}

#[test]
fn control_reset_is_seen_as_a_connection_reset() {
    let server = Script::new()
        .send("220 hi\r\n")
        .expect("NOOP\r\n")
        .reset_control()
        .start()
        .unwrap();
    let mut c = connect(server.addr());
    c.reply();
    c.io.get_mut().write_all(b"NOOP\r\n").unwrap();
    let mut rest = Vec::new();
    let err = c.io.read_to_end(&mut rest).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    server.finish().unwrap();
}

#[test]
fn serve_answers_each_line_until_the_client_closes() {
    let responder = Responder::new("echo codes", |line| {
        if line.starts_with(b"NOOP") {
            vec![Step::send("200 ok\r\n")]
        } else {
            vec![Step::send("502 no\r\n")]
        }
    });
    let server = Script::new()
        .send("220 hi\r\n")
        .serve(responder)
        .start()
        .unwrap();
    let mut c = connect(server.addr());
    c.reply();
    assert_eq!(c.cmd("NOOP"), "200 ok\r\n");
    assert_eq!(c.cmd("SITE x"), "502 no\r\n");
    assert_eq!(c.cmd("NOOP"), "200 ok\r\n");
    drop(c);
    let log = server.finish().unwrap();
    assert_eq!(log.lines_lossy(), ["NOOP", "SITE x", "NOOP"]);
}

#[test]
fn long_control_lines_need_a_larger_max_line() {
    let long = format!("MLSD {}\r\n", "a".repeat(100_000));
    for (max_line, accepted) in [(None, false), (Some(1 << 20), true)] {
        let mut script = Script::new().expect_prefix("MLSD ");
        if let Some(m) = max_line {
            script = script.max_line(m);
        }
        let server = script.start().unwrap();
        let mut c = data_conn(server.addr());
        // The server may stop reading at its limit: a failed write is fine here.
        let _ = c.write_all(long.as_bytes());
        drop(c);
        match server.finish() {
            Ok(_) => assert!(accepted),
            Err(e) => {
                assert!(!accepted, "{e}");
                assert_eq!(e.failure, Failure::LineTooLong);
            }
        }
    }
}

#[test]
fn tls_keep_alive_sends_records_without_data_until_the_client_closes() {
    let certs = TestCerts::generate().unwrap();
    let tls13 = [&rustls::version::TLS13];
    let server = Script::new()
        .tls_config(tls_server_config(certs.server(), &tls13))
        .send("220 tls ready\r\n")
        .expect("AUTH TLS\r\n")
        .send("234 go\r\n")
        .control_start_tls()
        .expect("NOOP\r\n")
        .tls_keep_alive(Channel::Control, Duration::from_millis(50), 1000)
        .start()
        .unwrap();
    let config = tls_client(&[certs.ca_cert_der()], &tls13);
    let (mut c, _) = auth_tls(server.addr(), "localhost", config).unwrap();
    c.io.get_mut().write_all(b"NOOP\r\n").unwrap();
    c.io.get_mut().flush().unwrap();
    // Records arrive, but never a byte of data: a plain rustls read loops over them (each
    // socket read gets the whole timeout again) until rustls refuses the 33rd KeyUpdate.
    let mut buf = [0u8; 16];
    let err = c.io.read(&mut buf).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData, "{err}");
    assert!(
        err.to_string().contains("TooManyKeyUpdateRequests"),
        "{err}"
    );
    drop(c);
    let log = server.finish().unwrap();
    let records = log.keep_alive_records[0];
    assert!((32..1000).contains(&records), "{records}");
}

#[test]
fn tls_keep_alive_on_a_plain_connection_fails_the_script() {
    let server = Script::new()
        .tls_keep_alive(Channel::Control, Duration::from_millis(10), 3)
        .start()
        .unwrap();
    let c = data_conn(server.addr());
    let err = server.finish().unwrap_err();
    assert!(matches!(err.failure, Failure::Tls(_)), "{err}");
    drop(c);
}

#[test]
fn every_hostile_script_is_well_formed() {
    // Building every script exercises the table; each has steps and a unique name.
    for s in hostile::scenarios() {
        assert!(!s.script().steps().is_empty(), "{}", s.name);
        assert!(!s.about.is_empty(), "{}", s.name);
    }
}
