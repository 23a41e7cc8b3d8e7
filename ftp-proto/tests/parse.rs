//! Reply parser vectors: each reply is given as wire bytes, framed (whole and split at every
//! offset, which must agree), then parsed.

use std::net::{Ipv4Addr, SocketAddrV4};

use ftp_proto::parse::{
    parse_feat, parse150, parse213_mdtm, parse213_size, parse227, parse229, parse257,
};
use ftp_proto::{ParseError, Reply, ReplyCode, ReplyFramer, Timestamp};

/// Frames `wire` (one reply) whole and split at every offset.
fn reply(wire: &[u8]) -> Reply {
    let frame = |chunks: &[&[u8]]| {
        let mut framer = ReplyFramer::default();
        for c in chunks {
            framer.push(c);
        }
        let reply = framer.next_reply().expect("a whole reply").expect("framed");
        assert!(framer.next_reply().is_none());
        assert_eq!(framer.buffered_len(), 0);
        reply
    };
    let whole = frame(&[wire]);
    for split in 0..=wire.len() {
        assert_eq!(frame(&[&wire[..split], &wire[split..]]), whole);
    }
    whole
}

macro_rules! vectors {
    ($parser:ident { $($name:ident: $wire:expr => $want:expr;)* }) => {$(
        #[test]
        fn $name() {
            assert_eq!($parser(&reply($wire)), $want);
        }
    )*};
}

fn v4(a: [u8; 4], port: u16) -> Result<SocketAddrV4, ParseError> {
    Ok(SocketAddrV4::new(Ipv4Addr::from(a), port))
}

const OUT_OF_RANGE_TUPLE: ParseError = ParseError::OutOfRange {
    what: "address tuple number",
};

vectors! { parse227 {
    pasv_reply_vsftpd_with_parentheses_and_dot: b"227 Entering Passive Mode (127,0,0,1,156,106).\r\n" => v4([127, 0, 0, 1], 40042);
    pasv_reply_libunftp_without_dot: b"227 Entering Passive Mode (127,0,0,1,199,138)\r\n" => v4([127, 0, 0, 1], 51082);
    pasv_reply_pyftpdlib_lowercase_text: b"227 Entering passive mode (127,0,0,1,158,152).\r\n" => v4([127, 0, 0, 1], 40600);
    pasv_reply_without_parentheses: b"227 Entering Passive Mode 10,1,2,3,4,5\r\n" => v4([10, 1, 2, 3], 1029);
    pasv_reply_with_equals_sign_no_parentheses: b"227 =192,168,0,10,31,64\r\n" => v4([192, 168, 0, 10], 8000);
    pasv_reply_with_spaces_after_commas: b"227 Entering Passive Mode (10, 0, 0, 1, 4, 1)\r\n" => v4([10, 0, 0, 1], 1025);
    pasv_reply_with_leading_zeros: b"227 Entering Passive Mode (010,000,000,001,004,001)\r\n" => v4([10, 0, 0, 1], 1025);
    pasv_reply_after_other_numbers_in_text: b"227 Mode 2 ok (10,0,0,1,4,1)\r\n" => v4([10, 0, 0, 1], 1025);
    pasv_reply_port_zero_is_read: b"227 (10,0,0,1,0,0)\r\n" => v4([10, 0, 0, 1], 0);
    pasv_reply_all_255: b"227 (255,255,255,255,255,255)\r\n" => v4([255, 255, 255, 255], 65535);
    pasv_reply_octet_256_refused: b"227 Entering Passive Mode (127,0,0,256,4,1)\r\n" => Err(OUT_OF_RANGE_TUPLE);
    pasv_reply_port_byte_over_255_refused: b"227 Entering Passive Mode (127,0,0,1,4,300)\r\n" => Err(OUT_OF_RANGE_TUPLE);
    pasv_reply_huge_number_refused_not_wrapped: b"227 (127,0,0,1,4,4294967297)\r\n" => Err(OUT_OF_RANGE_TUPLE);
    pasv_reply_five_numbers_malformed: b"227 Entering Passive Mode (127,0,0,1,4)\r\n" => Err(ParseError::Malformed { what: "address tuple h1,h2,h3,h4,p1,p2" });
    pasv_reply_without_numbers_malformed: b"227 Entering Passive Mode\r\n" => Err(ParseError::Malformed { what: "address tuple h1,h2,h3,h4,p1,p2" });
    pasv_reply_with_wrong_code_refused: b"200 (127,0,0,1,4,1)\r\n" => Err(ParseError::WrongCode { expected: 227, got: ReplyCode::OK });
    pasv_multiline_reply_tuple_on_last_line: b"227-Entering Passive Mode\r\n227 (10,0,0,2,4,1)\r\n" => v4([10, 0, 0, 2], 1025);
    // Item 9: a line between the first and the last carries no code; cutting four bytes off
    // it would read 0.0.1.4 port 261 here.
    pasv_multiline_tuple_on_uncoded_middle_line_read_whole: b"227-Entering Passive Mode\r\n127,0,0,1,4,1 \r\n227 OK\r\n" => v4([127, 0, 0, 1], 1025);
    pasv_multiline_tuple_in_parentheses_on_middle_line: b"227-Entering Passive Mode\r\n(10,0,0,3,4,2)\r\n227 End\r\n" => v4([10, 0, 0, 3], 1026);
    pasv_multiline_tuple_on_indented_middle_line: b"227-Passive\r\n  =10,0,0,4,4,3\r\n227 End\r\n" => v4([10, 0, 0, 4], 1027);
    pasv_multiline_middle_line_repeating_code_is_stripped: b"227-Passive\r\n227-(10,0,0,5,4,4)\r\n227 End\r\n" => v4([10, 0, 0, 5], 1028);
}}

