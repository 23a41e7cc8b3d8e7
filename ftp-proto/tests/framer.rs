//! Reply framing vectors. Each is fed whole, byte by byte, and split in two at every offset;
//! every feeding must give the same frames and leave the same number of bytes buffered.

use ftp_proto::{FrameError, FramerLimits, Reply, ReplyCode, ReplyFramer};

/// One expected frame: a reply's code and lines, or an error.
type Frame = Result<(u16, Vec<Vec<u8>>), FrameError>;

fn r(code: u16, lines: &[&str]) -> Frame {
    Ok((code, lines.iter().map(|l| l.as_bytes().to_vec()).collect()))
}

fn rb(code: u16, lines: &[&[u8]]) -> Frame {
    Ok((code, lines.iter().map(|l| l.to_vec()).collect()))
}

fn line_too_long(limit: usize) -> Frame {
    Err(FrameError::LineTooLong { limit })
}

fn reply_too_long(limit: usize) -> Frame {
    Err(FrameError::ReplyTooLong { limit })
}

fn invalid(line: &str) -> Frame {
    Err(FrameError::InvalidReplyLine {
        line: line.as_bytes().to_vec(),
    })
}

fn simplify(frame: Result<Reply, FrameError>) -> Frame {
    frame.map(|r| (r.code().as_u16(), r.lines().map(<[u8]>::to_vec).collect()))
}

fn feed(limits: FramerLimits, chunks: &[&[u8]]) -> (Vec<Frame>, usize) {
    let mut framer = ReplyFramer::new(limits);
    let mut got = Vec::new();
    for chunk in chunks {
        framer.push(chunk);
        got.extend(std::iter::from_fn(|| framer.next_reply()).map(simplify));
    }
    (got, framer.buffered_len())
}

/// Feeds `input` whole, byte by byte and split at every offset.
fn check_with(limits: FramerLimits, input: &[u8], want: &[Frame], rest: usize) {
    let whole = feed(limits, &[input]);
    assert_eq!(whole, (want.to_vec(), rest), "fed whole");
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(feed(limits, &bytes), whole, "fed byte by byte");
    for split in 0..=input.len() {
        assert_eq!(
            feed(limits, &[&input[..split], &input[split..]]),
            whole,
            "split at {split}"
        );
    }
}

fn check(input: &[u8], want: &[Frame]) {
    check_with(FramerLimits::default(), input, want, 0);
}

macro_rules! vectors {
    ($($name:ident: $input:expr => [$($want:expr),* $(,)?];)*) => {$(
        #[test]
        fn $name() {
            check($input, &[$($want),*]);
        }
    )*};
}

