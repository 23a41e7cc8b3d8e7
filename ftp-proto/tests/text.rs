//! The text module: encodings, terminal escaping, ftplib's debug lines, storlines' line rules.

use ftp_proto::client::Credentials;
use ftp_proto::text::{
    DebugPrinter, Encoding, LineEncoder, LineTooLong, escape_bytes_for_terminal,
    escape_for_terminal, py_repr,
};
use ftp_proto::{Reply, ReplyCode};

// ---------------------------------------------------------------- encodings

#[test]
fn utf8_and_latin1_labels_are_known_without_the_feature() {
    for label in ["utf-8", "UTF8", "utf_8"] {
        assert_eq!(Encoding::for_label(label), Some(Encoding::Utf8), "{label}");
    }
    for label in ["latin-1", "latin1", "ISO-8859-1", "iso8859_1", "l1"] {
        assert_eq!(
            Encoding::for_label(label),
            Some(Encoding::Latin1),
            "{label}"
        );
    }
    assert!("no-such-encoding".parse::<Encoding>().is_err());
}

#[test]
fn latin1_round_trips_every_byte() {
    let all: Vec<u8> = (0..=255).collect();
    let text = Encoding::Latin1.decode(&all);
    assert_eq!(Encoding::Latin1.encode(&text).unwrap(), all);
    assert!(Encoding::Latin1.round_trips_every_name());
    assert!(!Encoding::Utf8.round_trips_every_name());
}

#[test]
fn encode_error_names_the_string_the_character_and_its_offset() {
    let err = Encoding::Latin1
        .encode("report-2024€-final.txt")
        .unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("\"report-2024€-final.txt\""), "{shown}");
    assert!(shown.contains("U+20AC"), "{shown}");
    assert!(shown.contains("byte offset 11"), "{shown}");
    assert_eq!(err.character(), Some((11, '€')));
    assert_eq!(err.text(), Some("report-2024€-final.txt"));
}

#[test]
fn encode_error_shows_control_characters_of_the_string_escaped() {
    let err = Encoding::Latin1.encode("\u{1b}]0;x\u{7}€").unwrap_err();
    let shown = err.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
}

#[test]
fn secret_encode_error_has_no_text_and_no_character() {
    let err = Encoding::Latin1.encode_secret("hunter2€").unwrap_err();
    assert_eq!(err.text(), None);
    assert_eq!(err.character(), None);
}

#[test]
fn password_that_cannot_be_encoded_is_reported_without_its_text() {
    let err = Credentials::encoded("alice", "hunter2€", "", Encoding::Latin1).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains('€'), "{shown}");
    assert!(!shown.contains("20AC"), "{shown}");
    assert!(shown.contains("password or account"), "{shown}");
}

#[test]
fn account_that_cannot_be_encoded_is_reported_without_its_text() {
    let err = Credentials::encoded("alice", "pw", "dépt€42", Encoding::Latin1).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("pt€42") && !shown.contains("dépt"),
        "{shown}"
    );
}

#[test]
fn encoded_credentials_apply_ftplib_defaults() {
    let c = Credentials::encoded("", "-", "", Encoding::Latin1).unwrap();
    assert_eq!(c.user.as_bytes(), b"anonymous");
    assert_eq!(c.password.expose(), b"-anonymous@");
    assert!(c.acct.is_none());
    let c = Credentials::encoded("rené", "naïve", "compté", Encoding::Latin1).unwrap();
    assert_eq!(c.user.as_bytes(), b"ren\xe9");
    assert_eq!(c.password.expose(), b"na\xefve");
    assert_eq!(c.acct.unwrap().as_bytes(), b"compt\xe9");
}

#[test]
fn encoded_argument_with_line_break_is_refused() {
    assert!(Encoding::Latin1.arg("a\r\nDELE b").is_err());
    assert!(Credentials::encoded("alice", "pw\nDELE x", "", Encoding::Utf8).is_err());
}

#[cfg(feature = "encodings")]
mod whatwg {
    use super::*;

    /// (label, text, bytes in that encoding): real names as servers in those locales hold them.
    const NAMES: &[(&str, &str, &[u8])] = &[
        ("cp1251", "Привет.txt", b"\xcf\xf0\xe8\xe2\xe5\xf2.txt"),
        ("windows-1251", "Звіт", b"\xc7\xe2\xb3\xf2"),
        ("koi8-u", "Звіт", b"\xfa\xd7\xa6\xd4"),
        ("KOI8_U", "ґанок", b"\xad\xc1\xce\xcf\xcb"),
        ("gbk", "中文", b"\xd6\xd0\xce\xc4"),
        ("gb18030", "中文€", b"\xd6\xd0\xce\xc4\xa2\xe3"),
        ("big5", "中文", b"\xa4\xa4\xa4\xe5"),
        ("shift_jis", "日本語", b"\x93\xfa\x96\x7b\x8c\xea"),
        ("cp932", "ファイル", b"\x83\x74\x83\x40\x83\x43\x83\x8b"),
        ("euc-kr", "한국", b"\xc7\xd1\xb1\xb9"),
        ("euc_jp", "日本", b"\xc6\xfc\xcb\xdc"),
    ];

