//! Real server sessions (tests/data/transcripts/, captured from vsftpd, pure-ftpd, proftpd,
//! pyftpdlib and libunftp) and the RFC examples, replayed against the state machine. The
//! scripts live in tests/data/client/; every `S:` line they feed is checked to be a line the
//! server really sent.

mod client_support;

use client_support::{check_quotes, data_dir, run};
use ftp_proto::client::Config;

fn replay(script: &str, transcript: Option<&str>) {
    let text = std::fs::read_to_string(data_dir().join("client").join(script)).unwrap();
    if let Some(t) = transcript {
        check_quotes(&text, t);
    }
    run(&Config::default(), &text);
}

macro_rules! replays {
    ($($name:ident: $script:literal, $transcript:expr;)*) => {
        $(
            #[test]
            fn $name() {
                replay($script, $transcript);
            }
        )*
    };
}

replays! {
    vsftpd_login_and_command_tour: "vsftpd-1-tour.script", Some("vsftpd.txt");
    vsftpd_failed_login: "vsftpd-2-failed-login.script", Some("vsftpd.txt");
    vsftpd_abort_426_then_225: "vsftpd-3-abort.script", Some("vsftpd.txt");
    vsftpd_ftps_prot_p_prot_c_ccc_refused: "vsftpd-4-ftps.script", Some("vsftpd.txt");
    vsftpd_522_without_tls_resumption: "vsftpd-5-no-resumption.script", Some("vsftpd.txt");
}

replays! {
    pure_ftpd_tour_opts_504_multiline_226_mlsd_mlst_rest: "pure-ftpd-1-tour.script", Some("pure-ftpd.txt");
    pure_ftpd_abort_426_then_multiline_226: "pure-ftpd-3-abort.script", Some("pure-ftpd.txt");
    pure_ftpd_ftps_ccc_200_then_tls_shutdown: "pure-ftpd-4-ftps.script", Some("pure-ftpd.txt");
}

replays! {
    proftpd_list_eprt_and_rest_announcing_the_rest: "proftpd-1-tour.script", Some("proftpd.txt");
    proftpd_ftps_ccc_200_then_tls_shutdown: "proftpd-4-ftps.script", Some("proftpd.txt");
    proftpd_425_without_tls_resumption_session_goes_on: "proftpd-5-no-resumption.script", Some("proftpd.txt");
    pyftpdlib_mlsd_125_size_asked_under_type_i: "pyftpdlib-1-tour.script", Some("pyftpdlib.txt");
    pyftpdlib_abort_426_then_226: "pyftpdlib-3-abort.script", Some("pyftpdlib.txt");
    libunftp_eprt_500_port_502_mlst_absolute: "libunftp-1-tour.script", Some("libunftp.txt");
    libunftp_abort_226_then_426: "libunftp-3-abort.script", Some("libunftp.txt");
}

#[test]
#[should_panic(expected = "has no line")]
fn quote_check_refuses_a_line_the_server_never_sent() {
    check_quotes("S: 220 a server that was never captured", "vsftpd.txt");
}

/// The input lines of a script (where a prefix can stop).
fn input_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim_start();
            l.starts_with("S: ")
                || l.starts_with("> ")
                || l.starts_with("D: ")
                || l.starts_with("L: ")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

