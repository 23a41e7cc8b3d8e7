//! Explicit and implicit FTPS: AUTH TLS, PBSZ/PROT, CCC, and TLS data connections
//! (RFC 2228, RFC 4217), as server dialogues.

mod client_support;

macro_rules! greeted {
    ($s:literal) => {
        concat!("> connect\nS: 220 ready\nF: ok Greeting 220\n", $s)
    };
}

scripts! {
    // Issue 11 item 5: RFC 2228, a successful AUTH resets PBSZ/PROT: after prot_p, ccc and
    // auth again, data connections are clear until prot_p.
    successful_auth_resets_the_data_protection: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        L: secured
        F: ok Reply 234
        > prot_p
        C: PBSZ 0
        S: 200 PBSZ=0
        C: PROT P
        S: 200 Protection level set to P
        F: ok Reply 200
        > ccc
        C: CCC
        S: 200 Clear command channel.
        A: ShutdownControlTls
        L: plain
        F: ok Reply 200
        > auth_tls
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        L: secured
        F: ok Reply 234
        > retr f
        C: TYPE I
        S: 200 ok
        C: EPSV
        S: 229 ok (|||40000|)
        A: ConnectData 127.0.0.1:40000
        D: connected 127.0.0.1:40000
        C: RETR f
        S: 150 ok
        A: StartData -
    ");
    secure_login_plan_auth_then_login_then_pbsz_prot: greeted!("
        > login_secure alice secret prot
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        L: secured
        C: USER alice
        S: 331 Please specify the password.
        C: PASS ****
        S: 230 Login successful.
        C: PBSZ 0
        S: 200 PBSZ set to 0.
        C: PROT P
        S: 200 PROT now Private.
        F: ok LoggedIn 230
        > retr f
        C: TYPE I
    ");
    secure_login_plan_stops_at_a_refused_auth_before_any_credential: greeted!("
        > login_secure alice secret prot
        C: AUTH TLS
        S: 530 Please login with USER and PASS.
        F: err Permanent 530
        > noop
        C: NOOP
    ");
    secure_login_plan_stops_at_a_failed_login: greeted!("
        > login_secure alice wrong
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        L: secured
        C: USER alice
        S: 331 Please specify the password.
        C: PASS ****
        S: 530 Login incorrect.
        F: err Permanent 530
    ");
    auth_tls_234_secures_control: greeted!("
        !timers
        > auth_tls
        C: AUTH TLS
        T: arm Reply
        S: 234 Proceed with negotiation.
        A: SecureControl
        T: arm Connect
        T: cancel Reply
        L: secured
        F: ok Reply 234
        T: cancel Connect
        > auth_tls => err AlreadySecure
        > login ftpuser pw
        C: USER ftpuser
        T: arm Reply
    ");
    bytes_during_the_handshake_are_injection: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        S: 230 injected
        F: err Protocol PlaintextInjection
        A: CloseAll
    ");
    auth_tls_refused_500: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 500 AUTH not understood
        F: err Permanent 500
        > auth_tls
        C: AUTH TLS
    ");
    auth_tls_334_is_unexpected: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 334 ADAT needed
        F: err UnexpectedReply 334
    ");
    auth_tls_handshake_failure_closes: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        L: failed certificate unknown
        F: err Tls
        A: CloseAll
    ");
    secure_login_plan_fails_closed_when_the_handshake_fails: greeted!("
        > login_secure alice secret
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        L: failed certificate unknown
        F: err Tls
        A: CloseAll
    ");
    auth_tls_handshake_timeout_closes: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        X: Connect
        F: err Timeout Connect
        A: CloseAll
    ");
    reply_during_ccc_shutdown_is_protocol_error: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        L: secured
        F: ok Reply 234
        > ccc
        C: CCC
        S: 200 ok
        A: ShutdownControlTls
        S: 200 surprise
        F: err Protocol ReplyDuringTlsChange 200
        A: CloseAll
    ");
    prot_p_needs_secure_control: greeted!("
        > prot_p => err NotSecure
        > ccc => err NotSecure
    ");
    vsftpd_prot_p_then_tls_data_connection: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 Proceed with negotiation.
        A: SecureControl
        L: secured
        F: ok Reply 234
        > prot_p
        C: PBSZ 0
        S: 200 PBSZ set to 0.
        C: PROT P
        S: 200 PROT now Private.
        F: ok Reply 200
        > nlst type=A sink=raw
        C: TYPE A
        S: 200 Switching to ASCII mode.
        C: EPSV
        S: 229 Entering Extended Passive Mode (|||40037|)
        A: ConnectData 127.0.0.1:40037
        D: connected 127.0.0.1:40037
        C: NLST
        S: 150 Here comes the directory listing.
        A: SecureData
        A: StartData -
        D: finished 106
        S: 226 Directory send OK.
        F: ok Transfer 226 -
        > prot_c
        C: PROT C
        S: 200 PROT now Clear.
        F: ok Reply 200
        > nlst type=A sink=raw
        C: EPSV
        S: 229 Entering Extended Passive Mode (|||40096|)
        A: ConnectData 127.0.0.1:40096
        D: connected 127.0.0.1:40096
        C: NLST
        S: 150 Here comes the directory listing.
        A: StartData -
        D: finished 106
        S: 226 Directory send OK.
        F: ok Transfer 226 -
        > ccc
        C: CCC
        S: 500 Unknown command.
        F: err Permanent 500
    ");
    active_prot_p_secures_after_accept: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 ok
        A: SecureControl
        L: secured
        F: ok Reply 234
        > prot_p
        C: PBSZ 0
        S: 200 ok
        C: PROT P
        S: 200 ok
        F: ok Reply 200
        > passive off
        > retr a
        C: TYPE I
        S: 200 ok
        A: ListenData 127.0.0.1
        D: listening 127.0.0.1:5000
        C: EPRT |1|127.0.0.1|5000|
        S: 200 ok
        C: RETR a
        S: 150 ok
        A: AcceptData 127.0.0.1
        D: accepted 127.0.0.1:20
        A: SecureData
        A: StartData -
    ");
    pbsz_refused_ends_prot_p: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 ok
        A: SecureControl
        L: secured
        F: ok Reply 234
        > prot_p
        C: PBSZ 0
        S: 503 PBSZ not allowed.
        F: err Permanent 503
    ");
    prot_p_refused_keeps_clear: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 ok
        A: SecureControl
        L: secured
        F: ok Reply 234
        > prot_p
        C: PBSZ 0
        S: 200 ok
        C: PROT P
        S: 536 Requested PROT level not supported.
        F: err Permanent 536
        > retr a
        C: TYPE I
        S: 200 ok
        C: EPSV
        S: 229 ok (|||40000|)
        A: ConnectData 127.0.0.1:40000
        D: connected 127.0.0.1:40000
        C: RETR a
        S: 150 ok
        A: StartData -
    ");
    proftpd_ccc_200_then_tls_shutdown: greeted!("
        !timers
        > auth_tls
        C: AUTH TLS
        T: arm Reply
        S: 234 AUTH TLS successful
        A: SecureControl
        T: arm Connect
        T: cancel Reply
        L: secured
        F: ok Reply 234
        T: cancel Connect
        > ccc
        C: CCC
        T: arm Reply
        S: 200 Clearing control channel protection
        A: ShutdownControlTls
        T: arm Connect
        T: cancel Reply
        L: plain
        F: ok Reply 200
        T: cancel Connect
        > ccc => err NotSecure
        > noop
        C: NOOP
        T: arm Reply
    ");
    ccc_shutdown_failure_closes: greeted!("
        > auth_tls
        C: AUTH TLS
        S: 234 ok
        A: SecureControl
        L: secured
        F: ok Reply 234
        > ccc
        C: CCC
        S: 200 ok
        A: ShutdownControlTls
        L: failed no close_notify
        F: err Tls
        A: CloseAll
    ");
    stray_tls_events_are_ignored: greeted!("
        L: secured
        L: plain
        > noop
        C: NOOP
        L: secured
        S: 200 ok
        F: ok Reply 200
        > prot_p => err NotSecure
    ");
}

#[test]
fn implicit_tls_starts_secure() {
    let config = ftp_proto::client::Config {
        implicit_tls: true,
        ..Default::default()
    };
    let s = client_support::run(
        &config,
        "
        > connect
        S: 220 secure ready
        F: ok Greeting 220
        > auth_tls => err AlreadySecure
        > prot_p
        C: PBSZ 0
        S: 200 ok
        C: PROT P
        S: 200 ok
        F: ok Reply 200
        ",
    );
    assert!(s.client.control_secure());
    assert_eq!(s.client.data_protection(), ftp_proto::ProtLevel::Private);
}

#[test]
fn injection_error_counts_the_buffered_bytes() {
    use ftp_proto::client::{Client, Config, Error, Event, Output, ProtocolError};
    let mut c = Client::new(Config::default());
    let now = std::time::Instant::now();
    c.connect(
        client_support::LOCAL.parse().unwrap(),
        client_support::PEER.parse().unwrap(),
        now,
    )
    .unwrap();
    c.handle_control_input(b"220 hi\r\n", now);
    c.auth_tls(now).unwrap();
    c.handle_control_input(b"234 go\r\n230 injected\r\n", now);
    let mut found = None;
    loop {
        match c.poll_output() {
            Output::Idle => break,
            Output::Event(Event::Finished {
                result: Err(Error::Protocol(p)),
                ..
            }) => found = Some(p),
            _ => {}
        }
    }
    match found {
        Some(ProtocolError::PlaintextInjection { reply, buffered }) => {
            assert_eq!(buffered, 14);
            assert_eq!(reply.code().as_u16(), 234);
        }
        other => panic!("{other:?}"),
    }
    assert!(c.is_closed());
}

// Whether the bytes after the 234 come in the same read decides where the injection is seen
// (the framer's buffer, or input during the handshake), so these run with whole blocks only.
#[test]
fn auth_tls_bytes_after_234_in_the_same_read_are_injection() {
    client_support::run_with(
        &Default::default(),
        greeted!(
            "
            > auth_tls
            C: AUTH TLS
            S: 234 Proceed with negotiation.
            S: 230 injected
            F: err Protocol PlaintextInjection
            A: CloseAll
        "
        ),
        client_support::Feed::Whole,
    );
}

#[test]
fn auth_tls_partial_line_after_234_in_the_same_read_is_injection() {
    client_support::run_with(
        &Default::default(),
        greeted!(
            r"
            > auth_tls
            C: AUTH TLS
            S! 234 Proceed with negotiation.\r\nUSER
            F: err Protocol PlaintextInjection
            A: CloseAll
        "
        ),
        client_support::Feed::Whole,
    );
}

/// Implicit FTPS: the control connection is secured before the greeting, so the secure login
/// plan skips AUTH TLS and goes straight to the login, then PBSZ/PROT.
#[test]
fn secure_login_plan_under_implicit_tls_skips_auth() {
    let config = ftp_proto::client::Config {
        implicit_tls: true,
        ..Default::default()
    };
    client_support::run(
        &config,
        "
        > connect
        S: 220 ready
        F: ok Greeting 220
        > login_secure alice secret prot
        C: USER alice
        S: 230 Login successful.
        C: PBSZ 0
        S: 200 ok
        C: PROT P
        S: 200 ok
        F: ok LoggedIn 230
    ",
    );
}
