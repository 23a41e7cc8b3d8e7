//! # ftp-proto: a sans-IO FTP client core
//!
//! This crate turns FTP commands into bytes and bytes into events. It performs no I/O, reads
//! no clock and has no `async`: adapters (`ftp-blocking`, `ftp-tokio`, `ftp-async-std`) own the
//! sockets, timers and TLS and drive it.
//!
//! Layers, each usable alone:
//! - the codec: [`command`] (commands that cannot be built wrong), [`framer`] (where a reply
//!   ends), [`reply`] (reply codes and replies), [`parse`] (227, 229, 257, 150, 213, FEAT);
//! - [`listing`]: push parsers for MLSD/MLST facts and LIST lines, in bounded memory;
//! - [`client`]: the session state machine.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod client;
pub mod command;
pub mod framer;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod listing;
pub mod parse;
pub mod reply;
mod timestamp;

pub use client::{
    Action, Client, Config, Credentials, DataEvent, DataFailure, DataSink, Error, Event,
    ListingItem, OpId, Outcome, Output, ProtocolError, Timeouts, Timer, TimerUpdate, TlsEvent,
    TransferCommand, TransferRequest, Transmit, UsageError,
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
pub use timestamp::{ListTimestamp, Timestamp, TimestampRangeError};
