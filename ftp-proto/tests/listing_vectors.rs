//! Table-driven vectors for every listing format and oddity. Each vector is one line; it is
//! fed through the push parser with `\r\n`, with a bare `\n` and with no line end at all, each
//! split at every byte offset, and through the one-line entry point.

mod listing_support;

use ftp_proto::listing::{
    DosEntry, EntryType, ListingError, ListingLimits, UnixEntry, parse_list_line, parse_mlsd_line,
};
use ftp_proto::{
    ListEntry, ListParser, ListTimestamp, MlsdEntry, MlsdParser, NlstParser, Timestamp,
};
use listing_support::{PushParser, parse_every_split};

/// Feeds `line` with each line ending, in every chunking, and returns the single item each
/// gives (asserting they agree).
fn single<P: PushParser>(line: &[u8]) -> Option<Result<P::Item, ListingError>> {
    let mut results = Vec::new();
    for eol in [&b"\r\n"[..], b"\n", b""] {
        let data = [line, eol].concat();
        let mut items = parse_every_split::<P>(&data, ListingLimits::default());
        assert!(items.len() <= 1, "{items:?}");
        results.push(items.pop());
    }
    assert_eq!(results[0], results[1], "CRLF and LF differ");
    assert_eq!(results[0], results[2], "with and without a line end differ");
    results.pop().unwrap()
}

fn list_entry(line: &[u8]) -> Option<ListEntry> {
    let streamed = single::<ListParser>(line).map(|r| r.unwrap());
    assert_eq!(streamed, parse_list_line(line));
    if let Some(e) = &streamed {
        assert_eq!(e.raw(), line);
    }
    streamed
}

/// Everything a Unix line says, for comparing in one assertion.
#[derive(Debug, PartialEq)]
struct UnixView {
    kind: EntryType,
    bits: u32,
    marker: Option<char>,
    links: Option<u64>,
    owner: Option<&'static [u8]>,
    group: Option<&'static [u8]>,
    size: Option<u64>,
    device: Option<(u32, u32)>,
    modified: ListTimestamp,
    name: &'static [u8],
    target: Option<&'static [u8]>,
}

/// Defaults for the fields most vectors share: a 0o644 file of one link owned by `u`/`g`.
const FILE: UnixView = UnixView {
    kind: EntryType::File,
    bits: 0o644,
    marker: None,
    links: Some(1),
    owner: Some(b"u"),
    group: Some(b"g"),
    size: Some(1),
    device: None,
    modified: NOV22,
    name: b"",
    target: None,
};

const NOV22: ListTimestamp = ListTimestamp::YearLess {
    month: 11,
    day: 22,
    hour: 5,
    minute: 5,
};

fn full(y: u16, mo: u8, d: u8, h: u8, mi: u8) -> ListTimestamp {
    ListTimestamp::Full(Timestamp::new(y, mo, d, h, mi, 0, 0).unwrap())
}

fn view(e: &UnixEntry) -> UnixView {
    // Leak the borrowed parts so the view can be compared with the 'static expectation.
    let leak = |b: &[u8]| -> &'static [u8] { Box::leak(b.to_vec().into_boxed_slice()) };
    UnixView {
        kind: e.kind().clone(),
        bits: e.mode().bits(),
        marker: e.mode().marker(),
        links: e.link_count(),
        owner: e.owner().map(leak),
        group: e.group().map(leak),
        size: e.size(),
        device: e.device(),
        modified: e.modified(),
        name: leak(e.name()),
        target: e.link_target().map(leak),
    }
}

macro_rules! unix_vectors {
    ($($test:ident: $line:literal => $expected:expr;)*) => {$(
        #[test]
        fn $test() {
            match list_entry($line) {
                Some(ListEntry::Unix(e)) => assert_eq!(view(&e), $expected),
                other => panic!("not a Unix entry: {other:?}"),
            }
        }
    )*};
}

