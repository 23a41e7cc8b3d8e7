//! Against the real servers of `scripts/real-servers-test.sh` (vsftpd, pure-ftpd, proftpd,
//! pyftpdlib): plain sessions, 20 consecutive PROT P transfers mixing uploads, downloads and
//! listings on TLS 1.2 and 1.3 (vsftpd and proftpd require every data connection to resume the
//! control session), and CCC where the server accepts it. Ignored outside that script.

use std::io::{Read, Write};
use std::time::Duration;

use ftp_blocking::{Ftp, FtpBuilder, TlsConfig};
use ftp_testkit::real::{RealServer, ServerKind};
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn connect(server: &RealServer, builder: FtpBuilder) -> Ftp {
    let mut ftp = builder
        .timeout(Duration::from_secs(20))
        .connect(&server.addr.ip().to_string(), server.addr.port())
        .expect("connect");
    ftp.login(&server.user, &server.password, "")
        .expect("login");
    ftp
}

fn tls(server: &RealServer, version: &str) -> TlsConfig {
    let versions: &[&'static rustls::SupportedProtocolVersion] = match version {
        "1.2" => &[&rustls::version::TLS12],
        _ => &[&rustls::version::TLS13],
    };
    TlsConfig::builder()
        .system_roots(false)
        .add_ca_file(&server.ca_file)
        .unwrap()
        .protocol_versions(versions)
        .build()
        .unwrap()
}

fn plain_session(kind: ServerKind) {
    let server = RealServer::require(kind);
    let mut ftp = connect(&server, Ftp::builder());
    let mut hash = Sha256::new();
    let path = format!("{}/{}", server.sample_dir, server.sample_bin);
    let path = if ftp.size(&path).is_ok() {
        path
    } else {
        server.sample_bin.clone()
    };
    ftp.retrbinary(&format!("RETR {path}"), |c| hash.update(c), 65536, None)
        .unwrap();
    assert_eq!(hex(&hash.finalize()), server.sample_bin_sha256);
    let name = format!(
        "ftp-blocking-plain-{}.txt",
        kind.env_prefix().to_lowercase()
    );
    let mut w = ftp.stor(&name).unwrap();
    w.write_all(b"plain upload\n").unwrap();
    w.finish().unwrap();
    assert_eq!(
        std::fs::read(server.home.join(&name)).unwrap(),
        b"plain upload\n"
    );
    assert!(ftp.nlst(&[]).unwrap().iter().any(|n| n.ends_with(&name)));
    let mut lines = 0;
    ftp.dir(&[], |_| lines += 1).unwrap();
    assert!(lines > 0);
    // MLSD where the server has it (vsftpd 3.0.3 answers 500)
    let mlsd: ftp_blocking::Result<Vec<_>> = ftp
        .mlsd(&server.sample_dir, &[])
        .and_then(|it| it.collect());
    match (kind, mlsd) {
        (ServerKind::Vsftpd, Err(e)) => assert_eq!(e.reply().map(|r| r.code().as_u16()), Some(500)),
        (ServerKind::Vsftpd, Ok(_)) => panic!("vsftpd 3.0.3 has no MLSD"),
        (_, Ok(entries)) => assert!(
            entries.iter().any(|e| e.name() == b"plain.txt"),
            "{kind:?} MLSD"
        ),
        (_, Err(e)) => panic!("{kind:?} MLSD: {e}"),
    }
    // active mode: EPRT (PORT where refused), for a download and an upload
    ftp.set_pasv(false);
    let mut w = ftp.stor(&format!("{name}.active")).unwrap();
    w.write_all(b"active upload\n").unwrap();
    w.finish().unwrap();
    assert_eq!(
        std::fs::read(server.home.join(format!("{name}.active"))).unwrap(),
        b"active upload\n"
    );
    ftp.delete(&format!("{name}.active")).unwrap();
    let mut back = Vec::new();
    ftp.retrbinary(
        &format!("RETR {name}"),
        |c| back.extend_from_slice(c),
        8192,
        None,
    )
    .unwrap();
    assert_eq!(back, b"plain upload\n");
    ftp.delete(&name).unwrap();
    ftp.quit().unwrap();
}

/// Which transfer `i` of the 20 is: 0 upload, 1 download, 2 listing.
fn mixed(i: u32) -> u32 {
    i % 3
}

