//! Command encoding and parsing: every command's line, the refusals, and round trips.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use ftp_proto::{
    Arg, ArgError, Command, CommandParseError, Password, ProtLevel, RawCommand, Timestamp,
    TransferType,
};

fn arg(s: &str) -> Arg {
    Arg::try_from(s).unwrap()
}

/// Each vector: the command, its exact line, and that the line parses back to it.
macro_rules! encodes {
    ($($name:ident: $cmd:expr => $line:expr;)*) => {$(
        #[test]
        fn $name() {
            let cmd: Command = $cmd;
            let line: &[u8] = $line;
            let mut out = b"prefix".to_vec();
            cmd.encode(&mut out);
            assert_eq!(&out[6..], line, "{:?}", String::from_utf8_lossy(&out));
            assert_eq!(Command::parse(line).unwrap(), cmd);
            assert_eq!(Command::parse(&line[..line.len() - 2]).unwrap(), cmd, "without CRLF");
            assert_eq!(Command::parse(&line[..line.len() - 1]).unwrap(), cmd, "with CR only stripped");
        }
    )*};
}

encodes! {
    user_encodes: Command::User(arg("anonymous")) => b"USER anonymous\r\n";
    pass_encodes_in_clear_on_the_wire: Command::Pass(Password::new("s3cret").unwrap()) => b"PASS s3cret\r\n";
    acct_encodes: Command::Acct(arg("acct").into()) => b"ACCT acct\r\n";
    cwd_encodes_path_with_spaces: Command::Cwd(arg("dir with spaces")) => b"CWD dir with spaces\r\n";
    cwd_keeps_leading_space_of_path: Command::Cwd(arg(" lead")) => b"CWD  lead\r\n";
    cdup_encodes: Command::Cdup => b"CDUP\r\n";
    pwd_encodes: Command::Pwd => b"PWD\r\n";
    mkd_encodes_quote_in_name: Command::Mkd(arg("say \"hi\"")) => b"MKD say \"hi\"\r\n";
    rmd_encodes: Command::Rmd(arg("d")) => b"RMD d\r\n";
    dele_encodes: Command::Dele(arg("f")) => b"DELE f\r\n";
    rnfr_encodes: Command::Rnfr(arg("a")) => b"RNFR a\r\n";
    rnto_encodes: Command::Rnto(arg("b")) => b"RNTO b\r\n";
    size_encodes: Command::Size(arg("plain.txt")) => b"SIZE plain.txt\r\n";
    mdtm_encodes: Command::Mdtm(arg("plain.txt")) => b"MDTM plain.txt\r\n";
    mfmt_encodes_timestamp_then_path: Command::Mfmt(Timestamp::new(2025, 6, 15, 8, 30, 0, 0).unwrap(), arg("old file.txt")) =>
        b"MFMT 20250615083000 old file.txt\r\n";
    mfmt_encodes_fraction: Command::Mfmt(Timestamp::new(2025, 6, 15, 8, 30, 0, 500_000_000).unwrap(), arg("f")) =>
        b"MFMT 20250615083000.5 f\r\n";
    type_ascii_encodes_a: Command::Type(TransferType::Ascii) => b"TYPE A\r\n";
    type_binary_encodes_i: Command::Type(TransferType::Binary) => b"TYPE I\r\n";
    pasv_encodes: Command::Pasv => b"PASV\r\n";
    epsv_encodes: Command::Epsv => b"EPSV\r\n";
    port_encodes_tuple: Command::Port(SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 1), 50000)) => b"PORT 127,0,0,1,195,80\r\n";
    eprt_encodes_ipv4: Command::Eprt(SocketAddr::from(([127, 0, 0, 1], 6275))) => b"EPRT |1|127.0.0.1|6275|\r\n";
    eprt_encodes_ipv6: Command::Eprt(SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 5282, 0, 0))) => b"EPRT |2|::1|5282|\r\n";
    rest_encodes: Command::Rest(10) => b"REST 10\r\n";
    rest_encodes_u64_max: Command::Rest(u64::MAX) => b"REST 18446744073709551615\r\n";
    retr_encodes: Command::Retr(arg("plain.txt")) => b"RETR plain.txt\r\n";
    retr_encodes_latin1_name_byte_exact: Command::Retr(Arg::from_latin1("café.bin").unwrap()) => b"RETR caf\xe9.bin\r\n";
    retr_encodes_utf8_name: Command::Retr(arg("café.txt")) => "RETR café.txt\r\n".as_bytes();
    stor_encodes: Command::Stor(arg("up.bin")) => b"STOR up.bin\r\n";
    stou_encodes: Command::Stou => b"STOU\r\n";
    appe_encodes: Command::Appe(arg("log")) => b"APPE log\r\n";
    list_without_path_encodes_bare: Command::List(None) => b"LIST\r\n";
    list_with_option_encodes: Command::List(Some(arg("-a"))) => b"LIST -a\r\n";
    list_with_empty_arg_keeps_space: Command::List(Some(arg(""))) => b"LIST \r\n";
    nlst_encodes: Command::Nlst(None) => b"NLST\r\n";
    mlsd_encodes: Command::Mlsd(Some(arg("/"))) => b"MLSD /\r\n";
    mlst_encodes: Command::Mlst(Some(arg("plain.txt"))) => b"MLST plain.txt\r\n";
    feat_encodes: Command::Feat => b"FEAT\r\n";
    opts_utf8_encodes: Command::Opts(arg("UTF8 ON")) => b"OPTS UTF8 ON\r\n";
    host_encodes: Command::Host(arg("ftp.example.com")) => b"HOST ftp.example.com\r\n";
    auth_tls_encodes: Command::Auth(arg("TLS")) => b"AUTH TLS\r\n";
    pbsz_encodes: Command::Pbsz(0) => b"PBSZ 0\r\n";
    prot_private_encodes: Command::Prot(ProtLevel::Private) => b"PROT P\r\n";
    prot_clear_encodes: Command::Prot(ProtLevel::Clear) => b"PROT C\r\n";
    prot_safe_encodes: Command::Prot(ProtLevel::Safe) => b"PROT S\r\n";
    prot_confidential_encodes: Command::Prot(ProtLevel::Confidential) => b"PROT E\r\n";
    ccc_encodes: Command::Ccc => b"CCC\r\n";
    abor_encodes: Command::Abor => b"ABOR\r\n";
    noop_encodes: Command::Noop => b"NOOP\r\n";
    syst_encodes: Command::Syst => b"SYST\r\n";
    stat_encodes: Command::Stat(None) => b"STAT\r\n";
    stat_with_path_encodes: Command::Stat(Some(arg("."))) => b"STAT .\r\n";
    site_encodes: Command::Site(arg("CHMOD 644 f")) => b"SITE CHMOD 644 f\r\n";
    quit_encodes: Command::Quit => b"QUIT\r\n";
    raw_unknown_verb_encodes: Command::Raw(RawCommand::new("XCRC", Some(arg("f"))).unwrap()) => b"XCRC f\r\n";
    raw_without_arg_encodes: Command::Raw(RawCommand::new("XYZZY", None).unwrap()) => b"XYZZY\r\n";
}

