//! Transfers: the request types and the data-connection half of the state machine (TYPE,
//! EPSV/PASV or EPRT/PORT, REST, the command, then the final reply and the end of data in any
//! order).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

use crate::command::{Arg, Command, ProtLevel, RawCommand, TransferType};
use crate::listing::{
    LineSplitter, ListParser, ListingError, ListingLimits, MlsdParser, NlstParser,
};
use crate::parse::{ParseError, parse150, parse227, parse229};
use crate::reply::{Reply, ReplyClass};

use super::error::{Error, ProtocolError};
use super::event::{
    Action, DataEvent, DataFailure, Event, ListingItem, OpId, Outcome, Output, Timer,
};
use super::state::{Running, Task};
use super::{Client, EpsvAll};

/// What to transfer, how, and where the bytes go.
///
/// ```
/// use ftp_proto::client::{DataSink, TransferCommand, TransferRequest};
/// use ftp_proto::command::{Arg, TransferType};
///
/// // ftplib's retrbinary("RETR plain.txt", rest=10):
/// let r = TransferRequest::retr(Arg::try_from("plain.txt").unwrap()).with_rest(10);
/// assert_eq!(r.data_type, TransferType::Binary);
/// assert_eq!(r.rest, Some(10));
/// assert_eq!(r.sink, DataSink::Raw);
///
/// // ftplib's mlsd(): entries parsed by the core, streamed as events.
/// let r = TransferRequest::mlsd(None);
/// assert!(matches!(r.command, TransferCommand::Mlsd(None)));
/// assert_eq!(r.sink, DataSink::MlsdEntries);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferRequest {
    /// The command that moves the data.
    pub command: TransferCommand,
    /// `TYPE A` or `TYPE I`; sent only when it differs from the session's known type.
    pub data_type: TransferType,
    /// `REST` offset sent before the command (it must get `350`).
    pub rest: Option<u64>,
    /// Who consumes the bytes.
    pub sink: DataSink,
    /// For `MLSD`: the facts to ask for; when not empty, `OPTS MLST fact;fact;` goes first
    /// (ftplib `mlsd(facts=...)`) and a refusal ends the transfer.
    pub mlst_facts: Vec<Arg>,
    /// For a download resumed with `REST`: the whole remote file's size as the caller knows it
    /// (from `SIZE` or `MLST`). It tells how the server counts the size in its `1xx` (the whole
    /// file, as vsftpd, or what remains after `REST`, as proftpd), so that data ending without
    /// TLS `close_notify`, or ending early, is judged against the right count
    /// ([`with_expected_size`](TransferRequest::with_expected_size)).
    pub expected_size: Option<u64>,
}

impl TransferRequest {
    /// A request with no `REST` offset.
    pub fn new(command: TransferCommand, data_type: TransferType, sink: DataSink) -> Self {
        TransferRequest {
            command,
            data_type,
            rest: None,
            expected_size: None,
            sink,
            mlst_facts: Vec::new(),
        }
    }
    /// `RETR path` in binary, bytes moved by the adapter (ftplib `retrbinary`).
    pub fn retr(path: Arg) -> Self {
        Self::new(
            TransferCommand::Retr(path),
            TransferType::Binary,
            DataSink::Raw,
        )
    }
    /// `STOR path` in binary, bytes moved by the adapter (ftplib `storbinary`).
    pub fn stor(path: Arg) -> Self {
        Self::new(
            TransferCommand::Stor(path),
            TransferType::Binary,
            DataSink::Raw,
        )
    }
    /// `APPE path` in binary, bytes moved by the adapter.
    pub fn appe(path: Arg) -> Self {
        Self::new(
            TransferCommand::Appe(path),
            TransferType::Binary,
            DataSink::Raw,
        )
    }
    /// `LIST [path]` in ASCII, each line parsed into a [`ListEntry`](crate::listing::ListEntry).
    pub fn list(path: Option<Arg>) -> Self {
        Self::new(
            TransferCommand::List(path),
            TransferType::Ascii,
            DataSink::ListEntries,
        )
    }
    /// `NLST [path]` in ASCII, one name per event (ftplib `nlst`).
    pub fn nlst(path: Option<Arg>) -> Self {
        Self::new(
            TransferCommand::Nlst(path),
            TransferType::Ascii,
            DataSink::NlstNames,
        )
    }
    /// `MLSD [path]` in ASCII, entries parsed (ftplib `mlsd`).
    pub fn mlsd(path: Option<Arg>) -> Self {
        Self::new(
            TransferCommand::Mlsd(path),
            TransferType::Ascii,
            DataSink::MlsdEntries,
        )
    }
    /// The same request asking for these `MLSD` facts first (`OPTS MLST type;size;`).
    ///
    /// ```
    /// use ftp_proto::client::TransferRequest;
    /// use ftp_proto::command::Arg;
    ///
    /// let facts = ["type", "size"].map(|f| Arg::try_from(f).unwrap());
    /// let r = TransferRequest::mlsd(None).with_mlst_facts(facts.to_vec());
    /// assert_eq!(r.mlst_facts.len(), 2);
    /// ```
    pub fn with_mlst_facts(mut self, facts: Vec<Arg>) -> Self {
        self.mlst_facts = facts;
        self
    }
    /// The same request with a `REST` offset.
    pub fn with_rest(mut self, offset: u64) -> Self {
        self.rest = Some(offset);
        self
    }
    /// The same request, telling the core the whole remote file's size (see
    /// [`expected_size`](TransferRequest::expected_size)).
    ///
    /// ```
    /// use ftp_proto::client::TransferRequest;
    /// use ftp_proto::command::Arg;
    ///
    /// let r = TransferRequest::retr(Arg::try_from("big.iso").unwrap())
    ///     .with_rest(1000)
    ///     .with_expected_size(5000);
    /// assert_eq!((r.rest, r.expected_size), (Some(1000), Some(5000)));
    /// ```
    pub fn with_expected_size(mut self, size: u64) -> Self {
        self.expected_size = Some(size);
        self
    }
}

