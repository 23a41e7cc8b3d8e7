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
    pub(super) op: Task,
}

/// What the running operation waits for.
#[derive(Debug)]
pub(super) enum Task {
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
    /// `TYPE I` sent so that `then` (SIZE) is asked in binary; `then` follows a 2xx.
    TypeThen { expect: Expect, then: Command },
    /// `QUIT` sent.
    Quit,
    /// A transfer.
    Transfer(Box<Transfer>),
    /// `ABOR` sent: `expected` final replies to collect, the first `unchecked` of them
    /// answering a preamble command of the transfer (any code), the others 426/451/225/226.
    Abort {
        expected: usize,
        replies: Vec<Reply>,
        unchecked: usize,
    },
}

/// How a one-command operation judges its final reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Expect {
    /// `execute`: any 2xx or 3xx is the result (`voidcmd`, `void == true`: 2xx only); a
    /// typed `TYPE` updates the cached type on 2xx.
    Execute {
        sent_type: Option<TransferType>,
        void: bool,
    },
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
        if class != ReplyClass::Preliminary
            && !matches!(
                self.op,
                Some(Running {
                    op: Task::Abort { .. },
                    ..
                })
            )
        {
            // The reply that was due has come: the reply timer runs again only if another
            // command goes out (the abort dialogue keeps one deadline for all its replies).
            self.cancel(Timer::Reply);
        }
        let Some(Running { id, op }) = self.op.take() else {
            // Unsolicited: only 421 (service closing) changes anything.
            if code == ReplyCode::NOT_AVAILABLE {
                self.shutdown();
            }
            return;
        };
        match op {
            Task::Transfer(t) => self.transfer_reply(id, t, reply),
            Task::Abort {
                expected,
                mut replies,
                unchecked,
            } => {
                if class != ReplyClass::Preliminary {
                    if replies.len() >= unchecked && !ABORT_REPLIES.contains(&code.as_u16()) {
                        // ftplib: anything but 426/225/226 (451 where the server uses it) is
                        // error_proto.
                        self.finish(id, Err(ProtocolError::AbortReply(reply).into()));
                        return;
                    }
                    replies.push(reply);
                }
                if replies.len() >= expected {
                    self.finish(id, Ok(Outcome::Aborted { replies }));
                } else {
                    self.op = Some(Running {
                        id,
                        op: Task::Abort {
                            expected,
                            replies,
                            unchecked,
                        },
                    });
                }
            }
            Task::AuthTls { reply: Some(_) } | Task::Ccc { reply: Some(_) } => {
                self.finish(id, Err(ProtocolError::ReplyDuringTlsChange(reply).into()));
                self.shutdown();
            }
            Task::Greeting if code == ReplyCode::READY_SOON => {
                // "120 Service ready in nnn minutes": wait that long, within a cap.
                if let Some(wait) = announced_delay(reply.text()) {
                    self.extend(
                        Timer::Connect,
                        wait.min(self.config.timeouts.ready_soon_cap),
                    );
                }
                self.op = Some(Running {
                    id,
                    op: Task::Greeting,
                });
            }
            op if class == ReplyClass::Preliminary => {
                // A 1xx to a command that opens no data connection is not final: it is
                // reported (Event::Reply) and the reply timer keeps running.
                self.op = Some(Running { id, op });
            }
            Task::Greeting => {
                if class == ReplyClass::Completion {
                    self.welcome = Some(reply.clone());
                    self.finish(id, Ok(Outcome::Greeting(reply)));
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                    self.shutdown();
                }
            }
            Task::Login(step) => self.login_reply(id, step, reply),
            Task::TypeThen { expect, then } => {
                if class == ReplyClass::Completion {
                    self.transfer_type = Some(TransferType::Binary);
                    self.send(then);
                    self.op = Some(Running {
                        id,
                        op: Task::Command(expect),
                    });
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                }
            }
            Task::Command(expect) => self.command_reply(id, expect, reply),
            Task::Rename { to } => match class {
                ReplyClass::Intermediate => {
                    self.send(Command::Rnto(to));
                    self.op = Some(Running {
                        id,
                        op: Task::Command(Expect::Void),
                    });
                }
                _ => self.finish(id, Err(Error::from_reply(reply))),
            },
            Task::ProtP { pbsz_done } => match (class, pbsz_done) {
                (ReplyClass::Completion, false) => {
                    self.send(Command::Prot(ProtLevel::Private));
                    self.op = Some(Running {
                        id,
                        op: Task::ProtP { pbsz_done: true },
                    });
                }
                (ReplyClass::Completion, true) => {
                    self.data_protection = ProtLevel::Private;
                    self.finish(id, Ok(Outcome::Reply(reply)));
                }
                _ => self.finish(id, Err(Error::from_reply(reply))),
            },
            Task::AuthTls { reply: None } => {
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
                        op: Task::AuthTls { reply: Some(reply) },
                    });
                }
            }
            Task::Ccc { reply: None } => {
                if class == ReplyClass::Completion {
                    self.cancel(Timer::Reply);
                    self.push(Output::Action(Action::ShutdownControlTls));
                    self.arm(Timer::Connect);
                    self.op = Some(Running {
                        id,
                        op: Task::Ccc { reply: Some(reply) },
                    });
                } else {
                    self.finish(id, Err(Error::from_reply(reply)));
                }
            }
            Task::Quit => {
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
            (
                ReplyClass::Intermediate,
                LoginStep::User {
                    password,
                    acct: Some(acct),
                },
            ) if reply.code() == ReplyCode::NEED_ACCOUNT => {
                // RFC 959 5.4: 332 after USER asks for the account first.
                self.send(Command::Acct(acct.into()));
                self.op = Some(Running {
                    id,
                    op: Task::Login(LoginStep::AcctFirst { password }),
                });
            }
            (ReplyClass::Intermediate, LoginStep::AcctFirst { password }) => {
                self.send(Command::Pass(password));
                self.op = Some(Running {
                    id,
                    op: Task::Login(LoginStep::Pass { acct: None }),
                });
            }
            (ReplyClass::Intermediate, LoginStep::User { password, acct })
                if reply.code() != ReplyCode::NEED_ACCOUNT =>
            {
                self.send(Command::Pass(password));
                self.op = Some(Running {
                    id,
                    op: Task::Login(LoginStep::Pass { acct }),
                });
            }
            (ReplyClass::Intermediate, LoginStep::Pass { acct: Some(acct) }) => {
                self.send(Command::Acct(acct.into()));
                self.op = Some(Running {
                    id,
                    op: Task::Login(LoginStep::Acct),
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
            Expect::Execute { void: true, .. } if class == ReplyClass::Intermediate => {
                Err(Error::UnexpectedReply(reply))
            }
            Expect::Execute { sent_type, .. } => match class {
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
                    op: Task::Command(Expect::Void),
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
                // ftplib `parse257`: a 257 that holds no quoted path (IIS) is an empty path,
                // not a failure after the directory was made.
                Err(_)
                    if code == ReplyCode::PATH_CREATED && !reply.first_text().contains(&b'"') =>
                {
                    Ok(Outcome::Path {
                        path: Vec::new(),
                        reply,
                    })
                }
                Err(error) => Err(ProtocolError::Malformed { reply, error }.into()),
            },
            // ftplib `size`: a positive reply other than 213 means "size unknown".
            Expect::Size if code != ReplyCode::FILE_STATUS => {
                Ok(Outcome::Size { size: None, reply })
            }
            Expect::Size => match parse213_size(&reply) {
                Ok(size) => Ok(Outcome::Size {
                    size: Some(size),
                    reply,
                }),
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

/// The delay a `120` reply announces: the first number, in minutes (RFC 959: "Service ready
/// in nnn minutes"), or seconds or hours when the word after it says so.
fn announced_delay(text: &[u8]) -> Option<core::time::Duration> {
    let start = text.iter().position(u8::is_ascii_digit)?;
    let digits = text[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let n: u64 = core::str::from_utf8(&text[start..start + digits])
        .ok()?
        .parse()
        .ok()?;
    let unit = text[start + digits..]
        .iter()
        .skip_while(|b| **b == b' ')
        .take(3)
        .map(u8::to_ascii_lowercase)
        .collect::<Vec<u8>>();
    let secs = match unit.as_slice() {
        b"sec" => n,
        b"hou" => n.saturating_mul(3600),
        _ => n.saturating_mul(60),
    };
    Some(core::time::Duration::from_secs(secs))
}

/// The final replies `ABOR` may bring: 426/451 (the transfer's end), 225/226 (ABOR's own).
const ABORT_REPLIES: [u16; 4] = [225, 226, 426, 451];

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
