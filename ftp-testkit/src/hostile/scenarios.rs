//! The table of hostile scenarios.

use super::{
    Action, Check, ErrorKind, Expect, Hole, Scenario, ServerCert, ServerEnd, SessionState, Setup,
    SpeedLimits, TlsSetup, Wait,
};
use crate::scripted::{
    Channel, Generated, LineMatch, PasvStyle, Responder, Script, Step, push_decimal,
};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

const GREETING: &str = "220 hostile test server\r\n";
/// The short timeout of the wait a scenario is about.
const SHORT: Duration = Duration::from_millis(300);
const MIB: u64 = 1024 * 1024;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn greeting() -> Script {
    Script::new().send(GREETING)
}

/// Greeting and an anonymous login.
fn logged_in() -> Script {
    greeting()
        .expect("USER anonymous\r\n")
        .send("331 password please\r\n")
        .expect("PASS anonymous@\r\n")
        .send("230 logged in\r\n")
}

/// Explicit FTPS: greeting, `AUTH TLS`, the handshake, login, and `PBSZ 0`/`PROT P`.
fn tls_logged_in() -> Script {
    greeting()
        .expect("AUTH TLS\r\n")
        .send("234 go ahead\r\n")
        .control_start_tls()
        .expect("USER anonymous\r\n")
        .send("331 password please\r\n")
        .expect("PASS anonymous@\r\n")
        .send("230 logged in\r\n")
        .expect("PBSZ 0\r\n")
        .send("200 PBSZ=0\r\n")
        .expect("PROT P\r\n")
        .send("200 private\r\n")
}

/// `TYPE`, `EPSV` and the data connection, then `verb` (no 1xx yet).
fn passive(script: Script, type_line: &str, verb: &str) -> Script {
    script
        .expect(type_line)
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .passive_epsv()
        .accept_data()
        .expect(verb)
}

/// A download of `f` opened: the data connection is up and the 1xx is `reply`.
fn retr_with(script: Script, reply: &str) -> Script {
    passive(script, "TYPE I\r\n", "RETR f\r\n").send(reply)
}

fn retr_opened(script: Script) -> Script {
    retr_with(script, "150 here it comes\r\n")
}

/// An MLSD listing opened with a 150.
fn mlsd_opened(script: Script) -> Script {
    passive(script, "TYPE A\r\n", "MLSD\r\n").send("150 listing\r\n")
}

/// `TYPE I`, `EPSV` refused, `PASV` answered with `reply`.
fn pasv_reply(reply: &str) -> Script {
    logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send("500 EPSV not understood\r\n")
        .expect("PASV\r\n")
        .send(reply)
}

fn epsv_reply(reply: &str) -> Script {
    logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send(reply)
}

/// MLSD lines `type=file;size=1; fNNNNNNN`, `count` of them, generated.
fn mlsd_entries(count: u64) -> Generated {
    Generated::lines("MLSD entries", count, |i, buf| {
        buf.extend_from_slice(b"type=file;size=1; f");
        push_decimal(buf, i);
        buf.extend_from_slice(b"\r\n");
    })
}

/// A scenario with the default setup.
fn scenario(
    name: &'static str,
    about: &'static str,
    action: Action,
    expect: Expect,
    after: SessionState,
    build: fn() -> Script,
) -> Scenario {
    Scenario {
        name,
        about,
        setup: Setup::default(),
        action,
        expect,
        after,
        server_end: ServerEnd::Completes,
        hole: None,
        bound: None,
        memory_bound: None,
        message_has_no_controls: false,
        build,
    }
}

impl Scenario {
    fn with(mut self, f: impl FnOnce(&mut Setup)) -> Scenario {
        f(&mut self.setup);
        self
    }

    fn hole(mut self, hole: Hole) -> Scenario {
        self.hole = Some(hole);
        self
    }

    fn size_bounds(mut self, time: Duration, memory: u64) -> Scenario {
        self.bound = Some(time);
        self.memory_bound = Some(memory);
        self
    }

    fn any_server_end(mut self) -> Scenario {
        self.server_end = ServerEnd::AnyEnd;
        self
    }
}

fn err(kind: ErrorKind) -> Expect {
    Expect::Err(kind)
}

fn ok(checks: Vec<Check>) -> Expect {
    Expect::Ok(checks)
}

fn tls(cert: ServerCert, tls13_only: bool, prot_p: bool) -> impl FnOnce(&mut Setup) {
    move |s| {
        s.tls = Some(TlsSetup {
            implicit: false,
            cert,
            tls13_only,
            prot_p,
        })
    }
}

use ErrorKind::*;
use SessionState::{Closed, NoSession, Usable};

/// Every hostile scenario, in a stable order.
pub fn scenarios() -> Vec<Scenario> {
    let mut all = Vec::new();
    all.extend(greeting_and_replies());
    all.extend(disconnects());
    all.extend(passive_replies());
    all.extend(data_connections());
    all.extend(listings());
    all.extend(tls_scenarios());
    all.extend(tls_abort());
    all.extend(limits());
    all
}

