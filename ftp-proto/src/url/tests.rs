//! The URL parser: byte-exact decoding, segments, IPv6, typecodes, refusals, masking.

use super::*;

/// What a parsed URL must hold: (scheme, host, port, user, password, path, CWD segments, file,
/// typecode).
type Expected = (
    Scheme,
    &'static str,
    u16,
    Option<&'static [u8]>,
    Option<&'static [u8]>,
    &'static [u8],
    &'static [&'static [u8]],
    Option<&'static [u8]>,
    Option<Typecode>,
);

fn check(input: &str, want: Expected) {
    let url = FtpUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let dirs = url.dir_segments();
    let got = (
        url.scheme(),
        url.host(),
        url.port(),
        url.user(),
        url.password(),
        url.path(),
        &dirs[..],
        url.file_name(),
        url.typecode(),
    );
    let want_dirs: Vec<&[u8]> = want.6.to_vec();
    assert_eq!(
        (got.0, got.1, got.2, got.3, got.4, got.5, got.7, got.8),
        (
            want.0, want.1, want.2, want.3, want.4, want.5, want.7, want.8
        ),
        "{input}"
    );
    assert_eq!(dirs, want_dirs, "{input}");
    // Display never shows the password and parses back to the same URL (password aside).
    let shown = url.to_string();
    let debug = format!("{url:?}");
    assert!(
        !shown.contains("hunter2") && !debug.contains("hunter2"),
        "{shown} {debug}"
    );
    let again = FtpUrl::parse(&shown).unwrap_or_else(|e| panic!("{shown}: {e}"));
    assert_eq!(
        (again.scheme(), again.host(), again.port(), again.user()),
        (url.scheme(), url.host(), url.port(), url.user()),
        "{shown}"
    );
    assert_eq!(again.segments(), url.segments(), "{shown}");
    assert_eq!(again.typecode(), url.typecode(), "{shown}");
    assert_eq!(
        again.password().is_some(),
        url.password().is_some(),
        "{shown}"
    );
}

macro_rules! parses {
    ($($name:ident: $input:expr => $want:expr;)*) => {$(
        #[test]
        fn $name() {
            check($input, $want);
        }
    )*};
}

use Scheme::{Ftp, Ftps};