unix_vectors! {
    unix_vsftpd_numeric_owner_year_less_date: b"-rw-r--r--    1 1001     1001           54 Nov 22 05:05 plain.txt"
        => UnixView { owner: Some(b"1001"), group: Some(b"1001"), size: Some(54), name: b"plain.txt", ..FILE };
    unix_old_file_year_right_aligned: b"-rw-r--r--   1 ftpuser  ftpuser        16 Jun 15  2025 old-2025.txt"
        => UnixView { owner: Some(b"ftpuser"), group: Some(b"ftpuser"), size: Some(16), modified: full(2025, 6, 15, 0, 0), name: b"old-2025.txt", ..FILE };
    unix_libunftp_wide_columns_two_spaces_before_month: b"-rw-r--r--            1            0            0             16  Jun 15 2025 old-2025.txt"
        => UnixView { owner: Some(b"0"), group: Some(b"0"), size: Some(16), modified: full(2025, 6, 15, 0, 0), name: b"old-2025.txt", ..FILE };
    unix_acl_marker_plus: b"-rw-r--r--+ 1 u g 1 Nov 22 05:05 acl.txt"
        => UnixView { marker: Some('+'), name: b"acl.txt", ..FILE };
    unix_macos_xattr_marker_at: b"-rw-r--r--@ 1 user  staff  1234 Nov 22 05:05 mac.txt"
        => UnixView { marker: Some('@'), owner: Some(b"user"), group: Some(b"staff"), size: Some(1234), name: b"mac.txt", ..FILE };
    unix_selinux_context_marker_dot: b"drwxr-xr-x. 2 root root 6 Nov 22 05:05 selinux"
        => UnixView { kind: EntryType::Dir, bits: 0o755, marker: Some('.'), links: Some(2), owner: Some(b"root"), group: Some(b"root"), size: Some(6), name: b"selinux", ..FILE };
    unix_group_missing_three_columns: b"-rw-r--r-- 1 owner 1234 Jun 15 2025 name"
        => UnixView { owner: Some(b"owner"), group: None, size: Some(1234), modified: full(2025, 6, 15, 0, 0), name: b"name", ..FILE };
    unix_owner_and_group_missing: b"-rw-r--r-- 1 1234 Jun 15 2025 name"
        => UnixView { owner: None, group: None, size: Some(1234), modified: full(2025, 6, 15, 0, 0), name: b"name", ..FILE };
    unix_link_count_missing: b"-rw-r--r-- owner group 7 Nov 22 05:05 name"
        => UnixView { links: None, owner: Some(b"owner"), group: Some(b"group"), size: Some(7), name: b"name", ..FILE };
    unix_only_size_before_date: b"-rw-r--r-- 7 Nov 22 05:05 name"
        => UnixView { links: None, owner: None, group: None, size: Some(7), name: b"name", ..FILE };
    unix_group_name_with_space: b"-rw-r--r-- 1 owner domain users 5 Nov 22 05:05 f"
        => UnixView { owner: Some(b"owner"), group: Some(b"domain users"), size: Some(5), name: b"f", ..FILE };
    unix_char_device_major_comma_minor: b"crw-rw-rw- 1 root root 1, 3 Jun 15 2025 null"
        => UnixView { kind: EntryType::CharDevice, bits: 0o666, owner: Some(b"root"), group: Some(b"root"), size: None, device: Some((1, 3)), modified: full(2025, 6, 15, 0, 0), name: b"null", ..FILE };
    unix_block_device_joined_numbers: b"brw-rw---- 1 root disk 8,0 Nov 22 05:05 sda"
        => UnixView { kind: EntryType::BlockDevice, bits: 0o660, owner: Some(b"root"), group: Some(b"disk"), size: None, device: Some((8, 0)), name: b"sda", ..FILE };
    unix_block_device_padded_numbers: b"brw-rw----    1 root     disk       8,   16 Nov 22 05:05 sdb"
        => UnixView { kind: EntryType::BlockDevice, bits: 0o660, owner: Some(b"root"), group: Some(b"disk"), size: None, device: Some((8, 16)), name: b"sdb", ..FILE };
    unix_named_pipe: b"prw-r--r-- 1 u g 0 Nov 22 05:05 fifo"
        => UnixView { kind: EntryType::Pipe, size: Some(0), name: b"fifo", ..FILE };
    unix_socket: b"srwxrwxrwx 1 u g 0 Nov 22 05:05 sock"
        => UnixView { kind: EntryType::Socket, bits: 0o777, size: Some(0), name: b"sock", ..FILE };
    unix_symlink_split_at_arrow: b"lrwxrwxrwx    1 1001     1001            9 Nov 22 05:05 link-to-plain.txt -> plain.txt"
        => UnixView { kind: EntryType::Symlink, bits: 0o777, owner: Some(b"1001"), group: Some(b"1001"), size: Some(9), name: b"link-to-plain.txt", target: Some(b"plain.txt"), ..FILE };
    unix_symlink_names_with_spaces: b"lrwxrwxrwx 1 u g 9 Nov 22 05:05 my link -> my target"
        => UnixView { kind: EntryType::Symlink, bits: 0o777, size: Some(9), name: b"my link", target: Some(b"my target"), ..FILE };
    unix_symlink_target_holding_arrow_split_at_first: b"lrwxrwxrwx 1 u g 9 Nov 22 05:05 a -> b -> c"
        => UnixView { kind: EntryType::Symlink, bits: 0o777, size: Some(9), name: b"a", target: Some(b"b -> c"), ..FILE };
    unix_symlink_without_target_shown: b"lrwxrwxrwx 1 u g 9 Nov 22 05:05 dangling"
        => UnixView { kind: EntryType::Symlink, bits: 0o777, size: Some(9), name: b"dangling", ..FILE };
    unix_arrow_in_regular_file_name_not_split: b"-rw-r--r-- 1 u g 1 Nov 22 05:05 a -> b"
        => UnixView { name: b"a -> b", ..FILE };
    unix_name_leading_spaces_kept: b"-rw-r--r-- 1 u g 1 Nov 22 05:05   two leading"
        => UnixView { name: b"  two leading", ..FILE };
    unix_name_inner_spaces_kept: b"-rw-r--r-- 1 u g 1 Nov 22 05:05 a  b   c "
        => UnixView { name: b"a  b   c ", ..FILE };
    unix_name_with_date_inside: b"-rw-r--r-- 1 u g 1 Nov 22 05:05 1 Jan 01 2000 x"
        => UnixView { name: b"1 Jan 01 2000 x", ..FILE };
    unix_name_latin1_bytes_kept: b"-rw-r--r-- 1 u g 1 Nov 22 05:05 caf\xe9;x=y.bin"
        => UnixView { name: b"caf\xe9;x=y.bin", ..FILE };
    unix_setuid_setgid_sticky_lower_case: b"-rwsr-sr-t 1 u g 1 Nov 22 05:05 s"
        => UnixView { bits: 0o7755, name: b"s", ..FILE };
    unix_setuid_setgid_sticky_upper_case_without_execute: b"-rwSr-Sr-T 1 u g 1 Nov 22 05:05 s"
        => UnixView { bits: 0o7644, name: b"s", ..FILE };
    unix_no_permissions: b"---------- 1 u g 1 Nov 22 05:05 none"
        => UnixView { bits: 0, name: b"none", ..FILE };
    unix_long_iso_date: b"-rw-r--r-- 1 u g 5 2025-06-15 08:30 iso.txt"
        => UnixView { size: Some(5), modified: full(2025, 6, 15, 8, 30), name: b"iso.txt", ..FILE };
    unix_feb_29_without_year_accepted: b"-rw-r--r-- 1 u g 1 Feb 29 12:00 leap"
        => UnixView { modified: ListTimestamp::YearLess { month: 2, day: 29, hour: 12, minute: 0 }, name: b"leap", ..FILE };
    unix_lower_case_month: b"-rw-r--r-- 1 u g 1 jun 15  2025 lower"
        => UnixView { modified: full(2025, 6, 15, 0, 0), name: b"lower", ..FILE };
    unix_single_digit_day_padded: b"-rw-r--r-- 1 u g 1 Nov  2 05:05 d"
        => UnixView { modified: ListTimestamp::YearLess { month: 11, day: 2, hour: 5, minute: 5 }, name: b"d", ..FILE };
    unix_single_digit_hour: b"-rw-r--r-- 1 u g 1 Nov 22 5:05 h"
        => UnixView { name: b"h", ..FILE };
    unix_largest_size: b"-rw-r--r-- 1 u g 18446744073709551615 Nov 22 05:05 huge"
        => UnixView { size: Some(u64::MAX), name: b"huge", ..FILE };
    unix_many_links: b"drwxr-xr-x 125 u g 4096 Nov 22 05:05 many"
        => UnixView { kind: EntryType::Dir, bits: 0o755, links: Some(125), size: Some(4096), name: b"many", ..FILE };
    unix_owner_named_like_a_month: b"-rw-r--r-- 1 Jun staff 3 Nov 22 05:05 owner-jun"
        => UnixView { owner: Some(b"Jun"), group: Some(b"staff"), size: Some(3), name: b"owner-jun", ..FILE };
    unix_dot_entries: b"drwxr-xr-x    3 1001     1001         4096 Nov 22 05:11 .."
        => UnixView { kind: EntryType::Dir, bits: 0o755, links: Some(3), owner: Some(b"1001"), group: Some(b"1001"), size: Some(4096), modified: ListTimestamp::YearLess { month: 11, day: 22, hour: 5, minute: 11 }, name: b"..", ..FILE };
}

