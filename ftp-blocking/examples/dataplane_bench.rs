//! Throughput of each data-plane path over loopback TCP, with a file in the page cache.
//!
//! ```text
//! cargo run --release -p ftp-blocking --example dataplane_bench -- [MiB] [rounds] [dir] [download-dir]
//! ```
//!
//! Defaults: a 1024 MiB file, 5 rounds, the system temporary directory (for the download
//! target too, unless `download-dir` names another, such as a tmpfs to keep disk writeback
//! out of the download figures). The file is written
//! once (and flushed to disk so that writeback does not run during the measurements), every
//! path runs once per round with the paths interleaved, and the medians are printed with their
//! ratio to the fastest path of the direction and to a raw read/write loop with a 1 MiB buffer
//! (the reference: what ftplib with 1 MiB blocks or `socat -b 1048576` do). The peer is a thread
//! of this process that reads into (or writes from) a 1 MiB buffer in memory. The file and the
//! download target are deleted at the end. Beside the throughput it prints the CPU time the
//! client thread spent per GiB (`/proc/thread-self/stat`), which a busy machine disturbs far
//! less than wall-clock time.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use ftp_blocking::data::{DataOptions, Method, download_file_with, upload_file_with};

const MIB: usize = 1 << 20;
const IDLE: Duration = Duration::from_secs(60);
const BIG_SOCKET_BUFFER: usize = 4 * MIB;

#[derive(Clone, Copy, Debug)]
enum Path_ {
    /// Plain `read`/`write` with a 1 MiB buffer and nothing else: the reference.
    Raw1M,
    Copy(usize),
    ZeroCopy,
    /// With `SO_SNDBUF`/`SO_RCVBUF` of [`BIG_SOCKET_BUFFER`] on the client socket.
    CopyBigSockBuf(usize),
    ZeroCopyBigSockBuf,
}

impl Path_ {
    fn name(self) -> String {
        match self {
            Path_::Raw1M => "raw read/write, 1 MiB buffer".into(),
            Path_::Copy(n) => format!("data::copy, {} KiB buffer", n / 1024),
            Path_::ZeroCopy => "zero-copy (sendfile up / splice down)".into(),
            Path_::CopyBigSockBuf(n) => format!("data::copy {} KiB + 4 MiB SO_*BUF", n / 1024),
            Path_::ZeroCopyBigSockBuf => "zero-copy + 4 MiB SO_*BUF".into(),
        }
    }
}

const PATHS: [Path_; 7] = [
    Path_::Raw1M,
    Path_::Copy(64 * 1024),
    Path_::Copy(256 * 1024),
    Path_::Copy(MIB),
    Path_::ZeroCopy,
    Path_::CopyBigSockBuf(MIB),
    Path_::ZeroCopyBigSockBuf,
];

/// CPU seconds (user + system) used so far by the calling thread, from
/// `/proc/thread-self/stat` (clock ticks, normally 100 per second).
fn thread_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall-clock seconds and the client thread's CPU seconds of one run.
#[derive(Clone, Copy)]
struct Run {
    wall: f64,
    cpu: f64,
}

fn connected_pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let c = TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
    let (s, _) = l.accept().expect("accept");
    (c, s)
}

fn big_buffers(s: &TcpStream, path: Path_) {
    if matches!(path, Path_::CopyBigSockBuf(_) | Path_::ZeroCopyBigSockBuf) {
        ftp_blocking::net::set_buffer_sizes(s, BIG_SOCKET_BUFFER).expect("SO_*BUF");
    }
}

/// Uploads `src` with `path`; returns the seconds until the peer has read every byte.
fn upload(src: &Path, len: u64, path: Path_) -> Run {
    let (client, mut server) = connected_pair();
    big_buffers(&client, path);
    let peer = thread::spawn(move || {
        let mut buf = vec![0u8; MIB];
        let mut total = 0u64;
        loop {
            match server.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => total += n as u64,
                Err(e) => panic!("peer read: {e}"),
            }
        }
        total
    });
    let mut file = File::open(src).expect("open source");
    let cpu0 = thread_cpu();
    let start = Instant::now();
    let sent = match path {
        Path_::Raw1M => {
            let mut buf = vec![0u8; MIB];
            let mut sock = &client;
            let mut total = 0u64;
            loop {
                let n = file.read(&mut buf).expect("read file");
                if n == 0 {
                    break;
                }
                sock.write_all(&buf[..n]).expect("write socket");
                total += n as u64;
            }
            total
        }
        Path_::Copy(b) | Path_::CopyBigSockBuf(b) => upload_file_with(
            Method::Copy,
            &mut file,
            &client,
            DataOptions::new(IDLE).buffer_size(b),
        )
        .expect("copy upload"),
        Path_::ZeroCopy | Path_::ZeroCopyBigSockBuf => {
            upload_file_with(Method::ZeroCopy, &mut file, &client, DataOptions::new(IDLE))
                .expect("sendfile upload")
        }
    };
    client
        .shutdown(std::net::Shutdown::Write)
        .expect("shutdown");
    let cpu = thread_cpu() - cpu0;
    let got = peer.join().expect("peer");
    let wall = start.elapsed().as_secs_f64();
    assert_eq!((sent, got), (len, len), "{path:?} moved the wrong amount");
    Run { wall, cpu }
}