vectors! {
    single_line_reply_with_crlf: b"200 Command okay.\r\n" => [r(200, &["200 Command okay."])];
    single_line_reply_with_bare_lf: b"200 Command okay.\n" => [r(200, &["200 Command okay."])];
    reply_line_of_only_the_code: b"200\r\n" => [r(200, &["200"])];
    two_replies_back_to_back: b"331 Password required\r\n230 Logged in\r\n" =>
        [r(331, &["331 Password required"]), r(230, &["230 Logged in"])];
    unknown_code_kept_with_its_class: b"299 Whatever\r\n" => [r(299, &["299 Whatever"])];
    multiline_reply_rfc959: b"123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123 The last line\r\n" =>
        [r(123, &["123-First line", "Second line", "  234 A line beginning with numbers", "123 The last line"])];
    multiline_reply_with_mixed_line_ends: b"211-a\n b\r\n211 c\n" => [r(211, &["211-a", " b", "211 c"])];
    multiline_continuation_starting_with_digits: b"211-Status\r\n2110 files\r\n12345\r\n211\t tab\r\n211 End\r\n" =>
        [r(211, &["211-Status", "2110 files", "12345", "211\t tab", "211 End"])];
    multiline_continuation_with_same_code_and_dash: b"250-Begin\r\n250-more\r\n250 End\r\n" =>
        [r(250, &["250-Begin", "250-more", "250 End"])];
    multiline_continuation_with_other_code_and_dash: b"150-x\r\n226-still going\r\n150 done\r\n" =>
        [r(150, &["150-x", "226-still going", "150 done"])];
    multiline_ends_at_bare_code_line: b"211-a\r\n211\r\n" => [r(211, &["211-a", "211"])];
    multiline_bare_other_code_continues: b"211-a\r\n226\r\n211 End\r\n" => [r(211, &["211-a", "226", "211 End"])];
    multiline_invalid_code_with_space_continues: b"211-a\r\n999 x\r\n600 y\r\n099 z\r\n211 End\r\n" =>
        [r(211, &["211-a", "999 x", "600 y", "099 z", "211 End"])];
    multiline_padded_code_continues: b"211-a\r\n 226 padded\r\n211 End\r\n" => [r(211, &["211-a", " 226 padded", "211 End"])];
    multiline_empty_continuation_line: b"211-a\r\n\r\n211 End\r\n" => [r(211, &["211-a", "", "211 End"])];
    glftpd_last_line_with_other_code_ends_reply: b"150-Opening BINARY mode\r\n226 Transfer complete\r\n200 next\r\n" =>
        [r(150, &["150-Opening BINARY mode", "226 Transfer complete"]), r(200, &["200 next"])];
    glftpd_rule_misfires_on_unpadded_continuation_as_documented: b"211-Status\r\n200 bytes free\r\n211 End\r\n" =>
        [r(211, &["211-Status", "200 bytes free"]), r(211, &["211 End"])];
    lone_cr_inside_line_is_data: b"200 a\rb\r\n" => [r(200, &["200 a\rb"])];
    cr_before_crlf_is_data: b"200 a\r\r\n" => [r(200, &["200 a\r"])];
    lone_cr_at_line_end_with_bare_lf_is_line_end: b"200 a\r\n" => [r(200, &["200 a"])];
    nul_byte_in_text_is_data: b"200 a\0b\r\n" => [rb(200, &[b"200 a\0b"])];
    non_utf8_text_kept_as_bytes: b"550 caf\xe9.bin: No such file\r\n" => [rb(550, &[b"550 caf\xe9.bin: No such file"])];
    text_line_instead_of_reply_is_invalid: b"hello\r\n200 OK\r\n" => [invalid("hello"), r(200, &["200 OK"])];
    code_with_first_digit_6_is_invalid: b"600 x\r\n" => [invalid("600 x")];
    code_with_first_digit_0_is_invalid: b"099 x\r\n" => [invalid("099 x")];
    two_digit_code_is_invalid: b"20 OK\r\n" => [invalid("20 OK")];
    code_followed_by_letter_is_invalid: b"200OK\r\n" => [invalid("200OK")];
    code_with_letter_is_invalid: b"2x0 OK\r\n" => [invalid("2x0 OK")];
    leading_space_before_code_is_invalid: b" 200 OK\r\n" => [invalid(" 200 OK")];
    http_response_is_invalid_line_by_line: b"HTTP/1.1 400 Bad Request\r\nServer: x\r\n" =>
        [invalid("HTTP/1.1 400 Bad Request"), invalid("Server: x")];
    ftp_200_where_250_was_due_is_framed_like_any_reply: b"200 CWD ok\r\n" => [r(200, &["200 CWD ok"])];
}

#[test]
fn blank_line_between_replies_skipped_but_counted_as_buffered() {
    check_with(
        FramerLimits::default(),
        b"\r\n200 OK\r\n\n\r\n",
        &[r(200, &["200 OK"])],
        3,
    );
}

#[test]
fn incomplete_line_stays_buffered() {
    check_with(
        FramerLimits::default(),
        b"200 OK\r\n230 Lo",
        &[r(200, &["200 OK"])],
        6,
    );
}

#[test]
fn incomplete_multiline_reply_stays_buffered() {
    check_with(FramerLimits::default(), b"211-a\r\n b\r\n", &[], 11);
}

#[test]
fn bytes_after_234_are_counted_for_injection_check() {
    let mut framer = ReplyFramer::default();
    framer.push(b"234 AUTH TLS OK\r\n220 injected\r\n");
    assert_eq!(
        framer.next_reply().unwrap().unwrap().code(),
        ReplyCode::AUTH_OK
    );
    assert_eq!(framer.buffered_len(), 14);
    let mut clean = ReplyFramer::default();
    clean.push(b"234 AUTH TLS OK\r\n");
    assert_eq!(
        clean.next_reply().unwrap().unwrap().code(),
        ReplyCode::AUTH_OK
    );
    assert_eq!(clean.buffered_len(), 0);
}

