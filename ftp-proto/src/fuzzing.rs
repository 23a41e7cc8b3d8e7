//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not a stable API).
//!
//! Each function takes the fuzzer's bytes, never panics on them unless a property of the
//! codec is broken, and checks that property with `assert!`.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::command::{Arg, Command, Password, ProtLevel, RawCommand, TransferType};
use crate::framer::{FramerLimits, ReplyFramer};
use crate::parse;
use crate::reply::{Reply, ReplyCode};
use crate::timestamp::Timestamp;

/// Feeds the bytes to two framers, one whole and one in chunks chosen by the input, and checks
/// that they agree, that every reply respects the limits, that each reply re-encodes to bytes
/// that frame to the same reply, and that the framer's storage stays bounded.
pub fn framer(data: &[u8]) {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let limits = if mode & 1 == 1 {
        FramerLimits {
            max_line_len: usize::from(mode >> 1) % 48 + 1,
            max_reply_len: usize::from(mode >> 1) * 3 + 8,
        }
    } else {
        FramerLimits::default()
    };
    let mut whole = ReplyFramer::new(limits);
    whole.push(data);
    let want: Vec<_> = std::iter::from_fn(|| whole.next_reply()).collect();

    let mut chunked = ReplyFramer::new(limits);
    let mut got = Vec::new();
    let mut rest = data;
    let mut seed = u32::from(mode).wrapping_mul(2_654_435_761) | 1;
    while !rest.is_empty() {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = (seed as usize % 19).min(rest.len());
        chunked.push(&rest[..n]);
        rest = &rest[n..];
        assert!(chunked.held_bytes() <= limits.max_line_len + limits.max_reply_len + 256);
        got.extend(std::iter::from_fn(|| chunked.next_reply()));
    }
    assert_eq!(got, want);
    assert_eq!(chunked.buffered_len(), whole.buffered_len());

    for reply in want.into_iter().flatten() {
        let mut wire = Vec::new();
        reply.encode(&mut wire);
        assert!(wire.len() <= limits.max_reply_len + reply.line_count());
        for line in reply.lines() {
            assert!(line.len() <= limits.max_line_len);
            assert!(!line.contains(&b'\n'));
        }
        // CRLF may be longer than the bare LF the reply came with.
        let relaxed = FramerLimits {
            max_reply_len: limits.max_reply_len + reply.line_count(),
            ..limits
        };
        let mut again = ReplyFramer::new(relaxed);
        again.push(&wire);
        assert_eq!(again.next_reply(), Some(Ok(reply)));
        assert_eq!(again.next_reply(), None);
        assert_eq!(again.buffered_len(), 0);
    }
}

/// Frames the bytes and runs every reply parser on each reply, then on the bytes taken as the
/// lines of a reply with each parser's own code; checks what a successful parse returns.
pub fn reply_parsers(data: &[u8]) {
    let mut framer = ReplyFramer::default();
    framer.push(data);
    while let Some(frame) = framer.next_reply() {
        if let Ok(reply) = frame {
            run_parsers(&reply);
        }
    }
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let codes = [125, 150, 211, 213, 227, 229, 257];
    let code = ReplyCode::new(codes[usize::from(selector) % codes.len()]).expect("valid code");
    let lines = rest.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    run_parsers(&Reply::from_lines(code, lines));
}