/// The command of a transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransferCommand {
    /// Download a file.
    Retr(Arg),
    /// Upload a file.
    Stor(Arg),
    /// Upload under a name the server chooses.
    Stou,
    /// Append to a file.
    Appe(Arg),
    /// A human-readable listing.
    List(Option<Arg>),
    /// Names only.
    Nlst(Option<Arg>),
    /// A machine-readable listing (RFC 3659).
    Mlsd(Option<Arg>),
}

impl TransferCommand {
    /// The verb, upper case.
    pub fn verb(&self) -> &'static str {
        match self {
            TransferCommand::Retr(_) => "RETR",
            TransferCommand::Stor(_) => "STOR",
            TransferCommand::Stou => "STOU",
            TransferCommand::Appe(_) => "APPE",
            TransferCommand::List(_) => "LIST",
            TransferCommand::Nlst(_) => "NLST",
            TransferCommand::Mlsd(_) => "MLSD",
        }
    }

    pub(super) fn into_command(self) -> Command {
        match self {
            TransferCommand::Retr(a) => Command::Retr(a),
            TransferCommand::Stor(a) => Command::Stor(a),
            TransferCommand::Stou => Command::Stou,
            TransferCommand::Appe(a) => Command::Appe(a),
            TransferCommand::List(a) => Command::List(a),
            TransferCommand::Nlst(a) => Command::Nlst(a),
            TransferCommand::Mlsd(a) => Command::Mlsd(a),
        }
    }
}

/// Who consumes the data-connection bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataSink {
    /// The adapter moves the bytes itself (files, readers, writers); the core only sees
    /// [`DataEvent::Finished`].
    Raw,
    /// The adapter passes every byte read to
    /// [`Client::handle_data_input`]; the core emits one
    /// [`ListingItem::Line`] per line, line end removed (ftplib `retrlines`).
    Lines,
    /// As [`DataSink::Lines`], parsed as `MLSD` entries ([`ListingItem::Mlsd`]).
    MlsdEntries,
    /// As [`DataSink::Lines`], parsed as `LIST` lines ([`ListingItem::List`]).
    ListEntries,
    /// As [`DataSink::Lines`], parsed as `NLST` names ([`ListingItem::Name`]).
    NlstNames,
}

/// The push parser behind a parsed sink.
#[derive(Debug)]
pub(super) enum Sink {
    Raw,
    Lines(LineSplitter),
    Mlsd(MlsdParser),
    List(ListParser),
    Nlst(NlstParser),
}

impl Sink {
    fn new(sink: DataSink, limits: ListingLimits) -> Sink {
        match sink {
            DataSink::Raw => Sink::Raw,
            DataSink::Lines => Sink::Lines(LineSplitter::new(limits)),
            DataSink::MlsdEntries => Sink::Mlsd(MlsdParser::new(limits)),
            DataSink::ListEntries => Sink::List(ListParser::new(limits)),
            DataSink::NlstNames => Sink::Nlst(NlstParser::new(limits)),
        }
    }

