//! A control or data connection of the scripted server: plain TCP or TLS over it.

use rustls::{HandshakeKind, ServerConnection, StreamOwned};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::Duration;

pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Conn {
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(t) => &t.sock,
        }
    }

    pub(crate) fn set_timeouts(&self, d: Duration) -> io::Result<()> {
        self.tcp().set_read_timeout(Some(d))?;
        self.tcp().set_write_timeout(Some(d))
    }

    /// Runs a server handshake over this (plain) connection; returns whether the client
    /// resumed an earlier session.
    pub(crate) fn start_tls(
        self,
        config: Arc<rustls::ServerConfig>,
    ) -> Result<(Conn, bool), (Conn, String)> {
        let tcp = match self {
            Conn::Plain(tcp) => tcp,
            tls @ Conn::Tls(_) => return Err((tls, "the connection is already TLS".into())),
        };
        let conn = match ServerConnection::new(config) {
            Ok(c) => c,
            Err(e) => return Err((Conn::Plain(tcp), e.to_string())),
        };
        let mut tls = StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
                return Err((Conn::Tls(Box::new(tls)), format!("TLS handshake: {e}")));
            }
        }
        let resumed = tls.conn.handshake_kind() == Some(HandshakeKind::Resumed);
        Ok((Conn::Tls(Box::new(tls)), resumed))
    }

    /// Sends close_notify (TLS) and closes the connection.
    pub(crate) fn close(mut self) {
        if let Conn::Tls(t) = &mut self {
            t.conn.send_close_notify();
            let _ = t.conn.complete_io(&mut t.sock);
        }
        let _ = self.tcp().shutdown(Shutdown::Both);
    }

    /// Closes the TCP connection without a TLS close_notify (a cut stream).
    pub(crate) fn cut(self) {
        let _ = self.tcp().shutdown(Shutdown::Both);
    }

    /// Closes the TCP connection with a reset (SO_LINGER 0): the peer's next read or write
    /// fails with "connection reset".
    pub(crate) fn reset(self) {
        let _ = socket2::SockRef::from(self.tcp()).set_linger(Some(Duration::ZERO));
        // Dropping the socket with a zero linger sends RST instead of FIN.
    }

    /// Sends one TLS 1.3 KeyUpdate record (no application data).
    pub(crate) fn key_update(&mut self) -> Result<(), String> {
        match self {
            Conn::Plain(_) => Err("a TLS keep-alive needs a TLS connection".into()),
            Conn::Tls(t) => {
                t.conn.refresh_traffic_keys().map_err(|e| e.to_string())?;
                while t.conn.wants_write() {
                    t.conn.write_tls(&mut t.sock).map_err(|e| e.to_string())?;
                }
                Ok(())
            }
        }
    }

    /// Ends TLS on the control connection (CCC): sends close_notify, reads until the client's
    /// close_notify, and carries on in plain text over the same TCP connection.
    pub(crate) fn stop_tls(self) -> Result<Conn, (Conn, String)> {
        let mut t = match self {
            Conn::Tls(t) => t,
            plain @ Conn::Plain(_) => return Err((plain, "the connection is not TLS".into())),
        };
        t.conn.send_close_notify();
        if let Err(e) = t.conn.complete_io(&mut t.sock) {
            return Err((Conn::Tls(t), format!("sending close_notify: {e}")));
        }
        // The client's close_notify ends the TLS stream. Read it one record at a time straight
        // from the socket, so that plain text the client sends right after it (its next
        // command) stays in the socket instead of being swallowed into the TLS buffer.
        loop {
            let mut header = [0u8; 5];
            let mut record = Vec::new();
            let read = t.sock.read_exact(&mut header).and_then(|()| {
                let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
                record.resize(5 + len, 0);
                record[..5].copy_from_slice(&header);
                t.sock.read_exact(&mut record[5..])
            });
            if let Err(e) = read {
                return Err((
                    Conn::Tls(t),
                    format!("waiting for the client's close_notify: {e}"),
                ));
            }
            let fed = t
                .conn
                .read_tls(&mut &record[..])
                .map_err(|e| e.to_string())
                .and_then(|_| t.conn.process_new_packets().map_err(|e| e.to_string()));
            match fed {
                Ok(state) if state.plaintext_bytes_to_read() > 0 => {
                    let n = state.plaintext_bytes_to_read();
                    return Err((
                        Conn::Tls(t),
                        format!("{n} bytes of TLS data instead of close_notify"),
                    ));
                }
                Ok(state) if state.peer_has_closed() => break,
                Ok(_) => {}
                Err(e) => {
                    return Err((
                        Conn::Tls(t),
                        format!("waiting for the client's close_notify: {e}"),
                    ));
                }
            }
        }
        let StreamOwned { sock, .. } = *t;
        Ok(Conn::Plain(sock))
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(t) => t.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(t) => t.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(t) => t.flush(),
        }
    }
}
