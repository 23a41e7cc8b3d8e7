//! The hidden fuzzing entry point that drives the whole client with arbitrary server bytes,
//! adapter events and requests.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use crate::command::{Arg, Command, Password, RawCommand, TransferType};
use crate::framer::FramerLimits;
use crate::listing::ListingLimits;

use super::event::{Action, DataEvent, DataFailure, Event, OpId, Output, TlsEvent};
use super::state::{Running, Task};
use super::transfer::{DataSink, TransferCommand, TransferRequest};
use super::{Client, Config, UsageError};

/// A little reader over the fuzz input.
struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }
    fn bytes(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte().unwrap_or(0));
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }
    fn arg(&mut self) -> Arg {
        let b = self.bytes();
        Arg::try_from(b).unwrap_or_else(|_| Arg::try_from("x").unwrap_or_default())
    }
}

const LIMIT_LINE: usize = 256;

/// Drives a [`Client`] with `data` read as a program of inputs and requests, checking after
/// every step that nothing panicked, that the output queue stays bounded by the step's input,
/// that a closed client refuses requests, that each operation finishes at most once, and that
/// no deadline is left overdue after [`Client::handle_timeout`]. Time is virtual: it starts at
/// `start` and moves only when the program says so.
///
/// ```
/// ftp_proto::client::fuzz_client(b"\x01\x0c220 hi\r\n", std::time::Instant::now());
/// ```
pub fn fuzz_client(data: &[u8], start: Instant) {
    let mut now = start;
    let mut input = Input { data };
    let flags = input.byte().unwrap_or(0);
    let config = Config {
        framer: FramerLimits {
            max_line_len: LIMIT_LINE,
            max_reply_len: 4 * LIMIT_LINE,
        },
        listing: ListingLimits {
            max_line_len: LIMIT_LINE,
        },
        passive: flags & 1 == 0,
        trust_server_pasv_ipv4_address: flags & 2 != 0,
        implicit_tls: flags & 4 != 0,
        epsv_all: flags & 16 != 0,
        ..Config::default()
    };
    let v6 = flags & 8 != 0;
    let (local, peer) = if v6 {
        (
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 50000),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 21),
        )
    } else {
        (
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 50000),
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 21),
        )
    };
    let mut client = Client::new(config);
    let mut open: HashSet<OpId> = HashSet::new();
    let mut done: HashSet<OpId> = HashSet::new();
    if let Ok(op) = client.connect(local, peer, now) {
        open.insert(op.id());
    }
    drain(&mut client, &mut open, &mut done, 16);
    while let Some(tag) = input.byte() {
        let before = input.data.len();
        let mut result: Option<Result<OpId, UsageError>> = None;
        // Time moves a little with every step, and a lot when the program says so.
        now += Duration::from_millis(1);
        match tag % 16 {
            0..=4 => client.handle_control_input(input.bytes(), now),
            5 => client.handle_control_eof(),
            6 => {
                let which = input.byte().unwrap_or(0);
                let port = u16::from(input.byte().unwrap_or(0)) + 1024;
                let from = if which & 0x80 != 0 {
                    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), port)
                } else {
                    SocketAddr::new(peer.ip(), port)
                };
                let event = match which % 6 {
                    0 => DataEvent::Connected { local, peer: from },
                    1 => DataEvent::Listening {
                        addr: SocketAddr::new(local.ip(), port),
                    },
                    2 => DataEvent::Accepted { peer: from },
                    3 => DataEvent::Finished {
                        bytes: u64::from(port),
                    },
                    4 => DataEvent::EndedWithoutCloseNotify {
                        bytes: u64::from(port),
                        message: String::new(),
                    },
                    _ => DataEvent::Failed {
                        kind: DataFailure::Io,
                        message: String::new(),
                    },
                };
                client.handle_data(event, now);
            }
            7 => client.handle_data_input(input.bytes(), now),
            8 => {
                let event = match input.byte().unwrap_or(0) % 3 {
                    0 => TlsEvent::ControlSecured,
                    1 => TlsEvent::ControlPlain,
                    _ => TlsEvent::Failed {
                        message: String::new(),
                    },
                };
                client.handle_tls(event, now);
            }
            9 => {
                let b = input.byte().unwrap_or(0);
                if b & 0x80 != 0 {
                    // Progress on a raw transfer.
                    client.handle_data_progress(u64::from(b & 0x7f), now);
                } else {
                    now += Duration::from_secs(u64::from(b) * 2);
                    client.handle_timeout(now);
                    assert!(
                        client.poll_timeout().is_none_or(|at| at > now),
                        "a deadline is overdue after handle_timeout"
                    );
                }
            }
            _ => result = Some(request(&mut client, &mut input, now)),
        }
        if let Some(Ok(id)) = result {
            assert!(open.insert(id), "op id handed out twice");
        }
        if let Some(Err(UsageError::Closed)) = result {
            assert!(client.is_closed());
        }
        // Each step may produce a bounded number of outputs: a handful per reply or entry,
        // and replies and entries need bytes.
        let consumed = before - input.data.len();
        drain(&mut client, &mut open, &mut done, 64 + 8 * consumed);
        // Every wait is bounded: a busy client always has a deadline, an idle one none.
        assert_eq!(
            client.is_busy(),
            client.poll_timeout().is_some(),
            "busy without a deadline, or idle with one"
        );
        if client.is_closed() {
            assert!(!client.is_busy());
            assert!(matches!(client.noop(now), Err(UsageError::Closed)));
            assert!(
                client.poll_timeout().is_none(),
                "a closed client keeps a deadline"
            );
        }
        if let Some(Running {
            op: Task::Transfer(t),
            ..
        }) = &client.op
        {
            assert!(
                t.sink_buffered() <= LIMIT_LINE + 2,
                "listing parser holds too much"
            );
        }
    }
}

