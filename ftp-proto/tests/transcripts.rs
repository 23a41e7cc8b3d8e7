//! Replays the `S:` lines of real server transcripts (tests/transcripts/*.txt) through the
//! framer and the reply parsers.
//!
//! Consecutive `S:` lines form a block that holds one or more whole replies (a comment or a
//! `C:` line always falls between replies). Each block must frame without error and leave
//! nothing buffered; the whole dialogue fed as one stream, split at every offset of each
//! block, must give the same replies. Replies to PWD, MKD, PASV, EPSV, SIZE, MDTM, FEAT and
//! RETR must parse.

use ftp_proto::parse::{
    parse_feat, parse150, parse213_mdtm, parse213_size, parse227, parse229, parse257,
};
use ftp_proto::{Reply, ReplyCode, ReplyFramer, Timestamp};

/// A block of server lines and the command sent just before it.
struct Block {
    command: Option<String>,
    wire: Vec<u8>,
    lines: usize,
}

fn blocks(transcript: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut command = None;
    let mut current: Option<Block> = None;
    for line in transcript.lines() {
        if let Some(s) = line.strip_prefix("S: ") {
            let block = current.get_or_insert_with(|| Block {
                command: command.clone(),
                wire: Vec::new(),
                lines: 0,
            });
            block.wire.extend_from_slice(s.as_bytes());
            block.wire.extend_from_slice(b"\r\n");
            block.lines += 1;
        } else {
            out.extend(current.take());
            if let Some(c) = line.strip_prefix("C: ") {
                command = Some(c.to_owned());
            }
        }
    }
    out.extend(current);
    out
}

fn frame_all(wire: &[u8]) -> Vec<Reply> {
    let mut framer = ReplyFramer::default();
    framer.push(wire);
    let replies: Vec<Reply> = std::iter::from_fn(|| framer.next_reply())
        .map(|r| r.unwrap_or_else(|e| panic!("{e} in {:?}", String::from_utf8_lossy(wire))))
        .collect();
    assert_eq!(
        framer.buffered_len(),
        0,
        "{:?}",
        String::from_utf8_lossy(wire)
    );
    replies
}

/// Frames the block whole and split at every offset.
fn frame_block(block: &Block) -> Vec<Reply> {
    let replies = frame_all(&block.wire);
    assert_eq!(
        replies.iter().map(Reply::line_count).sum::<usize>(),
        block.lines
    );
    for split in 0..=block.wire.len() {
        let mut framer = ReplyFramer::default();
        framer.push(&block.wire[..split]);
        framer.push(&block.wire[split..]);
        let again: Vec<Reply> = std::iter::from_fn(|| framer.next_reply())
            .map(Result::unwrap)
            .collect();
        assert_eq!(again, replies, "split at {split}");
    }
    replies
}

/// What the transcript's replies to value-carrying commands parsed to.
#[derive(Default, Debug)]
struct Parsed {
    paths: Vec<Vec<u8>>,
    pasv_ports: Vec<u16>,
    epsv_ports: Vec<u16>,
    sizes: Vec<u64>,
    times: Vec<Timestamp>,
    features: Vec<ftp_proto::Features>,
    announced: Vec<u64>,
    replies: usize,
}