/// Everything a DOS line says.
#[derive(Debug, PartialEq)]
struct DosView {
    kind: EntryType,
    size: Option<u64>,
    modified: Timestamp,
    name: Vec<u8>,
}

fn dos_view(e: &DosEntry) -> DosView {
    DosView {
        kind: e.kind(),
        size: e.size(),
        modified: e.modified(),
        name: e.name().to_vec(),
    }
}

fn t(y: u16, mo: u8, d: u8, h: u8, mi: u8) -> Timestamp {
    Timestamp::new(y, mo, d, h, mi, 0, 0).unwrap()
}

macro_rules! dos_vectors {
    ($($test:ident: $line:literal => $kind:expr, $size:expr, $time:expr, $name:literal;)*) => {$(
        #[test]
        fn $test() {
            match list_entry($line) {
                Some(ListEntry::Dos(e)) => assert_eq!(
                    dos_view(&e),
                    DosView { kind: $kind, size: $size, modified: $time, name: $name.to_vec() }
                ),
                other => panic!("not a DOS entry: {other:?}"),
            }
        }
    )*};
}

dos_vectors! {
    dos_iis_directory_12_hour_two_digit_year: b"11-22-26  05:05AM       <DIR>          subdir"
        => EntryType::Dir, None, t(2026, 11, 22, 5, 5), b"subdir";
    dos_iis_file_pm: b"11-22-26  05:05PM                   54 plain.txt"
        => EntryType::File, Some(54), t(2026, 11, 22, 17, 5), b"plain.txt";
    dos_four_digit_year_24_hour: b"11-22-2026  17:05                   54 plain.txt"
        => EntryType::File, Some(54), t(2026, 11, 22, 17, 5), b"plain.txt";
    dos_four_digit_year_24_hour_single_spaces: b"11-22-2026 17:05 1234 name"
        => EntryType::File, Some(1234), t(2026, 11, 22, 17, 5), b"name";
    dos_midnight_is_12am: b"06-15-25  12:00AM                   16 midnight.txt"
        => EntryType::File, Some(16), t(2025, 6, 15, 0, 0), b"midnight.txt";
    dos_noon_is_12pm: b"06-15-25  12:30PM                   16 noon.txt"
        => EntryType::File, Some(16), t(2025, 6, 15, 12, 30), b"noon.txt";
    dos_two_digit_year_before_1970_window: b"01-01-99  01:00AM                    1 y2k.txt"
        => EntryType::File, Some(1), t(1999, 1, 1, 1, 0), b"y2k.txt";
    dos_two_digit_year_69_is_2069: b"01-01-69  01:00AM                    1 far.txt"
        => EntryType::File, Some(1), t(2069, 1, 1, 1, 0), b"far.txt";
    dos_name_with_spaces: b"11-22-26  05:05AM                   19 file with spaces.txt"
        => EntryType::File, Some(19), t(2026, 11, 22, 5, 5), b"file with spaces.txt";
    dos_size_with_thousands_separators: b"11-22-26  05:05AM                1,234 comma.txt"
        => EntryType::File, Some(1234), t(2026, 11, 22, 5, 5), b"comma.txt";
    dos_leading_space_of_name_kept_after_size: b"11-22-26  05:05AM                   18  leading.txt"
        => EntryType::File, Some(18), t(2026, 11, 22, 5, 5), b" leading.txt";
    dos_am_pm_as_separate_word: b"11-22-2026 05:05 PM 54 spaced.txt"
        => EntryType::File, Some(54), t(2026, 11, 22, 17, 5), b"spaced.txt";
    dos_lower_case_dir_and_pm: b"11-22-26  05:05pm       <dir>          lower"
        => EntryType::Dir, None, t(2026, 11, 22, 17, 5), b"lower";
    dos_latin1_name: b"11-22-26  05:05AM                   18 caf\xe9.bin"
        => EntryType::File, Some(18), t(2026, 11, 22, 5, 5), b"caf\xe9.bin";
}