    #[test]
    fn whatwg_names_encode_and_decode_to_the_expected_bytes() {
        for &(label, text, bytes) in NAMES {
            let enc: Encoding = label.parse().unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(enc.encode(text).unwrap(), bytes, "{label} encode");
            assert_eq!(enc.decode(bytes), text, "{label} decode");
        }
    }

    #[test]
    fn whatwg_canonical_names() {
        for (label, name) in [
            ("cp1251", "windows-1251"),
            ("koi8_u", "KOI8-U"),
            ("gbk", "GBK"),
            ("GB18030", "gb18030"),
            ("big5", "Big5"),
            ("sjis", "Shift_JIS"),
            ("cp936", "GBK"),
            ("cp1252", "windows-1252"),
        ] {
            assert_eq!(Encoding::for_label(label).unwrap().name(), name, "{label}");
        }
    }

    #[test]
    fn utf16_and_replacement_labels_are_refused() {
        for label in [
            "utf-16",
            "utf-16le",
            "UTF-16BE",
            "iso-2022-kr",
            "replacement",
        ] {
            assert_eq!(Encoding::for_label(label), None, "{label}");
        }
    }

    #[test]
    fn whatwg_unmappable_character_is_an_error_not_a_numeric_reference() {
        let koi8u = Encoding::for_label("koi8-u").unwrap();
        let err = koi8u.encode("Звіт中").unwrap_err();
        assert_eq!(err.character(), Some((8, '中')));
        let err = Credentials::encoded("user", "пароль中", "", koi8u).unwrap_err();
        assert!(!err.to_string().contains("пароль"));
    }

    /// Fuzz crash dc6b938f (text target): GB18030 encodes the private-use U+E78F as the bytes
    /// of U+FE11, so the text does not round-trip; the bytes do, and names are kept as bytes.
    #[test]
    fn gb18030_private_use_character_round_trips_as_bytes_fuzz_crash_dc6b938f() {
        let gb18030 = Encoding::for_label("gb18030").unwrap();
        let bytes = gb18030.encode("\u{e78f}").unwrap();
        let text = gb18030.decode(&bytes);
        assert_ne!(text, "\u{e78f}");
        assert_eq!(gb18030.encode(&text).unwrap(), bytes);
    }

    #[test]
    fn undecodable_bytes_become_replacement_characters() {
        let sjis = Encoding::for_label("shift_jis").unwrap();
        assert_eq!(sjis.decode(b"ok\x82"), "ok\u{fffd}");
    }
}

#[cfg(not(feature = "encodings"))]
#[test]
fn whatwg_labels_need_the_feature() {
    let err = "cp1251".parse::<Encoding>().unwrap_err();
    assert!(err.to_string().contains("`encodings` feature"));
}

// ---------------------------------------------------------------- terminal escaping

macro_rules! escape_vectors {
    ($($name:ident: $input:expr => $expected:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(escape_for_terminal($input), $expected);
            // The byte form agrees on valid UTF-8.
            assert_eq!(escape_bytes_for_terminal($input.as_bytes()), $expected);
        }
    )*};
}

escape_vectors! {
    escape_keeps_plain_names: "Report 2024 (final).txt" => "Report 2024 (final).txt";
    escape_keeps_non_ascii_letters: "Звіт 中文 café" => "Звіт 中文 café";
    escape_osc_window_title: "\u{1b}]0;pwned\u{7}" => "\\x1b]0;pwned\\x07";
    escape_csi_cursor_up: "name\u{1b}[1A\u{1b}[2K" => "name\\x1b[1A\\x1b[2K";
    escape_c1_csi_and_osc: "\u{9b}1A\u{9d}0;t\u{9c}" => "\\x9b1A\\x9d0;t\\x9c";
    escape_del_and_backspace: "ab\u{7f}\u{8}" => "ab\\x7f\\x08";
    escape_line_breaks_and_tab: "a\r\nb\tc" => "a\\r\\nb\\tc";
    escape_nul: "a\u{0}b" => "a\\x00b";
    escape_bidi_override: "txt.\u{202e}exe" => "txt.\\u202eexe";
    escape_zero_width_space: "a\u{200b}b" => "a\\u200bb";
    escape_keeps_backslash: "C:\\dir" => "C:\\dir";
}