fn replay(name: &str) -> Parsed {
    let path = format!(
        "{}/tests/transcripts/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let blocks = blocks(&text);
    assert!(blocks.len() > 20, "{name}: only {} blocks", blocks.len());
    let mut parsed = Parsed::default();
    let mut whole = Vec::new();
    let mut all = Vec::new();
    for block in &blocks {
        whole.extend_from_slice(&block.wire);
        let replies = frame_block(block);
        let verb = block
            .command
            .as_deref()
            .and_then(|c| c.split(' ').next())
            .unwrap_or("")
            .to_ascii_uppercase();
        for reply in &replies {
            match (verb.as_str(), reply.code().as_u16()) {
                ("PWD" | "MKD", 257) => parsed.paths.push(parse257(reply).unwrap()),
                ("PASV", 227) => parsed.pasv_ports.push(parse227(reply).unwrap().port()),
                ("EPSV", 229) => parsed.epsv_ports.push(parse229(reply).unwrap()),
                ("SIZE", 213) => parsed.sizes.push(parse213_size(reply).unwrap()),
                ("MDTM", 213) => parsed.times.push(parse213_mdtm(reply).unwrap()),
                ("FEAT", 211) => parsed.features.push(parse_feat(reply).unwrap()),
                (_, 150) => parsed.announced.extend(parse150(reply)),
                _ => {}
            }
        }
        all.extend(replies);
    }
    assert_eq!(
        frame_all(&whole),
        all,
        "{name}: the whole dialogue frames the same"
    );
    parsed.replies = all.len();
    parsed
}

fn old_2025() -> Timestamp {
    Timestamp::new(2025, 6, 15, 8, 30, 0, 0).unwrap()
}

#[test]
fn vsftpd_transcript_frames_and_parses() {
    let p = replay("vsftpd");
    assert!(p.paths.contains(&br#"/capture-vsftpd/say "hi""#.to_vec()));
    assert!(p.paths.contains(&b"/capture-vsftpd/newdir".to_vec()));
    assert!(!p.pasv_ports.is_empty() && !p.epsv_ports.is_empty());
    assert!(p.sizes.contains(&54));
    assert!(p.times.contains(&old_2025()));
    assert!(p.features[0].contains("EPSV"));
    assert!(p.announced.contains(&54));
}

#[test]
fn pure_ftpd_transcript_frames_and_parses() {
    let p = replay("pure-ftpd");
    // pure-ftpd does not double the quotes of `say "hi"`.
    assert!(p.paths.contains(&br#"say "hi""#.to_vec()), "{:?}", p.paths);
    assert!(p.paths.contains(&b"newdir".to_vec()));
    assert!(p.paths.contains(&b"/".to_vec()));
    let f = &p.features[0];
    assert_eq!(
        f.params("MLST").unwrap(),
        b"type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;"
    );
    assert_eq!(f.params("rest"), Some(&b"STREAM"[..]));
    assert!(f.contains("AUTH") && f.contains("utf8"));
    assert!(p.sizes.contains(&54));
}

#[test]
fn pure_ftpd_multiline_greeting_is_one_reply() {
    let path = format!(
        "{}/tests/transcripts/pure-ftpd.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let greeting = blocks(&text).into_iter().next().unwrap();
    let replies = frame_block(&greeting);
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].code(), ReplyCode::READY);
    assert_eq!(replies[0].line_count(), 5);
    assert_eq!(
        replies[0].first_text(),
        b"--------- Welcome to Pure-FTPd [privsep] [TLS] ----------"
    );
}

#[test]
fn proftpd_transcript_frames_and_parses() {
    let p = replay("proftpd");
    assert!(p.paths.contains(&br#"/capture-proftpd/say "hi""#.to_vec()));
    assert!(p.times.contains(&old_2025()));
    // REST then RETR: proftpd announces what remains.
    assert!(p.announced.contains(&44), "{:?}", p.announced);
    assert!(p.features[0].contains("MLST"));
}

#[test]
fn pyftpdlib_transcript_frames_and_parses() {
    let p = replay("pyftpdlib");
    assert!(
        p.paths
            .contains(&br#"/capture-pyftpdlib/say "hi""#.to_vec())
    );
    assert!(p.features[0].contains("MLST"));
    assert!(!p.features[0].contains("MLSD"));
    assert!(p.sizes.contains(&54));
}

#[test]
fn libunftp_transcript_frames_and_parses() {
    let p = replay("libunftp");
    // libunftp leaves out the quotes after MKD but not after PWD.
    assert!(p.paths.contains(&br#"/capture-libunftp/say "hi""#.to_vec()));
    assert!(p.paths.contains(&b"/capture-libunftp/newdir".to_vec()));
    assert!(
        p.paths
            .contains(&b"/capture-libunftp/listing-samples".to_vec())
    );
    assert!(p.sizes.contains(&1_073_741_824));
    assert!(p.times.contains(&old_2025()));
    assert!(p.replies > 40);
}

#[test]
fn libunftp_stat_reply_with_unindented_continuation_lines() {
    let path = format!(
        "{}/tests/transcripts/libunftp.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let stat = blocks(&text)
        .into_iter()
        .find(|b| b.command.as_deref() == Some("STAT"))
        .expect("a STAT block");
    let replies = frame_block(&stat);
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].code(), ReplyCode::FEATURES);
    assert!(replies[0].text().starts_with(b"offset for REST"));
}