/// The most proftpd 1.3.8 on TLS 1.3 allows with rustls 0.23 (see
/// `proftpd_tls13_data_connection_after_two_uploads_is_refused` and DESIGN.md): a resumed
/// download or listing spends a ticket and gets exactly one back, an upload spends one for
/// good, and the control handshake gave two. So: an upload first, downloads and listings,
/// and the second upload as the session's last data connection.
fn uploads_first_and_last(i: u32) -> u32 {
    if i == 0 || i == 19 { 0 } else { 1 + i % 2 }
}

fn twenty_prot_p(kind: ServerKind, version: &str, plan: fn(u32) -> u32) {
    let server = RealServer::require(kind);
    if !server.offers_tls(version) {
        eprintln!("{kind:?} does not offer TLS {version} here: skipped");
        return;
    }
    let addr = server.addr;
    let mut ftp = Ftp::builder()
        .timeout(Duration::from_secs(20))
        .tls(tls(&server, version))
        .connect(&addr.ip().to_string(), addr.port())
        .unwrap();
    ftp.login_secure(&server.user, &server.password, "")
        .unwrap();
    ftp.prot_p().unwrap();
    let tag = format!(
        "{}-{}",
        kind.env_prefix().to_lowercase(),
        version.replace('.', "")
    );
    let mut uploaded = Vec::new();
    for i in 0..20u32 {
        // An upload makes a new file; downloads and listings use the last one.
        let n = if plan(i) == 0 {
            uploaded.len()
        } else {
            uploaded.len() - 1
        };
        let name = format!("ftp-blocking-tls-{tag}-{n}.bin");
        match plan(i) {
            0 => {
                let body: Vec<u8> = (0..100_000 + i).map(|j| (j ^ (i * 7)) as u8).collect();
                let mut w = ftp
                    .stor(&name)
                    .unwrap_or_else(|e| panic!("upload {i}: {e}"));
                w.write_all(&body).unwrap();
                w.finish().unwrap_or_else(|e| panic!("upload {i}: {e}"));
                assert_eq!(
                    std::fs::read(server.home.join(&name)).unwrap(),
                    body,
                    "upload {i}"
                );
                uploaded.push(name);
            }
            1 => {
                let expected = std::fs::read(server.home.join(&name)).unwrap();
                let mut r = ftp
                    .retr(&name, None)
                    .unwrap_or_else(|e| panic!("download {i}: {e}"));
                let mut got = Vec::new();
                r.read_to_end(&mut got)
                    .unwrap_or_else(|e| panic!("download {i}: {e}"));
                r.finish().unwrap_or_else(|e| panic!("download {i}: {e}"));
                assert_eq!(got, expected, "download {i}");
            }
            _ => {
                let names = ftp.nlst(&[]).unwrap_or_else(|e| panic!("listing {i}: {e}"));
                assert!(names.iter().any(|n| n.ends_with(&name)), "listing {i}");
            }
        }
    }
    for name in uploaded {
        ftp.delete(&name).unwrap();
    }
    ftp.quit().unwrap();
}

/// A limitation pinned: rustls 0.23 spends a TLS 1.3 ticket once and cannot copy it, and
/// proftpd 1.3.8 sends no new ticket on an upload's data connection, so two uploads use up the
/// tickets of the control handshake and the next data connection cannot resume: proftpd
/// refuses it with 425 and the session goes on. When this test fails, the limitation is gone:
/// switch proftpd's TLS 1.3 run to the mixed plan.
fn proftpd_tls13_two_uploads_exhaust_the_tickets() {
    let server = RealServer::require(ServerKind::Proftpd);
    if !server.offers_tls("1.3") {
        return;
    }
    let addr = server.addr;
    let mut ftp = Ftp::builder()
        .timeout(Duration::from_secs(20))
        .tls(tls(&server, "1.3"))
        .connect(&addr.ip().to_string(), addr.port())
        .unwrap();
    ftp.login_secure(&server.user, &server.password, "")
        .unwrap();
    ftp.prot_p().unwrap();
    for n in 0..2 {
        let mut w = ftp.stor(&format!("ftp-blocking-tickets-{n}.bin")).unwrap();
        w.write_all(b"x").unwrap();
        w.finish().unwrap();
    }
    let err = ftp.nlst(&[]).unwrap_err();
    assert_eq!(err.reply().map(|r| r.code().as_u16()), Some(425), "{err:?}");
    ftp.noop().unwrap();
    for n in 0..2 {
        ftp.delete(&format!("ftp-blocking-tickets-{n}.bin"))
            .unwrap();
    }
    ftp.quit().unwrap();
}

