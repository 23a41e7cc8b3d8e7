//! A small harness that plays a server script against the client state machine, so that
//! tests read like dialogues.
//!
//! A script is a list of lines; each starts with a tag:
//!
//! | tag | meaning |
//! |---|---|
//! | `S: text` | a server line (CRLF appended); consecutive `S:` lines are fed as one block |
//! | `S! bytes` | raw server bytes with `\r`, `\n`, `\xNN` escapes, no CRLF appended (joins the block) |
//! | `> request args` | a request (see [`Session::request`]); `> request => err Busy` expects a usage error |
//! | `D: event` | a data event: `connected ADDR`, `listening ADDR`, `accepted ADDR`, `finished N`, `unclean N` (TLS ended without close_notify), `failed KIND msg`, `input bytes`, `progress N` (raw bytes moved) |
//! | `L: event` | a TLS event: `secured`, `plain`, `failed msg` |
//! | `X: Timer` | the virtual clock moves to the earliest deadline, which must be the named timer's, and the core is told the time |
//! | `W: secs` | the virtual clock moves on by `secs` seconds and the core is told the time (timers due fire in deadline order) |
//! | `EOF` | the server closes the control connection |
//! | `C: line` | expected: the client sends this line (display form; PASS masked) |
//! | `A: action` | expected: an adapter action |
//! | `F: result` | expected: an operation finished |
//! | `E: entry` | expected: a listing entry event |
//! | `T: arm X` / `T: cancel X` | expected: a timer was armed (or its deadline moved) / disarmed by the step, listed after the step's other outputs in `Timer::ALL` order (only after `!timers`) |
//! | `R: code` | expected reply event (only after `!replies`) |
//!
//! After each input the outputs produced must be exactly the expectation lines that follow it,
//! in order. Every script is run with each `S:` block fed whole, byte by byte, and split in two
//! at every offset.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ftp_proto::client::{
    Action, Client, Config, DataEvent, DataFailure, DataSink, Error, Event, ListingItem, Op, OpId,
    Outcome, Output, ProtocolError, Timer, TlsEvent, TransferCommand, TransferRequest, UsageError,
};
use ftp_proto::{Arg, Command, Password, RawCommand, Timestamp, TransferType};

/// How `S:` blocks are cut into `handle_control_input` calls.
#[derive(Clone, Copy, Debug)]
pub enum Feed {
    /// One call per block.
    Whole,
    /// Chunks of this many bytes.
    Chunks(usize),
    /// Two calls, split at this offset (clamped to the block).
    Split(usize),
}

pub const LOCAL: &str = "127.0.0.1:50000";
pub const PEER: &str = "127.0.0.1:21";
pub const LOCAL6: &str = "[::1]:50000";
pub const PEER6: &str = "[::1]:21";

