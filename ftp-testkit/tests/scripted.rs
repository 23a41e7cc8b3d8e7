//! The scripted server driven by a raw socket standing in for a client.

use ftp_testkit::scripted::{DataSummary, Failure, LineMatch, Script, ScriptedServer, Step};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// Every blocking call of the test client gives up after this long.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

struct RawClient {
    reader: BufReader<TcpStream>,
}

impl RawClient {
    fn connect(addr: SocketAddr) -> RawClient {
        let stream = TcpStream::connect_timeout(&addr, CLIENT_TIMEOUT).unwrap();
        stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        RawClient {
            reader: BufReader::new(stream),
        }
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line
    }

    fn send(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).unwrap();
    }

    fn read_to_end(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest).unwrap();
        rest
    }
}

fn connect_data(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, CLIENT_TIMEOUT).unwrap();
    s.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    s
}

fn epsv_port(reply: &str) -> u16 {
    let start = reply.find("(|||").expect("229 reply") + 4;
    let end = reply[start..].find('|').unwrap() + start;
    reply[start..end].parse().unwrap()
}

fn pasv_addr(reply: &str) -> (Ipv4Addr, u16) {
    let start = reply.find('(').unwrap() + 1;
    let end = reply.find(')').unwrap();
    let n: Vec<u16> = reply[start..end]
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    let ip = Ipv4Addr::new(n[0] as u8, n[1] as u8, n[2] as u8, n[3] as u8);
    (ip, n[4] << 8 | n[5])
}

fn read_all(mut s: TcpStream) -> Vec<u8> {
    let mut v = Vec::new();
    s.read_to_end(&mut v).unwrap();
    v
}

#[test]
fn login_script_records_every_control_byte() {
    let server = Script::new()
        .send("220-Welcome\r\n220 ready\r\n")
        .expect("USER alice\r\n")
        .send("331 password\r\n")
        .expect_prefix("PASS ")
        .send("230 in\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    assert_eq!(c.line(), "220-Welcome\r\n");
    assert_eq!(c.line(), "220 ready\r\n");
    c.send(b"USER alice\r\n");
    assert_eq!(c.line(), "331 password\r\n");
    c.send(b"PASS secret\r\n");
    assert_eq!(c.line(), "230 in\r\n");
    c.send(b"QUIT\r\n");
    assert_eq!(c.line(), "221 bye\r\n");
    // The script is over: the server closes.
    assert_eq!(c.read_to_end(), b"");
    let log = server.finish().unwrap();
    assert_eq!(
        log.control_received,
        b"USER alice\r\nPASS secret\r\nQUIT\r\n"
    );
    assert_eq!(log.lines_lossy(), ["USER alice", "PASS secret", "QUIT"]);
    assert_eq!(log.steps_completed, 7);
}

#[test]
fn expect_line_split_at_every_byte_offset_still_matches() {
    let line = b"USER alice\r\n";
    for split in 1..line.len() {
        let server = Script::new()
            .expect(line)
            .send("331 ok\r\n")
            .start()
            .unwrap();
        let mut c = RawClient::connect(server.addr());
        c.send(&line[..split]);
        c.send(&line[split..]);
        assert_eq!(c.line(), "331 ok\r\n", "split at {split}");
        drop(c);
        server
            .finish()
            .unwrap_or_else(|e| panic!("split at {split}: {e}"));
    }
}

#[test]
fn two_lines_in_one_write_are_expected_one_at_a_time() {
    let server = Script::new()
        .expect("NOOP\r\n")
        .expect("NOOP\r\n")
        .send("200 a\r\n")
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"NOOP\r\nNOOP\r\n");
    assert_eq!(c.line(), "200 a\r\n");
    drop(c);
    assert_eq!(server.finish().unwrap().lines.len(), 2);
}

