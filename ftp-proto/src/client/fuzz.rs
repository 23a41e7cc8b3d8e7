//! The hidden fuzzing entry point that drives the whole client with arbitrary server bytes,
//! adapter events and requests.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::command::{Arg, Command, Password, RawCommand, TransferType};
use crate::framer::FramerLimits;
use crate::listing::ListingLimits;

use super::event::{Action, DataEvent, DataFailure, Event, OpId, Output, Timer, TlsEvent};
use super::state::{Op, Running};
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
/// that a closed client refuses requests, and that each operation finishes at most once.
///
/// ```
/// ftp_proto::client::fuzz_client(b"\x01\x0c220 hi\r\n");
/// ```
pub fn fuzz_client(data: &[u8]) {
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
    if let Ok(id) = client.connect(local, peer) {
        open.insert(id);
    }
    drain(&mut client, &mut open, &mut done, 16);
    while let Some(tag) = input.byte() {
        let before = input.data.len();
        let mut result: Option<Result<OpId, UsageError>> = None;
        match tag % 16 {
            0..=4 => client.handle_control_input(input.bytes()),
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
                client.handle_data(event);
            }
            7 => client.handle_data_input(input.bytes()),
            8 => {
                let event = match input.byte().unwrap_or(0) % 3 {
                    0 => TlsEvent::ControlSecured,
                    1 => TlsEvent::ControlPlain,
                    _ => TlsEvent::Failed {
                        message: String::new(),
                    },
                };
                client.handle_tls(event);
            }
            9 => {
                let timer = Timer::ALL[usize::from(input.byte().unwrap_or(0)) % Timer::ALL.len()];
                client.handle_timeout(timer);
            }
            _ => result = Some(request(&mut client, &mut input)),
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
        if client.is_closed() {
            assert!(!client.is_busy());
            assert!(matches!(client.noop(), Err(UsageError::Closed)));
        }
        if let Some(Running {
            op: Op::Transfer(t),
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

fn request(client: &mut Client, input: &mut Input<'_>) -> Result<OpId, UsageError> {
    let which = input.byte().unwrap_or(0);
    match which % 24 {
        0 => client.login(input.arg(), Password::from(input.arg()), None),
        1 => {
            let raw = RawCommand::new("SITE", Some(input.arg()));
            match raw {
                Ok(raw) => client.execute(Command::Raw(raw)),
                Err(_) => client.noop(),
            }
        }
        2 => client.cwd(input.arg()),
        3 => client.pwd(),
        4 => client.mkd(input.arg()),
        5 => client.delete(input.arg()),
        6 => client.rename(input.arg(), input.arg()),
        7 => client.size(input.arg()),
        8 => client.mdtm(input.arg()),
        9 => client.mlst(None),
        10 => client.feat(),
        11 => client.opts_utf8(),
        12 => client.noop(),
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
            client.transfer(TransferRequest {
                command,
                data_type,
                rest,
                sink,
            })
        }
        18 => client.abort(),
        19 => client.auth_tls(),
        20 => client.prot_p(),
        21 => client.ccc(),
        22 => client.quit(),
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
