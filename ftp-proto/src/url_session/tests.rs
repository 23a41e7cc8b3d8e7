//! The set-up a URL describes: credentials in order, TLS mode, steps, the typecode honoured.

use super::*;
use crate::url::FtpUrl;

const NETRC: &str = "machine h login alice password alice-pw account alice-acct\n\
                     machine h login bob password bob-pw\n\
                     default login guest password guest-pw";

fn session(url: &str, netrc: Option<&str>, explicit: bool) -> UrlSession {
    let tls = if explicit {
        TlsMode::Explicit
    } else {
        TlsMode::None
    };
    let netrc = netrc.map(|t| Netrc::parse(t).unwrap());
    UrlSession::new(&FtpUrl::parse(url).unwrap(), netrc.as_ref(), tls)
}

macro_rules! logs_in {
    ($($name:ident: $url:expr, $netrc:expr => ($user:expr, $password:expr, $account:expr, $source:expr);)*) => {$(
        #[test]
        fn $name() {
            let s = session($url, $netrc, false);
            let login = s.login();
            assert_eq!(
                (login.user(), login.password(), login.account(), s.login_source()),
                (&$user[..], &$password[..], &$account[..], $source)
            );
            let debug = format!("{s:?} {login:?}");
            if login.password().len() > 2 {
                assert!(!debug.contains("-pw"), "{debug}");
            }
        }
    )*};
}

logs_in! {
    url_user_and_password_win_over_netrc:
        "ftp://carol:url-pw@h/", Some(NETRC) => (b"carol", b"url-pw", b"", LoginSource::Url);
    url_password_with_netrc_account_of_same_user:
        "ftp://alice:url-pw@h/", Some(NETRC) => (b"alice", b"url-pw", b"alice-acct", LoginSource::Url);
    url_user_takes_the_netrc_password_of_that_user:
        "ftp://bob@h/", Some(NETRC) => (b"bob", b"bob-pw", b"", LoginSource::NetrcMachine);
    url_user_unknown_to_netrc_gets_no_password:
        "ftp://carol@h/", Some(NETRC) => (b"carol", b"", b"", LoginSource::Url);
    url_user_takes_a_matching_default_entry:
        "ftp://guest@other/", Some(NETRC) => (b"guest", b"guest-pw", b"", LoginSource::NetrcDefault);
    latin1_url_user_matches_no_utf8_netrc_login:
        "ftp://b%F6b@h/", Some("machine h login b\u{f6}b password pw") => (b"b\xf6b", b"", b"", LoginSource::Url);
    no_url_user_takes_the_first_machine_entry:
        "ftp://h/", Some(NETRC) => (b"alice", b"alice-pw", b"alice-acct", LoginSource::NetrcMachine);
    no_url_user_other_host_takes_default_entry:
        "ftp://elsewhere/", Some(NETRC) => (b"guest", b"guest-pw", b"", LoginSource::NetrcDefault);
    no_url_user_no_netrc_is_anonymous:
        "ftp://h/", None => (b"", b"", b"", LoginSource::Anonymous);
    no_matching_entry_and_no_default_is_anonymous:
        "ftp://elsewhere/", Some("machine h login alice") => (b"", b"", b"", LoginSource::Anonymous);
    password_without_user_is_kept_for_anonymous:
        "ftp://:me%40example.invalid@h/", Some(NETRC) => (b"", b"me@example.invalid", b"", LoginSource::Url);
    netrc_host_matches_ipv6_without_brackets:
        "ftp://[::1]:2121/", Some("machine ::1 login six password six-pw") => (b"six", b"six-pw", b"", LoginSource::NetrcMachine);
}

#[test]
fn plain_url_steps_are_connect_login_and_one_cwd_per_segment() {
    let s = session("ftp://u:p@h:2121/a/b%2Fc/file.bin", None, false);
    assert_eq!(s.tls(), TlsMode::None);
    let steps: Vec<_> = s.steps().collect();
    assert_eq!(
        steps,
        [
            SetupStep::Connect {
                host: "h",
                port: 2121,
                implicit_tls: false
            },
            SetupStep::Login {
                user: b"u",
                password: b"p",
                account: b""
            },
            SetupStep::Cwd(b"a"),
            SetupStep::Cwd(b"b/c"),
        ]
    );
}