fn run_parsers(reply: &Reply) {
    if parse::parse150(reply).is_some() {
        assert!(reply.code().as_u16() < 200);
    }
    if let Ok(addr) = parse::parse227(reply) {
        assert_eq!(reply.code(), ReplyCode::ENTERING_PASSIVE);
        let _ = addr;
    }
    if let Ok(port) = parse::parse229(reply) {
        assert_ne!(port, 0);
    }
    if let Ok(path) = parse::parse257(reply) {
        assert!(path.len() <= reply.first_text().len());
    }
    if let Ok(size) = parse::parse213_size(reply) {
        // The value is the first line that holds only digits: the last line's text in a
        // one-line reply, any line's (whole, or after the code) in a multi-line one.
        let printed = size.to_string();
        let found = reply.lines().any(|line| {
            [line, line.get(4..).unwrap_or_default()].iter().any(|t| {
                let text = String::from_utf8_lossy(t);
                let digits = text.trim_matches([' ', '\t']).trim_start_matches('0');
                printed == if digits.is_empty() { "0" } else { digits }
            })
        });
        assert!(found, "SIZE {printed} is not the digits of any line");
        if !reply.is_multiline() {
            let text = String::from_utf8_lossy(reply.text());
            let digits = text.trim_matches([' ', '\t']).trim_start_matches('0');
            assert_eq!(printed, if digits.is_empty() { "0" } else { digits });
        }
    }
    if let Ok(t) = parse::parse213_mdtm(reply) {
        let again = Reply::single(ReplyCode::FILE_STATUS, t.to_string());
        assert_eq!(parse::parse213_mdtm(&again), Ok(t));
    }
    if let Ok(features) = parse::parse_feat(reply) {
        assert!(features.len() <= reply.line_count());
        for (name, _) in features.iter() {
            assert!(!name.is_empty());
            assert!(features.contains(&String::from_utf8_lossy(name)) || !name.is_ascii());
        }
    }
}

/// Parses the bytes as a command line (which must not panic, and whose result must encode and
/// parse back to itself), then builds a command from the bytes and checks that encoding it
/// and parsing the line gives it back.
pub fn command_roundtrip(data: &[u8]) {
    if let Ok(cmd) = Command::parse(data) {
        check_roundtrip(&cmd);
    }
    if let Some(cmd) = command_from_bytes(data) {
        check_roundtrip(&cmd);
    }
}

fn check_roundtrip(cmd: &Command) {
    let line = cmd.to_bytes();
    assert!(line.ends_with(b"\r\n"));
    let body = &line[..line.len() - 2];
    assert!(
        !body.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)),
        "{cmd:?}"
    );
    let back = Command::parse(&line).expect("an encoded command parses");
    match cmd {
        // A raw command whose verb is known comes back typed; it must still say the same.
        Command::Raw(_) => assert_eq!(back.to_bytes(), line),
        _ => assert_eq!(&back, cmd),
    }
    assert_eq!(Command::parse(body).as_ref(), Ok(&back));
    let shown = cmd.to_string();
    if let Command::Pass(p) = cmd {
        assert_eq!(shown, "PASS ****");
        assert_eq!(format!("{p:?}"), "****");
    }
    if let Command::Acct(a) = cmd {
        assert_eq!(shown, "ACCT ****");
        assert_eq!(format!("{a:?}"), "****");
    }
}

