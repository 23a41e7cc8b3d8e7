//! Against the real servers of `scripts/real-servers.sh` (vsftpd, pure-ftpd, proftpd,
//! pyftpdlib on 127.0.0.1). Ignored unless run by `scripts/real-servers-test.sh`, which starts
//! them and exports `servers.env`; each test skips a server whose variables are not set only
//! when run without `--include-ignored`.

use std::io::Cursor;
use std::time::Duration;

use ftp_blocking::tls::TlsConfig;
use ftp_blocking::{Error, Ftp};
use ftp_testkit::real::{RealServer, ServerKind};
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn payload(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed * 7) % 253) as u8)
        .collect()
}

fn tls_config(
    server: &RealServer,
    version: &'static rustls::SupportedProtocolVersion,
) -> TlsConfig {
    TlsConfig::builder()
        .system_roots(false)
        .add_ca_file(&server.ca_file)
        .unwrap()
        .protocol_versions(&[version])
        .build()
        .unwrap()
}

/// A session logged in under TLS (AUTH TLS before USER) with PROT P, by the certificate's
/// name (`localhost`), never by address.
fn ftps(server: &RealServer, version: &'static rustls::SupportedProtocolVersion) -> Ftp {
    let mut ftp = Ftp::builder()
        .timeout(Duration::from_secs(20))
        .tls(tls_config(server, version))
        .connect(&server.tls_server_name, server.addr.port())
        .unwrap();
    ftp.login(&server.user, &server.password, "").unwrap();
    assert!(ftp.is_control_secure());
    ftp.prot_p().unwrap();
    ftp
}

fn plain(server: &RealServer) -> Ftp {
    let mut ftp = Ftp::builder()
        .timeout(Duration::from_secs(20))
        .connect("127.0.0.1", server.addr.port())
        .unwrap();
    ftp.login(&server.user, &server.password, "").unwrap();
    ftp
}

fn retr(ftp: &mut Ftp, name: &str) -> Result<Vec<u8>, Error> {
    let mut got = Vec::new();
    ftp.retrbinary(
        &format!("RETR {name}"),
        |c| got.extend_from_slice(c),
        65536,
        None,
    )?;
    Ok(got)
}

/// The kind of one transfer in a mixed run.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Upload,
    Download,
    Listing,
}

/// Runs `ops` as PROT P transfers in one session and checks each by content; returns how many
/// passed before the first failure, with that failure.
fn run_mixed(
    ftp: &mut Ftp,
    server: &RealServer,
    tag: &str,
    ops: &[Op],
) -> (usize, Option<(Op, Error)>) {
    let mut uploaded = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let result = match op {
            Op::Upload => {
                let name = format!("ftps-{tag}-{i}.bin");
                let data = payload(i, 40_000 + i * 1000);
                let r = ftp.storbinary(
                    &format!("STOR {name}"),
                    &mut Cursor::new(&data),
                    65536,
                    None,
                    None,
                );
                if r.is_ok() {
                    assert_eq!(
                        sha256(&std::fs::read(server.home.join(&name)).unwrap()),
                        sha256(&data),
                        "{name} on disk"
                    );
                    uploaded.push(name);
                }
                r.map(|_| ())
            }
            Op::Download => retr(ftp, &server.sample_bin)
                .map(|got| assert_eq!(sha256(&got), server.sample_bin_sha256)),
            Op::Listing => ftp.nlst(&[]).map(|names| {
                assert!(
                    names.iter().any(|n| n.ends_with(&server.sample_bin)),
                    "{names:?}"
                )
            }),
        };
        if let Err(e) = result {
            cleanup(server, &uploaded);
            return (i, Some((*op, e)));
        }
    }
    cleanup(server, &uploaded);
    (ops.len(), None)
}

fn cleanup(server: &RealServer, names: &[String]) {
    for n in names {
        let _ = std::fs::remove_file(server.home.join(n));
    }
}

/// 21 transfers: upload, download, listing in turn.
fn mixed_21() -> Vec<Op> {
    [Op::Upload, Op::Download, Op::Listing]
        .into_iter()
        .cycle()
        .take(21)
        .collect()
}