    /// Bytes held by the parser.
    #[cfg(feature = "fuzzing")]
    fn buffered(&self) -> usize {
        match self {
            Sink::Raw => 0,
            Sink::Lines(p) => p.buffered_len(),
            Sink::Mlsd(p) => p.buffered_len(),
            Sink::List(p) => p.buffered_len(),
            Sink::Nlst(p) => p.buffered_len(),
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        match self {
            Sink::Raw => {}
            Sink::Lines(p) => p.push(bytes),
            Sink::Mlsd(p) => p.push(bytes),
            Sink::List(p) => p.push(bytes),
            Sink::Nlst(p) => p.push(bytes),
        }
    }

    /// The next item (with `at_end`, what is left: complete items, then a last line
    /// without a line end).
    fn next(&mut self, at_end: bool) -> Option<Result<ListingItem, ListingError>> {
        match self {
            Sink::Raw => None,
            Sink::Lines(p) => {
                let line = if at_end { p.finish() } else { p.next_line() };
                line.map(|r| r.map(|l| ListingItem::Line(l.to_vec())))
            }
            Sink::Mlsd(p) => {
                let e = if at_end { p.finish() } else { p.next_entry() };
                e.map(|r| r.map(ListingItem::Mlsd))
            }
            Sink::List(p) => {
                let e = if at_end { p.finish() } else { p.next_entry() };
                e.map(|r| r.map(ListingItem::List))
            }
            Sink::Nlst(p) => {
                let e = if at_end { p.finish() } else { p.next_entry() };
                e.map(|r| r.map(ListingItem::Name))
            }
        }
    }
}

/// Which command of the transfer's preamble is outstanding, or what the transfer waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// `OPTS MLST` sent (MLSD with facts).
    OptsMlst,
    /// `TYPE` sent.
    Type,
    /// `EPSV ALL` sent (once per session, with [`Config::epsv_all`](super::Config::epsv_all)).
    EpsvAll,
    /// `EPSV` sent.
    Epsv,
    /// `PASV` sent.
    Pasv,
    /// [`Action::ConnectData`] emitted, waiting for [`DataEvent::Connected`].
    Connecting,
    /// [`Action::ListenData`] emitted, waiting for [`DataEvent::Listening`].
    Listening,
    /// `EPRT` sent.
    Eprt,
    /// `PORT` sent.
    Port,
    /// `REST` sent.
    Rest,
    /// The transfer command sent: the data phase.
    Command,
}

/// A running transfer.
#[derive(Debug)]
pub(super) struct Transfer {
    command: Option<TransferCommand>,
    data_type: TransferType,
    rest: Option<u64>,
    sink: Sink,
    pub(super) step: Step,
    active: bool,
    listen_addr: Option<SocketAddr>,
    /// A command of this transfer has been sent and its final reply has not come.
    pub(super) awaiting_reply: bool,
    /// A `1xx` came to the transfer command.
    preliminary: bool,
    /// The data phase began (on the `1xx`, or on a `2xx` when no `1xx` came).
    data_begun: bool,
    /// Active mode: [`Action::AcceptData`] emitted and no acceptable peer yet.
    accepting: bool,
    /// [`Action::StartData`] emitted.
    started: bool,
    announced: Option<u64>,
    /// The whole file's size as the caller knows it ([`TransferRequest::expected_size`]).
    expected_size: Option<u64>,
    /// `RETR` in binary: the byte count can be held against the announced size.
    binary_download: bool,
    final_reply: Option<Reply>,
    data_finished: bool,
    /// A local failure (data connection, data timer) waiting for the final reply.
    failure: Option<Error>,
}

impl Transfer {
    /// How many bytes of this download the 1xx announced, counted from where the data starts
    /// (after `REST`), when that can be told: without `REST` the announced size itself; after
    /// `REST` the whole-file count (vsftpd) or the remaining count (proftpd), told apart by the
    /// whole file's size when the caller gave it ([`TransferRequest::expected_size`]), else
    /// `Ambiguous`.
    fn expected_bytes(&self) -> Expected {
        let Some(size) = self.announced else {
            return Expected::Unknown;
        };
        let rest = self.rest.unwrap_or(0);
        if rest == 0 {
            return Expected::Bytes(size);
        }
        match self.expected_size {
            // vsftpd: the 150 names the whole file.
            Some(total) if total == size => Expected::Bytes(size.saturating_sub(rest)),
            // proftpd: the 150 names what remains after REST.
            Some(total) if total == size.saturating_add(rest) => Expected::Bytes(size),
            _ => Expected::Ambiguous { size, rest },
        }
    }

