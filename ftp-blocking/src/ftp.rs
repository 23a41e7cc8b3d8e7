//! [`Ftp`], the session, and [`FtpBuilder`], its options: Python ftplib's `FTP` class in Rust.

use std::io::{BufRead, Read};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ftp_proto::Timestamp;
use ftp_proto::client::{
    Client, Config, Credentials, DataSink, FromOutcome, ListingItem, Op, ProtocolError, Timeouts,
    TransferCommand, TransferRequest, UsageError,
};
use ftp_proto::command::{Arg, Command, TransferType};
use ftp_proto::listing::MlsdEntry;
use ftp_proto::parse::Features;
use ftp_proto::reply::Reply;
use ftp_proto::text::LineEncoder;

use crate::debug::{Debug, DebugSink};
use crate::driver::{AbortHandle, Driver, Next, SocketOptions, TransferOp};
use crate::error::{Error, Result};
use crate::iter::{ListIter, MlsdIter};
use crate::net;
use crate::stream::{DataStream, RetrReader, StorWriter};
use crate::tls::{ControlConnection, TlsConfig};

/// The per-block callback of [`Ftp::storbinary`] and [`Ftp::storlines`].
pub type BlockCallback<'a> = &'a mut dyn FnMut(&[u8]);

/// ftplib's default block size for `retrbinary` and `storbinary`.
pub const DEFAULT_BLOCKSIZE: usize = 8192;
/// ftplib's line limit (`maxline`), applied to `storlines` input.
pub const MAXLINE: usize = 8192;

/// How strings are turned into bytes for the server and back: the core's
/// [`Encoding`](ftp_proto::text::Encoding), re-exported (UTF-8, Latin-1, and with the
/// `encodings` feature, on by default, every WHATWG encoding: `"cp1251".parse()`).
///
/// ```
/// use ftp_blocking::Encoding;
/// assert_eq!(Encoding::Latin1.encode("café").unwrap(), b"caf\xe9");
/// assert_eq!(Encoding::Utf8.encode("café").unwrap(), "café".as_bytes());
/// assert_eq!(Encoding::Latin1.decode(b"caf\xe9"), "café");
/// assert!(Encoding::Latin1.encode("€").is_err());
/// ```
pub use ftp_proto::text::Encoding;

/// Options of a session; [`Ftp::builder`] makes one.
///
/// ```no_run
/// use std::time::Duration;
/// use ftp_blocking::{Encoding, Ftp};
/// # fn main() -> ftp_blocking::Result<()> {
/// let mut ftp = Ftp::builder()
///     .timeout(Duration::from_secs(10))
///     .passive(true)
///     .encoding(Encoding::Latin1)
///     .debuglevel(1)
///     .connect("127.0.0.1", 21)?;
/// ftp.login("anonymous", "", "")?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct FtpBuilder {
    config: Config,
    connect_timeout: Duration,
    source_address: Option<IpAddr>,
    encoding: Encoding,
    debug: Debug,
    tls: Option<TlsConfig>,
    max_nlst_names: usize,
}

/// The default of [`FtpBuilder::max_nlst_names`].
pub const DEFAULT_MAX_NLST_NAMES: usize = 1_000_000;

impl Default for FtpBuilder {
    fn default() -> Self {
        let config = Config::default();
        FtpBuilder {
            connect_timeout: config.timeouts.connect,
            config,
            source_address: None,
            encoding: Encoding::Utf8,
            debug: Debug::default(),
            tls: None,
            max_nlst_names: DEFAULT_MAX_NLST_NAMES,
        }
    }
}

