//! Line framing and memory bounds shared by every listing parser: line ends, over-long lines,
//! the end of the data, and reuse.

mod listing_support;

use ftp_proto::listing::{LineSplitter, ListingError, ListingLimits};
use ftp_proto::{ListParser, MlsdParser, NlstParser};
use listing_support::{Lines, PushParser, parse_chunks, parse_every_split};

const SMALL: ListingLimits = ListingLimits { max_line_len: 8 };
const TOO_LONG: ListingError = ListingError::LineTooLong { limit: 8 };

fn lines(data: &[u8], limits: ListingLimits) -> Vec<Result<Vec<u8>, ListingError>> {
    parse_every_split::<Lines>(data, limits)
}

fn ok(s: &[u8]) -> Result<Vec<u8>, ListingError> {
    Ok(s.to_vec())
}

#[test]
fn crlf_and_bare_lf_mixed() {
    assert_eq!(
        lines(b"a\r\nb\nc\r\n", SMALL),
        [ok(b"a"), ok(b"b"), ok(b"c")]
    );
}

#[test]
fn lone_cr_inside_a_line_kept() {
    assert_eq!(lines(b"a\rb\r\n", SMALL), [ok(b"a\rb")]);
}

#[test]
fn only_one_cr_stripped_before_lf() {
    assert_eq!(lines(b"a\r\r\n", SMALL), [ok(b"a\r")]);
}

#[test]
fn last_line_without_eol_returned_by_finish() {
    assert_eq!(lines(b"a\r\nlast", SMALL), [ok(b"a"), ok(b"last")]);
}

#[test]
fn last_line_ending_in_cr_only_has_cr_stripped() {
    assert_eq!(lines(b"a\r\nlast\r", SMALL), [ok(b"a"), ok(b"last")]);
}

#[test]
fn empty_lines_are_lines() {
    assert_eq!(lines(b"\r\n\n\r\n", SMALL), [ok(b""), ok(b""), ok(b"")]);
}

#[test]
fn empty_input_gives_nothing() {
    assert_eq!(lines(b"", SMALL), []);
}

#[test]
fn line_of_exactly_the_limit_accepted_with_crlf_and_lf() {
    assert_eq!(
        lines(b"12345678\r\n12345678\n12345678", SMALL),
        [ok(b"12345678"), ok(b"12345678"), ok(b"12345678")]
    );
}

#[test]
fn line_one_over_the_limit_refused_and_skipped() {
    assert_eq!(
        lines(b"123456789\r\nnext\r\n", SMALL),
        [Err(TOO_LONG), ok(b"next")]
    );
}

#[test]
fn over_long_last_line_without_eol_refused() {
    assert_eq!(lines(b"ok\n123456789", SMALL), [ok(b"ok"), Err(TOO_LONG)]);
}

#[test]
fn over_long_line_reported_once_however_it_is_chunked() {
    let data = [&[b'x'; 100][..], b"\r\nafter\r\n"].concat();
    assert_eq!(lines(&data, SMALL), [Err(TOO_LONG), ok(b"after")]);
}

#[test]
fn several_over_long_lines_between_good_ones() {
    let data = b"a\nxxxxxxxxxxxx\nb\nyyyyyyyyyyyyyyyyyyyy\r\n\nc";
    assert_eq!(
        lines(data, SMALL),
        [
            ok(b"a"),
            Err(TOO_LONG),
            ok(b"b"),
            Err(TOO_LONG),
            ok(b""),
            ok(b"c")
        ]
    );
}

#[test]
fn every_parser_reports_over_long_lines_and_continues() {
    let data = b"type=file; a\r\ntype=file; much-too-long-name\r\ntype=file; b\r\n";
    let limits = ListingLimits { max_line_len: 16 };
    let mlsd = parse_every_split::<MlsdParser>(data, limits);
    let names: Vec<_> = mlsd
        .iter()
        .map(|r| r.clone().map(|e| e.name().to_vec()))
        .collect();
    let too_long = ListingError::LineTooLong { limit: 16 };
    assert_eq!(names, [ok(b"a"), Err(too_long.clone()), ok(b"b")]);
    let nlst = parse_every_split::<NlstParser>(b"a\nmuch-too-long-name-here\nb", limits);
    assert_eq!(nlst, [ok(b"a"), Err(too_long.clone()), ok(b"b")]);
    let list = parse_every_split::<ListParser>(b"x\nmuch-too-long-name-here\ny", limits);
    let raws: Vec<_> = list
        .iter()
        .map(|r| r.clone().map(|e| e.raw().to_vec()))
        .collect();
    assert_eq!(raws, [ok(b"x"), Err(too_long), ok(b"y")]);
}

