//! A URL's `;type=` code honoured by `ftp-cli` when no command is given (RFC 1738): `d` lists
//! names with NLST, `a` prints a file in ASCII mode, `i` copies it in binary.

use std::process::Command;

use ftp_testkit::scripted::Script;

/// Anonymous login, CWD `dir`, TYPE, EPSV and `verb`, whose data is `data`.
fn transfer(dir: &str, type_line: &str, verb: &str, data: &[u8]) -> Script {
    Script::new()
        .send("220 hi\r\n")
        .expect("USER anonymous\r\n")
        .send("331 pw\r\n")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect(format!("CWD {dir}\r\n"))
        .send("250 ok\r\n")
        .expect(type_line)
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect(verb)
        .send("150 here\r\n")
        .data_send(data)
        .data_close()
        .send("226 done\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
}

fn run(url: &str) -> (Option<i32>, Vec<u8>, String) {
    let dir = std::env::temp_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(["--timeout", "10", url])
        .env("NETRC", dir.join("ftp-cli-url-typecode-no-netrc"))
        .output()
        .expect("ftp-cli runs");
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn typecode_d_without_command_prints_the_names_from_nlst() {
    let server = transfer("pub", "TYPE A\r\n", "NLST\r\n", b"a.txt\r\nb.txt\r\n")
        .start()
        .unwrap();
    let (code, stdout, stderr) = run(&format!(
        "ftp://127.0.0.1:{}/pub;type=d",
        server.addr().port()
    ));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, b"a.txt\nb.txt\n");
    server.finish().unwrap();
}

#[test]
fn typecode_a_without_command_prints_the_file_in_ascii_mode() {
    let server = transfer("pub", "TYPE A\r\n", "RETR notes.txt\r\n", b"one\r\ntwo\r\n")
        .start()
        .unwrap();
    let (code, stdout, stderr) = run(&format!(
        "ftp://127.0.0.1:{}/pub/notes.txt;type=a",
        server.addr().port()
    ));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, b"one\ntwo\n");
    server.finish().unwrap();
}

#[test]
fn typecode_i_without_command_copies_the_file_in_binary() {
    let server = transfer("pub", "TYPE I\r\n", "RETR x.bin\r\n", b"\x00\r\n\xff")
        .start()
        .unwrap();
    let (code, stdout, stderr) = run(&format!(
        "ftp://127.0.0.1:{}/pub/x.bin;type=i",
        server.addr().port()
    ));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, b"\x00\r\n\xff");
    server.finish().unwrap();
}