#[test]
fn expect_mismatch_names_the_step_and_first_differing_byte() {
    let server = Script::new()
        .send("220 hi\r\n")
        .expect("USER alice\r\n")
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    c.line();
    c.send(b"USER alicia\r\n");
    let err = server.finish().unwrap_err();
    assert_eq!(err.step_index, Some(1));
    assert_eq!(
        err.failure,
        Failure::Mismatch {
            expected: b"USER alice\r\n".to_vec(),
            got: b"USER alicia\r\n".to_vec()
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("step 1 Expect(\"USER alice\\r\\n\")"),
        "{text}"
    );
    assert!(text.contains("received: \"USER alicia\\r\\n\""), "{text}");
    assert!(text.contains("first difference at byte 9"), "{text}");
}

#[test]
fn bare_lf_does_not_match_a_crlf_expectation() {
    let server = Script::new().expect("NOOP\r\n").start().unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"NOOP\n");
    let err = server.finish().unwrap_err();
    assert!(matches!(err.failure, Failure::Mismatch { .. }), "{err}");
}

#[test]
fn expect_line_predicate_rejection_is_described() {
    let server = Script::new()
        .expect_line(LineMatch::predicate("a TYPE I", |l| l == b"TYPE I\r\n"))
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"TYPE A\r\n");
    let err = server.finish().unwrap_err();
    assert_eq!(
        err.failure,
        Failure::LineRejected {
            check: "a line that is a TYPE I".into(),
            got: b"TYPE A\r\n".to_vec()
        }
    );
}

#[test]
fn client_closing_mid_line_is_reported_with_the_partial_line() {
    let server = Script::new().expect("QUIT\r\n").start().unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"QU");
    drop(c);
    let err = server.finish().unwrap_err();
    assert_eq!(
        err.failure,
        Failure::ClosedBeforeLine {
            partial: b"QU".to_vec()
        }
    );
}

#[test]
fn overlong_line_fails_the_script() {
    let server = Script::new().expect("NOOP\r\n").start().unwrap();
    let mut c = RawClient::connect(server.addr());
    let long = vec![b'A'; ftp_testkit::scripted::MAX_LINE + 10];
    // The server may close while we write: ignore write errors.
    let _ = c.reader.get_mut().write_all(&long);
    let err = server.finish().unwrap_err();
    assert_eq!(err.failure, Failure::LineTooLong);
}

#[test]
fn wait_for_close_passes_when_the_client_closes() {
    let server = Script::new()
        .send("421 bye\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    assert_eq!(c.line(), "421 bye\r\n");
    drop(c);
    server.finish().unwrap();
}

#[test]
fn wait_for_close_fails_when_the_client_sends_instead() {
    let server = Script::new().wait_for_close().start().unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"NOOP\r\n");
    let err = server.finish().unwrap_err();
    assert_eq!(
        err.failure,
        Failure::BytesBeforeClose {
            got: b"NOOP\r\n".to_vec()
        }
    );
}

#[test]
fn never_answer_records_input_and_ends_when_the_client_leaves() {
    let server = Script::new()
        .send("220 hi\r\n")
        .never_answer()
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    c.line();
    c.send(b"USER a\r\n");
    c.send(b"USER b\r\n");
    drop(c);
    let log = server.finish().unwrap();
    assert_eq!(log.control_received, b"USER a\r\nUSER b\r\n");
}

#[test]
fn cap_ends_a_session_whose_client_hangs() {
    let server = Script::new()
        .expect("USER a\r\n")
        .cap(Duration::from_millis(300))
        .start()
        .unwrap();
    let c = RawClient::connect(server.addr());
    let err = server.finish().unwrap_err();
    assert_eq!(
        err.failure,
        Failure::Deadline {
            cap: Duration::from_millis(300)
        }
    );
    drop(c);
}

#[test]
fn cap_without_any_client_reports_no_client() {
    let server = Script::new()
        .send("220 hi\r\n")
        .cap(Duration::from_millis(200))
        .start()
        .unwrap();
    let err = server.finish().unwrap_err();
    assert_eq!(err.failure, Failure::NoClient);
    assert_eq!(err.step_index, None);
}