/// A command chosen and filled by the bytes.
fn command_from_bytes(data: &[u8]) -> Option<Command> {
    let (&which, rest) = data.split_first()?;
    let clean: Vec<u8> = rest
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'\r' | b'\n' | 0))
        .collect();
    let arg = || Arg::try_from(clean.clone()).expect("CR, LF and NUL were removed");
    let opt = || (!clean.is_empty()).then(arg);
    let num = || {
        let mut n = [0u8; 8];
        for (slot, b) in n.iter_mut().zip(rest) {
            *slot = *b;
        }
        u64::from_le_bytes(n)
    };
    let byte = |i: usize| rest.get(i).copied().unwrap_or(0);
    Some(match which % 43 {
        0 => Command::User(arg()),
        1 => Command::Pass(Password::from(arg())),
        2 => Command::Acct(Password::from(arg())),
        3 => Command::Cwd(arg()),
        4 => Command::Cdup,
        5 => Command::Pwd,
        6 => Command::Mkd(arg()),
        7 => Command::Rmd(arg()),
        8 => Command::Dele(arg()),
        9 => Command::Rnfr(arg()),
        10 => Command::Rnto(arg()),
        11 => Command::Size(arg()),
        12 => Command::Mdtm(arg()),
        13 => {
            let n = num();
            let secs = (n % 253_402_300_800) as i64 - 62_167_219_200;
            let nanos = (n >> 40) as u32 % 1_000_000_000;
            Command::Mfmt(Timestamp::from_unix(secs, nanos)?, arg())
        }
        14 => Command::Type(if byte(0) & 1 == 0 {
            TransferType::Ascii
        } else {
            TransferType::Binary
        }),
        15 => Command::Pasv,
        16 => Command::Epsv,
        17 => Command::Port(SocketAddrV4::new(
            Ipv4Addr::new(byte(0), byte(1), byte(2), byte(3)),
            u16::from_le_bytes([byte(4), byte(5)]),
        )),
        18 => {
            let port = u16::from_le_bytes([byte(0), byte(1)]);
            if byte(2) & 1 == 0 {
                let ip = Ipv4Addr::new(byte(3), byte(4), byte(5), byte(6));
                Command::Eprt(SocketAddr::V4(SocketAddrV4::new(ip, port)))
            } else {
                let mut octets = [0u8; 16];
                for (i, slot) in octets.iter_mut().enumerate() {
                    *slot = byte(3 + i);
                }
                let ip = Ipv6Addr::from(octets);
                Command::Eprt(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, 0)))
            }
        }
        19 => Command::Rest(num()),
        20 => Command::Retr(arg()),
        21 => Command::Stor(arg()),
        22 => Command::Stou,
        23 => Command::Appe(arg()),
        24 => Command::List(opt()),
        25 => Command::Nlst(opt()),
        26 => Command::Mlsd(opt()),
        27 => Command::Mlst(opt()),
        28 => Command::Feat,
        29 => Command::Opts(arg()),
        30 => Command::Host(arg()),
        31 => Command::Auth(arg()),
        32 => Command::Pbsz(num()),
        33 => Command::Prot(
            [
                ProtLevel::Clear,
                ProtLevel::Safe,
                ProtLevel::Confidential,
                ProtLevel::Private,
            ][usize::from(byte(0) % 4)],
        ),
        34 => Command::Ccc,
        35 => Command::Abor,
        36 => Command::Noop,
        37 => Command::Syst,
        38 => Command::Stat(opt()),
        39 => Command::Site(arg()),
        40 => Command::Quit,
        _ => {
            let verb_len = usize::from(byte(0) % 16) + 1;
            let verb: String = rest
                .iter()
                .skip(1)
                .take(verb_len)
                .map(|b| char::from(b'A' + b % 26))
                .collect();
            if verb.is_empty() {
                return None;
            }
            let tail: Vec<u8> = clean.iter().skip(verb_len + 1).copied().collect();
            let arg = (byte(0) & 0x80 != 0).then(|| Arg::try_from(tail).expect("cleaned"));
            Command::Raw(RawCommand::new(&verb, arg).expect("letters only"))
        }
    })
}

/// The URL parser and the set-up a URL describes (fuzz target `url`): the bytes (lossy UTF-8)
/// as a URL. No panic; a parsed URL has a port, no CR/LF/NUL in any decoded part, prints
/// (password masked) to a URL that parses back to the same parts; its session's steps start
/// with one connect, every CWD argument is non-empty, and the request names the last segment.
pub fn url(data: &[u8]) {
    use crate::url::{FtpUrl, UrlError};
    use crate::url_session::{SetupStep, TlsMode, UrlRequest, UrlSession};

    let text = String::from_utf8_lossy(data);
    let url = match FtpUrl::parse(&text) {
        Ok(url) => url,
        Err(e) => {
            // Only the scheme may be quoted back.
            if let UrlError::UnsupportedScheme { scheme } = &e {
                assert!(text.to_ascii_lowercase().contains(scheme.as_str()));
            }
            let _ = e.to_string();
            return;
        }
    };
    assert_ne!(url.port(), 0);
    assert!(!url.host().is_empty());
    let clean = |b: &[u8]| !b.iter().any(|&c| matches!(c, b'\r' | b'\n' | 0));
    assert!(url.user().is_none_or(clean));
    assert!(url.password().is_none_or(clean));
    assert!(url.segments().iter().all(|s| clean(s)));
    let shown = url.to_string();
    if url.password().is_some() {
        assert!(shown.contains(":****@"), "{shown}");
    }
    let again = FtpUrl::parse(&shown).expect("a displayed URL parses");
    assert_eq!(
        (again.scheme(), again.host(), again.port(), again.user()),
        (url.scheme(), url.host(), url.port(), url.user())
    );
    assert_eq!(again.segments(), url.segments());
    assert_eq!(again.typecode(), url.typecode());
    assert_eq!(again.password().is_some(), url.password().is_some());
    let _ = format!("{url:?}");
    for tls in [TlsMode::None, TlsMode::Explicit, TlsMode::Implicit] {
        let session = UrlSession::new(&url, None, tls);
        let steps: Vec<_> = session.steps().collect();
        assert!(matches!(steps.first(), Some(SetupStep::Connect { .. })));
        assert_eq!(
            steps
                .iter()
                .filter(|s| matches!(s, SetupStep::Connect { .. }))
                .count(),
            1
        );
        for step in &steps {
            if let SetupStep::Cwd(dir) = step {
                assert!(!dir.is_empty() && clean(dir));
            }
        }
        if let UrlRequest::Retrieve { name, .. } = session.request() {
            assert_eq!(Some(name), url.segments().last().copied());
        }
        let _ = format!("{session:?}");
    }
}

