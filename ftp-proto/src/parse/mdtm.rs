//! 213 MDTM: a file's modification time.

use super::{ParseError, expect_code, line_texts, trim};
use crate::Timestamp;
use crate::reply::Reply;

/// Reads the time of a 213 reply to `MDTM`.
///
/// RFC 3659 sections 2.3 and 3.2:
///
/// ```text
/// mdtm-response = "213" SP time-val CRLF
/// time-val      = 14DIGIT [ "." 1*DIGIT ]   ; YYYYMMDDHHMMSS[.sss], always UTC
/// ```
///
/// The fraction may have 1 to 9 digits (nanoseconds). A date or time that does not exist
/// (month 13, February 30, hour 24) is refused as [`ParseError::OutOfRange`], so is the
/// "19100" year some old servers print for 2000; anything not in the grammar is
/// [`ParseError::Malformed`]. Spaces around the value are tolerated. In a multi-line reply
/// the value is read from the first line that holds one.
///
/// ```
/// use ftp_proto::{parse::parse213_mdtm, Reply, ReplyCode, Timestamp};
/// let reply = Reply::single(ReplyCode::FILE_STATUS, "20250615083000.25");
/// assert_eq!(parse213_mdtm(&reply).unwrap(), Timestamp::new(2025, 6, 15, 8, 30, 0, 250_000_000).unwrap());
/// assert!(parse213_mdtm(&Reply::single(ReplyCode::FILE_STATUS, "20250230000000")).is_err());
/// ```
pub fn parse213_mdtm(reply: &Reply) -> Result<Timestamp, ParseError> {
    expect_code(reply, 213)?;
    let (fields, fraction) = line_texts(reply)
        .find_map(|t| split_time_val(trim(t)))
        .ok_or(ParseError::Malformed { what: "time-val" })?;
    build(fields, fraction).ok_or(ParseError::OutOfRange { what: "date" })
}

/// `YYYYMMDDHHMMSS[.f]` exactly, valid, or `None`.
pub(crate) fn timestamp_exact(text: &[u8]) -> Option<Timestamp> {
    let (fields, fraction) = split_time_val(text)?;
    build(fields, fraction)
}

/// Checks the grammar: the 14 digits and the 1 to 9 fraction digits, if any.
fn split_time_val(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let (fields, fraction) = match memchr::memchr(b'.', text) {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &[][..]),
    };
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let fraction_ok = !text.contains(&b'.') || (1..=9).contains(&fraction.len());
    (fields.len() == 14 && digits(fields) && digits(fraction) && fraction_ok)
        .then_some((fields, fraction))
}

fn build(fields: &[u8], fraction: &[u8]) -> Option<Timestamp> {
    let num = |r: core::ops::Range<usize>| {
        fields[r]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    let mut nanos = fraction
        .iter()
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
    for _ in fraction.len()..9 {
        nanos *= 10;
    }
    Timestamp::new(
        u16::try_from(num(0..4)).ok()?,
        u8::try_from(num(4..6)).ok()?,
        u8::try_from(num(6..8)).ok()?,
        u8::try_from(num(8..10)).ok()?,
        u8::try_from(num(10..12)).ok()?,
        u8::try_from(num(12..14)).ok()?,
        nanos,
    )
}