fn scripts() -> Vec<(String, String)> {
    let mut v: Vec<_> = std::fs::read_dir(data_dir().join("client"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "script"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Control EOF before every input of every server session: the running operation ends with
/// `ConnectionClosed` (a QUIT with `Closed(None)`), everything is closed, nothing is left.
#[test]
fn eof_at_every_step_of_every_session_closes_cleanly() {
    for (name, text) in scripts() {
        for upto in input_lines(&text) {
            let mut s = client_support::run_prefix(&Config::default(), &text, upto);
            if s.client.peer().is_none() {
                continue; // not connected yet: there is no control connection to end
            }
            let (busy, closed) = (s.client.is_busy(), s.client.is_closed());
            s.client.handle_control_eof();
            s.drain();
            let out = s.take_pending();
            let ctx = format!("{name} before line {upto}: {out:?}");
            assert!(s.client.is_closed() && !s.client.is_busy(), "{ctx}");
            if busy {
                assert!(
                    out.iter()
                        .any(|o| o == "F: err ConnectionClosed" || o == "F: ok Closed -"),
                    "{ctx}"
                );
            }
            if !closed {
                assert_eq!(out.last().map(String::as_str), Some("A: CloseAll"), "{ctx}");
            }
        }
    }
}

/// The earliest deadline passing before every input of every server session (the virtual
/// clock moves to it; timers fire in deadline order, so only the earliest can be first):
/// control timers close the session with `Timeout`, data timers close the data connection and
/// end the transfer with `Timeout` (once a due reply is in) leaving the session usable; never
/// stuck.
#[test]
fn every_timer_expiring_at_every_step_of_every_session() {
    use ftp_proto::client::Timer;
    for (name, text) in scripts() {
        for upto in input_lines(&text) {
            let mut s = client_support::run_prefix(&Config::default(), &text, upto);
            let Some(timer) = s.next_timer() else {
                continue;
            };
            {
                s.expire(&format!("{timer:?}"));
                let out = s.take_pending();
                let ctx = format!("{name} before line {upto}, {timer:?}: {out:?}");
                let finished = out
                    .iter()
                    .any(|o| *o == format!("F: err Timeout {timer:?}"));
                match timer {
                    Timer::Connect | Timer::Reply | Timer::FinalReply => {
                        assert!(finished && s.client.is_closed(), "{ctx}");
                        assert_eq!(out.last().map(String::as_str), Some("A: CloseAll"), "{ctx}");
                    }
                    Timer::DataConnect | Timer::DataIdle | Timer::MaxTime | Timer::LowSpeed => {
                        assert!(!s.client.is_closed(), "{ctx}");
                        assert!(out.iter().any(|o| o == "A: CloseData"), "{ctx}");
                        assert!(finished || s.client.is_busy(), "{ctx}");
                        if s.client.is_busy() {
                            // Waiting for the due reply: when it comes, the transfer ends with
                            // the timeout and the session goes on.
                            s.feed_control(b"426 Connection closed; transfer aborted.\r\n");
                            let out = s.take_pending();
                            assert!(
                                out.contains(&format!("F: err Timeout {timer:?}")),
                                "{ctx} then {out:?}"
                            );
                            assert!(!s.client.is_busy() && !s.client.is_closed(), "{ctx}");
                        }
                    }
                }
            }
        }
    }
}

/// Before every input of every server session, each kind of stray input (a reply of each
/// class, garbage, each data and TLS event): the harness's invariants hold after each (a busy
/// client has a timer armed, an idle one none, each operation finishes once, a closed client
/// is idle), and the session still answers a NOOP or says it is closed.
#[test]
fn stray_inputs_at_every_step_keep_the_machine_consistent() {
    let strays: &[&str] = &[
        "S: 150 stray",
        "S: 226 stray",
        "S: 350 stray",
        "S: 425 stray",
        "S: 500 stray",
        "S: garbage",
        "D: connected 127.0.0.1:40000",
        "D: listening 127.0.0.1:40000",
        "D: accepted 127.0.0.1:20",
        "D: accepted 10.0.0.1:20",
        "D: finished 10",
        "D: failed io stray",
        "D: input stray\\r\\n",
        "L: secured",
        "L: plain",
        "L: failed stray",
    ];
    for (name, text) in scripts() {
        for upto in input_lines(&text) {
            for stray in strays {
                let mut s = client_support::run_prefix(&Config::default(), &text, upto);
                if let Some(line) = stray.strip_prefix("S: ") {
                    s.feed_control(format!("{line}\r\n").as_bytes());
                } else if let Some(d) = stray.strip_prefix("D: ") {
                    s.data(d);
                } else if let Some(t) = stray.strip_prefix("L: ") {
                    s.tls(t);
                }
                // Whatever happened, finish the running operation by closing, and check.
                let ctx = format!("{name} before line {upto}, {stray}: {:?}", s.take_pending());
                if !s.client.is_busy() && !s.client.is_closed() && s.client.peer().is_some() {
                    s.request("noop");
                    assert_eq!(s.take_pending(), ["C: NOOP"], "{ctx}");
                }
                s.client.close();
                s.drain();
                assert!(s.client.is_closed() && !s.client.is_busy(), "{ctx}");
            }
        }
    }
}