/// Lines that parse to a given command (lenient inputs, raw fallbacks).
macro_rules! parses {
    ($($name:ident: $line:expr => $cmd:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(Command::parse($line).unwrap(), $cmd);
        }
    )*};
}

fn raw(verb: &str, a: Option<&str>) -> Command {
    Command::Raw(RawCommand::new(verb, a.map(arg)).unwrap())
}

parses! {
    lowercase_verb_parses: b"retr x\r\n" => Command::Retr(arg("x"));
    mixed_case_verb_parses: b"Quit" => Command::Quit;
    bare_lf_line_end_parses: b"NOOP\n" => Command::Noop;
    lowercase_type_argument_parses: b"type i" => Command::Type(TransferType::Binary);
    type_with_format_falls_back_to_raw: b"TYPE A N" => raw("TYPE", Some("A N"));
    type_local_byte_size_falls_back_to_raw: b"TYPE L 8" => raw("TYPE", Some("L 8"));
    pwd_with_argument_falls_back_to_raw: b"PWD x" => raw("PWD", Some("x"));
    cwd_without_argument_falls_back_to_raw: b"CWD" => raw("CWD", None);
    rest_with_sign_falls_back_to_raw: b"REST +5" => raw("REST", Some("+5"));
    rest_with_leading_zero_falls_back_to_raw: b"REST 05" => raw("REST", Some("05"));
    rest_past_u64_falls_back_to_raw: b"REST 18446744073709551616" => raw("REST", Some("18446744073709551616"));
    port_with_octet_over_255_falls_back_to_raw: b"PORT 256,0,0,1,4,1" => raw("PORT", Some("256,0,0,1,4,1"));
    port_with_five_numbers_falls_back_to_raw: b"PORT 127,0,0,1,4" => raw("PORT", Some("127,0,0,1,4"));
    eprt_with_other_delimiter_falls_back_to_raw: b"EPRT !1!127.0.0.1!6275!" => raw("EPRT", Some("!1!127.0.0.1!6275!"));
    eprt_with_unknown_family_falls_back_to_raw: b"EPRT |3|x|1|" => raw("EPRT", Some("|3|x|1|"));
    mfmt_with_invalid_date_falls_back_to_raw: b"MFMT 20250230000000 f" => raw("MFMT", Some("20250230000000 f"));
    mfmt_with_trailing_zero_fraction_falls_back_to_raw: b"MFMT 20250615083000.50 f" => raw("MFMT", Some("20250615083000.50 f"));
    prot_unknown_level_falls_back_to_raw: b"PROT X" => raw("PROT", Some("X"));
    unknown_verb_is_raw: b"XMD5 file" => raw("XMD5", Some("file"));
    pass_parses_and_masks: b"PASS hunter2" => Command::Pass(Password::new("hunter2").unwrap());
    path_with_latin1_byte_parses: b"DELE caf\xe9.bin" => Command::Dele(Arg::try_from(&b"caf\xe9.bin"[..]).unwrap());
}