/// The `.netrc` parser (fuzz target `netrc`): the bytes (lossy UTF-8) as a file. No panic; an
/// error names a line of the text; every entry can be looked up, a `machine` entry by its own
/// host; `Debug` never shows a password or account made of four or more ASCII letters and
/// digits unless the same text is in a host or login (as `Debug` prints them) or in a field
/// name. (Other secrets can coincide with escapes and punctuation of the printout.)
pub fn netrc(data: &[u8]) {
    use crate::netrc::Netrc;

    let text = String::from_utf8_lossy(data);
    let netrc = match Netrc::parse(&text) {
        Ok(netrc) => netrc,
        Err(e) => {
            assert!(e.line >= 1 && e.line <= text.split('\n').count());
            let _ = e.to_string();
            return;
        }
    };
    let debug = format!("{netrc:?}");
    let public: Vec<String> = netrc
        .entries()
        .iter()
        .flat_map(|e| [e.machine(), e.login()])
        .flatten()
        .map(|p| format!("{p:?}"))
        .collect();
    for entry in netrc.entries() {
        if let Some(host) = entry.machine() {
            assert!(netrc.names_host(host));
            assert!(netrc.lookup(host).is_some_and(|e| !e.is_default()));
        }
        if let Some(login) = entry.login() {
            let _ = netrc.lookup_login(entry.machine().unwrap_or("x"), login);
        }
        for secret in [entry.password(), entry.account()].into_iter().flatten() {
            let shown_elsewhere = public.iter().any(|p| p.contains(secret))
                || "NetrcEntry machine login password account Some None entries Netrc ****"
                    .contains(secret);
            let word = secret.len() >= 4 && secret.bytes().all(|b| b.is_ascii_alphanumeric());
            if word && !shown_elsewhere {
                assert!(!debug.contains(secret), "{debug}");
            }
        }
    }
    let _ = netrc.holds_private_password();
}

