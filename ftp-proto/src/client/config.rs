//! Configuration of a [`Client`](super::Client): timeouts, limits and the data-connection mode.

use core::time::Duration;

use super::Timer;
use crate::framer::FramerLimits;
use crate::listing::ListingLimits;

/// How long each named wait may last. The core has no clock: it adds these durations to the
/// `now` the adapter passes in, answers the earliest deadline with
/// [`Client::poll_timeout`](super::Client::poll_timeout) and expires timers in
/// [`Client::handle_timeout`](super::Client::handle_timeout).
///
/// Any duration is accepted. One too long for an `Instant` (such as [`Duration::MAX`]) means
/// no deadline: the wait is unbounded, as ftplib's `timeout=None` ([`Timeouts::UNLIMITED`]).
///
/// ```
/// use std::time::Duration;
/// use ftp_proto::client::{Timer, Timeouts};
///
/// let t = Timeouts { reply: Duration::from_secs(10), ..Timeouts::default() };
/// assert_eq!(t.reply, Duration::from_secs(10));
/// assert_eq!(t.duration(Timer::DataIdle), Duration::from_secs(60));
/// assert_eq!(Timeouts::all(Duration::from_secs(5)).final_reply, Duration::from_secs(5));
/// assert_eq!(Timeouts::UNLIMITED.connect, Duration::MAX);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// [`Timer::Connect`](super::Timer::Connect): the greeting after the control connection is
    /// open, and each control-connection TLS handshake or shutdown (`AUTH TLS`, `CCC`). 30 s.
    pub connect: Duration,
    /// [`Timer::Reply`](super::Timer::Reply): one whole reply (however slowly it trickles in)
    /// to a command on the control connection. 30 s.
    pub reply: Duration,
    /// [`Timer::DataConnect`](super::Timer::DataConnect): opening the data connection (passive
    /// connect, active listen and accept). 30 s.
    pub data_connect: Duration,
    /// [`Timer::DataIdle`](super::Timer::DataIdle): the longest pause without progress on the
    /// data connection while bytes move. 60 s.
    pub data_idle: Duration,
    /// [`Timer::FinalReply`](super::Timer::FinalReply): the transfer's final reply once the data
    /// connection has ended (or failed). 30 s.
    pub final_reply: Duration,
    /// The most a `120 Service ready in nnn minutes` greeting may extend the wait for the
    /// greeting ([`Timer::Connect`](super::Timer::Connect)) to. 10 min.
    pub ready_soon_cap: Duration,
    /// [`Timer::MaxTime`](super::Timer::MaxTime): a whole transfer or listing, from its first
    /// command to its final reply (curl's `--max-time`). [`Duration::MAX`] (the default): no
    /// limit. Not set by [`Timeouts::all`].
    pub max_time: Duration,
    /// [`Timer::LowSpeed`](super::Timer::LowSpeed): the window over which
    /// [`Config::low_speed_limit`] is checked (curl's `--speed-time`). 30 s; used only when
    /// the limit is above 0.
    pub low_speed_time: Duration,
}

/// The default of [`Timeouts::ready_soon_cap`].
const READY_SOON_CAP: Duration = Duration::from_secs(600);

/// The default of [`Timeouts::low_speed_time`] (curl's default `--speed-time`).
const LOW_SPEED_TIME: Duration = Duration::from_secs(30);

impl Timeouts {
    /// No deadline for any wait (ftplib `timeout=None`).
    pub const UNLIMITED: Timeouts = Timeouts::all(Duration::MAX);

    /// The same duration for every wait (ftplib's single `timeout`).
    pub const fn all(d: Duration) -> Timeouts {
        Timeouts {
            connect: d,
            reply: d,
            data_connect: d,
            data_idle: d,
            final_reply: d,
            ready_soon_cap: READY_SOON_CAP,
            max_time: Duration::MAX,
            low_speed_time: LOW_SPEED_TIME,
        }
    }

    /// The duration of `timer`.
    pub const fn duration(&self, timer: Timer) -> Duration {
        match timer {
            Timer::Connect => self.connect,
            Timer::Reply => self.reply,
            Timer::DataConnect => self.data_connect,
            Timer::DataIdle => self.data_idle,
            Timer::FinalReply => self.final_reply,
            Timer::MaxTime => self.max_time,
            Timer::LowSpeed => self.low_speed_time,
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(30),
            reply: Duration::from_secs(30),
            data_connect: Duration::from_secs(30),
            data_idle: Duration::from_secs(60),
            final_reply: Duration::from_secs(30),
            ready_soon_cap: READY_SOON_CAP,
            max_time: Duration::MAX,
            low_speed_time: LOW_SPEED_TIME,
        }
    }
}

/// Everything a [`Client`](super::Client) is configured with.
///
/// ```
/// use ftp_proto::client::{Client, Config};
///
/// let config = Config { passive: false, ..Config::default() };
/// let client = Client::new(config);
/// assert!(!client.is_passive());
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    /// The durations of the named timers.
    pub timeouts: Timeouts,
    /// Limits of the control-connection reply framer (line and reply length).
    pub framer: FramerLimits,
    /// Limits of the listing parsers used by parsed [`DataSink`](super::DataSink)s.
    pub listing: ListingLimits,
    /// Passive mode (EPSV, then PASV on IPv4 once EPSV is refused) when `true`, active mode
    /// (EPRT, then PORT on IPv4 once EPRT is refused) when `false`. Default `true`.
    pub passive: bool,
    /// Connect to the address a `227` reply names instead of the control connection's peer
    /// address. Default `false`: a hostile server could otherwise make the client connect
    /// anywhere (FTP bounce), and servers behind NAT often announce a private address.
    ///
    /// Even when `true`, an announced address that is unspecified (`0.0.0.0/8`), loopback,
    /// link-local, multicast or broadcast is not used unless the control peer is of the same
    /// kind (a loopback peer may announce a loopback address): the control peer's address is
    /// used instead, with the announced port. A `227` with port 0 is refused in every mode,
    /// like a `229` with port 0, as a malformed reply.
    pub trust_server_pasv_ipv4_address: bool,
    /// The control connection is TLS from the start (implicit FTPS, usually port 990): the
    /// adapter has completed the handshake before [`Client::connect`](super::Client::connect).
    pub implicit_tls: bool,
    /// Send `EPSV ALL` before the first passive transfer (RFC 2428 section 4, for NAT and
    /// firewalls that watch the control connection). Once the server accepts it, EPSV is the
    /// only way: no PASV fallback, and active transfers are refused
    /// ([`UsageError::EpsvAllInForce`](super::UsageError::EpsvAllInForce)). A refusal is
    /// ignored. Default `false`.
    pub epsv_all: bool,
    /// The least average speed, in bytes per second, a transfer's data may move at over each
    /// [`Timeouts::low_speed_time`] window once the bytes start to move (curl's
    /// `--speed-limit`); slower fails the transfer with
    /// [`Error::Timeout`](super::Error::Timeout)`(`[`Timer::LowSpeed`](super::Timer::LowSpeed)`)`.
    /// 0 (the default): no limit.
    pub low_speed_limit: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeouts: Timeouts::default(),
            framer: FramerLimits::default(),
            listing: ListingLimits::default(),
            passive: true,
            trust_server_pasv_ipv4_address: false,
            implicit_tls: false,
            epsv_all: false,
            low_speed_limit: 0,
        }
    }
}