impl FtpBuilder {
    /// Sets every wait at once (ftplib's `timeout`): connecting (name resolution included), a
    /// whole reply, the data connection, data idleness and the final reply. Any duration is
    /// accepted but zero (refused when connecting, as ftplib 3.9+ refuses it); one too long to
    /// count (`Duration::MAX`) is no limit, as [`no_timeout`](FtpBuilder::no_timeout).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self.config.timeouts = Timeouts::all(d);
        self
    }

    /// Waits without a time limit (ftplib's `timeout=None`): every wait lasts as long as it
    /// takes. The abort handle still stops a transfer.
    ///
    /// ```no_run
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::builder().no_timeout().connect("127.0.0.1", 21)?;
    /// # Ok(()) }
    /// ```
    pub fn no_timeout(self) -> Self {
        self.timeout(Duration::MAX)
    }

    /// The time allowed to resolve the host name and connect the control connection.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self.config.timeouts.connect = d;
        self
    }

    /// The time allowed for a whole reply, however slowly it trickles in.
    pub fn reply_timeout(mut self, d: Duration) -> Self {
        self.config.timeouts.reply = d;
        self
    }

    /// The time allowed to open a data connection (connect in passive mode, accept in active).
    pub fn data_connect_timeout(mut self, d: Duration) -> Self {
        self.config.timeouts.data_connect = d;
        self
    }

    /// The longest a data connection may stay without progress.
    pub fn data_idle_timeout(mut self, d: Duration) -> Self {
        self.config.timeouts.data_idle = d;
        self
    }

    /// The most a whole transfer or listing may take, from its first command to its final
    /// reply (curl's `--max-time`); longer fails with
    /// [`Error::Timeout`]`(`[`Timer::MaxTime`](ftp_proto::client::Timer::MaxTime)`)` once the
    /// server has answered the interrupted transfer (at most the final-reply timeout later),
    /// and the session stays usable. Unlimited by default.
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = ftp_blocking::Ftp::builder()
    ///     .max_time(Duration::from_secs(600))
    ///     .low_speed_limit(1024, Duration::from_secs(30));
    /// ```
    pub fn max_time(mut self, d: Duration) -> Self {
        self.config.timeouts.max_time = d;
        self
    }

    /// Fails a transfer whose data moves at fewer than `bytes_per_sec` on average over a
    /// `window` (curl's `--speed-limit` / `--speed-time`), with
    /// [`Error::Timeout`]`(`[`Timer::LowSpeed`](ftp_proto::client::Timer::LowSpeed)`)`. Checked
    /// in consecutive windows once the bytes start to move. `bytes_per_sec` 0 (the default):
    /// no limit.
    pub fn low_speed_limit(mut self, bytes_per_sec: u64, window: Duration) -> Self {
        self.config.low_speed_limit = bytes_per_sec;
        self.config.timeouts.low_speed_time = window;
        self
    }

    /// The most names [`Ftp::nlst`] collects ([`DEFAULT_MAX_NLST_NAMES`] by default); more
    /// aborts the listing with [`Error::TooManyNames`].
    pub fn max_nlst_names(mut self, limit: usize) -> Self {
        self.max_nlst_names = limit;
        self
    }

    /// The time allowed for a transfer's final reply once the data has ended.
    pub fn final_reply_timeout(mut self, d: Duration) -> Self {
        self.config.timeouts.final_reply = d;
        self
    }

    /// The local address of the control and data sockets (ftplib's `source_address`).
    pub fn source_address(mut self, ip: IpAddr) -> Self {
        self.source_address = Some(ip);
        self
    }

    /// Passive mode (the default: EPSV, then PASV on IPv4) or active mode (EPRT, then PORT).
    pub fn passive(mut self, passive: bool) -> Self {
        self.config.passive = passive;
        self
    }

    /// Sends `EPSV ALL` before the first passive transfer (RFC 2428 section 4; off by
    /// default). Once the server accepts it, only EPSV opens data connections: no PASV
    /// fallback, and active mode is refused.
    pub fn epsv_all(mut self, on: bool) -> Self {
        self.config.epsv_all = on;
        self
    }

    /// Connect to the address in a 227 reply instead of the control peer's (off by default:
    /// a server could otherwise send the client to any host). Even when trusted, an
    /// unspecified, loopback, link-local, multicast or broadcast address is replaced by the
    /// control peer's unless that peer is of the same kind (see
    /// [`Config::trust_server_pasv_ipv4_address`](ftp_proto::client::Config::trust_server_pasv_ipv4_address)).
    pub fn trust_server_pasv_ipv4_address(mut self, trust: bool) -> Self {
        self.config.trust_server_pasv_ipv4_address = trust;
        self
    }

    /// The encoding of names and text (UTF-8 by default).
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self.debug.encoding = encoding;
        self
    }

    /// ftplib's debug level: 0 silent, 1 commands and replies, 2 every line (stderr).
    pub fn debuglevel(mut self, level: u8) -> Self {
        self.debug.level = level;
        self
    }

    /// Sends the debug lines of [`debuglevel`](FtpBuilder::debuglevel) to `out` instead of
    /// standard error (a log file, a buffer in a test).
    ///
    /// ```
    /// let builder = ftp_blocking::Ftp::builder().debuglevel(1).debug_output(std::io::sink());
    /// # drop(builder);
    /// ```
    pub fn debug_output(mut self, out: impl std::io::Write + Send + 'static) -> Self {
        let sink: DebugSink = Arc::new(Mutex::new(Box::new(out)));
        self.debug.sink = Some(sink);
        self
    }

    /// Makes explicit FTPS available ([`Ftp::auth`], [`Ftp::login_secure`], [`Ftp::prot_p`],
    /// [`Ftp::ccc`]) with this trust configuration. Certificates and host names are verified
    /// (system roots unless the configuration says otherwise).
    pub fn tls(mut self, config: TlsConfig) -> Self {
        self.tls = Some(config);
        self.config.implicit_tls = false;
        self
    }

    /// Implicit FTPS: the control connection is TLS from its first byte (usually port 990).
    pub fn implicit_tls(mut self, config: TlsConfig) -> Self {
        self.tls = Some(config);
        self.config.implicit_tls = true;
        self
    }

    /// The TLS configuration, and whether it is implicit (read by `connect_url`).
    pub(crate) fn tls_settings(&self) -> (Option<&TlsConfig>, bool) {
        (self.tls.as_ref(), self.config.implicit_tls)
    }

    fn check(&self) -> Result<()> {
        let t = &self.config.timeouts;
        if [
            self.connect_timeout,
            t.reply,
            t.data_connect,
            t.data_idle,
            t.final_reply,
        ]
        .contains(&Duration::ZERO)
        {
            return Err(Error::InvalidOption("a timeout of zero is not allowed"));
        }
        Ok(())
    }

    /// Connects to `host` (a name, an IPv4 or an IPv6 address) and reads the greeting. Port 0
    /// means the default, as in ftplib: 21, or 990 after
    /// [`implicit_tls`](FtpBuilder::implicit_tls).
    pub fn connect(self, host: &str, port: u16) -> Result<Ftp> {
        self.check()?;
        let port = match port {
            0 if self.config.implicit_tls => IMPLICIT_FTPS_PORT,
            0 => FTP_PORT,
            p => p,
        };
        let explicit_tls = self.tls.is_some() && !self.config.implicit_tls;
        let source = self.source_address.map(|ip| SocketAddr::new(ip, 0));
        let tcp = net::connect(host, port, self.connect_timeout, source)?;
        let local = tcp.local_addr()?;
        let peer = tcp.peer_addr()?;
        // The TLS server name is the host the caller named (never a PASV address).
        let name = host.trim_start_matches('[').trim_end_matches(']');
        let session = self.tls.as_ref().map(|c| c.session(name)).transpose()?;
        let control = match (&session, self.config.implicit_tls) {
            (Some(session), true) => {
                ControlConnection::implicit(tcp, session, self.connect_timeout)?
            }
            _ => ControlConnection::plain(tcp),
        };
        let options = SocketOptions {
            source_address: self.source_address,
        };
        let debug = self.debug;
        let mut driver = Driver::new(Client::new(self.config), control, session, options, debug);
        let op = driver.request(|c, now| c.connect(local, peer, now))?;
        let welcome = driver.run(op)?;
        Ok(Ftp {
            driver,
            welcome,
            encoding: self.encoding,
            explicit_tls,
            listing: ftp_proto::plan::ListingChoice::new(),
            max_nlst_names: self.max_nlst_names,
        })
    }
}

