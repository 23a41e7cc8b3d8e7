//! `ftp-cli` end to end: the real binary against the embedded libunftp server (every command,
//! resume both ways, mirror) and the scripted server (exact dialogues: .netrc credentials, a
//! 4xx refusal, what -vv prints).

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use ftp_testkit::embedded::EmbeddedServer;
use ftp_testkit::scripted::{Script, ScriptedServer};

/// How long one run of the binary may take before the test kills it and fails.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// A scratch directory under the target directory, fresh for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// What one run of `ftp-cli` produced.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    fn stdout_lines(&self) -> Vec<String> {
        self.stdout_text().lines().map(str::to_owned).collect()
    }

    #[track_caller]
    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit status; stdout:\n{}\nstderr:\n{}",
            self.stdout_text(),
            self.stderr
        );
        self
    }
}

/// Runs `ftp-cli` with `args` in `dir`, feeding `stdin`, with no .netrc of the user's in reach,
/// killed (and the test failed) after [`RUN_DEADLINE`].
fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    run_env(dir, args, stdin, &dir.join("no-such-netrc"))
}

/// [`run_in`] with `$NETRC` set to `netrc`.
fn run_env(dir: &Path, args: &[&str], stdin: &[u8], netrc: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("NETRC", netrc)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ftp-cli binary runs");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + RUN_DEADLINE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ftp-cli {args:?} did not end within {RUN_DEADLINE:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    writer.join().unwrap();
    Run {
        code: status.code(),
        stdout: out_reader.join().unwrap(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_in(dir, args, b"")
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("ftp://127.0.0.1:{}/{path}", addr.port())
}

/// Some bytes that are not all alike, so that an offset mistake shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn server() -> EmbeddedServer {
    EmbeddedServer::start().expect("the embedded server starts")
}

// ---- usage, help, exit statuses that need no server

#[test]
fn help_documents_every_command_option_and_exit_status() {
    let dir = scratch("help");
    let run = run(&dir, &["--help"]);
    run.assert_code(0);
    let help = run.stdout_text();
    for word in [
        "ls",
        "get",
        "put",
        "mirror",
        "rm",
        "mkdir",
        "rmdir",
        "mv",
        "size",
        "mtime",
        "pwd",
        "quote",
        "--active",
        "--tls",
        "--implicit-tls",
        "--ca-file",
        "--insecure",
        "--timeout",
        "--verbose",
        "--trust-pasv-ip",
        "--netrc",
        "ftps://",
        ".netrc",
        "Exit status",
    ] {
        assert!(help.contains(word), "--help lacks {word:?}:\n{help}");
    }
    for code in [
        "0  success",
        "2  usage",
        "3  connection",
        "4  the server refused temporarily",
        "5  the server refused permanently",
    ] {
        assert!(help.contains(code), "--help lacks {code:?}");
    }
    let get_help = run_in(&dir, &["ftp://h/", "get", "--help"], b"");
    get_help.assert_code(0);
    assert!(get_help.stdout_text().contains("--continue"));
}

#[test]
fn missing_url_is_a_usage_error_exit_2() {
    let dir = scratch("no-url");
    let run = run(&dir, &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("URL"), "{}", run.stderr);
}

#[test]
fn unknown_command_is_a_usage_error_exit_2() {
    run(
        &scratch("unknown-command"),
        &["ftp://127.0.0.1:9/", "frobnicate"],
    )
    .assert_code(2);
}

#[test]
fn bare_host_is_a_usage_error_that_shows_the_url_form() {
    let run = run(&scratch("bare-host"), &["example.invalid", "ls"]);
    run.assert_code(2);
    assert!(run.stderr.contains("ftp://HOST/"), "{}", run.stderr);
}

#[test]
fn http_url_is_a_usage_error_exit_2() {
    let run = run(&scratch("http-url"), &["http://u:hunter2@127.0.0.1/"]);
    run.assert_code(2);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}

#[test]
fn cr_lf_in_a_path_is_refused_before_connecting_exit_2() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let dir = scratch("crlf");
    for args in [
        vec!["rm", "a.txt\r\nDELE b.txt"],
        vec!["get", "a\nb", "out"],
        vec!["mv", "a", "b\rc"],
        vec!["quote", "NOOP\r\nDELE x"],
    ] {
        let mut all = vec!["--timeout", "5"];
        let url = url(addr, "");
        all.push(&url);
        all.extend(args.iter().copied());
        let run = run_in(&dir, &all, b"");
        run.assert_code(2);
        assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    }
    // A raw line break in the URL itself is refused too (the url crate would drop it).
    let raw = format!("ftp://127.0.0.1:{}/a\r\nDELE b/", addr.port());
    let run = run_in(&dir, &["--timeout", "5", &raw, "ls"], b"");
    run.assert_code(2);
    // Nothing ever connected.
    assert_eq!(
        listener.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
}

#[test]
fn connection_refused_on_a_closed_port_exits_3() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let run = run(
        &scratch("refused"),
        &[
            "--timeout",
            "10",
            &format!("ftp://127.0.0.1:{port}/"),
            "pwd",
        ],
    );
    run.assert_code(3);
    assert!(!run.stderr.is_empty());
}

// ---- every command against the embedded server

#[test]
fn ls_lists_one_name_per_line_with_mlsd() {
    let server = server();
    fs::write(server.root().join("a.txt"), b"hello").unwrap();
    fs::write(server.root().join("name with spaces.txt"), b"x").unwrap();
    fs::create_dir(server.root().join("sub")).unwrap();
    let dir = scratch("ls");
    let run = run(&dir, &["-v", &url(server.addr(), ""), "ls"]);
    run.assert_code(0);
    let mut names = run.stdout_lines();
    names.sort();
    assert_eq!(names, ["a.txt", "name with spaces.txt", "sub"]);
    assert!(run.stderr.contains("MLSD"), "{}", run.stderr);
}