parses! {
    bare_host_is_port_21_anonymous_login_dir:
        "ftp://example.invalid" => (Ftp, "example.invalid", 21, None, None, b"", &[], None, None);
    ftps_defaults_to_implicit_port_990:
        "ftps://example.invalid/" => (Ftps, "example.invalid", 990, None, None, b"", &[], None, None);
    explicit_port_is_kept:
        "ftp://127.0.0.1:2121/" => (Ftp, "127.0.0.1", 2121, None, None, b"", &[], None, None);
    empty_port_is_the_default_port:
        "ftp://h:/" => (Ftp, "h", 21, None, None, b"", &[], None, None);
    leading_zeros_in_the_port_are_read_as_decimal:
        "ftp://h:00021/" => (Ftp, "h", 21, None, None, b"", &[], None, None);
    userinfo_decodes_to_latin1_bytes_not_utf8:
        "ftp://j%E9r%F4me:hunter2%FF@h/" => (Ftp, "h", 21, Some(b"j\xe9r\xf4me"), Some(b"hunter2\xff"), b"", &[], None, None);
    userinfo_takes_the_last_at_sign:
        "ftp://me@example.invalid:hunter2@h/" => (Ftp, "h", 21, Some(b"me@example.invalid"), Some(b"hunter2"), b"", &[], None, None);
    password_may_hold_a_colon:
        "ftp://u:hunter2:x@h/" => (Ftp, "h", 21, Some(b"u"), Some(b"hunter2:x"), b"", &[], None, None);
    latin1_path_byte_is_kept_for_cwd_and_retr:
        "ftp://h/r%E9sum%E9/caf%E9.txt" => (Ftp, "h", 21, None, None, b"r\xe9sum\xe9/caf\xe9.txt", &[b"r\xe9sum\xe9"], Some(b"caf\xe9.txt"), None);
    raw_utf8_in_the_path_is_taken_as_its_bytes:
        "ftp://h/\u{e9}t\u{e9}" => (Ftp, "h", 21, None, None, "\u{e9}t\u{e9}".as_bytes(), &[], Some("\u{e9}t\u{e9}".as_bytes()), None);
    each_segment_is_its_own_cwd:
        "ftp://h/a/b/c/file" => (Ftp, "h", 21, None, None, b"a/b/c/file", &[b"a", b"b", b"c"], Some(b"file"), None);
    encoded_slash_stays_inside_its_segment:
        "ftp://h/a%2Fb/c" => (Ftp, "h", 21, None, None, b"a/b/c", &[b"a/b"], Some(b"c"), None);
    encoded_leading_slash_is_one_absolute_cwd:
        "ftp://h/%2Fetc/motd" => (Ftp, "h", 21, None, None, b"/etc/motd", &[b"/etc"], Some(b"motd"), None);
    leading_empty_segment_is_the_root:
        "ftp://h//etc/motd" => (Ftp, "h", 21, None, None, b"/etc/motd", &[b"/", b"etc"], Some(b"motd"), None);
    root_directory:
        "ftp://h//" => (Ftp, "h", 21, None, None, b"/", &[b"/"], None, None);
    empty_segment_in_the_middle_is_skipped:
        "ftp://h/a//b/" => (Ftp, "h", 21, None, None, b"a//b/", &[b"a", b"b"], None, None);
    trailing_slash_names_a_directory:
        "ftp://h/pub/linux/" => (Ftp, "h", 21, None, None, b"pub/linux/", &[b"pub", b"linux"], None, None);
    ipv6_literal_loses_its_brackets:
        "ftp://[::1]:2121/a" => (Ftp, "::1", 2121, None, None, b"a", &[], Some(b"a"), None);
    ipv6_literal_is_normalised:
        "ftps://u@[2001:DB8:0:0::1]/" => (Ftps, "2001:db8::1", 990, Some(b"u"), None, b"", &[], None, None);
    ipv4_mapped_ipv6_literal:
        "ftp://[::ffff:127.0.0.1]/" => (Ftp, "::ffff:127.0.0.1", 21, None, None, b"", &[], None, None);
    host_is_lower_cased_for_both_schemes:
        "FTPS://EXAMPLE.Invalid/" => (Ftps, "example.invalid", 990, None, None, b"", &[], None, None);
    typecode_a_is_ascii:
        "ftp://h/d/a.txt;type=a" => (Ftp, "h", 21, None, None, b"d/a.txt", &[b"d"], Some(b"a.txt"), Some(Typecode::Ascii));
    typecode_i_is_image:
        "ftp://h/a.bin;TYPE=I" => (Ftp, "h", 21, None, None, b"a.bin", &[], Some(b"a.bin"), Some(Typecode::Image));
    typecode_d_makes_every_segment_a_directory:
        "ftp://h/pub/x;type=d" => (Ftp, "h", 21, None, None, b"pub/x", &[b"pub", b"x"], None, Some(Typecode::Directory));
    semicolon_that_is_not_a_typecode_stays_in_the_name:
        "ftp://h/a;v=1" => (Ftp, "h", 21, None, None, b"a;v=1", &[], Some(b"a;v=1"), None);
    encoded_semicolon_is_never_a_typecode:
        "ftp://h/a%3Btype=i" => (Ftp, "h", 21, None, None, b"a;type=i", &[], Some(b"a;type=i"), None);
    lone_percent_stays_literal:
        "ftp://h/100%" => (Ftp, "h", 21, None, None, b"100%", &[], Some(b"100%"), None);
    truncated_percent_escape_stays_literal:
        "ftp://h/a%4" => (Ftp, "h", 21, None, None, b"a%4", &[], Some(b"a%4"), None);
}