fn greeting_and_replies() -> Vec<Scenario> {
    vec![
        scenario(
            "greeting_never_sent_times_out",
            "The server accepts the connection and says nothing: the connect timeout ends the wait.",
            Action::Connect,
            err(Timeout(Wait::Connect)),
            NoSession,
            || Script::new().never_answer(),
        )
        .with(|s| s.timeouts.connect = SHORT),
        scenario(
            "greeting_trickled_one_byte_per_100ms_times_out_as_a_whole",
            "The greeting comes one byte per 100 ms: the connect deadline covers the whole greeting, not each byte.",
            Action::Connect,
            err(Timeout(Wait::Connect)),
            NoSession,
            || {
                Script::new()
                    .send_slowly("220 a greeting that takes more than ten seconds to arrive, one byte every 100 ms, far past any deadline\r\n", ms(100))
                    .wait_for_close()
            },
        )
        .with(|s| s.timeouts.connect = ms(500))
        .any_server_end(),
        scenario(
            "reply_trickled_one_byte_per_100ms_times_out_and_closes",
            "A reply one byte per 100 ms: the reply deadline covers the whole reply; the control connection is out of step afterwards, so the session closes.",
            Action::Noop,
            err(Timeout(Wait::Reply)),
            Closed,
            || {
                logged_in()
                    .expect("NOOP\r\n")
                    .send_slowly("200 a reply that takes more than ten seconds to arrive, one byte every 100 ms, far past any deadline\r\n", ms(100))
            },
        )
        .with(|s| s.timeouts.reply = ms(500))
        .any_server_end(),
        scenario(
            "greeting_of_one_megabyte_line_is_a_limit_error",
            "A 1 MB greeting line: refused at the framer's line limit, never buffered whole.",
            Action::Connect,
            err(Limit),
            NoSession,
            || {
                Script::new().send_generated(
                    Generated::repeat(vec![b'x'; 1024], 1024)
                        .head("220 ")
                        .tail("\r\n"),
                )
            },
        ),
        scenario(
            "reply_of_one_megabyte_line_is_a_limit_error_and_closes",
            "A 1 MB reply line to NOOP: refused at the line limit; the session closes (the rest of the line would be read as replies).",
            Action::Noop,
            err(Limit),
            Closed,
            || {
                logged_in().expect("NOOP\r\n").send_generated(
                    Generated::repeat(vec![b'x'; 1024], 1024)
                        .head("200 ")
                        .tail("\r\n"),
                )
            },
        ),
        scenario(
            "endless_multiline_reply_is_a_limit_error_and_closes",
            "A multi-line reply that never ends (200- lines up to 1 GB): refused at the reply size limit.",
            Action::Noop,
            err(Limit),
            Closed,
            || {
                logged_in()
                    .expect("NOOP\r\n")
                    .send_generated(Generated::repeat("200-and more\r\n", 1 << 26))
            },
        ),
        scenario(
            "endless_multiline_greeting_is_a_limit_error",
            "A greeting that never ends: refused at the reply size limit.",
            Action::Connect,
            err(Limit),
            NoSession,
            || Script::new().send_generated(Generated::repeat("220-welcome\r\n", 1 << 26)),
        ),
        scenario(
            "nul_and_latin1_bytes_in_a_reply_are_kept",
            "A reply holding a NUL and a Latin-1 byte is still a reply: its code counts and the session goes on.",
            Action::Quote("SYST".into()),
            ok(vec![Check::ReplyCode(215)]),
            Usable,
            || {
                logged_in()
                    .expect("SYST\r\n")
                    .send(b"215 UNIX \x00 caf\xe9\r\n")
            },
        ),
        scenario(
            "latin1_path_in_257_reply_is_accepted",
            "PWD answered with a Latin-1 path: decoded, not an error.",
            Action::Pwd,
            ok(vec![]),
            Usable,
            || {
                logged_in()
                    .expect("PWD\r\n")
                    .send(b"257 \"/caf\xe9\" is the current directory\r\n")
            },
        ),
        scenario(
            "code_change_on_the_last_line_ends_the_reply",
            "A multi-line 200 reply whose last line says 226 (glFTPd): the reply ends there, the session stays in step.",
            Action::Noop,
            ok(vec![Check::ReplyCode(200)]),
            Usable,
            || {
                logged_in()
                    .expect("NOOP\r\n")
                    .send("200-first line\r\n226 last line with another code\r\n")
            },
        ),
        scenario(
            "reply_code_999_is_a_protocol_error",
            "A code above 599 is not a reply.",
            Action::Noop,
            err(Protocol),
            Closed,
            || logged_in().expect("NOOP\r\n").send("999 what\r\n"),
        ),
        scenario(
            "reply_code_099_is_a_protocol_error",
            "A code below 100 is not a reply.",
            Action::Noop,
            err(Protocol),
            Closed,
            || logged_in().expect("NOOP\r\n").send("099 what\r\n"),
        ),
        scenario(
            "reply_code_600_is_a_protocol_error",
            "600 is outside 100-599.",
            Action::Noop,
            err(Protocol),
            Closed,
            || logged_in().expect("NOOP\r\n").send("600 what\r\n"),
        ),
        scenario(
            "text_instead_of_a_reply_is_a_protocol_error",
            "A line with no code where a reply is due.",
            Action::Noop,
            err(Protocol),
            Closed,
            || logged_in().expect("NOOP\r\n").send("hello there\r\n"),
        ),
        scenario(
            "unsolicited_reply_between_commands_does_not_answer_the_next_command",
            "A 200 arrives while no command runs; the next command (SYST) must get its own reply (215), not the stale one.",
            Action::Quote("SYST".into()),
            ok(vec![Check::ReplyCode(215)]),
            Usable,
            || {
                logged_in()
                    // Arrives on its own, after the client has taken the 230.
                    .sleep(ms(100))
                    .send("200 unsolicited\r\n")
                    .expect("SYST\r\n")
                    .send("215 UNIX Type: L8\r\n")
            },
        ),
        scenario(
            "unsolicited_421_between_commands_closes_the_session",
            "A 421 (service closing) while idle, then the server reads whatever comes until the client closes: the next command reports the 421 (the reason is not lost) and the session is closed.",
            Action::Noop,
            err(Refused4xx),
            Closed,
            || {
                logged_in()
                    .sleep(ms(100))
                    .send("421 shutting down\r\n")
                    .never_answer()
            },
        ),
        scenario(
            "error_quoting_a_reply_escapes_terminal_controls",
            "A 550 whose text holds ESC ] 0 ; ... BEL and ESC [ 2 J: the error's Display must not carry them raw (issue 13 item 3).",
            Action::Cwd("x".into()),
            err(Refused5xx),
            Usable,
            || {
                logged_in()
                    .expect("CWD x\r\n")
                    .send(b"550 \x1b]0;owned\x07\x1b[2J\x9b31m no\r\n")
            },
        )
        .hole(Hole::TerminalEscapes),
    ]
    .into_iter()
    .map(|mut s| {
        if s.name == "error_quoting_a_reply_escapes_terminal_controls" {
            s.message_has_no_controls = true;
        }
        s
    })
    .collect()
}