macro_rules! unparsed_vectors {
    ($($test:ident: $line:literal;)*) => {$(
        #[test]
        fn $test() {
            assert_eq!(list_entry($line), Some(ListEntry::Unparsed($line.to_vec())));
        }
    )*};
}

unparsed_vectors! {
    unparsed_unix_line_without_name: b"-rw-r--r-- 1 u g 54 Nov 22 05:05";
    unparsed_unix_line_ending_in_space_after_date: b"-rw-r--r-- 1 u g 54 Nov 22 05:05 ";
    unparsed_unknown_month: b"-rw-r--r-- 1 u g 54 Foo 22 05:05 x";
    unparsed_day_32: b"-rw-r--r-- 1 u g 54 Nov 32 05:05 x";
    unparsed_hour_25: b"-rw-r--r-- 1 u g 54 Nov 22 25:05 x";
    unparsed_february_30_with_year: b"-rw-r--r-- 1 u g 54 Feb 30 2025 x";
    unparsed_unknown_type_character: b"xrw-r--r-- 1 u g 54 Nov 22 05:05 x";
    unparsed_unknown_marker: b"-rw-r--r--! 1 u g 54 Nov 22 05:05 x";
    unparsed_short_mode: b"-rw-r--r- 1 u g 54 Nov 22 05:05 x";
    unparsed_bad_permission_letter: b"-rwxrwxrwq 1 u g 54 Nov 22 05:05 x";
    unparsed_size_not_a_number: b"-rw-r--r-- 1 u g 5x Nov 22 05:05 x";
    unparsed_link_count_not_a_number_with_three_columns: b"-rw-r--r-- x u g 5 Nov 22 05:05 x";
    unparsed_no_date: b"-rw-r--r-- 1 u g 5 x";
    unparsed_free_text: b"Welcome to the listing";
    unparsed_only_spaces: b"   ";
    unparsed_binary_garbage: b"\xff\xfe\x00\x01";
    unparsed_dos_bad_am_pm: b"11-22-26  05:05XM       <DIR>          x";
    unparsed_dos_month_13: b"13-22-26  05:05AM       <DIR>          x";
    unparsed_dos_13_pm: b"11-22-26  13:05PM       <DIR>          x";
    unparsed_dos_without_name: b"11-22-26  05:05AM       <DIR>";
    unparsed_dos_size_not_a_number: b"11-22-26  05:05AM       12a4 x";
    unparsed_dos_mixed_separators: b"11-22/26  05:05AM       <DIR>          x";
}