#[test]
fn escape_raw_c1_and_invalid_bytes_as_hex() {
    assert_eq!(
        escape_bytes_for_terminal(b"\x9b1A \xff\xfe \x1b[2J"),
        "\\x9b1A \\xff\\xfe \\x1b[2J"
    );
}

#[test]
fn escape_output_never_holds_a_control_character() {
    for b in 0u8..=255 {
        for input in [vec![b], vec![b'a', b, b'z']] {
            let shown = escape_bytes_for_terminal(&input);
            assert!(
                !shown.chars().any(|c| c.is_control()),
                "byte {b:#04x}: {shown:?}"
            );
        }
    }
    for c in (0u32..0x3000).filter_map(char::from_u32) {
        let s = c.to_string();
        let shown = escape_for_terminal(&s);
        assert!(!shown.chars().any(|c| c.is_control()), "{c:?}: {shown:?}");
    }
}

// ---------------------------------------------------------------- debug printer

#[test]
fn py_repr_matches_python() {
    // Values from Python 3.13's repr().
    assert_eq!(py_repr("USER anonymous"), "'USER anonymous'");
    assert_eq!(py_repr("200 I did nothing'."), "\"200 I did nothing'.\"");
    assert_eq!(py_repr("say \"hi\" it's"), "'say \"hi\" it\\'s'");
    assert_eq!(py_repr("a\\b"), "'a\\\\b'");
    assert_eq!(py_repr("a\u{1}b\u{85}"), "'a\\x01b\\x85'");
}

#[test]
fn debug_level_0_prints_nothing() {
    let p = DebugPrinter::new(0, Encoding::Utf8);
    assert!(p.command(b"USER a\r\n").is_empty());
    assert!(p.reply(&Reply::single(ReplyCode::OK, "ok")).is_empty());
    assert!(p.welcome(&Reply::single(ReplyCode::READY, "hi")).is_none());
}

#[test]
fn debug_level_1_prints_cmd_and_resp() {
    let p = DebugPrinter::new(1, Encoding::Utf8);
    assert_eq!(p.command(b"USER alice\r\n"), ["*cmd* 'USER alice'"]);
    let reply = Reply::from_lines(
        ReplyCode::FEATURES,
        vec![
            b"211-Features:".to_vec(),
            b" MDTM".to_vec(),
            b"211 End".to_vec(),
        ],
    );
    assert_eq!(
        p.reply(&reply),
        ["*resp* '211-Features:\\n MDTM\\n211 End'"]
    );
    assert_eq!(
        p.welcome(&Reply::single(ReplyCode::READY, "hi")).unwrap(),
        "*welcome* '220 hi'"
    );
}

#[test]
fn debug_level_2_prints_put_and_get_lines() {
    let p = DebugPrinter::new(2, Encoding::Utf8);
    assert_eq!(
        p.command(b"CWD /pub"),
        ["*cmd* 'CWD /pub'", "*put* 'CWD /pub\\r\\n'"]
    );
    let reply = Reply::from_lines(
        ReplyCode::FEATURES,
        vec![b"211-Features:".to_vec(), b"211 End".to_vec()],
    );
    assert_eq!(
        p.reply(&reply),
        [
            "*get* '211-Features:\\n'",
            "*get* '211 End\\n'",
            "*resp* '211-Features:\\n211 End'"
        ]
    );
}

#[test]
fn debug_masks_pass_and_acct_in_any_case() {
    let p = DebugPrinter::new(2, Encoding::Utf8);
    for (line, shown) in [
        (&b"PASS hunter2\r\n"[..], "PASS ****"),
        (b"pass hunter2", "pass ****"),
        (b"ACCT budget", "ACCT ****"),
        (b"acct budget\r\n", "acct ****"),
        (b"PASS ", "PASS ****"),
    ] {
        let lines = p.command(line);
        assert_eq!(lines[0], format!("*cmd* '{shown}'"));
        assert_eq!(lines[1], format!("*put* '{shown}\\r\\n'"));
        assert!(!lines.concat().contains("hunter2") && !lines.concat().contains("budget"));
    }
    // A file named like a command is not masked.
    assert_eq!(p.sanitize(b"RETR PASS x"), "RETR PASS x");
}

