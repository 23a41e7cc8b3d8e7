//! ftplib behaviours against the scripted server: the exact bytes the client sends and how it
//! takes what the server sends.

use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::time::Duration;

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
    builder.connect(&addr.ip().to_string(), addr.port()).expect("connect")
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
    assert_eq!(ftp.getwelcome().to_text_lossy(), "220-first line\n220-second line\n220 last line");
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
    let server = logged_in().expect("QUIT\r\n").close_control().start().unwrap();
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
    assert_eq!(log.lines.len(), 2, "only USER and PASS went out: {:?}", log.lines_lossy());
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
    let server = logged_in().expect("NOOP\r\n").send(long).wait_for_close().start().unwrap();
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
        .retrbinary("RETR file.bin", |c| {
            sizes.push(c.len());
            got.extend_from_slice(c);
        }, 1000, None)
        .unwrap();
    assert_eq!(reply.code().as_u16(), 226);
    assert_eq!(got, data);
    assert!(sizes.iter().all(|&n| n <= 1000 && n > 0), "{sizes:?}");
    drop(ftp);
    finish(server);
}