/// An FTP session: Python ftplib's `FTP` class.
///
/// Methods keep ftplib's names and behaviour; replies are [`Reply`] values and failures are
/// [`Error`] values whose variants match ftplib's exception classes. Beside them are
/// Rust-native forms: [`retr`](Ftp::retr) returns a [`Read`], [`stor`](Ftp::stor) a
/// [`Write`](std::io::Write), [`mlsd`](Ftp::mlsd) and [`list`](Ftp::list) stream parsed entries.
///
/// Dropping an `Ftp` closes its sockets without sending QUIT; [`quit`](Ftp::quit) is the polite
/// close.
///
/// ```no_run
/// use ftp_blocking::Ftp;
/// # fn main() -> ftp_blocking::Result<()> {
/// let mut ftp = Ftp::connect("127.0.0.1", 21)?;
/// println!("{}", ftp.getwelcome());
/// ftp.login("anonymous", "", "")?;
/// ftp.cwd("pub")?;
/// ftp.dir(&[], |line| println!("{line}"))?;
/// let mut data = Vec::new();
/// ftp.retrbinary("RETR README", |chunk| data.extend_from_slice(chunk), 8192, None)?;
/// println!("{}", ftp.quit()?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Ftp {
    pub(crate) driver: Driver,
    welcome: Reply,
    pub(crate) encoding: Encoding,
    /// Built with [`FtpBuilder::tls`]: `login` secures the control connection first.
    explicit_tls: bool,
    /// The session's listing choice (walk.rs): an MLSD or `LIST -a` fallback is remembered.
    pub(crate) listing: ftp_proto::plan::ListingChoice,
    /// [`FtpBuilder::max_nlst_names`].
    max_nlst_names: usize,
}

/// The port of FTP: what `connect(host, 0)` uses.
pub const FTP_PORT: u16 = 21;
/// The port of implicit FTPS: what `connect(host, 0)` uses after
/// [`implicit_tls`](FtpBuilder::implicit_tls).
pub const IMPLICIT_FTPS_PORT: u16 = 990;

/// ftplib's `ftpcp`: copies `source_name` on `source` to `target_name` on `target`, server
/// to server (FXP), without the data passing through this process.
///
/// As ftplib: `TYPE` on both; `PASV`/`EPSV` on the source ([`Ftp::makepasv`], whose address
/// rules apply: by default the source's control address with the announced port); `PORT`
/// (IPv4) or `EPRT` (IPv6) with that address on the target; `STOR` on the target, which must
/// answer 1xx; `RETR` on the source, which must answer 1xx; then both final replies, which
/// must be 2xx. Returns them `(source, target)`. An empty `target_name` is `source_name`, as
/// in ftplib.
///
/// A refusal anywhere is the error of the refusing side and leaves both sessions usable:
/// when the source refuses `RETR` after the target accepted `STOR`, the target's transfer is
/// aborted (`ABOR`); when the source's final reply fails, the target's is still read first.
/// Most servers refuse a `PORT` to a foreign address (vsftpd: `500 Illegal PORT command`);
/// the copy needs one that allows it. A copy takes as long as the transfer: the final
/// replies must come within each session's reply timeout.
pub fn ftpcp(
    source: &mut Ftp,
    source_name: &str,
    target: &mut Ftp,
    target_name: &str,
    data_type: TransferType,
) -> Result<(Reply, Reply)> {
    source.run(|c, now| c.voidcmd(Command::Type(data_type), now))?;
    target.run(|c, now| c.voidcmd(Command::Type(data_type), now))?;
    let addr = source.makepasv()?;
    match addr {
        SocketAddr::V4(v4) => target.sendport(v4)?,
        SocketAddr::V6(_) => target.sendeprt(addr)?,
    };
    let target_name = if target_name.is_empty() {
        source_name
    } else {
        target_name
    };
    let stor = target.arg(target_name)?;
    let retr = source.arg(source_name)?;
    target.run(|c, now| c.transfer_without_data(TransferCommand::Stor(stor), now))?;
    if let Err(e) = source.run(|c, now| c.transfer_without_data(TransferCommand::Retr(retr), now)) {
        // The target waits for a data connection that will not come: end its transfer.
        let _ = target.abort();
        return Err(e);
    }
    let source_reply = source.voidresp();
    let target_reply = target.voidresp();
    Ok((source_reply?, target_reply?))
}

/// ftplib's `print_line`, the default callback of `dir` and `retrlines` (pass it to
/// [`Ftp::retrlines`] or [`Ftp::dir`], or use [`Ftp::dir_print`]): prints `line` and a
/// newline to stdout.
///
/// ```
/// ftp_blocking::print_line("-rw-r--r-- 1 ftp ftp 3 Jan 1 00:00 a.txt");
/// ```
pub fn print_line(line: &str) {
    println!("{line}");
}

impl Drop for Ftp {
    fn drop(&mut self) {
        self.driver.close();
    }
}

impl Ftp {
    /// Connects with the default options and reads the greeting.
    pub fn connect(host: &str, port: u16) -> Result<Ftp> {
        FtpBuilder::default().connect(host, port)
    }

    /// A builder for the session's options.
    pub fn builder() -> FtpBuilder {
        FtpBuilder::default()
    }

