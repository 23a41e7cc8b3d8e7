//! Real server sessions (tests/data/transcripts/, captured from vsftpd, pure-ftpd, proftpd,
//! pyftpdlib and libunftp) and the RFC examples, replayed against the state machine. The
//! scripts live in tests/data/client/; every `S:` line they feed is checked to be a line the
//! server really sent.

mod client_support;

use client_support::{check_quotes, data_dir, run};
use ftp_proto::client::Config;

fn replay(script: &str, transcript: Option<&str>) {
    let text = std::fs::read_to_string(data_dir().join("client").join(script)).unwrap();
    if let Some(t) = transcript {
        check_quotes(&text, t);
    }
    run(&Config::default(), &text);
}

macro_rules! replays {
    ($($name:ident: $script:literal, $transcript:expr;)*) => {
        $(
            #[test]
            fn $name() {
                replay($script, $transcript);
            }
        )*
    };
}

replays! {
    vsftpd_login_and_command_tour: "vsftpd-1-tour.script", Some("vsftpd.txt");
    vsftpd_failed_login: "vsftpd-2-failed-login.script", Some("vsftpd.txt");
    vsftpd_abort_426_then_225: "vsftpd-3-abort.script", Some("vsftpd.txt");
    vsftpd_ftps_prot_p_prot_c_ccc_refused: "vsftpd-4-ftps.script", Some("vsftpd.txt");
    vsftpd_522_without_tls_resumption: "vsftpd-5-no-resumption.script", Some("vsftpd.txt");
}

replays! {
    pure_ftpd_tour_opts_504_multiline_226_mlsd_mlst_rest: "pure-ftpd-1-tour.script", Some("pure-ftpd.txt");
    pure_ftpd_abort_426_then_multiline_226: "pure-ftpd-3-abort.script", Some("pure-ftpd.txt");
    pure_ftpd_ftps_ccc_200_then_tls_shutdown: "pure-ftpd-4-ftps.script", Some("pure-ftpd.txt");
}

replays! {
    proftpd_list_eprt_and_rest_announcing_the_rest: "proftpd-1-tour.script", Some("proftpd.txt");
    proftpd_ftps_ccc_200_then_tls_shutdown: "proftpd-4-ftps.script", Some("proftpd.txt");
    proftpd_425_without_tls_resumption_session_goes_on: "proftpd-5-no-resumption.script", Some("proftpd.txt");
    pyftpdlib_mlsd_125_mlst_size_refused_in_ascii: "pyftpdlib-1-tour.script", Some("pyftpdlib.txt");
    pyftpdlib_abort_426_then_226: "pyftpdlib-3-abort.script", Some("pyftpdlib.txt");
    libunftp_eprt_500_port_502_mlst_absolute: "libunftp-1-tour.script", Some("libunftp.txt");
    libunftp_abort_226_then_426: "libunftp-3-abort.script", Some("libunftp.txt");
}

#[test]
#[should_panic(expected = "has no line")]
fn quote_check_refuses_a_line_the_server_never_sent() {
    check_quotes("S: 220 a server that was never captured", "vsftpd.txt");
}