fn disconnects() -> Vec<Scenario> {
    vec![
        scenario(
            "disconnect_before_the_greeting_is_connection_closed",
            "The server accepts and closes at once.",
            Action::Connect,
            err(ConnectionClosed),
            NoSession,
            || Script::new().close_control(),
        ),
        scenario(
            "disconnect_after_user_is_connection_closed",
            "The server closes when USER arrives.",
            Action::Login,
            err(ConnectionClosed),
            Closed,
            || greeting().expect("USER anonymous\r\n").close_control(),
        ),
        scenario(
            "disconnect_after_pass_is_connection_closed",
            "The server closes when PASS arrives.",
            Action::Login,
            err(ConnectionClosed),
            Closed,
            || {
                greeting()
                    .expect("USER anonymous\r\n")
                    .send("331 password please\r\n")
                    .expect("PASS anonymous@\r\n")
                    .close_control()
            },
        ),
        scenario(
            "reset_during_login_is_connection_closed",
            "A TCP reset (SO_LINGER 0) when USER arrives.",
            Action::Login,
            err(ConnectionClosed),
            Closed,
            || greeting().expect("USER anonymous\r\n").reset_control(),
        ),
        scenario(
            "login_refused_with_421_closes_the_session",
            "421 to USER: a temporary refusal that ends the session.",
            Action::Login,
            err(Refused4xx),
            Closed,
            || {
                greeting()
                    .expect("USER anonymous\r\n")
                    .send("421 too many users\r\n")
            },
        ),
        scenario(
            "disconnect_after_type_is_connection_closed",
            "The server closes when TYPE arrives, before any data connection.",
            Action::Retr("f".into()),
            err(ConnectionClosed),
            Closed,
            || logged_in().expect("TYPE I\r\n").close_control(),
        ),
        scenario(
            "disconnect_after_epsv_reply_is_connection_closed",
            "The server announces its data port, then closes the control connection.",
            Action::Retr("f".into()),
            err(ConnectionClosed),
            Closed,
            || {
                logged_in()
                    .expect("TYPE I\r\n")
                    .send("200 type set\r\n")
                    .expect("EPSV\r\n")
                    .passive_epsv()
                    .accept_data()
                    .expect("RETR f\r\n")
                    .close_control()
            },
        ),
        scenario(
            "disconnect_after_150_is_connection_closed",
            "A 150, then both connections close without data.",
            Action::Retr("f".into()),
            err(ConnectionClosed),
            Closed,
            || retr_opened(logged_in()).close_control(),
        ),
        scenario(
            "disconnect_mid_transfer_is_connection_closed",
            "Half the data, then both connections close: no final reply will come.",
            Action::Retr("f".into()),
            err(ConnectionClosed),
            Closed,
            || {
                retr_opened(logged_in())
                    .data_send(vec![1u8; 100_000])
                    .close_control()
            },
        ),
        scenario(
            "disconnect_after_data_before_226_is_connection_closed",
            "All the data and its end, then the control connection closes instead of a 226.",
            Action::Retr("f".into()),
            err(ConnectionClosed),
            Closed,
            || {
                retr_opened(logged_in())
                    .data_send(vec![1u8; 1000])
                    .data_close()
                    .close_control()
            },
        ),
        scenario(
            "control_reset_mid_transfer_is_connection_closed",
            "A TCP reset of the control connection (and the data connection) mid-transfer.",
            Action::Retr("f".into()),
            err(ConnectionClosed),
            Closed,
            || {
                retr_opened(logged_in())
                    .data_send(vec![1u8; 100_000])
                    .reset_control()
            },
        ),
        scenario(
            "disconnect_mid_upload_is_connection_closed",
            "An upload: the server reads some of it, then closes both connections: no final reply will come.",
            Action::Stor("up".into(), 64 * MIB),
            err(ConnectionClosed),
            Closed,
            || {
                passive(logged_in(), "TYPE I\r\n", "STOR up\r\n")
                    .send("150 send it\r\n")
                    .sleep(ms(100))
                    .close_control()
            },
        ),
        scenario(
            "disconnect_mid_listing_is_connection_closed",
            "An MLSD listing: some entries, then both connections close.",
            Action::Mlsd(String::new()),
            err(ConnectionClosed),
            Closed,
            || {
                mlsd_opened(logged_in())
                    .data_send_generated(mlsd_entries(1000))
                    .close_control()
            },
        ),
        scenario(
            "data_reset_mid_transfer_then_426_is_a_temporary_error",
            "A TCP reset of the data connection mid-transfer, then 426: the caller gets the server's 426 (the reply is kept, as ftplib's error_temp), and the session is usable.",
            Action::Retr("f".into()),
            err(Refused4xx),
            Usable,
            || {
                retr_opened(logged_in())
                    .data_send(vec![1u8; 100_000])
                    .sleep(ms(100))
                    .data_reset()
                    .send("426 connection reset\r\n")
            },
        ),
    ]
}