#[test]
fn close_control_gives_the_client_end_of_stream() {
    let server = Script::new()
        .send("220 hi\r\n")
        .close_control()
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    assert_eq!(c.line(), "220 hi\r\n");
    assert_eq!(c.read_to_end(), b"");
    server.finish().unwrap();
}

#[test]
fn step_after_close_control_fails() {
    let server = Script::new()
        .close_control()
        .send("220 hi\r\n")
        .start()
        .unwrap();
    let _c = RawClient::connect(server.addr());
    assert_eq!(server.finish().unwrap_err().failure, Failure::ControlClosed);
}

#[test]
fn send_slowly_delivers_every_byte() {
    let server = Script::new()
        .send_slowly("220 slow\r\n", Duration::from_millis(2))
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    assert_eq!(c.line(), "220 slow\r\n");
    server.finish().unwrap();
}

#[test]
fn epsv_download_delivers_the_data_then_the_final_reply() {
    let server = Script::new()
        .expect("EPSV\r\n")
        .passive_epsv()
        .expect("RETR a.txt\r\n")
        .send("150 here\r\n")
        .accept_data()
        .data_send("hello\n")
        .data_close()
        .send("226 done\r\n")
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"EPSV\r\n");
    let reply = c.line();
    assert!(
        reply.starts_with("229 Entering Extended Passive Mode (|||"),
        "{reply}"
    );
    let data = connect_data(SocketAddr::new(
        Ipv4Addr::LOCALHOST.into(),
        epsv_port(&reply),
    ));
    c.send(b"RETR a.txt\r\n");
    assert_eq!(c.line(), "150 here\r\n");
    assert_eq!(read_all(data), b"hello\n");
    assert_eq!(c.line(), "226 done\r\n");
    let log = server.finish().unwrap();
    assert_eq!(log.data_sent, [6]);
    assert_eq!(log.data_peers.len(), 1);
}

#[test]
fn pasv_reply_can_name_a_lying_address() {
    let liar = Ipv4Addr::new(127, 9, 8, 7);
    let server = Script::new()
        .passive_pasv(Some(liar))
        .accept_data()
        .data_send("x")
        .data_close()
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    let reply = c.line();
    assert!(
        reply.starts_with("227 Entering Passive Mode (127,9,8,7,"),
        "{reply}"
    );
    let (ip, port) = pasv_addr(&reply);
    assert_eq!(ip, liar);
    // The listener is on the control connection's address, as a distrusting client assumes.
    let data = connect_data(SocketAddr::new(server.addr().ip(), port));
    assert_eq!(read_all(data), b"x");
    server.finish().unwrap();
}

