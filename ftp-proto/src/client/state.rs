//! The internal state of a session: which operation runs and what it waits for, and the
//! reply dispatch of every operation but transfers (see `transfer.rs`).

use crate::command::{Arg, Command, ProtLevel, TransferType};
use crate::listing::parse_mlst_line;
use crate::parse::{parse_feat, parse213_mdtm, parse213_size, parse257};
use crate::reply::{Reply, ReplyClass, ReplyCode};

use super::error::{Error, ProtocolError};
use super::event::{Action, OpId, Outcome, Output, Timer};
use super::login::LoginStep;
use super::transfer::Transfer;
use super::{Client, const_arg};

/// The running operation and its id.
#[derive(Debug)]
pub(super) struct Running {
    pub(super) id: OpId,
    pub(super) op: Op,
}

/// What the running operation waits for.
#[derive(Debug)]
pub(super) enum Op {
    /// The greeting (timer `Connect`).
    Greeting,
    /// USER / PASS / ACCT.
    Login(LoginStep),
    /// One command, finished by its first final reply, judged by `Expect`.
    Command(Expect),
    /// `RNFR` sent; `RNTO` follows a `3xx`.
    Rename { to: Arg },
    /// `PBSZ 0` sent (`pbsz_done == false`) or `PROT P` sent.
    ProtP { pbsz_done: bool },
    /// `AUTH TLS` sent (`reply == None`), or the handshake runs after this `234`.
    AuthTls { reply: Option<Reply> },
    /// `CCC` sent (`reply == None`), or the TLS shutdown runs after this `2xx`.
    Ccc { reply: Option<Reply> },
    /// `QUIT` sent.
    Quit,
    /// A transfer.
    Transfer(Box<Transfer>),
    /// `ABOR` sent: `expected` final replies to collect.
    Abort {
        expected: usize,
        replies: Vec<Reply>,
    },
}

/// How a one-command operation judges its final reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expect {
    /// `execute`: any 2xx or 3xx is the result; a typed `TYPE` updates the cached type on 2xx.
    Execute { sent_type: Option<TransferType> },
    /// ftplib `voidcmd`: 2xx.
    Void,
    /// `DELE`: 250 or 200 (ftplib `delete`).
    Delete,
    /// `PWD`, `MKD`: 257 with a path.
    Path,
    /// `SIZE`: 213 with a number.
    Size,
    /// `MDTM`: 213 with a time.
    Mdtm,
    /// `MLST`: 250 with a fact line.
    Mlst,
    /// `FEAT`: 211 with a feature list.
    Feat,
    /// `OPTS UTF8 ON`: any final reply is a result (pure-ftpd answers 504).
    OptsUtf8,
    /// `CDUP` for `cwd("..")`: on 500/502 fall back to `CWD ..`.
    CdupOrCwd,
    /// `PROT C`: 2xx sets the data protection.
    Prot(ProtLevel),
}

impl Client {
    /// Every complete reply goes through here, after being emitted as `Event::Reply`.
    pub(super) fn dispatch_reply(&mut self, reply: Reply) {
        let code = reply.code();
        let class = code.class();
        let Some(Running { id, op }) = self.op.take() else {
            // Unsolicited: only 421 (service closing) changes anything.
            if code == ReplyCode::NOT_AVAILABLE {
                self.shutdown();
            }
            return;
        };
        match op {
            Op::Transfer(t) => self.transfer_reply(id, t, reply),
            Op::Abort {
                expected,
                mut replies,
            } => {
                if class != ReplyClass::Preliminary {
                    replies.push(reply);
                }
                if replies.len() >= expected {
                    self.finish(id, Ok(Outcome::Aborted { replies }));
                } else {
                    self.op = Some(Running {
                        id,
                        op: Op::Abort { expected, replies },
                    });
                }
            }
            Op::AuthTls { reply: Some(_) } | Op::Ccc { reply: Some(_) } => {
                self.finish(id, Err(ProtocolError::ReplyDuringTlsChange(reply).into()));
                self.shutdown();
            }
            op if class == ReplyClass::Preliminary => {
                // A 1xx to a command that opens no data connection is not final: it is
                // reported (Event::Reply) and the reply timer keeps running.
                self.op = Some(Running { id, op });
            }
            Op::Greeting => {
                if class == ReplyClass::Completion {
                    self.welcome = Some(reply.clone());
                    self.finish(id, Ok(Outcome::Greeting(reply)));
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                    self.shutdown();
                }
            }
            Op::Login(step) => self.login_reply(id, step, reply),
            Op::Command(expect) => self.command_reply(id, expect, reply),
            Op::Rename { to } => match class {
                ReplyClass::Intermediate => {
                    self.send(Command::Rnto(to));
                    self.op = Some(Running {
                        id,
                        op: Op::Command(Expect::Void),
                    });
                }
                _ => self.finish(id, Err(Error::from_reply(reply))),
            },
            Op::ProtP { pbsz_done } => match (class, pbsz_done) {
                (ReplyClass::Completion, false) => {
                    self.send(Command::Prot(ProtLevel::Private));
                    self.op = Some(Running {
                        id,
                        op: Op::ProtP { pbsz_done: true },
                    });
                }
                (ReplyClass::Completion, true) => {
                    self.data_protection = ProtLevel::Private;
                    self.finish(id, Ok(Outcome::Reply(reply)));
                }
                _ => self.finish(id, Err(Error::from_reply(reply))),
            },
            Op::AuthTls { reply: None } => {
                if class != ReplyClass::Completion {
                    self.finish(id, Err(Error::from_reply(reply)));
                } else if self.framer.buffered_len() > 0 {
                    let buffered = self.framer.buffered_len();
                    self.finish(
                        id,
                        Err(ProtocolError::PlaintextInjection { reply, buffered }.into()),
                    );
                    self.shutdown();
                } else {
                    self.cancel(Timer::Reply);
                    self.push(Output::Action(Action::SecureControl));
                    self.arm(Timer::Connect);
                    self.op = Some(Running {
                        id,
                        op: Op::AuthTls { reply: Some(reply) },
                    });
                }
            }
            Op::Ccc { reply: None } => {
                if class == ReplyClass::Completion {
                    self.cancel(Timer::Reply);
                    self.push(Output::Action(Action::ShutdownControlTls));
                    self.arm(Timer::Connect);
                    self.op = Some(Running {
                        id,
                        op: Op::Ccc { reply: Some(reply) },
                    });
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                }
            }
            Op::Quit => {
                let result = if class == ReplyClass::Completion {
                    Ok(Outcome::Closed(Some(reply)))
                } else {
                    Err(Error::from_reply(reply))
                };
                self.finish(id, result);
                self.shutdown();
            }
        }
        if code == ReplyCode::NOT_AVAILABLE {
            // 421: the server is closing the control connection.
            self.shutdown();
        }
    }

