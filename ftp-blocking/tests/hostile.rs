//! Issue 13's hostile suite against ftp-blocking: every scenario of
//! [`ftp_testkit::hostile`] (written once, adapter-neutral) run through the ftplib-shaped API.
//!
//! This file only maps [`ftp_blocking::Error`] to the neutral [`ErrorKind`] and carries out each
//! [`Action`]; the scenario checks the kind, the generous time bound and the session state.
//! Scenarios that wait for a known hole (issue 13 items 1 and 3) or reveal a new bug ("new bug
//! (not in issue 13)"), or whose script needs a follow-up, are `#[ignore]`d with what was
//! observed here;
//! whoever fixes one removes its `#[ignore]`. Run them with
//! `cargo test -p ftp-blocking --test hostile -- --include-ignored`, except the deep-tree walk,
//! which needs gigabytes until issue 13 item 1 is fixed.

use std::io::Read;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use ftp_blocking::ftp_proto::client::{DataFailure, ProtocolError, Timer, UsageError};
use ftp_blocking::ftp_proto::framer::FrameError;
use ftp_blocking::ftp_proto::listing::ListingError;
use ftp_blocking::ftp_proto::plan::WalkError;
use ftp_blocking::tls::TlsConfig;
use ftp_blocking::{Error, Ftp, FtpBuilder, into_ftp_error};
use ftp_testkit::hostile::{
    self, Action, ErrorKind, Failed, Observed, Outcome, Scenario, ServerEnd, SessionState, Wait,
};
use ftp_testkit::scripted::Failure;

/// The neutral kind of an ftp-blocking error.
fn kind_of(e: &Error) -> ErrorKind {
    use std::io::ErrorKind as Io;
    match e {
        Error::Timeout(t) => ErrorKind::Timeout(match t {
            Timer::Connect => Wait::Connect,
            Timer::Reply => Wait::Reply,
            Timer::DataConnect => Wait::DataConnect,
            Timer::DataIdle => Wait::DataIdle,
            Timer::FinalReply => Wait::FinalReply,
            Timer::MaxTime => Wait::Overall,
            Timer::LowSpeed => Wait::LowSpeed,
        }),
        Error::Temporary(_) => ErrorKind::Refused4xx,
        Error::Permanent(_) => ErrorKind::Refused5xx,
        Error::UnexpectedReply(_) => ErrorKind::UnexpectedReply,
        Error::Protocol(
            ProtocolError::Frame(FrameError::LineTooLong { .. } | FrameError::ReplyTooLong { .. })
            | ProtocolError::Listing(ListingError::LineTooLong { .. }),
        )
        | Error::LineTooLong { .. }
        | Error::TooManyNames { .. } => ErrorKind::Limit,
        Error::Protocol(_) => ErrorKind::Protocol,
        Error::ConnectionClosed => ErrorKind::ConnectionClosed,
        // A walk bound (issue 13 item 1): the planner's error inside an InvalidData I/O error.
        Error::Io(io)
            if io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<WalkError>())
                .is_some_and(|w| matches!(w, WalkError::LimitExceeded { .. })) =>
        {
            ErrorKind::Limit
        }
        Error::Io(io) => match io.kind() {
            Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe | Io::UnexpectedEof => {
                ErrorKind::ConnectionClosed
            }
            _ => ErrorKind::Other,
        },
        Error::Data { kind, .. } => match kind {
            DataFailure::Truncated => ErrorKind::Truncated,
            DataFailure::Tls => ErrorKind::Tls,
            _ => ErrorKind::DataConnection,
        },
        Error::Tls(_) => ErrorKind::Tls,
        Error::Closed | Error::Usage(UsageError::Closed) => ErrorKind::SessionClosed,
        Error::Usage(_)
        | Error::InvalidArgument(_)
        | Error::InvalidCommand(_)
        | Error::InvalidOption(_)
        | Error::Encoding(_) => ErrorKind::Usage,
        Error::Aborted(_) => ErrorKind::Aborted,
        _ => ErrorKind::Other,
    }
}