const PORT_RANGE: ParseError = ParseError::OutOfRange { what: "port" };
const NO_EPSV: ParseError = ParseError::Malformed {
    what: "EPSV field (|||port|)",
};

vectors! { parse229 {
    epsv_multiline_field_on_uncoded_middle_line: b"229-Entering Extended Passive Mode\r\n(|||40000|)\r\n229 End\r\n" => Ok(40000);
    epsv_multiline_field_without_parentheses_on_middle_line: b"229-Extended Passive\r\n|||4000|\r\n229 End\r\n" => Ok(4000);
    epsv_multiline_field_on_last_line: b"229-Extended Passive\r\n229 (|||4001|)\r\n" => Ok(4001);
    epsv_reply_rfc2428_pipes: b"229 Entering Extended Passive Mode (|||40213|)\r\n" => Ok(40213);
    epsv_reply_with_exclamation_delimiter: b"229 Entering Extended Passive Mode (!!!6446!)\r\n" => Ok(6446);
    epsv_reply_with_hash_delimiter: b"229 Entering Extended Passive Mode (###1025#)\r\n" => Ok(1025);
    epsv_reply_with_trailing_dot: b"229 Entering Extended Passive Mode (|||51015|).\r\n" => Ok(51015);
    epsv_reply_without_parentheses: b"229 Entering Extended Passive Mode |||2121|\r\n" => Ok(2121);
    epsv_reply_port_65535: b"229 (|||65535|)\r\n" => Ok(65535);
    epsv_reply_port_zero_refused: b"229 Entering Extended Passive Mode (|||0|)\r\n" => Err(PORT_RANGE);
    epsv_reply_port_65536_refused: b"229 Entering Extended Passive Mode (|||65536|)\r\n" => Err(PORT_RANGE);
    epsv_reply_huge_port_refused: b"229 (|||99999999999999999999|)\r\n" => Err(PORT_RANGE);
    epsv_reply_mixed_delimiters_refused: b"229 Entering Extended Passive Mode (|!|6446|)\r\n" => Err(NO_EPSV);
    epsv_reply_closing_delimiter_differs_refused: b"229 Entering Extended Passive Mode (|||6446!)\r\n" => Err(NO_EPSV);
    epsv_reply_with_address_fields_refused: b"229 Entering Extended Passive Mode (|1|10.0.0.1|6446|)\r\n" => Err(NO_EPSV);
    epsv_reply_without_port_refused: b"229 Entering Extended Passive Mode (||||)\r\n" => Err(NO_EPSV);
    epsv_reply_with_wrong_code_refused: b"227 (|||6446|)\r\n" => Err(ParseError::WrongCode { expected: 229, got: ReplyCode::ENTERING_PASSIVE });
}}

fn path(p: &[u8]) -> Result<Vec<u8>, ParseError> {
    Ok(p.to_vec())
}

