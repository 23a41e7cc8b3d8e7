//! Credentials on the command line (issue 13 item 5): a shared `.netrc` with passwords is
//! refused, passwords come from `--password-env` instead of the URL, and secrets that would go
//! in clear get a warning.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ftp_testkit::scripted::Script;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("credentials-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `ftp-cli` in `dir` with `$HOME` there, `$NETRC` set to `netrc`, and `env` added. Every
/// run passes `--timeout 10`, so it ends.
fn run(dir: &Path, netrc: &Path, env: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ftp-cli"));
    cmd.arg("--timeout")
        .arg("10")
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("NETRC", netrc)
        .env_remove("FTP_TEST_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output { status, stderr, .. } = cmd.output().expect("ftp-cli runs");
    (status.code(), String::from_utf8_lossy(&stderr).into_owned())
}

fn write_netrc(dir: &Path, text: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("netrc");
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// A listener nobody should connect to: refused options must fail before connecting.
fn untouched_listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("ftp://127.0.0.1:{}/", listener.local_addr().unwrap().port());
    (listener, url)
}

fn assert_not_connected(listener: &TcpListener) {
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the client connected: {other:?}"),
    }
}

fn pwd_script(user: &str, password: &str) -> Script {
    Script::new()
        .send("220 scripted\r\n")
        .expect(format!("USER {user}\r\n"))
        .send("331 password please\r\n")
        .expect(format!("PASS {password}\r\n"))
        .send("230 in\r\n")
        .expect("PWD\r\n")
        .send("257 \"/\"\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
}

#[test]
fn netrc_with_a_password_readable_by_others_is_refused_before_connecting() {
    let dir = scratch("netrc-shared");
    let (listener, url) = untouched_listener();
    for mode in [0o644, 0o640] {
        let netrc = write_netrc(
            &dir,
            "machine 127.0.0.1 login alice password hunter2\n",
            mode,
        );
        // Through --netrc and through $NETRC alike.
        for args in [
            vec!["--netrc", netrc.to_str().unwrap(), &url, "pwd"],
            vec![&url, "pwd"],
        ] {
            let (code, stderr) = run(&dir, &netrc, &[], &args);
            assert_eq!(code, Some(2), "{stderr}");
            assert!(stderr.contains("chmod 600"), "{stderr}");
            assert!(stderr.contains("other users"), "{stderr}");
            assert!(!stderr.contains("hunter2"), "{stderr}");
        }
    }
    assert_not_connected(&listener);
}

#[test]
fn shared_netrc_with_only_an_anonymous_password_is_used() {
    let dir = scratch("netrc-anonymous");
    let server = pwd_script("anonymous", "me@example.invalid")
        .start()
        .unwrap();
    let netrc = write_netrc(
        &dir,
        "machine 127.0.0.1 login anonymous password me@example.invalid\n",
        0o644,
    );
    let url = format!("ftp://127.0.0.1:{}/", server.addr().port());
    let (code, stderr) = run(&dir, &netrc, &[], &[&url, "pwd"]);
    assert_eq!(code, Some(0), "{stderr}");
    server.finish().unwrap();
}

#[test]
fn password_env_supplies_the_password_without_a_warning() {
    let dir = scratch("password-env");
    let server = pwd_script("alice", "from-the-env").start().unwrap();
    let url = format!("ftp://alice@127.0.0.1:{}/", server.addr().port());
    let (code, stderr) = run(
        &dir,
        &dir.join("none"),
        &[("FTP_TEST_PASSWORD", "from-the-env")],
        &["--password-env", "FTP_TEST_PASSWORD", &url, "pwd"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    server.finish().unwrap();
}

#[test]
fn password_env_naming_an_unset_variable_is_a_usage_error() {
    let dir = scratch("password-env-unset");
    let (listener, url) = untouched_listener();
    let (code, stderr) = run(
        &dir,
        &dir.join("none"),
        &[],
        &["--password-env", "FTP_TEST_PASSWORD", &url, "pwd"],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("FTP_TEST_PASSWORD"), "{stderr}");
    assert_not_connected(&listener);
}

#[test]
fn password_env_and_ask_password_conflict() {
    let dir = scratch("password-conflict");
    let (code, stderr) = run(
        &dir,
        &dir.join("none"),
        &[],
        &["--password-env", "X", "--ask-password", "ftp://127.0.0.1/"],
    );
    assert_eq!(code, Some(2), "{stderr}");
}

#[test]
fn password_in_the_url_over_plain_ftp_warns_without_printing_it() {
    let dir = scratch("password-in-url");
    let server = pwd_script("alice", "hunter2").start().unwrap();
    let url = format!("ftp://alice:hunter2@127.0.0.1:{}/", server.addr().port());
    let (code, stderr) = run(&dir, &dir.join("none"), &[], &[&url, "pwd"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: the password in the URL goes over plain FTP"),
        "{stderr}"
    );
    assert!(stderr.contains("--password-env"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    server.finish().unwrap();
}

#[test]
fn netrc_default_entry_over_plain_ftp_to_an_unnamed_host_warns() {
    let dir = scratch("netrc-default");
    let server = pwd_script("guest", "guest-pw").start().unwrap();
    let netrc = write_netrc(
        &dir,
        "machine other.invalid login bob password bobs-pw\ndefault login guest password guest-pw\n",
        0o600,
    );
    let url = format!("ftp://127.0.0.1:{}/", server.addr().port());
    let (code, stderr) = run(&dir, &netrc, &[], &[&url, "pwd"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("`default` entry"), "{stderr}");
    assert!(!stderr.contains("guest-pw"), "{stderr}");
    server.finish().unwrap();
}

#[test]
fn netrc_machine_entry_for_the_host_gives_no_default_warning() {
    let dir = scratch("netrc-machine");
    let server = pwd_script("bob", "bobs-pw").start().unwrap();
    let netrc = write_netrc(
        &dir,
        "machine 127.0.0.1 login bob password bobs-pw\ndefault login guest password guest-pw\n",
        0o600,
    );
    let url = format!("ftp://127.0.0.1:{}/", server.addr().port());
    let (code, stderr) = run(&dir, &netrc, &[], &[&url, "pwd"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    server.finish().unwrap();
}