    /// A download that ended without TLS `close_notify` is complete only when exactly the bytes
    /// the 1xx announced arrived, counted the way the server counted them (issue 11 item 10).
    /// When that cannot be told (after `REST`, no whole-file size given), only the announced
    /// count itself is accepted: a stream cut exactly `REST` bytes short of a proftpd-style
    /// announcement would otherwise pass for a complete vsftpd-style one.
    fn judge_unclean_end(&self, bytes: u64, message: String) -> DataEvent {
        let complete = match self.expected_bytes() {
            Expected::Bytes(want) => bytes == want,
            Expected::Ambiguous { size, .. } => bytes == size,
            Expected::Unknown => false,
        };
        if complete {
            DataEvent::Finished { bytes }
        } else {
            DataEvent::Failed {
                kind: DataFailure::Truncated,
                message,
            }
        }
    }

    /// A binary download (RETR under TYPE I) whose data ended cleanly short of the size the
    /// 1xx announced is truncated (curl: `CURLE_PARTIAL_FILE`): counted the way the server
    /// counted when that can be told, else either way (from 0 or from the REST offset). More
    /// bytes than announced are not judged (a growing file).
    fn judge_clean_end(&self, bytes: u64) -> DataEvent {
        if !self.binary_download {
            return DataEvent::Finished { bytes };
        }
        let short = match self.expected_bytes() {
            Expected::Bytes(want) => bytes < want,
            Expected::Ambiguous { size, rest } => {
                bytes < size && bytes.saturating_add(rest) != size
            }
            Expected::Unknown => false,
        };
        if short {
            let size = self.announced.unwrap_or(0);
            DataEvent::Failed {
                kind: DataFailure::Truncated,
                message: format!("the data ended after {bytes} of the {size} bytes announced"),
            }
        } else {
            DataEvent::Finished { bytes }
        }
    }

    /// Bytes held by the listing parser.
    #[cfg(feature = "fuzzing")]
    pub(super) fn sink_buffered(&self) -> usize {
        self.sink.buffered()
    }
}

/// What a download should deliver, from its 1xx (see `Transfer::expected_bytes`).
#[derive(Clone, Copy, Debug)]
enum Expected {
    /// No size announced.
    Unknown,
    /// Exactly this many bytes from where the data starts.
    Bytes(u64),
    /// After `REST` with no whole-file size given: `size` counted either from 0 or from `rest`.
    Ambiguous { size: u64, rest: u64 },
}

/// The final replies that end a transfer with success (RFC 959: 226, or 250).
const TRANSFER_DONE: [u16; 2] = [226, 250];

fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

impl Client {
    pub(super) fn start_transfer(
        &mut self,
        request: TransferRequest,
        now: std::time::Instant,
    ) -> Result<super::Op<super::TransferDone>, super::UsageError> {
        if !self.passive && self.epsv_all == EpsvAll::Accepted {
            self.check_ready()?;
            return Err(super::UsageError::EpsvAllInForce);
        }
        let id = self.begin(now)?;
        self.arm_limit(Timer::MaxTime);
        let binary_download = matches!(request.command, TransferCommand::Retr(_))
            && request.data_type == TransferType::Binary;
        let t = Transfer {
            binary_download,
            command: Some(request.command),
            data_type: request.data_type,
            rest: request.rest,
            expected_size: request.expected_size,
            sink: Sink::new(request.sink, self.config.listing),
            step: Step::Type,
            active: !self.passive,
            listen_addr: None,
            awaiting_reply: false,
            preliminary: false,
            data_begun: false,
            accepting: false,
            started: false,
            announced: None,
            final_reply: None,
            data_finished: false,
            failure: None,
        };
        let mut t = Box::new(t);
        let facts = request.mlst_facts;
        if matches!(t.command, Some(TransferCommand::Mlsd(_))) && !facts.is_empty() {
            let mut opts = b"MLST ".to_vec();
            for fact in &facts {
                opts.extend_from_slice(fact.as_bytes());
                opts.push(b';');
            }
            t.step = Step::OptsMlst;
            t.awaiting_reply = true;
            // The facts are arguments already: joined, they hold no CR, LF or NUL either.
            self.send(Command::Opts(Arg::try_from(opts).unwrap_or_default()));
        } else {
            self.type_or_open_data(&mut t);
        }
        self.op = Some(Running {
            id,
            op: Task::Transfer(t),
        });
        Ok(super::Op::new(id))
    }

    /// `TYPE` when the session's type differs, else the data connection.
    fn type_or_open_data(&mut self, t: &mut Transfer) {
        if self.transfer_type != Some(t.data_type) {
            t.step = Step::Type;
            t.awaiting_reply = true;
            self.send(Command::Type(t.data_type));
        } else {
            self.open_data(t);
        }
    }