fn passive_replies() -> Vec<Scenario> {
    vec![
        scenario(
            "pasv_numbers_over_255_are_a_protocol_error",
            "227 (127,0,0,300,4,1): an octet over 255.",
            Action::Retr("f".into()),
            err(Protocol),
            Usable,
            || pasv_reply("227 Entering Passive Mode (127,0,0,300,4,1).\r\n"),
        ),
        scenario(
            "pasv_port_byte_over_255_is_a_protocol_error",
            "227 (127,0,0,1,4,256): a port byte over 255.",
            Action::Retr("f".into()),
            err(Protocol),
            Usable,
            || pasv_reply("227 Entering Passive Mode (127,0,0,1,4,256).\r\n"),
        ),
        scenario(
            "pasv_pointing_elsewhere_is_ignored_by_default",
            "227 names 127.9.8.7, where nothing listens: the client connects to the control peer instead and the download works.",
            Action::Retr("f".into()),
            ok(vec![Check::Bytes(5)]),
            Usable,
            || {
                logged_in()
                    .expect("TYPE I\r\n")
                    .send("200 type set\r\n")
                    .expect("EPSV\r\n")
                    .send("500 EPSV not understood\r\n")
                    .expect("PASV\r\n")
                    .passive_pasv(Some(Ipv4Addr::new(127, 9, 8, 7)))
                    .accept_data()
                    .expect("RETR f\r\n")
                    .send("150 here\r\n")
                    .data_send("hello")
                    .data_close()
                    .send("226 done\r\n")
            },
        ),
        scenario(
            "pasv_port_zero_is_a_protocol_error",
            "227 (127,0,0,1,0,0): port 0 is refused as EPSV port 0 is (issue 13 item 7).",
            Action::Retr("f".into()),
            err(Protocol),
            Usable,
            || pasv_reply("227 Entering Passive Mode (127,0,0,1,0,0).\r\n"),
        )
        .hole(Hole::TrustPasvChecks),
        scenario(
            "trusted_pasv_to_unspecified_address_is_refused",
            "With the 227 address trusted, 0.0.0.0 (which Linux connects to as the local host) is refused unless the control peer is one: the client connects to the control peer instead (issue 13 item 7).",
            Action::Retr("f".into()),
            ok(vec![Check::Bytes(5)]),
            Usable,
            || trusted_pasv_served(Ipv4Addr::UNSPECIFIED),
        )
        .with(|s| s.trust_pasv = true),
        scenario(
            "trusted_pasv_to_multicast_address_is_refused",
            "With the 227 address trusted, a multicast address is refused: the client connects to the control peer instead (issue 13 item 7).",
            Action::Retr("f".into()),
            ok(vec![Check::Bytes(5)]),
            Usable,
            || trusted_pasv_served(Ipv4Addr::new(224, 0, 0, 1)),
        )
        .with(|s| s.trust_pasv = true),
        scenario(
            "epsv_with_mixed_delimiters_is_a_protocol_error",
            "229 (|||1234!): the delimiters differ.",
            Action::Retr("f".into()),
            err(Protocol),
            Usable,
            || epsv_reply("229 Entering Extended Passive Mode (|||1234!)\r\n"),
        ),
        scenario(
            "epsv_port_zero_is_a_protocol_error",
            "229 (|||0|).",
            Action::Retr("f".into()),
            err(Protocol),
            Usable,
            || epsv_reply("229 Entering Extended Passive Mode (|||0|)\r\n"),
        ),
        scenario(
            "epsv_port_over_65535_is_a_protocol_error",
            "229 (|||70000|).",
            Action::Retr("f".into()),
            err(Protocol),
            Usable,
            || epsv_reply("229 Entering Extended Passive Mode (|||70000|)\r\n"),
        ),
        scenario(
            "epsv_without_parentheses_is_a_protocol_error",
            "229 with no (|||port|) at all.",
            Action::Retr("f".into()),
            err(Protocol),
            Usable,
            || epsv_reply("229 Entering Extended Passive Mode\r\n"),
        ),
        scenario(
            "epsv_port_with_nothing_listening_is_a_data_error",
            "229 names a port nobody listens on: the connect is refused, the session goes on.",
            Action::Retr("f".into()),
            err(DataConnection),
            Usable,
            || epsv_reply("229 Entering Extended Passive Mode (|||1|)\r\n"),
        ),
    ]
}

/// A download whose 227 names `ip` for the server's real listener.
fn trusted_pasv_served(ip: Ipv4Addr) -> Script {
    pasv_reply_listening(ip)
        .accept_data()
        .expect("RETR f\r\n")
        .send("150 here\r\n")
        .data_send("hello")
        .data_close()
        .send("226 done\r\n")
}

/// `PASV` answered with a real listener announced under `ip`.
fn pasv_reply_listening(ip: Ipv4Addr) -> Script {
    logged_in()
        .expect("TYPE I\r\n")
        .send("200 type set\r\n")
        .expect("EPSV\r\n")
        .send("500 EPSV not understood\r\n")
        .expect("PASV\r\n")
        .step(Step::PassiveListen {
            reply: PasvStyle::Pasv {
                advertised_ip: Some(ip),
            },
        })
}