#[test]
fn greeting_of_220_lines_is_one_reply() {
    let mut input = Vec::new();
    let mut lines = Vec::new();
    for i in 0..219 {
        let line = format!("220-Welcome line {i}: 220 times the rules of this server");
        input.extend_from_slice(line.as_bytes());
        input.extend_from_slice(b"\r\n");
        lines.push(line);
    }
    input.extend_from_slice(b"220 Ready\r\n");
    lines.push("220 Ready".to_owned());
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    check(&input, &[r(220, &lines)]);
}

fn long_line_input(len: usize) -> Vec<u8> {
    let mut input = b"200 ".to_vec();
    input.resize(len, b'x');
    input.extend_from_slice(b"\r\n200 OK\r\n");
    input
}

#[test]
fn line_of_17_kib_over_default_limit_is_error_then_next_reply() {
    check(
        &long_line_input(17 * 1024),
        &[line_too_long(8192), r(200, &["200 OK"])],
    );
}

#[test]
fn line_of_17_kib_accepted_with_raised_limit() {
    let input = long_line_input(17 * 1024);
    let limits = FramerLimits {
        max_line_len: 32 * 1024,
        ..FramerLimits::default()
    };
    let line = String::from_utf8(input[..17 * 1024].to_vec()).unwrap();
    check_with(limits, &input, &[r(200, &[&line]), r(200, &["200 OK"])], 0);
}

fn small(max_line_len: usize, max_reply_len: usize) -> FramerLimits {
    FramerLimits {
        max_line_len,
        max_reply_len,
    }
}

#[test]
fn line_of_exactly_the_limit_is_accepted_with_crlf_and_lf() {
    check_with(
        small(8, 100),
        b"200 abcd\r\n200 abcd\n",
        &[r(200, &["200 abcd"]), r(200, &["200 abcd"])],
        0,
    );
}

#[test]
fn line_one_byte_over_the_limit_is_refused() {
    check_with(
        small(8, 100),
        b"200 abcde\r\n200 ok\r\n",
        &[line_too_long(8), r(200, &["200 ok"])],
        0,
    );
    check_with(
        small(8, 100),
        b"200 abcde\n200 ok\n",
        &[line_too_long(8), r(200, &["200 ok"])],
        0,
    );
}

#[test]
fn line_over_the_limit_with_cr_inside_is_refused() {
    check_with(
        small(8, 100),
        b"200 abc\r\r\n200 ok\r\n",
        &[r(200, &["200 abc\r"]), r(200, &["200 ok"])],
        0,
    );
    check_with(
        small(8, 100),
        b"200 abcd\r\r\n200 ok\r\n",
        &[line_too_long(8), r(200, &["200 ok"])],
        0,
    );
}

#[test]
fn long_first_line_of_multiline_reply_skips_the_whole_reply() {
    let mut input = b"220-".to_vec();
    input.extend(std::iter::repeat_n(b'x', 9000));
    input.extend_from_slice(b"\r\n220-more\r\n 220 padded\r\n220 end\r\n200 OK\r\n");
    check(&input, &[line_too_long(8192), r(200, &["200 OK"])]);
}

#[test]
fn long_middle_line_of_multiline_reply_skips_the_whole_reply() {
    let mut input = b"211-a\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'y', 9000));
    input.extend_from_slice(b"\r\n211-b\r\n211 End\r\n200 OK\r\n");
    check(&input, &[line_too_long(8192), r(200, &["200 OK"])]);
}

#[test]
fn long_last_line_of_multiline_reply_still_ends_it() {
    let mut input = b"211-a\r\n211 ".to_vec();
    input.extend(std::iter::repeat_n(b'z', 9000));
    input.extend_from_slice(b"\r\n200 OK\r\n");
    check(&input, &[line_too_long(8192), r(200, &["200 OK"])]);
}

#[test]
fn long_invalid_line_is_reported_with_its_head() {
    let mut input = b"garbage".to_vec();
    input.extend(std::iter::repeat_n(b'g', 100));
    input.extend_from_slice(b"\r\n200 OK\r\n");
    let head = String::from_utf8(input[..64].to_vec()).unwrap();
    check_with(
        small(16, 1000),
        &input,
        &[invalid(&head), r(200, &["200 OK"])],
        0,
    );
}

fn big_status_reply(lines: usize) -> Vec<u8> {
    let mut input = b"211-big\r\n".to_vec();
    for i in 0..lines {
        input.extend_from_slice(
            format!(" line {i:04} of a status reply that goes on and on\r\n").as_bytes(),
        );
    }
    input.extend_from_slice(b"211 End\r\n226 next\r\n");
    input
}