#[test]
fn ls_long_shows_type_size_and_time() {
    let server = server();
    fs::write(server.root().join("five.txt"), b"12345").unwrap();
    fs::create_dir(server.root().join("sub")).unwrap();
    let run = run(&scratch("ls-long"), &[&url(server.addr(), ""), "ls", "-l"]);
    run.assert_code(0);
    let lines = run.stdout_lines();
    let file = lines.iter().find(|l| l.ends_with(" five.txt")).unwrap();
    let fields: Vec<&str> = file.split_whitespace().collect();
    assert_eq!(fields[0], "-", "{file}");
    assert_eq!(fields[1], "5", "{file}");
    assert_eq!(fields[2].len(), "2026-11-22".len(), "{file}");
    let sub = lines.iter().find(|l| l.ends_with(" sub")).unwrap();
    assert!(sub.starts_with('d'), "{sub}");
}

#[test]
fn ls_of_a_subdirectory_argument() {
    let server = server();
    fs::create_dir(server.root().join("sub")).unwrap();
    fs::write(server.root().join("sub/inner.txt"), b"x").unwrap();
    let run = run(&scratch("ls-sub"), &[&url(server.addr(), ""), "ls", "sub"]);
    run.assert_code(0);
    assert_eq!(run.stdout_lines(), ["inner.txt"]);
}

#[test]
fn no_command_lists_the_url_directory() {
    let server = server();
    fs::create_dir(server.root().join("pub")).unwrap();
    fs::write(server.root().join("pub/readme"), b"x").unwrap();
    let dir = scratch("default-ls");
    let run1 = run(&dir, &[&url(server.addr(), "pub/")]);
    run1.assert_code(0);
    assert_eq!(run1.stdout_lines(), ["readme"]);
    // Without the trailing slash, `pub` is listed from the login directory.
    let run2 = run(&dir, &[&url(server.addr(), "pub")]);
    run2.assert_code(0);
    assert_eq!(run2.stdout_lines(), ["readme"]);
}

#[test]
fn get_downloads_to_a_file_named_after_the_remote() {
    let server = server();
    let data = pattern(300_000);
    fs::create_dir(server.root().join("pub")).unwrap();
    fs::write(server.root().join("pub/data.bin"), &data).unwrap();
    let dir = scratch("get");
    let quiet = run(&dir, &[&url(server.addr(), ""), "get", "pub/data.bin"]);
    quiet.assert_code(0);
    // No progress bar (nor anything else) when standard error is not a terminal.
    assert_eq!(quiet.stderr, "");
    assert_eq!(fs::read(dir.join("data.bin")).unwrap(), data);
    run(
        &dir,
        &[
            &url(server.addr(), "pub/"),
            "get",
            "data.bin",
            "renamed.bin",
        ],
    )
    .assert_code(0);
    assert_eq!(fs::read(dir.join("renamed.bin")).unwrap(), data);
}

#[test]
fn get_dash_writes_to_standard_output() {
    let server = server();
    let data = pattern(100_000);
    fs::write(server.root().join("data.bin"), &data).unwrap();
    let run = run(
        &scratch("get-stdout"),
        &[&url(server.addr(), ""), "get", "data.bin", "-"],
    );
    run.assert_code(0);
    assert_eq!(run.stdout, data);
}

