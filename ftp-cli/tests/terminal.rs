//! Issue 13 item 3: server text never drives the terminal. Names, `pwd`, `quote` output and
//! errors quoting a reply are printed with C0, C1 and DEL escaped, so a name like
//! `ESC ] 0 ; ... BEL` or `ESC [ 1 A` cannot set the window title, move the cursor or hide the
//! `--insecure` warning. Also `--encoding`. The binary runs with `--timeout`, so every run is
//! bounded by the client's own timeouts.

use std::net::SocketAddr;
use std::process::{Command, Output};

use ftp_testkit::embedded::EmbeddedServer;
use ftp_testkit::scripted::{Script, ScriptedServer};

/// The escape sequences a hostile server would like to reach the terminal: set the window
/// title (OSC ... BEL), cursor up and erase the line (CSI), C1 CSI (U+009B as UTF-8) and DEL.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[1A\u{1b}[2K\u{9b}2J\u{7f}";
/// How it must be printed.
const HOSTILE_ESCAPED: &str = "\\x1b]0;pwned\\x07\\x1b[1A\\x1b[2K\\x9b2J\\x7f";

fn run(server: &ScriptedServer, args: &[&str]) -> Output {
    run_at(server.addr(), args)
}

fn run_at(addr: SocketAddr, args: &[&str]) -> Output {
    let dir = std::env::temp_dir();
    let url = format!("ftp://alice:pw@127.0.0.1:{}/", addr.port());
    let mut all = vec!["--timeout", "10"];
    let (options, rest): (Vec<&str>, Vec<&str>) = split_options(args);
    all.extend(options);
    all.push(&url);
    all.extend(rest);
    Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(&all)
        .env("HOME", &dir)
        .env("NETRC", dir.join("ftp-cli-terminal-no-netrc"))
        .output()
        .expect("the ftp-cli binary runs")
}

/// Options (leading `--x` words, with the value of `--encoding`) go before the URL.
fn split_options<'a>(args: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut options = Vec::new();
    let mut i = 0;
    while i < args.len() && args[i].starts_with("--") {
        options.push(args[i]);
        if args[i] == "--encoding" {
            options.push(args[i + 1]);
            i += 1;
        }
        i += 1;
    }
    (options, args[i..].to_vec())
}

fn logged_in() -> Script {
    Script::new()
        .send("220 scripted\r\n")
        .expect("USER alice\r\n")
        .send("331 password please\r\n")
        .expect("PASS pw\r\n")
        .send("230 in\r\n")
}

fn finish(server: ScriptedServer) {
    if let Err(e) = server.finish() {
        panic!("the client left the script: {e}");
    }
}

/// No byte that starts or ends a terminal control sequence: ESC, BEL, C1 controls, DEL.
#[track_caller]
fn assert_no_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && (c.is_control()))
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}:\n{text}");
}

#[test]
fn pwd_path_with_terminal_escapes_is_printed_escaped() {
    let server = logged_in()
        .expect("PWD\r\n")
        .send(format!("257 \"/{HOSTILE}\" is current\r\n"))
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let out = run(&server, &["pwd"]);
    assert!(out.status.success(), "{out:?}");
    assert_no_controls("stdout", &out.stdout);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("/{HOSTILE_ESCAPED}\n")
    );
    finish(server);
}

#[test]
fn quote_multiline_reply_with_escapes_keeps_its_lines_and_escapes_the_rest() {
    let server = logged_in()
        .expect("HELP\r\n")
        .send(format!("214-Help {HOSTILE}\r\n {HOSTILE}\r\n214 End\r\n"))
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let out = run(&server, &["quote", "HELP"]);
    assert!(out.status.success(), "{out:?}");
    assert_no_controls("stdout", &out.stdout);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("214-Help {HOSTILE_ESCAPED}\n {HOSTILE_ESCAPED}\n214 End\n")
    );
    finish(server);
}