    pub(super) fn peer_ip(&self) -> IpAddr {
        self.peer.map_or(IpAddr::from([127, 0, 0, 1]), |p| p.ip())
    }

    /// Where to connect for a `227` that announced `announced` (port not 0).
    ///
    /// The control peer's address with the announced port, unless
    /// [`Config::trust_server_pasv_ipv4_address`](super::Config::trust_server_pasv_ipv4_address)
    /// is on and the announced address is ordinary or of the same special kind as the control
    /// peer (see [`Ipv4Kind`]): an unspecified, loopback, link-local, multicast or broadcast
    /// address from a peer of another kind is replaced by the peer's address.
    pub(super) fn pasv_target(&self, announced: SocketAddrV4) -> SocketAddr {
        let peer = self.peer_ip();
        if self.config.trust_server_pasv_ipv4_address {
            let kind = Ipv4Kind::of(*announced.ip());
            let peer_kind = match peer.to_canonical() {
                IpAddr::V4(v4) => Ipv4Kind::of(v4),
                IpAddr::V6(v6) if v6.is_loopback() => Ipv4Kind::Loopback,
                IpAddr::V6(v6) if v6.is_unicast_link_local() => Ipv4Kind::LinkLocal,
                IpAddr::V6(v6) if v6.is_multicast() => Ipv4Kind::Multicast,
                IpAddr::V6(v6) if v6.is_unspecified() => Ipv4Kind::Unspecified,
                IpAddr::V6(_) => Ipv4Kind::Ordinary,
            };
            if kind == Ipv4Kind::Ordinary || kind == peer_kind {
                return SocketAddr::V4(announced);
            }
        }
        SocketAddr::new(peer, announced.port())
    }

    /// The first step towards a data connection: EPSV/PASV, or listen for EPRT/PORT.
    fn open_data(&mut self, t: &mut Transfer) {
        if t.active {
            let ip = self.local.map_or(IpAddr::from([0, 0, 0, 0]), |l| l.ip());
            t.step = Step::Listening;
            t.awaiting_reply = false;
            self.push(Output::Action(Action::ListenData { ip }));
            self.arm(Timer::DataConnect);
        } else if self.config.epsv_all
            && self.epsv_all == EpsvAll::NotSent
            && let Ok(all) = RawCommand::new("EPSV", Some(super::const_arg("ALL")))
        {
            // RFC 2428 4: from now on the client uses EPSV only.
            t.step = Step::EpsvAll;
            t.awaiting_reply = true;
            self.send(Command::Raw(all));
        } else if self.peer_ip().is_ipv6()
            || !self.epsv_refused
            || self.epsv_all == EpsvAll::Accepted
        {
            t.step = Step::Epsv;
            t.awaiting_reply = true;
            self.send(Command::Epsv);
        } else {
            t.step = Step::Pasv;
            t.awaiting_reply = true;
            self.send(Command::Pasv);
        }
    }

    fn connect_data(&mut self, t: &mut Transfer, addr: SocketAddr) {
        t.step = Step::Connecting;
        t.awaiting_reply = false;
        self.push(Output::Action(Action::ConnectData { addr }));
        self.arm(Timer::DataConnect);
    }

    /// The data connection is ready (passive) or announced (active): REST, then the command.
    fn rest_or_command(&mut self, t: &mut Transfer) {
        t.awaiting_reply = true;
        if let Some(offset) = t.rest {
            t.step = Step::Rest;
            self.send(Command::Rest(offset));
        } else {
            self.send_transfer_command(t);
        }
    }

    fn send_transfer_command(&mut self, t: &mut Transfer) {
        t.step = Step::Command;
        t.awaiting_reply = true;
        // The command is taken once: the step moves past Rest/Eprt/Port only here.
        if let Some(c) = t.command.take() {
            self.send(c.into_command());
        }
    }

    /// The server took the command (`1xx`, or a `2xx` with no `1xx`): start moving bytes, or
    /// in active mode accept the server's connection first.
    fn begin_data(&mut self, t: &mut Transfer) {
        t.data_begun = true;
        if t.active {
            t.accepting = true;
            let from = self.peer_ip();
            self.push(Output::Action(Action::AcceptData { from }));
            self.arm(Timer::DataConnect);
        } else {
            self.start_bytes(t);
        }
    }