macro_rules! skipped_list_lines {
    ($($test:ident: $line:literal;)*) => {$(
        #[test]
        fn $test() {
            assert_eq!(list_entry($line), None);
        }
    )*};
}

skipped_list_lines! {
    list_total_header_skipped: b"total 24";
    list_total_header_with_unit_skipped: b"total 1.5K";
    list_total_header_upper_case_skipped: b"TOTAL 0";
    list_empty_line_skipped: b"";
}

#[test]
fn list_total_word_in_a_name_is_not_a_header() {
    assert_eq!(
        list_entry(b"total"),
        Some(ListEntry::Unparsed(b"total".to_vec()))
    );
    assert_eq!(
        list_entry(b"total -"),
        Some(ListEntry::Unparsed(b"total -".to_vec()))
    );
}

// ---- MLSD

fn mlsd_entry(line: &[u8]) -> Result<MlsdEntry, ListingError> {
    let streamed = single::<MlsdParser>(line).expect("one entry");
    assert_eq!(streamed, parse_mlsd_line(line));
    streamed
}

macro_rules! mlsd_vectors {
    ($($test:ident: $line:literal => $name:literal, [$(($k:literal, $v:literal)),* $(,)?];)*) => {$(
        #[test]
        fn $test() {
            let e = mlsd_entry($line).unwrap();
            assert_eq!(e.name(), $name);
            let facts: Vec<(&str, &[u8])> = e.facts().iter().collect();
            let expected: Vec<(&str, &[u8])> = vec![$(($k, &$v[..])),*];
            assert_eq!(facts, expected);
            assert_eq!(e.facts().len(), expected.len());
        }
    )*};
}

