//! PROT P download throughput of this client against curl's FTPS, on the same server and file,
//! in one run, interleaved, medians.
//!
//! ```text
//! scripts/real-servers.sh start DIR && set -a && . DIR/servers.env && set +a
//! cargo run --release -p ftp-blocking --example ftps_bench -- [MiB] [rounds]
//! ```
//!
//! Uses vsftpd from `servers.env` (`FTP_VSFTPD_*`, `FTP_CA_FILE`), TLS 1.3 on both sides. The
//! file (default 1024 MiB) is written once into the vsftpd user's home and read once so that
//! it sits in the page cache; then each round runs
//! `curl --ssl-reqd --tlsv1.3 --cacert CA -o /dev/null ftp://USER:PASS@127.0.0.1:PORT/FILE`
//! and this client (`tls()` + login + `prot_p()` + `retr().copy_to(sink)`, a 1 MiB buffer
//! through rustls), one after the other, each timed whole (connection, TLS, login, transfer).
//! It prints each run, the medians (default 3 rounds) and the ratio ours / curl. The file is
//! deleted at the end.

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use ftp_blocking::Ftp;
use ftp_blocking::tls::TlsConfig;

const MIB: u64 = 1 << 20;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("{name} is not set: source the servers.env of scripts/real-servers.sh start");
        std::process::exit(2)
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mib: u64 = args.next().map_or(Ok(1024), |s| s.parse())?;
    let rounds: usize = args.next().map_or(Ok(3), |s| s.parse())?;
    let addr: std::net::SocketAddr = env("FTP_VSFTPD_ADDR").parse()?;
    let user = env("FTP_VSFTPD_USER");
    let password = env("FTP_VSFTPD_PASSWORD");
    let home = PathBuf::from(env("FTP_VSFTPD_HOME"));
    let ca = PathBuf::from(env("FTP_CA_FILE"));
    let name = "ftps-bench.bin";
    let path = home.join(name);
    let size = mib * MIB;

    // The file, then one read so that it is in the page cache.
    {
        let mut f = std::fs::File::create(&path)?;
        let block: Vec<u8> = (0..MIB).map(|i| (i * 131 % 251) as u8).collect();
        for _ in 0..mib {
            std::io::Write::write_all(&mut f, &block)?;
        }
    }
    let mut warm = std::fs::File::open(&path)?;
    let mut buf = vec![0u8; MIB as usize];
    while warm.read(&mut buf)? != 0 {}
    // vsftpd runs as the user (chrooted): the file must be readable by it.
    let _ = Command::new("chmod").arg("644").arg(&path).status();

    let tls = TlsConfig::builder()
        .system_roots(false)
        .add_ca_file(&ca)?
        .protocol_versions(&[&rustls::version::TLS13])
        .build()?;
    let url = format!("ftp://{user}:{password}@127.0.0.1:{}/{name}", addr.port());
    let (mut ours, mut curl) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let t = Instant::now();
        let status = Command::new("curl")
            .args(["-s", "--ssl-reqd", "--tlsv1.3", "--cacert"])
            .arg(&ca)
            .args(["-o", "/dev/null", "-w", "%{size_download}"])
            .arg(&url)
            .output()?;
        let curl_secs = t.elapsed().as_secs_f64();
        let got: u64 = String::from_utf8_lossy(&status.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        if !status.status.success() || got != size {
            return Err(format!("curl failed: {status:?}").into());
        }

        let t = Instant::now();
        let mut ftp = Ftp::builder()
            .timeout(Duration::from_secs(60))
            .tls(tls.clone())
            .connect("127.0.0.1", addr.port())?;
        ftp.login(&user, &password, "")?;
        ftp.prot_p()?;
        let mut r = ftp.retr(name, None)?;
        let n = r.copy_to(&mut std::io::sink())?;
        r.finish()?;
        ftp.quit()?;
        let our_secs = t.elapsed().as_secs_f64();
        if n != size {
            return Err(format!("ours got {n} bytes of {size}").into());
        }
        let mbs = |s: f64| size as f64 / 1e6 / s;
        println!(
            "round {round}: curl {:.0} MB/s, ftp-blocking {:.0} MB/s",
            mbs(curl_secs),
            mbs(our_secs)
        );
        curl.push(mbs(curl_secs));
        ours.push(mbs(our_secs));
    }
    std::fs::remove_file(&path)?;
    let (c, o) = (median(curl), median(ours));
    println!(
        "vsftpd TLS 1.3 PROT P download of {mib} MiB, medians of {rounds}: curl {c:.0} MB/s, \
         ftp-blocking {o:.0} MB/s, ratio {:.2}",
        o / c
    );
    Ok(())
}
