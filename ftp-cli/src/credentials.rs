//! Credentials on the command line: the password from the URL, an environment variable
//! (`--password-env VAR`) or a prompt on the terminal (`--ask-password`, no echo), the `.netrc`
//! file (refused when it holds passwords others can read), and the warnings for secrets that
//! would travel in clear.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};

use ftp_blocking::ftp_proto::url_session::{TlsMode, UrlSession};
use ftp_blocking::netrc::{Netrc, NetrcFile};
use ftp_blocking::url::FtpUrl;

use crate::args::Cli;
use crate::exit::Failure;

/// The longest password read from a prompt or an environment variable.
const MAX_PASSWORD_LEN: usize = 4096;

/// The URL with the password the options give, and the `.netrc` to complete it; warns (on
/// standard error) where a secret would travel in clear.
pub(crate) fn resolve(cli: &Cli, url: FtpUrl) -> Result<(FtpUrl, Option<Netrc>), Failure> {
    let tls = if cli.implicit_tls || url.scheme().implicit_tls() {
        TlsMode::Implicit
    } else if cli.tls {
        TlsMode::Explicit
    } else {
        TlsMode::None
    };
    let url = match (&cli.password_env, cli.ask_password) {
        (Some(var), _) => with_password(url, &password_from_env(var)?)?,
        (None, true) => {
            let prompt = format!(
                "Password for {}@{}: ",
                url.user().unwrap_or("anonymous"),
                url.host()
            );
            with_password(url, &ask_password(&prompt)?)?
        }
        (None, false) => {
            if url.password().is_some() && tls == TlsMode::None {
                eprintln!(
                    "ftp-cli: warning: the password in the URL goes over plain FTP unencrypted, and \
                     other local users can see command lines; use --password-env VAR, \
                     --ask-password or a .netrc file, and --tls"
                );
            }
            url
        }
    };
    let netrc = match &cli.netrc {
        Some(path) => Some(Netrc::from_file(path).map_err(|e| Failure::Usage(e.to_string()))?),
        // $NETRC or ~/.netrc, read only when the URL does not hold the password.
        None if UrlSession::wants_netrc(url.as_proto()) => {
            Netrc::load_default().map_err(|e| Failure::Usage(e.to_string()))?
        }
        None => None,
    };
    let session = UrlSession::new(url.as_proto(), netrc.as_ref(), tls);
    if session.netrc_default_in_clear() {
        eprintln!(
            "ftp-cli: warning: using the .netrc `default` entry for {}, a host the file does not \
             name, over plain FTP: its password goes unencrypted (add a `machine` entry or use --tls)",
            url.host()
        );
    }
    Ok((url, netrc))
}

fn with_password(url: FtpUrl, password: &str) -> Result<FtpUrl, Failure> {
    url.with_password(password)
        .map_err(|e| Failure::Usage(format!("the password: {e}")))
}

/// The value of the environment variable `var`, never printed.
fn password_from_env(var: &str) -> Result<String, Failure> {
    let value = std::env::var_os(var)
        .ok_or_else(|| Failure::Usage(format!("--password-env {var}: the variable is not set")))?;
    let value = value.into_string().map_err(|_| {
        Failure::Usage(format!(
            "--password-env {var}: the value is not valid UTF-8"
        ))
    })?;
    if value.len() > MAX_PASSWORD_LEN {
        return Err(Failure::Usage(format!(
            "--password-env {var}: the value is longer than {MAX_PASSWORD_LEN} bytes"
        )));
    }
    Ok(value)
}

/// Prompts on the terminal (`/dev/tty`, so that standard input and output stay free for data)
/// and reads one line with echo off.
fn ask_password(prompt: &str) -> Result<String, Failure> {
    let no_terminal = |e: io::Error| {
        Failure::Usage(format!(
            "--ask-password needs a terminal ({e}); use --password-env VAR in scripts"
        ))
    };
    let tty = File::options()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(no_terminal)?;
    let mut out = &tty;
    out.write_all(prompt.as_bytes()).map_err(no_terminal)?;
    out.flush().map_err(no_terminal)?;
    let echo = EchoOff::new(&tty).map_err(no_terminal)?;
    let line = read_password_line(&mut BufReader::new(&tty));
    drop(echo);
    let _ = out.write_all(b"\n");
    line.map_err(|e| Failure::Usage(format!("--ask-password: {e}")))
}

/// Turns the terminal's echo off until dropped.
struct EchoOff<'a> {
    tty: &'a File,
    saved: rustix::termios::Termios,
}

impl<'a> EchoOff<'a> {
    fn new(tty: &'a File) -> io::Result<EchoOff<'a>> {
        use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
        let saved = tcgetattr(tty)?;
        let mut quiet = saved.clone();
        // No echo at all; `ask_password` ends the prompt's line itself.
        quiet.local_modes.remove(LocalModes::ECHO);
        tcsetattr(tty, OptionalActions::Flush, &quiet)?;
        Ok(EchoOff { tty, saved })
    }
}

impl Drop for EchoOff<'_> {
    fn drop(&mut self) {
        let _ = rustix::termios::tcsetattr(
            self.tty,
            rustix::termios::OptionalActions::Flush,
            &self.saved,
        );
    }
}

/// One line, its CR/LF end removed, at most [`MAX_PASSWORD_LEN`] bytes, UTF-8.
fn read_password_line(input: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    let mut limited = input.by_ref().take(MAX_PASSWORD_LEN as u64 + 1);
    limited.read_until(b'\n', &mut line)?;
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    } else if line.len() > MAX_PASSWORD_LEN {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the password is longer than {MAX_PASSWORD_LEN} bytes"),
        ));
    } else if line.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "no password given (end of input)",
        ));
    }
    String::from_utf8(line)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the password is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_line_loses_its_line_end() {
        assert_eq!(
            read_password_line(&mut &b"s3cret\r\n"[..]).unwrap(),
            "s3cret"
        );
        assert_eq!(
            read_password_line(&mut &b"s3cret\nnext"[..]).unwrap(),
            "s3cret"
        );
        assert_eq!(read_password_line(&mut &b"no end"[..]).unwrap(), "no end");
        assert_eq!(read_password_line(&mut &b"\n"[..]).unwrap(), "");
    }

    #[test]
    fn password_line_at_end_of_input_is_an_error() {
        let err = read_password_line(&mut &b""[..]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn over_long_password_line_is_refused_without_quoting_it() {
        let long = vec![b'x'; MAX_PASSWORD_LEN + 10];
        let err = read_password_line(&mut &long[..]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(!err.to_string().contains("xxxx"));
    }
}
