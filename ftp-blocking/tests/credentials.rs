//! Credentials never leak (issue 13 item 5) and URLs set sessions up byte for byte (issue 10):
//! encoding errors on a login, ACCT in the debug output, Latin-1 URL names, one CWD per
//! segment, and the `;type=` request honoured.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ftp_blocking::{Encoding, Error, Ftp, FtpBuilder};
use ftp_testkit::scripted::Script;

fn short() -> FtpBuilder {
    Ftp::builder().timeout(Duration::from_secs(10))
}

/// A debug sink the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

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
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[test]
fn latin1_login_with_an_unencodable_password_never_quotes_it() {
    let server = Script::new()
        .send("220 hi\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = short()
        .encoding(Encoding::Latin1)
        .connect("127.0.0.1", server.addr().port())
        .unwrap();
    for (password, account) in [("hunter2\u{20ac}", ""), ("ok", "hunter2\u{20ac}")] {
        let err = ftp.login("alice", password, account).unwrap_err();
        assert!(matches!(err, Error::Encoding(_)), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    drop(ftp);
    server.finish().unwrap();
}

#[test]
fn latin1_sendcmd_pass_or_acct_that_cannot_be_encoded_never_quotes_it() {
    let server = Script::new()
        .send("220 hi\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = short()
        .encoding(Encoding::Latin1)
        .connect("127.0.0.1", server.addr().port())
        .unwrap();
    for line in [
        "PASS hunter2\u{20ac}",
        "acct hunter2\u{20ac}",
        " Pass hunter2\u{20ac}",
    ] {
        let err = ftp.sendcmd(line).unwrap_err();
        assert!(matches!(err, Error::Encoding(_)), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    // Anything else still names what could not be encoded.
    let err = ftp.sendcmd("CWD caf\u{20ac}").unwrap_err();
    assert!(err.to_string().contains("caf"), "{err}");
    drop(ftp);
    server.finish().unwrap();
}

#[test]
fn acct_is_masked_in_the_debug_output_at_every_level() {
    for level in [1, 2] {
        let server = Script::new()
            .send("220 hi\r\n")
            .expect("USER alice\r\n")
            .send("331 pw\r\n")
            .expect("PASS pw-secret\r\n")
            .send("332 account\r\n")
            .expect("ACCT acct-secret\r\n")
            .send("230 in\r\n")
            .wait_for_close()
            .start()
            .unwrap();
        let captured = Captured::default();
        let mut ftp = short()
            .debuglevel(level)
            .debug_output(captured.clone())
            .connect("127.0.0.1", server.addr().port())
            .unwrap();
        ftp.login("alice", "pw-secret", "acct-secret").unwrap();
        drop(ftp);
        server.finish().unwrap();
        let text = captured.text();
        assert!(text.contains("ACCT ****"), "{text}");
        assert!(
            !text.contains("acct-secret") && !text.contains("pw-secret"),
            "{text}"
        );
    }
}

#[test]
fn connect_url_sends_latin1_url_bytes_as_they_are() {
    let server = Script::new()
        .send("220 hi\r\n")
        .expect(b"USER j\xe9r\xf4me\r\n")
        .send("331 pw\r\n")
        .expect(b"PASS p\xe4ss\r\n")
        .send("230 in\r\n")
        .expect(b"CWD r\xe9sum\xe9s\r\n")
        .send("250 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let url = format!(
        "ftp://j%E9r%F4me:p%E4ss@127.0.0.1:{}/r%E9sum%E9s/cv.pdf",
        server.addr().port()
    );
    let ftp = short()
        .encoding(Encoding::Latin1)
        .connect_url(&url)
        .unwrap();
    drop(ftp);
    server.finish().unwrap();
}

#[test]
fn connect_url_with_a_non_utf8_user_on_a_utf8_session_is_refused_before_sending_it() {
    let server = Script::new()
        .send("220 hi\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let url = format!("ftp://j%E9:hunter2@127.0.0.1:{}/", server.addr().port());
    let err = short().connect_url(&url).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Url(ftp_blocking::url::UrlError::NotUtf8 { what: "user" })
        ),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("hunter2"));
    server.finish().unwrap();
}

#[test]
fn connect_url_changes_directory_one_segment_at_a_time_root_first() {
    let server = Script::new()
        .send("220 hi\r\n")
        .expect("USER anonymous\r\n")
        .send("331 pw\r\n")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect("CWD /\r\n")
        .send("250 ok\r\n")
        .expect("CWD srv\r\n")
        .send("250 ok\r\n")
        .expect("CWD a/b\r\n")
        .send("250 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let url = format!("ftp://127.0.0.1:{}//srv/a%2Fb/file", server.addr().port());
    let ftp = short().connect_url(&url).unwrap();
    drop(ftp);
    server.finish().unwrap();
}

/// The login of an anonymous URL, CWD `dir`, then `TYPE` and EPSV and `verb` accepted.
fn anonymous_transfer(dir: &str, type_line: &str, verb_line: &str) -> Script {
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
        .expect(verb_line)
        .send("150 opening data connection\r\n")
}

/// Connects to `url` (a format string's result with the server's port) and fetches it.
fn fetch(url: &str) -> Vec<u8> {
    let mut ftp = short().connect_url(url).unwrap();
    let mut out = Vec::new();
    let reply = ftp.fetch_url(url, &mut out).unwrap();
    assert_eq!(reply.code().as_u16(), 226);
    drop(ftp);
    out
}

#[test]
fn fetch_url_with_typecode_d_lists_names_with_nlst() {
    let server = anonymous_transfer("pub", "TYPE A\r\n", "NLST\r\n")
        .data_send("a.txt\r\nb.txt\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let out = fetch(&format!(
        "ftp://127.0.0.1:{}/pub;type=d",
        server.addr().port()
    ));
    assert_eq!(out, b"a.txt\nb.txt\n");
    server.finish().unwrap();
}

#[test]
fn fetch_url_with_typecode_a_retrieves_in_ascii() {
    let server = anonymous_transfer("pub", "TYPE A\r\n", "RETR notes.txt\r\n")
        .data_send("one\r\ntwo\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let out = fetch(&format!(
        "ftp://127.0.0.1:{}/pub/notes.txt;type=a",
        server.addr().port()
    ));
    assert_eq!(out, b"one\ntwo\n");
    server.finish().unwrap();
}

#[test]
fn fetch_url_with_typecode_i_retrieves_the_bytes_in_binary() {
    let server = anonymous_transfer("pub", "TYPE I\r\n", "RETR x.bin\r\n")
        .data_send(b"\x00\r\n\xff")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let out = fetch(&format!(
        "ftp://127.0.0.1:{}/pub/x.bin;type=i",
        server.addr().port()
    ));
    assert_eq!(out, b"\x00\r\n\xff");
    server.finish().unwrap();
}

#[test]
fn fetch_url_of_a_directory_without_typecode_is_a_full_listing() {
    let server = anonymous_transfer("pub", "TYPE A\r\n", "LIST\r\n")
        .data_send("-rw-r--r-- 1 u g 3 Jan 1 2024 a.txt\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let out = fetch(&format!("ftp://127.0.0.1:{}/pub/", server.addr().port()));
    assert_eq!(out, b"-rw-r--r-- 1 u g 3 Jan 1 2024 a.txt\n");
    server.finish().unwrap();
}

/// Collects the messages of WARN events on the current thread.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Warnings {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() == tracing::Level::WARN
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Message<'a>(&'a mut String);
        impl tracing::field::Visit for Message<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        let mut text = String::new();
        event.record(&mut Message(&mut text));
        self.0.lock().unwrap().push(text);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn login_with_netrc(netrc: &str, host_in_netrc: bool) -> Vec<String> {
    let (user, password) = if host_in_netrc {
        ("bob", "bobs-pw")
    } else {
        ("guest", "guest-pw")
    };
    let server = Script::new()
        .send("220 hi\r\n")
        .expect(format!("USER {user}\r\n"))
        .send("331 pw\r\n")
        .expect(format!("PASS {password}\r\n"))
        .send("230 in\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let netrc = ftp_blocking::netrc::Netrc::parse(netrc).unwrap();
    let url: ftp_blocking::url::FtpUrl = format!("ftp://127.0.0.1:{}/", server.addr().port())
        .parse()
        .unwrap();
    let warnings = Warnings::default();
    tracing::subscriber::with_default(warnings.clone(), || {
        let ftp = short().connect_url_with(&url, Some(&netrc)).unwrap();
        drop(ftp);
    });
    server.finish().unwrap();
    warnings.0.lock().unwrap().clone()
}

#[test]
fn netrc_default_entry_over_plain_ftp_to_an_unnamed_host_is_a_tracing_warning() {
    let warnings = login_with_netrc(
        "machine other.invalid login bob password bobs-pw\ndefault login guest password guest-pw",
        false,
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("default"), "{warnings:?}");
    assert!(!warnings[0].contains("guest-pw"), "{warnings:?}");
}

#[test]
fn netrc_machine_entry_for_the_host_gives_no_warning() {
    let warnings = login_with_netrc(
        "machine 127.0.0.1 login bob password bobs-pw\ndefault login guest password guest-pw",
        true,
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}
