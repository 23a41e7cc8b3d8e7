//! The raw LIST, LIST -a, MLSD and NLST bytes captured from five real servers
//! (tests/data/transcripts/, see the README there) parse to exactly the entries of the sample
//! folder, in every chunking.

mod listing_support;

use ftp_proto::listing::{EntryType, UnixEntry};
use ftp_proto::{
    ListEntry, ListParser, ListTimestamp, MlsdEntry, MlsdParser, NlstParser, Timestamp,
};
use listing_support::parse_ok;

const CAFE_UTF8: &[u8] = b"caf\xc3\xa9.txt";
const CAFE_LATIN1: &[u8] = b"caf\xe9.bin";
/// pyftpdlib sends `?` for the Latin-1 byte.
const CAFE_QUESTION: &[u8] = b"caf?.bin";
/// libunftp sends U+FFFD for the Latin-1 byte in LIST and MLSD.
const CAFE_REPLACEMENT: &[u8] = b"caf\xef\xbf\xbd.bin";

const RECENT: ListTimestamp = ListTimestamp::YearLess {
    month: 11,
    day: 22,
    hour: 5,
    minute: 5,
};

fn old_2025_day() -> ListTimestamp {
    ListTimestamp::Full(Timestamp::new(2025, 6, 15, 0, 0, 0, 0).unwrap())
}

/// What a LIST line says about one file: name, kind, size, date, link target, link count.
type ListView = (Vec<u8>, EntryType, u64, ListTimestamp, Option<Vec<u8>>, u64);

fn unix(entry: &ListEntry) -> &UnixEntry {
    match entry {
        ListEntry::Unix(e) => e,
        other => panic!("not a Unix line: {other:?}"),
    }
}

