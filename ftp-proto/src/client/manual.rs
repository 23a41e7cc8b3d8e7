//! Building blocks for a data connection driven by hand (ftplib's `makepasv`, `makeport`,
//! `sendport`, `sendeprt`, and the `sendcmd`/`voidresp` pair of `ftpcp`): the decisions
//! (which command, which address) are made here; the adapter does the socket work.

use std::net::{SocketAddr, SocketAddrV4};
use std::time::Instant;

use crate::command::Command;
use crate::parse::{ParseError, parse227, parse229};
use crate::reply::{Reply, ReplyClass};

use super::error::{Error, ProtocolError, UsageError};
use super::event::{OpId, Outcome, Timer};
use super::state::{Expect, Running, Task};
use super::transfer::TransferCommand;
use super::{Client, EpsvAll};

impl Client {
    /// ftplib's `makepasv`: asks the server to listen and returns where to connect (as
    /// [`std::net::SocketAddr`]), by the rules of the session's own transfers: `EPSV` (the control
    /// peer's address with the announced port) unless the server refused it before on an IPv4
    /// session, then `PASV` after a 5xx to `EPSV` on IPv4; a `227` address goes through the
    /// [`Config::trust_server_pasv_ipv4_address`](super::Config::trust_server_pasv_ipv4_address)
    /// rule (by default the control peer's address with the announced port).
    ///
    /// ```
    /// use std::time::Instant;
    /// use ftp_proto::client::{Client, Config, Event, Output};
    ///
    /// let now = Instant::now();
    /// let mut client = Client::new(Config::default());
    /// client.connect("127.0.0.1:40000".parse().unwrap(), "127.0.0.1:21".parse().unwrap(), now).unwrap();
    /// client.handle_control_input(b"220 hi\r\n", now);
    /// while !matches!(client.poll_output(), Output::Idle) {}
    /// let op = client.makepasv(now).unwrap();
    /// client.handle_control_input(b"229 Entering Extended Passive Mode (|||50000|)\r\n", now);
    /// let addr = loop {
    ///     if let Output::Event(Event::Finished { result, .. }) = client.poll_output() {
    ///         break op.result(result).unwrap();
    ///     }
    /// };
    /// assert_eq!(addr, "127.0.0.1:50000".parse().unwrap());
    /// ```
    pub fn makepasv(&mut self, now: Instant) -> Result<super::Op<SocketAddr>, UsageError> {
        let epsv =
            self.peer_ip().is_ipv6() || !self.epsv_refused || self.epsv_all == EpsvAll::Accepted;
        let command = if epsv { Command::Epsv } else { Command::Pasv };
        self.start(now, Task::Passive { epsv }, command)
    }

    /// ftplib's `sendport`: `PORT` with `addr`; the reply must be 2xx.
    pub fn sendport(
        &mut self,
        addr: SocketAddrV4,
        now: Instant,
    ) -> Result<super::Op<Reply>, UsageError> {
        self.check_active_allowed()?;
        self.start(now, Task::Command(Expect::Void), Command::Port(addr))
    }

    /// ftplib's `sendeprt`: `EPRT` with `addr` (IPv4 or IPv6); the reply must be 2xx.
    pub fn sendeprt(
        &mut self,
        addr: SocketAddr,
        now: Instant,
    ) -> Result<super::Op<Reply>, UsageError> {
        self.check_active_allowed()?;
        self.start(now, Task::Command(Expect::Void), Command::Eprt(addr))
    }

    /// The command half of ftplib's `makeport`: announces the adapter's listener at `addr`
    /// by the rules of the session's own active transfers: `EPRT`, or `PORT` for an IPv4
    /// address (an IPv4-mapped one counts as IPv4) once the server refused `EPRT`, and `PORT`
    /// again after a 5xx to `EPRT`. The reply must be 2xx.
    pub fn announce_port(
        &mut self,
        addr: SocketAddr,
        now: Instant,
    ) -> Result<super::Op<Reply>, UsageError> {
        self.check_active_allowed()?;
        let addr = SocketAddr::new(addr.ip().to_canonical(), addr.port());
        match addr {
            SocketAddr::V4(v4) if self.eprt_refused => {
                self.start(now, Task::Command(Expect::Void), Command::Port(v4))
            }
            _ => self.start(now, Task::Announce { addr }, Command::Eprt(addr)),
        }
    }

