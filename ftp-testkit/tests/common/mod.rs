//! A raw-socket FTP client for the testkit's own tests: plain and TLS control connections.
#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// Every blocking call of the test client gives up after this long.
pub(crate) const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);

/// The longest reply line the test client accepts.
const MAX_LINE: u64 = 8192;

/// A TLS control connection.
pub(crate) type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// A raw control connection: one reply per call, multi-line replies joined.
pub(crate) struct Control<S: Read + Write> {
    pub(crate) io: BufReader<S>,
}

impl<S: Read + Write> Control<S> {
    fn line(&mut self) -> String {
        let mut line = Vec::new();
        (&mut self.io)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)
            .unwrap();
        // Latin-1 file names come through some servers raw: keep the text lossy.
        String::from_utf8_lossy(&line).into_owned()
    }

    pub(crate) fn reply(&mut self) -> String {
        let line = self.line();
        assert!(line.len() >= 4, "short reply line {line:?}");
        let code = line[..3].to_string();
        let mut all = line.clone();
        if line.as_bytes()[3] == b'-' {
            loop {
                let line = self.line();
                assert!(!line.is_empty(), "EOF inside a multi-line reply");
                all.push_str(&line);
                if line.starts_with(&format!("{code} ")) {
                    break;
                }
            }
        }
        all
    }

    pub(crate) fn cmd(&mut self, line: &str) -> String {
        self.io
            .get_mut()
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
        self.io.get_mut().flush().unwrap();
        self.reply()
    }

    pub(crate) fn login(&mut self, user: &str, password: &str) {
        let r = self.cmd(&format!("USER {user}"));
        assert!(r.starts_with("331 "), "{r}");
        let r = self.cmd(&format!("PASS {password}"));
        assert!(r.starts_with("230 "), "{r}");
    }
}

pub(crate) fn connect(addr: SocketAddr) -> Control<TcpStream> {
    Control {
        io: BufReader::new(data_conn(addr)),
    }
}

/// The data address of a 229 reply, on 127.0.0.1.
pub(crate) fn epsv_addr(reply: &str) -> SocketAddr {
    assert!(reply.starts_with("229 "), "{reply}");
    let start = reply.find("(|||").unwrap() + 4;
    let end = reply[start..].find('|').unwrap() + start;
    SocketAddr::new(
        Ipv4Addr::LOCALHOST.into(),
        reply[start..end].parse().unwrap(),
    )
}

pub(crate) fn data_conn(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, CLIENT_TIMEOUT).unwrap();
    s.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    s
}

/// A ring-only rustls client trusting `roots`, offering `versions` (all safe ones when empty).
pub(crate) fn tls_client(
    roots: &[rustls_pki_types::CertificateDer<'static>],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let mut store = rustls::RootCertStore::empty();
    for r in roots {
        store.add(r.clone()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider);
    let builder = if versions.is_empty() {
        builder.with_safe_default_protocol_versions()
    } else {
        builder.with_protocol_versions(versions)
    };
    Arc::new(
        builder
            .unwrap()
            .with_root_certificates(store)
            .with_no_client_auth(),
    )
}

/// AUTH TLS on a fresh control connection to `addr` (after its greeting), then a handshake as
/// `name`: the secured control connection and its TLS version, or the handshake error.
pub(crate) fn auth_tls(
    addr: SocketAddr,
    name: &'static str,
    config: Arc<rustls::ClientConfig>,
) -> Result<(Control<TlsStream>, rustls::ProtocolVersion), rustls::Error> {
    let mut c = connect(addr);
    c.reply();
    let reply = c.cmd("AUTH TLS");
    assert!(reply.starts_with("234 "), "{reply}");
    let tcp = c.io.into_inner();
    let conn = rustls::ClientConnection::new(config, name.try_into().unwrap()).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    while tls.conn.is_handshaking() {
        if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
            return Err(e
                .into_inner()
                .and_then(|inner| inner.downcast::<rustls::Error>().ok())
                .map(|b| *b)
                .unwrap_or(rustls::Error::General(
                    "I/O error during the handshake".into(),
                )));
        }
    }
    let version = tls.conn.protocol_version().unwrap();
    Ok((
        Control {
            io: BufReader::new(tls),
        },
        version,
    ))
}