    fn login_reply(&mut self, id: OpId, step: LoginStep, reply: Reply) {
        let class = reply.code().class();
        match (class, step) {
            (ReplyClass::Completion, _) => self.finish(id, Ok(Outcome::LoggedIn(reply))),
            (ReplyClass::Intermediate, LoginStep::User { password, acct }) => {
                self.send(Command::Pass(password));
                self.op = Some(Running {
                    id,
                    op: Op::Login(LoginStep::Pass { acct }),
                });
            }
            (ReplyClass::Intermediate, LoginStep::Pass { acct: Some(acct) }) => {
                self.send(Command::Acct(acct.into()));
                self.op = Some(Running {
                    id,
                    op: Op::Login(LoginStep::Acct),
                });
            }
            _ => self.finish(id, Err(Error::from_reply(reply))),
        }
    }

    fn command_reply(&mut self, id: OpId, expect: Expect, reply: Reply) {
        let code = reply.code();
        let class = code.class();
        let positive = class == ReplyClass::Completion;
        let result = match expect {
            Expect::OptsUtf8 => Ok(Outcome::Reply(reply)),
            Expect::Execute { sent_type } => match class {
                ReplyClass::Completion | ReplyClass::Intermediate => {
                    if positive && sent_type.is_some() {
                        self.transfer_type = sent_type;
                    }
                    Ok(Outcome::Reply(reply))
                }
                _ => Err(Error::from_reply(reply)),
            },
            Expect::CdupOrCwd
                if code == ReplyCode::SYNTAX_ERROR || code == ReplyCode::NOT_IMPLEMENTED =>
            {
                self.send(Command::Cwd(const_arg("..")));
                self.op = Some(Running {
                    id,
                    op: Op::Command(Expect::Void),
                });
                return;
            }
            _ if !positive => Err(Error::from_reply(reply)),
            Expect::Void | Expect::CdupOrCwd => Ok(Outcome::Reply(reply)),
            Expect::Prot(level) => {
                self.data_protection = level;
                Ok(Outcome::Reply(reply))
            }
            Expect::Delete => {
                if code == ReplyCode::FILE_ACTION_OK || code == ReplyCode::OK {
                    Ok(Outcome::Reply(reply))
                } else {
                    Err(Error::UnexpectedReply(reply))
                }
            }
            Expect::Path => match parse257(&reply) {
                Ok(path) => Ok(Outcome::Path { path, reply }),
                Err(error) => Err(ProtocolError::Malformed { reply, error }.into()),
            },
            Expect::Size => match parse213_size(&reply) {
                Ok(size) => Ok(Outcome::Size(size)),
                Err(error) => Err(ProtocolError::Malformed { reply, error }.into()),
            },
            Expect::Mdtm => match parse213_mdtm(&reply) {
                Ok(t) => Ok(Outcome::Modified(t)),
                Err(error) => Err(ProtocolError::Malformed { reply, error }.into()),
            },
            Expect::Mlst => match mlst_facts(&reply) {
                Ok(entry) => Ok(Outcome::Facts(entry)),
                Err(error) => Err(ProtocolError::MalformedFacts { reply, error }.into()),
            },
            Expect::Feat => match parse_feat(&reply) {
                Ok(features) => {
                    self.features = Some(features.clone());
                    Ok(Outcome::Features(features))
                }
                Err(error) => Err(ProtocolError::Malformed { reply, error }.into()),
            },
        };
        self.finish(id, result);
    }
}

/// The fact line of an MLST reply: the first continuation line of a multi-line 250 (RFC 3659
/// 7.2: it starts with a space).
fn mlst_facts(reply: &Reply) -> Result<crate::listing::MlsdEntry, crate::listing::ListingError> {
    let mut lines = reply.lines();
    let line = if reply.is_multiline() {
        lines.nth(1).unwrap_or_default()
    } else {
        reply.text()
    };
    parse_mlst_line(line)
}