vectors! { parse257 {
    pwd_reply_vsftpd: b"257 \"/capture-vsftpd\" is the current directory\r\n" => path(b"/capture-vsftpd");
    pwd_reply_root_only: b"257 \"/\"\r\n" => path(b"/");
    pwd_reply_without_commentary: b"257 \"/capture-libunftp/listing-samples\"\r\n" => path(b"/capture-libunftp/listing-samples");
    mkd_reply_doubled_quotes_unescaped: b"257 \"/capture-vsftpd/say \"\"hi\"\"\" created\r\n" => path(b"/capture-vsftpd/say \"hi\"");
    mkd_reply_name_ending_in_doubled_quote: b"257 \"/a\"\"\" created\r\n" => path(b"/a\"");
    mkd_reply_name_starting_with_doubled_quote: b"257 \"\"\"a\" created\r\n" => path(b"\"a");
    mkd_reply_pure_ftpd_unescaped_quotes: b"257 \"say \"hi\"\" : The directory was successfully created\r\n" => path(b"say \"hi\"");
    mkd_reply_pure_ftpd_relative_name: b"257 \"newdir\" : The directory was successfully created\r\n" => path(b"newdir");
    mkd_reply_pure_ftpd_name_ending_in_quote: b"257 \"x\"\" : created\r\n" => path(b"x\"");
    mkd_reply_libunftp_unquoted: b"257 /capture-libunftp/newdir\r\n" => path(b"/capture-libunftp/newdir");
    mkd_reply_libunftp_unquoted_with_quotes_in_name: b"257 /capture-libunftp/say \"hi\"\r\n" => path(b"/capture-libunftp/say \"hi\"");
    pwd_reply_latin1_path_kept_as_bytes: b"257 \"/caf\xe9\" is current directory\r\n" => path(b"/caf\xe9");
    pwd_reply_with_spaces_in_path: b"257 \"/a b/ c \" ok\r\n" => path(b"/a b/ c ");
    pwd_reply_empty_quoted_path: b"257 \"\" ok\r\n" => path(b"");
    pwd_reply_extra_space_before_quote: b"257  \"/x\" ok\r\n" => path(b"/x");
    mkd_reply_multiline_reads_first_line: b"257-\"/x\" created\r\n257 done\r\n" => path(b"/x");
    mkd_reply_without_path_malformed: b"257 MKD command successful\r\n" => Err(ParseError::Malformed { what: "quoted path" });
    pwd_reply_unterminated_quote_malformed: b"257 \"/abc\r\n" => Err(ParseError::Malformed { what: "closing quote of the path" });
    pwd_reply_quote_followed_by_letter_only_malformed: b"257 \"/abc\"x\r\n" => Err(ParseError::Malformed { what: "closing quote of the path" });
    pwd_reply_with_wrong_code_refused: b"250 \"/x\"\r\n" => Err(ParseError::WrongCode { expected: 257, got: ReplyCode::FILE_ACTION_OK });
}}

vectors! { parse213_size {
    size_reply_small: b"213 54\r\n" => Ok(54);
    size_multiline_value_on_uncoded_middle_line: b"213-File size follows\r\n1234\r\n213 End\r\n" => Ok(1234);
    size_multiline_value_on_indented_middle_line: b"213-Size\r\n 987654321 \r\n213 End\r\n" => Ok(987_654_321);
    size_multiline_value_on_last_line: b"213-Size of plain.txt\r\n213 54\r\n" => Ok(54);
    size_multiline_value_on_middle_line_with_code: b"213-Size\r\n213-77\r\n213 End\r\n" => Ok(77);
    size_multiline_without_value_malformed: b"213-Size\r\nnot known\r\n213 End\r\n" => Err(ParseError::Malformed { what: "size" });
    size_reply_one_gib: b"213 1073741824\r\n" => Ok(1 << 30);
    size_reply_zero: b"213 0\r\n" => Ok(0);
    size_reply_u64_max: b"213 18446744073709551615\r\n" => Ok(u64::MAX);
    size_reply_with_leading_zeros: b"213 00054\r\n" => Ok(54);
    size_reply_with_surrounding_spaces: b"213  54 \r\n" => Ok(54);
    size_reply_past_u64_refused: b"213 18446744073709551616\r\n" => Err(ParseError::OutOfRange { what: "size" });
    size_reply_far_past_u64_refused: b"213 999999999999999999999999999999\r\n" => Err(ParseError::OutOfRange { what: "size" });
    size_reply_negative_refused: b"213 -1\r\n" => Err(ParseError::Malformed { what: "size" });
    size_reply_with_text_refused: b"213 54 bytes\r\n" => Err(ParseError::Malformed { what: "size" });
    size_reply_empty_refused: b"213 \r\n" => Err(ParseError::Malformed { what: "size" });
    size_reply_550_in_ascii_mode_is_wrong_code: b"550 SIZE not allowed in ASCII mode\r\n" => Err(ParseError::WrongCode { expected: 213, got: ReplyCode::FILE_NOT_FOUND });
}}