/// Lines that are refused, with the error.
macro_rules! refuses {
    ($($name:ident: $line:expr => $err:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(Command::parse($line), Err($err));
        }
    )*};
}

refuses! {
    empty_line_refused: b"" => CommandParseError::Empty;
    crlf_only_refused: b"\r\n" => CommandParseError::Empty;
    verb_starting_with_digit_refused: b"1X a" => CommandParseError::InvalidVerb { verb: b"1X".to_vec() };
    verb_with_dash_refused: b"X-Y a" => CommandParseError::InvalidVerb { verb: b"X-Y".to_vec() };
    verb_over_16_letters_refused: b"ABCDEFGHIJKLMNOPQ" => CommandParseError::InvalidVerb { verb: b"ABCDEFGHIJKLMNOPQ".to_vec() };
    leading_space_refused: b" NOOP" => CommandParseError::InvalidVerb { verb: Vec::new() };
    tab_after_verb_refused: b"RETR\tx" => CommandParseError::InvalidVerb { verb: b"RETR\tx".to_vec() };
    second_command_smuggled_with_crlf_refused: b"RETR a\r\nDELE b\r\n" =>
        CommandParseError::Arg(ArgError::ForbiddenByte { byte: b'\r', position: 6 });
    lone_cr_in_argument_refused: b"RETR a\rb" => CommandParseError::Arg(ArgError::ForbiddenByte { byte: b'\r', position: 6 });
    nul_in_argument_refused: b"RETR a\0b" => CommandParseError::Arg(ArgError::ForbiddenByte { byte: 0, position: 6 });
    lf_in_argument_refused: b"USER a\nb" => CommandParseError::Arg(ArgError::ForbiddenByte { byte: b'\n', position: 6 });
}

#[test]
fn arg_refuses_cr_lf_and_nul_with_position() {
    for (input, byte, position) in [
        (&b"a\rb"[..], b'\r', 1),
        (b"ab\n", b'\n', 2),
        (b"\0", 0, 0),
        (b"x\r\nDELE y", b'\r', 1),
    ] {
        assert_eq!(
            Arg::try_from(input),
            Err(ArgError::ForbiddenByte { byte, position })
        );
        assert_eq!(
            Arg::try_from(input.to_vec()),
            Err(ArgError::ForbiddenByte { byte, position })
        );
    }
    assert!(Arg::try_from("ok\tname with spaces").is_ok());
    assert!(Arg::try_from(String::from("a\r")).is_err());
    assert!(Password::new("pw\r\nDELE x").is_err());
}

