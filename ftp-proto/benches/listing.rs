//! Listing parsers against suppaftp's list parser, on 1,000,000-line MLSD and Unix LIST
//! listings generated in memory.
//!
//! Ours are fed the raw bytes in 64 KiB chunks, as a data connection delivers them, and do
//! their own line splitting. suppaftp parses one `&str` line at a time, so its input is split
//! into lines (and checked to be UTF-8) before the clock starts: the comparison favours it.
//!
//! Run with `cargo bench -p ftp-proto --bench listing`; the ratio is the suppaftp time over ours.
//!
//! Measured 2026-11-22 on the shared 2-core development machine (load average about 15, so
//! the absolute times are inflated; both parsers ran in the same run):
//!
//! | listing, 1,000,000 lines | ftp-proto | suppaftp 12.2.1 | ratio |
//! |---|---|---|---|
//! | MLSD | 1.29 s | 3.87 s | 3.0x |
//! | Unix LIST | 0.63 s | 6.28 s | 10.0x |
//!
//! MLSD falls short of the 5x aim: suppaftp's MLSD parser is a plain split (no regex), and
//! ours also splits the lines, checks every fact name and keeps one owned entry a line.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::str::FromStr;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ftp_proto::listing::{ListParser, ListingLimits, MlsdParser};

const LINES: usize = 1_000_000;
const CHUNK: usize = 64 * 1024;

fn name(i: usize) -> String {
    match i % 10 {
        0 => format!("name with spaces {i}.dat"),
        1 => format!("caf\u{e9}-{i}.txt"),
        2 => format!("dir-{i}"),
        _ => format!("file-{i}.txt"),
    }
}

fn mlsd_listing() -> Vec<u8> {
    let mut out = Vec::with_capacity(LINES * 110);
    for i in 0..LINES {
        let kind = if i % 10 == 2 { "dir" } else { "file" };
        out.extend_from_slice(
            format!(
                "type={kind};size={};modify=20261122{:02}{:02}28;UNIX.mode=0644;UNIX.uid=1001;UNIX.gid=1001;unique=fe00g{i:x}; {}\r\n",
                i * 37 % 1_000_003,
                i % 24,
                i % 60,
                name(i)
            )
            .as_bytes(),
        );
    }
    out
}

fn list_listing() -> Vec<u8> {
    let mut out = Vec::with_capacity(LINES * 80);
    for i in 0..LINES {
        let mode = if i % 10 == 2 {
            "drwxr-xr-x"
        } else {
            "-rw-r--r--"
        };
        let date = if i % 3 == 0 {
            "Jun 15  2025".to_owned()
        } else {
            format!("Nov 22 {:02}:{:02}", i % 24, i % 60)
        };
        out.extend_from_slice(
            format!(
                "{mode}    1 1001     ftpuser  {:>10} {date} {}\r\n",
                i * 37 % 1_000_003,
                name(i)
            )
            .as_bytes(),
        );
    }
    out
}

fn ours_mlsd(data: &[u8]) -> usize {
    let mut parser = MlsdParser::new(ListingLimits::default());
    let mut count = 0;
    for chunk in data.chunks(CHUNK) {
        parser.push(chunk);
        while let Some(entry) = parser.next_entry() {
            let entry = entry.expect("valid line");
            black_box((entry.name(), entry.facts().size(), entry.facts().modify()));
            count += 1;
        }
    }
    while parser.finish().is_some() {
        count += 1;
    }
    count
}

fn ours_list(data: &[u8]) -> usize {
    let mut parser = ListParser::new(ListingLimits::default());
    let mut count = 0;
    for chunk in data.chunks(CHUNK) {
        parser.push(chunk);
        while let Some(entry) = parser.next_entry() {
            let entry = entry.expect("no over-long line");
            assert!(!matches!(entry, ftp_proto::ListEntry::Unparsed(_)));
            black_box((entry.name(), entry.size(), entry.modified()));
            count += 1;
        }
    }
    while parser.finish().is_some() {
        count += 1;
    }
    count
}

fn suppaftp_lines(lines: &[&str]) -> usize {
    let mut count = 0;
    for line in lines {
        let file = suppaftp::list::File::from_str(line).expect("suppaftp parses the line");
        black_box((file.name(), file.size(), file.modified()));
        count += 1;
    }
    count
}

fn split_lines(data: &[u8]) -> Vec<&str> {
    std::str::from_utf8(data)
        .expect("generated listings are UTF-8")
        .lines()
        .collect()
}

fn bench(c: &mut Criterion) {
    let mlsd = mlsd_listing();
    let list = list_listing();
    let mlsd_lines = split_lines(&mlsd);
    let list_lines = split_lines(&list);
    // Both parsers read every line before anything is timed.
    assert_eq!(ours_mlsd(&mlsd), LINES);
    assert_eq!(ours_list(&list), LINES);
    assert_eq!(suppaftp_lines(&mlsd_lines[..10_000]), 10_000);
    assert_eq!(suppaftp_lines(&list_lines[..10_000]), 10_000);

    let mut group = c.benchmark_group("mlsd_1m_lines");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("ftp_proto", |b| b.iter(|| ours_mlsd(black_box(&mlsd))));
    group.bench_function("suppaftp", |b| {
        b.iter(|| suppaftp_lines(black_box(&mlsd_lines)))
    });
    group.finish();

    let mut group = c.benchmark_group("unix_list_1m_lines");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("ftp_proto", |b| b.iter(|| ours_list(black_box(&list))));
    group.bench_function("suppaftp", |b| {
        b.iter(|| suppaftp_lines(black_box(&list_lines)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