#[test]
fn huge_line_streamed_in_chunks_never_held() {
    // 64 MiB of one line in 64 KiB chunks, then a normal line: the splitter holds at most the
    // limit plus a chunk at any time, reports the long line once, and then goes on.
    let limits = ListingLimits { max_line_len: 1024 };
    let mut splitter = LineSplitter::new(limits);
    let chunk = vec![b'z'; 64 * 1024];
    let mut errors = 0;
    for _ in 0..1024 {
        splitter.push(&chunk);
        assert!(splitter.buffered_len() <= limits.max_line_len + 1 + chunk.len());
        while let Some(line) = splitter.next_line() {
            assert_eq!(line, Err(ListingError::LineTooLong { limit: 1024 }));
            errors += 1;
        }
        assert!(splitter.buffered_len() <= limits.max_line_len + 1);
    }
    splitter.push(b"zzz\r\nnext line\r\n");
    assert_eq!(splitter.next_line(), Some(Ok(&b"next line"[..])));
    assert_eq!(splitter.next_line(), None);
    assert_eq!(errors, 1);
}

#[test]
fn partial_line_with_trailing_cr_held_until_lf() {
    // 8 bytes and a CR: still within the limit if an LF follows.
    let mut s = LineSplitter::new(SMALL);
    s.push(b"12345678\r");
    assert_eq!(s.next_line(), None);
    assert_eq!(s.buffered_len(), 9);
    s.push(b"\n");
    assert_eq!(s.next_line(), Some(Ok(&b"12345678"[..])));
}

#[test]
fn many_lines_in_one_push_all_come_out() {
    let data: Vec<u8> = (0..1000)
        .flat_map(|i| format!("name-{i}\r\n").into_bytes())
        .collect();
    let names = parse_chunks::<NlstParser>(&[&data], ListingLimits::default());
    assert_eq!(names.len(), 1000);
    assert_eq!(names[999], ok(b"name-999"));
}

#[test]
fn finish_can_be_called_before_draining() {
    let mut p = NlstParser::new(ListingLimits::default());
    p.push(b"a\r\nb\r\nc");
    assert_eq!(p.finish(), Some(ok(b"a")));
    assert_eq!(p.finish(), Some(ok(b"b")));
    assert_eq!(p.finish(), Some(ok(b"c")));
    assert_eq!(p.finish(), None);
    assert_eq!(p.next_entry(), None);
}

#[test]
fn push_after_finish_starts_a_new_listing() {
    let mut p = NlstParser::new(ListingLimits::default());
    p.push(b"old");
    assert_eq!(p.finish(), Some(ok(b"old")));
    assert_eq!(p.finish(), None);
    p.push(b"new\r\n");
    assert_eq!(p.next_entry(), Some(ok(b"new")));
    assert_eq!(p.next_entry(), None);
}

#[test]
fn reset_drops_a_partial_line_and_a_skip_in_progress() {
    let mut s = LineSplitter::new(SMALL);
    s.push(b"123456789012");
    assert_eq!(s.next_line(), Some(Err(TOO_LONG)));
    s.reset();
    s.push(b"fresh\n");
    assert_eq!(s.next_line(), Some(Ok(&b"fresh"[..])));
    s.push(b"partial");
    s.reset();
    assert_eq!(s.buffered_len(), 0);
    assert_eq!(s.finish(), None);
}

#[test]
fn limits_reported_back() {
    assert_eq!(LineSplitter::new(SMALL).limits(), SMALL);
}

#[test]
fn buffer_stays_bounded_when_drained_after_every_push() {
    // A long listing fed in odd-sized chunks: what is held never exceeds a line plus a chunk.
    let limits = ListingLimits { max_line_len: 80 };
    let line = b"type=file;size=54;modify=20261122050528; some name.txt\r\n";
    let data: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(line.len() * 500)
        .collect();
    let mut p = MlsdParser::create(limits);
    let mut count = 0;
    for chunk in data.chunks(37) {
        p.push_bytes(chunk);
        assert!(p.held() <= 81 + chunk.len());
        while let Some(e) = p.next() {
            assert_eq!(e.unwrap().name(), b"some name.txt");
            count += 1;
        }
        assert!(p.held() < line.len());
    }
    assert!(p.end().is_none());
    assert_eq!(count, 500);
}

/// Fact positions are indexed as 16-bit offsets; a fact lying past 64 KiB into the line (only
/// possible with a raised line limit) must still be found, by scanning instead.
#[test]
fn mlsd_facts_past_64_kib_into_the_line_are_found_by_scanning() {
    let mut line = b"x.pad=".to_vec();
    line.extend(std::iter::repeat_n(b'a', 70_000));
    line.extend_from_slice(b";Size=54;modify=20250615083000;type=file; big name.txt\r\n");
    let mut parser = MlsdParser::new(ListingLimits {
        max_line_len: 128 * 1024,
    });
    parser.push(&line);
    let entry = parser.next_entry().unwrap().unwrap();
    assert_eq!(entry.name(), b"big name.txt");
    assert_eq!(entry.facts().size(), Some(54));
    assert_eq!(entry.facts().get("TYPE"), Some(&b"file"[..]));
    assert_eq!(entry.facts().modify().unwrap().year(), 2025);
    assert_eq!(entry.facts().get("x.pad").map(<[u8]>::len), Some(70_000));
    let keys: Vec<&str> = entry.facts().iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["x.pad", "size", "modify", "type"]);
}