fn twenty_resumed(kind: ServerKind, version: &'static rustls::SupportedProtocolVersion) {
    let server = RealServer::require(kind);
    assert!(
        server.tls_session_reuse_required,
        "{kind:?} should require reuse"
    );
    let mut ftp = ftps(&server, version);
    let tag = format!("{kind:?}-{version:?}").replace(['"', ' ', '(', ')'], "");
    let ops = mixed_21();
    let (done, failure) = run_mixed(&mut ftp, &server, &tag, &ops);
    assert_eq!(done, ops.len(), "failed: {failure:?}");
    ftp.quit().unwrap();
}

#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn vsftpd_21_mixed_prot_p_transfers_resume_on_tls12() {
    twenty_resumed(ServerKind::Vsftpd, &rustls::version::TLS12);
}

#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn vsftpd_21_mixed_prot_p_transfers_resume_on_tls13() {
    twenty_resumed(ServerKind::Vsftpd, &rustls::version::TLS13);
}

#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn proftpd_21_mixed_prot_p_transfers_resume_on_tls12() {
    twenty_resumed(ServerKind::Proftpd, &rustls::version::TLS12);
}

/// proftpd 1.3.8 under TLS 1.3 sends a new ticket on a data connection only when it writes on
/// it (downloads, listings: one ticket each, which replaces the one the connection spent),
/// never on an upload, and rustls 0.23 spends a ticket once and cannot copy one (see
/// `tls.rs`). A session starts with the two tickets of the control handshake, so downloads
/// and listings are free and each upload uses one ticket up for good: the maximum that works
/// is two uploads, the second being the session's last data connection. This pins it: an
/// upload, 19 downloads and listings, a second upload (21 resumed transfers), then the next
/// data connection refused with proftpd's 425 while the session carries on.
#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn proftpd_tls13_resumes_until_the_second_upload_then_refuses_with_425() {
    let server = RealServer::require(ServerKind::Proftpd);
    let mut ftp = ftps(&server, &rustls::version::TLS13);
    let mut ops = vec![Op::Upload];
    ops.extend([Op::Download, Op::Listing].into_iter().cycle().take(19));
    ops.push(Op::Upload);
    let (done, failure) = run_mixed(&mut ftp, &server, "proftpd13", &ops);
    assert_eq!(done, 21, "failed: {failure:?}");
    let (done, failure) = run_mixed(&mut ftp, &server, "proftpd13-next", &[Op::Listing]);
    assert_eq!(done, 0);
    match failure {
        Some((Op::Listing, Error::Temporary(reply))) => assert_eq!(reply.code().as_u16(), 425),
        other => panic!("expected proftpd's 425 once the tickets are gone, got {other:?}"),
    }
    ftp.noop().unwrap();
    ftp.quit().unwrap();
}

/// pure-ftpd and pyftpdlib do not require session reuse; PROT P works there too (TLS 1.3),
/// and each says whether it ends a download with close_notify.
#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn pureftpd_and_pyftpdlib_prot_p_transfers_on_tls13() {
    for kind in [ServerKind::PureFtpd, ServerKind::Pyftpdlib] {
        let server = RealServer::require(kind);
        let mut ftp = ftps(&server, &rustls::version::TLS13);
        let ops: Vec<Op> = mixed_21().into_iter().take(6).collect();
        let (done, failure) = run_mixed(&mut ftp, &server, &format!("{kind:?}"), &ops);
        assert_eq!(done, ops.len(), "{kind:?}: {failure:?}");
        ftp.quit().unwrap();
    }
}