mlsd_vectors! {
    mlsd_name_with_spaces: b"type=file;size=19; file with spaces.txt" => b"file with spaces.txt", [("type", b"file"), ("size", b"19")];
    mlsd_name_with_semicolon_and_equals: b"type=file; a;b=c;" => b"a;b=c;", [("type", b"file")];
    mlsd_name_leading_space_kept: b"type=file;  leading" => b" leading", [("type", b"file")];
    mlsd_name_trailing_space_kept: b"type=file; trailing " => b"trailing ", [("type", b"file")];
    mlsd_keys_lower_cased_values_verbatim: b"Type=File;UNIX.Mode=0644;Perm=AdfR; x" => b"x", [("type", b"File"), ("unix.mode", b"0644"), ("perm", b"AdfR")];
    mlsd_value_holding_equals: b"type=OS.unix=slink:/a=b; l" => b"l", [("type", b"OS.unix=slink:/a=b")];
    mlsd_last_fact_without_semicolon: b"type=file;size=5 name" => b"name", [("type", b"file"), ("size", b"5")];
    mlsd_empty_value: b"unique=;type=dir; d" => b"d", [("unique", b""), ("type", b"dir")];
    mlsd_no_facts: b" bare-name" => b"bare-name", [];
    mlsd_empty_name: b"type=file; " => b"", [("type", b"file")];
    mlsd_latin1_name: b"type=file;size=18; caf\xe9.bin" => b"caf\xe9.bin", [("type", b"file"), ("size", b"18")];
    mlsd_unknown_facts_kept: b"x.mine=1;media-type=text/plain;charset=UTF-8;lang=en; f" => b"f", [("x.mine", b"1"), ("media-type", b"text/plain"), ("charset", b"UTF-8"), ("lang", b"en")];
    mlsd_doubled_semicolons_tolerated: b"type=file;;size=1; f" => b"f", [("type", b"file"), ("size", b"1")];
}