#[test]
fn get_dash_into_a_pipe_whose_reader_went_away_exits_1_as_a_local_error() {
    let server = server();
    fs::write(server.root().join("data.bin"), pattern(1 << 20)).unwrap();
    let dir = scratch("get-stdout-closed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args([&url(server.addr(), ""), "get", "data.bin", "-"])
        .current_dir(&dir)
        .env("HOME", &dir)
        .env("NETRC", dir.join("no-such-netrc"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ftp-cli binary runs");
    drop(child.stdout.take()); // the reading program is gone before any byte arrives
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("standard output"), "stderr: {stderr}");
}

#[test]
fn get_dash_into_a_regular_file_writes_every_byte() {
    let server = server();
    let data = pattern(3 << 20);
    fs::write(server.root().join("data.bin"), &data).unwrap();
    let dir = scratch("get-stdout-file");
    let out = dir.join("out.bin");
    let status = Command::new(env!("CARGO_BIN_EXE_ftp-cli"))
        .args([&url(server.addr(), ""), "get", "data.bin", "-"])
        .current_dir(&dir)
        .env("HOME", &dir)
        .env("NETRC", dir.join("no-such-netrc"))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .status()
        .expect("the ftp-cli binary runs");
    assert_eq!(status.code(), Some(0));
    assert_eq!(fs::read(&out).unwrap(), data);
}

#[test]
fn get_of_a_missing_file_exits_5_with_the_reply_and_leaves_no_file() {
    let server = server();
    let dir = scratch("get-missing");
    let run = run(&dir, &[&url(server.addr(), ""), "get", "missing.txt"]);
    run.assert_code(5);
    assert!(run.stderr.contains("550"), "{}", run.stderr);
    assert!(!dir.join("missing.txt").exists());
}

#[test]
fn get_continue_resumes_from_the_local_length() {
    let server = server();
    let data = pattern(200_000);
    fs::write(server.root().join("big.bin"), &data).unwrap();
    let dir = scratch("get-continue");
    // The local part differs from the remote bytes: only a REST download keeps it.
    let mut local = vec![b'L'; 70_000];
    fs::write(dir.join("big.bin"), &local).unwrap();
    let run = run(
        &dir,
        &[
            "-v",
            &url(server.addr(), ""),
            "get",
            "--continue",
            "big.bin",
        ],
    );
    run.assert_code(0);
    assert!(run.stderr.contains("REST 70000"), "{}", run.stderr);
    local.extend_from_slice(&data[70_000..]);
    assert_eq!(fs::read(dir.join("big.bin")).unwrap(), local);
}

#[test]
fn get_continue_of_a_complete_file_transfers_nothing() {
    let server = server();
    let data = pattern(10_000);
    fs::write(server.root().join("done.bin"), &data).unwrap();
    let dir = scratch("get-continue-done");
    fs::write(dir.join("done.bin"), &data).unwrap();
    let run = run(
        &dir,
        &["-v", &url(server.addr(), ""), "get", "-c", "done.bin"],
    );
    run.assert_code(0);
    assert!(!run.stderr.contains("RETR"), "{}", run.stderr);
    assert_eq!(fs::read(dir.join("done.bin")).unwrap(), data);
}

#[test]
fn put_uploads_a_file_named_after_the_local_one() {
    let server = server();
    let data = pattern(250_000);
    let dir = scratch("put");
    fs::write(dir.join("up.bin"), &data).unwrap();
    run(&dir, &[&url(server.addr(), ""), "put", "up.bin"]).assert_code(0);
    assert_eq!(fs::read(server.root().join("up.bin")).unwrap(), data);
    fs::create_dir(server.root().join("in")).unwrap();
    run(
        &dir,
        &[&url(server.addr(), "in/"), "put", "up.bin", "other.bin"],
    )
    .assert_code(0);
    assert_eq!(fs::read(server.root().join("in/other.bin")).unwrap(), data);
}

#[test]
fn put_dash_reads_standard_input() {
    let server = server();
    let data = pattern(120_000);
    run_in(
        &scratch("put-stdin"),
        &[&url(server.addr(), ""), "put", "-", "from-stdin.bin"],
        &data,
    )
    .assert_code(0);
    assert_eq!(
        fs::read(server.root().join("from-stdin.bin")).unwrap(),
        data
    );
}

#[test]
fn put_dash_without_remote_is_a_usage_error_exit_2() {
    run(
        &scratch("put-stdin-noname"),
        &["ftp://127.0.0.1:9/", "put", "-"],
    )
    .assert_code(2);
}

#[test]
fn put_of_a_missing_local_file_exits_1_before_connecting() {
    // Nothing listens on port 9 of 127.0.0.1: connecting would exit 3.
    let run = run(
        &scratch("put-missing"),
        &["ftp://127.0.0.1:9/", "put", "nope.bin"],
    );
    run.assert_code(1);
    assert!(run.stderr.contains("nope.bin"), "{}", run.stderr);
}

#[test]
fn get_into_a_directory_and_put_into_a_remote_directory() {
    let server = server();
    fs::write(server.root().join("g.txt"), b"got").unwrap();
    fs::create_dir(server.root().join("incoming")).unwrap();
    let dir = scratch("into-dirs");
    fs::create_dir(dir.join("downloads")).unwrap();
    run(
        &dir,
        &[&url(server.addr(), ""), "get", "g.txt", "downloads"],
    )
    .assert_code(0);
    assert_eq!(fs::read(dir.join("downloads/g.txt")).unwrap(), b"got");
    fs::write(dir.join("p.txt"), b"put").unwrap();
    run(
        &dir,
        &[&url(server.addr(), ""), "put", "p.txt", "incoming/"],
    )
    .assert_code(0);
    assert_eq!(
        fs::read(server.root().join("incoming/p.txt")).unwrap(),
        b"put"
    );
}

#[test]
fn put_continue_appends_from_the_remote_size() {
    let server = server();
    let data = pattern(200_000);
    // The remote part differs from the local bytes: only an APPE from SIZE keeps it.
    let mut remote = vec![b'R'; 80_000];
    fs::write(server.root().join("big.bin"), &remote).unwrap();
    let dir = scratch("put-continue");
    fs::write(dir.join("big.bin"), &data).unwrap();
    let run = run(
        &dir,
        &[
            "-v",
            &url(server.addr(), ""),
            "put",
            "--continue",
            "big.bin",
        ],
    );
    run.assert_code(0);
    assert!(run.stderr.contains("APPE big.bin"), "{}", run.stderr);
    remote.extend_from_slice(&data[80_000..]);
    assert_eq!(fs::read(server.root().join("big.bin")).unwrap(), remote);
}

#[test]
fn mirror_copies_a_tree() {
    let server = server();
    let root = server.root().join("tree");
    fs::create_dir_all(root.join("a/b/c")).unwrap();
    fs::create_dir_all(root.join("empty")).unwrap();
    fs::write(root.join("top.txt"), b"top").unwrap();
    fs::write(root.join("a/one.bin"), pattern(50_000)).unwrap();
    fs::write(root.join("a/b/c/deep.txt"), b"deep").unwrap();
    let dir = scratch("mirror");
    let run1 = run(&dir, &[&url(server.addr(), ""), "mirror", "tree", "copy"]);
    run1.assert_code(0);
    assert_eq!(fs::read(dir.join("copy/top.txt")).unwrap(), b"top");
    assert_eq!(
        fs::read(dir.join("copy/a/one.bin")).unwrap(),
        pattern(50_000)
    );
    assert_eq!(fs::read(dir.join("copy/a/b/c/deep.txt")).unwrap(), b"deep");
    assert!(dir.join("copy/empty").is_dir());
    // A second run finds every file up to date and downloads nothing.
    let run2 = run(
        &dir,
        &["-v", &url(server.addr(), ""), "mirror", "tree", "copy"],
    );
    run2.assert_code(0);
    assert!(!run2.stderr.contains("RETR"), "{}", run2.stderr);
}

#[test]
fn rm_mkdir_rmdir_mv_change_the_remote_tree() {
    let server = server();
    let dir = scratch("fs-commands");
    let base = url(server.addr(), "");
    fs::write(server.root().join("old.txt"), b"x").unwrap();
    fs::write(server.root().join("gone.txt"), b"x").unwrap();
    run(&dir, &[&base, "mkdir", "newdir"]).assert_code(0);
    assert!(server.root().join("newdir").is_dir());
    run(&dir, &[&base, "mv", "old.txt", "newdir/new.txt"]).assert_code(0);
    assert!(server.root().join("newdir/new.txt").is_file());
    assert!(!server.root().join("old.txt").exists());
    run(&dir, &[&base, "rm", "gone.txt"]).assert_code(0);
    assert!(!server.root().join("gone.txt").exists());
    fs::create_dir(server.root().join("emptydir")).unwrap();
    run(&dir, &[&base, "rmdir", "emptydir"]).assert_code(0);
    assert!(!server.root().join("emptydir").exists());
}

#[test]
fn rm_of_a_missing_file_exits_5_and_prints_the_reply() {
    let server = server();
    let run = run(
        &scratch("rm-missing"),
        &[&url(server.addr(), ""), "rm", "missing.txt"],
    );
    run.assert_code(5);
    assert!(run.stderr.contains("550"), "{}", run.stderr);
}

#[test]
fn size_mtime_and_pwd_print_one_line() {
    let server = server();
    fs::write(server.root().join("s.bin"), pattern(12_345)).unwrap();
    let dir = scratch("size-mtime-pwd");
    let base = url(server.addr(), "");
    let size = run(&dir, &[&base, "size", "s.bin"]);
    size.assert_code(0);
    assert_eq!(size.stdout_lines(), ["12345"]);
    let mtime = run(&dir, &[&base, "mtime", "s.bin"]);
    mtime.assert_code(0);
    let line = &mtime.stdout_lines()[0];
    assert_eq!(line.len(), "2026-11-22T05:05:09Z".len(), "{line}");
    assert!(line.ends_with('Z') && line.as_bytes()[10] == b'T', "{line}");
    let pwd = run(&dir, &[&base, "pwd"]);
    pwd.assert_code(0);
    assert_eq!(pwd.stdout_lines(), ["/"]);
    let missing = run(&dir, &[&base, "size", "missing"]);
    missing.assert_code(5);
}

#[test]
fn url_directory_is_the_working_directory() {
    let server = server();
    fs::create_dir(server.root().join("pub")).unwrap();
    let run = run(&scratch("url-cwd"), &[&url(server.addr(), "pub/"), "pwd"]);
    run.assert_code(0);
    assert_eq!(run.stdout_lines(), ["/pub"]);
}

#[test]
fn quote_prints_the_reply_and_maps_its_class() {
    let server = server();
    let dir = scratch("quote");
    let base = url(server.addr(), "");
    let noop = run(&dir, &[&base, "quote", "NOOP"]);
    noop.assert_code(0);
    assert!(
        noop.stdout_text().starts_with("200"),
        "{}",
        noop.stdout_text()
    );
    let bogus = run(&dir, &[&base, "quote", "XBOGUS"]);
    bogus.assert_code(5);
    assert!(bogus.stderr.contains("50"), "{}", bogus.stderr);
}

#[test]
fn vv_with_a_transfer_never_prints_the_password() {
    let server = server();
    fs::write(server.root().join("f.txt"), b"content").unwrap();
    let password = "pw-Zq8#never-shown";
    let encoded = "pw-Zq8%23never-shown";
    let url = format!("ftp://alice:{encoded}@127.0.0.1:{}/", server.addr().port());
    let run = run(&scratch("vv-embedded"), &["-vv", &url, "get", "f.txt", "-"]);
    run.assert_code(0);
    assert_eq!(run.stdout, b"content");
    assert!(run.stderr.contains("PASS ****"), "{}", run.stderr);
    for secret in [password, encoded] {
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
    }
}

// ---- exact dialogues with the scripted server

fn login_script(user: &str) -> Script {
    Script::new()
        .send("220 scripted\r\n")
        .expect(format!("USER {user}\r\n"))
        .send("331 password please\r\n")
}

#[track_caller]
fn finish(server: ScriptedServer) -> Vec<String> {
    match server.finish() {
        Ok(log) => log.lines_lossy(),
        Err(e) => panic!("the client left the script: {e}"),
    }
}

#[test]
fn netrc_file_supplies_user_and_password() {
    let dir = scratch("netrc");
    let server = login_script("alice")
        .expect("PASS from-netrc\r\n")
        .send("230 in\r\n")
        .expect("PWD\r\n")
        .send("257 \"/home/alice\" is here\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let netrc = dir.join("my-netrc");
    fs::write(
        &netrc,
        "machine other.invalid login bob password wrong\n\
         machine 127.0.0.1\n  login alice\n  password \"from-netrc\"\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        // Private: a file with passwords that others can read is refused (tests/credentials.rs).
        fs::set_permissions(&netrc, fs::Permissions::from_mode(0o600)).unwrap();
    }
    let run = run(
        &dir,
        &[
            "--timeout",
            "10",
            "--netrc",
            netrc.to_str().unwrap(),
            &url(server.addr(), ""),
            "pwd",
        ],
    );
    run.assert_code(0);
    assert_eq!(run.stdout_lines(), ["/home/alice"]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    finish(server);
}

#[test]
fn default_netrc_from_the_netrc_variable_fills_in_the_password_for_the_url_user() {
    let dir = scratch("netrc-env");
    let server = login_script("carol")
        .expect("PASS carols-pw\r\n")
        .send("230 in\r\n")
        .expect("PWD\r\n")
        .send("257 \"/\"\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let netrc = dir.join("env-netrc");
    fs::write(
        &netrc,
        "machine 127.0.0.1 login dave password daves-pw\nmachine 127.0.0.1 login carol password carols-pw\n",
    )
    .unwrap();
    let url = format!("ftp://carol@127.0.0.1:{}/", server.addr().port());
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&netrc, fs::Permissions::from_mode(0o600)).unwrap();
    let run = run_env(&dir, &["--timeout", "10", &url, "pwd"], b"", &netrc);
    run.assert_code(0);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    finish(server);
}

#[test]
fn anonymous_login_without_url_user_or_netrc_entry() {
    let dir = scratch("anonymous");
    let server = login_script("anonymous")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect("PWD\r\n")
        .send("257 \"/\"\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    run(&dir, &["--timeout", "10", &url(server.addr(), ""), "pwd"]).assert_code(0);
    finish(server);
}

#[test]
fn temporary_refusal_4xx_exits_4_and_prints_the_reply() {
    let dir = scratch("4xx");
    let server = login_script("anonymous")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect("DELE busy.txt\r\n")
        .send("450 busy.txt is locked, try later\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let run = run(
        &dir,
        &["--timeout", "10", &url(server.addr(), ""), "rm", "busy.txt"],
    );
    run.assert_code(4);
    assert!(
        run.stderr.contains("450 busy.txt is locked, try later"),
        "{}",
        run.stderr
    );
    finish(server);
}

#[test]
fn server_closing_mid_session_exits_3() {
    let dir = scratch("eof");
    let server = login_script("anonymous")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect("PWD\r\n")
        .close_control()
        .start()
        .unwrap();
    run(&dir, &["--timeout", "10", &url(server.addr(), ""), "pwd"]).assert_code(3);
    finish(server);
}

#[test]
fn silent_server_times_out_exit_3() {
    let dir = scratch("timeout");
    let server = login_script("anonymous")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect("PWD\r\n")
        .sleep(Duration::from_secs(5))
        .start()
        .unwrap();
    let run = run(&dir, &["--timeout", "0.5", &url(server.addr(), ""), "pwd"]);
    run.assert_code(3);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    let _ = server.finish();
}

#[test]
fn vv_prints_the_dialogue_with_the_password_masked() {
    let dir = scratch("vv");
    let server = login_script("alice")
        .expect("PASS hunter2-secret\r\n")
        .send("230 in\r\n")
        .expect("PWD\r\n")
        .send("257 \"/\"\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let url = format!(
        "ftp://alice:hunter2-secret@127.0.0.1:{}/",
        server.addr().port()
    );
    let run = run(&dir, &["-vv", "--timeout", "10", &url, "pwd"]);
    run.assert_code(0);
    assert!(run.stderr.contains("USER alice"), "{}", run.stderr);
    assert!(run.stderr.contains("PASS ****"), "{}", run.stderr);
    assert!(
        run.stderr.contains("*get*"),
        "level 2 shows lines: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert!(!run.stdout_text().contains("hunter2"));
    finish(server);
}

#[test]
fn login_refused_530_exits_5_without_showing_the_password() {
    let dir = scratch("530");
    let server = login_script("alice")
        .expect("PASS wrong-hunter2\r\n")
        .send("530 Login incorrect.\r\n")
        .start()
        .unwrap();
    let url = format!(
        "ftp://alice:wrong-hunter2@127.0.0.1:{}/",
        server.addr().port()
    );
    let run = run(&dir, &["--timeout", "10", &url, "pwd"]);
    run.assert_code(5);
    assert!(
        run.stderr.contains("530 Login incorrect."),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    let _ = server.finish();
}

#[test]
fn active_mode_lists_and_downloads() {
    let server = server();
    fs::write(server.root().join("act.bin"), pattern(30_000)).unwrap();
    let dir = scratch("active");
    let ls = run(&dir, &["--active", "-v", &url(server.addr(), ""), "ls"]);
    ls.assert_code(0);
    assert_eq!(ls.stdout_lines(), ["act.bin"]);
    // libunftp has no EPRT: the client falls back to PORT.
    assert!(ls.stderr.contains("PORT"), "{}", ls.stderr);
    assert!(!ls.stderr.contains("*cmd* 'EPSV'"), "{}", ls.stderr);
    run(
        &dir,
        &["--active", &url(server.addr(), ""), "get", "act.bin"],
    )
    .assert_code(0);
    assert_eq!(fs::read(dir.join("act.bin")).unwrap(), pattern(30_000));
}

#[test]
fn quote_of_a_transfer_command_is_a_usage_error_exit_2() {
    let server = server();
    fs::write(server.root().join("q.txt"), b"x").unwrap();
    let run = run(
        &scratch("quote-retr"),
        &[&url(server.addr(), ""), "quote", "RETR q.txt"],
    );
    run.assert_code(2);
    assert!(run.stderr.contains("use ls, get or put"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn mirror_goes_on_past_a_file_it_cannot_write_and_exits_with_its_status() {
    let server = server();
    let root = server.root().join("t");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("a.txt"), b"aaa").unwrap();
    fs::write(root.join("b.txt"), b"bbb").unwrap();
    let dir = scratch("mirror-partial");
    // A local directory where the remote file a.txt would go.
    fs::create_dir_all(dir.join("copy/a.txt")).unwrap();
    let run = run(&dir, &[&url(server.addr(), ""), "mirror", "t", "copy"]);
    run.assert_code(1);
    assert!(run.stderr.contains("a.txt"), "{}", run.stderr);
    assert_eq!(fs::read(dir.join("copy/b.txt")).unwrap(), b"bbb");
}

#[test]
fn mirror_keeps_the_remote_modification_time() {
    use std::time::{Duration as Span, SystemTime};
    let server = server();
    fs::create_dir(server.root().join("dated")).unwrap();
    let remote = server.root().join("dated/old.txt");
    fs::write(&remote, b"old").unwrap();
    // 2020-01-02 03:04:05 UTC.
    let when = SystemTime::UNIX_EPOCH + Span::from_secs(1_577_934_245);
    fs::File::options()
        .write(true)
        .open(&remote)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let dir = scratch("mirror-mtime");
    run(&dir, &[&url(server.addr(), ""), "mirror", "dated", "copy"]).assert_code(0);
    let local = fs::metadata(dir.join("copy/old.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(local, when);
}

/// A scripted session that answers FEAT without MLST and serves one LIST.
fn list_script(listing: &str) -> ScriptedServer {
    login_script("anonymous")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect("FEAT\r\n")
        .send("211-Features:\r\n SIZE\r\n MDTM\r\n211 End\r\n")
        .expect("TYPE A\r\n")
        .send("200 type A\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("LIST\r\n")
        .send("150 here\r\n")
        .data_send(listing)
        .data_close()
        .send("226 done\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap()
}

const VSFTPD_LIKE_LISTING: &str = "drwxr-xr-x    2 0        0            4096 Nov 22 05:05 sub dir\r\n\
     -rw-r--r--    1 0        0              54 Jun 15  2025 plain.txt\r\n\
     lrwxrwxrwx    1 0        0               9 Jun 15  2025 link -> plain.txt\r\n\
     this line is in no known format\r\n";

#[test]
fn ls_uses_list_without_mlst_and_prints_raw_lines_it_cannot_parse() {
    let server = list_script(VSFTPD_LIKE_LISTING);
    let run = run(
        &scratch("ls-list"),
        &["--timeout", "10", &url(server.addr(), ""), "ls"],
    );
    run.assert_code(0);
    assert_eq!(
        run.stdout_lines(),
        [
            "sub dir",
            "plain.txt",
            "link",
            "this line is in no known format"
        ]
    );
    finish(server);
}

#[test]
fn ls_long_with_list_shows_type_size_and_time() {
    let server = list_script(VSFTPD_LIKE_LISTING);
    let run = run(
        &scratch("ls-list-long"),
        &["--timeout", "10", &url(server.addr(), ""), "ls", "-l"],
    );
    run.assert_code(0);
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].starts_with("d ") && lines[0].ends_with(" sub dir"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "-           54 2025-06-15 00:00 plain.txt");
    assert!(
        lines[2].starts_with("l ") && lines[2].ends_with(" link"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "this line is in no known format");
    finish(server);
}

/// Logged in; EPSV refused; PASV answers with 127.0.0.2, where nothing listens.
fn pasv_elsewhere_script() -> Script {
    login_script("anonymous")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect("TYPE I\r\n")
        .send("200 type I\r\n")
        .expect("EPSV\r\n")
        .send("500 EPSV not understood\r\n")
        .expect("PASV\r\n")
        .passive_pasv(Some(std::net::Ipv4Addr::new(127, 0, 0, 2)))
}

#[test]
fn pasv_address_is_distrusted_by_default() {
    let server = pasv_elsewhere_script()
        .accept_data()
        .expect("RETR f\r\n")
        .send("150 here\r\n")
        .data_send("from the control peer")
        .data_close()
        .send("226 done\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .start()
        .unwrap();
    let run = run(
        &scratch("pasv-distrust"),
        &["--timeout", "10", &url(server.addr(), ""), "get", "f", "-"],
    );
    run.assert_code(0);
    assert_eq!(run.stdout, b"from the control peer");
    finish(server);
}

#[test]
fn trust_pasv_ip_connects_to_the_address_in_the_227_reply() {
    // Nothing listens on 127.0.0.2: trusting the reply makes the data connection fail (3).
    let server = pasv_elsewhere_script().wait_for_close().start().unwrap();
    let run = run(
        &scratch("pasv-trust"),
        &[
            "--trust-pasv-ip",
            "--timeout",
            "10",
            &url(server.addr(), ""),
            "get",
            "f",
            "-",
        ],
    );
    run.assert_code(3);
    assert!(
        run.stderr.contains("data connection failed"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    finish(server);
}

#[test]
fn ls_of_a_file_shows_that_file() {
    let server = server();
    fs::write(server.root().join("one.txt"), b"12345").unwrap();
    let dir = scratch("ls-file");
    let short = run(&dir, &[&url(server.addr(), ""), "ls", "one.txt"]);
    short.assert_code(0);
    assert_eq!(short.stdout_lines(), ["one.txt"]);
    let long = run(&dir, &[&url(server.addr(), ""), "ls", "-l", "one.txt"]);
    long.assert_code(0);
    let line = &long.stdout_lines()[0];
    assert!(
        line.starts_with("-            5 ") && line.ends_with(" one.txt"),
        "{line}"
    );
    // A path that is neither a directory nor a file is the server's refusal.
    let missing = run(&dir, &[&url(server.addr(), ""), "ls", "nothing-here"]);
    missing.assert_code(5);
    assert!(missing.stderr.contains("550"), "{}", missing.stderr);
}

// ---- FTPS

fn ftps_server() -> EmbeddedServer {
    EmbeddedServer::builder()
        .ftps()
        .start()
        .expect("the embedded FTPS server starts")
}

fn write_ca(dir: &Path, pem: &str) -> PathBuf {
    let path = dir.join("ca.pem");
    fs::write(&path, pem).unwrap();
    path
}

#[test]
fn tls_with_ca_file_logs_in_after_auth_tls_and_protects_data() {
    let server = ftps_server();
    fs::write(server.root().join("secret.bin"), pattern(100_000)).unwrap();
    let dir = scratch("tls");
    let ca = write_ca(&dir, server.ca_cert_pem().unwrap());
    let url = format!(
        "ftp://alice:tls-hunter2@127.0.0.1:{}/",
        server.addr().port()
    );
    let run = run(
        &dir,
        &[
            "-v",
            "--tls",
            "--ca-file",
            ca.to_str().unwrap(),
            &url,
            "get",
            "secret.bin",
            "-",
        ],
    );
    run.assert_code(0);
    assert_eq!(run.stdout, pattern(100_000));
    let auth = run.stderr.find("AUTH TLS").expect("AUTH TLS sent");
    let user = run.stderr.find("USER alice").expect("USER sent");
    assert!(auth < user, "{}", run.stderr);
    assert!(run.stderr.contains("PROT P"), "{}", run.stderr);
    assert!(!run.stderr.contains("tls-hunter2"), "{}", run.stderr);
    // Uploads and listings go over the protected data connections too.
    fs::write(dir.join("up.bin"), pattern(50_000)).unwrap();
    let ca_arg = ca.to_str().unwrap();
    run_in(
        &dir,
        &["--tls", "--ca-file", ca_arg, &url, "put", "up.bin"],
        b"",
    )
    .assert_code(0);
    assert_eq!(
        fs::read(server.root().join("up.bin")).unwrap(),
        pattern(50_000)
    );
    let ls = run_in(&dir, &["--tls", "--ca-file", ca_arg, &url, "ls"], b"");
    ls.assert_code(0);
    let mut names = ls.stdout_lines();
    names.sort();
    assert_eq!(names, ["secret.bin", "up.bin"]);
}

#[test]
fn tls_with_an_untrusted_certificate_exits_3() {
    let server = ftps_server();
    let run = run(
        &scratch("tls-untrusted"),
        &["--tls", "--timeout", "10", &url(server.addr(), ""), "pwd"],
    );
    run.assert_code(3);
    assert!(
        run.stderr.to_lowercase().contains("certificate"),
        "{}",
        run.stderr
    );
}

#[test]
fn insecure_warns_loudly_and_connects() {
    let server = ftps_server();
    let run = run(
        &scratch("tls-insecure"),
        &["--tls", "--insecure", &url(server.addr(), ""), "pwd"],
    );
    run.assert_code(0);
    assert!(run.stderr.contains("WARNING"), "{}", run.stderr);
    assert!(run.stderr.contains("NOT verified"), "{}", run.stderr);
    assert_eq!(run.stdout_lines(), ["/"]);
}

#[test]
fn ftps_url_is_implicit_tls_with_prot_p() {
    use ftp_testkit::certs::TestCerts;
    use ftp_testkit::scripted::tls_server_config;
    let certs = TestCerts::generate().unwrap();
    let server = Script::new()
        .tls_config(tls_server_config(certs.server(), &[]))
        .control_start_tls()
        .send("220 implicit hello\r\n")
        .expect("USER bob\r\n")
        .send("331 password please\r\n")
        .expect("PASS implicit-pw\r\n")
        .send("230 in\r\n")
        .expect("PBSZ 0\r\n")
        .send("200 PBSZ=0\r\n")
        .expect("PROT P\r\n")
        .send("200 Protection set to Private\r\n")
        .expect("PWD\r\n")
        .send("257 \"/secure\"\r\n")
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let dir = scratch("implicit");
    let ca = write_ca(&dir, certs.ca_cert_pem());
    let url = format!("ftps://bob:implicit-pw@127.0.0.1:{}/", server.addr().port());
    let run = run(
        &dir,
        &[
            "--timeout",
            "10",
            "--ca-file",
            ca.to_str().unwrap(),
            &url,
            "pwd",
        ],
    );
    run.assert_code(0);
    assert_eq!(run.stdout_lines(), ["/secure"]);
    finish(server);
}

// ---- a server that answers SIZE with `250 1000` (issue 11: SIZE is only a help)

/// Anonymous login on a scripted server.
fn anonymous() -> Script {
    login_script("anonymous")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
}

/// SIZE answered `250 1000`, and MLST refused: the size is unknown.
fn size_250(script: Script, path: &str) -> Script {
    script
        .expect(format!("SIZE {path}\r\n"))
        .send("250 1000\r\n")
        .expect(format!("MLST {path}\r\n"))
        .send("500 unknown command\r\n")
}

/// TYPE I: SIZE is asked in binary mode (issue 11 item 1), so it comes before SIZE when the
/// session is not binary yet, and RETR then finds it cached.
fn binary(script: Script) -> Script {
    script.expect("TYPE I\r\n").send("200 binary\r\n")
}

/// A passive RETR of `path` (the session already binary) that sends `data`, 226.
fn binary_retr(script: Script, path: &str, data: &str) -> Script {
    script
        .transcript("C: EPSV")
        .unwrap()
        .passive_epsv()
        .accept_data()
        .transcript(&format!("C: RETR {path}\nS: 150 here"))
        .unwrap()
        .data_send(data)
        .data_close()
        .send("226 done\r\n")
}

fn quit(script: Script) -> ScriptedServer {
    script
        .expect("QUIT\r\n")
        .send("221 bye\r\n")
        .wait_for_close()
        .start()
        .unwrap()
}

#[test]
fn get_works_when_size_answers_250_and_v_says_the_check_was_skipped() {
    let server = quit(binary_retr(
        size_250(binary(anonymous()), "f.bin"),
        "f.bin",
        "0123456789",
    ));
    let dir = scratch("size-250-get");
    let run = run(
        &dir,
        &[
            "-v",
            "--timeout",
            "10",
            &url(server.addr(), ""),
            "get",
            "f.bin",
        ],
    );
    run.assert_code(0);
    assert_eq!(fs::read(dir.join("f.bin")).unwrap(), b"0123456789");
    assert!(run.stderr.contains("size check skipped"), "{}", run.stderr);
    finish(server);
}

#[test]
fn get_continue_with_unknown_size_downloads_whole_and_says_so() {
    let server = quit(binary_retr(
        size_250(binary(anonymous()), "f.bin"),
        "f.bin",
        "0123456789",
    ));
    let dir = scratch("size-250-continue");
    fs::write(dir.join("f.bin"), b"0123").unwrap();
    let run = run(
        &dir,
        &[
            "-v",
            "--timeout",
            "10",
            &url(server.addr(), ""),
            "get",
            "--continue",
            "f.bin",
        ],
    );
    run.assert_code(0);
    // Not 0123 + 0123456789: the whole file, once.
    assert_eq!(fs::read(dir.join("f.bin")).unwrap(), b"0123456789");
    assert!(
        run.stderr.contains("downloading the whole file again"),
        "{}",
        run.stderr
    );
    finish(server);
}

#[test]
fn put_works_when_size_answers_250() {
    let script = anonymous()
        .transcript("C: TYPE I\nS: 200 binary\nC: EPSV")
        .unwrap()
        .passive_epsv()
        .accept_data()
        .transcript("C: STOR u.bin\nS: 150 go")
        .unwrap()
        .data_expect("abc")
        .send("226 stored\r\n");
    let server = quit(size_250(script, "u.bin"));
    let dir = scratch("size-250-put");
    fs::write(dir.join("u.bin"), b"abc").unwrap();
    let run = run(
        &dir,
        &[
            "-v",
            "--timeout",
            "10",
            &url(server.addr(), ""),
            "put",
            "u.bin",
        ],
    );
    run.assert_code(0);
    assert!(run.stderr.contains("size check skipped"), "{}", run.stderr);
    finish(server);
}

#[test]
fn ls_mv_and_mkdir_work_on_a_server_that_answers_size_with_250() {
    // These commands never need a size; the server is the same bent one.
    let server = list_script("-rw-r--r-- 1 0 0 54 Jun 15  2025 plain.txt\r\n");
    let run1 = run(
        &scratch("size-250-ls"),
        &["--timeout", "10", &url(server.addr(), ""), "ls"],
    );
    run1.assert_code(0);
    assert_eq!(run1.stdout_lines(), ["plain.txt"]);
    finish(server);

    let server = quit(
        anonymous()
            .expect("RNFR a\r\n")
            .send("350 ready\r\n")
            .expect("RNTO b\r\n")
            .send("250 renamed\r\n"),
    );
    run(
        &scratch("size-250-mv"),
        &["--timeout", "10", &url(server.addr(), ""), "mv", "a", "b"],
    )
    .assert_code(0);
    finish(server);

    let server = quit(
        anonymous()
            .expect("MKD new\r\n")
            .send("257 \"/new\" created\r\n"),
    );
    run(
        &scratch("size-250-mkdir"),
        &["--timeout", "10", &url(server.addr(), ""), "mkdir", "new"],
    )
    .assert_code(0);
    finish(server);
}

// ---- mirror keeps local files safe

#[cfg(unix)]
#[test]
fn mirror_does_not_write_through_a_local_symlinked_directory() {
    let server = server();
    let root = server.root().join("t");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("sub/evil.txt"), b"payload").unwrap();
    fs::write(root.join("ok.txt"), b"ok").unwrap();
    let dir = scratch("mirror-symlink-dir");
    let outside = dir.join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::create_dir_all(dir.join("copy")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("copy/sub")).unwrap();
    let run = run(&dir, &[&url(server.addr(), ""), "mirror", "t", "copy"]);
    run.assert_code(1);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert!(!outside.join("evil.txt").exists());
    assert_eq!(fs::read(dir.join("copy/ok.txt")).unwrap(), b"ok");
}

#[test]
fn mirror_copies_dot_files_with_list_a_where_there_is_no_mlsd() {
    let list = |script: Script, arg: &str, listing: &str| {
        script
            .expect("EPSV\r\n")
            .passive_epsv()
            .accept_data()
            .expect(format!("LIST {arg}\r\n"))
            .send("150 here\r\n")
            .data_send(listing)
            .data_close()
            .send("226 done\r\n")
    };
    let retr = |script: Script, path: &str, data: &str| {
        let size = data.len();
        let script = binary(script)
            .transcript(&format!("C: SIZE {path}\nS: 213 {size}"))
            .unwrap();
        binary_retr(script, path, data)
    };
    // vsftpd: no MLSD, and plain LIST hides dot files; LIST -a shows them.
    let script = anonymous()
        .expect("FEAT\r\n")
        .send("211-Features:\r\n SIZE\r\n211 End\r\n")
        .expect("TYPE A\r\n")
        .send("200 type A\r\n");
    let script = list(
        script,
        "-a t",
        "drwxr-xr-x 2 0 0 4096 Nov 22 05:05 .\r\n\
         drwxr-xr-x 2 0 0 4096 Nov 22 05:05 ..\r\n\
         -rw-r--r-- 1 0 0 6 Nov 22 05:05 .hidden\r\n",
    );
    let script = retr(script, "t/.hidden", "secret");
    let server = quit(script);
    let dir = scratch("mirror-list-a");
    let run = run(
        &dir,
        &[
            "--timeout",
            "10",
            &url(server.addr(), ""),
            "mirror",
            "t",
            "copy",
        ],
    );
    run.assert_code(0);
    assert_eq!(fs::read(dir.join("copy/.hidden")).unwrap(), b"secret");
    finish(server);
}

#[test]
fn a_failed_get_keeps_the_local_file_and_says_how_to_resume() {
    // Larger than the socket buffers, so that some of it is written before the 426 comes.
    let data = "x".repeat(8 << 20);
    let script = binary(anonymous())
        .transcript("C: SIZE f.bin\nS: 550 no SIZE here\nC: MLST f.bin\nS: 500 no MLST")
        .unwrap()
        .transcript("C: EPSV")
        .unwrap()
        .passive_epsv()
        .accept_data()
        .transcript("C: RETR f.bin\nS: 150 here")
        .unwrap()
        .data_send(data.as_str())
        .data_close()
        .send("426 connection lost\r\n");
    let server = quit(script);
    let dir = scratch("get-failed-keeps");
    fs::write(dir.join("f.bin"), b"good old copy").unwrap();
    let run = run(
        &dir,
        &["--timeout", "10", &url(server.addr(), ""), "get", "f.bin"],
    );
    run.assert_code(4);
    assert_eq!(fs::read(dir.join("f.bin")).unwrap(), b"good old copy");
    assert!(run.stderr.contains("f.bin.ftp-part"), "{}", run.stderr);
    assert!(run.stderr.contains("--continue"), "{}", run.stderr);
    finish(server);
}