    /// The server's greeting, every line kept.
    pub fn getwelcome(&self) -> &Reply {
        // As ftplib: at debug level 1 and above, getwelcome() prints the greeting again.
        self.driver.debug.welcome(&self.welcome);
        &self.welcome
    }

    /// A handle that stops the running transfer from another thread.
    pub fn abort_handle(&self) -> AbortHandle {
        self.driver.abort_handle()
    }

    /// ftplib's `set_debuglevel`: 0 silent, 1 one line per command and reply, 2 every line.
    pub fn set_debuglevel(&mut self, level: u8) {
        self.driver.debug.level = level;
    }

    /// ftplib's `debug`, the same as [`set_debuglevel`](Ftp::set_debuglevel).
    pub fn debug(&mut self, level: u8) {
        self.set_debuglevel(level);
    }

    /// Passive (true, the default) or active mode for the next transfers.
    pub fn set_pasv(&mut self, passive: bool) {
        self.driver.client.set_passive(passive);
    }

    /// The session's encoding.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Changes the session's encoding.
    pub fn set_encoding(&mut self, encoding: Encoding) {
        self.encoding = encoding;
        self.driver.debug.encoding = encoding;
    }

    pub(crate) fn arg(&self, s: &str) -> Result<Arg> {
        Ok(Arg::try_from(self.encoding.encode(s)?)?)
    }

    fn opt_arg(&self, s: &str) -> Result<Option<Arg>> {
        if s.is_empty() {
            Ok(None)
        } else {
            self.arg(s).map(Some)
        }
    }

    /// Runs one request to its end and returns its typed result.
    fn run<T: FromOutcome>(
        &mut self,
        f: impl FnOnce(&mut Client, Instant) -> std::result::Result<Op<T>, UsageError>,
    ) -> Result<T> {
        let op = self.driver.request(f)?;
        self.driver.run(op)
    }

    /// Logs in: USER, then PASS only after a 3xx, then ACCT only after a 3xx. An empty user is
    /// `anonymous`, whose empty or `-` password becomes `anonymous@` (as in ftplib).
    ///
    /// On a session built with [`FtpBuilder::tls`] the control connection is secured first
    /// (`AUTH TLS`, once), as ftplib's `FTP_TLS.login` does: the password never goes out in
    /// plain text.
    pub fn login(&mut self, user: &str, passwd: &str, acct: &str) -> Result<Reply> {
        if self.explicit_tls && !self.driver.client.control_secure() {
            return self.login_secure(user, passwd, acct);
        }
        let credentials = self.credentials(user, passwd, acct)?;
        self.run(|c, now| c.login_with(credentials, now))
    }

    /// ftplib's login defaults, each part encoded by the core in the session encoding; an
    /// error never carries the password's or the account's text.
    fn credentials(&self, user: &str, passwd: &str, acct: &str) -> Result<Credentials> {
        Ok(Credentials::encoded(user, passwd, acct, self.encoding)?)
    }

    /// Sends a raw command line and returns its final reply. The line is parsed first: CR, LF
    /// and NUL are refused before anything is sent, and commands that would change state the
    /// session tracks are refused or reset that state (by the core).
    pub fn sendcmd(&mut self, cmd: &str) -> Result<Reply> {
        let line = self.encode_line(cmd)?;
        self.sendcmd_bytes(&line)
    }

    /// `cmd` in the session encoding; a `PASS` or `ACCT` line is encoded as a secret, so an
    /// encoding error shows nothing of it.
    fn encode_line(&self, cmd: &str) -> Result<Vec<u8>> {
        let verb = cmd.trim_start().get(..4).unwrap_or_default();
        if verb.eq_ignore_ascii_case("PASS") || verb.eq_ignore_ascii_case("ACCT") {
            Ok(self.encoding.encode_secret(cmd)?)
        } else {
            Ok(self.encoding.encode(cmd)?)
        }
    }

    /// [`sendcmd`](Ftp::sendcmd) for a line already in bytes.
    pub fn sendcmd_bytes(&mut self, line: &[u8]) -> Result<Reply> {
        let command = Command::parse(line)?;
        self.run(|c, now| c.execute(command, now))
    }

    /// Like [`sendcmd`](Ftp::sendcmd), but anything other than 2xx is an error.
    pub fn voidcmd(&mut self, cmd: &str) -> Result<Reply> {
        let command = Command::parse(&self.encoding.encode(cmd)?)?;
        self.run(|c, now| c.voidcmd(command, now))
    }

    /// Sends ABOR as a plain line and returns the replies that follow it.
    pub fn abort(&mut self) -> Result<Vec<Reply>> {
        self.run(|c, now| c.abort(now))
    }

    fn transfer_command(&self, cmd: &str) -> Result<TransferCommand> {
        let line = self.encoding.encode(cmd)?;
        Ok(match Command::parse(&line)? {
            Command::Retr(a) => TransferCommand::Retr(a),
            Command::Stor(a) => TransferCommand::Stor(a),
            Command::Appe(a) => TransferCommand::Appe(a),
            Command::Stou => TransferCommand::Stou,
            Command::List(a) => TransferCommand::List(a),
            Command::Nlst(a) => TransferCommand::Nlst(a),
            Command::Mlsd(a) => TransferCommand::Mlsd(a),
            _ => {
                return Err(Error::InvalidOption(
                    "not a transfer command (RETR, STOR, STOU, APPE, LIST, NLST or MLSD)",
                ));
            }
        })
    }

    fn begin(
        &mut self,
        command: TransferCommand,
        data_type: TransferType,
        rest: Option<u64>,
        sink: DataSink,
    ) -> Result<TransferOp> {
        let mut request = TransferRequest::new(command, data_type, sink);
        request.rest = rest;
        self.begin_request(request)
    }

