//! ftplib behaviours against the scripted server: the exact bytes the client sends and how it
//! takes what the server sends.

use std::time::Duration;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::mpsc;

use ftp_blocking::{Encoding, Error, Ftp, FtpBuilder};
use ftp_proto::client::Timer;
use ftp_testkit::scripted::{Script, ScriptedServer, SessionLog};

const GREETING: &str = "220 scripted server ready\r\n";

/// A script that greets and accepts an anonymous login.
fn logged_in() -> Script {
    Script::new()
        .send(GREETING)
        .expect("USER anonymous\r\n")
        .send("331 password please\r\n")
        .expect("PASS anonymous@\r\n")
        .send("230 logged in\r\n")
}

fn connect_with(builder: FtpBuilder, server: &ScriptedServer) -> Ftp {
    let addr = server.addr();
    builder
        .connect(&addr.ip().to_string(), addr.port())
        .expect("connect")
}

fn login(builder: FtpBuilder, server: &ScriptedServer) -> Ftp {
    let mut ftp = connect_with(builder, server);
    ftp.login("", "", "").expect("login");
    ftp
}

fn short() -> FtpBuilder {
    Ftp::builder().timeout(Duration::from_secs(5))
}

fn finish(server: ScriptedServer) -> SessionLog {
    match server.finish() {
        Ok(log) => log,
        Err(e) => panic!("script failed: {e}"),
    }
}

/// EPSV and a passive data connection, then `verb` accepted with a 150.
fn passive(script: Script, type_line: &str, verb_line: &str) -> Script {
    script
        .expect(type_line)
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect(verb_line)
        .send("150 opening data connection\r\n")
}