fn data_connections() -> Vec<Scenario> {
    vec![
        scenario(
            "active_150_then_no_data_connection_times_out",
            "Active mode: 150, and the server never connects: the data-connect timeout ends the wait, the 425 that follows is read, the session goes on.",
            Action::Retr("f".into()),
            err(Timeout(Wait::DataConnect)),
            Usable,
            || {
                logged_in()
                    .expect("TYPE I\r\n")
                    .send("200 type set\r\n")
                    .expect_prefix("EPRT |1|127.0.0.1|")
                    .send("200 EPRT ok\r\n")
                    .expect("RETR f\r\n")
                    .send("150 connecting\r\n")
                    .sleep(ms(1500))
                    .send("425 could not open data connection\r\n")
            },
        )
        .with(|s| {
            s.passive = false;
            s.timeouts.data_connect = SHORT;
        }),
        scenario(
            "active_connection_from_another_address_is_not_accepted",
            "Active mode: 127.0.0.2 connects first, then the server from its own address: only the second is used.",
            Action::Retr("f".into()),
            ok(vec![Check::Bytes(7)]),
            Usable,
            || {
                logged_in()
                    .expect("TYPE I\r\n")
                    .send("200 type set\r\n")
                    .expect_prefix("EPRT |1|127.0.0.1|")
                    .send("200 EPRT ok\r\n")
                    .expect("RETR f\r\n")
                    .send("150 connecting\r\n")
                    .connect_to_client_data(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))))
                    .data_send("intruder")
                    .connect_to_client_data(None)
                    .data_send("genuine")
                    .data_close()
                    .send("226 done\r\n")
            },
        )
        .with(|s| s.passive = false),
        scenario(
            "active_connection_only_from_another_address_times_out",
            "Active mode: only 127.0.0.2 ever connects: it is dropped, and the data-connect timeout ends the wait.",
            Action::Retr("f".into()),
            err(Timeout(Wait::DataConnect)),
            Usable,
            || {
                logged_in()
                    .expect("TYPE I\r\n")
                    .send("200 type set\r\n")
                    .expect_prefix("EPRT |1|127.0.0.1|")
                    .send("200 EPRT ok\r\n")
                    .expect("RETR f\r\n")
                    .send("150 connecting\r\n")
                    .connect_to_client_data(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))))
                    .data_send("intruder")
                    .sleep(ms(1500))
                    .send("425 could not open data connection\r\n")
            },
        )
        .with(|s| {
            s.passive = false;
            s.timeouts.data_connect = SHORT;
        }),
        scenario(
            "data_shorter_than_announced_size_is_truncated",
            "150 announces 1000 bytes, 500 come, then 226: the download is truncated, the session goes on.",
            Action::Retr("f".into()),
            err(Truncated),
            Usable,
            || {
                retr_with(
                    logged_in(),
                    "150 Opening BINARY mode data connection for f (1000 bytes)\r\n",
                )
                .data_send(vec![2u8; 500])
                .data_close()
                .send("226 done\r\n")
            },
        ),
        scenario(
            "reply_226_before_the_data_ends_still_gets_all_data",
            "The 226 comes before the data (allowed): the client must read the data to its end, not stop at the 226.",
            Action::Retr("f".into()),
            ok(vec![Check::Bytes(300_000)]),
            Usable,
            || {
                retr_opened(logged_in())
                    .send("226 done early\r\n")
                    .sleep(ms(50))
                    .data_send(vec![3u8; 300_000])
                    .data_close()
            },
        ),
        scenario(
            "reply_5xx_after_150_then_data_closed_is_a_permanent_error",
            "150, some data, then 551 and the data connection closed (what servers do): a 5xx with its reply, the session goes on.",
            Action::Retr("f".into()),
            err(Refused5xx),
            Usable,
            || {
                retr_opened(logged_in())
                    .data_send(vec![4u8; 1000])
                    .sleep(ms(100))
                    .send("551 read error on the server\r\n")
                    .data_close()
            },
        ),
        scenario(
            "reply_5xx_after_150_while_data_stays_open_is_a_permanent_error",
            "150, some data, then (while the client reads the data connection) 551 with the data connection left open: the 5xx must end the wait, the client closes the data connection, the session goes on.",
            Action::Retr("f".into()),
            err(Refused5xx),
            Usable,
            || {
                retr_opened(logged_in())
                    .data_send(vec![4u8; 1000])
                    .sleep(ms(100))
                    .send("551 read error on the server\r\n")
                    .data_hold_open()
            },
        ),
        scenario(
            "reply_4xx_after_150_while_data_stays_open_is_a_temporary_error",
            "150, then (while the client waits on the silent data connection) 426 with the data connection left open: the 4xx must end the wait, the session goes on.",
            Action::Retr("f".into()),
            err(Refused4xx),
            Usable,
            || {
                retr_opened(logged_in())
                    .sleep(ms(100))
                    .send("426 transfer aborted\r\n")
                    .data_hold_open()
            },
        ),
        scenario(
            "data_trickle_is_cut_by_the_overall_time_limit",
            "Data one byte per 100 ms (never idle long enough for the idle timeout): an overall limit of 1 s ends it (issue 13 item 6).",
            Action::Retr("f".into()),
            err(Timeout(Wait::Overall)),
            Usable,
            || {
                retr_opened(logged_in())
                    .data_send_slowly(vec![5u8; 100], ms(100))
                    .data_close()
                    .send("226 done\r\n")
            },
        )
        .with(|s| {
            s.timeouts.data_idle = Duration::from_secs(2);
            s.limits = SpeedLimits {
                max_time: Some(Duration::from_secs(1)),
                low_speed: None,
            };
        })
        .hole(Hole::SpeedLimits),
        scenario(
            "data_trickle_is_cut_by_the_low_speed_limit",
            "Data one byte per 100 ms against a low-speed limit of 1000 B/s over 1 s (issue 13 item 6).",
            Action::Retr("f".into()),
            err(Timeout(Wait::LowSpeed)),
            Usable,
            || {
                retr_opened(logged_in())
                    .data_send_slowly(vec![5u8; 100], ms(100))
                    .data_close()
                    .send("226 done\r\n")
            },
        )
        .with(|s| {
            s.timeouts.data_idle = Duration::from_secs(2);
            s.limits = SpeedLimits {
                max_time: None,
                low_speed: Some((1000, Duration::from_secs(1))),
            };
        })
        .hole(Hole::SpeedLimits),
        scenario(
            "upload_data_connection_reset_then_426_is_a_temporary_error",
            "An upload of 64 MiB whose data connection the server resets, then 426: the caller gets the 426, the session goes on.",
            Action::Stor("up".into(), 64 * MIB),
            err(Refused4xx),
            Usable,
            || {
                passive(logged_in(), "TYPE I\r\n", "STOR up\r\n")
                    .send("150 send it\r\n")
                    .sleep(ms(100))
                    .data_reset()
                    .send("426 connection reset\r\n")
            },
        ),
    ]
}

