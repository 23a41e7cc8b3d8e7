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
        // The client's close_notify ends the TLS stream: the read returns 0. Application data
        // after our close_notify is the client's mistake.
        let mut sink = [0u8; 4096];
        match t.read(&mut sink) {
            Ok(0) => {}
            Ok(n) => {
                return Err((
                    Conn::Tls(t),
                    format!("{n} bytes of TLS data instead of close_notify"),
                ));
            }
            Err(e) => {
                return Err((
                    Conn::Tls(t),
                    format!("waiting for the client's close_notify: {e}"),
                ));
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