#[test]
fn greeting_multiline_is_kept_whole() {
    let server = Script::new()
        .send("220-first line\r\n220-second line\r\n220 last line\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let ftp = connect_with(short(), &server);
    assert_eq!(
        ftp.getwelcome().to_text_lossy(),
        "220-first line\n220-second line\n220 last line"
    );
    ftp.close();
    finish(server);
}

#[test]
fn login_sends_pass_and_acct_only_after_3xx() {
    let server = Script::new()
        .send(GREETING)
        .expect("USER alice\r\n")
        .send("331 password\r\n")
        .expect("PASS secret\r\n")
        .send("332 account\r\n")
        .expect("ACCT acc\r\n")
        .send("230 in\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect_with(short(), &server);
    let reply = ftp.login("alice", "secret", "acc").unwrap();
    assert_eq!(reply.code().as_u16(), 230);
    drop(ftp);
    finish(server);
}

#[test]
fn login_230_after_user_sends_no_password() {
    let server = Script::new()
        .send(GREETING)
        .expect("USER anonymous\r\n")
        .send("230 welcome, anonymous\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect_with(short(), &server);
    assert_eq!(ftp.login("anonymous", "", "").unwrap().code().as_u16(), 230);
    drop(ftp);
    finish(server);
}

#[test]
fn login_anonymous_dash_password_becomes_dash_anonymous_at() {
    let server = Script::new()
        .send(GREETING)
        .expect("USER anonymous\r\n")
        .send("331 password\r\n")
        .expect("PASS -anonymous@\r\n")
        .send("230 in\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect_with(short(), &server);
    ftp.login("anonymous", "-", "").unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn login_530_is_permanent_error_with_reply() {
    let server = Script::new()
        .send(GREETING)
        .expect("USER bob\r\n")
        .send("331 password\r\n")
        .expect("PASS wrong\r\n")
        .send("530 Login incorrect.\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect_with(short(), &server);
    let err = ftp.login("bob", "wrong", "").unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert_eq!(err.reply().unwrap().code().as_u16(), 530);
    drop(ftp);
    finish(server);
}

#[test]
fn drop_closes_without_quit() {
    let server = logged_in().wait_for_close().start().unwrap();
    let ftp = login(short(), &server);
    drop(ftp);
    let log = finish(server);
    assert_eq!(log.lines_lossy(), ["USER anonymous", "PASS anonymous@"]);
}

#[test]
fn quit_returns_the_221_reply() {
    let server = logged_in()
        .expect("QUIT\r\n")
        .send("221 Goodbye.\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let ftp = login(short(), &server);
    assert_eq!(ftp.quit().unwrap().to_text_lossy(), "221 Goodbye.");
    finish(server);
}

#[test]
fn quit_failing_still_closes() {
    let server = logged_in()
        .expect("QUIT\r\n")
        .close_control()
        .start()
        .unwrap();
    let ftp = login(short(), &server);
    assert!(ftp.quit().is_err());
    finish(server);
}

#[test]
fn sendcmd_refuses_cr_lf_before_sending_anything() {
    let server = logged_in().wait_for_close().start().unwrap();
    let mut ftp = login(short(), &server);
    for line in ["NOOP\r\nDELE x", "NOOP\nDELE x", "NOOP\rDELE x", "NOOP\0"] {
        let err = ftp.sendcmd(line).unwrap_err();
        assert!(matches!(err, Error::InvalidCommand(_)), "{line:?}: {err:?}");
    }
    let err = ftp.cwd("dir\r\nDELE x").unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    drop(ftp);
    let log = finish(server);
    assert_eq!(
        log.lines.len(),
        2,
        "only USER and PASS went out: {:?}",
        log.lines_lossy()
    );
}

#[test]
fn sendcmd_returns_final_reply_and_voidcmd_refuses_non_2xx() {
    let server = logged_in()
        .expect("SYST\r\n")
        .send("215 UNIX Type: L8\r\n")
        .expect("SITE CHMOD 644 x\r\n")
        .send("550 not permitted\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    assert_eq!(ftp.sendcmd("SYST").unwrap().code().as_u16(), 215);
    let err = ftp.voidcmd("SITE CHMOD 644 x").unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert_eq!(ftp.voidcmd("NOOP").unwrap().code().as_u16(), 200);
    drop(ftp);
    finish(server);
}

#[test]
fn reply_line_over_limit_is_a_protocol_error_not_a_crash() {
    let long = format!("200 {}\r\n", "x".repeat(9000));
    let server = logged_in()
        .expect("NOOP\r\n")
        .send(long)
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let err = ftp.noop().unwrap_err();
    assert!(err.is_protocol(), "{err:?}");
    drop(ftp);
    let _ = server.finish();
}

#[test]
fn retrbinary_chunks_are_at_most_blocksize() {
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let server = passive(logged_in(), "TYPE I\r\n", "RETR file.bin\r\n")
        .data_send(&data)
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut got = Vec::new();
    let mut sizes = Vec::new();
    let reply = ftp
        .retrbinary(
            "RETR file.bin",
            |c| {
                sizes.push(c.len());
                got.extend_from_slice(c);
            },
            1000,
            None,
        )
        .unwrap();
    assert_eq!(reply.code().as_u16(), 226);
    assert_eq!(got, data);
    assert!(sizes.iter().all(|&n| n <= 1000 && n > 0), "{sizes:?}");
    drop(ftp);
    finish(server);
}

/// The same as [`passive`] with a REST before the command.
fn passive_rest(script: Script, offset: u64, verb_line: &str) -> Script {
    script
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect(format!("REST {offset}\r\n"))
        .send("350 restarting\r\n")
        .expect(verb_line)
        .send("150 opening data connection\r\n")
}

#[test]
fn retrlines_strips_line_ends_and_keeps_a_last_line_without_eol() {
    let server = passive(logged_in(), "TYPE A\r\n", "RETR notes.txt\r\n")
        .data_send("first\r\nsecond\nthird")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut lines = Vec::new();
    ftp.retrlines("RETR notes.txt", |l| lines.push(l.to_owned()))
        .unwrap();
    assert_eq!(lines, ["first", "second", "third"]);
    drop(ftp);
    finish(server);
}

#[test]
fn storlines_sends_crlf_whatever_the_input_used() {
    let server = passive(logged_in(), "TYPE A\r\n", "STOR up.txt\r\n")
        .data_expect("unix\r\ndos\r\nmac only cr\r\nlast\r\n")
        .send("226 stored\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut input = std::io::Cursor::new(&b"unix\ndos\r\nmac only cr\r\nlast"[..]);
    let mut seen = Vec::new();
    let mut cb = |b: &[u8]| seen.push(b.to_vec());
    let reply = ftp
        .storlines("STOR up.txt", &mut input, Some(&mut cb))
        .unwrap();
    assert_eq!(reply.code().as_u16(), 226);
    assert_eq!(seen.len(), 4);
    drop(ftp);
    finish(server);
}

#[test]
fn storlines_line_over_maxline_aborts_the_transfer() {
    let server = passive(logged_in(), "TYPE A\r\n", "STOR up.txt\r\n")
        .data_expect("")
        .expect("ABOR\r\n")
        .send("426 transfer aborted\r\n226 abort successful\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let long = vec![b'x'; ftp_blocking::MAXLINE + 10];
    let err = ftp
        .storlines("STOR up.txt", &mut &long[..], None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LineTooLong {
                limit: ftp_blocking::MAXLINE
            }
        ),
        "{err:?}"
    );
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn storbinary_calls_back_after_each_block() {
    let data: Vec<u8> = (0..5000u32).map(|i| (i % 253) as u8).collect();
    let server = passive(logged_in(), "TYPE I\r\n", "STOR up.bin\r\n")
        .data_expect(&data)
        .send("226 stored\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut blocks = 0usize;
    let mut cb = |b: &[u8]| {
        assert!(b.len() <= 1024);
        blocks += 1;
    };
    ftp.storbinary("STOR up.bin", &mut &data[..], 1024, Some(&mut cb), None)
        .unwrap();
    assert!(blocks >= 5, "{blocks}");
    drop(ftp);
    finish(server);
}

#[test]
fn rest_offset_is_sent_before_retr() {
    let server = passive_rest(logged_in(), 100, "RETR big.bin\r\n")
        .data_send("tail")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut got = Vec::new();
    ftp.retrbinary(
        "RETR big.bin",
        |c| got.extend_from_slice(c),
        8192,
        Some(100),
    )
    .unwrap();
    assert_eq!(got, b"tail");
    drop(ftp);
    finish(server);
}

/// The 44 bytes after offset 10 of a 54-byte file.
const REST_TAIL: &str = "0123456789012345678901234567890123456789abcd";

#[test]
fn retr_reader_with_rest_reports_the_announced_size() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("REST 10\r\n")
        .send("350 restarting\r\n")
        .expect("RETR plain.txt\r\n")
        .send("150 Opening BINARY mode data connection for plain.txt (54 bytes).\r\n")
        // vsftpd announces the whole file after REST: 54 - 10 bytes follow.
        .data_send(REST_TAIL)
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut reader = ftp.retr("plain.txt", Some(10)).unwrap();
    assert_eq!(reader.announced_size(), Some(54));
    let mut got = String::new();
    reader.read_to_string(&mut got).unwrap();
    assert_eq!(got, REST_TAIL);
    assert_eq!(reader.finish().unwrap().code().as_u16(), 226);
    drop(ftp);
    finish(server);
}

#[test]
fn ntransfercmd_returns_the_stream_and_the_150_size() {
    let server = passive(logged_in(), "TYPE I\r\n", "RETR f\r\n")
        .send("")
        .data_send("abc")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let (mut stream, size) = ftp.ntransfercmd("RETR f", None).unwrap();
    assert_eq!(size, None);
    let mut got = Vec::new();
    stream.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"abc");
    assert_eq!(stream.finish().unwrap().code().as_u16(), 226);
    drop(ftp);
    finish(server);
}

#[test]
fn stor_writer_shuts_down_then_reads_the_final_reply() {
    let server = passive(logged_in(), "TYPE I\r\n", "STOR w.bin\r\n")
        .data_expect("written through Write")
        .send("226 stored\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut w = ftp.stor("w.bin").unwrap();
    w.write_all(b"written through ").unwrap();
    w.write_all(b"Write").unwrap();
    assert_eq!(w.finish().unwrap().code().as_u16(), 226);
    drop(ftp);
    finish(server);
}

#[test]
fn transfer_refused_with_550_is_permanent_and_session_goes_on() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("RETR missing\r\n")
        .send("550 No such file\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let err = ftp
        .retrbinary("RETR missing", |_| {}, 8192, None)
        .unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert_eq!(err.reply().unwrap().code().as_u16(), 550);
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn pasv_227_address_is_distrusted_by_default() {
    // EPSV refused, PASV names 127.0.0.2: the client connects to the control peer instead.
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send("500 EPSV not understood\r\n")
        .expect("PASV\r\n")
        .passive_pasv(Some(Ipv4Addr::new(127, 0, 0, 2)))
        .accept_data()
        .expect("RETR f\r\n")
        .send("150 here\r\n")
        .data_send("ok")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut got = Vec::new();
    ftp.retrbinary("RETR f", |c| got.extend_from_slice(c), 8192, None)
        .unwrap();
    assert_eq!(got, b"ok");
    drop(ftp);
    finish(server);
}

#[test]
fn pasv_227_address_is_used_when_trusted() {
    // The 227 names 127.0.0.2, where nothing listens: trusting it makes the connect fail.
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send("500 EPSV not understood\r\n")
        .expect("PASV\r\n")
        .passive_pasv(Some(Ipv4Addr::new(127, 0, 0, 2)))
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().trust_server_pasv_ipv4_address(true), &server);
    let err = ftp.retrbinary("RETR f", |_| {}, 8192, None).unwrap_err();
    assert!(matches!(err, Error::Data { .. }), "{err:?}");
    drop(ftp);
    finish(server);
}

#[test]
fn trusted_pasv_227_naming_0_0_0_0_connects_to_the_control_peer() {
    // Trusted, but 0.0.0.0 is unspecified and the control peer (127.0.0.1) is not: the client
    // connects to the control peer with the announced port, and the transfer works.
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send("500 EPSV not understood\r\n")
        .expect("PASV\r\n")
        .passive_pasv(Some(Ipv4Addr::new(0, 0, 0, 0)))
        .accept_data()
        .expect("RETR f\r\n")
        .send("150 here\r\n")
        .data_send("ok")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().trust_server_pasv_ipv4_address(true), &server);
    let mut got = Vec::new();
    ftp.retrbinary("RETR f", |c| got.extend_from_slice(c), 8192, None)
        .unwrap();
    assert_eq!(got, b"ok");
    drop(ftp);
    finish(server);
}

#[test]
fn pasv_227_with_port_0_is_a_protocol_error_and_the_session_goes_on() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send("500 EPSV not understood\r\n")
        .expect("PASV\r\n")
        .send("227 Entering Passive Mode (127,0,0,1,0,0).\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().trust_server_pasv_ipv4_address(true), &server);
    let err = ftp.retrbinary("RETR f", |_| {}, 8192, None).unwrap_err();
    assert!(matches!(err, Error::Protocol(_)), "{err:?}");
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn active_mode_drops_a_data_connection_from_another_host() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect_prefix("EPRT |1|127.0.0.1|")
        .send("200 EPRT ok\r\n")
        .expect("RETR f\r\n")
        .send("150 connecting\r\n")
        .connect_to_client_data(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))))
        .connect_to_client_data(None)
        .data_send("from the server")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    ftp.set_pasv(false);
    let mut got = Vec::new();
    ftp.retrbinary("RETR f", |c| got.extend_from_slice(c), 8192, None)
        .unwrap();
    assert_eq!(got, b"from the server");
    drop(ftp);
    let log = finish(server);
    assert_eq!(log.data_peers.len(), 2);
}

#[test]
fn active_mode_falls_back_to_port_when_eprt_is_refused() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect_prefix("EPRT ")
        .send("500 EPRT not understood\r\n")
        .expect_prefix("PORT 127,0,0,1,")
        .send("200 PORT ok\r\n")
        .expect("RETR f\r\n")
        .send("150 connecting\r\n")
        .connect_to_client_data(None)
        .data_send("x")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().passive(false), &server);
    let mut got = Vec::new();
    ftp.retrbinary("RETR f", |c| got.extend_from_slice(c), 8192, None)
        .unwrap();
    assert_eq!(got, b"x");
    drop(ftp);
    finish(server);
}

/// A download the client aborts after reading some of it; the server answers ABOR with `replies`.
fn abort_script(replies: &str) -> Script {
    passive(logged_in(), "TYPE I\r\n", "RETR big.bin\r\n")
        .data_send_until_closed(vec![7u8; 64 * 1024], 1 << 30)
        .expect("ABOR\r\n")
        .send(replies)
        .expect("NOOP\r\n")
        .send("200 still here\r\n")
        .wait_for_close()
}

fn abort_after_some_data(replies: &str) -> Vec<u16> {
    let server = abort_script(replies).start().unwrap();
    let mut ftp = login(short(), &server);
    let mut reader = ftp.retr("big.bin", None).unwrap();
    let mut buf = vec![0u8; 100_000];
    reader.read_exact(&mut buf).unwrap();
    let replies = reader.abort().unwrap();
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
    replies.iter().map(|r| r.code().as_u16()).collect()
}

#[test]
fn abort_during_retr_426_then_226() {
    assert_eq!(
        abort_after_some_data("426 aborted\r\n226 ABOR ok\r\n"),
        [426, 226]
    );
}

#[test]
fn abort_during_retr_226_then_426_as_libunftp_sends() {
    assert_eq!(
        abort_after_some_data("226 closing\r\n426 aborted\r\n"),
        [226, 426]
    );
}

#[test]
fn abort_handle_stops_a_transfer_from_another_thread() {
    let server = abort_script("426 aborted\r\n225 ABOR ok\r\n")
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let handle = ftp.abort_handle();
    let (tx, rx) = mpsc::channel::<()>();
    let aborter = std::thread::spawn(move || {
        rx.recv().unwrap();
        handle.abort();
    });
    let mut tx = Some(tx);
    let mut total = 0usize;
    let result = ftp.retrbinary(
        "RETR big.bin",
        |c| {
            total += c.len();
            if total > 1_000_000
                && let Some(tx) = tx.take()
            {
                tx.send(()).unwrap();
            }
        },
        65536,
        None,
    );
    aborter.join().unwrap();
    match result {
        Err(Error::Aborted(replies)) => {
            let codes: Vec<u16> = replies.iter().map(|r| r.code().as_u16()).collect();
            assert_eq!(codes, [426, 225]);
        }
        other => panic!("expected Aborted, got {other:?}"),
    }
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn cwd_dotdot_tries_cdup_first() {
    let server = logged_in()
        .expect("CDUP\r\n")
        .send("250 up\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    ftp.cwd("..").unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn cwd_empty_path_means_dot() {
    let server = logged_in()
        .expect("CWD .\r\n")
        .send("250 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    ftp.cwd("").unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn mkd_and_pwd_unescape_doubled_quotes() {
    let server = logged_in()
        .expect("MKD say \"hi\"\r\n")
        .send("257 \"/home/say \"\"hi\"\"\" created\r\n")
        .expect("PWD\r\n")
        .send("257 \"/home\" is the current directory\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    assert_eq!(ftp.mkd("say \"hi\"").unwrap(), "/home/say \"hi\"");
    assert_eq!(ftp.pwd().unwrap(), "/home");
    drop(ftp);
    finish(server);
}

#[test]
fn size_rename_delete_rmd() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 Switching to Binary mode.\r\n")
        .expect("SIZE a.txt\r\n")
        .send("213 54\r\n")
        .expect("RNFR a.txt\r\n")
        .send("350 ready for RNTO\r\n")
        .expect("RNTO b.txt\r\n")
        .send("250 renamed\r\n")
        .expect("DELE b.txt\r\n")
        .send("250 deleted\r\n")
        .expect("RMD d\r\n")
        .send("250 removed\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    assert_eq!(ftp.size("a.txt").unwrap(), Some(54));
    ftp.rename("a.txt", "b.txt").unwrap();
    ftp.delete("b.txt").unwrap();
    ftp.rmd("d").unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn rename_stops_when_rnfr_is_refused() {
    let server = logged_in()
        .expect("RNFR missing\r\n")
        .send("550 no such file\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    assert!(ftp.rename("missing", "x").unwrap_err().is_permanent());
    drop(ftp);
    let log = finish(server);
    assert!(!log.lines_lossy().iter().any(|l| l.starts_with("RNTO")));
}

#[test]
fn nlst_and_dir() {
    let server = passive(logged_in(), "TYPE A\r\n", "NLST\r\n")
        .data_send("a.txt\r\nb c.txt\r\n")
        .data_close()
        .send("226 done\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("LIST -a sub\r\n")
        .send("150 here\r\n")
        .data_send("-rw-r--r-- 1 u g 54 Nov 22 05:05 a.txt\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    assert_eq!(ftp.nlst(&[]).unwrap(), ["a.txt", "b c.txt"]);
    let mut lines = Vec::new();
    ftp.dir(&["-a", "sub"], |l| lines.push(l.to_owned()))
        .unwrap();
    assert_eq!(lines, ["-rw-r--r-- 1 u g 54 Nov 22 05:05 a.txt"]);
    drop(ftp);
    finish(server);
}

#[test]
fn mlsd_streams_entries_with_lowercased_fact_names() {
    let server = logged_in()
        .expect("OPTS MLST type;size;\r\n")
        .send("200 MLST OPTS type;size;\r\n")
        .expect("TYPE A\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("MLSD\r\n")
        .send("150 here\r\n")
        .data_send("Type=file;Size=54; a b;c.txt\r\nType=dir; sub\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let entries: Vec<_> = ftp
        .mlsd("", &["type", "size"])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].name(), b"a b;c.txt");
    assert_eq!(entries[0].facts().get("type"), Some(&b"file"[..]));
    assert_eq!(entries[0].facts().size(), Some(54));
    assert_eq!(entries[1].name(), b"sub");
    drop(ftp);
    finish(server);
}

#[test]
fn list_iterator_parses_unix_lines() {
    let server = passive(logged_in(), "TYPE A\r\n", "LIST\r\n")
        .data_send("drwxr-xr-x 2 u g 4096 Nov 22 05:05 subdir\r\n-rw-r--r-- 1 u g 54 Jun 15  2025 old.txt\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let entries: Vec<_> = ftp.list("").unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].name(), Some(&b"subdir"[..]));
    assert_eq!(entries[1].size(), Some(54));
    drop(ftp);
    finish(server);
}

#[test]
fn latin1_encoding_sends_one_byte_per_character() {
    let server = logged_in()
        .expect(b"CWD caf\xe9\r\n")
        .send("250 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().encoding(Encoding::Latin1), &server);
    ftp.cwd("café").unwrap();
    assert!(matches!(ftp.cwd("€"), Err(Error::Encoding(_))));
    drop(ftp);
    finish(server);
}

#[test]
fn utf8_encoding_is_the_default() {
    let server = logged_in()
        .expect("CWD café\r\n")
        .send("250 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    ftp.cwd("café").unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn latin1_encoding_decodes_listing_names() {
    let server = passive(logged_in(), "TYPE A\r\n", "NLST\r\n")
        .data_send(b"caf\xe9.bin\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().encoding(Encoding::Latin1), &server);
    assert_eq!(ftp.nlst(&[]).unwrap(), ["café.bin"]);
    drop(ftp);
    finish(server);
}

#[test]
fn zero_timeout_is_refused() {
    let err = Ftp::builder()
        .timeout(Duration::ZERO)
        .connect("127.0.0.1", 21)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidOption(_)), "{err:?}");
}

#[test]
fn greeting_never_sent_times_out() {
    let server = Script::new().never_answer().start().unwrap();
    let addr = server.addr();
    let err = Ftp::builder()
        .timeout(Duration::from_millis(300))
        .connect(&addr.ip().to_string(), addr.port())
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(Timer::Connect)), "{err:?}");
    let _ = server.finish();
}

#[test]
fn reply_never_sent_times_out() {
    let server = logged_in()
        .expect("NOOP\r\n")
        .never_answer()
        .start()
        .unwrap();
    let mut ftp = login(short().reply_timeout(Duration::from_millis(300)), &server);
    let err = ftp.noop().unwrap_err();
    assert!(matches!(err, Error::Timeout(Timer::Reply)), "{err:?}");
    drop(ftp);
    let _ = server.finish();
}

#[test]
fn trickling_reply_times_out_as_a_whole() {
    let server = logged_in()
        .expect("NOOP\r\n")
        .send_slowly(
            "200 this reply trickles in one byte at a time\r\n",
            Duration::from_millis(40),
        )
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().reply_timeout(Duration::from_millis(300)), &server);
    let err = ftp.noop().unwrap_err();
    assert!(matches!(err, Error::Timeout(Timer::Reply)), "{err:?}");
    drop(ftp);
    let _ = server.finish();
}

#[test]
fn data_going_idle_times_out() {
    // The server sends a few bytes, then nothing; once the client gives up and closes the data
    // connection, it answers 426 as vsftpd does.
    let server = passive(logged_in(), "TYPE I\r\n", "RETR stalled\r\n")
        .data_send("some bytes, then nothing")
        .data_hold_open()
        .send("426 Failure reading network stream.\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let builder = short().data_idle_timeout(Duration::from_millis(300));
    let mut ftp = login(builder, &server);
    let err = ftp
        .retrbinary("RETR stalled", |_| {}, 8192, None)
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(Timer::DataIdle)), "{err:?}");
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn ipv6_session_uses_epsv() {
    let server = passive(logged_in(), "TYPE I\r\n", "RETR f\r\n")
        .data_send("v6")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .ipv6()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut got = Vec::new();
    ftp.retrbinary("RETR f", |c| got.extend_from_slice(c), 8192, None)
        .unwrap();
    assert_eq!(got, b"v6");
    drop(ftp);
    let log = finish(server);
    assert!(log.data_peers[0].is_ipv6());
}

#[test]
fn source_address_binds_the_data_connection() {
    let server = passive(logged_in(), "TYPE I\r\n", "RETR f\r\n")
        .data_send("x")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let mut ftp = login(short().source_address(source), &server);
    ftp.retrbinary("RETR f", |_| {}, 8192, None).unwrap();
    drop(ftp);
    let log = finish(server);
    assert_eq!(log.data_peers[0].ip(), source);
}

#[test]
fn control_connection_closed_mid_session_is_connection_closed() {
    let server = logged_in()
        .expect("NOOP\r\n")
        .close_control()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let err = ftp.noop().unwrap_err();
    assert!(matches!(err, Error::ConnectionClosed), "{err:?}");
    assert!(matches!(ftp.noop(), Err(Error::Closed | Error::Usage(_))));
    drop(ftp);
    finish(server);
}

#[test]
fn mlsd_iterator_dropped_early_aborts_the_listing() {
    let mut line = b"type=file; name".to_vec();
    line.extend_from_slice(b"\r\n");
    let server = passive(logged_in(), "TYPE A\r\n", "MLSD\r\n")
        .data_send_until_closed(line, 1 << 30)
        .expect("ABOR\r\n")
        .send("426 aborted\r\n226 ABOR ok\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let first: Vec<_> = ftp.mlsd("", &[]).unwrap().take(3).collect();
    assert_eq!(first.len(), 3);
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

/// A `Write` into a shared buffer, to read the debug output back.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn debug_session(level: u8) -> String {
    let server = Script::new()
        .send(GREETING)
        .expect("USER alice\r\n")
        .send("331 password please\r\n")
        .expect("PASS s3cret\r\n")
        .send("230-welcome\r\n230 logged in\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let out = Captured::default();
    let builder = short().debuglevel(level).debug_output(out.clone());
    let mut ftp = connect_with(builder, &server);
    ftp.login("alice", "s3cret", "").unwrap();
    drop(ftp);
    finish(server);
    out.text()
}

#[test]
fn debuglevel_0_prints_nothing() {
    assert_eq!(debug_session(0), "");
}

#[test]
fn debuglevel_1_prints_commands_and_replies_with_pass_masked() {
    assert_eq!(
        debug_session(1),
        "*resp* '220 scripted server ready'\n\
         *cmd* 'USER alice'\n\
         *resp* '331 password please'\n\
         *cmd* 'PASS ****'\n\
         *resp* '230-welcome\\n230 logged in'\n"
    );
}

#[test]
fn debuglevel_2_prints_every_line_both_ways() {
    let text = debug_session(2);
    assert!(!text.contains("s3cret"), "{text}");
    for line in [
        "*get* '220 scripted server ready\\n'",
        "*put* 'USER alice\\r\\n'",
        "*put* 'PASS ****\\r\\n'",
        "*get* '230-welcome\\n'",
        "*get* '230 logged in\\n'",
        "*resp* '230-welcome\\n230 logged in'",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "{line} missing from:\n{text}"
        );
    }
}

#[test]
fn greeting_and_replies_trickled_byte_by_byte_are_framed_whole() {
    let server = Script::new()
        .send_slowly(
            "220-multi\r\n220 line greeting\r\n",
            Duration::from_millis(1),
        )
        .expect("USER anonymous\r\n")
        .send_slowly("331 pass\r\n", Duration::from_millis(1))
        .expect("PASS anonymous@\r\n")
        .send_slowly("230 in\r\n", Duration::from_millis(1))
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect_with(short(), &server);
    assert_eq!(
        ftp.getwelcome().to_text_lossy(),
        "220-multi\n220 line greeting"
    );
    ftp.login("", "", "").unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn listing_trickled_byte_by_byte_yields_whole_entries() {
    let server = passive(logged_in(), "TYPE A\r\n", "MLSD\r\n")
        .data_send_slowly(
            "type=file;size=1; one\r\ntype=dir; two\r\n",
            Duration::from_millis(1),
        )
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let names: Vec<Vec<u8>> = ftp
        .mlsd("", &[])
        .unwrap()
        .map(|e| e.map(|e| e.name().to_vec()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(names, [b"one".to_vec(), b"two".to_vec()]);
    drop(ftp);
    finish(server);
}

#[test]
fn active_mode_on_ipv6_sends_eprt_family_2() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect_prefix("EPRT |2|::1|")
        .send("200 EPRT ok\r\n")
        .expect("RETR f\r\n")
        .send("150 connecting\r\n")
        .connect_to_client_data(None)
        .data_send("v6 active")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .ipv6()
        .start()
        .unwrap();
    let mut ftp = login(short().passive(false), &server);
    let mut got = Vec::new();
    ftp.retrbinary("RETR f", |c| got.extend_from_slice(c), 8192, None)
        .unwrap();
    assert_eq!(got, b"v6 active");
    drop(ftp);
    finish(server);
}

#[test]
fn feat_mdtm_mlst_and_noop() {
    let server = logged_in()
        .expect("FEAT\r\n")
        .send("211-Features:\r\n MLST type*;size*;modify*;\r\n SIZE\r\n211 End\r\n")
        .expect("MDTM a.txt\r\n")
        .send("213 20250615083000\r\n")
        .expect("MLST a.txt\r\n")
        .send("250-Listing a.txt\r\n type=file;size=54; a.txt\r\n250 End\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let feat = ftp.feat().unwrap();
    assert!(feat.contains("MLST") && feat.contains("size"));
    let t = ftp.mdtm("a.txt").unwrap();
    assert_eq!(t.to_string(), "20250615083000");
    let entry = ftp.mlst("a.txt").unwrap();
    assert_eq!(entry.facts().size(), Some(54));
    assert_eq!(ftp.noop().unwrap().code().as_u16(), 200);
    drop(ftp);
    finish(server);
}

#[test]
fn abort_handle_stops_a_zero_copy_download_to_a_file() {
    let server = abort_script("426 aborted\r\n226 ABOR ok\r\n")
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let handle = ftp.abort_handle();
    let path = std::env::temp_dir().join(format!("ftp-blocking-abort-{}.bin", std::process::id()));
    let mut file = std::fs::File::create(&path).unwrap();
    let watched = path.clone();
    let aborter = std::thread::spawn(move || {
        // Abort once some data has landed in the file (bounded: at most 10 s).
        for _ in 0..1000 {
            if std::fs::metadata(&watched).map(|m| m.len()).unwrap_or(0) > 100_000 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        handle.abort();
    });
    let mut reader = ftp.retr("big.bin", None).unwrap();
    let err = reader.copy_to_file(&mut file).unwrap_err();
    aborter.join().unwrap();
    match err {
        Error::Aborted(replies) => {
            let codes: Vec<u16> = replies.iter().map(|r| r.code().as_u16()).collect();
            assert_eq!(codes, [426, 226]);
        }
        other => panic!("expected Aborted, got {other:?}"),
    }
    drop(reader);
    ftp.noop().unwrap();
    drop(ftp);
    let _ = std::fs::remove_file(&path);
    finish(server);
}

/// A listener whose accept queue is full: a further connect to it gets no SYN-ACK and hangs
/// until the client's own timeout (the data port of a server that never accepts).
fn port_that_never_accepts() -> (socket2::Socket, Vec<std::net::TcpStream>, u16) {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(
            &"127.0.0.1:0"
                .parse::<std::net::SocketAddr>()
                .unwrap()
                .into(),
        )
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    // Fill the queue (backlog 0 holds one, the kernel may allow one more).
    let fillers = (0..2)
        .filter_map(|_| {
            std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()
        })
        .collect();
    (listener, fillers, addr.port())
}

/// Issue 10: the reply timer armed by EPSV ends with the 229, so a data port that never
/// accepts ends the transfer with a *data-connect* timeout (not a reply timeout that closes
/// the session), and the session goes on.
#[test]
fn epsv_then_data_port_never_accepting_times_out_and_session_stays_usable() {
    let (_listener, _fillers, port) = port_that_never_accepts();
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send(format!(
            "229 Entering Extended Passive Mode (|||{port}|)\r\n"
        ))
        .expect("NOOP\r\n")
        .send("200 still here\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    // The same duration for every wait: the reply timer (armed first, by EPSV) would expire
    // first if the 229 did not end it.
    let mut ftp = login(Ftp::builder().timeout(Duration::from_millis(500)), &server);
    let err = ftp
        .retrbinary("RETR never", |_| {}, 8192, None)
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(Timer::DataConnect)), "{err:?}");
    assert_eq!(ftp.noop().unwrap().code().as_u16(), 200);
    drop(ftp);
    finish(server);
}

/// Issue 10: a data connection that opens after the reply timeout has passed (but within the
/// data-connect timeout) is fine: only the data-connect timer bounds it.
#[test]
fn epsv_then_data_port_accepting_late_completes_the_transfer() {
    let (listener, fillers, port) = port_that_never_accepts();
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send(format!(
            "229 Entering Extended Passive Mode (|||{port}|)\r\n"
        ))
        .expect("RETR late\r\n")
        .send("150 here it comes\r\n")
        .send("226 done\r\n")
        .expect("NOOP\r\n")
        .send("200 still here\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    // Makes room in the queue after a while, then takes the client's connection and closes it
    // at once (an empty file).
    let acceptor = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        let mut left = fillers.len() + 1;
        drop(fillers);
        listener.set_nonblocking(true).unwrap();
        let start = std::time::Instant::now();
        // Takes (and closes) the queued connections: the fillers first, then the client's
        // once its SYN is retried.
        while left > 0 && start.elapsed() < Duration::from_secs(8) {
            match listener.accept() {
                Ok((s, _)) => {
                    drop(s);
                    left -= 1;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    let builder = Ftp::builder()
        .timeout(Duration::from_secs(10))
        .reply_timeout(Duration::from_millis(300));
    let mut ftp = login(builder, &server);
    let mut got = Vec::new();
    ftp.retrbinary("RETR late", |b| got.extend_from_slice(b), 8192, None)
        .unwrap();
    assert!(got.is_empty());
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
    acceptor.join().unwrap();
}

/// Issue 11 item 11: any duration is accepted (no overflow panic with `Duration::MAX`), and
/// `no_timeout()` waits without a limit as ftplib's `timeout=None`; a whole session with a
/// transfer works under both.
#[test]
fn duration_max_and_no_timeout_are_accepted_and_sessions_work() {
    for builder in [
        Ftp::builder().timeout(Duration::MAX),
        Ftp::builder().no_timeout(),
        short()
            .reply_timeout(Duration::MAX)
            .data_idle_timeout(Duration::MAX),
    ] {
        let server = passive(logged_in(), "TYPE I\r\n", "RETR f\r\n")
            .data_send("hello")
            .data_close()
            .send("226 done\r\n")
            .expect("NOOP\r\n")
            .send_slowly("200 slow but fine\r\n", Duration::from_millis(5))
            .wait_for_close()
            .start()
            .unwrap();
        let mut ftp = login(builder, &server);
        let mut got = Vec::new();
        ftp.retrbinary("RETR f", |b| got.extend_from_slice(b), 8192, None)
            .unwrap();
        assert_eq!(got, b"hello");
        ftp.noop().unwrap();
        drop(ftp);
        finish(server);
    }
}

/// Issue 11 items 1 and 2: SIZE goes under TYPE I, and a positive reply other than 213 means
/// "size unknown" (`Ok(None)`, as ftplib), not a failure; 4xx/5xx stay errors.
#[test]
fn size_is_asked_under_type_i_and_a_non_213_positive_reply_is_none() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 Switching to Binary mode.\r\n")
        .expect("SIZE a.txt\r\n")
        .send("250 1000\r\n")
        .expect("SIZE b.txt\r\n")
        .send("213 54\r\n")
        .expect("SIZE c.txt\r\n")
        .send("550 no such file\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    assert_eq!(ftp.size("a.txt").unwrap(), None);
    assert_eq!(ftp.size("b.txt").unwrap(), Some(54));
    assert!(ftp.size("c.txt").unwrap_err().is_permanent());
    drop(ftp);
    finish(server);
}

/// Issue 11 item 3: a 200 before the 150 (ftplib's comment: some servers do it) keeps the
/// dialogue in step: the listing ends with the 226 and the next command gets its own reply.
#[test]
fn dir_with_200_before_150_keeps_the_dialogue_in_step() {
    let server = logged_in()
        .expect("TYPE A\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("LIST\r\n")
        .send("200 PORT command successful.\r\n")
        .send("150 Here comes the directory listing.\r\n")
        .data_send("-rw-r--r-- 1 ftp ftp 54 Jun 15 08:30 a.txt\r\n")
        .data_close()
        .send("226 Directory send OK.\r\n")
        .expect("NOOP\r\n")
        .send("200 NOOP ok.\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let mut lines = Vec::new();
    let reply = ftp.dir(&[], |l| lines.push(l.to_owned())).unwrap();
    assert_eq!(reply.code().as_u16(), 226);
    assert_eq!(lines.len(), 1);
    assert_eq!(ftp.noop().unwrap().code().as_u16(), 200);
    drop(ftp);
    finish(server);
}

/// Issue 11 item 4 and ftplib `acct()`: 332 after USER sends ACCT first; `acct` sends ACCT.
#[test]
fn login_with_332_after_user_sends_acct_and_acct_sends_acct() {
    let server = Script::new()
        .send(GREETING)
        .expect("USER alice\r\n")
        .send("332 Need account for login.\r\n")
        .expect("ACCT dept\r\n")
        .send("331 Password required.\r\n")
        .expect("PASS secret\r\n")
        .send("230 Logged in.\r\n")
        .expect("ACCT other\r\n")
        .send("202 Command not implemented, superfluous at this site.\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect_with(short(), &server);
    assert_eq!(
        ftp.login("alice", "secret", "dept")
            .unwrap()
            .code()
            .as_u16(),
        230
    );
    assert_eq!(ftp.acct("other").unwrap().code().as_u16(), 202);
    drop(ftp);
    finish(server);
}

/// Issue 11 item 6: `abort()` checks ABOR's reply as ftplib does: 500 is a protocol error.
#[test]
fn abort_with_an_unexpected_reply_is_a_protocol_error() {
    let server = logged_in()
        .expect("ABOR\r\n")
        .send("500 Unknown command.\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    let err = ftp.abort().unwrap_err();
    assert!(err.is_protocol(), "{err:?}");
    assert_eq!(err.reply().unwrap().code().as_u16(), 500);
    drop(ftp);
    finish(server);
}

/// Issue 11 item 7: a 257 with no quoted path (IIS) gives an empty path, not an error after
/// the directory was made.
#[test]
fn mkd_257_without_a_quoted_path_returns_an_empty_path() {
    let server = logged_in()
        .expect("MKD new\r\n")
        .send("257 MKD command successful.\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    assert_eq!(ftp.mkd("new").unwrap(), "");
    drop(ftp);
    finish(server);
}

/// Issue 11 item 12: an upload dropped without `finish()` (a `?` that returned early) is
/// aborted: the data connection is closed and ABOR sent, so the server does not store a
/// truncated file as complete; the session goes on.
#[test]
fn upload_dropped_without_finish_is_aborted() {
    let server = passive(logged_in(), "TYPE I\r\n", "STOR part.bin\r\n")
        .data_expect_all()
        .expect("ABOR\r\n")
        .send("426 Failure reading network stream.\r\n")
        .send("225 ABOR successful.\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
    {
        let mut w = ftp.stor("part.bin").unwrap();
        w.write_all(b"the first half").unwrap();
        // dropped here without finish()
    }
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

/// Issue 11 item 13: `FtpBuilder::epsv_all(true)` sends EPSV ALL once, before the first
/// passive transfer.
#[test]
fn epsv_all_is_sent_once_before_the_first_passive_transfer() {
    let script = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV ALL\r\n")
        .send("200 EPSV ALL ok.\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("RETR a\r\n")
        .send("150 ok\r\n")
        .data_send("A")
        .data_close()
        .send("226 done\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("RETR b\r\n")
        .send("150 ok\r\n")
        .data_send("B")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close();
    let server = script.start().unwrap();
    let mut ftp = login(short().epsv_all(true), &server);
    for name in ["a", "b"] {
        let mut got = Vec::new();
        ftp.retrbinary(
            &format!("RETR {name}"),
            |b| got.extend_from_slice(b),
            8192,
            None,
        )
        .unwrap();
        assert_eq!(got, name.to_uppercase().as_bytes());
    }
    drop(ftp);
    finish(server);
}

/// Issue 11 item 11: a 120 greeting ("ready in nnn minutes", here seconds) extends the wait for
/// the greeting past the connect timeout, to what it announces.
#[test]
fn greeting_120_extends_the_connect_wait() {
    let server = Script::new()
        .send("120 Service ready in 2 seconds.\r\n")
        .sleep(Duration::from_millis(700))
        .send(GREETING)
        .wait_for_close()
        .start()
        .unwrap();
    let ftp = connect_with(short().connect_timeout(Duration::from_millis(300)), &server);
    assert_eq!(ftp.getwelcome().code().as_u16(), 220);
    drop(ftp);
    finish(server);
}

/// A plain binary download that ends cleanly short of the size its 150 announced is
/// truncation (curl: CURLE_PARTIAL_FILE), not success; the session goes on.
#[test]
fn plain_download_short_of_the_announced_size_is_truncated() {
    let server = logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("RETR f\r\n")
        .send("150 Opening BINARY mode data connection for f (1000 bytes).\r\n")
        .data_send("x".repeat(500))
        .data_close()
        .send("226 done\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short(), &server);
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
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn max_time_ends_a_transfer_before_its_idle_timeout_and_the_session_goes_on() {
    // Two bytes trickle in, then nothing: the idle timeout (5 s) is far off, the whole-transfer
    // limit is not.
    let server = passive(logged_in(), "TYPE I\r\n", "RETR slow\r\n")
        .data_send_slowly("ab", Duration::from_millis(50))
        .data_hold_open()
        .send("426 Failure reading network stream.\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().max_time(Duration::from_millis(400)), &server);
    let err = ftp.retrbinary("RETR slow", |_| {}, 8192, None).unwrap_err();
    assert!(matches!(err, Error::Timeout(Timer::MaxTime)), "{err:?}");
    assert!(err.to_string().contains("MaxTime"), "{err}");
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn low_speed_limit_fails_a_trickling_transfer() {
    let server = passive(logged_in(), "TYPE I\r\n", "RETR slow\r\n")
        .data_send_slowly("ab", Duration::from_millis(50))
        .data_hold_open()
        .send("426 Failure reading network stream.\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let builder = short().low_speed_limit(1000, Duration::from_millis(400));
    let mut ftp = login(builder, &server);
    let err = ftp.retrbinary("RETR slow", |_| {}, 8192, None).unwrap_err();
    assert!(matches!(err, Error::Timeout(Timer::LowSpeed)), "{err:?}");
    assert!(err.to_string().contains("LowSpeed"), "{err}");
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn nlst_over_max_nlst_names_is_aborted_with_a_typed_error() {
    let server = passive(logged_in(), "TYPE A\r\n", "NLST\r\n")
        .data_send_until_closed("name\r\n", 1 << 30)
        .expect("ABOR\r\n")
        .send("426 aborted\r\n226 ABOR ok\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = login(short().max_nlst_names(100), &server);
    let err = ftp.nlst(&[]).unwrap_err();
    assert!(matches!(err, Error::TooManyNames { limit: 100 }), "{err:?}");
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}