macro_rules! mlsd_malformed {
    ($($test:ident: $line:literal, $what:literal;)*) => {$(
        #[test]
        fn $test() {
            assert_eq!(
                mlsd_entry($line),
                Err(ListingError::Malformed { what: $what, line: $line.to_vec() })
            );
        }
    )*};
}

mlsd_malformed! {
    mlsd_without_space_before_name: b"type=file;size=1;name", "no space before the name";
    mlsd_fact_without_equals: b"type=file;size; name", "a fact without '='";
    mlsd_fact_with_empty_key: b"=file; name", "a fact with an empty name";
    mlsd_fact_key_not_ascii: b"t\xe9pe=file; name", "a fact name that is not printable ASCII";
}

#[test]
fn mlsd_empty_line_skipped() {
    assert_eq!(single::<MlsdParser>(b""), None);
}

#[test]
fn mlsd_typed_accessors_read_every_defined_fact() {
    let e = parse_mlsd_line(
        b"type=dir;size=1;sizd=4096;modify=20261122050528.123456789;create=20250615083000.5;perm=flcdmpe;\
          unique=U1;lang=en;media-type=text/plain;charset=UTF-8;unix.mode=2755;unix.owner=ftpuser;\
          unix.group=ftpgroup;unix.uid=1001;unix.gid=1002; d",
    )
    .unwrap();
    let f = e.facts();
    assert_eq!(f.kind(), Some(EntryType::Dir));
    assert_eq!(f.size(), Some(1));
    assert_eq!(f.sizd(), Some(4096));
    assert_eq!(
        f.modify(),
        Some(Timestamp::new(2026, 11, 22, 5, 5, 28, 123_456_789).unwrap())
    );
    assert_eq!(
        f.create(),
        Some(Timestamp::new(2025, 6, 15, 8, 30, 0, 500_000_000).unwrap())
    );
    assert_eq!(f.perm(), Some(&b"flcdmpe"[..]));
    assert_eq!(f.unique(), Some(&b"U1"[..]));
    assert_eq!(f.lang(), Some(&b"en"[..]));
    assert_eq!(f.media_type(), Some(&b"text/plain"[..]));
    assert_eq!(f.charset(), Some(&b"UTF-8"[..]));
    assert_eq!(f.unix_mode(), Some(0o2755));
    assert_eq!(f.unix_owner(), Some(&b"ftpuser"[..]));
    assert_eq!(f.unix_group(), Some(&b"ftpgroup"[..]));
    assert_eq!(f.unix_uid(), Some(1001));
    assert_eq!(f.unix_gid(), Some(1002));
}

#[test]
fn mlsd_type_values_case_insensitive() {
    for (value, kind) in [
        (&b"FILE"[..], EntryType::File),
        (b"Dir", EntryType::Dir),
        (b"CDIR", EntryType::CurrentDir),
        (b"PDir", EntryType::ParentDir),
        (b"os.UNIX=SYMLINK", EntryType::Symlink),
        (b"OS.unix=slink", EntryType::Symlink),
        (b"OS.unix=slink:/t", EntryType::Symlink),
        (
            b"OS.unix=slinky",
            EntryType::Other(b"OS.unix=slinky".to_vec()),
        ),
        (
            b"OS.unix=blkdev",
            EntryType::Other(b"OS.unix=blkdev".to_vec()),
        ),
    ] {
        let line = [&b"type="[..], value, b"; n"].concat();
        assert_eq!(
            parse_mlsd_line(&line).unwrap().facts().kind(),
            Some(kind),
            "{line:?}"
        );
    }
}

#[test]
fn mlsd_bad_typed_values_give_none_not_errors() {
    let e = parse_mlsd_line(
        b"size=12a;sizd=-1;modify=2026112205052;create=20261322050528;unix.mode=0968;unix.uid=x; n",
    )
    .unwrap();
    let f = e.facts();
    assert_eq!(
        (f.size(), f.sizd(), f.modify(), f.create()),
        (None, None, None, None)
    );
    assert_eq!((f.unix_mode(), f.unix_uid(), f.kind()), (None, None, None));
    assert_eq!(
        parse_mlsd_line(b"size=18446744073709551616; n")
            .unwrap()
            .facts()
            .size(),
        None
    );
}