    fn begin_request(&mut self, request: TransferRequest) -> Result<TransferOp> {
        let pump = !matches!(request.sink, DataSink::Raw);
        self.driver.begin_transfer(request, pump)
    }

    /// Retrieves in binary mode (TYPE I, then REST when `rest` is given): the data goes to
    /// `callback` in chunks of at most `blocksize` bytes. Returns the final reply.
    pub fn retrbinary(
        &mut self,
        cmd: &str,
        mut callback: impl FnMut(&[u8]),
        blocksize: usize,
        rest: Option<u64>,
    ) -> Result<Reply> {
        if blocksize == 0 {
            return Err(Error::InvalidOption("blocksize must not be zero"));
        }
        let command = self.transfer_command(cmd)?;
        let op = self.begin(command, TransferType::Binary, rest, DataSink::Raw)?;
        let mut buf = vec![0u8; blocksize];
        loop {
            let n = self.driver.data_read(op, &mut buf)?;
            if n == 0 {
                break;
            }
            callback(&buf[..n]);
        }
        Ok(self.driver.run(op)?.reply)
    }

    /// Retrieves in ASCII mode (TYPE A): each line, CRLF stripped and decoded with the session
    /// encoding, goes to `callback`. Line length is bounded by the core's listing limit.
    pub fn retrlines(&mut self, cmd: &str, mut callback: impl FnMut(&str)) -> Result<Reply> {
        let command = self.transfer_command(cmd)?;
        let op = self.begin(command, TransferType::Ascii, None, DataSink::Lines)?;
        let encoding = self.encoding;
        self.pump_items(op, |item| match item {
            ListingItem::Line(line) | ListingItem::Name(line) => callback(&encoding.decode(&line)),
            _ => {}
        })
    }

    fn pump_items(&mut self, op: TransferOp, mut f: impl FnMut(ListingItem)) -> Result<Reply> {
        // A line that cannot be parsed does not stop the transfer (that would leave the
        // session out of step): the first such error is returned once the transfer has ended.
        let mut bad_line = None;
        loop {
            match self.driver.next_item(op)? {
                Next::Item(item) => f(item),
                Next::BadItem(e) => {
                    bad_line.get_or_insert(e);
                }
                Next::Done(outcome) => {
                    return match bad_line {
                        Some(e) => Err(Error::Protocol(ProtocolError::Listing(e))),
                        None => Ok(outcome.reply),
                    };
                }
            }
        }
    }

