//! Against a real server: the embedded libunftp server (passive, active with the PORT
//! fallback, listings, and 256 MiB both ways checked by hash).

use std::io::{Read, Write};

use ftp_blocking::{Ftp, FtpBuilder};
use ftp_testkit::embedded::EmbeddedServer;
use sha2::{Digest, Sha256};

fn session(server: &EmbeddedServer, builder: FtpBuilder) -> Ftp {
    let addr = server.addr();
    let mut ftp = builder
        .connect(&addr.ip().to_string(), addr.port())
        .expect("connect");
    ftp.login("tester", "secret", "").expect("login");
    ftp
}

fn builder() -> FtpBuilder {
    Ftp::builder().timeout(std::time::Duration::from_secs(30))
}

#[test]
fn libunftp_passive_upload_then_download_round_trips() {
    let server = EmbeddedServer::start().unwrap();
    let mut ftp = session(&server, builder());
    let data: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut w = ftp.stor("round.bin").unwrap();
    w.write_all(&data).unwrap();
    assert_eq!(w.finish().unwrap().code().as_u16(), 226);
    assert_eq!(
        std::fs::read(server.root().join("round.bin")).unwrap(),
        data
    );
    assert_eq!(ftp.size("round.bin").unwrap(), Some(data.len() as u64));
    let mut r = ftp.retr("round.bin", None).unwrap();
    let mut got = Vec::new();
    r.read_to_end(&mut got).unwrap();
    r.finish().unwrap();
    assert_eq!(got, data);
    let mut tail = Vec::new();
    ftp.retrbinary(
        "RETR round.bin",
        |c| tail.extend_from_slice(c),
        4096,
        Some(299_000),
    )
    .unwrap();
    assert_eq!(tail, &data[299_000..]);
    assert_eq!(ftp.quit().unwrap().code().as_u16(), 221);
}

#[test]
fn libunftp_zero_copy_file_paths_round_trip() {
    let server = EmbeddedServer::start().unwrap();
    let local = server.root().join("local-source.bin");
    let data: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(40503) >> 7) as u8)
        .collect();
    std::fs::write(&local, &data).unwrap();
    let mut ftp = session(&server, builder());

    let mut file = std::fs::File::open(&local).unwrap();
    let mut w = ftp.stor("sent.bin").unwrap();
    assert_eq!(w.copy_from_file(&mut file).unwrap(), data.len() as u64);
    w.finish().unwrap();
    assert_eq!(std::fs::read(server.root().join("sent.bin")).unwrap(), data);

    let back = server.root().join("received.bin");
    let mut out = std::fs::File::create(&back).unwrap();
    let mut r = ftp.retr("sent.bin", None).unwrap();
    assert_eq!(r.copy_to_file(&mut out).unwrap(), data.len() as u64);
    r.finish().unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), data);
    ftp.quit().unwrap();
}

#[test]
fn libunftp_active_mode_falls_back_to_port() {
    let server = EmbeddedServer::start().unwrap();
    std::fs::write(server.root().join("a.txt"), b"active mode works\n").unwrap();
    let mut ftp = session(&server, builder().passive(false));
    let mut got = Vec::new();
    ftp.retrbinary("RETR a.txt", |c| got.extend_from_slice(c), 8192, None)
        .unwrap();
    assert_eq!(got, b"active mode works\n");
    let mut up = &b"uploaded actively"[..];
    ftp.storbinary("STOR b.txt", &mut up, 8192, None, None)
        .unwrap();
    assert_eq!(
        std::fs::read(server.root().join("b.txt")).unwrap(),
        b"uploaded actively"
    );
    assert_eq!(ftp.nlst(&[]).unwrap().len(), 2);
    ftp.quit().unwrap();
}