    fn start_bytes(&mut self, t: &mut Transfer) {
        t.started = true;
        if self.data_protection == ProtLevel::Private {
            self.push(Output::Action(Action::SecureData));
        }
        self.push(Output::Action(Action::StartData {
            announced_size: t.announced,
        }));
        self.arm(Timer::DataIdle);
        if self.config.low_speed_limit > 0 {
            self.window_bytes = 0;
            self.arm_limit(Timer::LowSpeed);
        }
    }

    fn put_transfer(&mut self, id: OpId, t: Box<Transfer>) {
        self.op = Some(Running {
            id,
            op: Task::Transfer(t),
        });
    }

    /// Ends the transfer with `error`, closing the data connection if one may be open.
    fn fail_transfer(&mut self, id: OpId, t: &Transfer, error: Error) {
        self.close_data_if_open(t);
        self.finish(id, Err(error));
    }

    /// [`Action::CloseData`] unless no data connection (or listener) has been asked for yet.
    fn close_data_if_open(&mut self, t: &Transfer) {
        if !matches!(
            t.step,
            Step::OptsMlst | Step::Type | Step::EpsvAll | Step::Epsv | Step::Pasv
        ) {
            self.push(Output::Action(Action::CloseData));
        }
    }

    /// A local failure (data connection, data timer): close the data connection, then
    /// finish at once if no reply is due, else wait for it under the final-reply timer.
    fn local_failure(&mut self, id: OpId, mut t: Box<Transfer>, error: Error) {
        self.push(Output::Action(Action::CloseData));
        self.cancel(Timer::DataConnect);
        self.cancel(Timer::DataIdle);
        self.cancel(Timer::LowSpeed);
        // The final-reply wait below is bounded by its own timer.
        self.cancel(Timer::MaxTime);
        t.accepting = false;
        if t.awaiting_reply {
            if t.step == Step::Command {
                self.cancel(Timer::Reply);
                self.arm(Timer::FinalReply);
            }
            t.failure = Some(error);
            self.put_transfer(id, t);
        } else {
            self.finish(id, Err(error));
        }
    }

    /// Both halves are in: finish with success.
    fn maybe_complete(&mut self, id: OpId, mut t: Box<Transfer>) {
        if t.data_finished
            && let Some(reply) = t.final_reply.take()
        {
            let announced_size = t.announced;
            self.finish(
                id,
                Ok(Outcome::Transfer {
                    reply,
                    announced_size,
                }),
            );
            return;
        }
        self.put_transfer(id, t);
    }