#[test]
fn mlsd_first_of_repeated_fact_wins() {
    let e = parse_mlsd_line(b"size=1;SIZE=2; n").unwrap();
    assert_eq!(e.facts().size(), Some(1));
    assert_eq!(e.facts().len(), 2);
}

// ---- NLST

macro_rules! nlst_vectors {
    ($($test:ident: $line:literal;)*) => {$(
        #[test]
        fn $test() {
            assert_eq!(single::<NlstParser>($line), Some(Ok($line.to_vec())));
        }
    )*};
}

nlst_vectors! {
    nlst_plain_name: b"plain.txt";
    nlst_name_with_spaces_kept: b"  file with spaces.txt ";
    nlst_latin1_name_as_bytes: b"caf\xe9.bin";
    nlst_path_name: b"dir/sub/file";
}

#[test]
fn nlst_empty_line_is_an_empty_name() {
    let names = parse_every_split::<NlstParser>(b"a\r\n\r\nb\r\n", ListingLimits::default());
    assert_eq!(
        names,
        [Ok(b"a".to_vec()), Ok(Vec::new()), Ok(b"b".to_vec())]
    );
}

// ---- text views of names

#[test]
fn name_views_lossy_and_latin1() {
    let e = list_entry(b"-rw-r--r-- 1 u g 1 Nov 22 05:05 caf\xe9.bin").unwrap();
    assert_eq!(e.name_lossy().as_deref(), Some("caf\u{fffd}.bin"));
    assert_eq!(e.name_latin1().as_deref(), Some("caf\u{e9}.bin"));
    let utf8 = list_entry(b"11-22-26  05:05AM    17 caf\xc3\xa9.txt").unwrap();
    assert_eq!(utf8.name_lossy().as_deref(), Some("caf\u{e9}.txt"));
    assert_eq!(utf8.name_latin1().as_deref(), Some("caf\u{c3}\u{a9}.txt"));
    assert_eq!(ListEntry::Unparsed(b"x".to_vec()).name_lossy(), None);
}

#[test]
fn year_less_list_date_resolves_against_callers_now() {
    let e = list_entry(b"-rw-r--r-- 1 u g 1 Dec 24 09:00 gift").unwrap();
    let now = Timestamp::new(2026, 11, 22, 5, 34, 0, 0).unwrap();
    assert_eq!(
        e.modified().unwrap().resolve(now),
        Some(Timestamp::new(2025, 12, 24, 9, 0, 0, 0).unwrap())
    );
}

#[test]
fn mlsd_many_facts_all_reachable() {
    // More facts than the parser indexes: lookups fall back to scanning and see them all.
    let facts: String = (0..20).map(|i| format!("F{i}=v{i};")).collect();
    let line = format!("{facts} many");
    let e = mlsd_entry(line.as_bytes()).unwrap();
    assert_eq!(e.name(), b"many");
    assert_eq!(e.facts().len(), 20);
    for i in 0..20 {
        assert_eq!(
            e.facts().get(&format!("f{i}")),
            Some(format!("v{i}").as_bytes())
        );
    }
    let keys: Vec<String> = e.facts().iter().map(|(k, _)| k.to_owned()).collect();
    assert_eq!(keys, (0..20).map(|i| format!("f{i}")).collect::<Vec<_>>());
}

#[test]
fn mlsd_into_parts_splits_name_and_facts() {
    let e = parse_mlsd_line(b"Size=3;type=file; a b").unwrap();
    let copy = e.clone();
    let (name, facts) = e.into_parts();
    assert_eq!(name, b"a b");
    assert_eq!(&facts, copy.facts());
    assert_eq!(facts.size(), Some(3));
    assert!(!facts.is_empty());
    assert!(parse_mlsd_line(b" x").unwrap().facts().is_empty());
}