#[test]
fn explicit_tls_secures_before_login_and_protects_data_after() {
    let s = session("ftp://h/", None, true);
    assert_eq!(s.tls(), TlsMode::Explicit);
    let steps: Vec<_> = s.steps().collect();
    assert_eq!(
        steps,
        [
            SetupStep::Connect {
                host: "h",
                port: 21,
                implicit_tls: false
            },
            SetupStep::SecureControl,
            SetupStep::Login {
                user: b"",
                password: b"",
                account: b""
            },
            SetupStep::ProtectData,
        ]
    );
}

#[test]
fn ftps_url_is_implicit_on_port_990_whatever_the_caller_asks() {
    for explicit in [false, true] {
        let s = session("ftps://h//srv/", None, explicit);
        assert_eq!(s.tls(), TlsMode::Implicit);
        let steps: Vec<_> = s.steps().collect();
        assert_eq!(
            steps,
            [
                SetupStep::Connect {
                    host: "h",
                    port: 990,
                    implicit_tls: true
                },
                SetupStep::Login {
                    user: b"",
                    password: b"",
                    account: b""
                },
                SetupStep::ProtectData,
                SetupStep::Cwd(b"/"),
                SetupStep::Cwd(b"srv"),
            ]
        );
    }
}

macro_rules! requests {
    ($($name:ident: $url:expr => $want:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(session($url, None, false).request(), $want);
        }
    )*};
}

requests! {
    typecode_d_is_a_name_listing:
        "ftp://h/pub;type=d" => UrlRequest::ListNames;
    typecode_d_on_a_trailing_slash_is_a_name_listing:
        "ftp://h/pub/;type=d" => UrlRequest::ListNames;
    directory_without_typecode_is_a_full_listing:
        "ftp://h/pub/" => UrlRequest::List;
    typecode_a_is_an_ascii_transfer:
        "ftp://h/pub/notes.txt;type=a" => UrlRequest::Retrieve { name: b"notes.txt", transfer_type: TransferType::Ascii };
    typecode_i_is_a_binary_transfer:
        "ftp://h/x.bin;type=i" => UrlRequest::Retrieve { name: b"x.bin", transfer_type: TransferType::Binary };
    file_without_typecode_is_a_binary_transfer:
        "ftp://h/x.bin" => UrlRequest::Retrieve { name: b"x.bin", transfer_type: TransferType::Binary };
    latin1_file_name_is_retrieved_as_its_bytes:
        "ftp://h/caf%E9" => UrlRequest::Retrieve { name: b"caf\xe9", transfer_type: TransferType::Binary };
}

#[test]
fn typecode_d_changes_into_every_segment_before_listing() {
    let s = session("ftp://h/pub/sub;type=d", None, false);
    let cwd: Vec<&[u8]> = s.cwd().collect();
    assert_eq!(cwd, [&b"pub"[..], b"sub"]);
}

#[test]
fn netrc_default_in_clear_only_for_the_default_entry_without_tls() {
    assert!(session("ftp://elsewhere/", Some(NETRC), false).netrc_default_in_clear());
    assert!(!session("ftp://elsewhere/", Some(NETRC), true).netrc_default_in_clear());
    assert!(!session("ftps://elsewhere/", Some(NETRC), false).netrc_default_in_clear());
    assert!(!session("ftp://h/", Some(NETRC), false).netrc_default_in_clear());
    assert!(!session("ftp://elsewhere/", None, false).netrc_default_in_clear());
}

#[test]
fn debug_of_steps_and_session_never_shows_the_password_or_account() {
    let s = session("ftp://alice@h/", Some(NETRC), false);
    let shown = format!("{s:?} {:?}", s.steps().collect::<Vec<_>>());
    assert!(
        !shown.contains("alice-pw") && !shown.contains("alice-acct"),
        "{shown}"
    );
    assert!(shown.contains("alice"), "{shown}");
}

#[test]
fn implicit_tls_asked_by_the_caller_on_an_ftp_url_protects_data() {
    let url = FtpUrl::parse("ftp://h:990/").unwrap();
    let s = UrlSession::new(&url, None, TlsMode::Implicit);
    assert_eq!(s.tls(), TlsMode::Implicit);
    let steps: Vec<_> = s.steps().collect();
    assert_eq!(
        steps,
        [
            SetupStep::Connect {
                host: "h",
                port: 990,
                implicit_tls: true
            },
            SetupStep::Login {
                user: b"",
                password: b"",
                account: b""
            },
            SetupStep::ProtectData,
        ]
    );
}