fn list_view(entries: &[ListEntry]) -> Vec<ListView> {
    let mut v: Vec<ListView> = entries
        .iter()
        .map(|e| {
            let u = unix(e);
            (
                u.name().to_vec(),
                u.kind().clone(),
                u.size().unwrap(),
                u.modified(),
                u.link_target().map(<[u8]>::to_vec),
                u.link_count().unwrap(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The sample folder as LIST shows it, with the server's rendering of the Latin-1 name.
fn expected_list(latin1_name: &[u8], with_dots: bool) -> Vec<ListView> {
    let file = |name: &[u8], size| (name.to_vec(), EntryType::File, size, RECENT, None, 1);
    let mut v = vec![
        file(CAFE_UTF8, 17),
        file(latin1_name, 18),
        file(b"empty.dat", 0),
        file(b"file with spaces.txt", 19),
        (
            b"link-to-plain.txt".to_vec(),
            EntryType::Symlink,
            9,
            RECENT,
            Some(b"plain.txt".to_vec()),
            1,
        ),
        (
            b"old-2025.txt".to_vec(),
            EntryType::File,
            16,
            old_2025_day(),
            None,
            1,
        ),
        file(b"plain.txt", 54),
        (b"subdir".to_vec(), EntryType::Dir, 4096, RECENT, None, 2),
    ];
    if with_dots {
        v.push((b".".to_vec(), EntryType::Dir, 4096, RECENT, None, 3));
        let parent_time = ListTimestamp::YearLess {
            month: 11,
            day: 22,
            hour: 5,
            minute: 11,
        };
        v.push((b"..".to_vec(), EntryType::Dir, 4096, parent_time, None, 3));
    }
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn check_list(data: &[u8], latin1_name: &[u8], with_dots: bool, owner: &[u8], group: &[u8]) {
    let entries = parse_ok::<ListParser>(data);
    assert_eq!(list_view(&entries), expected_list(latin1_name, with_dots));
    for e in &entries {
        let u = unix(e);
        assert_eq!(u.owner(), Some(owner), "{e:?}");
        assert_eq!(u.group(), Some(group), "{e:?}");
        assert_eq!(u.mode().marker(), None);
        assert_eq!(u.device(), None);
        let bits = match u.kind() {
            EntryType::File => 0o644,
            EntryType::Dir => 0o755,
            EntryType::Symlink => 0o777,
            other => panic!("{other:?}"),
        };
        assert_eq!(u.mode().bits(), bits, "{e:?}");
        assert_eq!(
            e.raw().last().copied().map(|b| b == b'\r' || b == b'\n'),
            Some(false)
        );
    }
}

macro_rules! list_transcripts {
    ($($test:ident: $file:literal, $latin1:expr, dots: $dots:expr, owner: $owner:literal, group: $group:literal;)*) => {$(
        #[test]
        fn $test() {
            check_list(include_bytes!(concat!("data/transcripts/", $file)), $latin1, $dots, $owner, $group);
        }
    )*};
}

list_transcripts! {
    vsftpd_list_numeric_owner_and_group: "vsftpd-list.txt", CAFE_LATIN1, dots: false, owner: b"1001", group: b"1001";
    vsftpd_list_a_adds_dot_entries: "vsftpd-list-a.txt", CAFE_LATIN1, dots: true, owner: b"1001", group: b"1001";
    pure_ftpd_list_numeric_owner_named_group: "pure-ftpd-list.txt", CAFE_LATIN1, dots: false, owner: b"1001", group: b"ftpuser";
    pure_ftpd_list_a_adds_dot_entries: "pure-ftpd-list-a.txt", CAFE_LATIN1, dots: true, owner: b"1001", group: b"ftpuser";
    proftpd_list_named_owner_and_group: "proftpd-list.txt", CAFE_LATIN1, dots: false, owner: b"ftpuser", group: b"ftpuser";
    proftpd_list_a_adds_dot_entries: "proftpd-list-a.txt", CAFE_LATIN1, dots: true, owner: b"ftpuser", group: b"ftpuser";
    pyftpdlib_list_question_mark_for_latin1: "pyftpdlib-list.txt", CAFE_QUESTION, dots: false, owner: b"root", group: b"root";
    pyftpdlib_list_a_ignores_a: "pyftpdlib-list-a.txt", CAFE_QUESTION, dots: false, owner: b"root", group: b"root";
    libunftp_list_wide_columns_and_day_before_month_gap: "libunftp-list.txt", CAFE_REPLACEMENT, dots: false, owner: b"0", group: b"0";
    libunftp_list_a_ignores_a: "libunftp-list-a.txt", CAFE_REPLACEMENT, dots: false, owner: b"0", group: b"0";
}

#[test]
fn libunftp_list_old_date_reads_as_june_15_2025() {
    // `16  Jun 15 2025 old-2025.txt`: two spaces before the month, one before the name.
    let entries = parse_ok::<ListParser>(include_bytes!("data/transcripts/libunftp-list.txt"));
    let old = entries
        .iter()
        .find(|e| e.name() == Some(&b"old-2025.txt"[..]))
        .unwrap();
    assert_eq!(old.size(), Some(16));
    assert_eq!(old.modified(), Some(old_2025_day()));
}

// ---- MLSD

/// What an MLSD line says: name, type, size fact, modify fact.
type MlsdView = (Vec<u8>, Option<EntryType>, Option<u64>, Option<Timestamp>);

fn mlsd_view(entries: &[MlsdEntry]) -> Vec<MlsdView> {
    let mut v: Vec<MlsdView> = entries
        .iter()
        .map(|e| {
            (
                e.name().to_vec(),
                e.facts().kind(),
                e.facts().size(),
                e.facts().modify(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn ts(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Timestamp> {
    Some(Timestamp::new(year, month, day, hour, minute, second, 0).unwrap())
}

/// The sample folder as MLSD shows it. `link` is how the server reports the symlink (type and
/// size); `dirs` the size fact of directories (pure-ftpd uses `sizd` instead); `dots` the cdir
/// and pdir entries with the parent's modify time.
fn expected_mlsd(
    latin1_name: &[u8],
    link: (EntryType, u64),
    dir_size: Option<u64>,
    dots: Option<Option<Timestamp>>,
) -> Vec<MlsdView> {
    let modified = ts(2026, 11, 22, 5, 5, 28);
    let file = |name: &[u8], size| (name.to_vec(), Some(EntryType::File), Some(size), modified);
    let mut v = vec![
        file(CAFE_UTF8, 17),
        file(latin1_name, 18),
        file(b"empty.dat", 0),
        file(b"file with spaces.txt", 19),
        (
            b"link-to-plain.txt".to_vec(),
            Some(link.0),
            Some(link.1),
            modified,
        ),
        (
            b"old-2025.txt".to_vec(),
            Some(EntryType::File),
            Some(16),
            ts(2025, 6, 15, 8, 30, 0),
        ),
        file(b"plain.txt", 54),
        (b"subdir".to_vec(), Some(EntryType::Dir), dir_size, modified),
    ];
    if let Some(parent_modified) = dots {
        v.push((b".".to_vec(), Some(EntryType::CurrentDir), None, modified));
        v.push((
            b"..".to_vec(),
            Some(EntryType::ParentDir),
            None,
            parent_modified,
        ));
    }
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn libunftp_mlsd_reports_symlink_as_nine_byte_file() {
    let entries = parse_ok::<MlsdParser>(include_bytes!("data/transcripts/libunftp-mlsd.txt"));
    assert_eq!(
        mlsd_view(&entries),
        expected_mlsd(CAFE_REPLACEMENT, (EntryType::File, 9), Some(4096), None)
    );
    for e in &entries {
        let keys: Vec<&str> = e.facts().iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["type", "size", "modify"]);
    }
}

#[test]
fn pyftpdlib_mlsd_follows_symlink() {
    let entries = parse_ok::<MlsdParser>(include_bytes!("data/transcripts/pyftpdlib-mlsd.txt"));
    assert_eq!(
        mlsd_view(&entries),
        expected_mlsd(CAFE_QUESTION, (EntryType::File, 54), Some(4096), None)
    );
    let plain = entries.iter().find(|e| e.name() == b"plain.txt").unwrap();
    assert_eq!(plain.facts().perm(), Some(&b"radfwMT"[..]));
    assert_eq!(plain.facts().unique(), Some(&b"fe00g9962d6"[..]));
    let subdir = entries.iter().find(|e| e.name() == b"subdir").unwrap();
    assert_eq!(subdir.facts().perm(), Some(&b"eldfmMTcp"[..]));
}

#[test]
fn proftpd_mlsd_symlink_type_and_upper_case_unix_facts() {
    let entries = parse_ok::<MlsdParser>(include_bytes!("data/transcripts/proftpd-mlsd.txt"));
    assert_eq!(
        mlsd_view(&entries),
        expected_mlsd(
            CAFE_LATIN1,
            (EntryType::Symlink, 9),
            Some(4096),
            Some(ts(2026, 11, 22, 5, 11, 42))
        )
        .into_iter()
        // proftpd gives directories no size fact at all.
        .map(
            |(n, k, s, m)| if k.as_ref().is_some_and(EntryType::is_dir) {
                (n, k, None, m)
            } else {
                (n, k, s, m)
            }
        )
        .collect::<Vec<_>>()
    );
    let link = entries
        .iter()
        .find(|e| e.name() == b"link-to-plain.txt")
        .unwrap();
    let f = link.facts();
    assert_eq!(f.get("type"), Some(&b"OS.unix=symlink"[..]));
    assert_eq!(f.link_target(), None);
    assert_eq!(f.unix_mode(), Some(0o777));
    assert_eq!(f.unix_owner(), Some(&b"1001"[..]));
    assert_eq!(f.unix_group(), Some(&b"1001"[..]));
    assert_eq!(f.unix_uid(), Some(1001));
    assert_eq!(f.unix_gid(), Some(1001));
    assert_eq!(f.unix_ownername(), Some(&b"ftpuser"[..]));
    assert_eq!(f.unix_groupname(), Some(&b"ftpuser"[..]));
    assert_eq!(f.perm(), Some(&b"adfrw"[..]));
    assert_eq!(f.unique(), Some(&b"FE00U9962C2"[..]));
    let keys: Vec<&str> = f.iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "modify",
            "perm",
            "size",
            "type",
            "unique",
            "unix.group",
            "unix.groupname",
            "unix.mode",
            "unix.owner",
            "unix.ownername"
        ]
    );
    let subdir = entries.iter().find(|e| e.name() == b"subdir").unwrap();
    assert_eq!(subdir.facts().unix_mode(), Some(0o755));
}

#[test]
fn pure_ftpd_mlsd_slink_type_and_sizd_for_directories() {
    let entries = parse_ok::<MlsdParser>(include_bytes!("data/transcripts/pure-ftpd-mlsd.txt"));
    assert_eq!(
        mlsd_view(&entries),
        expected_mlsd(
            CAFE_LATIN1,
            (EntryType::Symlink, 9),
            None,
            Some(ts(2026, 11, 22, 5, 11, 55))
        )
    );
    let link = entries
        .iter()
        .find(|e| e.name() == b"link-to-plain.txt")
        .unwrap();
    assert_eq!(link.facts().get("type"), Some(&b"OS.unix=slink:"[..]));
    assert_eq!(link.facts().link_target(), Some(&b""[..]));
    for e in &entries {
        let f = e.facts();
        assert_eq!(
            (f.unix_uid(), f.unix_gid()),
            (Some(1001), Some(1001)),
            "{e:?}"
        );
        if f.kind().as_ref().is_some_and(EntryType::is_dir) {
            assert_eq!(f.sizd(), Some(4096), "{e:?}");
            assert_eq!(f.unix_mode(), Some(0o755));
        }
    }
}

// ---- NLST

macro_rules! nlst_transcripts {
    ($($test:ident: $file:literal => [$($name:expr),* $(,)?];)*) => {$(
        #[test]
        fn $test() {
            let names = parse_ok::<NlstParser>(include_bytes!(concat!("data/transcripts/", $file)));
            let expected: Vec<Vec<u8>> = vec![$($name.to_vec()),*];
            assert_eq!(names, expected);
        }
    )*};
}

nlst_transcripts! {
    vsftpd_nlst_sorted_names: "vsftpd-nlst.txt" => [
        CAFE_UTF8, CAFE_LATIN1, b"empty.dat", b"file with spaces.txt", b"link-to-plain.txt", b"old-2025.txt",
        b"plain.txt", b"subdir",
    ];
    pure_ftpd_nlst_includes_dot_entries_unsorted: "pure-ftpd-nlst.txt" => [
        CAFE_UTF8, b".", b"empty.dat", b"file with spaces.txt", b"subdir", b"link-to-plain.txt", b"..", CAFE_LATIN1,
        b"old-2025.txt", b"plain.txt",
    ];
    proftpd_nlst_directory_order: "proftpd-nlst.txt" => [
        CAFE_UTF8, b"empty.dat", b"file with spaces.txt", b"subdir", b"link-to-plain.txt", CAFE_LATIN1,
        b"old-2025.txt", b"plain.txt",
    ];
    pyftpdlib_nlst_question_mark_for_latin1: "pyftpdlib-nlst.txt" => [
        CAFE_UTF8, CAFE_QUESTION, b"empty.dat", b"file with spaces.txt", b"link-to-plain.txt", b"old-2025.txt",
        b"plain.txt", b"subdir",
    ];
    libunftp_nlst_empty_line_for_latin1_name_kept: "libunftp-nlst.txt" => [
        CAFE_UTF8, b"empty.dat", b"file with spaces.txt", b"subdir", b"link-to-plain.txt", b"", b"old-2025.txt",
        b"plain.txt",
    ];
}

// ---- MLST fact lines, as the reply lines of the control transcripts give them

macro_rules! mlst_lines {
    ($($test:ident: $line:literal => $name:literal, $size:expr;)*) => {$(
        #[test]
        fn $test() {
            let e = ftp_proto::listing::parse_mlst_line($line).unwrap();
            assert_eq!(e.name(), $name);
            assert_eq!(e.facts().kind(), Some(EntryType::File));
            assert_eq!(e.facts().size(), Some($size));
            assert_eq!(e.facts().modify(), ts(2026, 11, 22, 5, 5, 28));
        }
    )*};
}

mlst_lines! {
    pure_ftpd_mlst_fact_line: b" type=file;size=54;modify=20261122050528;UNIX.mode=0644;UNIX.uid=1001;UNIX.gid=1001;unique=fe00g9962cc; plain.txt"
        => b"plain.txt", 54;
    proftpd_mlst_fact_line_absolute_path: b" modify=20261122050528;perm=adfrw;size=54;type=file;unique=FE00U9962C2;UNIX.group=1001;UNIX.groupname=ftpuser;UNIX.mode=0644;UNIX.owner=1001;UNIX.ownername=ftpuser; /capture-proftpd/listing-samples/plain.txt"
        => b"/capture-proftpd/listing-samples/plain.txt", 54;
    pyftpdlib_mlst_fact_line: b" modify=20261122050528;perm=radfwMT;size=54;type=file;unique=fe00g9962d6; /capture-pyftpdlib/listing-samples/plain.txt"
        => b"/capture-pyftpdlib/listing-samples/plain.txt", 54;
    libunftp_mlst_fact_line: b" type=file;size=54;modify=20261122050528; /capture-libunftp/listing-samples/plain.txt"
        => b"/capture-libunftp/listing-samples/plain.txt", 54;
    mlst_fact_line_with_crlf_and_without_leading_space: b"type=file;size=54;modify=20261122050528; plain.txt\r\n"
        => b"plain.txt", 54;
}