/// Downloads `len` bytes into `dst` with `path`; returns the seconds until the client has the
/// last byte in the file.
fn download(dst: &Path, len: u64, path: Path_) -> Run {
    let (client, mut server) = connected_pair();
    big_buffers(&client, path);
    let peer = thread::spawn(move || {
        let buf = vec![0x5au8; MIB];
        let mut left = len;
        while left > 0 {
            let n = left.min(MIB as u64) as usize;
            server.write_all(&buf[..n]).expect("peer write");
            left -= n as u64;
        }
    });
    let mut file = File::create(dst).expect("create target");
    let cpu0 = thread_cpu();
    let start = Instant::now();
    let got = match path {
        Path_::Raw1M => {
            let mut buf = vec![0u8; MIB];
            let mut sock = &client;
            let mut total = 0u64;
            loop {
                let n = sock.read(&mut buf).expect("read socket");
                if n == 0 {
                    break;
                }
                file.write_all(&buf[..n]).expect("write file");
                total += n as u64;
            }
            total
        }
        Path_::Copy(b) | Path_::CopyBigSockBuf(b) => download_file_with(
            Method::Copy,
            &client,
            &mut file,
            DataOptions::new(IDLE).buffer_size(b),
        )
        .expect("copy download"),
        Path_::ZeroCopy | Path_::ZeroCopyBigSockBuf => {
            download_file_with(Method::ZeroCopy, &client, &mut file, DataOptions::new(IDLE))
                .expect("splice download")
        }
    };
    let wall = start.elapsed().as_secs_f64();
    let cpu = thread_cpu() - cpu0;
    peer.join().expect("peer");
    assert_eq!(got, len, "{path:?} moved the wrong amount");
    drop(file);
    // Drop the dirty pages now rather than during the next measurement.
    File::create(dst).expect("truncate target");
    Run { wall, cpu }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn report(title: &str, len: u64, runs: &[Vec<Run>]) {
    let gib = len as f64 / f64::from(1u32 << 30);
    let mbps: Vec<f64> = runs
        .iter()
        .map(|r| len as f64 / median(&mut r.iter().map(|x| x.wall).collect::<Vec<_>>()) / 1e6)
        .collect();
    let cpu: Vec<f64> = runs
        .iter()
        .map(|r| median(&mut r.iter().map(|x| x.cpu).collect::<Vec<_>>()) / gib)
        .collect();
    let fastest = mbps.iter().copied().fold(0.0, f64::max);
    let raw = mbps[0];
    println!("\n{title} (medians of {} runs)", runs[0].len());
    println!(
        "{:<42} {:>8} {:>11} {:>10} {:>15}",
        "path", "MB/s", "vs fastest", "vs raw 1M", "client CPU s/GiB"
    );
    for ((p, m), c) in PATHS.iter().zip(&mbps).zip(&cpu) {
        println!(
            "{:<42} {:>8.0} {:>11.2} {:>10.2} {:>15.2}",
            p.name(),
            m,
            m / fastest,
            m / raw,
            c
        );
    }
}

struct Cleanup(Vec<PathBuf>);
impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mib: u64 = args.next().map_or(1024, |s| s.parse().expect("MiB"));
    let rounds: usize = args.next().map_or(5, |s| s.parse().expect("rounds"));
    let dir: PathBuf = args.next().map_or_else(std::env::temp_dir, PathBuf::from);
    let len = mib * MIB as u64;
    let src = dir.join(format!("ftp-blocking-bench-{}.src", std::process::id()));
    let dst_dir: PathBuf = args.next().map_or_else(|| dir.clone(), PathBuf::from);
    let dst = dst_dir.join(format!("ftp-blocking-bench-{}.dst", std::process::id()));
    let _cleanup = Cleanup(vec![src.clone(), dst.clone()]);

    println!("writing {mib} MiB to {} ...", src.display());
    {
        let mut f = File::create(&src).expect("create source");
        let mut block = vec![0u8; MIB];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..mib {
            for chunk in block.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
            }
            f.write_all(&block).expect("write source");
        }
        f.sync_all().expect("sync source");
    }
    // Read it once so that it is surely in the page cache.
    let mut warm = File::open(&src).expect("open source");
    std::io::copy(&mut warm, &mut std::io::sink()).expect("warm the page cache");

    let mut up: Vec<Vec<Run>> = vec![Vec::new(); PATHS.len()];
    let mut down: Vec<Vec<Run>> = vec![Vec::new(); PATHS.len()];
    for round in 0..rounds {
        for (i, p) in PATHS.iter().enumerate() {
            up[i].push(upload(&src, len, *p));
            down[i].push(download(&dst, len, *p));
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }
    report(
        &format!("upload: file -> loopback TCP, {mib} MiB"),
        len,
        &up,
    );
    report(
        &format!("download: loopback TCP -> file, {mib} MiB"),
        len,
        &down,
    );
}
