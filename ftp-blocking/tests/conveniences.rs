//! The conveniences: `connect_url`, `download_file` / `upload_file` with resume and progress,
//! and `walk`, against the embedded libunftp server and, for exact dialogues (LIST fallback,
//! symbolic links, loops, unsafe names), the scripted server.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use ftp_blocking::ftp_proto::listing::EntryType;
use ftp_blocking::ftp_proto::plan::{Limit, Note, WalkError, WalkLimits};
use ftp_blocking::netrc::Netrc;
use ftp_blocking::url::FtpUrl;
use ftp_blocking::{Error, Ftp, FtpBuilder, Progress, TransferOptions};
use ftp_testkit::embedded::EmbeddedServer;
use ftp_testkit::scripted::{Script, ScriptedServer};

fn short() -> FtpBuilder {
    Ftp::builder().timeout(Duration::from_secs(10))
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("conveniences-{name}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 13 + i / 241) as u8).collect()
}

fn embedded_session(server: &EmbeddedServer) -> Ftp {
    let mut ftp = short()
        .connect("127.0.0.1", server.addr().port())
        .expect("connect");
    ftp.login("anonymous", "", "").expect("login");
    ftp
}

// ---- connect_url

#[test]
fn connect_url_logs_in_and_changes_to_the_url_directory() {
    let server = EmbeddedServer::start().unwrap();
    fs::create_dir_all(server.root().join("pub/deep")).unwrap();
    let url = format!(
        "ftp://alice:s%40cret@127.0.0.1:{}/pub/deep/file.txt",
        server.addr().port()
    );
    let mut ftp = short().connect_url(&url).unwrap();
    assert_eq!(ftp.pwd().unwrap(), "/pub/deep");
    ftp.quit().unwrap();
}

#[test]
fn connect_url_refuses_a_bad_url_without_printing_the_password() {
    let err = short()
        .connect_url("ftp://alice:hunter2@127.0.0.1:99999/")
        .unwrap_err();
    assert!(matches!(err, Error::Url(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("hunter2"));
}

#[test]
fn connect_url_with_takes_credentials_from_netrc() {
    let server = Script::new()
        .send("220 hi\r\n")
        .expect("USER alice\r\n")
        .send("331 pw\r\n")
        .expect("PASS netrc-pw\r\n")
        .send("332 account\r\n")
        .expect("ACCT netrc-acct\r\n")
        .send("230 in\r\n")
        .expect("CWD pub\r\n")
        .send("250 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let url: FtpUrl = format!("ftp://127.0.0.1:{}/pub/", server.addr().port())
        .parse()
        .unwrap();
    let netrc =
        Netrc::parse("machine 127.0.0.1 login alice password netrc-pw account netrc-acct").unwrap();
    let ftp = short().connect_url_with(&url, Some(&netrc)).unwrap();
    drop(ftp);
    server.finish().unwrap();
}

// ---- download_file / upload_file

#[test]
fn download_file_reports_progress_up_to_the_size() {
    let server = EmbeddedServer::start().unwrap();
    let data = pattern(700_000);
    fs::write(server.root().join("d.bin"), &data).unwrap();
    let dir = scratch("download-progress");
    let mut ftp = embedded_session(&server);
    let mut seen: Vec<Progress> = Vec::new();
    let received = ftp
        .download_file(
            "d.bin",
            &dir.join("d.bin"),
            TransferOptions::new()
                .buffer_size(64 * 1024)
                .progress(|p| seen.push(*p)),
        )
        .unwrap();
    assert_eq!(received, data.len() as u64);
    assert_eq!(fs::read(dir.join("d.bin")).unwrap(), data);
    assert!(seen.len() >= 2, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].position() <= w[1].position()));
    let last = seen.last().unwrap();
    assert_eq!((last.position(), last.total), (700_000, Some(700_000)));
    assert!(seen.iter().all(|p| p.offset == 0));
}

#[test]
fn download_file_resume_continues_a_partial_file_with_rest() {
    let server = EmbeddedServer::start().unwrap();
    let data = pattern(300_000);
    fs::write(server.root().join("r.bin"), &data).unwrap();
    let dir = scratch("download-resume");
    // A local part that differs from the remote bytes: only REST keeps it.
    let mut local = vec![0xAA; 123_456];
    fs::write(dir.join("r.bin"), &local).unwrap();
    let mut ftp = embedded_session(&server);
    let mut first = None;
    let received = ftp
        .download_file(
            "r.bin",
            &dir.join("r.bin"),
            TransferOptions::new().resume(true).progress(|p| {
                first.get_or_insert(*p);
            }),
        )
        .unwrap();
    assert_eq!(received, 300_000 - 123_456);
    assert_eq!(first.unwrap().offset, 123_456);
    local.extend_from_slice(&data[123_456..]);
    assert_eq!(fs::read(dir.join("r.bin")).unwrap(), local);
}

#[test]
fn download_file_resume_refuses_a_local_file_longer_than_the_remote() {
    let server = EmbeddedServer::start().unwrap();
    fs::write(server.root().join("short.bin"), b"12345").unwrap();
    let dir = scratch("download-longer");
    fs::write(dir.join("short.bin"), b"1234567890").unwrap();
    let mut ftp = embedded_session(&server);
    let err = ftp
        .download_file(
            "short.bin",
            &dir.join("short.bin"),
            TransferOptions::new().resume(true),
        )
        .unwrap_err();
    assert!(err.to_string().contains("larger"), "{err}");
    assert_eq!(fs::read(dir.join("short.bin")).unwrap(), b"1234567890");
}

#[test]
fn download_file_of_a_missing_file_is_550_and_creates_nothing() {
    let server = EmbeddedServer::start().unwrap();
    let dir = scratch("download-missing");
    let mut ftp = embedded_session(&server);
    let err = ftp
        .download_file("nope.bin", &dir.join("nope.bin"), TransferOptions::new())
        .unwrap_err();
    assert_eq!(err.reply().map(|r| r.code().as_u16()), Some(550), "{err}");
    assert!(!dir.join("nope.bin").exists());
    // The session is still usable.
    assert_eq!(ftp.pwd().unwrap(), "/");
}

#[test]
fn download_file_of_an_empty_file_creates_an_empty_file() {
    let server = EmbeddedServer::start().unwrap();
    fs::write(server.root().join("empty"), b"").unwrap();
    let dir = scratch("download-empty");
    let mut ftp = embedded_session(&server);
    let n = ftp
        .download_file("empty", &dir.join("empty"), TransferOptions::new())
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(fs::read(dir.join("empty")).unwrap(), b"");
}

#[test]
fn upload_file_resume_appends_from_the_remote_size() {
    let server = EmbeddedServer::start().unwrap();
    let data = pattern(250_000);
    let mut remote = vec![0x55; 100_000];
    fs::write(server.root().join("u.bin"), &remote).unwrap();
    let dir = scratch("upload-resume");
    fs::write(dir.join("u.bin"), &data).unwrap();
    let mut ftp = embedded_session(&server);
    let mut last = None;
    let sent = ftp
        .upload_file(
            &dir.join("u.bin"),
            "u.bin",
            TransferOptions::new()
                .resume(true)
                .progress(|p| last = Some(*p)),
        )
        .unwrap();
    assert_eq!(sent, 150_000);
    let last = last.unwrap();
    assert_eq!(
        (last.offset, last.position(), last.total),
        (100_000, 250_000, Some(250_000))
    );
    remote.extend_from_slice(&data[100_000..]);
    assert_eq!(fs::read(server.root().join("u.bin")).unwrap(), remote);
}

#[test]
fn upload_file_resume_without_a_remote_file_sends_it_whole() {
    let server = EmbeddedServer::start().unwrap();
    let data = pattern(90_000);
    let dir = scratch("upload-fresh");
    fs::write(dir.join("f.bin"), &data).unwrap();
    let mut ftp = embedded_session(&server);
    let sent = ftp
        .upload_file(
            &dir.join("f.bin"),
            "f.bin",
            TransferOptions::new().resume(true),
        )
        .unwrap();
    assert_eq!(sent, 90_000);
    assert_eq!(fs::read(server.root().join("f.bin")).unwrap(), data);
}

#[test]
fn upload_file_resume_of_a_complete_file_sends_nothing() {
    let server = EmbeddedServer::start().unwrap();
    let data = pattern(5_000);
    fs::write(server.root().join("same.bin"), &data).unwrap();
    let dir = scratch("upload-same");
    fs::write(dir.join("same.bin"), &data).unwrap();
    let mut ftp = embedded_session(&server);
    let sent = ftp
        .upload_file(
            &dir.join("same.bin"),
            "same.bin",
            TransferOptions::new().resume(true),
        )
        .unwrap();
    assert_eq!(sent, 0);
}

// ---- walk

#[test]
fn walk_yields_every_entry_depth_first_with_full_paths() {
    let server = EmbeddedServer::start().unwrap();
    let root = server.root().join("tree");
    fs::create_dir_all(root.join("a/b")).unwrap();
    fs::create_dir_all(root.join("c")).unwrap();
    fs::write(root.join("top.txt"), b"1").unwrap();
    fs::write(root.join("a/mid.txt"), b"22").unwrap();
    fs::write(root.join("a/b/deep.txt"), b"333").unwrap();
    let mut ftp = embedded_session(&server);
    let walk = ftp.walk("tree").unwrap();
    assert!(walk.uses_mlsd());
    let entries: Vec<_> = walk.collect::<Result<_, _>>().unwrap();
    let mut seen: Vec<(String, usize, bool, Option<u64>)> = entries
        .iter()
        .map(|e| {
            (
                e.path().to_owned(),
                e.depth(),
                e.is_dir(),
                e.size().filter(|_| e.is_file()),
            )
        })
        .collect();
    // Pre-order: every directory comes before everything under it.
    for (i, entry) in entries.iter().enumerate() {
        for later in &entries[..i] {
            assert!(
                !later.path().starts_with(&format!("{}/", entry.path())),
                "{} came before its directory {}",
                later.path(),
                entry.path()
            );
        }
        assert_eq!(entry.path(), format!("tree/{}", entry.relative_path()));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            ("tree/a".to_owned(), 1, true, None),
            ("tree/a/b".to_owned(), 2, true, None),
            ("tree/a/b/deep.txt".to_owned(), 3, false, Some(3)),
            ("tree/a/mid.txt".to_owned(), 2, false, Some(2)),
            ("tree/c".to_owned(), 1, true, None),
            ("tree/top.txt".to_owned(), 1, false, Some(1)),
        ]
    );
}

#[test]
fn walk_max_depth_stops_descending() {
    let server = EmbeddedServer::start().unwrap();
    fs::create_dir_all(server.root().join("x/y/z")).unwrap();
    let mut ftp = embedded_session(&server);
    let paths: Vec<String> = ftp
        .walk("")
        .unwrap()
        .max_depth(2)
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(paths, ["x", "x/y"]);
}

#[test]
fn walk_lets_the_session_download_between_entries() {
    let server = EmbeddedServer::start().unwrap();
    fs::create_dir_all(server.root().join("m/n")).unwrap();
    fs::write(server.root().join("m/n/f.bin"), pattern(40_000)).unwrap();
    let dir = scratch("walk-download");
    let mut ftp = embedded_session(&server);
    let mut walk = ftp.walk("m").unwrap();
    while let Some(entry) = walk.next() {
        let entry = entry.unwrap();
        let local = dir.join(entry.relative_path());
        if entry.is_dir() {
            fs::create_dir_all(&local).unwrap();
        } else {
            walk.ftp()
                .download_file(entry.path(), &local, TransferOptions::new())
                .unwrap();
        }
    }
    assert_eq!(fs::read(dir.join("n/f.bin")).unwrap(), pattern(40_000));
}

const LOGIN: &str = "S: 220 hi\nC: USER anonymous\nS: 331 pw\nC: PASS anonymous@\nS: 230 in\n";

/// A script that logs in, answers FEAT with `features`, and serves `listings` in order:
/// (the command line expected, the listing sent). TYPE A comes before the first one.
fn listing_script(features: &str, listings: &[(&str, &str)]) -> ScriptedServer {
    let mut script = Script::from_transcript(LOGIN)
        .unwrap()
        .expect("FEAT\r\n")
        .send(features)
        .expect("TYPE A\r\n")
        .send("200 type A\r\n");
    for (command, listing) in listings {
        script = script
            .expect("EPSV\r\n")
            .passive_epsv()
            .accept_data()
            .expect(format!("{command}\r\n"))
            .send("150 here\r\n")
            .data_send(listing)
            .data_close()
            .send("226 done\r\n");
    }
    script.wait_for_close().start().unwrap()
}

fn walk_scripted(server: &ScriptedServer, root: &str) -> Vec<Result<(String, EntryType), String>> {
    let mut ftp = short().connect("127.0.0.1", server.addr().port()).unwrap();
    ftp.login("", "", "").unwrap();
    ftp.walk(root)
        .unwrap()
        .map(|e| {
            e.map(|e| (e.path().to_owned(), e.kind().clone()))
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[test]
fn walk_uses_list_a_when_feat_does_not_name_mlst_and_never_follows_symlinks() {
    let server = listing_script(
        "211-Features:\r\n SIZE\r\n211 End\r\n",
        &[
            (
                "LIST -a pub",
                "drwxr-xr-x 2 u g 4096 Nov 22 05:05 .\r\n\
                 drwxr-xr-x 2 u g 4096 Nov 22 05:05 ..\r\n\
                 drwxr-xr-x 2 u g 4096 Nov 22 05:05 sub\r\n\
                 lrwxrwxrwx 1 u g 3 Nov 22 05:05 loop -> ..\r\n\
                 -rw-r--r-- 1 u g 54 Jun 15  2025 a.txt\r\n\
                 -rw-r--r-- 1 u g 9 Jun 15  2025 .hidden\r\n\
                 a line nobody can parse\r\n",
            ),
            (
                "LIST -a pub/sub",
                "-rw-r--r-- 1 u g 7 Jun 15  2025 inner.txt\r\n",
            ),
        ],
    );
    let got = walk_scripted(&server, "pub");
    assert_eq!(
        got,
        [
            Ok(("pub/sub".to_owned(), EntryType::Dir)),
            Ok(("pub/loop".to_owned(), EntryType::Symlink)),
            Ok(("pub/a.txt".to_owned(), EntryType::File)),
            Ok(("pub/.hidden".to_owned(), EntryType::File)),
            Ok(("pub/sub/inner.txt".to_owned(), EntryType::File)),
        ]
    );
    server.finish().unwrap();
}

#[test]
fn walk_retries_plain_list_where_list_a_is_refused_and_remembers_it() {
    let server = Script::from_transcript(LOGIN)
        .unwrap()
        .expect("FEAT\r\n")
        .send("500 FEAT not understood\r\n")
        .expect("TYPE A\r\n")
        .send("200 type A\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("LIST -a\r\n")
        .send("550 -a: No such file or directory\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("LIST\r\n")
        .send("150 here\r\n")
        .data_send("drwxr-xr-x 2 u g 4096 Nov 22 05:05 d\r\n")
        .data_close()
        .send("226 done\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("LIST d\r\n")
        .send("150 here\r\n")
        .data_send("-rw-r--r-- 1 u g 1 Jun 15  2025 f\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let got = walk_scripted(&server, "");
    assert_eq!(
        got,
        [
            Ok(("d".to_owned(), EntryType::Dir)),
            Ok(("d/f".to_owned(), EntryType::File)),
        ]
    );
    server.finish().unwrap();
}

#[test]
fn walk_falls_back_to_list_when_mlsd_answers_500() {
    let server = Script::from_transcript(LOGIN)
        .unwrap()
        .expect("FEAT\r\n")
        .send("211-Features:\r\n MLST type*;size*;\r\n211 End\r\n")
        .expect("TYPE A\r\n")
        .send("200 type A\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("MLSD\r\n")
        .send("500 MLSD not understood\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("LIST -a\r\n")
        .send("150 here\r\n")
        .data_send("-rw-r--r-- 1 u g 54 Jun 15  2025 a.txt\r\n")
        .data_close()
        .send("226 done\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let got = walk_scripted(&server, "");
    assert_eq!(got, [Ok(("a.txt".to_owned(), EntryType::File))]);
    server.finish().unwrap();
}

#[test]
fn walk_reports_and_does_not_enter_a_directory_whose_unique_fact_repeats_an_ancestor() {
    let server = listing_script(
        "211-Features:\r\n MLST type*;size*;unique*;\r\n211 End\r\n",
        &[
            (
                "MLSD",
                "type=cdir;unique=r0; .\r\ntype=dir;unique=u1; a\r\n",
            ),
            (
                "MLSD a",
                "type=pdir;unique=r0; ..\r\ntype=dir;unique=u1; again\r\ntype=file;size=1; f\r\n",
            ),
        ],
    );
    let got = walk_scripted(&server, "");
    assert_eq!(
        got,
        [
            Ok(("a".to_owned(), EntryType::Dir)),
            Ok(("a/again".to_owned(), EntryType::Dir)),
            Err(
                "I/O error: a/again: a loop (its unique fact repeats an ancestor's): not entered"
                    .to_owned()
            ),
            Ok(("a/f".to_owned(), EntryType::File)),
        ]
    );
    server.finish().unwrap();
}

#[test]
fn walk_reports_a_listing_with_an_unsafe_name_and_goes_on() {
    let server = listing_script(
        "211-Features:\r\n MLST type*;\r\n211 End\r\n",
        &[
            ("MLSD", "type=dir; bad\r\ntype=dir; good\r\n"),
            ("MLSD bad", "type=file; ../../etc/passwd\r\n"),
            ("MLSD good", "type=file; ok.txt\r\n"),
        ],
    );
    let got = walk_scripted(&server, "");
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got[0], Ok(("bad".to_owned(), EntryType::Dir)));
    assert_eq!(got[1], Ok(("good".to_owned(), EntryType::Dir)));
    assert!(
        matches!(&got[2], Err(e) if e.contains("unsafe name")),
        "{:?}",
        got[2]
    );
    assert_eq!(got[3], Ok(("good/ok.txt".to_owned(), EntryType::File)));
    server.finish().unwrap();
}

#[test]
fn walk_reports_a_refused_directory_and_goes_on() {
    let server = Script::from_transcript(LOGIN)
        .unwrap()
        .expect("FEAT\r\n")
        .send("211-Features:\r\n MLST type*;\r\n211 End\r\n")
        .expect("TYPE A\r\n")
        .send("200 type A\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("MLSD\r\n")
        .send("150 here\r\n")
        .data_send("type=dir; locked\r\ntype=file; z.txt\r\n")
        .data_close()
        .send("226 done\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect("MLSD locked\r\n")
        .send("550 Permission denied\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let got = walk_scripted(&server, "");
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0], Ok(("locked".to_owned(), EntryType::Dir)));
    assert_eq!(got[1], Ok(("z.txt".to_owned(), EntryType::File)));
    assert!(
        matches!(&got[2], Err(e) if e.contains("550")),
        "{:?}",
        got[2]
    );
    server.finish().unwrap();
}

#[test]
fn download_and_upload_resume_without_progress_take_the_zero_copy_path() {
    let server = EmbeddedServer::start().unwrap();
    let data = pattern(2_000_000);
    fs::write(server.root().join("z.bin"), &data).unwrap();
    let dir = scratch("zero-copy-resume");
    fs::write(dir.join("z.bin"), &data[..777_777]).unwrap();
    let mut ftp = embedded_session(&server);
    let received = ftp
        .download_file(
            "z.bin",
            &dir.join("z.bin"),
            TransferOptions::new().resume(true),
        )
        .unwrap();
    assert_eq!(received, 2_000_000 - 777_777);
    assert_eq!(fs::read(dir.join("z.bin")).unwrap(), data);

    fs::write(server.root().join("up.bin"), &data[..1_234_567]).unwrap();
    let sent = ftp
        .upload_file(
            &dir.join("z.bin"),
            "up.bin",
            TransferOptions::new().resume(true),
        )
        .unwrap();
    assert_eq!(sent, 2_000_000 - 1_234_567);
    assert_eq!(fs::read(server.root().join("up.bin")).unwrap(), data);
}

#[test]
fn connect_url_ftps_is_implicit_tls_with_the_builders_trust_settings() {
    use ftp_blocking::TlsConfig;
    use ftp_testkit::certs::TestCerts;
    use ftp_testkit::scripted::tls_server_config;
    let certs = TestCerts::generate().unwrap();
    let server = Script::new()
        .tls_config(tls_server_config(certs.server(), &[]))
        .control_start_tls()
        .send("220 implicit\r\n")
        .expect("USER anonymous\r\n")
        .send("331 pw\r\n")
        .expect("PASS anonymous@\r\n")
        .send("230 in\r\n")
        .expect("PBSZ 0\r\n")
        .send("200 ok\r\n")
        .expect("PROT P\r\n")
        .send("200 ok\r\n")
        .expect("CWD in box\r\n")
        .send("250 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    // Trust settings given for explicit FTPS; the ftps:// URL makes them implicit.
    let tls = TlsConfig::builder()
        .system_roots(false)
        .add_ca_der(certs.ca_cert_der())
        .build()
        .unwrap();
    let url = format!("ftps://127.0.0.1:{}/in%20box/", server.addr().port());
    let ftp = short().tls(tls).connect_url(&url).unwrap();
    assert!(ftp.is_secure());
    drop(ftp);
    server.finish().unwrap();
}

#[test]
fn connect_url_with_explicit_tls_sends_auth_tls_before_user() {
    use ftp_blocking::TlsConfig;
    use ftp_testkit::certs::TestCerts;
    use ftp_testkit::scripted::tls_server_config;
    let certs = TestCerts::generate().unwrap();
    let server = Script::new()
        .tls_config(tls_server_config(certs.server(), &[]))
        .send("220 plain hello\r\n")
        .expect("AUTH TLS\r\n")
        .send("234 go ahead\r\n")
        .control_start_tls()
        .expect("USER carol\r\n")
        .send("331 pw\r\n")
        .expect("PASS never-in-clear\r\n")
        .send("230 in\r\n")
        .expect("PBSZ 0\r\n")
        .send("200 ok\r\n")
        .expect("PROT P\r\n")
        .send("200 ok\r\n")
        .wait_for_close()
        .start()
        .unwrap();
    let tls = TlsConfig::builder()
        .system_roots(false)
        .add_ca_der(certs.ca_cert_der())
        .build()
        .unwrap();
    let url = format!(
        "ftp://carol:never-in-clear@127.0.0.1:{}/",
        server.addr().port()
    );
    let ftp = short().tls(tls).connect_url(&url).unwrap();
    assert!(ftp.is_secure());
    drop(ftp);
    server.finish().unwrap();
}

// ---- local files are safe; SIZE that is not 213 means "unknown"

/// Logs in on a scripted session (TYPE is not cached yet).
fn scripted_session(server: &ScriptedServer) -> Ftp {
    let mut ftp = short().connect("127.0.0.1", server.addr().port()).unwrap();
    ftp.login("", "", "").unwrap();
    ftp
}

/// The size dialogue of a server that answers SIZE with `250 1000` (bending RFC 3659) and
/// refuses MLST: the size is unknown.
const SIZE_250: &str = "C: SIZE f.bin\nS: 250 1000\nC: MLST f.bin\nS: 500 MLST not understood\n";
/// The size dialogue of a server that says f.bin has 10 bytes.
const SIZE_10: &str = "C: SIZE f.bin\nS: 213 10\n";

/// A session that logs in, answers `sizes` (a transcript) under TYPE I (SIZE is asked in binary
/// mode, issue 11 item 1), then a binary RETR of f.bin (after
/// REST when `rest`) answered with `preliminary`, `data` and `last`.
fn retr_server(
    sizes: &str,
    rest: Option<u64>,
    preliminary: &str,
    data: &[u8],
    last: &str,
) -> ScriptedServer {
    let rest = rest.map_or_else(String::new, |n| format!("C: REST {n}\nS: 350 ok\n"));
    Script::from_transcript(&format!("{LOGIN}C: TYPE I\nS: 200 binary\n{sizes}C: EPSV"))
        .unwrap()
        .passive_epsv()
        .accept_data()
        .transcript(&format!("{rest}C: RETR f.bin\nS: {preliminary}"))
        .unwrap()
        .data_send(data)
        .data_close()
        .send(last)
        .wait_for_close()
        .start()
        .unwrap()
}

#[test]
fn download_file_with_size_answered_250_succeeds_and_notes_the_skipped_check() {
    let server = retr_server(SIZE_250, None, "150 here", b"0123456789", "226 done\r\n");
    let dir = scratch("size-250-get");
    let mut ftp = scripted_session(&server);
    let mut notes = Vec::new();
    let n = ftp
        .download_file(
            "f.bin",
            &dir.join("f.bin"),
            TransferOptions::new().on_note(|n| notes.push(n.clone())),
        )
        .unwrap();
    assert_eq!(n, 10);
    assert_eq!(fs::read(dir.join("f.bin")).unwrap(), b"0123456789");
    assert_eq!(notes, [Note::SizeCheckSkipped]);
    drop(ftp);
    server.finish().unwrap();
}

#[test]
fn upload_file_with_size_answered_250_succeeds_and_notes_the_skipped_check() {
    let dir = scratch("size-250-put");
    fs::write(dir.join("u.bin"), b"abc").unwrap();
    let server = Script::from_transcript(&format!("{LOGIN}C: TYPE I\nS: 200 binary\nC: EPSV"))
        .unwrap()
        .passive_epsv()
        .accept_data()
        .transcript("C: STOR u.bin\nS: 150 go")
        .unwrap()
        .data_expect_all()
        .transcript(
            "S: 226 stored\nC: SIZE u.bin\nS: 250 1000\nC: MLST u.bin\nS: 500 MLST not understood",
        )
        .unwrap()
        .wait_for_close()
        .start()
        .unwrap();
    let mut ftp = scripted_session(&server);
    let mut notes = Vec::new();
    let n = ftp
        .upload_file(
            &dir.join("u.bin"),
            "u.bin",
            TransferOptions::new().on_note(|n| notes.push(n.clone())),
        )
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(notes, [Note::SizeCheckSkipped]);
    drop(ftp);
    server.finish().unwrap();
}

#[test]
fn download_file_resume_with_unknown_size_starts_over_instead_of_appending() {
    // The server would ignore REST; with no size to check, the download must not append the
    // whole file after the local prefix: it starts over, without REST, and says so.
    let dir = scratch("resume-unknown");
    fs::write(dir.join("f.bin"), b"0123").unwrap();
    let server = retr_server(SIZE_250, None, "150 here", b"0123456789", "226 done\r\n");
    let mut ftp = scripted_session(&server);
    let mut notes = Vec::new();
    ftp.download_file(
        "f.bin",
        &dir.join("f.bin"),
        TransferOptions::new()
            .resume(true)
            .on_note(|n| notes.push(n.clone())),
    )
    .unwrap();
    assert_eq!(fs::read(dir.join("f.bin")).unwrap(), b"0123456789");
    assert_eq!(
        notes,
        [Note::ResumeRestarted { offset: 4 }, Note::SizeCheckSkipped]
    );
    drop(ftp);
    server.finish().unwrap();
}

#[test]
fn download_file_resume_on_a_server_ignoring_rest_stops_and_keeps_the_prefix() {
    let dir = scratch("rest-ignored");
    fs::write(dir.join("f.bin"), b"0123").unwrap();
    let server = retr_server(
        SIZE_10,
        Some(4),
        "150 here (10 bytes)",
        b"0123456789",
        "226 done\r\n",
    );
    let mut ftp = scripted_session(&server);
    let err = ftp
        .download_file(
            "f.bin",
            &dir.join("f.bin"),
            TransferOptions::new().resume(true).progress(|_| {}),
        )
        .unwrap_err();
    assert!(err.to_string().contains("ignored REST"), "{err}");
    // The local file is as it was, and the partial file holds only the prefix.
    assert_eq!(fs::read(dir.join("f.bin")).unwrap(), b"0123");
    assert_eq!(fs::read(dir.join("f.bin.ftp-part")).unwrap(), b"0123");
}

#[test]
fn a_failed_download_leaves_the_existing_local_file_and_keeps_a_resumable_partial() {
    let dir = scratch("failed-keeps-local");
    fs::write(dir.join("f.bin"), b"the good old copy").unwrap();
    // More than the socket buffers hold, so that the client has written some of it before
    // the 426 can arrive.
    let data = pattern(8 << 20);
    let server = retr_server(SIZE_250, None, "150 here", &data, "426 connection lost\r\n");
    let mut ftp = scripted_session(&server);
    let err = ftp
        .download_file("f.bin", &dir.join("f.bin"), TransferOptions::new())
        .unwrap_err();
    assert_eq!(err.reply().map(|r| r.code().as_u16()), Some(426), "{err}");
    assert_eq!(fs::read(dir.join("f.bin")).unwrap(), b"the good old copy");
    let partial = fs::read(dir.join("f.bin.ftp-part")).unwrap();
    assert!(!partial.is_empty() && data.starts_with(&partial));
    drop(ftp);
    server.finish().unwrap();

    // --continue finds the partial file and continues it with REST (a known prefix here, so
    // that the dialogue is exact).
    fs::write(dir.join("f.bin.ftp-part"), b"01234").unwrap();
    let server = retr_server(SIZE_10, Some(5), "150 here", b"56789", "226 done\r\n");
    let mut ftp = scripted_session(&server);
    ftp.download_file(
        "f.bin",
        &dir.join("f.bin"),
        TransferOptions::new().resume(true),
    )
    .unwrap();
    assert_eq!(fs::read(dir.join("f.bin")).unwrap(), b"0123456789");
    assert!(!dir.join("f.bin.ftp-part").exists());
    drop(ftp);
    server.finish().unwrap();
}

#[cfg(unix)]
#[test]
fn download_file_replaces_a_local_symlink_instead_of_writing_through_it() {
    let server = EmbeddedServer::start().unwrap();
    fs::write(server.root().join("s.bin"), b"from the server").unwrap();
    let dir = scratch("symlink");
    fs::write(dir.join("precious"), b"do not touch").unwrap();
    std::os::unix::fs::symlink(dir.join("precious"), dir.join("s.bin")).unwrap();
    // A link planted at the partial file's name is not followed either.
    fs::write(dir.join("other"), b"nor this").unwrap();
    std::os::unix::fs::symlink(dir.join("other"), dir.join("s.bin.ftp-part")).unwrap();
    let mut ftp = embedded_session(&server);
    ftp.download_file("s.bin", &dir.join("s.bin"), TransferOptions::new())
        .unwrap();
    assert_eq!(fs::read(dir.join("precious")).unwrap(), b"do not touch");
    assert_eq!(fs::read(dir.join("other")).unwrap(), b"nor this");
    assert!(
        !fs::symlink_metadata(dir.join("s.bin"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(dir.join("s.bin")).unwrap(), b"from the server");
}

#[test]
fn walk_over_a_server_that_lists_a_directory_as_its_own_child_ends_with_a_loop_error() {
    let same = "drwxr-xr-x 2 u g 4096 Nov 22 05:05 d\r\n-rw-r--r-- 1 u g 1 Nov 22 05:05 f\r\n";
    let server = listing_script(
        "211-Features:\r\n SIZE\r\n211 End\r\n",
        &[("LIST -a", same), ("LIST -a d", same)],
    );
    let got = walk_scripted(&server, "");
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(got[3], Ok(("d/f".to_owned(), EntryType::File)));
    assert!(
        matches!(&got[4], Err(e) if e.contains("loop")),
        "{:?}",
        got[4]
    );
    server.finish().unwrap();
}

#[test]
fn walk_limits_end_a_walk_with_the_limit_named() {
    let server = listing_script(
        "211-Features:\r\n MLST type*;\r\n211 End\r\n",
        &[("MLSD", "type=file; a\r\ntype=file; b\r\ntype=file; c\r\n")],
    );
    let mut ftp = short().connect("127.0.0.1", server.addr().port()).unwrap();
    ftp.login("", "", "").unwrap();
    let limits = WalkLimits {
        max_entries: 2,
        ..WalkLimits::default()
    };
    let got: Vec<_> = ftp.walk("").unwrap().limits(limits).collect();
    assert_eq!(got.len(), 3, "{got:?}");
    let Err(Error::Io(e)) = &got[2] else {
        panic!("{got:?}")
    };
    let walk_error = e.get_ref().and_then(|e| e.downcast_ref::<WalkError>());
    assert_eq!(walk_error.and_then(WalkError::limit), Some(Limit::Entries));
    assert!(e.to_string().contains("max_entries"), "{e}");
    // The listing was cut short (ABOR); what the server says to that is not the point here.
    drop(ftp);
    drop(server);
}

#[test]
fn a_second_walk_remembers_that_mlsd_was_refused_in_this_session() {
    let list = |script: Script| {
        script
            .transcript("C: EPSV")
            .unwrap()
            .passive_epsv()
            .accept_data()
            .transcript("C: LIST -a\nS: 150 here")
            .unwrap()
            .data_send("-rw-r--r-- 1 u g 54 Jun 15  2025 a.txt\r\n")
            .data_close()
            .send("226 done\r\n")
    };
    let script = Script::from_transcript(&format!(
        "{LOGIN}C: FEAT\nS: 211-Features:\nS:  MLST type*;\nS: 211 End\nC: TYPE A\nS: 200 type A\nC: EPSV"
    ))
    .unwrap()
    .passive_epsv()
    .accept_data()
    .transcript("C: MLSD\nS: 500 MLSD not understood")
    .unwrap();
    // No FEAT and no MLSD the second time.
    let server = list(list(script)).wait_for_close().start().unwrap();
    let mut ftp = scripted_session(&server);
    for _ in 0..2 {
        let names: Vec<String> = ftp
            .walk("")
            .unwrap()
            .map(|e| e.unwrap().path().to_owned())
            .collect();
        assert_eq!(names, ["a.txt"]);
    }
    drop(ftp);
    server.finish().unwrap();
}