fn ccc_back_to_plain(kind: ServerKind) {
    let server = RealServer::require(kind);
    let addr = server.addr;
    let mut ftp = Ftp::builder()
        .timeout(Duration::from_secs(20))
        .tls(tls(&server, "1.2"))
        .connect(&addr.ip().to_string(), addr.port())
        .unwrap();
    ftp.login_secure(&server.user, &server.password, "")
        .unwrap();
    ftp.ccc().unwrap();
    assert!(!ftp.is_secure());
    ftp.noop().unwrap();
    ftp.quit().unwrap();
}

macro_rules! real_tests {
    ($($name:ident: $body:expr;)*) => {$(
        #[test]
        #[ignore = "needs scripts/real-servers-test.sh"]
        fn $name() {
            $body
        }
    )*};
}

/// ftpcp between two real servers on loopback: `source`'s sample.bin lands in `target`'s home
/// with the same SHA-256, and both sessions go on. (On one address, vsftpd's PORT check and
/// pyftpdlib's foreign-address check both pass: the peer is 127.0.0.1 on every connection.)
fn ftpcp_between(source_kind: ServerKind, target_kind: ServerKind) {
    let source = RealServer::require(source_kind);
    let target = RealServer::require(target_kind);
    let mut src = connect(&source, Ftp::builder());
    let mut dst = connect(&target, Ftp::builder());
    let path = format!("{}/{}", source.sample_dir, source.sample_bin);
    let path = if src.size(&path).is_ok() {
        path
    } else {
        source.sample_bin.clone()
    };
    let name = format!(
        "ftpcp-{}-to-{}.bin",
        source_kind.env_prefix().to_lowercase(),
        target_kind.env_prefix().to_lowercase()
    );
    let (sent, stored) = ftp_blocking::ftpcp(
        &mut src,
        &path,
        &mut dst,
        &name,
        ftp_blocking::ftp_proto::command::TransferType::Binary,
    )
    .unwrap();
    assert_eq!(
        sent.code().class(),
        ftp_blocking::ftp_proto::reply::ReplyClass::Completion
    );
    assert_eq!(
        stored.code().class(),
        ftp_blocking::ftp_proto::reply::ReplyClass::Completion
    );
    let copied = std::fs::read(target.home.join(&name)).unwrap();
    assert_eq!(hex(&Sha256::digest(&copied)), source.sample_bin_sha256);
    src.noop().unwrap();
    dst.delete(&name).unwrap();
    src.quit().unwrap();
    dst.quit().unwrap();
}

/// What FXP to another host meets at vsftpd (port_promiscuous off): a PORT naming an address
/// other than the control peer is refused with a 5xx, and the session goes on.
fn vsftpd_refuses_foreign_port() {
    let server = RealServer::require(ServerKind::Vsftpd);
    let mut ftp = connect(&server, Ftp::builder());
    let err = ftp
        .sendport("127.0.0.2:40000".parse().unwrap())
        .unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    let reply = err.reply().unwrap();
    assert!(reply.text_lossy().contains("Illegal PORT"), "{reply:?}");
    ftp.noop().unwrap();
    ftp.quit().unwrap();
}

real_tests! {
    vsftpd_refuses_a_port_to_a_foreign_address_and_the_session_goes_on: vsftpd_refuses_foreign_port();
    vsftpd_to_pyftpdlib_ftpcp_copies_server_to_server: ftpcp_between(ServerKind::Vsftpd, ServerKind::Pyftpdlib);
    pyftpdlib_to_vsftpd_ftpcp_copies_server_to_server: ftpcp_between(ServerKind::Pyftpdlib, ServerKind::Vsftpd);
    vsftpd_plain_session: plain_session(ServerKind::Vsftpd);
    pure_ftpd_plain_session: plain_session(ServerKind::PureFtpd);
    proftpd_plain_session: plain_session(ServerKind::Proftpd);
    pyftpdlib_plain_session: plain_session(ServerKind::Pyftpdlib);
    vsftpd_twenty_prot_p_transfers_tls12: twenty_prot_p(ServerKind::Vsftpd, "1.2", mixed);
    vsftpd_twenty_prot_p_transfers_tls13: twenty_prot_p(ServerKind::Vsftpd, "1.3", mixed);
    proftpd_twenty_prot_p_transfers_tls12: twenty_prot_p(ServerKind::Proftpd, "1.2", mixed);
    proftpd_twenty_prot_p_transfers_tls13_uploads_first_and_last: twenty_prot_p(ServerKind::Proftpd, "1.3", uploads_first_and_last);
    proftpd_tls13_data_connection_after_two_uploads_is_refused: proftpd_tls13_two_uploads_exhaust_the_tickets();
    pure_ftpd_twenty_prot_p_transfers_tls13: twenty_prot_p(ServerKind::PureFtpd, "1.3", mixed);
    pyftpdlib_twenty_prot_p_transfers_tls12: twenty_prot_p(ServerKind::Pyftpdlib, "1.2", mixed);
    pure_ftpd_ccc_returns_to_plain_text: ccc_back_to_plain(ServerKind::PureFtpd);
    proftpd_ccc_returns_to_plain_text: ccc_back_to_plain(ServerKind::Proftpd);
}