#[test]
fn upload_is_checked_byte_for_byte() {
    let server = Script::new()
        .passive_epsv()
        .accept_data()
        .data_expect("payload")
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    let port = epsv_port(&c.line());
    let mut data = connect_data(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
    data.write_all(b"payload").unwrap();
    drop(data);
    let log = server.finish().unwrap();
    assert_eq!(log.data_received, [b"payload".to_vec()]);
}

#[test]
fn upload_mismatch_reports_lengths_and_offset() {
    let server = Script::new()
        .passive_epsv()
        .accept_data()
        .data_expect("payload")
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    let port = epsv_port(&c.line());
    let mut data = connect_data(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
    data.write_all(b"payLOAD!").unwrap();
    drop(data);
    let err = server.finish().unwrap_err();
    assert_eq!(
        err.failure,
        Failure::DataMismatch {
            expected_len: 7,
            got_len: 8,
            first_difference: 3
        }
    );
    assert_eq!(err.log.data_received, [b"payLOAD!".to_vec()]);
}

#[test]
fn large_upload_is_summarised_by_length_and_sha256() {
    let server = Script::new()
        .passive_epsv()
        .accept_data()
        .data_expect_all()
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    let port = epsv_port(&c.line());
    let mut data = connect_data(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
    let body: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    data.write_all(&body).unwrap();
    drop(data);
    let log = server.finish().unwrap();
    assert_eq!(log.data_summaries, [DataSummary::of(&body)]);
}

#[test]
fn accept_data_without_a_listener_fails_clearly() {
    let server = ScriptedServer::start(vec![Step::AcceptData]).unwrap();
    let _c = RawClient::connect(server.addr());
    assert_eq!(server.finish().unwrap_err().failure, Failure::NoListener);
}

#[test]
fn data_step_without_a_data_connection_fails_clearly() {
    let server = ScriptedServer::start(vec![Step::DataSend(b"x".to_vec())]).unwrap();
    let _c = RawClient::connect(server.addr());
    assert_eq!(
        server.finish().unwrap_err().failure,
        Failure::NoDataConnection
    );
}

fn active_listener(ip: IpAddr) -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind(SocketAddr::new(ip, 0)).unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

#[test]
fn port_active_mode_connects_to_the_announced_address() {
    let server = Script::new()
        .expect_prefix("PORT ")
        .send("200 ok\r\n")
        .connect_to_client_data(None)
        .data_send("active")
        .data_close()
        .start()
        .unwrap();
    let (l, a) = active_listener(Ipv4Addr::LOCALHOST.into());
    let mut c = RawClient::connect(server.addr());
    c.send(format!("PORT 127,0,0,1,{},{}\r\n", a.port() >> 8, a.port() & 0xff).as_bytes());
    assert_eq!(c.line(), "200 ok\r\n");
    let (data, peer) = l.accept().unwrap();
    assert_eq!(peer.ip(), server.addr().ip());
    data.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    assert_eq!(read_all(data), b"active");
    server.finish().unwrap();
}

#[test]
fn eprt_active_mode_can_connect_from_another_source_ip() {
    let other: IpAddr = Ipv4Addr::new(127, 0, 0, 2).into();
    let server = Script::new()
        .expect_prefix("EPRT ")
        .send("200 ok\r\n")
        .connect_to_client_data(Some(other))
        .data_close()
        .start()
        .unwrap();
    let (l, a) = active_listener(Ipv4Addr::LOCALHOST.into());
    let mut c = RawClient::connect(server.addr());
    c.send(format!("EPRT |1|127.0.0.1|{}|\r\n", a.port()).as_bytes());
    assert_eq!(c.line(), "200 ok\r\n");
    let (_data, peer) = l.accept().unwrap();
    assert_eq!(peer.ip(), other);
    server.finish().unwrap();
}

#[test]
fn active_mode_refuses_a_non_loopback_address() {
    let server = Script::new()
        .expect_prefix("PORT ")
        .connect_to_client_data(None)
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"PORT 10,0,0,1,4,1\r\n");
    let err = server.finish().unwrap_err();
    assert_eq!(
        err.failure,
        Failure::NotLoopback("10.0.0.1:1025".parse().unwrap())
    );
}

#[test]
fn active_mode_without_port_line_fails_clearly() {
    let server = Script::new()
        .expect("NOOP\r\n")
        .connect_to_client_data(None)
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"NOOP\r\n");
    assert_eq!(
        server.finish().unwrap_err().failure,
        Failure::NoActiveAddress { line: None }
    );
}

#[test]
fn send_until_closed_stops_when_the_client_closes_the_data_connection() {
    let server = Script::new()
        .passive_epsv()
        .accept_data()
        .data_send_until_closed(vec![7u8; 64 * 1024], 1 << 40)
        .send("426 aborted\r\n")
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    let port = epsv_port(&c.line());
    let mut data = connect_data(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
    let mut buf = vec![0u8; 1 << 20];
    data.read_exact(&mut buf).unwrap();
    assert!(buf.iter().all(|&b| b == 7));
    drop(data);
    assert_eq!(c.line(), "426 aborted\r\n");
    let log = server.finish().unwrap();
    assert!(log.data_sent[0] >= 1 << 20, "{:?}", log.data_sent);
}

#[test]
fn data_hold_open_waits_for_the_client_to_close_it() {
    let server = Script::new()
        .passive_epsv()
        .accept_data()
        .data_send("part")
        .data_hold_open()
        .send("426 closed\r\n")
        .send("225 abor ok\r\n")
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    let port = epsv_port(&c.line());
    let mut data = connect_data(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
    let mut part = [0u8; 4];
    data.read_exact(&mut part).unwrap();
    assert_eq!(&part, b"part");
    drop(data);
    assert_eq!(c.line(), "426 closed\r\n");
    assert_eq!(c.line(), "225 abor ok\r\n");
    server.finish().unwrap();
}

#[test]
fn data_send_slowly_delivers_every_byte() {
    let server = Script::new()
        .passive_epsv()
        .accept_data()
        .data_send_slowly("trickle", Duration::from_millis(2))
        .data_close()
        .start()
        .unwrap();
    let mut c = RawClient::connect(server.addr());
    let port = epsv_port(&c.line());
    let data = connect_data(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port));
    assert_eq!(read_all(data), b"trickle");
    server.finish().unwrap();
}

#[test]
fn ipv6_session_with_epsv_and_eprt() {
    let server = Script::new()
        .ipv6()
        .send("220 v6\r\n")
        .passive_epsv()
        .accept_data()
        .data_send("six")
        .data_close()
        .expect_prefix("EPRT |2|::1|")
        .connect_to_client_data(None)
        .data_expect("up")
        .start()
        .unwrap();
    assert!(server.addr().is_ipv6());
    let mut c = RawClient::connect(server.addr());
    assert_eq!(c.line(), "220 v6\r\n");
    let port = epsv_port(&c.line());
    let data = connect_data(SocketAddr::new(server.addr().ip(), port));
    assert_eq!(read_all(data), b"six");
    let (l, a) = active_listener(server.addr().ip());
    c.send(format!("EPRT |2|::1|{}|\r\n", a.port()).as_bytes());
    let (mut up, peer) = l.accept().unwrap();
    assert!(peer.ip().is_loopback() && peer.is_ipv6());
    up.write_all(b"up").unwrap();
    drop(up);
    server.finish().unwrap();
}

#[test]
fn transcript_text_runs_as_a_script() {
    // Session 2 of shared/transcripts/pure-ftpd.txt style: a multi-line greeting, a failed login.
    let text = "\
# greeting
S: 220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------
S: 220 You will be disconnected after 15 minutes of inactivity.
C: USER pureuser
S: 331 User pureuser OK. Password required
C: PASS ****
S: 530 Login authentication failed
";
    let server = Script::from_transcript(text).unwrap().start().unwrap();
    let mut c = RawClient::connect(server.addr());
    assert!(c.line().starts_with("220----------"));
    assert!(c.line().starts_with("220 You will"));
    c.send(b"USER pureuser\r\n");
    assert!(c.line().starts_with("331 "));
    c.send(b"PASS wrong\r\n");
    assert_eq!(c.line(), "530 Login authentication failed\r\n");
    let log = server.finish().unwrap();
    assert_eq!(log.lines_lossy(), ["USER pureuser", "PASS wrong"]);
}

#[test]
fn script_error_debug_is_the_readable_report() {
    let server = Script::new().expect("PWD\r\n").start().unwrap();
    let mut c = RawClient::connect(server.addr());
    c.send(b"CWD /\r\n");
    let err = server.finish().unwrap_err();
    assert_eq!(format!("{err:?}"), err.to_string());
    assert!(
        err.to_string()
            .contains("control bytes received: \"CWD /\\r\\n\""),
        "{err}"
    );
}