#[test]
fn raw_c1_byte_in_latin1_reply_is_escaped() {
    let server = logged_in()
        .expect("SYST\r\n")
        .send(b"215 UNIX \x9b2J\x1b[1A Type: L8\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let out = run(&server, &["--encoding", "latin-1", "quote", "SYST"]);
    assert!(out.status.success(), "{out:?}");
    assert_no_controls("stdout", &out.stdout);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "215 UNIX \\x9b2J\\x1b[1A Type: L8\n"
    );
    finish(server);
}

#[test]
fn error_quoting_a_reply_with_escapes_is_printed_escaped() {
    let server = logged_in()
        .expect("DELE x\r\n")
        .send(format!("550 {HOSTILE} no such file\r\n"))
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let out = run(&server, &["rm", "x"]);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    assert_no_controls("stderr", &out.stderr);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(HOSTILE_ESCAPED), "{err}");
    finish(server);
}

#[test]
fn listed_names_with_escapes_cannot_rewrite_the_screen() {
    let server = logged_in()
        .expect("FEAT\r\n")
        .send("211-Features:\r\n SIZE\r\n211 End\r\n")
        .expect("TYPE A\r\n")
        .send("200 ok\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("LIST\r\n")
        .send("150 here\r\n")
        .data_send(format!(
            "-rw-r--r--   1 u g  5 Jan 01  2025 plain.txt\r\n\
             -rw-r--r--   1 u g  5 Jan 01  2025 {HOSTILE}.txt\r\n"
        ))
        .data_close()
        .send("226 done\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let out = run(&server, &["ls"]);
    assert!(out.status.success(), "{out:?}");
    assert_no_controls("stdout", &out.stdout);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("plain.txt\n{HOSTILE_ESCAPED}.txt\n")
    );
    finish(server);
}

#[test]
fn real_files_named_with_escapes_are_listed_escaped_by_the_embedded_server() {
    let server = EmbeddedServer::start().expect("the embedded server starts");
    std::fs::write(server.root().join(format!("{HOSTILE}.txt")), b"x").unwrap();
    std::fs::write(server.root().join("plain.txt"), b"x").unwrap();
    for args in [&["ls"][..], &["ls", "-l"][..]] {
        let out = run_at(server.addr(), args);
        assert!(out.status.success(), "{out:?}");
        assert_no_controls("stdout", &out.stdout);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("{HOSTILE_ESCAPED}.txt")), "{text}");
        assert!(text.contains("plain.txt"), "{text}");
    }
}

#[test]
fn insecure_warning_cannot_be_hidden_by_a_reply() {
    let server = Script::new()
        .send("220 scripted\r\n")
        .expect("AUTH TLS\r\n")
        .send(format!("534 {HOSTILE}\r\n"))
        .start()
        .unwrap();
    let out = run(&server, &["--tls", "--insecure", "pwd"]);
    assert!(!out.status.success(), "{out:?}");
    assert_no_controls("stderr", &out.stderr);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("WARNING: --insecure"), "{err}");
    assert!(err.contains(HOSTILE_ESCAPED), "{err}");
    drop(server);
}

#[test]
fn encoding_option_sends_cp1251_names() {
    let server = logged_in()
        .expect(b"DELE \xcf\xf0\xe8\xe2\xe5\xf2.txt\r\n".as_slice())
        .send("250 deleted\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let out = run(&server, &["--encoding", "cp1251", "rm", "Привет.txt"]);
    assert!(out.status.success(), "{out:?}");
    finish(server);
}

#[test]
fn encoding_option_decodes_koi8u_replies() {
    let server = logged_in()
        .expect("PWD\r\n")
        .send(b"257 \"/\xfa\xd7\xa6\xd4\" is current\r\n".as_slice())
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let out = run(&server, &["--encoding", "koi8-u", "pwd"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "/Звіт\n");
    finish(server);
}

#[test]
fn unknown_encoding_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(["--encoding", "klingon", "ftp://127.0.0.1:9/", "pwd"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown encoding"));
}