    /// The first half of a transfer whose data connection someone else handles (ftplib's
    /// `ftpcp` sends `STOR`/`RETR` with `sendcmd` and checks for a 1xx): sends `command` and
    /// ends with its `1xx` reply; any other reply is an error (a 2xx is
    /// [`Error::UnexpectedReply`], as ftplib's `error_proto`). After the 1xx the final reply
    /// is due: collect it with [`voidresp`](Client::voidresp) (or end the transfer with
    /// [`abort`](Client::abort)); every other request is [`UsageError::FinalReplyDue`] until
    /// then. The session's TYPE and REST are not touched: set them first.
    pub fn transfer_without_data(
        &mut self,
        command: TransferCommand,
        now: Instant,
    ) -> Result<super::Op<Reply>, UsageError> {
        self.start(now, Task::Preliminary, command.into_command())
    }

    /// ftplib's `voidresp` after [`transfer_without_data`](Client::transfer_without_data):
    /// waits for the final reply (under [`Timer::Reply`]), which must be 2xx. Without a final
    /// reply due: [`UsageError::NoFinalReplyDue`].
    pub fn voidresp(&mut self, now: Instant) -> Result<super::Op<Reply>, UsageError> {
        self.check_open()?;
        if self.op.is_some() {
            return Err(UsageError::Busy);
        }
        if !self.final_due {
            return Err(UsageError::NoFinalReplyDue);
        }
        self.final_due = false;
        self.tick(now);
        let id = self.new_op_id();
        if let Some(reply) = self.early_final.take() {
            let result = if reply.code().class() == ReplyClass::Completion {
                Ok(Outcome::Reply(reply))
            } else {
                Err(Error::from_reply(reply))
            };
            self.finish(id, result);
        } else {
            self.arm(Timer::Reply);
            self.op = Some(Running {
                id,
                op: Task::Command(Expect::Void),
            });
        }
        Ok(super::Op::new(id))
    }

    fn check_active_allowed(&self) -> Result<(), UsageError> {
        self.check_ready()?;
        if self.epsv_all == EpsvAll::Accepted {
            return Err(UsageError::EpsvAllInForce);
        }
        Ok(())
    }

    /// The reply to `EPSV`/`PASV` of [`makepasv`](Client::makepasv).
    pub(super) fn passive_reply(&mut self, id: OpId, epsv: bool, reply: Reply) {
        let class = reply.code().class();
        let positive = class == ReplyClass::Completion;
        let result = if epsv && positive {
            parse229(&reply).map(|port| SocketAddr::new(self.peer_ip(), port))
        } else if epsv {
            if class == ReplyClass::PermanentNegative
                && self.peer_ip().is_ipv4()
                && self.epsv_all != EpsvAll::Accepted
            {
                self.epsv_refused = true;
                self.send(Command::Pasv);
                self.op = Some(Running {
                    id,
                    op: Task::Passive { epsv: false },
                });
                return;
            }
            return self.finish(id, Err(Error::from_reply(reply)));
        } else if positive {
            match parse227(&reply) {
                Ok(a) if a.port() == 0 => Err(ParseError::OutOfRange { what: "port" }),
                Ok(a) => Ok(self.pasv_target(a)),
                Err(e) => Err(e),
            }
        } else {
            return self.finish(id, Err(Error::from_reply(reply)));
        };
        let result = match result {
            Ok(addr) => Ok(Outcome::PassiveAddress { addr, reply }),
            Err(error) => Err(ProtocolError::Malformed { reply, error }.into()),
        };
        self.finish(id, result);
    }

    /// The reply to `EPRT` of [`announce_port`](Client::announce_port).
    pub(super) fn announce_reply(&mut self, id: OpId, addr: SocketAddr, reply: Reply) {
        let class = reply.code().class();
        match (class, addr) {
            (ReplyClass::Completion, _) => self.finish(id, Ok(Outcome::Reply(reply))),
            (ReplyClass::PermanentNegative, SocketAddr::V4(v4)) => {
                self.eprt_refused = true;
                self.send(Command::Port(v4));
                self.op = Some(Running {
                    id,
                    op: Task::Command(Expect::Void),
                });
            }
            _ => self.finish(id, Err(Error::from_reply(reply))),
        }
    }

    /// The reply to the command of [`transfer_without_data`](Client::transfer_without_data).
    pub(super) fn preliminary_reply(&mut self, id: OpId, reply: Reply) {
        match reply.code().class() {
            ReplyClass::Preliminary => {
                self.final_due = true;
                self.early_final = None;
                self.finish(id, Ok(Outcome::Reply(reply)));
            }
            ReplyClass::Completion | ReplyClass::Intermediate => {
                self.finish(id, Err(Error::UnexpectedReply(reply)))
            }
            _ => self.finish(id, Err(Error::from_reply(reply))),
        }
    }
}