#[test]
fn libunftp_listings_mlsd_list_nlst() {
    let server = EmbeddedServer::start().unwrap();
    std::fs::write(server.root().join("plain.txt"), vec![b'x'; 54]).unwrap();
    std::fs::write(server.root().join("file with spaces.txt"), b"s").unwrap();
    std::fs::create_dir(server.root().join("subdir")).unwrap();
    let mut ftp = session(&server, builder());

    let mut mlsd: Vec<(String, Option<u64>)> = ftp
        .mlsd("", &[])
        .unwrap()
        .map(|e| e.map(|e| (e.name_lossy().into_owned(), e.facts().size())))
        .collect::<Result<_, _>>()
        .unwrap();
    mlsd.sort();
    assert_eq!(mlsd[0].0, "file with spaces.txt");
    assert_eq!(mlsd[1], ("plain.txt".to_owned(), Some(54)));
    assert_eq!(mlsd[2].0, "subdir");

    let mut list: Vec<(String, Option<u64>)> = ftp
        .list("")
        .unwrap()
        .map(|e| {
            e.map(|e| {
                (
                    e.name_lossy().map(|n| n.into_owned()).unwrap_or_default(),
                    e.size(),
                )
            })
        })
        .collect::<Result<_, _>>()
        .unwrap();
    list.sort();
    assert_eq!(list.len(), 3);
    assert_eq!(list[1], ("plain.txt".to_owned(), Some(54)));

    let mut names = ftp.nlst(&[]).unwrap();
    names.sort();
    assert_eq!(names, ["file with spaces.txt", "plain.txt", "subdir"]);

    let mut lines = 0;
    ftp.dir(&[], |_| lines += 1).unwrap();
    assert_eq!(lines, 3);

    let facts = ftp.mlst("/plain.txt").unwrap();
    assert_eq!(facts.facts().size(), Some(54));
    ftp.quit().unwrap();
}

/// Deterministic bytes streamed in 1 MiB chunks: each chunk is a fixed pseudo-random block
/// rotated by the chunk number, so no two neighbouring chunks are equal and nothing large is
/// held.
struct Generated {
    block: Vec<u8>,
    chunk: usize,
    pos: usize,
    left: u64,
}

impl Generated {
    fn new(len: u64) -> Generated {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let block = (0..1 << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        Generated {
            block,
            chunk: 0,
            pos: 0,
            left: len,
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(self.block.len() - self.pos)
            .min(self.left as usize);
        // Two slice copies at most: the block read from `start`, wrapping around once.
        let len = self.block.len();
        let start = (self.pos + self.chunk * 4099) % len;
        let first = n.min(len - start);
        buf[..first].copy_from_slice(&self.block[start..start + first]);
        buf[first..n].copy_from_slice(&self.block[..n - first]);
        self.pos += n;
        if self.pos == self.block.len() {
            self.pos = 0;
            self.chunk += 1;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

struct HashingWriter(Sha256, u64);

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        self.1 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct HashingReader<R>(R, Sha256);

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1.update(&buf[..n]);
        Ok(n)
    }
}

#[test]
fn libunftp_256_mib_both_ways_checked_by_hash() {
    const SIZE: u64 = 256 << 20;
    let server = EmbeddedServer::start().unwrap();
    let mut ftp = session(&server, builder());

    let mut source = HashingReader(Generated::new(SIZE), Sha256::new());
    let mut w = ftp.stor("big.bin").unwrap();
    assert_eq!(w.copy_from(&mut source).unwrap(), SIZE);
    w.finish().unwrap();
    let sent = source.1.finalize();
    assert_eq!(
        std::fs::metadata(server.root().join("big.bin"))
            .unwrap()
            .len(),
        SIZE
    );

    let mut sink = HashingWriter(Sha256::new(), 0);
    let mut r = ftp.retr("big.bin", None).unwrap();
    assert_eq!(r.copy_to(&mut sink).unwrap(), SIZE);
    r.finish().unwrap();
    assert_eq!(sink.1, SIZE);
    assert_eq!(sink.0.finalize(), sent);
    ftp.quit().unwrap();
}