macro_rules! refuses {
    ($($name:ident: $input:expr => $want:pat,)*) => {$(
        #[test]
        fn $name() {
            let input: &str = $input;
            let err = FtpUrl::parse(input).expect_err(input);
            assert!(matches!(err, $want), "{input}: {err:?}");
            // No error shows the password, whatever it is.
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    )*};
}

refuses! {
    other_scheme_is_refused_by_name:
        "http://u:hunter2@h/" => UrlError::UnsupportedScheme { .. },
    relative_reference_has_no_scheme:
        "/pub/hunter2" => UrlError::Syntax(SyntaxError::NoScheme),
    empty_input_has_no_scheme:
        "" => UrlError::Syntax(SyntaxError::NoScheme),
    scheme_without_slashes_has_no_host:
        "ftp:hunter2" => UrlError::MissingHost,
    triple_slash_has_no_host:
        "ftp:///hunter2" => UrlError::MissingHost,
    userinfo_without_host_is_refused:
        "ftp://u:hunter2@/x" => UrlError::MissingHost,
    port_over_65535_is_refused:
        "ftp://u:hunter2@h:65536/" => UrlError::Syntax(SyntaxError::InvalidPort),
    very_long_port_is_refused:
        "ftp://u:hunter2@h:99999999999999999999/" => UrlError::Syntax(SyntaxError::InvalidPort),
    non_digit_port_is_refused:
        "ftp://u:hunter2@h:2x/" => UrlError::Syntax(SyntaxError::InvalidPort),
    port_zero_is_refused:
        "ftp://u:hunter2@h:0/" => UrlError::PortZero,
    unclosed_ipv6_literal_is_refused:
        "ftp://u:hunter2@[::1/" => UrlError::Syntax(SyntaxError::InvalidIpv6),
    ipv6_literal_that_is_not_an_address:
        "ftp://u:hunter2@[fe80::1%25eth0]/" => UrlError::Syntax(SyntaxError::InvalidIpv6),
    garbage_after_ipv6_literal:
        "ftp://u:hunter2@[::1]x/" => UrlError::Syntax(SyntaxError::InvalidIpv6),
    non_ascii_host_is_refused_not_punycoded:
        "ftp://u:hunter2@b\u{fc}cher.example/" => UrlError::Syntax(SyntaxError::InvalidHost),
    host_with_a_bracket_inside_is_refused:
        "ftp://u:hunter2@a[b]/" => UrlError::Syntax(SyntaxError::InvalidHost),
    query_is_refused:
        "ftp://u:hunter2@h/a?b" => UrlError::UnexpectedPart { what: "query" },
    fragment_is_refused:
        "ftp://u:hunter2@h/a#b" => UrlError::UnexpectedPart { what: "fragment" },
    unknown_typecode_is_refused:
        "ftp://u:hunter2@h/a;type=x" => UrlError::BadTypecode,
    decoded_cr_lf_in_path_is_refused:
        "ftp://u:hunter2@h/a%0D%0ADELE%20b" => UrlError::ForbiddenByte { what: "path" },
    decoded_lf_in_user_is_refused:
        "ftp://u%0A:hunter2@h/" => UrlError::ForbiddenByte { what: "user" },
    decoded_nul_in_password_is_refused:
        "ftp://u:hunter2%00@h/" => UrlError::ForbiddenByte { what: "password" },
    decoded_cr_in_host_is_refused:
        "ftp://u:hunter2@h%0D/" => UrlError::ForbiddenByte { what: "host" },
    raw_line_feed_is_refused_not_dropped:
        "ftp://u:hunter2@h/a\nDELE b" => UrlError::ForbiddenByte { what: "text" },
    raw_carriage_return_is_refused:
        "ftp://u:hunter2@h/a\rb" => UrlError::ForbiddenByte { what: "text" },
    raw_nul_is_refused:
        "ftp://u:hunter2@h/a\0b" => UrlError::ForbiddenByte { what: "text" },
    raw_space_is_refused:
        "ftp://u:hunter2@h/my file" => UrlError::ForbiddenByte { what: "text" },
    raw_tab_is_refused:
        "ftp://u:hunter2@h/a\tb" => UrlError::ForbiddenByte { what: "text" },
    raw_delete_character_is_refused:
        "ftp://u:hunter2@h/a\x7fb" => UrlError::ForbiddenByte { what: "text" },
    backslash_is_refused:
        "ftp://u:hunter2@h\\x/" => UrlError::Syntax(SyntaxError::Backslash),
}

#[test]
fn url_longer_than_the_limit_is_refused() {
    let long = format!("ftp://h/{}", "a".repeat(MAX_URL_LEN));
    assert_eq!(
        FtpUrl::parse(&long),
        Err(UrlError::Syntax(SyntaxError::TooLong))
    );
}

#[test]
fn display_and_debug_mask_the_password() {
    let url = FtpUrl::parse("ftp://alice:hunter2@h:2121/pub/a.txt;type=i").unwrap();
    assert_eq!(url.to_string(), "ftp://alice:****@h:2121/pub/a.txt;type=i");
    for shown in [format!("{url:?}"), format!("{url:#?}")] {
        assert!(shown.contains("\"****\""), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

#[test]
fn display_percent_encodes_non_ascii_bytes_and_round_trips() {
    for input in [
        "ftp://h/",
        "ftps://[::1]:2121/a%20b/c",
        "ftp://u@h//etc/motd",
        "ftp://h/a%3Bb;type=d",
        "ftp://j%E9@h/caf%E9/%2Fx",
    ] {
        assert_eq!(FtpUrl::parse(input).unwrap().to_string(), input);
    }
}

#[test]
fn surrounding_whitespace_is_ignored() {
    let url = FtpUrl::parse("  ftp://h/a\n").unwrap();
    assert_eq!(url.path(), b"a");
}

#[test]
fn percent_decode_handles_every_edge() {
    assert_eq!(percent_decode(b"%41%4a%4A"), b"AJJ");
    assert_eq!(percent_decode(b"%"), b"%");
    assert_eq!(percent_decode(b"%G1"), b"%G1");
    assert_eq!(percent_decode(b"a%2"), b"a%2");
    assert_eq!(percent_decode(b"%%41"), b"%A");
}