/// Which servers end a TLS download without close_notify (accepted only when the 226 came and
/// the bytes matched the announced size): printed for the report, and a listing (no size
/// announced) must have had it or it would have failed as truncated.
#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn close_notify_at_the_end_of_downloads_per_server() {
    for kind in ServerKind::ALL {
        let server = RealServer::require(kind);
        let mut ftp = ftps(&server, &rustls::version::TLS12);
        assert_eq!(
            sha256(&retr(&mut ftp, &server.sample_bin).unwrap()),
            server.sample_bin_sha256
        );
        let missed = ftp.last_download_missed_close_notify();
        ftp.nlst(&[]).unwrap();
        eprintln!(
            "close_notify on RETR: {kind:?} {}",
            if missed { "omitted" } else { "sent" }
        );
        ftp.quit().unwrap();
    }
}

/// CCC: the two servers that accept it (200, then a TLS shutdown both ways); the session goes
/// on in plain text, and PROT P data connections still run TLS.
#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn ccc_on_pureftpd_and_proftpd_continues_in_plain_text() {
    for kind in [ServerKind::PureFtpd, ServerKind::Proftpd] {
        let server = RealServer::require(kind);
        let mut ftp = ftps(&server, &rustls::version::TLS12);
        assert_eq!(ftp.ccc().unwrap().code().as_u16(), 200, "{kind:?}");
        assert!(!ftp.is_control_secure());
        ftp.noop().unwrap();
        assert!(!ftp.pwd().unwrap().is_empty());
        assert_eq!(
            sha256(&retr(&mut ftp, &server.sample_bin).unwrap()),
            server.sample_bin_sha256,
            "{kind:?}"
        );
        ftp.quit().unwrap();
    }
}

/// vsftpd refuses CCC (500): an error, and the session stays under TLS.
#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn ccc_refused_by_vsftpd_keeps_tls() {
    let server = RealServer::require(ServerKind::Vsftpd);
    let mut ftp = ftps(&server, &rustls::version::TLS13);
    match ftp.ccc() {
        Err(Error::Permanent(reply)) => assert_eq!(reply.code().as_u16(), 500),
        other => panic!("expected 500, got {other:?}"),
    }
    assert!(ftp.is_control_secure());
    ftp.noop().unwrap();
}

/// Plain FTP on every server: login, LIST, MLSD where there is one, RETR and a STOR round
/// trip checked by SHA-256, passive then active mode (EPRT, PORT where refused).
#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn plain_ftp_on_all_four_servers() {
    for kind in ServerKind::ALL {
        let server = RealServer::require(kind);
        let mut ftp = plain(&server);
        let mut lines = Vec::new();
        ftp.dir(&[&server.sample_dir], |l| lines.push(l.to_string()))
            .unwrap();
        assert!(
            lines.iter().any(|l| l.ends_with("plain.txt")),
            "{kind:?}: {lines:?}"
        );
        let mlsd: Result<Vec<_>, _> = ftp
            .mlsd(&server.sample_dir, &[])
            .and_then(|it| it.collect());
        match (kind, mlsd) {
            (ServerKind::Vsftpd, Err(Error::Permanent(r))) => assert_eq!(r.code().as_u16(), 500),
            (ServerKind::Vsftpd, other) => panic!("vsftpd has no MLSD: {other:?}"),
            (_, Ok(entries)) => {
                assert!(entries.iter().any(|e| e.name() == b"plain.txt"), "{kind:?}")
            }
            (_, Err(e)) => panic!("{kind:?} MLSD: {e:?}"),
        }
        for passive in [true, false] {
            ftp.set_pasv(passive);
            assert_eq!(
                sha256(&retr(&mut ftp, &server.sample_bin).unwrap()),
                server.sample_bin_sha256,
                "{kind:?} passive={passive}"
            );
            let name = format!("plain-{kind:?}-{passive}.bin");
            let data = payload(passive as usize, 300_000);
            ftp.storbinary(
                &format!("STOR {name}"),
                &mut Cursor::new(&data),
                8192,
                None,
                None,
            )
            .unwrap();
            assert_eq!(sha256(&retr(&mut ftp, &name).unwrap()), sha256(&data));
            assert_eq!(
                sha256(&std::fs::read(server.home.join(&name)).unwrap()),
                sha256(&data)
            );
            ftp.delete(&name).unwrap();
        }
        ftp.quit().unwrap();
    }
}
