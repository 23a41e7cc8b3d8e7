//! Probes TLS session reuse on a real FTPS server with the transport layer alone (no protocol
//! core): explicit FTPS, `PROT P`, then N passive data connections mixing uploads (the client
//! only writes), downloads and listings, printing how each data handshake went.
//!
//! ```text
//! cargo run -p ftp-blocking --example ftps_reuse_probe -- HOST PORT USER PASS [N] [tls12|tls13] [CA.pem]
//! ```
//!
//! Without a CA file the certificate is not verified (a probe for test servers on loopback).
//! Exits non-zero unless every data connection resumed and every transfer got its 226.

use std::io::{Read, Write};
use std::net::{SocketAddr, SocketAddrV4};
use std::time::Duration;

use ftp_blocking::tls::{ControlConnection, DataConnection, TlsConfig, TlsSession};

const T: Duration = Duration::from_secs(20);

fn reply(c: &mut ControlConnection) -> (u16, String) {
    let mut all = String::new();
    loop {
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while !line.ends_with(b"\n") {
            assert_eq!(c.read(&mut b).expect("read reply"), 1, "control EOF");
            line.push(b[0]);
            assert!(line.len() < 8192, "reply line too long");
        }
        let line = String::from_utf8_lossy(&line).into_owned();
        all.push_str(&line);
        let bytes = line.as_bytes();
        if bytes.len() >= 4 && bytes[..3].iter().all(u8::is_ascii_digit) && bytes[3] == b' ' {
            return (line[..3].parse().expect("code"), all);
        }
    }
}

fn cmd(c: &mut ControlConnection, line: &str) -> (u16, String) {
    c.write_all(format!("{line}\r\n").as_bytes()).expect("send");
    let r = reply(c);
    let shown = if line.starts_with("PASS") {
        "PASS ****"
    } else {
        line
    };
    print!("> {shown}\n< {}", r.1);
    r
}

fn expect(c: &mut ControlConnection, line: &str, code: u16) -> String {
    let (got, text) = cmd(c, line);
    assert_eq!(got, code, "{line}: {text}");
    text
}

fn pasv(c: &mut ControlConnection) -> SocketAddr {
    let text = expect(c, "PASV", 227);
    let inner = &text[text.find('(').expect("(") + 1..text.find(')').expect(")")];
    let n: Vec<u8> = inner
        .split(',')
        .map(|s| s.trim().parse().expect("octet"))
        .collect();
    let port = u16::from(n[4]) * 256 + u16::from(n[5]);
    SocketAddr::V4(SocketAddrV4::new([n[0], n[1], n[2], n[3]].into(), port))
}

fn data(c: &mut ControlConnection, session: &TlsSession, command: &str) -> DataConnection {
    let addr = pasv(c);
    let tcp = ftp_blocking::net::connect_data(addr, T, None).expect("data connect");
    let (code, text) = cmd(c, command);
    assert!(code == 150 || code == 125, "{command}: {text}");
    let d = DataConnection::secure(tcp, session, T).expect("data TLS handshake");
    d.set_idle_timeout(T).expect("idle");
    d
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let (host, port, user, pass) = (&a[0], a[1].parse().expect("port"), &a[2], &a[3]);
    let n: usize = a.get(4).map_or(20, |s| s.parse().expect("N"));
    let mut b = TlsConfig::builder();
    match a.get(5).map(String::as_str) {
        Some("tls12") => b = b.protocol_versions(&[&rustls::version::TLS12]),
        Some("tls13") => b = b.protocol_versions(&[&rustls::version::TLS13]),
        _ => {}
    }
    b = match a.get(6) {
        Some(ca) => b.system_roots(false).add_ca_file(ca).expect("CA file"),
        None => b.danger_accept_invalid_certs(true),
    };
    let tls = b.build().expect("TLS config");
    let session = tls.session(host).expect("server name");
    let tcp = ftp_blocking::net::connect(host, port, T, None).expect("connect");
    let mut c = ControlConnection::plain(tcp);
    c.tcp()
        .expect("tcp")
        .set_read_timeout(Some(T))
        .expect("timeout");
    print!("< {}", reply(&mut c).1);
    expect(&mut c, "AUTH TLS", 234);
    c.upgrade(&session, T).expect("control TLS handshake");
    let version = c.tls_connection().and_then(|t| t.protocol_version());
    println!("control: {version:?}");
    let (code, text) = cmd(&mut c, &format!("USER {user}"));
    if code == 331 {
        expect(&mut c, &format!("PASS {pass}"), 230);
    } else {
        assert_eq!(code, 230, "{text}");
    }
    expect(&mut c, "PBSZ 0", 200);
    expect(&mut c, "PROT P", 200);
    expect(&mut c, "TYPE I", 200);
    let payload: Vec<u8> = (0..(1 << 20)).map(|i| (i % 251) as u8).collect();
    let mut resumed = 0;
    for i in 0..n {
        let kind;
        match i % 3 {
            0 => {
                let mut d = data(&mut c, &session, &format!("STOR probe-{i}.bin"));
                kind = d.handshake_kind();
                println!("data connection {}: {kind:?}", i + 1);
                d.write_all(&payload).expect("upload");
                d.finish(T).expect("finish upload");
            }
            1 => {
                let mut d = data(&mut c, &session, &format!("RETR probe-{}.bin", i - 1));
                kind = d.handshake_kind();
                println!("data connection {}: {kind:?}", i + 1);
                let mut got = Vec::new();
                match d.read_to_end(&mut got) {
                    Ok(_) => {}
                    Err(e) if ftp_blocking::tls::is_missing_close_notify(&e) => {
                        println!("  (download ended without close_notify)")
                    }
                    Err(e) => panic!("download: {e}"),
                }
                assert!(got == payload, "downloaded bytes differ");
                d.finish(T).expect("finish download");
            }
            _ => {
                let mut d = data(&mut c, &session, "LIST");
                kind = d.handshake_kind();
                println!("data connection {}: {kind:?}", i + 1);
                let mut got = Vec::new();
                if let Err(e) = d.read_to_end(&mut got) {
                    assert!(ftp_blocking::tls::is_missing_close_notify(&e), "list: {e}");
                    println!("  (listing ended without close_notify)");
                }
                d.finish(T).expect("finish listing");
            }
        }
        let (code, text) = reply(&mut c);
        print!("< {text}");
        assert_eq!(code, 226, "transfer {i}: {text}");
        if kind == Some(rustls::HandshakeKind::Resumed) {
            resumed += 1;
        }
    }
    for i in (0..n).step_by(3) {
        cmd(&mut c, &format!("DELE probe-{i}.bin"));
    }
    cmd(&mut c, "QUIT");
    println!("{resumed} of {n} data connections resumed ({version:?})");
    if resumed != n {
        std::process::exit(1);
    }
}
