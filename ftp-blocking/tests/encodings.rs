//! The session encoding against the scripted server: names in windows-1251, KOI8-U, GBK and
//! Shift_JIS go out and come back as those bytes, and credentials never leak into errors.

use std::time::Duration;

use ftp_blocking::{Encoding, Error, Ftp, FtpBuilder};
use ftp_testkit::scripted::{Script, ScriptedServer};

const GREETING: &str = "220 scripted server ready\r\n";

fn connect(builder: FtpBuilder, server: &ScriptedServer) -> Ftp {
    let addr = server.addr();
    builder
        .timeout(Duration::from_secs(5))
        .connect(&addr.ip().to_string(), addr.port())
        .expect("connect")
}

fn finish(server: ScriptedServer) {
    if let Err(e) = server.finish() {
        panic!("script failed: {e}");
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A session in `label` that changes into the directory `dir`, reads it back with PWD, lists
/// it with NLST and MLSD, and deletes the listed file by the bytes MLSD gave.
fn names_round_trip(label: &str, dir: &str, dir_bytes: &[u8], file: &str, file_bytes: &[u8]) {
    let encoding: Encoding = label.parse().unwrap();
    let server = Script::new()
        .send(GREETING)
        .expect("USER anonymous\r\n")
        .send("230 logged in\r\n")
        .expect(cat(&[b"CWD ", dir_bytes, b"\r\n"]))
        .send("250 ok\r\n")
        .expect("PWD\r\n")
        .send(cat(&[b"257 \"/", dir_bytes, b"\" is current\r\n"]))
        .expect("TYPE A\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("NLST\r\n")
        .send("150 here\r\n")
        .data_send(cat(&[file_bytes, b"\r\n"]))
        .data_close()
        .send("226 done\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("MLSD\r\n")
        .send("150 here\r\n")
        .data_send(cat(&[b"type=file;size=3; ", file_bytes, b"\r\n"]))
        .data_close()
        .send("226 done\r\n")
        .expect(cat(&[b"DELE ", file_bytes, b"\r\n"]))
        .send("250 deleted\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect(Ftp::builder().encoding(encoding), &server);
    ftp.login("", "", "").unwrap();
    ftp.cwd(dir).unwrap();
    assert_eq!(ftp.pwd().unwrap(), format!("/{dir}"));
    assert_eq!(ftp.nlst(&[]).unwrap(), [file]);
    let entries: Vec<_> = ftp
        .mlsd("", &[])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name(), file_bytes);
    assert_eq!(encoding.decode(entries[0].name()), file);
    ftp.delete_bytes(entries[0].name()).unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn cp1251_names_go_out_and_come_back_as_cp1251_bytes() {
    names_round_trip(
        "cp1251",
        "Отчёты",
        b"\xce\xf2\xf7\xb8\xf2\xfb",
        "Привет.txt",
        b"\xcf\xf0\xe8\xe2\xe5\xf2.txt",
    );
}

#[test]
fn koi8u_names_go_out_and_come_back_as_koi8u_bytes() {
    names_round_trip(
        "koi8-u",
        "Звіти",
        b"\xfa\xd7\xa6\xd4\xc9",
        "ґанок.txt",
        b"\xad\xc1\xce\xcf\xcb.txt",
    );
}

#[test]
fn gbk_names_go_out_and_come_back_as_gbk_bytes() {
    names_round_trip(
        "gbk",
        "文档",
        b"\xce\xc4\xb5\xb5",
        "中文.txt",
        b"\xd6\xd0\xce\xc4.txt",
    );
}

#[test]
fn shift_jis_names_go_out_and_come_back_as_shift_jis_bytes() {
    names_round_trip(
        "shift_jis",
        "資料",
        b"\x8e\x91\x97\xbf",
        "日本語.txt",
        b"\x93\xfa\x96\x7b\x8c\xea.txt",
    );
}

#[test]
fn name_the_encoding_cannot_hold_is_refused_before_sending() {
    let server = Script::new()
        .send(GREETING)
        .expect("USER anonymous\r\n")
        .send("230 logged in\r\n")
        .expect("NOOP\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect(Ftp::builder().encoding("koi8-u".parse().unwrap()), &server);
    ftp.login("", "", "").unwrap();
    let err = ftp.cwd("Звіт中").unwrap_err();
    assert!(matches!(err, Error::Encoding(_)), "{err:?}");
    assert!(err.to_string().contains("U+4E2D"), "{err}");
    // Nothing was sent: the session is in step.
    ftp.noop().unwrap();
    drop(ftp);
    finish(server);
}

#[test]
fn password_that_cannot_be_encoded_fails_without_its_text_and_sends_nothing() {
    let server = Script::new()
        .send(GREETING)
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect(Ftp::builder().encoding(Encoding::Latin1), &server);
    let err = ftp.login("alice", "hunter2€", "").unwrap_err();
    assert!(matches!(err, Error::Encoding(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("password or account"), "{shown}");
    drop(ftp);
    finish(server);
}

#[test]
fn raw_pass_line_that_cannot_be_encoded_shows_nothing_of_the_password() {
    let server = Script::new()
        .send(GREETING)
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = connect(Ftp::builder().encoding(Encoding::Latin1), &server);
    for line in ["PASS hunter2€", "acct budget€"] {
        let err = ftp.sendcmd(line).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(matches!(err, Error::Encoding(_)), "{shown}");
        for secret in ["hunter2", "budget", "€", "20AC"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
    drop(ftp);
    finish(server);
}

#[test]
fn debug_output_decodes_commands_and_replies_with_the_session_encoding() {
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let server = Script::new()
        .send(GREETING)
        .expect(b"CWD \xcf\xf0\xe8\xe2\xe5\xf2\r\n".as_slice())
        .send("250 ok\r\n")
        .expect("PWD\r\n")
        .send(b"257 \"/\xcf\xf0\xe8\xe2\xe5\xf2\" \x9b2J\x1b]0;x\x07\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let out = Captured::default();
    let builder = Ftp::builder()
        .encoding("windows-1251".parse().unwrap())
        .debuglevel(1)
        .debug_output(out.clone());
    let mut ftp = connect(builder, &server);
    ftp.cwd("Привет").unwrap();
    ftp.pwd().unwrap();
    drop(ftp);
    finish(server);
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    // windows-1251 maps 0x9b to U+203A (a quote), so it is shown; ESC and BEL are escaped.
    assert!(
        text.lines()
            .any(|l| l == "*resp* '257 \"/Привет\" \u{203a}2J\\x1b]0;x\\x07'"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
}