#[test]
fn reply_over_64_kib_is_error_then_next_reply() {
    // 110 KB: fed whole and in chunks of every size from 1 to 64 (every split offset would
    // take minutes in a debug build; the same path is fed at every offset below).
    let input = big_status_reply(2000);
    assert!(input.len() > 100_000);
    let want = (vec![reply_too_long(65536), r(226, &["226 next"])], 0);
    assert_eq!(feed(FramerLimits::default(), &[&input]), want);
    for size in 1..=64 {
        let chunks: Vec<&[u8]> = input.chunks(size).collect();
        assert_eq!(
            feed(FramerLimits::default(), &chunks),
            want,
            "chunks of {size}"
        );
    }
}

#[test]
fn reply_over_a_small_reply_limit_is_error_then_next_reply() {
    check_with(
        small(100, 1000),
        &big_status_reply(30),
        &[reply_too_long(1000), r(226, &["226 next"])],
        0,
    );
}

#[test]
fn reply_of_exactly_the_reply_limit_is_accepted() {
    // 8 + 7 + 9 bytes, line ends counted.
    let input = b"211-ab\r\n b c\r\n211 End\r\n";
    check_with(
        small(100, input.len()),
        input,
        &[r(211, &["211-ab", " b c", "211 End"])],
        0,
    );
    check_with(
        small(100, input.len() - 1),
        input,
        &[reply_too_long(input.len() - 1)],
        0,
    );
}

#[test]
fn first_limit_crossed_is_reported() {
    // The reply limit is crossed inside the second line before its line limit is.
    let input = b"211-abcdef\r\n 123456789012\r\n211 End\r\n";
    check_with(small(10, 20), input, &[reply_too_long(20)], 0);
    // The line limit is crossed first.
    check_with(small(10, 200), input, &[line_too_long(10)], 0);
}

#[test]
fn many_errors_in_a_row_each_reported_once() {
    let input = b"x\r\ny\r\n200 ok\r\nz\r\n";
    check(
        input,
        &[
            invalid("x"),
            invalid("y"),
            r(200, &["200 ok"]),
            invalid("z"),
        ],
    );
}

#[test]
fn replies_reencode_to_what_frames_the_same() {
    let mut framer = ReplyFramer::default();
    framer.push(b"211-a\n b\r\n211 c\r\n");
    let reply = framer.next_reply().unwrap().unwrap();
    let mut wire = Vec::new();
    reply.encode(&mut wire);
    assert_eq!(wire, b"211-a\r\n b\r\n211 c\r\n");
    framer.push(&wire);
    assert_eq!(framer.next_reply().unwrap().unwrap(), reply);
}

#[test]
fn replies_equal_whatever_their_line_ends() {
    let mut a = ReplyFramer::default();
    a.push(b"211-a\n b\n211 c\n");
    let mut b = ReplyFramer::default();
    b.push(b"211-a\r\n b\r\n211 c\r\n");
    let (a, b) = (
        a.next_reply().unwrap().unwrap(),
        b.next_reply().unwrap().unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(a.wire_len(), 15);
    assert_eq!(b.wire_len(), 18);
    assert_eq!(a.to_string(), "211-a\n b\n211 c");
}

#[test]
fn reply_accessors_on_a_framed_multiline_reply() {
    let mut framer = ReplyFramer::default();
    framer.push(b"226-Options: -l \r\n226 2 matches total\r\n");
    let reply = framer.next_reply().unwrap().unwrap();
    assert_eq!(reply.code(), ReplyCode::TRANSFER_COMPLETE);
    assert_eq!(reply.code().class(), ftp_proto::ReplyClass::Completion);
    assert!(reply.is_multiline());
    assert_eq!(
        reply.first_text(),
        b"Options: -l ",
        "the trailing space is kept"
    );
    assert_eq!(reply.text(), b"2 matches total");
    assert_eq!(
        reply.to_text_lossy(),
        "226-Options: -l \n226 2 matches total"
    );
}

#[test]
fn frame_errors_display_the_limit() {
    assert_eq!(
        FrameError::LineTooLong { limit: 8192 }.to_string(),
        "reply line longer than 8192 bytes"
    );
    assert_eq!(
        FrameError::InvalidReplyLine {
            line: b"hello".to_vec()
        }
        .to_string(),
        "not a reply line: \"hello\""
    );
}
