//! The benchmark clients that `scripts/bench.sh` runs, one operation per process so that its
//! CPU time and peak RSS can be measured alone (`getrusage` of the child).
//!
//! ```text
//! ftp-bench CLIENT OP HOST PORT USER PASSWORD [--tls CA_FILE] [--sha256] ARGS...
//!
//! CLIENT  ours | suppaftp
//! OP      get REMOTE PATH           ours: download_file into the local file PATH
//!         read REMOTE               ours: retr() as a Read, std::io::copy into a sink
//!         callback REMOTE BLOCK     ours: retrbinary with blocks of BLOCK bytes
//!         stream REMOTE             suppaftp: retr_as_stream, std::io::copy into a sink
//!         put LOCAL REMOTE          ours: upload_file (sendfile); suppaftp: put_file
//!         write LOCAL REMOTE        ours: stor() as a Write, std::io::copy from the file
//!         storbinary LOCAL REMOTE BLOCK   ours: storbinary with blocks of BLOCK bytes
//!         many DIR COUNT LOCALDIR   DIR/f0001.bin ... into LOCALDIR, one session
//!         mlsd DIR | list DIR       the listing, each entry parsed, counted (never collected
//!                                   by ours; suppaftp collects the lines, then parses each)
//! ```
//!
//! Prints `bytes=N` (or `files=N`, `entries=N`) and with `--sha256` also `sha256=HEX` of the
//! data read, so the harness checks that a run moved what it should. Exits 1 on any failure.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use ftp_blocking::tls::TlsConfig;
use ftp_blocking::{Ftp, TransferOptions};
use sha2::{Digest, Sha256};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Where downloaded bytes go when no file is asked for: counted, and hashed with `--sha256`.
struct Sink {
    bytes: u64,
    hash: Option<Sha256>,
}

impl Sink {
    fn new(hash: bool) -> Sink {
        Sink {
            bytes: 0,
            hash: hash.then(Sha256::new),
        }
    }

    fn take(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        if let Some(h) = self.hash.as_mut() {
            h.update(chunk);
        }
    }

    fn report(self) {
        println!("bytes={}", self.bytes);
        if let Some(h) = self.hash {
            let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            println!("sha256={hex}");
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.take(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Session {
    host: String,
    port: u16,
    user: String,
    password: String,
    tls: Option<String>,
    sha256: bool,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("ftp-bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Res<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut tls = None;
    let mut sha256 = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--tls" if i + 1 < args.len() => {
                tls = Some(args.remove(i + 1));
                args.remove(i);
            }
            "--sha256" => {
                sha256 = true;
                args.remove(i);
            }
            _ => i += 1,
        }
    }
    if args.len() < 6 {
        return Err("usage: ftp-bench ours|suppaftp OP HOST PORT USER PASSWORD [--tls CA] [--sha256] ARGS... (see the source)".into());
    }
    let rest = args.split_off(6);
    let s = Session {
        host: args[2].clone(),
        port: args[3].parse()?,
        user: args[4].clone(),
        password: args[5].clone(),
        tls,
        sha256,
    };
    match args[0].as_str() {
        "ours" => ours(&s, &args[1], &rest),
        "suppaftp" => suppa(&s, &args[1], &rest),
        other => Err(format!("unknown client {other}").into()),
    }
}

fn arg<'a>(rest: &'a [String], i: usize, what: &str) -> Res<&'a str> {
    rest.get(i)
        .map(String::as_str)
        .ok_or_else(|| format!("missing {what}").into())
}

fn small_name(i: usize) -> String {
    format!("f{i:04}.bin")
}