fn listings() -> Vec<Scenario> {
    vec![
        scenario(
            "listing_of_ten_million_entries_streams_in_bounded_memory",
            "MLSD of ten million generated entries (about 280 MB), consumed through the streaming iterator: all arrive, memory stays small.",
            Action::Mlsd(String::new()),
            ok(vec![Check::Entries(10_000_000)]),
            Usable,
            || {
                mlsd_opened(logged_in())
                    .data_send_generated(mlsd_entries(10_000_000))
                    .data_close()
                    .send("226 done\r\n")
            },
        )
        .size_bounds(Duration::from_secs(600), 256 * MIB),
        scenario(
            "listing_line_of_one_gigabyte_is_a_limit_error",
            "A 1 GB MLSD line: refused at the listing line limit and never held; the session goes on.",
            Action::Mlsd(String::new()),
            err(Limit),
            Usable,
            || {
                mlsd_opened(logged_in())
                    .data_send_generated(
                        Generated::repeat(vec![b'x'; 64 * 1024], 16 * 1024)
                            .head("type=file; ")
                            .tail("\r\n"),
                    )
                    .data_close()
                    .send("226 done\r\n")
            },
        )
        .size_bounds(Duration::from_secs(600), 256 * MIB),
        scenario(
            "nlst_of_ten_million_names_is_a_limit_error",
            "NLST of ten million generated names: nlst returns a list, so it must have a cap (issue 13 item 6) instead of collecting them all.",
            Action::Nlst,
            err(Limit),
            Usable,
            || {
                passive(logged_in(), "TYPE A\r\n", "NLST\r\n")
                    .send("150 names\r\n")
                    .data_send_generated(Generated::lines("names", 10_000_000, |i, buf| {
                        buf.push(b'f');
                        push_decimal(buf, i);
                        buf.extend_from_slice(b"\r\n");
                    }))
                    .data_close()
                    .send("226 done\r\n")
            },
        )
        .any_server_end()
        .size_bounds(Duration::from_secs(600), 256 * MIB)
        .hole(Hole::SpeedLimits),
        scenario(
            "mlsd_line_without_a_name_is_a_protocol_error_and_the_rest_arrives",
            "An MLSD line with no space before the name among good ones: that line is an error item, the others still arrive, and the session goes on.",
            Action::Mlsd(String::new()),
            err(Protocol),
            Usable,
            || {
                mlsd_opened(logged_in())
                    .data_send("type=file;size=1; a\r\ntype=file;size=1;noname\r\ntype=file;size=1; b\r\n")
                    .data_close()
                    .send("226 done\r\n")
            },
        ),
        scenario(
            "list_line_no_parser_reads_is_kept_raw_between_the_entries",
            "A LIST listing with binary garbage between two Unix lines: LIST has no standard format, so the garbage comes out as a raw entry without a name, both real entries arrive, and the session goes on.",
            Action::List(String::new()),
            ok(vec![Check::Entries(3), Check::FirstName(b"a".to_vec())]),
            Usable,
            || {
                passive(logged_in(), "TYPE A\r\n", "LIST\r\n")
                    .send("150 listing\r\n")
                    .data_send(
                        b"-rw-r--r--   1 ftp ftp  10 Jan  1  2024 a\r\n\x00\x01\xff garbage \x1b[2J\r\n-rw-r--r--   1 ftp ftp  20 Jan  1  2024 b\r\n",
                    )
                    .data_close()
                    .send("226 done\r\n")
            },
        ),
        scenario(
            "terminal_escapes_in_listed_names_are_kept_as_bytes",
            "MLSD names holding ESC ] 0 ; ... BEL and ESC [ 1 A come out as the exact bytes (escaping is the printer's job).",
            Action::Mlsd(String::new()),
            ok(vec![
                Check::Entries(2),
                Check::FirstName(b"\x1b]0;owned\x07\x1b[1A.txt".to_vec()),
            ]),
            Usable,
            || {
                mlsd_opened(logged_in())
                    .data_send(
                        b"type=file;size=1; \x1b]0;owned\x07\x1b[1A.txt\r\ntype=file;size=1; plain\r\n",
                    )
                    .data_close()
                    .send("226 done\r\n")
            },
        ),
        scenario(
            "walk_of_64_nested_60k_names_then_1000_entries_is_a_limit_error",
            "A tree 64 directories deep, each named with 60 KiB, then 1000 entries in the deepest: the walk refuses the path length instead of holding gigabytes (issue 13 item 1).",
            Action::Walk(String::new()),
            err(Limit),
            Usable,
            || {
                Script::new()
                    .max_line(8 << 20)
                    .send(GREETING)
                    .serve(deep_tree())
            },
        )
        .any_server_end()
        .size_bounds(Duration::from_secs(60), 512 * MIB)
        .hole(Hole::WalkBounds),
        scenario(
            "walk_of_a_generated_tree_that_never_repeats_is_a_limit_error",
            "Every directory holds 10,000 new directories, forever: the walk stops at one of its bounds (entries, bytes held) instead of going on (issue 13 item 1).",
            Action::Walk(String::new()),
            err(Limit),
            Usable,
            || Script::new().send(GREETING).serve(endless_tree()),
        )
        .any_server_end()
        .size_bounds(Duration::from_secs(20), 512 * MIB)
        .hole(Hole::WalkBounds),
    ]
}

/// The answers every walk responder shares: login, FEAT, TYPE, EPSV, NOOP; `None` for others.
fn walk_basics(line: &[u8]) -> Option<Vec<Step>> {
    let reply = |s: &str| Some(vec![Step::send(s)]);
    let upper = line.to_ascii_uppercase();
    if upper.starts_with(b"USER ") {
        reply("331 password please\r\n")
    } else if upper.starts_with(b"PASS ") {
        reply("230 logged in\r\n")
    } else if upper.starts_with(b"FEAT") {
        reply("211-Features:\r\n MLST type*;size*;unique*;\r\n211 End\r\n")
    } else if upper.starts_with(b"TYPE ") {
        reply("200 type set\r\n")
    } else if upper.starts_with(b"NOOP") {
        reply("200 still here\r\n")
    } else if upper.starts_with(b"EPSV") {
        Some(vec![Step::PassiveListen {
            reply: PasvStyle::Epsv,
        }])
    } else if upper.starts_with(b"MLSD") || upper.starts_with(b"QUIT") {
        None
    } else {
        reply("502 not here\r\n")
    }
}

/// The directory an `MLSD path` line names, and its depth (path components).
fn mlsd_depth(line: &[u8]) -> usize {
    let arg = line.strip_prefix(b"MLSD").unwrap_or(b"").trim_ascii();
    arg.split(|&b| b == b'/').filter(|c| !c.is_empty()).count()
}

fn listing_steps(listing: Generated) -> Vec<Step> {
    vec![
        Step::AcceptData,
        Step::send("150 listing\r\n"),
        Step::DataSendGenerated(listing),
        Step::DataClose,
        Step::send("226 done\r\n"),
    ]
}

