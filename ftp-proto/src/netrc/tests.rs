//! The parser's tests: lookups and refusals, moved here from ftp-blocking's netrc module.

use super::*;

type Found = Option<(
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
)>;

fn found<'a>(
    netrc: &'a Netrc,
    host: &str,
) -> Option<(Option<&'a str>, Option<&'a str>, Option<&'a str>)> {
    netrc
        .lookup(host)
        .map(|e| (e.login(), e.password(), e.account()))
}

macro_rules! looks_up {
    ($($name:ident: $text:expr, $host:expr => $want:expr;)*) => {$(
        #[test]
        fn $name() {
            let netrc = Netrc::parse($text).unwrap_or_else(|e| panic!("{e}"));
            let want: Found = $want;
            assert_eq!(found(&netrc, $host), want);
            // Debug never shows a password or an account.
            let debug = format!("{netrc:?}");
            for entry in netrc.entries() {
                for secret in [entry.password(), entry.account()].into_iter().flatten() {
                    if secret.len() >= 4 {
                        assert!(!debug.contains(secret), "{debug}");
                    }
                }
            }
        }
    )*};
}

looks_up! {
    machine_on_one_line:
        "machine h login alice password secret1", "h" => Some((Some("alice"), Some("secret1"), None));
    machine_over_several_lines_with_tabs:
        "machine h\n\tlogin alice\n\tpassword secret1\n\taccount acct99\n", "h" => Some((Some("alice"), Some("secret1"), Some("acct99")));
    host_compares_case_insensitively:
        "machine FTP.Example.Invalid login a password pppp", "ftp.example.INVALID" => Some((Some("a"), Some("pppp"), None));
    first_matching_machine_wins:
        "machine h login first\nmachine h login second", "h" => Some((Some("first"), None, None));
    other_machine_is_not_taken:
        "machine a login x password xxxx", "b" => None;
    default_is_taken_when_no_machine_matches:
        "machine a login x\ndefault login anonymous password guest@", "b" => Some((Some("anonymous"), Some("guest@"), None));
    machine_beats_an_earlier_default:
        "default login anonymous\nmachine h login alice", "h" => Some((Some("alice"), None, None));
    quoted_password_keeps_spaces:
        "machine h login alice password \"two words\"", "h" => Some((Some("alice"), Some("two words"), None));
    quoted_password_keeps_escaped_quote_and_backslash:
        r#"machine h login a password "q\"x\\y""#, "h" => Some((Some("a"), Some("q\"x\\y"), None));
    backslash_escapes_a_space_in_a_bare_token:
        r"machine h login a password two\ words", "h" => Some((Some("a"), Some("two words"), None));
    keyword_as_quoted_value_is_a_value:
        "machine h login \"machine\" password \"default\"", "h" => Some((Some("machine"), Some("default"), None));
    hash_inside_a_password_is_not_a_comment:
        "machine h login a password #notacomment", "h" => Some((Some("a"), Some("#notacomment"), None));
    comment_line_is_skipped:
        "# my hosts\nmachine h login a # trailing words login b\npassword pw12", "h" => Some((Some("a"), Some("pw12"), None));
    macdef_body_is_skipped_up_to_blank_line:
        "macdef init\ncd /pub\nmachine evil login mallory\n\nmachine h login alice", "h" => Some((Some("alice"), None, None));
    macdef_body_is_not_parsed_as_entries:
        "macdef init\nmachine h login mallory\n\nmachine h login alice", "h" => Some((Some("alice"), None, None));
    macdef_ends_an_entry:
        "machine h login alice\nmacdef m\nbody\n\n", "h" => Some((Some("alice"), None, None));
    macdef_running_to_end_of_file:
        "machine h login alice\nmacdef m\nbody line", "h" => Some((Some("alice"), None, None));
    crlf_line_ends:
        "machine h\r\nlogin alice\r\npassword pw12\r\n", "h" => Some((Some("alice"), Some("pw12"), None));
    empty_file_has_nothing:
        "", "h" => None;
    entry_without_login:
        "machine h password only", "h" => Some((None, Some("only"), None));
}

macro_rules! refuses {
    ($($name:ident: $text:expr => line $line:expr;)*) => {$(
        #[test]
        fn $name() {
            match Netrc::parse($text) {
                Err(NetrcSyntaxError { line, problem }) => {
                    assert_eq!(line, $line, "{problem}");
                    assert!(!problem.contains("hunter2"));
                }
                other => panic!("{other:?}"),
            }
        }
    )*};
}

refuses! {
    unterminated_quote:
        "machine h\nlogin a password \"hunter2" => line 2;
    machine_without_host:
        "machine" => line 1;
    password_without_value:
        "machine h login a\npassword" => line 2;
    login_before_any_machine:
        "login a password hunter2" => line 1;
    login_after_macdef_without_machine:
        "machine h\nmacdef m\nx\n\nlogin a" => line 5;
    unknown_token_is_refused_without_quoting_it:
        "machine h login a password hunter2 extra" => line 1;
    unquoted_password_with_space_is_refused:
        "machine h\npassword hunter2 second" => line 2;
}

#[test]
fn lookup_login_picks_the_entry_of_that_user() {
    let netrc = Netrc::parse(
        "machine h login alice password pa\n\
         machine h login bob password pb\n\
         machine h password anyuser\n\
         default login anonymous password guest",
    )
    .unwrap();
    let pw = |user| netrc.lookup_login("h", user).and_then(|e| e.password());
    assert_eq!(pw("alice"), Some("pa"));
    assert_eq!(pw("bob"), Some("pb"));
    assert_eq!(pw("carol"), Some("anyuser"));
    assert_eq!(
        netrc
            .lookup_login("other", "anonymous")
            .and_then(|e| e.password()),
        Some("guest")
    );
    assert!(netrc.lookup_login("other", "carol").is_none());
}

#[test]
fn holds_private_password_is_true_for_a_named_login_with_a_password() {
    let private = |text: &str| Netrc::parse(text).unwrap().holds_private_password();
    assert!(private("machine h login alice password pw"));
    assert!(private("machine h password pw"));
    assert!(private("default login bob password pw"));
    assert!(!private(
        "machine h login anonymous password me@example.invalid"
    ));
    assert!(!private("machine h login alice"));
    assert!(!private("machine h login alice account only-an-account"));
    assert!(!private(""));
}

#[test]
fn names_host_ignores_the_default_entry() {
    let netrc = Netrc::parse("machine A.example login a\ndefault login guest").unwrap();
    assert!(netrc.names_host("a.EXAMPLE"));
    assert!(!netrc.names_host("b.example"));
    assert!(
        netrc
            .lookup("b.example")
            .is_some_and(NetrcEntry::is_default)
    );
}

#[test]
fn parse_never_quotes_the_text_in_an_error() {
    for text in [
        "machine h password \"hunter2",
        "hunter2",
        "machine h login a hunter2",
    ] {
        let err = Netrc::parse(text).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
    }
}
