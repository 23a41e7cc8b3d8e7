//! Greeting, login, simple commands, raw commands and quit, as server dialogues.

mod client_support;

/// A script that starts after a plain greeting.
macro_rules! greeted {
    ($s:literal) => {
        concat!("> connect\nS: 220 ready\nF: ok Greeting 220\n", $s)
    };
}

scripts! {
    // Issue 11 item 4: RFC 959 5.4, 332 after USER asks for the account first.
    login_332_after_user_sends_acct_then_pass: greeted!("
        > login alice secret dept
        C: USER alice
        S: 332 Need account for login.
        C: ACCT ****
        S: 331 Password required.
        C: PASS ****
        S: 230 Logged in.
        F: ok LoggedIn 230
    ");
    login_332_after_user_then_230_to_acct: greeted!("
        > login alice secret dept
        C: USER alice
        S: 332 Need account for login.
        C: ACCT ****
        S: 230 Logged in.
        F: ok LoggedIn 230
    ");
    login_332_after_user_without_an_account_is_unexpected: greeted!("
        > login alice secret
        C: USER alice
        S: 332 Need account for login.
        F: err UnexpectedReply 332
    ");
    acct_sends_acct_and_wants_a_2xx: greeted!("
        > acct dept
        C: ACCT ****
        S: 230 Account accepted.
        F: ok Reply 230
        > acct dept
        C: ACCT ****
        S: 530 Not logged in.
        F: err Permanent 530
    ");
    voidcmd_takes_a_2xx: greeted!("
        > voidcmd SITE CHMOD 644 f
        C: SITE CHMOD 644 f
        S: 200 SITE CHMOD command ok.
        F: ok Reply 200
    ");
    voidcmd_3xx_is_an_unexpected_reply: greeted!("
        > voidcmd SITE X
        C: SITE X
        S: 350 more please
        F: err UnexpectedReply 350
        > noop
        C: NOOP
    ");
    voidcmd_refuses_what_execute_refuses: greeted!("
        > voidcmd RETR f => err UseDedicatedMethod
    ");
    greeting_220_ends_connect: "
        > connect
        S: 220 (vsFTPd 3.0.3)
        F: ok Greeting 220
    ";
    pure_ftpd_multiline_greeting: "
        > connect
        S: 220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------
        S: 220-You are user number 1 of 50 allowed.
        S: 220-Local time is now 05:12. Server port: 2221.
        S: 220-IPv6 connections are also welcome on this server.
        S: 220 You will be disconnected after 15 minutes of inactivity.
        F: ok Greeting 220
    ";
    greeting_120_then_220: "
        > connect
        S: 120 Service ready in 1 minute.
        S: 220 ready now
        F: ok Greeting 220
    ";
    greeting_421_closes: "
        > connect
        S: 421 Too many users
        F: err Temporary 421
        A: CloseAll
        > noop => err Closed
    ";
    greeting_530_closes: "
        > connect
        S: 530 Not allowed from your address
        F: err Permanent 530
        A: CloseAll
    ";
    greeting_garbage_is_protocol_error: "
        > connect
        S: SSH-2.0-OpenSSH_9.2
        F: err Protocol Frame
        A: CloseAll
    ";
    greeting_eof_is_connection_closed: "
        > connect
        EOF
        F: err ConnectionClosed
        A: CloseAll
    ";
    greeting_timeout_closes: "
        > connect
        S! 220 rea
        X: Connect
        F: err Timeout Connect
        A: CloseAll
    ";
    requests_before_connect_are_refused: "
        > noop => err NotConnected
        > connect
        > connect => err AlreadyConnected
        > noop => err Busy
        S: 220 ready
        F: ok Greeting 220
    ";
    login_user_pass: greeted!("
        > login ftpuser secret
        C: USER ftpuser
        S: 331 Please specify the password.
        C: PASS ****
        S: 230 Login successful.
        F: ok LoggedIn 230
    ");
    vsftpd_anonymous_user_gets_230: greeted!("
        > login anonymous anonymous@
        C: USER anonymous
        S: 230 Login successful.
        F: ok LoggedIn 230
    ");
    login_wrong_password_is_permanent: greeted!("
        > login ftpuser wrong
        C: USER ftpuser
        S: 331 Please specify the password.
        C: PASS ****
        S: 530 Login incorrect.
        F: err Permanent 530
        > noop
        C: NOOP
        S: 200 NOOP ok.
        F: ok Reply 200
    ");
    login_user_refused: greeted!("
        > login nobody pw
        C: USER nobody
        S: 530 This FTP server is anonymous only.
        F: err Permanent 530
    ");
    login_acct_after_332: greeted!("
        > login alice pw dept
        C: USER alice
        S: 331 Password required
        C: PASS ****
        S: 332 Need account for login.
        C: ACCT ****
        S: 230 Logged in.
        F: ok LoggedIn 230
    ");
    login_332_without_account_is_unexpected: greeted!("
        > login alice pw
        C: USER alice
        S: 331 Password required
        C: PASS ****
        S: 332 Need account for login.
        F: err UnexpectedReply 332
    ");
    login_acct_refused: greeted!("
        > login alice pw dept
        C: USER alice
        S: 331 Password required
        C: PASS ****
        S: 332 Need account for login.
        C: ACCT ****
        S: 530 Bad account.
        F: err Permanent 530
    ");
    login_421_temporary_and_closes: greeted!("
        > login alice pw
        C: USER alice
        S: 421 Timeout.
        F: err Temporary 421
        A: CloseAll
    ");
    login_eof_after_user: greeted!("
        > login alice pw
        C: USER alice
        EOF
        F: err ConnectionClosed
        A: CloseAll
        > noop => err Closed
    ");
    login_reply_timeout_closes: greeted!("
        > login alice pw
        C: USER alice
        S! 331 Pass
        X: Reply
        F: err Timeout Reply
        A: CloseAll
    ");
    host_before_login: greeted!("
        > host ftp.example.com
        C: HOST ftp.example.com
        S: 220 Host accepted
        F: ok Reply 220
        > login alice pw
        C: USER alice
        S: 230 ok
        F: ok LoggedIn 230
    ");
    host_refused_is_error_and_usable: greeted!("
        > host ftp.example.com
        C: HOST ftp.example.com
        S: 500 Unknown command.
        F: err Permanent 500
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
    ");
    feat_is_parsed_and_kept: greeted!("
        > feat
        C: FEAT
        S: 211-Features:
        S:  AUTH TLS
        S:  UTF8
        S:  EPSV
        S:  MLST type*;size*;modify*;
        S: 211 End
        F: ok Features 4
    ");
    feat_refused: greeted!("
        > feat
        C: FEAT
        S: 502 Command not implemented.
        F: err Permanent 502
    ");
    pure_ftpd_opts_utf8_504_is_not_an_error: greeted!("
        > opts_utf8
        C: OPTS UTF8 ON
        S: 504 Unknown command
        F: ok Reply 504
    ");
    opts_utf8_200: greeted!("
        > opts_utf8
        C: OPTS UTF8 ON
        S: 200 Always in UTF8 mode.
        F: ok Reply 200
    ");
    pwd_parses_257: greeted!(r#"
        > pwd
        C: PWD
        S: 257 "/capture-vsftpd" is the current directory
        F: ok Path /capture-vsftpd 257
    "#);
    mkd_unescapes_doubled_quotes: greeted!(r#"
        > mkd say "hi"
        C: MKD say "hi"
        S: 257 "/capture-vsftpd/say ""hi""" created
        F: ok Path /capture-vsftpd/say "hi" 257
    "#);
    pwd_257_without_a_quoted_path_is_an_empty_path_as_ftplib_for_iis: greeted!("
        > pwd
        C: PWD
        S: 257 no quotes here
        F: ok Path  257
        > mkd d
        C: MKD d
        S: 257 MKD command successful.
        F: ok Path  257
        > pwd
        C: PWD
        S: 257 \"unterminated
        F: err Protocol Malformed 257
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
    ");
    pwd_other_2xx_is_protocol_error: greeted!("
        > pwd
        C: PWD
        S: 200 ok
        F: err Protocol Malformed 200
    ");
    mkd_refused: greeted!("
        > mkd x
        C: MKD x
        S: 550 Create directory operation failed.
        F: err Permanent 550
    ");
    cwd_250: greeted!("
        > cwd capture-vsftpd/listing-samples
        C: CWD capture-vsftpd/listing-samples
        S: 250 Directory successfully changed.
        F: ok Reply 250
    ");
    cwd_empty_path_means_dot: greeted!("
        > cwd
        C: CWD .
        S: 250 ok
        F: ok Reply 250
    ");
    cwd_dotdot_sends_cdup: greeted!("
        > cwd ..
        C: CDUP
        S: 250 Directory successfully changed.
        F: ok Reply 250
    ");
    cwd_dotdot_falls_back_on_500: greeted!("
        > cwd ..
        C: CDUP
        S: 500 Unknown command.
        C: CWD ..
        S: 250 ok
        F: ok Reply 250
    ");
    cwd_dotdot_falls_back_on_502: greeted!("
        > cwd ..
        C: CDUP
        S: 502 Not implemented.
        C: CWD ..
        S: 550 No.
        F: err Permanent 550
    ");
    cwd_dotdot_550_does_not_fall_back: greeted!("
        > cwd ..
        C: CDUP
        S: 550 Permission denied.
        F: err Permanent 550
    ");
    cwd_450_is_temporary: greeted!("
        > cwd x
        C: CWD x
        S: 450 Busy.
        F: err Temporary 450
    ");
    cwd_3xx_is_unexpected: greeted!("
        > cwd x
        C: CWD x
        S: 350 What?
        F: err UnexpectedReply 350
    ");
    stray_1xx_before_final_reply_is_not_final: greeted!("
        !replies
        > noop
        C: NOOP
        S: 150 huh
        R: 150
        S: 200 ok
        R: 200
        F: ok Reply 200
    ");
    cdup_and_rmd: greeted!("
        > cdup
        C: CDUP
        S: 250 ok
        F: ok Reply 250
        > rmd newdir
        C: RMD newdir
        S: 250 Remove directory operation successful.
        F: ok Reply 250
    ");
    delete_250: greeted!("
        > delete renamed.txt
        C: DELE renamed.txt
        S: 250 Delete operation successful.
        F: ok Reply 250
    ");
    delete_200_is_accepted: greeted!("
        > delete a
        C: DELE a
        S: 200 ok
        F: ok Reply 200
    ");
    delete_other_2xx_is_unexpected: greeted!("
        > delete a
        C: DELE a
        S: 226 what
        F: err UnexpectedReply 226
    ");
    delete_550: greeted!("
        > delete a
        C: DELE a
        S: 550 Delete operation failed.
        F: err Permanent 550
    ");
    rename_rnfr_then_rnto: greeted!("
        > rename upload.txt renamed.txt
        C: RNFR upload.txt
        S: 350 Ready for RNTO.
        C: RNTO renamed.txt
        S: 250 Rename successful.
        F: ok Reply 250
    ");
    rename_rnfr_must_get_3xx: greeted!("
        > rename a b
        C: RNFR a
        S: 250 ok?
        F: err UnexpectedReply 250
    ");
    rename_rnfr_550: greeted!("
        > rename a b
        C: RNFR a
        S: 550 RNFR command failed.
        F: err Permanent 550
    ");
    rename_rnto_553: greeted!("
        > rename a b
        C: RNFR a
        S: 350 Ready for RNTO.
        C: RNTO b
        S: 553 Rename failed.
        F: err Permanent 553
    ");
    size_213: greeted!("
        > size plain.txt
        C: TYPE I
        S: 200 Switching to Binary mode.
        C: SIZE plain.txt
        S: 213 54
        F: ok Size 54
    ");
    size_is_asked_under_type_i_once_binary_is_known: greeted!("
        > size plain.txt
        C: TYPE I
        S: 200 Switching to Binary mode.
        C: SIZE plain.txt
        S: 213 54
        F: ok Size 54
        > size other.txt
        C: SIZE other.txt
        S: 213 7
        F: ok Size 7
        > execute TYPE A
        C: TYPE A
        S: 200 Switching to ASCII mode.
        F: ok Reply 200
        > size plain.txt
        C: TYPE I
        S: 200 Switching to Binary mode.
        C: SIZE plain.txt
    ");
    size_type_i_refused_is_the_error: greeted!("
        > size plain.txt
        C: TYPE I
        S: 504 no binary here
        F: err Permanent 504
    ");
    proftpd_size_in_ascii_550: greeted!("
        > execute TYPE I
        C: TYPE I
        S: 200 Switching to Binary mode.
        F: ok Reply 200
        > size plain.txt
        C: SIZE plain.txt
        S: 550 SIZE not allowed in ASCII mode
        F: err Permanent 550
    ");
    size_other_positive_reply_is_size_unknown_as_ftplib: greeted!("
        > size plain.txt
        C: TYPE I
        S: 200 Switching to Binary mode.
        C: SIZE plain.txt
        S: 250 1000
        F: ok Size - 250
        > size plain.txt
        C: SIZE plain.txt
        S: 200 54
        F: ok Size - 200
    ");
    size_garbage_213_is_protocol_error: greeted!("
        > size plain.txt
        C: TYPE I
        S: 200 Switching to Binary mode.
        C: SIZE plain.txt
        S: 213 fifty-four
        F: err Protocol Malformed 213
    ");
    mdtm_213: greeted!("
        > mdtm old-2025.txt
        C: MDTM old-2025.txt
        S: 213 20250615083000
        F: ok Modified 20250615083000
    ");
    mdtm_malformed: greeted!("
        > mdtm x
        C: MDTM x
        S: 213 yesterday
        F: err Protocol Malformed 213
    ");
    mfmt_213: greeted!("
        > mfmt upload.txt 20250615083000
        C: MFMT 20250615083000 upload.txt
        S: 213 Modify=20250615083000; upload.txt
        F: ok Reply 213
    ");
    mlst_parses_fact_line: greeted!("
        > mlst plain.txt
        C: MLST plain.txt
        S: 250-Start of list for plain.txt
        S:  type=file;size=54;modify=20261122050500; /capture-proftpd/listing-samples/plain.txt
        S: 250 End of list
        F: ok Facts /capture-proftpd/listing-samples/plain.txt
    ");
    vsftpd_mlst_500: greeted!("
        > mlst plain.txt
        C: MLST plain.txt
        S: 500 Unknown command.
        F: err Permanent 500
    ");
    noop_pyftpdlib_stray_apostrophe: greeted!("
        > noop
        C: NOOP
        S: 200 I successfully did nothing'.
        F: ok Reply 200
    ");
    execute_returns_final_reply: greeted!("
        > execute SYST
        C: SYST
        S: 215 UNIX Type: L8
        F: ok Reply 215
    ");
    execute_3xx_is_a_result: greeted!("
        > execute RNFR a
        C: RNFR a
        S: 350 Ready for RNTO.
        F: ok Reply 350
    ");
    execute_500_is_permanent: greeted!("
        > execute XYZZY
        C: XYZZY
        S: 500 Unknown command.
        F: err Permanent 500
    ");
    execute_1xx_is_not_final: greeted!("
        !replies
        > execute SITE slow
        C: SITE slow
        S: 110 restart marker
        R: 110
        S: 200 done
        R: 200
        F: ok Reply 200
    ");
    execute_stat_multiline: greeted!("
        > execute STAT
        C: STAT
        S: 211-FTP server status:
        S:      Connected to 127.0.0.1
        S: 211 End of status
        F: ok Reply 211
    ");
    execute_refuses_state_changing_commands: greeted!("
        > execute RETR x => err UseDedicatedMethod
        > execute retr x => err UseDedicatedMethod
        > execute STOR x => err UseDedicatedMethod
        > execute LIST => err UseDedicatedMethod
        > execute MLSD => err UseDedicatedMethod
        > execute PASV => err UseDedicatedMethod
        > execute EPSV => err UseDedicatedMethod
        > execute PORT 127,0,0,1,4,1 => err UseDedicatedMethod
        > execute EPRT |1|127.0.0.1|1025| => err UseDedicatedMethod
        > execute REST 10 => err UseDedicatedMethod
        > execute USER x => err UseDedicatedMethod
        > execute PASS x => err UseDedicatedMethod
        > execute QUIT => err UseDedicatedMethod
        > execute ABOR => err UseDedicatedMethod
        > execute AUTH TLS => err UseDedicatedMethod
        > execute PROT P => err UseDedicatedMethod
        > execute CCC => err UseDedicatedMethod
        > execute REIN => err UseDedicatedMethod
        > execute MODE Z => err UseDedicatedMethod
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
    ");
    execute_pbsz_is_accepted: greeted!("
        > execute PBSZ 0
        C: PBSZ 0
        S: 200 PBSZ=0
        F: ok Reply 200
    ");
    busy_while_a_command_runs: greeted!("
        > noop
        C: NOOP
        > pwd => err Busy
        > quit => err Busy
        S: 200 ok
        F: ok Reply 200
    ");
    unsolicited_reply_when_idle_is_only_reported: greeted!("
        !replies
        S: 200 hello?
        R: 200
        > noop
        C: NOOP
        S: 200 ok
        R: 200
        F: ok Reply 200
    ");
    unsolicited_421_when_idle_closes: greeted!("
        S: 421 Timeout.
        A: CloseAll
        > noop => err Closed
    ");
    garbage_reply_closes: greeted!("
        > noop
        C: NOOP
        S: hello there
        F: err Protocol Frame
        A: CloseAll
    ");
    quit_221: greeted!("
        > quit
        C: QUIT
        S: 221 Goodbye.
        F: ok Closed 221
        A: CloseAll
        > noop => err Closed
        > quit => err Closed
    ");
    quit_eof_without_reply: greeted!("
        > quit
        C: QUIT
        EOF
        F: ok Closed -
        A: CloseAll
    ");
    quit_500_still_closes: greeted!("
        > quit
        C: QUIT
        S: 500 What?
        F: err Permanent 500
        A: CloseAll
        > noop => err Closed
    ");
    quit_timeout_closes: greeted!("
        > quit
        C: QUIT
        X: Reply
        F: err Timeout Reply
        A: CloseAll
    ");
    close_is_immediate: greeted!("
        > close
        A: CloseAll
        > noop => err Closed
        > close
    ");
    close_while_busy_ends_the_operation: greeted!("
        > noop
        C: NOOP
        > close
        F: err Usage Closed
        A: CloseAll
        S: 200 late
    ");
    eof_when_idle_closes: greeted!("
        EOF
        A: CloseAll
        > noop => err Closed
    ");
    time_passing_while_idle_fires_nothing: greeted!("
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
        W: 3600
        > noop
        C: NOOP
        S: 200 ok
        F: ok Reply 200
    ");
    reply_timer_is_armed_once_per_command_not_per_byte: greeted!("
        !timers
        > noop
        C: NOOP
        T: arm Reply
        S! 2
        S! 0
        S! 0 ok\\r\\n
        F: ok Reply 200
        T: cancel Reply
    ");
}

#[test]
fn pass_bytes_carry_the_password_and_display_masks_it() {
    use ftp_proto::client::{Client, Config, Output};
    use ftp_proto::{Arg, Password};
    let now = std::time::Instant::now();
    let mut c = Client::new(Config::default());
    c.connect(
        client_support::LOCAL.parse().unwrap(),
        client_support::PEER.parse().unwrap(),
        now,
    )
    .unwrap();
    c.handle_control_input(b"220 hi\r\n331 pw\r\n", now);
    while c.poll_output() != Output::Idle {}
    c.login(
        Arg::try_from("u").unwrap(),
        Password::from(Arg::try_from("s3cr3t").unwrap()),
        None,
        now,
    )
    .unwrap();
    while c.poll_output() != Output::Idle {}
    c.handle_control_input(b"331 pw\r\n", now);
    let mut sends = Vec::new();
    loop {
        match c.poll_output() {
            Output::Idle => break,
            Output::Send(t) => sends.push(t),
            _ => {}
        }
    }
    assert_eq!(sends.len(), 1);
    assert_eq!(sends[0].bytes, b"PASS s3cr3t\r\n");
    assert_eq!(sends[0].display, "PASS ****");
    assert!(!format!("{:?}", sends[0]).contains("s3cr3t"));
}

#[test]
fn anonymous_credentials_follow_ftplib() {
    use ftp_proto::client::Credentials;
    let c = Credentials::new("", "", "").unwrap();
    assert_eq!(
        (c.user.as_bytes(), c.password.expose()),
        (&b"anonymous"[..], &b"anonymous@"[..])
    );
    let c = Credentials::new("anonymous", "-", "").unwrap();
    assert_eq!(c.password.expose(), b"-anonymous@");
    let c = Credentials::new("anonymous", "me@example.com", "").unwrap();
    assert_eq!(c.password.expose(), b"me@example.com");
    let c = Credentials::new("bob", "", "").unwrap();
    assert_eq!(c.password.expose(), b"");
    assert!(Credentials::new("bob\r\n", "", "").is_err());
    let a = Credentials::anonymous();
    assert_eq!(
        (a.user.as_bytes(), a.password.expose()),
        (&b"anonymous"[..], &b"anonymous@"[..])
    );
}

#[test]
fn reply_line_over_the_limit_is_protocol_error_and_closes() {
    use ftp_proto::FramerLimits;
    use ftp_proto::client::Config;
    let config = Config {
        framer: FramerLimits {
            max_line_len: 64,
            max_reply_len: 256,
        },
        ..Config::default()
    };
    let long = "A".repeat(100);
    let script = format!(
        "> connect\nS: 220 hi\nF: ok Greeting 220\n> noop\nC: NOOP\nS: 200 {long}\nF: err Protocol Frame\nA: CloseAll\n"
    );
    client_support::run(&config, &script);
}

/// For each one-command operation: its success, a 4xx, a 5xx, a 3xx, a stray 1xx before the
/// final reply, garbage, control EOF, and the reply timer expiring, each as a dialogue.
macro_rules! every_refusal {
    ($($name:ident: $request:literal, $sent:literal, $ok:literal => $ok_result:literal,
       3xx => $on3xx:literal, 4xx/5xx refused: $refused:literal;)*) => {
        $(
            #[test]
            fn $name() {
                let config = ftp_proto::client::Config::default();
                let head = concat!("> connect\nS: 220 hi\nF: ok Greeting 220\n> ", $request, "\nC: ", $sent, "\n");
                let tail = "> noop\nC: NOOP\nS: 200 ok\nF: ok Reply 200\n";
                let (t450, t550) = if $refused {
                    ("F: err Temporary 450\n", "F: err Permanent 550\n")
                } else {
                    ("F: ok Reply 450\n", "F: ok Reply 550\n")
                };
                let cases = [
                    format!("{head}S: {}\nF: {}\n{tail}", $ok, $ok_result),
                    format!("{head}S: 150 wait\nS: {}\nF: {}\n{tail}", $ok, $ok_result),
                    format!("{head}S: 450 busy\n{t450}{tail}"),
                    format!("{head}S: 550 no\n{t550}{tail}"),
                    format!("{head}S: 350 what\nF: {}\n{tail}", $on3xx),
                    format!("{head}S: what\nF: err Protocol Frame\nA: CloseAll\n> noop => err Closed\n"),
                    format!("{head}EOF\nF: err ConnectionClosed\nA: CloseAll\n> noop => err Closed\n"),
                    format!("{head}X: Reply\nF: err Timeout Reply\nA: CloseAll\n> noop => err Closed\n"),
                ];
                for script in cases {
                    client_support::run(&config, &script);
                }
            }
        )*
    };
}

every_refusal! {
    noop_success_and_every_refusal: "noop", "NOOP", "200 ok" => "ok Reply 200",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    cwd_success_and_every_refusal: "cwd pub", "CWD pub", "250 ok" => "ok Reply 250",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    cdup_success_and_every_refusal: "cdup", "CDUP", "200 ok" => "ok Reply 200",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    pwd_success_and_every_refusal: "pwd", "PWD", "257 \"/pub\"" => "ok Path /pub 257",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    mkd_success_and_every_refusal: "mkd d", "MKD d", "257 \"/d\" created" => "ok Path /d 257",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    rmd_success_and_every_refusal: "rmd d", "RMD d", "250 ok" => "ok Reply 250",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    delete_success_and_every_refusal: "delete f", "DELE f", "250 ok" => "ok Reply 250",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    size_success_and_every_refusal: "size f", "TYPE I\nS: 200 ok\nC: SIZE f", "213 5" => "ok Size 5",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    mdtm_success_and_every_refusal: "mdtm f", "MDTM f", "213 20261122050500" => "ok Modified 20261122050500",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    mfmt_success_and_every_refusal: "mfmt f 20250615083000", "MFMT 20250615083000 f", "213 Modify=20250615083000; f" => "ok Reply 213",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    mlst_success_and_every_refusal: "mlst f", "MLST f", "250-x\nS:  type=file; f\nS: 250 end" => "ok Facts f",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    feat_success_and_every_refusal: "feat", "FEAT", "211-x\nS:  UTF8\nS: 211 end" => "ok Features 1",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    host_success_and_every_refusal: "host ftp.example.com", "HOST ftp.example.com", "220 ok" => "ok Reply 220",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    prot_c_success_and_every_refusal: "prot_c", "PROT C", "200 ok" => "ok Reply 200",
        3xx => "err UnexpectedReply 350", 4xx/5xx refused: true;
    execute_success_and_every_refusal: "execute SYST", "SYST", "215 UNIX" => "ok Reply 215",
        3xx => "ok Reply 350", 4xx/5xx refused: true;
    opts_utf8_success_and_every_refusal: "opts_utf8", "OPTS UTF8 ON", "200 ok" => "ok Reply 200",
        3xx => "ok Reply 350", 4xx/5xx refused: false;
}

/// Issue 11 item 11: a 120 greeting ("ready in nnn minutes") extends the wait for the
/// greeting to what it announces, within `Timeouts::ready_soon_cap`.
#[test]
fn greeting_120_extends_the_connect_wait_within_a_cap() {
    let config = ftp_proto::client::Config::default(); // connect 30 s, cap 10 min
    client_support::run(
        &config,
        "
        > connect
        S: 120 Service ready in 2 minutes.
        W: 100
        S: 220 ready
        F: ok Greeting 220
    ",
    );
    client_support::run(
        &config,
        "
        > connect
        S: 120 Service ready in 999 minutes.
        W: 590
        W: 20
        F: err Timeout Connect
        A: CloseAll
    ",
    );
    // Without the 120, the connect timeout holds.
    client_support::run(
        &config,
        "
        > connect
        W: 31
        F: err Timeout Connect
        A: CloseAll
    ",
    );
}