fn request(client: &mut Client, input: &mut Input<'_>, now: Instant) -> Result<OpId, UsageError> {
    let which = input.byte().unwrap_or(0);
    match which % 27 {
        0 => id(client.login(input.arg(), Password::from(input.arg()), None, now)),
        1 => {
            let raw = RawCommand::new("SITE", Some(input.arg()));
            match raw {
                Ok(raw) => id(client.execute(Command::Raw(raw), now)),
                Err(_) => id(client.noop(now)),
            }
        }
        2 => id(client.cwd(input.arg(), now)),
        3 => id(client.pwd(now)),
        4 => id(client.mkd(input.arg(), now)),
        5 => id(client.delete(input.arg(), now)),
        6 => id(client.rename(input.arg(), input.arg(), now)),
        7 => id(client.size(input.arg(), now)),
        8 => id(client.mdtm(input.arg(), now)),
        9 => id(client.mlst(None, now)),
        10 => id(client.feat(now)),
        11 => id(client.opts_utf8(now)),
        12 => id(client.noop(now)),
        13..=17 => {
            let b = input.byte().unwrap_or(0);
            let command = match b % 5 {
                0 => TransferCommand::Retr(input.arg()),
                1 => TransferCommand::Stor(input.arg()),
                2 => TransferCommand::List(None),
                3 => TransferCommand::Nlst(None),
                _ => TransferCommand::Mlsd(None),
            };
            let sink = match (b / 5) % 5 {
                0 => DataSink::Raw,
                1 => DataSink::Lines,
                2 => DataSink::MlsdEntries,
                3 => DataSink::ListEntries,
                _ => DataSink::NlstNames,
            };
            let data_type = if b & 0x80 != 0 {
                TransferType::Ascii
            } else {
                TransferType::Binary
            };
            let rest = (b & 0x40 != 0).then_some(10);
            id(client.transfer(
                TransferRequest {
                    command,
                    data_type,
                    rest,
                    expected_size: None,
                    sink,
                    mlst_facts: if b & 0x20 != 0 {
                        vec![input.arg()]
                    } else {
                        Vec::new()
                    },
                },
                now,
            ))
        }
        18 => id(client.abort(now)),
        19 => id(client.auth_tls(now)),
        20 => id(client.prot_p(now)),
        21 => id(client.ccc(now)),
        22 => id(client.quit(now)),
        23 => id(client.acct(input.arg(), now)),
        24 => {
            let credentials = super::Credentials {
                user: input.arg(),
                password: Password::from(input.arg()),
                acct: None,
            };
            id(client.login_secure(credentials, which & 0x80 != 0, now))
        }
        25 => match RawCommand::new("SITE", Some(input.arg())) {
            Ok(raw) => id(client.voidcmd(Command::Raw(raw), now)),
            Err(_) => id(client.noop(now)),
        },
        _ => {
            if which & 0x80 != 0 {
                client.close();
            } else {
                client.set_passive(!client.is_passive());
            }
            Err(UsageError::Busy)
        }
    }
}

fn id<T>(r: Result<super::Op<T>, UsageError>) -> Result<OpId, UsageError> {
    r.map(|op| op.id())
}

fn drain(client: &mut Client, open: &mut HashSet<OpId>, done: &mut HashSet<OpId>, bound: usize) {
    assert!(
        client.out.len() <= bound,
        "{} outputs queued for one step",
        client.out.len()
    );
    loop {
        match client.poll_output() {
            Output::Idle => break,
            Output::Event(Event::Finished { op, .. }) => {
                assert!(open.remove(&op), "finished an unknown op");
                assert!(done.insert(op), "finished twice");
            }
            Output::Event(Event::Entry { op, .. } | Event::EntryError { op, .. }) => {
                assert!(open.contains(&op), "entry for a finished op");
            }
            Output::Action(Action::CloseAll) => assert!(client.is_closed()),
            _ => {}
        }
    }
    if !client.is_busy() {
        assert!(open.is_empty(), "idle with unfinished ops");
    }
}