/// Drives the walk planner ([`crate::plan::WalkPlanner`]) through listings the input makes up,
/// with small limits taken from its first six bytes, and checks that it keeps every bound:
/// the bytes held never exceed the limit, every entry handed out has a safe relative path
/// (no empty, `.`, `..` component, no `/`, `\` or control character in a name) within the
/// name, path and depth limits, no more entries are handed out than the walk limit, and the
/// walk ends.
///
/// After the limits, each listing is a sequence of records: a tag byte (`0xFF` ends the
/// listing, `0xFE` fails it, `0xFD` is an unreadable line, `0xFC` a line that gives no entry,
/// else the low three bits pick the kind and bit 3 adds a `unique` fact), then a length byte
/// and that many name bytes (decoded lossily), then for a `unique` one byte. The end of the
/// input ends the open listing.
pub fn walk_planner(data: &[u8]) {
    use crate::listing::{EntryType, ListingError};
    use crate::plan::{Listed, WalkLimits, WalkPlanner, WalkStep};

    let Some((head, mut rest)) = data.split_first_chunk::<6>() else {
        return;
    };
    let limits = WalkLimits {
        max_depth: usize::from(head[0] % 8) + 1,
        max_name_len: usize::from(head[1] % 32) + 1,
        max_path_len: usize::from(head[2] % 128) + 1,
        max_entries_per_dir: usize::from(head[3] % 16) + 1,
        max_entries: u64::from(head[4] % 64) + 1,
        max_bytes_held: usize::from(head[5]) * 16 + 64,
    };
    let mut walk = WalkPlanner::new(if head[0] & 0x80 != 0 { "root" } else { "" }, limits);
    let mut handed = 0u64;
    let max_steps = 10_000 + 100 * data.len();
    for _ in 0..max_steps {
        assert!(walk.held_bytes() <= limits.max_bytes_held);
        match walk.next_step() {
            WalkStep::Done => {
                assert!(walk.is_done());
                return;
            }
            WalkStep::Entry(entry) => {
                handed += 1;
                assert!(handed <= limits.max_entries);
                assert!(entry.depth() <= limits.max_depth);
                assert!(entry.path().len() <= limits.max_path_len);
                assert!(entry.name().len() <= limits.max_name_len);
                assert_eq!(entry.relative_path().split('/').count(), entry.depth());
                for part in entry.relative_path().split('/') {
                    assert!(!part.is_empty() && part != "." && part != "..");
                    assert!(!part.contains(['\\']) && !part.contains(char::is_control));
                }
            }
            WalkStep::Error(_) | WalkStep::Listing => {}
            WalkStep::List(_) => loop {
                let Some((&tag, after)) = rest.split_first() else {
                    walk.handle_listing_end();
                    break;
                };
                rest = after;
                match tag {
                    0xFF => {
                        walk.handle_listing_end();
                        break;
                    }
                    0xFE => {
                        walk.handle_listing_failed();
                        break;
                    }
                    0xFD => {
                        if !walk.handle_bad_line(ListingError::LineTooLong { limit: 1 }) {
                            break;
                        }
                        continue;
                    }
                    0xFC => {
                        if !walk.handle_skipped() {
                            break;
                        }
                        continue;
                    }
                    _ => {}
                }
                let kind = match tag & 7 {
                    0 => EntryType::File,
                    1 | 2 => EntryType::Dir,
                    3 => EntryType::Symlink,
                    4 => EntryType::CurrentDir,
                    5 => EntryType::ParentDir,
                    _ => EntryType::Other(b"x".to_vec()),
                };
                let len = rest.first().map_or(0, |&n| usize::from(n % 48));
                rest = rest.get(1..).unwrap_or_default();
                let (name, after) = rest.split_at(len.min(rest.len()));
                rest = after;
                let name = String::from_utf8_lossy(name);
                let unique = if tag & 8 != 0 {
                    let u = rest.get(..1);
                    rest = rest.get(1..).unwrap_or_default();
                    u
                } else {
                    None
                };
                let mut listed = Listed::new(&name, kind);
                listed.unique = unique;
                if !walk.handle_listed(listed) {
                    break;
                }
                assert!(walk.held_bytes() <= limits.max_bytes_held);
            },
        }
    }
    panic!("the walk did not end in {max_steps} steps");
}

#[cfg(test)]
mod walk_planner_tests {
    #[test]
    fn walk_planner_fuzz_entry_runs_on_edge_inputs() {
        super::walk_planner(b"");
        super::walk_planner(&[0xFF; 64]);
        super::walk_planner(&[
            7, 31, 127, 15, 63, 0, 1, 3, b'a', b'b', b'c', 2, 1, b'd', 0xFF,
        ]);
        let mut deep = vec![0x87, 31, 127, 15, 63, 255];
        for _ in 0..200 {
            deep.extend_from_slice(&[9, 2, b'n', b'x', 0x41]);
        }
        super::walk_planner(&deep);
    }
}
