//! One large transfer, for measuring throughput and peak memory on a separate process:
//!
//! ```sh
//! cargo build --release -p ftp-blocking --example transfer
//! /usr/bin/time -v target/release/examples/transfer download 127.0.0.1 2121 USER PASS big.bin /dev/null
//! /usr/bin/time -v target/release/examples/transfer upload 127.0.0.1 2121 USER PASS up.bin gen:1073741824
//! ```
//!
//! `download HOST PORT USER PASS REMOTE LOCAL` copies REMOTE into the file LOCAL (`/dev/null`
//! works) with kernel zero-copy ([`RetrReader::copy_to_file`](ftp_blocking::RetrReader::copy_to_file)),
//! or through a 1 MiB buffer ([`RetrReader::copy_to`](ftp_blocking::RetrReader::copy_to)) when
//! `FTP_COPY=buffer` is set.
//! `upload HOST PORT USER PASS REMOTE LOCAL` stores the file LOCAL as REMOTE with `sendfile`
//! (or the buffer with `FTP_COPY=buffer`); `gen:BYTES` instead of LOCAL sends BYTES of
//! generated data through the buffer.
//! With `FTP_TLS_CA=ca.pem` the session is explicit FTPS with PROT P (certificates verified
//! against that CA; data connections resume the control session, through the buffer).
//! Prints the byte count, the seconds and MB/s (10^6 bytes per second) on one line.

use std::io::Read;
use std::time::Instant;

use ftp_blocking::Ftp;

/// Deterministic data without holding it: a xorshift stream of `left` bytes.
struct Generated {
    state: u64,
    left: u64,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for chunk in buf[..n].chunks_mut(8) {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            chunk.copy_from_slice(&self.state.to_le_bytes()[..chunk.len()]);
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn usage() -> ! {
    eprintln!("usage: transfer download|upload HOST PORT USER PASS REMOTE LOCAL|gen:BYTES");
    std::process::exit(2);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 7 {
        usage();
    }
    let buffered = std::env::var("FTP_COPY").is_ok_and(|v| v == "buffer");
    let port: u16 = args[2].parse()?;
    let mut ftp;
    if let Ok(ca) = std::env::var("FTP_TLS_CA") {
        let tls = ftp_blocking::TlsConfig::builder()
            .system_roots(false)
            .add_ca_file(ca)?
            .build()?;
        ftp = Ftp::builder().tls(tls).connect(&args[1], port)?;
        ftp.login_secure(&args[3], &args[4], "")?;
        ftp.prot_p()?;
    } else {
        ftp = Ftp::connect(&args[1], port)?;
        ftp.login(&args[3], &args[4], "")?;
    }
    let start = Instant::now();
    let bytes = match args[0].as_str() {
        "download" => {
            let mut out = std::fs::File::create(&args[6])?;
            let mut reader = ftp.retr(&args[5], None)?;
            let n = if buffered {
                reader.copy_to(&mut out)?
            } else {
                reader.copy_to_file(&mut out)?
            };
            reader.finish()?;
            n
        }
        "upload" => {
            let mut writer = ftp.stor(&args[5])?;
            let n = if let Some(len) = args[6].strip_prefix("gen:") {
                let mut input = Generated {
                    state: 0x9E37_79B9_7F4A_7C15,
                    left: len.parse()?,
                };
                writer.copy_from(&mut input)?
            } else {
                let mut file = std::fs::File::open(&args[6])?;
                if buffered {
                    writer.copy_from(&mut file)?
                } else {
                    writer.copy_from_file(&mut file)?
                }
            };
            writer.finish()?;
            n
        }
        _ => usage(),
    };
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{bytes} bytes in {secs:.3} s: {:.0} MB/s",
        bytes as f64 / secs / 1e6
    );
    ftp.quit()?;
    Ok(())
}