/// Which servers end a TLS download without `close_notify` (accepted only because the 226 came
/// and every announced byte arrived): printed for the notes. A listing announces no size, so
/// it passes only if the server sent `close_notify`.
#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn close_notify_at_the_end_of_tls_downloads_per_server() {
    for kind in ServerKind::ALL {
        let server = RealServer::require(kind);
        let mut ftp = Ftp::builder()
            .timeout(Duration::from_secs(20))
            .tls(tls(&server, "1.2"))
            .connect(&server.tls_server_name, server.addr.port())
            .expect("connect by the certificate's name");
        // login() on a tls() session sends AUTH TLS first, as FTP_TLS.login does
        ftp.login(&server.user, &server.password, "").unwrap();
        assert!(ftp.is_secure());
        ftp.prot_p().unwrap();
        let mut got = Vec::new();
        ftp.retrbinary(
            &format!("RETR {}", server.sample_bin),
            |c| got.extend_from_slice(c),
            65536,
            None,
        )
        .unwrap();
        assert_eq!(hex(&Sha256::digest(&got)), server.sample_bin_sha256);
        let missed = ftp.last_download_missed_close_notify();
        ftp.nlst(&[]).unwrap();
        eprintln!(
            "close_notify at the end of RETR: {kind:?} {}",
            if missed { "omitted" } else { "sent" }
        );
        ftp.quit().unwrap();
    }
}

/// Issue 11, any encoding: a windows-1251 name is stored, listed, read and deleted through
/// the session encoding, and the file on disk is named by the windows-1251 bytes.
/// pyftpdlib is left out: as scripts/real-servers.sh starts it (its defaults, UTF-8 with
/// `unicode_errors='replace'`) it stores such a name with U+FFFD in place of the bytes (tried:
/// "did not store the name as its cp1251 bytes").
fn cp1251_name_round_trips(kind: ServerKind) {
    let server = RealServer::require(kind);
    let encoding: ftp_blocking::Encoding = "cp1251".parse().unwrap();
    let mut ftp = connect(&server, Ftp::builder().encoding(encoding));
    let name = format!("Привет-{}.txt", kind.env_prefix().to_lowercase());
    let bytes = encoding.encode(&name).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "a real non-UTF-8 name"
    );
    let mut w = ftp.stor(&name).unwrap();
    w.write_all(b"cp1251 name\n").unwrap();
    w.finish().unwrap();
    let on_disk = std::fs::read_dir(&server.home).unwrap().any(|e| {
        use std::os::unix::ffi::OsStrExt;
        e.unwrap().file_name().as_bytes() == bytes.as_slice()
    });
    assert!(
        on_disk,
        "{kind:?} did not store the name as its cp1251 bytes"
    );
    let names = ftp.nlst(&[]).unwrap();
    assert!(names.iter().any(|n| n.ends_with(&name)), "{names:?}");
    let mut got = Vec::new();
    let mut r = ftp.retr(&name, None).unwrap();
    r.read_to_end(&mut got).unwrap();
    r.finish().unwrap();
    assert_eq!(got, b"cp1251 name\n");
    ftp.delete_bytes(&bytes).unwrap();
    ftp.quit().unwrap();
}

real_tests! {
    vsftpd_cp1251_name_round_trips: cp1251_name_round_trips(ServerKind::Vsftpd);
    pure_ftpd_cp1251_name_round_trips: cp1251_name_round_trips(ServerKind::PureFtpd);
    proftpd_cp1251_name_round_trips: cp1251_name_round_trips(ServerKind::Proftpd);
}