fn ts(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8, ns: u32) -> Result<Timestamp, ParseError> {
    Ok(Timestamp::new(y, mo, d, h, mi, s, ns).unwrap())
}

const BAD_DATE: ParseError = ParseError::OutOfRange { what: "date" };
const BAD_TIME_VAL: ParseError = ParseError::Malformed { what: "time-val" };

vectors! { parse213_mdtm {
    mdtm_reply_whole_seconds: b"213 20250615083000\r\n" => ts(2025, 6, 15, 8, 30, 0, 0);
    mdtm_multiline_value_on_uncoded_middle_line: b"213-Modified\r\n20250615083000\r\n213 End\r\n" => ts(2025, 6, 15, 8, 30, 0, 0);
    mdtm_reply_with_milliseconds: b"213 20261122050500.123\r\n" => ts(2026, 11, 22, 5, 5, 0, 123_000_000);
    mdtm_reply_with_one_fraction_digit: b"213 20261122050500.5\r\n" => ts(2026, 11, 22, 5, 5, 0, 500_000_000);
    mdtm_reply_with_nanoseconds: b"213 20261122050500.123456789\r\n" => ts(2026, 11, 22, 5, 5, 0, 123_456_789);
    mdtm_reply_leap_day: b"213 20240229235959\r\n" => ts(2024, 2, 29, 23, 59, 59, 0);
    mdtm_reply_leap_second: b"213 20161231235960\r\n" => ts(2016, 12, 31, 23, 59, 60, 0);
    mdtm_reply_with_trailing_space: b"213 20250615083000 \r\n" => ts(2025, 6, 15, 8, 30, 0, 0);
    mdtm_reply_feb_30_refused: b"213 20250230000000\r\n" => Err(BAD_DATE);
    mdtm_reply_feb_29_non_leap_refused: b"213 20250229000000\r\n" => Err(BAD_DATE);
    mdtm_reply_month_13_refused: b"213 20251301000000\r\n" => Err(BAD_DATE);
    mdtm_reply_hour_24_refused: b"213 20250101240000\r\n" => Err(BAD_DATE);
    mdtm_reply_day_zero_refused: b"213 20250100000000\r\n" => Err(BAD_DATE);
    mdtm_reply_y2k_bug_year_19100_refused: b"213 191000101000000\r\n" => Err(BAD_TIME_VAL);
    mdtm_reply_too_short_refused: b"213 2025061508300\r\n" => Err(BAD_TIME_VAL);
    mdtm_reply_empty_fraction_refused: b"213 20250615083000.\r\n" => Err(BAD_TIME_VAL);
    mdtm_reply_ten_fraction_digits_refused: b"213 20250615083000.1234567890\r\n" => Err(BAD_TIME_VAL);
    mdtm_reply_with_letters_refused: b"213 2025061508300Z\r\n" => Err(BAD_TIME_VAL);
    mdtm_reply_iso_format_refused: b"213 2025-06-15 08:30:00\r\n" => Err(BAD_TIME_VAL);
    mdtm_reply_550_is_wrong_code: b"550 No such file\r\n" => Err(ParseError::WrongCode { expected: 213, got: ReplyCode::FILE_NOT_FOUND });
}}