#[test]
fn arg_from_latin1_round_trips_every_byte_but_cr_lf_nul() {
    let all: String = (1u8..=255)
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .map(char::from)
        .collect();
    let a = Arg::from_latin1(&all).unwrap();
    assert_eq!(a.as_bytes().len(), 253);
    assert_eq!(a.to_latin1_string(), all);
}

#[test]
fn arg_from_latin1_refuses_chars_above_u_00ff() {
    assert_eq!(
        Arg::from_latin1("a€"),
        Err(ArgError::NotLatin1 {
            ch: '€',
            position: 1
        })
    );
}

#[test]
fn arg_debug_shows_lossy_text() {
    assert_eq!(
        format!("{:?}", Arg::try_from(&b"caf\xe9"[..]).unwrap()),
        "Arg(\"caf\u{fffd}\")"
    );
}

#[test]
fn pass_is_masked_in_debug_and_display_everywhere() {
    let cmd = Command::Pass(Password::new("hunter2").unwrap());
    assert_eq!(cmd.to_string(), "PASS ****");
    let debug = format!("{cmd:?} {cmd:#?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    let parsed = Command::parse(b"PASS hunter2\r\n").unwrap();
    assert!(!format!("{parsed:?}{parsed}").contains("hunter2"));
}

#[test]
fn display_is_the_line_without_crlf() {
    assert_eq!(Command::Retr(arg("a b")).to_string(), "RETR a b");
    assert_eq!(
        Command::Port(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 256)).to_string(),
        "PORT 10,0,0,1,1,0"
    );
}

#[test]
fn verb_names_match_the_encoded_line() {
    let cmds = [
        Command::Cdup,
        Command::Mfmt(Timestamp::new(2000, 1, 1, 0, 0, 0, 0).unwrap(), arg("f")),
        Command::Raw(RawCommand::new("xcrc", None).unwrap()),
        Command::Prot(ProtLevel::Private),
    ];
    for cmd in cmds {
        let line = cmd.to_bytes();
        assert!(line.starts_with(cmd.verb().as_bytes()), "{cmd:?}");
    }
}

#[test]
fn raw_command_verb_is_checked_and_uppercased() {
    assert_eq!(RawCommand::new("site", None).unwrap().verb(), "SITE");
    assert!(RawCommand::new("", None).is_err());
    assert!(RawCommand::new("A B", None).is_err());
    assert!(RawCommand::new("ÄBC", None).is_err());
    let parsed = RawCommand::parse("retr x y\r\n").unwrap();
    assert_eq!(
        (parsed.verb(), parsed.arg().unwrap().as_bytes()),
        ("RETR", &b"x y"[..])
    );
}

#[test]
fn raw_command_with_known_verb_encodes_like_the_typed_one() {
    let raw = Command::Raw(RawCommand::parse("retr file").unwrap());
    assert_eq!(raw.to_bytes(), Command::Retr(arg("file")).to_bytes());
    assert_eq!(
        Command::parse(&raw.to_bytes()).unwrap(),
        Command::Retr(arg("file"))
    );
}

#[test]
fn every_transcript_command_line_round_trips() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/transcripts");
    let mut count = 0;
    for server in ["vsftpd", "pure-ftpd", "proftpd", "pyftpdlib", "libunftp"] {
        let text = std::fs::read_to_string(format!("{dir}/{server}.txt")).unwrap();
        for line in text.lines().filter_map(|l| l.strip_prefix("C: ")) {
            let cmd = Command::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"));
            let mut wire = Vec::new();
            cmd.encode(&mut wire);
            // The captures upper-case the verb, as `encode` does.
            assert_eq!(wire, format!("{line}\r\n").as_bytes(), "{server}");
            if !line.starts_with("PASS") {
                assert_eq!(cmd.to_string(), line);
            }
            count += 1;
        }
    }
    assert!(count > 200, "{count}");
}