    pub(super) fn transfer_reply(&mut self, id: OpId, mut t: Box<Transfer>, reply: Reply) {
        let class = reply.code().class();
        if class == ReplyClass::Preliminary {
            if t.step == Step::Command && !t.preliminary && t.awaiting_reply && t.failure.is_none()
            {
                t.preliminary = true;
                t.announced = parse150(&reply);
                self.cancel(Timer::Reply);
                if !t.data_begun {
                    self.begin_data(&mut t);
                }
            }
            self.put_transfer(id, t);
            return;
        }
        let was_awaiting = t.awaiting_reply;
        t.awaiting_reply = false;
        if let Some(failure) = t.failure.take() {
            let error = match failure {
                Error::Data { .. }
                    if matches!(
                        class,
                        ReplyClass::TransientNegative | ReplyClass::PermanentNegative
                    ) =>
                {
                    Error::from_reply(reply)
                }
                other => other,
            };
            self.finish(id, Err(error));
            return;
        }
        if !was_awaiting {
            // A final reply while none is due (during the connect or listen, or a second
            // final reply): the server is out of step with us.
            self.fail_transfer(id, &t, Error::UnexpectedReply(reply));
            return;
        }
        let positive = class == ReplyClass::Completion;
        match t.step {
            Step::OptsMlst => {
                if positive {
                    self.type_or_open_data(&mut t);
                    self.put_transfer(id, t);
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                }
            }
            Step::Type => {
                if positive {
                    self.transfer_type = Some(t.data_type);
                    self.open_data(&mut t);
                    self.put_transfer(id, t);
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                }
            }
            Step::EpsvAll => {
                // Refused: carry on without it (PASV stays possible).
                self.epsv_all = if positive {
                    EpsvAll::Accepted
                } else {
                    EpsvAll::Refused
                };
                self.open_data(&mut t);
                self.put_transfer(id, t);
            }
            Step::Epsv => {
                if positive {
                    match parse229(&reply) {
                        Ok(port) => {
                            let addr = SocketAddr::new(self.peer_ip(), port);
                            self.connect_data(&mut t, addr);
                            self.put_transfer(id, t);
                        }
                        Err(error) => {
                            self.finish(id, Err(ProtocolError::Malformed { reply, error }.into()))
                        }
                    }
                } else if class == ReplyClass::PermanentNegative
                    && self.peer_ip().is_ipv4()
                    && self.epsv_all != EpsvAll::Accepted
                {
                    self.epsv_refused = true;
                    t.step = Step::Pasv;
                    t.awaiting_reply = true;
                    self.send(Command::Pasv);
                    self.put_transfer(id, t);
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                }
            }
            Step::Pasv => {
                if positive {
                    match parse227(&reply) {
                        Ok(announced) if announced.port() == 0 => {
                            let error = ParseError::OutOfRange { what: "port" };
                            self.finish(id, Err(ProtocolError::Malformed { reply, error }.into()))
                        }
                        Ok(announced) => {
                            let addr = self.pasv_target(announced);
                            self.connect_data(&mut t, addr);
                            self.put_transfer(id, t);
                        }
                        Err(error) => {
                            self.finish(id, Err(ProtocolError::Malformed { reply, error }.into()))
                        }
                    }
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                }
            }
            Step::Eprt => {
                let v4 = t.listen_addr.filter(|a| a.is_ipv4());
                if positive {
                    self.rest_or_command(&mut t);
                    self.put_transfer(id, t);
                } else if let (ReplyClass::PermanentNegative, Some(SocketAddr::V4(addr))) =
                    (class, v4)
                {
                    self.eprt_refused = true;
                    t.step = Step::Port;
                    t.awaiting_reply = true;
                    self.send(Command::Port(addr));
                    self.put_transfer(id, t);
                } else {
                    self.fail_transfer(id, &t, Error::from_reply(reply));
                }
            }
            Step::Port => {
                if positive {
                    self.rest_or_command(&mut t);
                    self.put_transfer(id, t);
                } else {
                    self.fail_transfer(id, &t, Error::from_reply(reply));
                }
            }
            Step::Rest => {
                if class == ReplyClass::Intermediate {
                    self.send_transfer_command(&mut t);
                    self.put_transfer(id, t);
                } else {
                    self.fail_transfer(id, &t, Error::from_reply(reply));
                }
            }
            Step::Command => {
                if positive && !t.preliminary && !TRANSFER_DONE.contains(&reply.code().as_u16()) {
                    // A 2xx other than 226/250 before any 1xx (ftplib: "some servers
                    // apparently send a 200 reply to a LIST or STOR command, before the 150
                    // reply"): not the final reply, which is still due. The data may flow.
                    t.awaiting_reply = true;
                    if !t.data_begun {
                        self.begin_data(&mut t);
                    }
                    if t.data_finished {
                        self.arm(Timer::FinalReply);
                    }
                    self.put_transfer(id, t);
                } else if positive {
                    self.cancel(Timer::Reply);
                    t.final_reply = Some(reply);
                    if !t.data_begun {
                        // No 1xx came: the data may still flow.
                        self.begin_data(&mut t);
                    }
                    self.maybe_complete(id, t);
                } else {
                    self.fail_transfer(id, &t, Error::from_reply(reply));
                }
            }
            Step::Connecting | Step::Listening => {
                // No reply is awaited while the data connection opens (`was_awaiting` is
                // false there); kept total rather than panicking.
                self.fail_transfer(id, &t, Error::UnexpectedReply(reply));
            }
        }
    }

    pub(super) fn transfer_data_event(&mut self, id: OpId, mut t: Box<Transfer>, event: DataEvent) {
        if t.failure.is_some() {
            // Already failing: the data connection was closed; nothing more is expected.
            self.put_transfer(id, t);
            return;
        }
        let event = match event {
            DataEvent::EndedWithoutCloseNotify { bytes, message } => {
                t.judge_unclean_end(bytes, message)
            }
            DataEvent::Finished { bytes } if t.started && !t.data_finished => {
                t.judge_clean_end(bytes)
            }
            other => other,
        };
        match event {
            DataEvent::Connected { .. } if t.step == Step::Connecting => {
                self.cancel(Timer::DataConnect);
                self.rest_or_command(&mut t);
                self.put_transfer(id, t);
            }
            DataEvent::Listening { addr } if t.step == Step::Listening => {
                // A listener on an IPv4-mapped address is announced as IPv4.
                let addr = SocketAddr::new(addr.ip().to_canonical(), addr.port());
                self.cancel(Timer::DataConnect);
                t.listen_addr = Some(addr);
                t.awaiting_reply = true;
                match addr {
                    SocketAddr::V4(v4) if self.eprt_refused => {
                        t.step = Step::Port;
                        self.send(Command::Port(v4));
                    }
                    _ => {
                        t.step = Step::Eprt;
                        self.send(Command::Eprt(addr));
                    }
                }
                self.put_transfer(id, t);
            }
            DataEvent::Accepted { peer } if t.accepting => {
                if canonical(peer.ip()) != canonical(self.peer_ip()) {
                    self.push(Output::Action(Action::RejectDataPeer { peer }));
                } else {
                    self.cancel(Timer::DataConnect);
                    t.accepting = false;
                    self.start_bytes(&mut t);
                }
                self.put_transfer(id, t);
            }
            DataEvent::Finished { .. } if t.started && !t.data_finished => {
                self.cancel(Timer::DataIdle);
                self.cancel(Timer::LowSpeed);
                t.data_finished = true;
                self.drain_sink(id, &mut t.sink, true);
                if t.final_reply.is_none() {
                    self.arm(Timer::FinalReply);
                }
                self.maybe_complete(id, t);
            }
            DataEvent::Failed { kind, message } => {
                let error = Error::Data { kind, message };
                self.local_failure(id, t, error);
            }
            // A report that does not fit the current step (stale or duplicated): ignored.
            _ => self.put_transfer(id, t),
        }
    }

