//! 229 Entering Extended Passive Mode (RFC 2428).

use super::{ParseError, expect_code, line_texts};
use crate::reply::Reply;

/// Reads the port of a 229 reply to `EPSV`.
///
/// RFC 2428 section 3:
///
/// > The text returned in response to the EPSV command MUST be:
/// > `<text indicating server is entering extended passive mode> (<d><d><d><tcp-port><d>)`
/// > The first two fields contained in the parenthesis MUST be blank. The third field MUST be
/// > the string representation of the TCP port number on which the server is listening for a
/// > data connection. The network protocol used by the data connection will be the same
/// > network protocol used by the control connection. \[...\] The `<d>` delimiter character
/// > MUST be one of the ASCII characters in range 33-126 inclusive. The character `|` (ASCII
/// > 124) is recommended unless it coincides with a character needed to encode the network
/// > address.
///
/// ```text
/// epsv-field = "(" d d d port d ")"   ; the same d five times, d = %x21-7E, not a digit
/// port       = 1*5DIGIT               ; 1 to 65535
/// ```
///
/// Any delimiter is accepted. The field is looked for inside the first `(` of the text, and
/// anywhere in the text when there are no parentheses. Port 0 and ports over 65535 are
/// refused as [`ParseError::OutOfRange`].
///
/// ```
/// use ftp_proto::{parse::parse229, Reply, ReplyCode};
/// let reply = Reply::single(ReplyCode::ENTERING_EPSV, "Entering Extended Passive Mode (|||40213|)");
/// assert_eq!(parse229(&reply).unwrap(), 40213);
/// let bang = Reply::single(ReplyCode::ENTERING_EPSV, "Entering Extended Passive Mode (!!!6446!)");
/// assert_eq!(parse229(&bang).unwrap(), 6446);
/// let zero = Reply::single(ReplyCode::ENTERING_EPSV, "Entering Extended Passive Mode (|||0|)");
/// assert!(parse229(&zero).is_err());
/// ```
pub fn parse229(reply: &Reply) -> Result<u16, ParseError> {
    expect_code(reply, 229)?;
    let mut out_of_range = false;
    for text in line_texts(reply) {
        // Inside parentheses first, as RFC 2428 writes it.
        if let Some(open) = memchr::memchr(b'(', text) {
            match field(&text[open + 1..]) {
                Some(Ok((port, rest))) if rest.first() == Some(&b')') => return Ok(port),
                Some(Err(e)) => return Err(e),
                _ => {}
            }
        }
        // Then anywhere: servers that drop the parentheses.
        for i in 0..text.len() {
            match field(&text[i..]) {
                Some(Ok((port, _))) => return Ok(port),
                Some(Err(_)) => out_of_range = true,
                None => {}
            }
        }
    }
    if out_of_range {
        return Err(ParseError::OutOfRange { what: "port" });
    }
    Err(ParseError::Malformed {
        what: "EPSV field (|||port|)",
    })
}

/// `d d d port d` at the start of `s`: `None` if it is not there, the port and what follows
/// if it is, an error if the port is out of range.
fn field(s: &[u8]) -> Option<Result<(u16, &[u8]), ParseError>> {
    let (&d, rest) = s.split_first()?;
    if !(33..=126).contains(&d) || d.is_ascii_digit() {
        return None;
    }
    let rest = rest.strip_prefix(&[d, d][..])?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&d) {
        return None;
    }
    let after = &rest[digits + 1..];
    let significant = rest[..digits].iter().skip_while(|&&b| b == b'0').count();
    if significant > 5 {
        return Some(Err(ParseError::OutOfRange { what: "port" }));
    }
    let port = rest[..digits]
        .iter()
        .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'));
    match u16::try_from(port) {
        Ok(p) if p != 0 => Some(Ok((p, after))),
        _ => Some(Err(ParseError::OutOfRange { what: "port" })),
    }
}