#[test]
fn debug_escapes_c0_c1_and_del_in_replies() {
    let p = DebugPrinter::new(2, Encoding::Latin1);
    // Latin-1 decodes 0x9b to U+009B (CSI): escaped, never printed raw.
    let reply = Reply::single(ReplyCode::OK, b"ok \x9b2J \x1b]0;t\x07 \x7f".as_slice());
    let lines = p.reply(&reply);
    assert_eq!(lines[0], "*get* '200 ok \\x9b2J \\x1b]0;t\\x07 \\x7f\\n'");
    assert_eq!(lines[1], "*resp* '200 ok \\x9b2J \\x1b]0;t\\x07 \\x7f'");
    for line in lines {
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
}

#[test]
fn debug_decodes_with_the_session_encoding() {
    let p = DebugPrinter::new(1, Encoding::Latin1);
    assert_eq!(p.command(b"RETR caf\xe9"), ["*cmd* 'RETR café'"]);
    let p = DebugPrinter::new(1, Encoding::Utf8);
    assert_eq!(p.command(b"RETR caf\xe9"), ["*cmd* 'RETR caf\u{fffd}'"]);
}

// ---------------------------------------------------------------- storlines line encoder

/// Encodes `input` fed in chunks of `chunk` bytes, returning the lines one by one.
fn encode_chunked(input: &[u8], chunk: usize, max: usize) -> Result<Vec<Vec<u8>>, LineTooLong> {
    let mut encoder = LineEncoder::new(max);
    let mut lines = Vec::new();
    for mut piece in input.chunks(chunk.max(1)) {
        while !piece.is_empty() {
            let mut out = Vec::new();
            let used = encoder.encode(piece, &mut out)?;
            assert!(used > 0);
            piece = &piece[used..];
            if !out.is_empty() {
                lines.push(out);
            }
        }
    }
    let mut out = Vec::new();
    encoder.finish(&mut out);
    if !out.is_empty() {
        lines.push(out);
    }
    Ok(lines)
}

macro_rules! line_vectors {
    ($($name:ident: $input:expr => [$($line:expr),* $(,)?];)*) => {$(
        #[test]
        fn $name() {
            let input: &[u8] = $input;
            let expected: Vec<&[u8]> = vec![$($line),*];
            for chunk in 1..=input.len().max(1) {
                let lines = encode_chunked(input, chunk, 64).unwrap();
                assert_eq!(lines, expected, "chunks of {chunk}");
            }
        }
    )*};
}

line_vectors! {
    lines_lf_becomes_crlf: b"a\nb\n" => [b"a\r\n", b"b\r\n"];
    lines_crlf_stays_crlf: b"a\r\nb\r\n" => [b"a\r\n", b"b\r\n"];
    lines_mixed_endings: b"unix\nwin\r\nlast" => [b"unix\r\n", b"win\r\n", b"last\r\n"];
    lines_last_line_without_end_gets_crlf: b"only" => [b"only\r\n"];
    lines_trailing_cr_at_eof_gets_lf: b"a\nb\r" => [b"a\r\n", b"b\r\n"];
    lines_bare_cr_inside_is_data: b"a\rb\n" => [b"a\rb\r\n"];
    lines_double_cr_before_lf_kept: b"a\r\r\n" => [b"a\r\r\n"];
    lines_empty_lines_kept: b"\n\r\n\n" => [b"\r\n", b"\r\n", b"\r\n"];
    lines_empty_input_sends_nothing: b"" => [];
}

#[test]
fn lines_at_the_limit_pass_and_one_over_fails_before_output() {
    // ftplib counts the input line end: 8 bytes with LF pass a limit of 8.
    let ok = encode_chunked(b"1234567\n", 3, 8).unwrap();
    assert_eq!(ok, [b"1234567\r\n".to_vec()]);
    assert_eq!(
        encode_chunked(b"1234567\r\n", 3, 8),
        Err(LineTooLong { limit: 8, line: 1 })
    );
    // The last line without an end counts only its bytes.
    assert!(encode_chunked(b"12345678", 3, 8).is_ok());
    assert_eq!(
        encode_chunked(b"ok\n123456789", 4, 8),
        Err(LineTooLong { limit: 8, line: 2 })
    );
}

#[test]
fn lines_endless_line_is_refused_in_bounded_memory() {
    let mut encoder = LineEncoder::new(1024);
    let chunk = [b'x'; 100];
    let mut out = Vec::new();
    let mut fed = 0usize;
    let err = loop {
        match encoder.encode(&chunk, &mut out) {
            Ok(n) => fed += n,
            Err(e) => break e,
        }
        assert!(fed <= 1024);
    };
    assert_eq!(
        err,
        LineTooLong {
            limit: 1024,
            line: 1
        }
    );
    assert!(out.is_empty());
}