/// Turns `\r`, `\n`, `\t`, `\\` and `\xNN` escapes into bytes.
pub fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'x' => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                c => panic!("unknown escape \\{}", c as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// The id of a typed handle.
fn id<T>(op: Op<T>) -> OpId {
    op.id()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One rendering per output, as the script writes it.
pub fn render(out: &Output, flags: &Flags) -> Option<String> {
    Some(match out {
        Output::Send(t) => {
            // The bytes are the display form plus CRLF, except for a masked password or account.
            if let Some(verb) = ["PASS ", "ACCT "]
                .iter()
                .find(|v| t.display.starts_with(**v))
            {
                assert!(t.bytes.starts_with(verb.as_bytes()) && t.bytes.ends_with(b"\r\n"));
                assert_eq!(t.display, format!("{verb}****"));
            } else {
                assert_eq!(
                    t.bytes,
                    format!("{}\r\n", t.display).into_bytes(),
                    "bytes vs display"
                );
            }
            format!("C: {}", t.display)
        }
        Output::Action(a) => format!(
            "A: {}",
            match a {
                Action::ConnectData { addr } => format!("ConnectData {addr}"),
                Action::ListenData { ip } => format!("ListenData {ip}"),
                Action::AcceptData { from } => format!("AcceptData {from}"),
                Action::RejectDataPeer { peer } => format!("RejectDataPeer {peer}"),
                Action::SecureData => "SecureData".into(),
                Action::StartData {
                    announced_size: Some(n),
                } => format!("StartData {n}"),
                Action::StartData {
                    announced_size: None,
                } => "StartData -".into(),
                Action::CloseData => "CloseData".into(),
                Action::SecureControl => "SecureControl".into(),
                Action::ShutdownControlTls => "ShutdownControlTls".into(),
                Action::CloseAll => "CloseAll".into(),
            }
        ),
        Output::Event(Event::Reply(r)) => {
            if !flags.replies {
                return None;
            }
            format!("R: {}", r.code())
        }
        Output::Event(Event::Entry { entry, .. }) => format!("E: {}", render_entry(entry)),
        Output::Event(Event::EntryError { error, .. }) => format!("E: error {error}"),
        Output::Event(Event::Finished { result, .. }) => format!("F: {}", render_result(result)),
        Output::Idle => return None,
    })
}

pub fn render_entry(e: &ListingItem) -> String {
    match e {
        ListingItem::Line(l) => format!("line {}", lossy(l)),
        ListingItem::Name(n) => format!("name {}", lossy(n)),
        ListingItem::Mlsd(m) => format!(
            "mlsd {} {}",
            m.name_lossy(),
            m.facts()
                .kind()
                .map(|k| format!("{k:?}"))
                .unwrap_or_default()
        ),
        ListingItem::List(l) => format!("list {}", lossy(l.name().unwrap_or(b"?"))),
    }
}

pub fn render_result(r: &Result<Outcome, Error>) -> String {
    match r {
        Ok(o) => format!(
            "ok {}",
            match o {
                Outcome::Greeting(r) => format!("Greeting {}", r.code()),
                Outcome::LoggedIn(r) => format!("LoggedIn {}", r.code()),
                Outcome::Reply(r) => format!("Reply {}", r.code()),
                Outcome::Path { path, reply } => format!("Path {} {}", lossy(path), reply.code()),
                Outcome::Size { size: Some(n), .. } => format!("Size {n}"),
                Outcome::Size { size: None, reply } => format!("Size - {}", reply.code()),
                Outcome::Modified(t) => format!("Modified {t}"),
                Outcome::Facts(m) => format!("Facts {}", m.name_lossy()),
                Outcome::Features(f) => format!("Features {}", f.len()),
                Outcome::Transfer {
                    reply,
                    announced_size,
                } => format!(
                    "Transfer {} {}",
                    reply.code(),
                    announced_size.map_or("-".to_string(), |n| n.to_string())
                ),
                Outcome::Aborted { replies } => format!(
                    "Aborted {}",
                    replies
                        .iter()
                        .map(|r| r.code().to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                Outcome::Closed(Some(r)) => format!("Closed {}", r.code()),
                Outcome::Closed(None) => "Closed -".to_string(),
                Outcome::PassiveAddress { addr, reply } => {
                    format!("PassiveAddress {addr} {}", reply.code())
                }
                other => format!("{other:?}"),
            }
        ),
        Err(e) => format!("err {}", render_error(e)),
    }
}

pub fn render_error(e: &Error) -> String {
    match e {
        Error::Temporary(r) => format!("Temporary {}", r.code()),
        Error::Permanent(r) => format!("Permanent {}", r.code()),
        Error::UnexpectedReply(r) => format!("UnexpectedReply {}", r.code()),
        Error::Protocol(p) => format!(
            "Protocol {}",
            match p {
                ProtocolError::Frame(_) => "Frame".to_string(),
                ProtocolError::Malformed { reply, .. } => format!("Malformed {}", reply.code()),
                ProtocolError::MalformedFacts { reply, .. } => {
                    format!("MalformedFacts {}", reply.code())
                }
                ProtocolError::Listing(_) => "Listing".to_string(),
                ProtocolError::PlaintextInjection { .. } => "PlaintextInjection".to_string(),
                ProtocolError::AbortReply(r) => format!("AbortReply {}", r.code()),
                ProtocolError::ReplyDuringTlsChange(r) =>
                    format!("ReplyDuringTlsChange {}", r.code()),
                other => format!("{other:?}"),
            }
        ),
        Error::Timeout(t) => format!("Timeout {t:?}"),
        Error::ConnectionClosed => "ConnectionClosed".to_string(),
        Error::Data { kind, .. } => format!("Data {kind:?}"),
        Error::Tls(_) => "Tls".to_string(),
        Error::Aborted => "Aborted".to_string(),
        Error::Usage(u) => format!("Usage {}", render_usage(u)),
        other => format!("{other:?}"),
    }
}

pub fn render_usage(u: &UsageError) -> String {
    let s = format!("{u:?}");
    s.split([' ', '{', '(']).next().unwrap().to_string()
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Flags {
    pub timers: bool,
    pub replies: bool,
}

/// A client plus the bookkeeping the harness checks as it goes.
pub struct Session {
    pub client: Client,
    pub flags: Flags,
    pub feed: Feed,
    open_ops: HashSet<OpId>,
    finished_ops: HashSet<OpId>,
    /// Outputs not yet matched against expectations.
    pending: Vec<String>,
    /// Every output of the run, for debugging.
    pub log: Vec<String>,
    /// The virtual clock: the `now` of every input and request.
    pub now: Instant,
    /// The timers armed (with their deadlines) after the last drain.
    timers: Vec<(Timer, Option<Option<Instant>>)>,
}

impl Session {
    pub fn new(config: Config, feed: Feed) -> Session {
        Session {
            client: Client::new(config),
            flags: Flags::default(),
            feed,
            open_ops: HashSet::new(),
            finished_ops: HashSet::new(),
            pending: Vec::new(),
            log: Vec::new(),
            now: Instant::now(),
            timers: Timer::ALL.into_iter().map(|t| (t, None)).collect(),
        }
    }

    /// Each timer's state: `None` off, `Some(deadline)` armed (`Some(None)`: no deadline).
    fn timer_states(&self) -> Vec<(Timer, Option<Option<Instant>>)> {
        Timer::ALL
            .into_iter()
            .map(|t| {
                let state = self.client.is_armed(t).then(|| self.client.deadline(t));
                (t, state)
            })
            .collect()
    }

    /// Drains the client until idle, checking op ids, and keeps the renderings.
    pub fn drain(&mut self) {
        let mut n = 0;
        loop {
            let out = self.client.poll_output();
            if out == Output::Idle {
                break;
            }
            n += 1;
            assert!(n < 100_000, "poll_output never reaches Idle");
            if let Output::Event(Event::Finished { op, .. })
            | Output::Event(Event::Entry { op, .. }) = &out
            {
                assert!(
                    self.open_ops.contains(op),
                    "event for an unknown or finished {op}"
                );
            }
            if let Output::Event(Event::Finished { op, .. }) = &out {
                self.open_ops.remove(op);
                assert!(self.finished_ops.insert(*op), "{op} finished twice");
            }
            if let Some(r) = render(&out, &self.flags).map(|r| r.trim_end().to_string()) {
                self.log.push(r.clone());
                self.pending.push(r);
            }
        }
        if !self.client.is_busy() {
            assert!(
                self.open_ops.is_empty(),
                "idle client with unfinished ops {:?}",
                self.open_ops
            );
        }
        // The timer changes of the step, after its other outputs.
        let states = self.timer_states();
        for ((timer, before), (_, after)) in self.timers.iter().zip(&states) {
            let line = match (before, after) {
                (Some(_), None) => format!("T: cancel {timer:?}"),
                (b, Some(a)) if b.as_ref() != Some(a) => format!("T: arm {timer:?}"),
                _ => continue,
            };
            if self.flags.timers {
                self.log.push(line.clone());
                self.pending.push(line);
            }
        }
        self.timers = states;
        // Nothing overdue survives a step: the core was told the time with every input.
        if let Some(at) = self.client.poll_timeout() {
            assert!(at > self.now, "a deadline is overdue after a step");
        }
        if self.client.is_closed() {
            assert_eq!(self.client.poll_timeout(), None, "closed with a deadline");
        }
        // Every wait is bounded (with durations an Instant can hold): a busy client always
        // has a deadline, an idle one none.
        let t = self.client.config().timeouts;
        let day = Duration::from_secs(86_400);
        if [
            t.connect,
            t.reply,
            t.data_connect,
            t.data_idle,
            t.final_reply,
        ]
        .iter()
        .all(|d| *d < day)
        {
            assert_eq!(
                self.client.is_busy(),
                self.client.poll_timeout().is_some(),
                "busy without a deadline, or idle with one"
            );
        }
    }

    /// The timer whose deadline is the earliest, if any.
    pub fn next_timer(&self) -> Option<Timer> {
        let next = self.client.poll_timeout()?;
        Timer::ALL
            .into_iter()
            .find(|t| self.client.deadline(*t) == Some(next))
    }

    /// `X: name`: moves the clock to the earliest deadline, which must be `name`'s, and fires.
    pub fn expire(&mut self, name: &str) {
        let next = self
            .client
            .poll_timeout()
            .unwrap_or_else(|| panic!("X: {name}, but no timer has a deadline"));
        let first = Timer::ALL
            .into_iter()
            .find(|t| self.client.deadline(*t) == Some(next))
            .unwrap();
        assert_eq!(
            format!("{first:?}"),
            name,
            "the earliest deadline is {first:?}'s, not {name}'s"
        );
        self.now = next;
        self.client.handle_timeout(self.now);
        self.drain();
    }

    /// `W: secs`: the clock moves on; whatever is due fires.
    pub fn wait(&mut self, secs: &str) {
        let secs: f64 = secs.trim_end_matches('s').parse().unwrap();
        self.now += Duration::from_secs_f64(secs);
        self.client.handle_timeout(self.now);
        self.drain();
    }

    /// Each input happens a millisecond after the one before, so that a timer restarted by a
    /// step shows as `T: arm` even when it was armed before.
    fn tick(&mut self) -> Instant {
        self.now += Duration::from_millis(1);
        self.now
    }

    pub fn feed_control(&mut self, block: &[u8]) {
        let now = self.tick();
        match self.feed {
            Feed::Whole => self.client.handle_control_input(block, now),
            Feed::Chunks(n) => {
                for c in block.chunks(n.max(1)) {
                    self.client.handle_control_input(c, now);
                }
            }
            Feed::Split(k) => {
                let k = k.min(block.len());
                self.client.handle_control_input(&block[..k], now);
                self.client.handle_control_input(&block[k..], now);
            }
        }
        self.drain();
    }

    fn track(&mut self, r: Result<OpId, UsageError>) -> Result<OpId, UsageError> {
        if let Ok(id) = r {
            assert!(self.open_ops.insert(id), "{id} handed out twice");
        }
        r
    }

    /// Runs one request line (without the `> `); returns the usage error rendering, if any.
    pub fn request(&mut self, line: &str) -> Option<String> {
        let mut words = line.splitn(2, ' ');
        let verb = words.next().unwrap();
        let rest = words.next().unwrap_or("");
        let arg = |s: &str| Arg::try_from(s).unwrap();
        let opt = |s: &str| {
            if s.is_empty() {
                None
            } else {
                Some(Arg::try_from(s).unwrap())
            }
        };
        let now = self.tick();
        let c = &mut self.client;
        let r = match verb {
            "connect" => c
                .connect(LOCAL.parse().unwrap(), PEER.parse().unwrap(), now)
                .map(id),
            // `connect_peer 192.0.2.10:21`: a control peer other than loopback.
            "connect_peer" => c
                .connect(
                    "192.0.2.99:50000".parse().unwrap(),
                    rest.parse().unwrap(),
                    now,
                )
                .map(id),
            "connect_mapped" => c
                .connect(
                    "[::ffff:127.0.0.1]:50000".parse().unwrap(),
                    "[::ffff:127.0.0.1]:21".parse().unwrap(),
                    now,
                )
                .map(id),
            "acct" => c.acct(arg(rest), now).map(id),
            "connect6" => c
                .connect(LOCAL6.parse().unwrap(), PEER6.parse().unwrap(), now)
                .map(id),
            "login" => {
                let p: Vec<&str> = rest.split(' ').collect();
                c.login(
                    arg(p[0]),
                    Password::from(arg(p.get(1).copied().unwrap_or(""))),
                    p.get(2).map(|a| arg(a)),
                    now,
                )
                .map(id)
            }
            "execute" => c
                .execute(Command::parse(rest.as_bytes()).unwrap(), now)
                .map(id),
            "voidcmd" => c
                .voidcmd(Command::parse(rest.as_bytes()).unwrap(), now)
                .map(id),
            "login_secure" => {
                let p: Vec<&str> = rest.split(' ').collect();
                let credentials = ftp_proto::client::Credentials {
                    user: arg(p[0]),
                    password: Password::from(arg(p[1])),
                    acct: None,
                };
                c.login_secure(credentials, p.get(2) == Some(&"prot"), now)
                    .map(id)
            }
            "execute_raw" => {
                let (v, a) = rest
                    .split_once(' ')
                    .map_or((rest, None), |(v, a)| (v, Some(arg(a))));
                c.execute(Command::Raw(RawCommand::new(v, a).unwrap()), now)
                    .map(id)
            }
            "cwd" => c.cwd(Arg::try_from(rest).unwrap(), now).map(id),
            "cdup" => c.cdup(now).map(id),
            "pwd" => c.pwd(now).map(id),
            "mkd" => c.mkd(arg(rest), now).map(id),
            "rmd" => c.rmd(arg(rest), now).map(id),
            "delete" => c.delete(arg(rest), now).map(id),
            "rename" => {
                let (a, b) = rest.split_once(' ').unwrap();
                c.rename(arg(a), arg(b), now).map(id)
            }
            "size" => c.size(arg(rest), now).map(id),
            "mdtm" => c.mdtm(arg(rest), now).map(id),
            "mfmt" => {
                let (p, t) = rest.rsplit_once(' ').unwrap();
                let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap();
                let ts = Timestamp::new(
                    n(0..4) as u16,
                    n(4..6) as u8,
                    n(6..8) as u8,
                    n(8..10) as u8,
                    n(10..12) as u8,
                    n(12..14) as u8,
                    0,
                )
                .unwrap();
                c.mfmt(arg(p), ts, now).map(id)
            }
            "mlst" => c.mlst(opt(rest), now).map(id),
            "feat" => c.feat(now).map(id),
            "opts_utf8" => c.opts_utf8(now).map(id),
            "host" => c.host(arg(rest), now).map(id),
            "noop" => c.noop(now).map(id),
            "auth_tls" => c.auth_tls(now).map(id),
            "prot_p" => c.prot_p(now).map(id),
            "prot_c" => c.prot_c(now).map(id),
            "ccc" => c.ccc(now).map(id),
            "quit" => c.quit(now).map(id),
            "abort" => c.abort(now).map(id),
            "makepasv" => c.makepasv(now).map(id),
            "sendport" => c.sendport(rest.parse().unwrap(), now).map(id),
            "sendeprt" => c.sendeprt(rest.parse().unwrap(), now).map(id),
            "announce_port" => c.announce_port(rest.parse().unwrap(), now).map(id),
            "voidresp" => c.voidresp(now).map(id),
            "transfer_without_data" => {
                let (v, p) = rest.split_once(' ').unwrap();
                let command = match v {
                    "retr" => TransferCommand::Retr(arg(p)),
                    _ => TransferCommand::Stor(arg(p)),
                };
                c.transfer_without_data(command, now).map(id)
            }
            "close" => {
                c.close();
                self.drain();
                return None;
            }
            "passive" => {
                c.set_passive(rest == "on");
                return None;
            }
            "retr" | "stor" | "appe" | "stou" | "list" | "nlst" | "mlsd" => {
                let mut path = None;
                let mut rest_at = None;
                let mut whole_size = None;
                let mut ty = None;
                let mut sink = None;
                let mut facts = Vec::new();
                for w in rest.split(' ').filter(|w| !w.is_empty()) {
                    if let Some(v) = w.strip_prefix("rest=") {
                        rest_at = Some(v.parse().unwrap());
                    } else if let Some(v) = w.strip_prefix("size=") {
                        whole_size = Some(v.parse().unwrap());
                    } else if let Some(v) = w.strip_prefix("type=") {
                        ty = Some(if v == "A" {
                            TransferType::Ascii
                        } else {
                            TransferType::Binary
                        });
                    } else if let Some(v) = w.strip_prefix("facts=") {
                        facts = v.split(',').map(arg).collect();
                    } else if let Some(v) = w.strip_prefix("sink=") {
                        sink = Some(match v {
                            "raw" => DataSink::Raw,
                            "lines" => DataSink::Lines,
                            "mlsd" => DataSink::MlsdEntries,
                            "list" => DataSink::ListEntries,
                            "nlst" => DataSink::NlstNames,
                            _ => panic!("sink {v}"),
                        });
                    } else {
                        path = Some(arg(&unescape_path(w)));
                    }
                }
                let mut req = match verb {
                    "retr" => TransferRequest::retr(path.unwrap()),
                    "stor" => TransferRequest::stor(path.unwrap()),
                    "appe" => TransferRequest::appe(path.unwrap()),
                    "stou" => TransferRequest::new(
                        TransferCommand::Stou,
                        TransferType::Binary,
                        DataSink::Raw,
                    ),
                    "list" => TransferRequest::list(path),
                    "nlst" => TransferRequest::nlst(path),
                    _ => TransferRequest::mlsd(path),
                };
                req.rest = rest_at;
                req.expected_size = whole_size;
                if let Some(t) = ty {
                    req.data_type = t;
                }
                if let Some(s) = sink {
                    req.sink = s;
                }
                req.mlst_facts = facts;
                c.transfer(req, now).map(id)
            }
            other => panic!("unknown request {other}"),
        };
        let r = self.track(r);
        self.drain();
        r.err().map(|e| format!("err {}", render_usage(&e)))
    }

    pub fn data(&mut self, line: &str) {
        let (what, rest) = line.split_once(' ').unwrap_or((line, ""));
        let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
        let now = self.tick();
        match what {
            "connected" => self.client.handle_data(
                DataEvent::Connected {
                    local: addr("127.0.0.1:60000"),
                    peer: addr(rest),
                },
                now,
            ),
            "listening" => self
                .client
                .handle_data(DataEvent::Listening { addr: addr(rest) }, now),
            "accepted" => self
                .client
                .handle_data(DataEvent::Accepted { peer: addr(rest) }, now),
            "finished" => self.client.handle_data(
                DataEvent::Finished {
                    bytes: rest.parse().unwrap(),
                },
                now,
            ),
            "unclean" => self.client.handle_data(
                DataEvent::EndedWithoutCloseNotify {
                    bytes: rest.parse().unwrap(),
                    message: "no close_notify".into(),
                },
                now,
            ),
            "progress" => self.client.handle_data_progress(rest.parse().unwrap(), now),
            "failed" => {
                let (kind, message) = rest.split_once(' ').unwrap_or((rest, ""));
                let kind = match kind {
                    "connect" => DataFailure::Connect,
                    "listen" => DataFailure::Listen,
                    "accept" => DataFailure::Accept,
                    "tls" => DataFailure::Tls,
                    "truncated" => DataFailure::Truncated,
                    _ => DataFailure::Io,
                };
                self.client.handle_data(
                    DataEvent::Failed {
                        kind,
                        message: message.into(),
                    },
                    now,
                )
            }
            "input" => self.client.handle_data_input(&unescape(rest), now),
            "file" => {
                let bytes = std::fs::read(data_dir().join("transcripts").join(rest)).unwrap();
                match self.feed {
                    Feed::Whole => self.client.handle_data_input(&bytes, now),
                    Feed::Chunks(n) => bytes
                        .chunks(n.max(1))
                        .for_each(|c| self.client.handle_data_input(c, now)),
                    Feed::Split(k) => {
                        let k = k.min(bytes.len());
                        self.client.handle_data_input(&bytes[..k], now);
                        self.client.handle_data_input(&bytes[k..], now);
                    }
                }
            }
            other => panic!("unknown data event {other}"),
        }
        self.drain();
    }

    pub fn tls(&mut self, line: &str) {
        let ev = match line.split(' ').next().unwrap() {
            "secured" => TlsEvent::ControlSecured,
            "plain" => TlsEvent::ControlPlain,
            _ => TlsEvent::Failed {
                message: line.into(),
            },
        };
        let now = self.tick();
        self.client.handle_tls(ev, now);
        self.drain();
    }

    pub fn take_pending(&mut self) -> Vec<String> {
        std::mem::take(&mut self.pending)
    }
}

/// `ftp-proto/tests/data`.
pub fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
}

/// Checks that every `S:` line of `script` is a line the server really sent in the captured
/// `transcript` (a file of `tests/data/transcripts`), so that dialogue tests quote real servers.
pub fn check_quotes(script: &str, transcript: &str) {
    let text = std::fs::read_to_string(data_dir().join("transcripts").join(transcript)).unwrap();
    let real: HashSet<&str> = text.lines().filter(|l| l.starts_with("S: ")).collect();
    for line in script
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("S: "))
    {
        assert!(real.contains(line), "{transcript} has no line {line:?}");
    }
}

fn unescape_path(w: &str) -> String {
    w.replace("\\s", " ")
}

/// The lengths of the `S:` blocks of a script, for the split offsets to try.
fn max_block(script: &str) -> usize {
    let mut max = 0;
    let mut cur = 0;
    for line in script.lines().map(str::trim) {
        if let Some(t) = line.strip_prefix("S: ") {
            cur += t.len() + 2;
        } else if line == "S:" {
            cur += 2;
        } else if let Some(t) = line.strip_prefix("S! ") {
            cur += unescape(t).len();
        } else if let Some(f) = line.strip_prefix("D: file ") {
            let len =
                std::fs::metadata(data_dir().join("transcripts").join(f)).map_or(0, |m| m.len());
            max = max.max(usize::try_from(len).unwrap());
        } else {
            max = max.max(cur);
            cur = 0;
        }
    }
    max.max(cur)
}

/// Compares the outputs since the last check with the expectations collected meanwhile.
fn verify(s: &mut Session, expected: &mut Vec<String>, at: &str) {
    let got = s.take_pending();
    if got != *expected {
        panic!(
            "feed {:?}: outputs differ {at}\n  expected: {expected:#?}\n  got:      {got:#?}\n  whole log: {:#?}",
            s.feed, s.log
        );
    }
    expected.clear();
}

/// Runs `script` once with `feed`; panics with the first mismatch.
pub fn run_with(config: &Config, script: &str, feed: Feed) -> Session {
    let mut s = Session::new(config.clone(), feed);
    let mut block: Vec<u8> = Vec::new();
    let mut expected: Vec<String> = Vec::new();
    for (no, line) in script.lines().enumerate() {
        let no = no + 1;
        // Leading indentation goes; trailing spaces stay (pure-ftpd's "226-Options: -l ").
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let is_server = line.starts_with("S: ") || line == "S:" || line.starts_with("S! ");
        let is_expect = ["C:", "A:", "F:", "E:", "T:", "R:"]
            .iter()
            .any(|t| line.starts_with(t));
        if is_expect {
            if !block.is_empty() {
                s.feed_control(&std::mem::take(&mut block));
            }
            expected.push(line.trim_end().to_string());
            continue;
        }
        if is_server {
            if block.is_empty() {
                verify(
                    &mut s,
                    &mut expected,
                    &format!("before script line {no} ({line:?})"),
                );
            }
            if let Some(t) = line.strip_prefix("S: ") {
                block.extend_from_slice(t.as_bytes());
                block.extend_from_slice(b"\r\n");
            } else if let Some(t) = line.strip_prefix("S! ") {
                block.extend_from_slice(&unescape(t));
            } else {
                block.extend_from_slice(b"\r\n");
            }
            continue;
        }
        if !block.is_empty() {
            s.feed_control(&std::mem::take(&mut block));
        }
        verify(
            &mut s,
            &mut expected,
            &format!("before script line {no} ({line:?})"),
        );
        if let Some(req) = line.strip_prefix("> ") {
            let (req, want_err) = match req.split_once(" => ") {
                Some((r, e)) => (r, Some(e.to_string())),
                None => (req, None),
            };
            let got = s.request(req);
            assert_eq!(got, want_err, "line {no}: request {req:?}");
        } else if let Some(d) = line.strip_prefix("D: ") {
            s.data(d);
        } else if let Some(t) = line.strip_prefix("L: ") {
            s.tls(t);
        } else if let Some(t) = line.strip_prefix("X: ") {
            s.expire(t);
        } else if let Some(t) = line.strip_prefix("W: ") {
            s.wait(t);
        } else if line == "EOF" {
            s.client.handle_control_eof();
            s.drain();
        } else if line == "!timers" {
            s.flags.timers = true;
        } else if line == "!replies" {
            s.flags.replies = true;
        } else {
            panic!("line {no}: cannot read {line:?}");
        }
    }
    if !block.is_empty() {
        s.feed_control(&std::mem::take(&mut block));
    }
    verify(&mut s, &mut expected, "at the end of the script");
    s
}

/// Plays the inputs of `script` before line `upto` (1-based) and ignores its expectations.
pub fn run_prefix(config: &Config, script: &str, upto: usize) -> Session {
    let kept: Vec<&str> = script
        .lines()
        .take(upto.saturating_sub(1))
        .filter(|l| {
            let l = l.trim_start();
            !["C:", "A:", "F:", "E:", "T:", "R:"]
                .iter()
                .any(|t| l.starts_with(t))
        })
        .collect();
    let mut s = Session::new(config.clone(), Feed::Whole);
    let mut block = Vec::new();
    for line in kept.iter().map(|l| l.trim_start()) {
        if let Some(t) = line.strip_prefix("S: ") {
            block.extend_from_slice(t.as_bytes());
            block.extend_from_slice(b"\r\n");
            continue;
        }
        if !block.is_empty() {
            s.feed_control(&std::mem::take(&mut block));
        }
        if let Some(req) = line.strip_prefix("> ") {
            s.request(req.split(" => ").next().unwrap());
        } else if let Some(d) = line.strip_prefix("D: ") {
            s.data(d);
        } else if let Some(t) = line.strip_prefix("L: ") {
            s.tls(t);
        } else if let Some(t) = line.strip_prefix("X: ") {
            s.expire(t);
        } else if let Some(t) = line.strip_prefix("W: ") {
            s.wait(t);
        } else if line == "EOF" {
            s.client.handle_control_eof();
            s.drain();
        }
    }
    if !block.is_empty() {
        s.feed_control(&block);
    }
    s.take_pending();
    s
}

/// Runs `script` whole, byte by byte, and split at every offset of every server block.
pub fn run(config: &Config, script: &str) -> Session {
    let s = run_with(config, script, Feed::Whole);
    run_with(config, script, Feed::Chunks(1));
    for k in 0..=max_block(script) {
        run_with(config, script, Feed::Split(k));
    }
    s
}

/// Generates one `#[test]` per named script, run with the default config.
#[macro_export]
macro_rules! scripts {
    ($($name:ident: $script:expr;)*) => {
        $(
            #[test]
            fn $name() {
                $crate::client_support::run(&::ftp_proto::client::Config::default(), $script);
            }
        )*
    };
}
