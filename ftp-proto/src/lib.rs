//! # ftp-proto: a sans-IO FTP client core
//!
//! This crate turns FTP commands into bytes and bytes into events. It performs no I/O, reads
//! no clock and has no `async`: adapters (`ftp-blocking`, `ftp-tokio`, `ftp-async-std`) own the
//! sockets, timers and TLS and drive it.
//!
//! Layers, each usable alone:
//! - the codec: [`command`] (commands that cannot be built wrong), [`framer`] (where a reply
//!   ends), [`reply`] (reply codes and replies), [`parse`] (227, 229, 257, 150, 213, FEAT);
//! - [`text`]: the session encoding, terminal escaping, ftplib's debug lines, storlines'
//!   line rules;
//! - [`listing`]: push parsers for MLSD/MLST facts and LIST lines, in bounded memory;
//! - [`client`]: the session state machine;
//! - [`url`], [`netrc`] and [`url_session`]: `ftp://` / `ftps://` URLs and `.netrc` text parsed
//!   to bytes, and the set-up a URL describes (host, port, TLS mode, credentials, one `CWD` per
//!   segment, the `;type=` request) as plain data an adapter follows step by step.
//! - [`plan`]: planners for the decisions above single commands (listing choice, remote-tree
//!   walk, resume and size checks), shared by every adapter.
//!
//! ## A tour of the client: the drain loop
//!
//! A [`Client`] is driven by one rule: make **one change** (a request such as
//! [`Client::transfer`], or an input such as [`Client::handle_control_input`]), then **drain**
//! [`Client::poll_output`] until [`Output::Idle`], then wait for the next input. The outputs say
//! what to write on the control connection ([`Output::Send`]), what to do with sockets, TLS and
//! data ([`Output::Action`]: connect the data connection, start moving bytes, close ...), and
//! what to tell the user ([`Output::Event`]: every reply, listing entries, and each operation's
//! result). Time is an input: every change carries the adapter's `now`, the core answers the
//! next deadline with [`Client::poll_timeout`], and the adapter calls
//! [`Client::handle_timeout`] when it has passed. Each request returns a typed handle
//! ([`client::Op`]) that turns its result into the type it promises.
//!
//! Below, a whole session against a scripted server: greeting, anonymous login, and a passive
//! `MLSD` whose entries the core parses as the data arrives. The "adapter" here is a closure
//! that answers actions at once; a real one owns sockets and a clock (see
//! `examples/driver.rs` for one over std sockets in about 120 lines).
//!
//! ```
//! use ftp_proto::{
//!     Action, Client, Config, Credentials, DataEvent, Error, Event, ListingItem, Outcome, Output,
//!     TransferRequest,
//! };
//!
//! /// What the user saw.
//! #[derive(Default)]
//! struct Seen {
//!     sent: Vec<String>,                     // commands, as logged (PASS masked)
//!     names: Vec<String>,                    // MLSD entries, streamed
//!     results: Vec<Result<Outcome, Error>>,  // one per operation
//! }
//!
//! /// Drains until idle; the actions are carried out after the drain, one change at a time.
//! fn drain(client: &mut Client, seen: &mut Seen) -> Vec<Action> {
//!     let mut actions = Vec::new();
//!     loop {
//!         match client.poll_output() {
//!             Output::Send(t) => seen.sent.push(t.display), // and write t.bytes
//!             Output::Action(a) => actions.push(a),
//!             Output::Event(Event::Entry { entry: ListingItem::Mlsd(e), .. }) => {
//!                 seen.names.push(e.name_lossy().into_owned())
//!             }
//!             Output::Event(Event::Finished { result, .. }) => seen.results.push(result),
//!             Output::Event(_) => {} // Event::Reply: every reply, for logs
//!             Output::Idle => return actions,
//!         }
//!     }
//! }
//!
//! let mut client = Client::new(Config::default());
//! let mut seen = Seen::default();
//! let addr = |s: &str| s.parse().unwrap();
//! // The adapter's clock: a real adapter passes `Instant::now()` each time.
//! let now = std::time::Instant::now();
//!
//! client.connect(addr("127.0.0.1:50000"), addr("127.0.0.1:21"), now).unwrap();
//! client.handle_control_input(b"220 Service ready\r\n", now);
//! drain(&mut client, &mut seen);
//!
//! client.login_with(Credentials::anonymous(), now).unwrap();
//! drain(&mut client, &mut seen);
//! client.handle_control_input(b"230 Anonymous access granted\r\n", now); // vsftpd: no PASS needed
//! drain(&mut client, &mut seen);
//!
//! client.transfer(TransferRequest::mlsd(None), now).unwrap();
//! drain(&mut client, &mut seen); // sends TYPE A
//! client.handle_control_input(b"200 Type set to A\r\n", now);
//! drain(&mut client, &mut seen); // sends EPSV
//! client.handle_control_input(b"229 Entering Extended Passive Mode (|||40000|)\r\n", now);
//! // The 229 port is joined with the control connection's peer address.
//! let actions = drain(&mut client, &mut seen);
//! assert_eq!(actions, [Action::ConnectData { addr: addr("127.0.0.1:40000") }]);
//! client.handle_data(DataEvent::Connected { local: addr("127.0.0.1:50001"), peer: addr("127.0.0.1:40000") }, now);
//! drain(&mut client, &mut seen); // sends MLSD
//! client.handle_control_input(b"150 Here it comes\r\n", now);
//! let actions = drain(&mut client, &mut seen);
//! assert_eq!(actions, [Action::StartData { announced_size: None }]);
//! // The adapter reads the data connection and passes the bytes in; entries stream out.
//! client.handle_data_input(b"type=file;size=54; plain.txt\r\ntype=dir; sub", now);
//! drain(&mut client, &mut seen);
//! client.handle_data_input(b"dir\r\n", now);
//! client.handle_data(DataEvent::Finished { bytes: 46 }, now);
//! drain(&mut client, &mut seen);
//! // The transfer ends only once the data ended *and* the final reply came.
//! assert_eq!(seen.results.len(), 2);
//! client.handle_control_input(b"226 Transfer complete\r\n", now);
//! drain(&mut client, &mut seen);
//!
//! assert_eq!(seen.sent, ["USER anonymous", "TYPE A", "EPSV", "MLSD"]);
//! assert_eq!(seen.names, ["plain.txt", "subdir"]);
//! assert!(matches!(seen.results[0], Ok(Outcome::Greeting(_))));
//! assert!(matches!(seen.results[1], Ok(Outcome::LoggedIn(_))));
//! assert!(matches!(seen.results[2], Ok(Outcome::Transfer { .. })));
//! ```
//!
//! Errors keep ftplib's classes ([`Error::Temporary`] = `error_temp`, [`Error::Permanent`] =
//! `error_perm`, [`Error::UnexpectedReply`] = `error_reply`, [`Error::Protocol`] = `error_proto`)
//! and the whole reply. `docs/DESIGN.md` holds the table of states and transitions and what
//! each timer's expiry does.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod client;
pub mod command;
pub mod framer;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod listing;
pub mod netrc;
pub mod parse;
pub mod plan;
pub mod reply;
pub mod text;
mod timestamp;
pub mod url;
pub mod url_session;

pub use client::{
    Action, Client, Config, Credentials, DataEvent, DataFailure, DataSink, Error, Event,
    ListingItem, OpId, Outcome, Output, ProtocolError, Timeouts, Timer, TlsEvent, TransferCommand,
    TransferRequest, Transmit, UsageError,
};
pub use command::{
    Arg, ArgError, Command, CommandParseError, Password, ProtLevel, RawCommand, TransferType,
};
pub use framer::{FrameError, FramerLimits, ReplyFramer};
pub use listing::{
    EntryType, Facts, ListEntry, ListParser, ListingError, ListingLimits, MlsdEntry, MlsdParser,
    NlstParser,
};
pub use parse::{Features, ParseError};
pub use reply::{Reply, ReplyClass, ReplyCode};
pub use text::{DebugPrinter, EncodeError, Encoding, LineEncoder};
pub use timestamp::{ListTimestamp, Timestamp, TimestampRangeError};