    pub(super) fn transfer_data_input(&mut self, id: OpId, mut t: Box<Transfer>, bytes: &[u8]) {
        if !t.started || t.data_finished || t.failure.is_some() || matches!(t.sink, Sink::Raw) {
            self.put_transfer(id, t);
            return;
        }
        t.sink.push(bytes);
        self.drain_sink(id, &mut t.sink, false);
        self.put_transfer(id, t);
    }

    /// Emits every item the sink holds (with `at_end`, the last line without EOL too). A line
    /// that cannot be parsed is reported as [`Event::EntryError`] and the listing goes on.
    fn drain_sink(&mut self, op: OpId, sink: &mut Sink, at_end: bool) {
        while let Some(item) = sink.next(at_end) {
            self.push(Output::Event(match item {
                Ok(entry) => Event::Entry { op, entry },
                Err(error) => Event::EntryError { op, error },
            }));
        }
    }

    pub(super) fn transfer_timeout(&mut self, id: OpId, t: Box<Transfer>, timer: Timer) {
        match timer {
            Timer::DataConnect | Timer::DataIdle | Timer::MaxTime => {
                self.local_failure(id, t, Error::Timeout(timer))
            }
            Timer::LowSpeed => {
                let window = self.config.timeouts.low_speed_time;
                let least = u128::from(self.config.low_speed_limit) * window.as_millis() / 1000;
                if u128::from(self.window_bytes) < least {
                    self.local_failure(id, t, Error::Timeout(timer))
                } else {
                    self.window_bytes = 0;
                    self.arm_limit(Timer::LowSpeed);
                    self.put_transfer(id, t);
                }
            }
            _ => {
                // The control connection is out of step (a reply is overdue).
                self.finish(id, Err(Error::Timeout(timer)));
                self.shutdown();
            }
        }
    }

    /// For [`Client::abort`]: close the data connection, end the transfer with
    /// [`Error::Aborted`], and say how many final replies `ABOR` will bring.
    /// Also says whether the first of those replies answers a preamble command (TYPE, EPSV,
    /// REST ...), which may be any reply.
    pub(super) fn abort_transfer(&mut self, id: OpId, t: Box<Transfer>) -> (usize, bool) {
        self.close_data_if_open(&t);
        self.finish(id, Err(Error::Aborted));
        let preamble = t.awaiting_reply && t.step != Step::Command;
        (1 + usize::from(t.awaiting_reply), preamble)
    }
}

/// The kinds of IPv4 address a trusted `227` may name only when the control peer is one too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ipv4Kind {
    /// `0.0.0.0/8`.
    Unspecified,
    /// `127.0.0.0/8`.
    Loopback,
    /// `169.254.0.0/16`.
    LinkLocal,
    /// `224.0.0.0/4`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// Anything else (public or private unicast).
    Ordinary,
}

impl Ipv4Kind {
    fn of(ip: Ipv4Addr) -> Ipv4Kind {
        if ip.octets()[0] == 0 {
            Ipv4Kind::Unspecified
        } else if ip.is_loopback() {
            Ipv4Kind::Loopback
        } else if ip.is_link_local() {
            Ipv4Kind::LinkLocal
        } else if ip.is_multicast() {
            Ipv4Kind::Multicast
        } else if ip.is_broadcast() {
            Ipv4Kind::Broadcast
        } else {
            Ipv4Kind::Ordinary
        }
    }
}
