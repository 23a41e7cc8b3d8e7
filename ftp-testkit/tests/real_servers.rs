//! The real servers of `scripts/real-servers.sh`, read through `ftp_testkit::real`: ignored by
//! default; `scripts/real-servers-test.sh` runs them with `--include-ignored` and the
//! servers' variables set.

mod common;

use common::{Control, auth_tls, connect, data_conn, epsv_addr, tls_client};
use ftp_testkit::real::{RealServer, ServerKind};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::io::Read;

fn ca(server: &RealServer) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(&server.ca_file)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Login, PWD and a passive NLST of the samples folder, compared with the folder on disk.
fn plain_session(kind: ServerKind) {
    let server = RealServer::require(kind);
    assert!(server.addr.ip().is_loopback());
    let mut c = connect(server.addr);
    let greeting = c.reply();
    assert!(greeting.starts_with("220"), "{greeting}");
    c.login(&server.user, &server.password);
    let pwd = c.cmd("PWD");
    assert!(pwd.starts_with("257 \"/\""), "{pwd}");
    let mut data = data_conn(epsv_addr(&c.cmd("EPSV")));
    let prelim = c.cmd(&format!("NLST {}", server.sample_dir));
    assert!(
        prelim.starts_with("150 ") || prelim.starts_with("125 "),
        "{prelim}"
    );
    let mut names = Vec::new();
    data.read_to_end(&mut names).unwrap();
    // Close our end at once: proftpd holds the 226 until the client closes the data
    // connection (its lingering close, TimeoutLinger, 10 s by default).
    drop(data);
    let done = c.reply();
    assert!(done.starts_with("226 "), "{done}");
    let names = String::from_utf8_lossy(&names);
    assert!(names.contains("plain.txt"), "{names}");
    assert!(
        server
            .home
            .join(&server.sample_dir)
            .join("plain.txt")
            .is_file()
    );
    assert!(c.cmd("QUIT").starts_with("221"));
}

/// AUTH TLS with only `version` offered, verified against the CA file, then a login over TLS.
fn tls_session(kind: ServerKind, version: &'static rustls::SupportedProtocolVersion, name: &str) {
    let server = RealServer::require(kind);
    if !server.offers_tls(name) {
        eprintln!("{kind:?} does not offer TLS {name} in this run");
        return;
    }
    let config = tls_client(&ca(&server), &[version]);
    let (mut c, got): (Control<common::TlsStream>, _) =
        auth_tls(server.addr, "localhost", config).unwrap();
    assert_eq!(got, version.version);
    assert!(c.cmd("PBSZ 0").starts_with("200"));
    c.login(&server.user, &server.password);
    assert!(c.cmd("PWD").starts_with("257 \"/\""));
}

macro_rules! real_server_tests {
    ($($kind:ident => $plain:ident, $tls12:ident, $tls13:ident;)*) => {$(
        #[test]
        #[ignore = "needs scripts/real-servers-test.sh"]
        fn $plain() {
            plain_session(ServerKind::$kind);
        }

        #[test]
        #[ignore = "needs scripts/real-servers-test.sh"]
        fn $tls12() {
            tls_session(ServerKind::$kind, &rustls::version::TLS12, "1.2");
        }

        #[test]
        #[ignore = "needs scripts/real-servers-test.sh"]
        fn $tls13() {
            tls_session(ServerKind::$kind, &rustls::version::TLS13, "1.3");
        }
    )*};
}

real_server_tests! {
    Vsftpd => vsftpd_env_user_logs_in_and_lists_samples, vsftpd_tls12_trusts_the_ca_file, vsftpd_tls13_trusts_the_ca_file;
    PureFtpd => pureftpd_env_user_logs_in_and_lists_samples, pureftpd_tls12_trusts_the_ca_file, pureftpd_tls13_trusts_the_ca_file;
    Proftpd => proftpd_env_user_logs_in_and_lists_samples, proftpd_tls12_trusts_the_ca_file, proftpd_tls13_trusts_the_ca_file;
    Pyftpdlib => pyftpdlib_env_user_logs_in_and_lists_samples, pyftpdlib_tls12_trusts_the_ca_file, pyftpdlib_tls13_trusts_the_ca_file;
}

#[test]
#[ignore = "needs scripts/real-servers-test.sh"]
fn env_describes_all_four_servers_with_reuse_on_vsftpd_and_proftpd() {
    let all = RealServer::all_from_env();
    assert_eq!(all.len(), 4, "{all:?}");
    for s in &all {
        let expect_reuse = matches!(s.kind, ServerKind::Vsftpd | ServerKind::Proftpd);
        assert_eq!(s.tls_session_reuse_required, expect_reuse, "{:?}", s.kind);
        assert_eq!(s.sample_bin_sha256.len(), 64);
    }
}