fn ours(s: &Session, op: &str, rest: &[String]) -> Res<()> {
    let mut builder = Ftp::builder().timeout(Duration::from_secs(60));
    if let Some(ca) = &s.tls {
        let config = TlsConfig::builder()
            .system_roots(false)
            .add_ca_file(Path::new(ca))?
            .build()?;
        builder = builder.tls(config);
    }
    let mut ftp = builder.connect(&s.host, s.port)?;
    ftp.login(&s.user, &s.password, "")?;
    if s.tls.is_some() {
        ftp.prot_p()?;
    }
    match op {
        "get" => {
            let n = ftp.download_file(
                arg(rest, 0, "REMOTE")?,
                Path::new(arg(rest, 1, "PATH")?),
                TransferOptions::new(),
            )?;
            println!("bytes={n}");
        }
        "read" => {
            let mut sink = Sink::new(s.sha256);
            let mut reader = ftp.retr(arg(rest, 0, "REMOTE")?, None)?;
            io::copy(&mut reader, &mut sink)?;
            reader.finish()?;
            sink.report();
        }
        "callback" => {
            let block: usize = arg(rest, 1, "BLOCK")?.parse()?;
            let mut sink = Sink::new(s.sha256);
            let cmd = format!("RETR {}", arg(rest, 0, "REMOTE")?);
            ftp.retrbinary(&cmd, |chunk| sink.take(chunk), block, None)?;
            sink.report();
        }
        "put" => {
            let n = ftp.upload_file(
                Path::new(arg(rest, 0, "LOCAL")?),
                arg(rest, 1, "REMOTE")?,
                TransferOptions::new(),
            )?;
            println!("bytes={n}");
        }
        "write" => {
            let mut file = File::open(arg(rest, 0, "LOCAL")?)?;
            let mut writer = ftp.stor(arg(rest, 1, "REMOTE")?)?;
            let n = io::copy(&mut file, &mut writer)?;
            writer.finish()?;
            println!("bytes={n}");
        }
        "storbinary" => {
            let mut file = File::open(arg(rest, 0, "LOCAL")?)?;
            let block: usize = arg(rest, 2, "BLOCK")?.parse()?;
            let cmd = format!("STOR {}", arg(rest, 1, "REMOTE")?);
            let mut n = 0u64;
            let mut count = |b: &[u8]| n += b.len() as u64;
            ftp.storbinary(&cmd, &mut file, block, Some(&mut count), None)?;
            println!("bytes={n}");
        }
        "many" => {
            let dir = arg(rest, 0, "DIR")?;
            let count: usize = arg(rest, 1, "COUNT")?.parse()?;
            let local = Path::new(arg(rest, 2, "LOCALDIR")?);
            for i in 1..=count {
                let name = small_name(i);
                ftp.download_file(
                    &format!("{dir}/{name}"),
                    &local.join(&name),
                    TransferOptions::new(),
                )?;
            }
            println!("files={count}");
        }
        "mlsd" => {
            let mut n = 0u64;
            for entry in ftp.mlsd(arg(rest, 0, "DIR")?, &[])? {
                let entry = entry?;
                std::hint::black_box((entry.name_lossy().len(), entry.facts().size()));
                n += 1;
            }
            println!("entries={n}");
        }
        "list" => {
            let mut n = 0u64;
            for entry in ftp.list(arg(rest, 0, "DIR")?)? {
                std::hint::black_box(entry?);
                n += 1;
            }
            println!("entries={n}");
        }
        other => return Err(format!("unknown operation {other} for ours").into()),
    }
    ftp.quit()?;
    Ok(())
}

fn suppa(s: &Session, op: &str, rest: &[String]) -> Res<()> {
    if s.tls.is_some() {
        return Err("the suppaftp client here is built without TLS".into());
    }
    let mut ftp = suppaftp::FtpStream::connect((s.host.as_str(), s.port))?;
    ftp.login(s.user.as_str(), s.password.as_str())?;
    ftp.transfer_type(suppaftp::types::FileType::Binary)?;
    match op {
        "stream" => {
            let mut sink = Sink::new(s.sha256);
            let mut stream = ftp.retr_as_stream(arg(rest, 0, "REMOTE")?)?;
            io::copy(&mut stream, &mut sink)?;
            stream.finish()?;
            sink.report();
        }
        "put" => {
            let mut file = File::open(arg(rest, 0, "LOCAL")?)?;
            let n = ftp.put_file(arg(rest, 1, "REMOTE")?, &mut file)?;
            println!("bytes={n}");
        }
        "many" => {
            let dir = arg(rest, 0, "DIR")?;
            let count: usize = arg(rest, 1, "COUNT")?.parse()?;
            let local = Path::new(arg(rest, 2, "LOCALDIR")?);
            for i in 1..=count {
                let name = small_name(i);
                let mut out = File::create(local.join(&name))?;
                ftp.retr(&format!("{dir}/{name}"), |r| {
                    io::copy(r, &mut out).map_err(suppaftp::FtpError::ConnectionError)
                })?;
            }
            println!("files={count}");
        }
        "mlsd" | "list" => {
            let dir = Some(arg(rest, 0, "DIR")?);
            let lines = if op == "mlsd" {
                ftp.mlsd(dir)?
            } else {
                ftp.list(dir)?
            };
            let mut n = 0u64;
            for line in &lines {
                let file = suppaftp::list::File::from_str(line)
                    .map_err(|e| format!("suppaftp cannot parse {line:?}: {e:?}"))?;
                std::hint::black_box((file.name().len(), file.size()));
                n += 1;
            }
            println!("entries={n}");
        }
        other => return Err(format!("unknown operation {other} for suppaftp").into()),
    }
    ftp.quit()?;
    Ok(())
}