/// 64 nested directories named with 60 KiB each, then 1000 files.
fn deep_tree() -> Responder {
    Responder::new("64 nested 60 KiB names, then 1000 entries", |line| {
        if let Some(steps) = walk_basics(line) {
            return steps;
        }
        if line.to_ascii_uppercase().starts_with(b"MLSD") {
            let depth = mlsd_depth(line);
            // 64 nested directories: the root and the 62 below it each hold one directory
            // named with 60 KiB; the 63rd holds the entries, at depth 64 (the default walk
            // depth, so that today's walk reaches them).
            let listing = if depth < 63 {
                Generated::lines("one deep directory", 1, move |_, buf| {
                    buf.extend_from_slice(b"type=dir;unique=d");
                    push_decimal(buf, depth as u64);
                    buf.extend_from_slice(b"; ");
                    buf.extend(std::iter::repeat_n(b'a' + (depth % 26) as u8, 60 * 1024));
                    buf.extend_from_slice(b"\r\n");
                })
            } else {
                Generated::lines("1000 files", 1000, |i, buf| {
                    buf.extend_from_slice(b"type=file;size=1; f");
                    push_decimal(buf, i);
                    buf.extend_from_slice(b"\r\n");
                })
            };
            return listing_steps(listing);
        }
        vec![Step::CloseControl]
    })
}

/// Every directory holds 10,000 directories with new names and new unique ids.
fn endless_tree() -> Responder {
    const PER_DIR: u64 = 10_000;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    Responder::new("a tree that never repeats", move |line| {
        if let Some(steps) = walk_basics(line) {
            return steps;
        }
        if line.to_ascii_uppercase().starts_with(b"MLSD") {
            let base = counter.fetch_add(PER_DIR, std::sync::atomic::Ordering::Relaxed);
            return listing_steps(Generated::lines(
                "new directories",
                PER_DIR,
                move |i, buf| {
                    buf.extend_from_slice(b"type=dir;unique=u");
                    push_decimal(buf, base + i);
                    buf.extend_from_slice(b"; d");
                    push_decimal(buf, base + i);
                    buf.extend_from_slice(b"\r\n");
                },
            ));
        }
        vec![Step::CloseControl]
    })
}

fn tls_scenarios() -> Vec<Scenario> {
    vec![
        scenario(
            "tls_certificate_for_another_name_is_refused",
            "AUTH TLS, and the server presents a certificate for wrong.example: a TLS error, nothing sent in the clear after it.",
            Action::Login,
            err(Tls),
            Closed,
            || {
                greeting()
                    .expect("AUTH TLS\r\n")
                    .send("234 go ahead\r\n")
                    .step(Step::ControlStartTls)
            },
        )
        .with(tls(ServerCert::WrongName, false, false))
        .any_server_end(),
        scenario(
            "tls_self_signed_certificate_is_refused",
            "AUTH TLS, and the server presents a self-signed certificate: a TLS error.",
            Action::Login,
            err(Tls),
            Closed,
            || {
                greeting()
                    .expect("AUTH TLS\r\n")
                    .send("234 go ahead\r\n")
                    .step(Step::ControlStartTls)
            },
        )
        .with(tls(ServerCert::SelfSigned, false, false))
        .any_server_end(),
        scenario(
            "auth_tls_refused_never_falls_back_to_a_plaintext_login",
            "A TLS session whose AUTH TLS is refused (500): the login fails with the 5xx and USER/PASS are never sent in the clear.",
            Action::Login,
            err(Refused5xx),
            Usable,
            || {
                greeting()
                    .expect("AUTH TLS\r\n")
                    .send("500 AUTH not understood\r\n")
            },
        )
        .with(tls(ServerCert::Good, false, false)),
        scenario(
            "plaintext_reply_instead_of_a_tls_handshake_is_a_tls_error",
            "234 to AUTH TLS, then a plaintext reply where the ServerHello should be: a TLS error, and nothing sent in the clear after it.",
            Action::Login,
            err(Tls),
            Closed,
            || {
                greeting()
                    .expect("AUTH TLS\r\n")
                    .send("234 go ahead\r\n")
                    .sleep(ms(50))
                    .send("220 actually plain text\r\n")
                    .never_answer()
            },
        )
        .with(tls(ServerCert::Good, false, false))
        .with(|s| s.timeouts.connect = SHORT),
        scenario(
            "implicit_tls_to_a_plaintext_server_is_a_tls_error",
            "Implicit FTPS against a server that greets in plain text: a TLS error, no session.",
            Action::Connect,
            err(Tls),
            NoSession,
            || greeting().never_answer(),
        )
        .with(|s| s.timeouts.connect = SHORT)
        .with(|s| {
            s.tls = Some(TlsSetup {
                implicit: true,
                cert: ServerCert::Good,
                tls13_only: false,
                prot_p: false,
            })
        }),
        scenario(
            "tls_handshake_never_answered_times_out",
            "234 to AUTH TLS, then silence: the connect timer bounds the control handshake.",
            Action::Login,
            err(Timeout(Wait::Connect)),
            Closed,
            || {
                greeting()
                    .expect("AUTH TLS\r\n")
                    .send("234 go ahead\r\n")
                    .never_answer()
            },
        )
        .with(tls(ServerCert::Good, false, false))
        .with(|s| s.timeouts.connect = SHORT),
        scenario(
            "tls_data_cut_without_close_notify_is_truncated",
            "PROT P download with no announced size, cut without close_notify, then 226: truncated, the session goes on.",
            Action::Retr("f".into()),
            err(Truncated),
            Usable,
            || {
                retr_opened(tls_logged_in())
                    .data_start_tls(false)
                    .data_send(vec![6u8; 10_000])
                    .data_cut()
                    .send("226 done\r\n")
            },
        )
        .with(tls(ServerCert::Good, false, true)),
        scenario(
            "tls_data_cut_after_the_announced_size_is_accepted",
            "PROT P download of exactly the announced 10000 bytes cut without close_notify, then 226: accepted (servers that omit close_notify).",
            Action::Retr("f".into()),
            ok(vec![Check::Bytes(10_000)]),
            Usable,
            || {
                retr_with(
                    tls_logged_in(),
                    "150 Opening BINARY mode data connection for f (10000 bytes)\r\n",
                )
                .data_start_tls(false)
                .data_send(vec![6u8; 10_000])
                .data_cut()
                .send("226 done\r\n")
            },
        )
        .with(tls(ServerCert::Good, false, true)),
        scenario(
            "tls_control_records_without_data_do_not_extend_the_reply_deadline",
            "TLS 1.3: NOOP answered only by a KeyUpdate record every 100 ms: the reply deadline still ends the wait (issue 13 item 2).",
            Action::Noop,
            err(Timeout(Wait::Reply)),
            Closed,
            || {
                tls_logged_in()
                    .expect("NOOP\r\n")
                    .tls_keep_alive(Channel::Control, ms(100), 30)
            },
        )
        .with(tls(ServerCert::Good, true, true))
        .with(|s| s.timeouts.reply = ms(500))
        .any_server_end()
        .hole(Hole::TlsDeadlines),
        scenario(
            "tls_data_records_without_data_do_not_extend_the_idle_deadline",
            "TLS 1.3 PROT P download: after some bytes only KeyUpdate records every 100 ms: the data idle deadline still ends the wait (issue 13 item 2).",
            Action::Retr("f".into()),
            err(Timeout(Wait::DataIdle)),
            Usable,
            || {
                retr_opened(tls_logged_in())
                    .data_start_tls(false)
                    .data_send(vec![7u8; 1000])
                    .tls_keep_alive(Channel::Data, ms(100), 30)
                    .send("426 failure reading network stream\r\n")
            },
        )
        .with(tls(ServerCert::Good, true, true))
        .with(|s| s.timeouts.data_idle = ms(500))
        .hole(Hole::TlsDeadlines),
    ]
}

