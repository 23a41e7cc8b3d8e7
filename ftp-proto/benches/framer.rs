//! Framer throughput against a plain `memchr` newline scan of the same bytes.
//!
//! `cargo bench -p ftp-proto --bench framer`. The ratio the issue asks for is
//! (memchr scan time) / (framer time) on the same input, chunked in 4 KiB reads as a socket
//! would deliver them; criterion prints both throughputs. The scan visits every line end
//! (`memchr_iter`), which is the least any line splitter must do.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ftp_proto::{FramerLimits, ReplyFramer};
use std::hint::black_box;

/// `replies` multi-line replies of `lines` lines each, like a long STAT or HELP reply.
fn multiline_stream(replies: usize, lines: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for r in 0..replies {
        out.extend_from_slice(b"211-Status of the server follows\r\n");
        for l in 0..lines {
            out.extend_from_slice(
                format!(
                    " -rw-r--r--  1 ftp ftp  {:>10} Nov 22 05:05 file-{r:03}-{l:05}.dat\r\n",
                    l * 977
                )
                .as_bytes(),
            );
        }
        out.extend_from_slice(b"211 End of status\r\n");
    }
    out
}

/// Short one-line replies, as in a command dialogue.
fn short_stream(replies: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..replies {
        out.extend_from_slice(format!("200 Command {i} okay.\r\n").as_bytes());
    }
    out
}

fn frame(input: &[u8], chunk: usize) -> usize {
    let mut framer = ReplyFramer::new(FramerLimits::default());
    let mut n = 0;
    for c in input.chunks(chunk) {
        framer.push(c);
        while let Some(r) = framer.next_reply() {
            n += black_box(r).map_or(0, |r| r.line_count());
        }
    }
    n
}

/// Finds every line end, as any line splitter must: the baseline.
fn newline_scan(input: &[u8], chunk: usize) -> usize {
    let mut lines = 0;
    for c in input.chunks(chunk) {
        for i in memchr::memchr_iter(b'\n', c) {
            lines += 1;
            black_box(i);
        }
    }
    lines
}

/// Only counts line ends: `memchr_iter(..).count()` runs a dedicated counting kernel that
/// never yields a position, so it is a bound no splitter can reach; shown for reference.
fn newline_count(input: &[u8], chunk: usize) -> usize {
    input
        .chunks(chunk)
        .map(|c| memchr::memchr_iter(b'\n', c).count())
        .sum()
}

fn bench(c: &mut Criterion) {
    for (name, input) in [
        ("long multi-line replies", multiline_stream(16, 800)),
        ("short replies", short_stream(20_000)),
    ] {
        assert_eq!(frame(&input, 4096), newline_scan(&input, 4096));
        assert_eq!(newline_count(&input, 4096), newline_scan(&input, 4096));
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function("memchr newline count", |b| {
            b.iter(|| newline_count(black_box(&input), 4096))
        });
        group.bench_function("memchr newline scan", |b| {
            b.iter(|| newline_scan(black_box(&input), 4096))
        });
        group.bench_function("ReplyFramer", |b| b.iter(|| frame(black_box(&input), 4096)));
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