fn builder(s: &Scenario) -> FtpBuilder {
    let t = s.setup.timeouts;
    let mut b = Ftp::builder()
        .connect_timeout(t.connect)
        .reply_timeout(t.reply)
        .data_connect_timeout(t.data_connect)
        .data_idle_timeout(t.data_idle)
        .final_reply_timeout(t.final_reply)
        .passive(s.setup.passive)
        .trust_server_pasv_ipv4_address(s.setup.trust_pasv);
    if let Some(max) = s.setup.limits.max_time {
        b = b.max_time(max);
    }
    if let Some((bytes_per_sec, window)) = s.setup.limits.low_speed {
        b = b.low_speed_limit(bytes_per_sec, window);
    }
    if let Some(tls) = s.setup.tls {
        let config = TlsConfig::builder()
            .system_roots(false)
            .add_ca_der(hostile::certs().ca_cert_der())
            .build()
            .expect("a TLS config trusting the test CA");
        b = if tls.implicit {
            b.implicit_tls(config)
        } else {
            b.tls(config)
        };
    }
    b
}

/// Connects, logs in (and PROT P) unless the action is only to connect, then acts.
fn perform(s: &Scenario, addr: SocketAddr, ftp: &mut Option<Ftp>) -> Result<Observed, Error> {
    let mut observed = Observed::default();
    *ftp = Some(builder(s).connect(&addr.ip().to_string(), addr.port())?);
    let session = ftp.as_mut().expect("just connected");
    if s.action == Action::Connect {
        return Ok(observed);
    }
    session.login(hostile::USER, hostile::PASSWORD, "")?;
    if s.setup.tls.is_some_and(|t| t.prot_p) {
        session.prot_p()?;
    }
    let reply = match &s.action {
        Action::Connect | Action::Login => None,
        Action::Noop => Some(session.noop()?),
        Action::Quote(cmd) => Some(session.sendcmd(cmd)?),
        Action::Pwd => {
            session.pwd()?;
            None
        }
        Action::Cwd(path) => Some(session.cwd(path)?),
        Action::Size(path) => {
            observed.bytes = known_size(session.size(path)?).unwrap_or(0);
            None
        }
        Action::Retr(path) => {
            let mut reader = session.retr(path, None)?;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => observed.bytes += n as u64,
                    Err(e) => return Err(into_ftp_error(e)),
                }
            }
            Some(reader.finish()?)
        }
        Action::Stor(path, len) => {
            let mut writer = session.stor(path)?;
            let block = vec![0x5au8; 64 * 1024];
            let mut left = *len;
            while left > 0 {
                let n = block.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                std::io::Write::write_all(&mut writer, &block[..n]).map_err(into_ftp_error)?;
                left -= n as u64;
                observed.bytes += n as u64;
            }
            Some(writer.finish()?)
        }
        Action::Mlsd(path) => {
            let mut first_error = None;
            let mut iter = session.mlsd(path, &[])?;
            for entry in iter.by_ref() {
                match entry {
                    Ok(e) => {
                        observed.entries += 1;
                        if observed.names.len() < 4 {
                            observed.names.push(e.name().to_vec());
                        }
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            let reply = iter.reply().cloned();
            if let Some(e) = first_error {
                return Err(e);
            }
            reply
        }
        Action::List(path) => {
            let mut first_error = None;
            let mut iter = session.list(path)?;
            for entry in iter.by_ref() {
                match entry {
                    Ok(e) => {
                        observed.entries += 1;
                        if observed.names.len() < 4 {
                            observed.names.push(e.name().unwrap_or_default().to_vec());
                        }
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            let reply = iter.reply().cloned();
            if let Some(e) = first_error {
                return Err(e);
            }
            reply
        }
        Action::Walk(path) => {
            let mut first_error = None;
            for entry in session.walk(path)? {
                match entry {
                    Ok(e) => {
                        observed.entries += 1;
                        if observed.names.len() < 4 {
                            observed.names.push(e.name().as_bytes().to_vec());
                        }
                        // Names are kept for checks; a 60 KiB one is cut for readable reports.
                        if let Some(last) = observed.names.last_mut() {
                            last.truncate(256);
                        }
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = first_error {
                return Err(e);
            }
            None
        }
        Action::Nlst => {
            observed.entries = session.nlst(&[])?.len() as u64;
            None
        }
        Action::RetrAbortedAfter(path, after) => {
            let handle = session.abort_handle();
            let after = *after;
            let aborter = std::thread::spawn(move || {
                std::thread::sleep(after);
                handle.abort();
            });
            let mut reader = session.retr(path, None)?;
            let mut buf = vec![0u8; 64 * 1024];
            let read = loop {
                match reader.read(&mut buf) {
                    Ok(0) => break Ok(()),
                    Ok(n) => observed.bytes += n as u64,
                    Err(e) => break Err(into_ftp_error(e)),
                }
            };
            aborter.join().expect("the aborting thread");
            read?;
            Some(reader.finish()?)
        }
    };
    if let Some(reply) = reply {
        observed.reply_code = Some(reply.code().as_u16());
        observed.reply_text = Some(reply.to_text_lossy());
    }
    Ok(observed)
}

/// `Ftp::size`'s result as an `Option` whether it is a `u64` or (issue 11 item 2) an
/// `Option<u64>`, so that this runner builds on either side of that change.
fn known_size(size: impl Into<Option<u64>>) -> Option<u64> {
    size.into()
}

/// Runs one scenario against ftp-blocking and asserts everything it states.
fn run(name: &str) {
    let s = hostile::scenario(name);
    let server = s.script().start().expect("start the scripted server");
    let addr = server.addr();
    let mut ftp = None;
    let started = Instant::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| perform(&s, addr, &mut ftp)));
    let elapsed = started.elapsed();
    let result = match result {
        Ok(r) => r,
        Err(_) => panic!("{name}: the client panicked"),
    };
    let result = result.map_err(|e| Failed {
        kind: kind_of(&e),
        message: e.to_string(),
    });
    let state = match ftp.as_mut() {
        None => SessionState::NoSession,
        Some(session) => match session.noop() {
            Ok(_) => SessionState::Usable,
            Err(e) if kind_of(&e) == ErrorKind::SessionClosed => SessionState::Closed,
            Err(e) => SessionState::Other(format!("{:?}: {e}", kind_of(&e))),
        },
    };
    drop(ftp);
    let outcome = Outcome {
        result,
        elapsed,
        state,
    };
    let verdict = s.verify(&outcome);
    let served = server.finish();
    if let Err(problem) = verdict {
        let lines = match &served {
            Ok(log) => log.lines_lossy(),
            Err(e) => e.log.lines_lossy(),
        };
        let tail: Vec<String> = lines
            .iter()
            .rev()
            .take(8)
            .rev()
            .map(|l| l.chars().take(120).collect())
            .collect();
        let ending = served.as_ref().err().map(|e| e.to_string());
        panic!(
            "{problem}\n  outcome: {outcome:?}\n  last client lines: {tail:?}\n  server failure: {}",
            ending
                .as_deref()
                .map_or("none", |e| e.get(..600).unwrap_or(e))
        );
    }
    let log = match &served {
        Ok(log) => log,
        Err(e) => &e.log,
    };
    if let Err(problem) = s.verify_server(log) {
        panic!("{problem}\n  outcome: {outcome:?}");
    }
    if let Err(e) = &served {
        assert!(
            !matches!(e.failure, Failure::Panicked),
            "{name}: the scripted server panicked"
        );
    }
    if s.server_end == ServerEnd::Completes
        && let Err(e) = served
    {
        panic!("{name}: the client left the script: {e}");
    }
    if let (Some(bound), Some(peak)) = (s.memory_bound, hostile::peak_rss_bytes()) {
        assert!(
            peak <= bound,
            "{name}: peak resident memory {peak} bytes, over the bound of {bound}"
        );
    }
}

/// One `#[test]` per scenario, named after it; the list must name every scenario (checked by
/// `every_scenario_has_a_test`).
macro_rules! hostile_tests {
    ($($(#[$attr:meta])* $name:ident,)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $name() {
                run(stringify!($name));
            }
        )*

        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

#[test]
fn every_scenario_has_a_test() {
    let missing: Vec<&str> = hostile::scenarios()
        .iter()
        .map(|s| s.name)
        .filter(|n| !TESTED.contains(n))
        .collect();
    assert!(missing.is_empty(), "scenarios without a test: {missing:?}");
    assert_eq!(TESTED.len(), hostile::scenarios().len());
}

hostile_tests! {
    greeting_never_sent_times_out,
    greeting_trickled_one_byte_per_100ms_times_out_as_a_whole,
    reply_trickled_one_byte_per_100ms_times_out_and_closes,
    greeting_of_one_megabyte_line_is_a_limit_error,
    reply_of_one_megabyte_line_is_a_limit_error_and_closes,
    #[ignore = "new bug (not in issue 13): the framer reports ReplyTooLong only when the reply ends, so an endless multi-line reply is read until the reply timeout; observed Timeout(Reply) after 10 s (memory stayed bounded)"]
    endless_multiline_reply_is_a_limit_error_and_closes,
    #[ignore = "new bug (not in issue 13): the framer reports ReplyTooLong only when the reply ends; observed Timeout(Connect) after 10 s (memory stayed bounded)"]
    endless_multiline_greeting_is_a_limit_error,
    nul_and_latin1_bytes_in_a_reply_are_kept,
    latin1_path_in_257_reply_is_accepted,
    code_change_on_the_last_line_ends_the_reply,
    reply_code_999_is_a_protocol_error,
    reply_code_099_is_a_protocol_error,
    reply_code_600_is_a_protocol_error,
    text_instead_of_a_reply_is_a_protocol_error,
    #[ignore = "new bug (not in issue 13): a reply that arrives while no command runs is taken as the next command's reply; observed SYST returning Ok(\"200 unsolicited\") (when the stray comes in the same read as the 230 it is dropped correctly)"]
    unsolicited_reply_between_commands_does_not_answer_the_next_command,
    unsolicited_421_between_commands_closes_the_session,
    error_quoting_a_reply_escapes_terminal_controls,
    disconnect_before_the_greeting_is_connection_closed,
    disconnect_after_user_is_connection_closed,
    disconnect_after_pass_is_connection_closed,
    reset_during_login_is_connection_closed,
    login_refused_with_421_closes_the_session,
    disconnect_after_type_is_connection_closed,
    disconnect_after_epsv_reply_is_connection_closed,
    disconnect_after_150_is_connection_closed,
    disconnect_mid_transfer_is_connection_closed,
    disconnect_after_data_before_226_is_connection_closed,
    control_reset_mid_transfer_is_connection_closed,
    disconnect_mid_upload_is_connection_closed,
    disconnect_mid_listing_is_connection_closed,
    data_reset_mid_transfer_then_426_is_a_temporary_error,
    pasv_numbers_over_255_are_a_protocol_error,
    pasv_port_byte_over_255_is_a_protocol_error,
    pasv_pointing_elsewhere_is_ignored_by_default,
    pasv_port_zero_is_a_protocol_error,
    trusted_pasv_to_unspecified_address_is_refused,
    trusted_pasv_to_multicast_address_is_refused,
    epsv_with_mixed_delimiters_is_a_protocol_error,
    epsv_port_zero_is_a_protocol_error,
    epsv_port_over_65535_is_a_protocol_error,
    epsv_without_parentheses_is_a_protocol_error,
    epsv_port_with_nothing_listening_is_a_data_error,
    active_150_then_no_data_connection_times_out,
    active_connection_from_another_address_is_not_accepted,
    active_connection_only_from_another_address_times_out,
    data_shorter_than_announced_size_is_truncated,
    reply_226_before_the_data_ends_still_gets_all_data,
    reply_5xx_after_150_then_data_closed_is_a_permanent_error,
    #[ignore = "new bug (not in issue 13): while the caller reads the data connection the control connection is not watched; observed Timeout(DataIdle) after the 10 s idle timeout instead of the 551, which is lost"]
    reply_5xx_after_150_while_data_stays_open_is_a_permanent_error,
    #[ignore = "new bug (not in issue 13): while the caller reads the data connection the control connection is not watched; observed Timeout(DataIdle) after the 10 s idle timeout instead of the 426, which is lost"]
    reply_4xx_after_150_while_data_stays_open_is_a_temporary_error,
    #[ignore = "testkit follow-up: with max_time (issue 13 item 6, landed) the client gives up after about 1.1 s as it should, but the scripted DataSendSlowly step fails when the client closes the data connection, so the server closes and the result reads ConnectionClosed; the script needs a trickle that ends quietly"]
    data_trickle_is_cut_by_the_overall_time_limit,
    #[ignore = "testkit follow-up: with low_speed_limit (issue 13 item 6, landed) the client gives up after about 1.2 s as it should, but the scripted DataSendSlowly step fails when the client closes the data connection, so the server closes and the result reads ConnectionClosed; the script needs a trickle that ends quietly"]
    data_trickle_is_cut_by_the_low_speed_limit,
    upload_data_connection_reset_then_426_is_a_temporary_error,
    listing_of_ten_million_entries_streams_in_bounded_memory,
    listing_line_of_one_gigabyte_is_a_limit_error,
    #[ignore = "to check (issue 13 item 6 landed): observed Limit (max_nlst_names 1,000,000) after 0.57 s as expected, but the session is Closed afterwards where the scenario expects Usable: either the script does not answer what the client sends after the cap, or the cap closes the session"]
    nlst_of_ten_million_names_is_a_limit_error,
    mlsd_line_without_a_name_is_a_protocol_error_and_the_rest_arrives,
    list_line_no_parser_reads_is_kept_raw_between_the_entries,
    terminal_escapes_in_listed_names_are_kept_as_bytes,
    walk_of_64_nested_60k_names_then_1000_entries_is_a_limit_error,
    walk_of_a_generated_tree_that_never_repeats_is_a_limit_error,
    tls_certificate_for_another_name_is_refused,
    tls_self_signed_certificate_is_refused,
    auth_tls_refused_never_falls_back_to_a_plaintext_login,
    plaintext_reply_instead_of_a_tls_handshake_is_a_tls_error,
    #[ignore = "new bug (not in issue 13): observed Error::Io(TimedOut, \"timed out after 300ms waiting for TLS handshake\") after 325 ms: the plaintext greeting is not refused as TLS garbage (the explicit AUTH TLS path does refuse it), and the handshake timeout is not Error::Timeout(Connect)"]
    implicit_tls_to_a_plaintext_server_is_a_tls_error,
    #[ignore = "new bug (not in issue 13): observed Error::Tls(\"timed out after 300ms waiting for TLS handshake\") after 310 ms: the deadline holds, but the error is not Error::Timeout(Connect) and is_timeout() is false"]
    tls_handshake_never_answered_times_out,
    tls_data_cut_without_close_notify_is_truncated,
    tls_data_cut_after_the_announced_size_is_accepted,
    tls_control_records_without_data_do_not_extend_the_reply_deadline,
    tls_data_records_without_data_do_not_extend_the_idle_deadline,
    abort_handle_stops_a_download_kept_alive_by_tls_records,
    reply_with_bare_lf_line_ends_is_tolerated,
    reply_to_noop_never_sent_times_out_and_closes,
    size_reply_without_a_number_is_a_protocol_error,
    pwd_reply_without_quotes_gives_an_empty_path,
    preliminary_reply_to_noop_is_followed_to_the_final_one,
    four_digit_code_is_a_protocol_error,
    login_230_with_nul_and_del_in_its_text_succeeds,
}