    /// Stores in binary mode (TYPE I, then REST when `rest` is given) from any reader, in
    /// blocks of `blocksize` bytes; `callback` sees each block once it is sent.
    pub fn storbinary(
        &mut self,
        cmd: &str,
        fp: &mut impl Read,
        blocksize: usize,
        mut callback: Option<BlockCallback<'_>>,
        rest: Option<u64>,
    ) -> Result<Reply> {
        if blocksize == 0 {
            return Err(Error::InvalidOption("blocksize must not be zero"));
        }
        let command = self.transfer_command(cmd)?;
        let op = self.begin(command, TransferType::Binary, rest, DataSink::Raw)?;
        let mut buf = vec![0u8; blocksize];
        loop {
            let n = match fp.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = self.driver.abort_transfer(op);
                    return Err(Error::Io(e));
                }
            };
            self.write_all(op, &buf[..n])?;
            if let Some(cb) = callback.as_mut() {
                cb(&buf[..n]);
            }
        }
        Ok(self.driver.finish_upload(op)?.reply)
    }

    fn write_all(&mut self, op: TransferOp, mut buf: &[u8]) -> Result<()> {
        while !buf.is_empty() {
            let n = self.driver.data_write(op, buf)?;
            buf = &buf[n..];
        }
        Ok(())
    }

    /// Stores in ASCII mode (TYPE A): each input line is sent with a CRLF ending whatever
    /// ending it had, by the core's [`LineEncoder`] (LF and CRLF end a line; a CR elsewhere is
    /// data, as in ftplib; a last line without an end gets one). A line longer than
    /// [`MAXLINE`] bytes (its input line end counted, as ftplib counts) aborts the transfer
    /// with [`Error::LineTooLong`] before any byte of it is sent. `callback` gets each line as
    /// sent.
    pub fn storlines(
        &mut self,
        cmd: &str,
        fp: &mut impl BufRead,
        mut callback: Option<BlockCallback<'_>>,
    ) -> Result<Reply> {
        let command = self.transfer_command(cmd)?;
        let op = self.begin(command, TransferType::Ascii, None, DataSink::Raw)?;
        // The core's line rules: any line end to CRLF, at most MAXLINE bytes a line.
        let mut encoder = LineEncoder::new(MAXLINE);
        let mut line = Vec::with_capacity(256);
        loop {
            let input = match fp.fill_buf() {
                Ok([]) => break,
                Ok(input) => input,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = self.driver.abort_transfer(op);
                    return Err(Error::Io(e));
                }
            };
            let used = match encoder.encode(input, &mut line) {
                Ok(used) => used,
                Err(e) => {
                    let _ = self.driver.abort_transfer(op);
                    return Err(Error::LineTooLong { limit: e.limit });
                }
            };
            fp.consume(used);
            if !line.is_empty() {
                self.write_all(op, &line)?;
                if let Some(cb) = callback.as_mut() {
                    cb(&line);
                }
                line.clear();
            }
        }
        encoder.finish(&mut line);
        if !line.is_empty() {
            self.write_all(op, &line)?;
            if let Some(cb) = callback.as_mut() {
                cb(&line);
            }
        }
        Ok(self.driver.finish_upload(op)?.reply)
    }

    /// ftplib's `transfercmd`: opens the data connection, sends REST (if given) and the
    /// command, and returns the data connection once the server has accepted it. Binary mode
    /// (TYPE I) is used. Call [`DataStream::finish`] for the final reply.
    pub fn transfercmd(&mut self, cmd: &str, rest: Option<u64>) -> Result<DataStream<'_>> {
        self.ntransfercmd(cmd, rest).map(|(stream, _)| stream)
    }

    /// ftplib's `ntransfercmd`: [`transfercmd`](Ftp::transfercmd) plus the size announced in the
    /// server's `150 ... (N bytes)` reply.
    pub fn ntransfercmd(
        &mut self,
        cmd: &str,
        rest: Option<u64>,
    ) -> Result<(DataStream<'_>, Option<u64>)> {
        let command = self.transfer_command(cmd)?;
        let upload = matches!(
            command,
            TransferCommand::Stor(_) | TransferCommand::Stou | TransferCommand::Appe(_)
        );
        let op = self.begin(command, TransferType::Binary, rest, DataSink::Raw)?;
        let size = self.driver.announced_size();
        Ok((DataStream::new(&mut self.driver, op, upload), size))
    }

    /// ftplib's `nlst`/`dir` argument rule: empty arguments are skipped, the rest joined with
    /// spaces (`nlst(&["", "x"])` sends `NLST x`; only empty ones send `NLST` alone).
    fn join_args(&self, args: &[&str]) -> Result<Option<Arg>> {
        let parts: Vec<&str> = args.iter().copied().filter(|a| !a.is_empty()).collect();
        self.opt_arg(&parts.join(" "))
    }

    /// The names of a directory listing (NLST); empty `args` are skipped and the rest joined
    /// with spaces (ftplib's `dir` skips empty arguments; its `nlst` keeps them, which sends
    /// `NLST  x` for `nlst("", "x")`: here both skip them).
    pub fn nlst(&mut self, args: &[&str]) -> Result<Vec<String>> {
        let arg = self.join_args(args)?;
        let op = self.begin(
            TransferCommand::Nlst(arg),
            TransferType::Ascii,
            None,
            DataSink::NlstNames,
        )?;
        let encoding = self.encoding;
        let limit = self.max_nlst_names;
        let mut names = Vec::new();
        let mut bad_line = None;
        loop {
            match self.driver.next_item(op)? {
                Next::Item(ListingItem::Name(n) | ListingItem::Line(n)) => {
                    if names.len() >= limit {
                        // ABOR keeps the session in step; its replies do not matter here.
                        let _ = self.driver.abort_transfer(op);
                        return Err(Error::TooManyNames { limit });
                    }
                    names.push(encoding.decode(&n));
                }
                Next::Item(_) => {}
                Next::BadItem(e) => {
                    bad_line.get_or_insert(e);
                }
                Next::Done(_) => {
                    return match bad_line {
                        Some(e) => Err(Error::Protocol(ProtocolError::Listing(e))),
                        None => Ok(names),
                    };
                }
            }
        }
    }

    /// ftplib's `dir`: each LIST line goes to `callback`; empty `args` are skipped and the rest
    /// joined with spaces, as in ftplib. ftplib's default callback (`print_line`) is
    /// [`dir_print`](Ftp::dir_print), or pass [`print_line`](crate::print_line).
    pub fn dir(&mut self, args: &[&str], mut callback: impl FnMut(&str)) -> Result<Reply> {
        let arg = self.join_args(args)?;
        let op = self.begin(
            TransferCommand::List(arg),
            TransferType::Ascii,
            None,
            DataSink::Lines,
        )?;
        let encoding = self.encoding;
        self.pump_items(op, |item| {
            if let ListingItem::Line(line) = item {
                callback(&encoding.decode(&line));
            }
        })
    }

    /// ftplib's `dir` without a callback: each LIST line is printed to stdout
    /// ([`print_line`](crate::print_line)).
    pub fn dir_print(&mut self, args: &[&str]) -> Result<Reply> {
        self.dir(args, crate::print_line)
    }

    /// ftplib's `makepasv`: `EPSV` (or `PASV`, by the session's rules, the
    /// [`trust_server_pasv_ipv4_address`](FtpBuilder::trust_server_pasv_ipv4_address) rule
    /// included) and the address to connect a data connection to (or to give another server,
    /// as [`ftpcp`](crate::ftpcp) does).
    pub fn makepasv(&mut self) -> Result<SocketAddr> {
        self.run(|c, now| c.makepasv(now))
    }

    /// ftplib's `sendport`: `PORT` with `addr` (IPv4), reply checked for 2xx.
    pub fn sendport(&mut self, addr: std::net::SocketAddrV4) -> Result<Reply> {
        self.run(|c, now| c.sendport(addr, now))
    }

    /// ftplib's `sendeprt`: `EPRT` with `addr`, reply checked for 2xx.
    pub fn sendeprt(&mut self, addr: SocketAddr) -> Result<Reply> {
        self.run(|c, now| c.sendeprt(addr, now))
    }

    /// ftplib's `makeport`: listens on the control connection's local address (any port) and
    /// announces the listener with `EPRT` (or `PORT`, by the session's rules); returns the
    /// listener, in blocking mode. Accepting on it, and checking the peer, is the caller's job.
    pub fn makeport(&mut self) -> Result<std::net::TcpListener> {
        let ip = self
            .driver
            .control_local()
            .map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip());
        let listener = net::listen_data(ip).map_err(|e| Error::Io(std::io::Error::from(e)))?;
        let addr = listener.local_addr().map_err(Error::Io)?;
        self.run(|c, now| c.announce_port(addr, now))?;
        Ok(listener)
    }

    /// A transfer command whose data connection someone else opens (ftplib `sendcmd` of
    /// `ftpcp`): sends `cmd` (RETR, STOR, APPE, STOU, LIST, NLST or MLSD) and returns its 1xx
    /// reply; a 2xx is [`Error::UnexpectedReply`](crate::Error). Then [`voidresp`](Ftp::voidresp)
    /// (or [`abort`](Ftp::abort)) must follow before anything else.
    pub fn transfer_without_data(&mut self, cmd: &str) -> Result<Reply> {
        let command = self.transfer_command(cmd)?;
        self.run(|c, now| c.transfer_without_data(command, now))
    }

    /// ftplib's `voidresp` after [`transfer_without_data`](Ftp::transfer_without_data): the
    /// final reply, which must be 2xx, within the reply timeout.
    pub fn voidresp(&mut self) -> Result<Reply> {
        self.run(|c, now| c.voidresp(now))
    }

    /// A lazy MLSD listing: entries are parsed as the data arrives, never collected first.
    /// When `facts` are given, `OPTS MLST fact;fact;` is sent first.
    pub fn mlsd(&mut self, path: &str, facts: &[&str]) -> Result<MlsdIter<'_>> {
        let facts = facts
            .iter()
            .map(|f| self.arg(f))
            .collect::<Result<Vec<_>>>()?;
        let request = TransferRequest::mlsd(self.opt_arg(path)?).with_mlst_facts(facts);
        let op = self.driver.begin_transfer(request, true)?;
        Ok(MlsdIter::new(&mut self.driver, op))
    }

    /// A lazy LIST listing parsed into typed entries (Unix and DOS formats; other lines are
    /// kept unparsed).
    pub fn list(&mut self, path: &str) -> Result<ListIter<'_>> {
        let arg = self.opt_arg(path)?;
        let op = self.begin(
            TransferCommand::List(arg),
            TransferType::Ascii,
            None,
            DataSink::ListEntries,
        )?;
        Ok(ListIter::new(&mut self.driver, op))
    }

    /// Downloads `path` in binary mode as a [`Read`]; `rest` restarts at an offset.
    /// [`RetrReader::finish`] reads the final reply.
    pub fn retr(&mut self, path: &str, rest: Option<u64>) -> Result<RetrReader<'_>> {
        let arg = self.arg(path)?;
        self.retr_arg(arg, rest)
    }

    /// [`retr`](Ftp::retr) with the name in bytes (as a listing gave it).
    pub fn retr_bytes(&mut self, path: &[u8], rest: Option<u64>) -> Result<RetrReader<'_>> {
        let arg = Arg::try_from(path)?;
        self.retr_arg(arg, rest)
    }

    fn retr_arg(&mut self, arg: Arg, rest: Option<u64>) -> Result<RetrReader<'_>> {
        self.retr_expecting(arg, rest, None)
    }

    /// [`retr`](Ftp::retr) telling the core the whole file's size when the caller knows it, so
    /// that after `REST` the end of the data is judged against the count the server announced
    /// the way it announced it ([`TransferRequest::with_expected_size`]).
    pub(crate) fn retr_expecting(
        &mut self,
        arg: Arg,
        rest: Option<u64>,
        whole_size: Option<u64>,
    ) -> Result<RetrReader<'_>> {
        let mut request = TransferRequest::retr(arg);
        request.rest = rest;
        request.expected_size = whole_size;
        let op = self.begin_request(request)?;
        Ok(RetrReader::new(DataStream::new(
            &mut self.driver,
            op,
            false,
        )))
    }

    /// Uploads to `path` in binary mode as a [`Write`](std::io::Write).
    /// [`StorWriter::finish`] ends the data and reads the final reply.
    pub fn stor(&mut self, path: &str) -> Result<StorWriter<'_>> {
        let arg = self.arg(path)?;
        let op = self.begin(
            TransferCommand::Stor(arg),
            TransferType::Binary,
            None,
            DataSink::Raw,
        )?;
        Ok(StorWriter::new(DataStream::new(&mut self.driver, op, true)))
    }

    /// Appends to `path` in binary mode (APPE) as a [`Write`](std::io::Write).
    pub fn appe(&mut self, path: &str) -> Result<StorWriter<'_>> {
        let arg = self.arg(path)?;
        let op = self.begin(
            TransferCommand::Appe(arg),
            TransferType::Binary,
            None,
            DataSink::Raw,
        )?;
        Ok(StorWriter::new(DataStream::new(&mut self.driver, op, true)))
    }

    /// Renames `from` to `to` (RNFR must get a 3xx, then RNTO).
    pub fn rename(&mut self, from: &str, to: &str) -> Result<Reply> {
        let (from, to) = (self.arg(from)?, self.arg(to)?);
        self.run(|c, now| c.rename(from, to, now))
    }

    /// Deletes a file (DELE).
    pub fn delete(&mut self, path: &str) -> Result<Reply> {
        let arg = self.arg(path)?;
        self.run(|c, now| c.delete(arg, now))
    }

    /// [`delete`](Ftp::delete) with the name in bytes.
    pub fn delete_bytes(&mut self, path: &[u8]) -> Result<Reply> {
        let arg = Arg::try_from(path)?;
        self.run(|c, now| c.delete(arg, now))
    }

    /// Changes the working directory (`..` tries CDUP first; an empty path means `.`).
    pub fn cwd(&mut self, path: &str) -> Result<Reply> {
        let path = if path.is_empty() { "." } else { path };
        let arg = self.arg(path)?;
        self.run(|c, now| c.cwd(arg, now))
    }

    /// [`cwd`](Ftp::cwd) with the name in bytes.
    pub fn cwd_bytes(&mut self, path: &[u8]) -> Result<Reply> {
        let arg = Arg::try_from(path)?;
        self.run(|c, now| c.cwd(arg, now))
    }

    /// Creates a directory and returns the path from the 257 reply (doubled quotes unescaped).
    pub fn mkd(&mut self, path: &str) -> Result<String> {
        let arg = self.arg(path)?;
        let path = self.run(|c, now| c.mkd(arg, now))?.path;
        Ok(self.encoding.decode(&path))
    }

    /// The working directory, from the 257 reply.
    pub fn pwd(&mut self) -> Result<String> {
        let path = self.run(|c, now| c.pwd(now))?.path;
        Ok(self.encoding.decode(&path))
    }

    /// Removes a directory (RMD).
    pub fn rmd(&mut self, path: &str) -> Result<Reply> {
        let arg = self.arg(path)?;
        self.run(|c, now| c.rmd(arg, now))
    }

    /// The size of a file (SIZE, asked under TYPE I as RFC 3659 wants; SIZE is not a
    /// standard command). As ftplib: `Some(size)` from a 213 reply, `None` from another
    /// positive reply (the size is unknown), an error for a 4xx/5xx.
    pub fn size(&mut self, path: &str) -> Result<Option<u64>> {
        let arg = self.arg(path)?;
        Ok(self.run(|c, now| c.size(arg, now))?.size)
    }

    /// [`size`](Ftp::size) with the name in bytes.
    pub fn size_bytes(&mut self, path: &[u8]) -> Result<Option<u64>> {
        let arg = Arg::try_from(path)?;
        Ok(self.run(|c, now| c.size(arg, now))?.size)
    }

    /// ftplib `acct`: sends `ACCT account`; a reply other than 2xx is an error.
    pub fn acct(&mut self, account: &str) -> Result<Reply> {
        let arg = self.arg(account)?;
        self.run(|c, now| c.acct(arg, now))
    }

    /// The modification time of a file (MDTM).
    pub fn mdtm(&mut self, path: &str) -> Result<Timestamp> {
        let arg = self.arg(path)?;
        self.run(|c, now| c.mdtm(arg, now))
    }

    /// Sets the modification time of a file (MFMT).
    pub fn mfmt(&mut self, path: &str, time: Timestamp) -> Result<Reply> {
        let arg = self.arg(path)?;
        self.run(|c, now| c.mfmt(arg, time, now))
    }

    /// The facts of one file (MLST); an empty path means the working directory.
    pub fn mlst(&mut self, path: &str) -> Result<MlsdEntry> {
        let arg = self.opt_arg(path)?;
        self.run(|c, now| c.mlst(arg, now))
    }

    /// The server's features (FEAT).
    pub fn feat(&mut self) -> Result<Features> {
        self.run(|c, now| c.feat(now))
    }

    /// NOOP.
    pub fn noop(&mut self) -> Result<Reply> {
        self.run(|c, now| c.noop(now))
    }

    /// ftplib `FTP_TLS.auth()`: `AUTH TLS`, then the TLS handshake on the control connection.
    /// Needs [`FtpBuilder::tls`]; a second call is a usage error.
    pub fn auth(&mut self) -> Result<Reply> {
        if !self.driver.has_tls() {
            return Err(Error::InvalidOption(
                "no TLS configuration: use FtpBuilder::tls",
            ));
        }
        self.run(|c, now| c.auth_tls(now))
    }

    /// ftplib `FTP_TLS.login(secure=True)`: secures the control connection first (once), then
    /// logs in as [`login`](Ftp::login) does.
    pub fn login_secure(&mut self, user: &str, passwd: &str, acct: &str) -> Result<Reply> {
        if !self.driver.client.control_secure() && !self.driver.has_tls() {
            return Err(Error::InvalidOption(
                "no TLS configuration: use FtpBuilder::tls",
            ));
        }
        let credentials = self.credentials(user, passwd, acct)?;
        // The core's plan: AUTH TLS (unless secured already), then USER/PASS/ACCT.
        self.run(|c, now| c.login_secure(credentials, false, now))
    }

    /// ftplib `prot_p()`: `PBSZ 0` and `PROT P`; data connections are TLS from then on, each
    /// resuming the control connection's TLS session.
    pub fn prot_p(&mut self) -> Result<Reply> {
        self.run(|c, now| c.prot_p(now))
    }

    /// ftplib `prot_c()`: `PROT C`; data connections are plain from then on.
    pub fn prot_c(&mut self) -> Result<Reply> {
        self.run(|c, now| c.prot_c(now))
    }

    /// ftplib `ccc()`: `CCC`, then a clean TLS shutdown of the control connection, which
    /// carries on in plain text.
    pub fn ccc(&mut self) -> Result<Reply> {
        self.run(|c, now| c.ccc(now))
    }

    /// Whether the control connection is under TLS.
    pub fn is_secure(&self) -> bool {
        self.driver.client.control_secure()
    }

    /// The data protection level in force (`PROT C` until [`prot_p`](Ftp::prot_p)).
    pub fn data_protection(&self) -> ftp_proto::command::ProtLevel {
        self.driver.client.data_protection()
    }

    /// Whether the last download ended under TLS without the server's `close_notify`. The core
    /// accepts such a download only when every announced byte arrived (counted from 0 or from
    /// the REST offset) and the final reply was 2xx; otherwise it fails with
    /// [`DataFailure::Truncated`](ftp_proto::client::DataFailure::Truncated). Reset when the
    /// next transfer starts.
    pub fn last_download_missed_close_notify(&self) -> bool {
        self.driver.last_unclean
    }

    /// The polite close: QUIT, and the server's reply. The session is closed afterwards even
    /// when QUIT fails.
    pub fn quit(mut self) -> Result<Reply> {
        let result = self.run(|c, now| c.quit(now));
        self.driver.close();
        result?.ok_or(Error::ConnectionClosed)
    }

    /// The unilateral close: the sockets are closed without a word to the server.
    pub fn close(mut self) {
        self.driver.close();
    }
}