fn tls_abort() -> Vec<Scenario> {
    vec![
        scenario(
            "abort_handle_stops_a_download_kept_alive_by_tls_records",
            "TLS 1.3 PROT P download: some bytes, then only KeyUpdate records every 100 ms; the abort handle, used from another thread after 300 ms, must end the wait (issue 13 item 2), and the ABOR dialogue leaves the session usable.",
            Action::RetrAbortedAfter("f".into(), SHORT),
            err(Aborted),
            Usable,
            || {
                retr_opened(tls_logged_in())
                    .data_start_tls(false)
                    .data_send(vec![7u8; 1000])
                    .tls_keep_alive(Channel::Data, ms(100), 30)
                    .expect("ABOR\r\n")
                    .send("426 aborted\r\n226 ABOR ok\r\n")
            },
        )
        .with(tls(ServerCert::Good, true, true))
        .with(|s| s.timeouts.data_idle = Duration::from_secs(10)),
    ]
}

fn limits() -> Vec<Scenario> {
    vec![
        scenario(
            "reply_with_bare_lf_line_ends_is_tolerated",
            "A multi-line reply with bare LF line ends (some servers): framed whole, the session stays in step.",
            Action::Quote("STAT".into()),
            ok(vec![Check::ReplyCode(211)]),
            Usable,
            || {
                logged_in()
                    .expect("STAT\r\n")
                    .send("211-status\n211 end\n")
            },
        ),
        scenario(
            "reply_to_noop_never_sent_times_out_and_closes",
            "NOOP is never answered: the reply timeout ends the wait; the session closes (a late reply would be out of step).",
            Action::Noop,
            err(Timeout(Wait::Reply)),
            Closed,
            || logged_in().expect("NOOP\r\n").never_answer(),
        )
        .with(|s| s.timeouts.reply = SHORT),
        scenario(
            "size_reply_without_a_number_is_a_protocol_error",
            "SIZE answered 213 with no number: the size cannot be read; the session goes on.",
            Action::Size("f".into()),
            err(Protocol),
            Usable,
            // A responder, since a client may send TYPE I before SIZE (RFC 3659: the size
            // depends on the type) or not.
            || {
                logged_in().serve(Responder::new("SIZE answered 213 lots", |line| {
                    let reply = if line.starts_with(b"TYPE ") {
                        "200 type set\r\n"
                    } else if line == b"SIZE f\r\n" {
                        "213 lots\r\n"
                    } else if line == b"NOOP\r\n" {
                        "200 still here\r\n"
                    } else {
                        "502 not expected here\r\n"
                    };
                    vec![Step::send(reply)]
                }))
            },
        ),
        scenario(
            "pwd_reply_without_quotes_gives_an_empty_path",
            "257 with no quoted path (IIS): an empty path, as ftplib returns (issue 11 item 7).",
            Action::Pwd,
            ok(vec![]),
            Usable,
            || logged_in().expect("PWD\r\n").send("257 somewhere\r\n"),
        ),
        scenario(
            "preliminary_reply_to_noop_is_followed_to_the_final_one",
            "NOOP answered 120 then 200: the final reply counts.",
            Action::Noop,
            ok(vec![Check::ReplyCode(200)]),
            Usable,
            || {
                logged_in()
                    .expect("NOOP\r\n")
                    .send("120 wait a moment\r\n200 ok\r\n")
            },
        ),
        scenario(
            "four_digit_code_is_a_protocol_error",
            "2000 ok: a code of four digits is not a reply.",
            Action::Noop,
            err(Protocol),
            Closed,
            || logged_in().expect("NOOP\r\n").send("2000 ok\r\n"),
        ),
        scenario(
            "login_230_with_nul_and_del_in_its_text_succeeds",
            "A 230 after PASS with a multi-line body holding NUL and DEL bytes: login succeeds.",
            Action::Login,
            ok(vec![]),
            Usable,
            || {
                greeting()
                    .expect_line(LineMatch::prefix("USER "))
                    .send("331 password please\r\n")
                    .expect_line(LineMatch::prefix("PASS "))
                    .send(b"230-\x00\x7f\r\n230 in\r\n")
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_names_are_unique() {
        let all = scenarios();
        let mut names: Vec<_> = all.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        assert!(all.len() >= 40, "{}", all.len());
    }

    #[test]
    fn every_script_builds_with_an_epilogue_matching_the_state() {
        for s in scenarios() {
            let script = s.script();
            let last = script.steps().last().expect("a script has steps");
            match s.after {
                SessionState::Usable if !matches!(last, Step::Serve(_)) => {
                    assert!(matches!(last, Step::WaitForClose), "{}", s.name)
                }
                _ => {}
            }
        }
    }

    #[test]
    fn mlsd_depth_counts_path_components() {
        assert_eq!(mlsd_depth(b"MLSD\r\n"), 0);
        assert_eq!(mlsd_depth(b"MLSD a/b\r\n"), 2);
    }
}