vectors! { parse150 {
    retr_150_vsftpd_announces_size: b"150 Opening BINARY mode data connection for plain.txt (54 bytes).\r\n" => Some(54);
    retr_150_proftpd_after_rest_announces_remaining: b"150 Opening BINARY mode data connection for plain.txt (44 bytes)\r\n" => Some(44);
    retr_150_one_gib: b"150 Opening BINARY mode data connection for /big.bin (1073741824 bytes).\r\n" => Some(1 << 30);
    retr_150_uppercase_bytes: b"150 Opening (7 BYTES)\r\n" => Some(7);
    retr_150_first_parenthesis_without_size_skipped: b"150 Opening (binary) for f (12 bytes)\r\n" => Some(12);
    retr_150_pure_ftpd_multiline: b"150-Accepted data connection\r\n150 1048576.0 kbytes to download\r\n" => None;
    retr_150_multiline_size_on_uncoded_middle_line: b"150-Opening BINARY mode data connection\r\n(12345678 bytes)\r\n150 Go\r\n" => Some(12_345_678);
    retr_150_multiline_size_at_start_of_middle_line: b"150-Opening\r\nfor f (54 bytes)\r\n150 Go\r\n" => Some(54);
    retr_150_multiline_size_on_last_line: b"150-Accepted data connection\r\n150 Opening (99 bytes)\r\n" => Some(99);
    retr_150_without_size: b"150 Accepted data connection\r\n" => None;
    retr_150_size_past_u64: b"150 Opening (18446744073709551616 bytes)\r\n" => None;
    retr_150_no_space_before_bytes: b"150 Opening (54bytes)\r\n" => None;
    retr_125_pyftpdlib_without_size: b"125 Data connection already open. Transfer starting.\r\n" => None;
    retr_125_with_size: b"125 Data connection already open (99 bytes)\r\n" => Some(99);
    completion_226_with_size_text_is_not_read: b"226 Transfer complete (54 bytes)\r\n" => None;
}}

#[test]
fn feat_reply_pure_ftpd_keeps_params_and_order() {
    let r = reply(b"211-Extensions supported:\r\n UTF8\r\n EPRT\r\n MLST type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;\r\n REST STREAM\r\n AUTH TLS\r\n211 End.\r\n");
    let f = parse_feat(&r).unwrap();
    let names: Vec<&[u8]> = f.iter().map(|(n, _)| n).collect();
    assert_eq!(names, [&b"UTF8"[..], b"EPRT", b"MLST", b"REST", b"AUTH"]);
    assert_eq!(
        f.params("mlst"),
        Some(&b"type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;"[..])
    );
    assert_eq!(f.params("Auth"), Some(&b"TLS"[..]));
    assert_eq!(f.params("EPRT"), Some(&b""[..]));
    assert_eq!(f.params("MLSD"), None);
    assert_eq!(f.len(), 5);
}

#[test]
fn feat_reply_names_case_insensitive() {
    let f = parse_feat(&reply(b"211-Features:\r\n mdtm\r\n Size\r\n211 End\r\n")).unwrap();
    assert!(f.contains("MDTM") && f.contains("size") && f.contains("SIZE"));
    assert_eq!(
        f.iter().next().unwrap().0,
        b"mdtm",
        "the name is kept as sent"
    );
}

#[test]
fn feat_reply_lines_without_leading_space_tolerated() {
    let f = parse_feat(&reply(b"211-Features:\r\nMDTM\r\nSIZE\r\n211 End\r\n")).unwrap();
    assert!(f.contains("MDTM") && f.contains("SIZE"));
}

#[test]
fn feat_reply_blank_lines_and_trailing_spaces_dropped() {
    let f = parse_feat(&reply(b"211-Features:\r\n\r\n  \r\n PASV \r\n211 End\r\n")).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f.params("PASV"), Some(&b""[..]));
}

#[test]
fn feat_reply_single_line_is_empty_set() {
    let f = parse_feat(&reply(b"211 no-features\r\n")).unwrap();
    assert!(f.is_empty());
}

#[test]
fn feat_reply_500_is_wrong_code() {
    assert_eq!(
        parse_feat(&reply(b"500 FEAT not understood\r\n")),
        Err(ParseError::WrongCode {
            expected: 211,
            got: ReplyCode::SYNTAX_ERROR
        })
    );
}

#[test]
fn parse_errors_display_what_was_wrong() {
    assert_eq!(
        ParseError::WrongCode {
            expected: 227,
            got: ReplyCode::OK
        }
        .to_string(),
        "expected a 227 reply, got 200"
    );
    assert_eq!(PORT_RANGE.to_string(), "port out of range");
}

/// Fuzz crash 862f573a (reply_parsers, found by scripts/fuzz.sh while item 9 was new): a
/// one-line 213 reply built from a line without a separator after the code. The first and last
/// lines lose four bytes, as `Reply::text` reads them, so SIZE reads the same value as before.
#[test]
fn size_fuzz_crash_862f573a_line_without_separator_reads_as_reply_text() {
    let reply = Reply::from_lines(ReplyCode::FILE_STATUS, vec![b"21741824".to_vec()]);
    assert_eq!(parse213_size(&reply), Ok(1824));
    assert_eq!(reply.text(), b"1824");
}
