//! 227 Entering Passive Mode.

use std::net::{Ipv4Addr, SocketAddrV4};

use nom::Parser;
use nom::bytes::complete::tag;
use nom::character::complete::{digit1, space0};
use nom::sequence::preceded;

use super::{ParseError, expect_code, line_texts};
use crate::reply::Reply;

/// One number of the tuple: digits, with spaces allowed after the comma before it.
fn number(input: &[u8]) -> nom::IResult<&[u8], &[u8]> {
    digit1(input)
}

fn comma_number(input: &[u8]) -> nom::IResult<&[u8], &[u8]> {
    preceded((space0, tag(&b","[..]), space0), number).parse(input)
}

/// The six numbers, unchecked.
fn tuple6(input: &[u8]) -> nom::IResult<&[u8], [&[u8]; 6]> {
    let (rest, (a, b, c, d, e, f)) = (
        number,
        comma_number,
        comma_number,
        comma_number,
        comma_number,
        comma_number,
    )
        .parse(input)?;
    Ok((rest, [a, b, c, d, e, f]))
}

/// Reads the address of a 227 reply to `PASV`.
///
/// RFC 959 section 4.1.2 gives only the example reply
/// `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`, and servers vary the text around the
/// numbers. Like ftplib (and curl), this searches the text for the first match of
///
/// ```text
/// tuple  = number 5("," number)     ; spaces allowed around each comma
/// number = 1*DIGIT                  ; 0 to 255
/// ```
///
/// so the parentheses are optional and a trailing `.` or other text is ignored. The address
/// is `h1.h2.h3.h4` and the port `p1 * 256 + p2`. A number over 255 is refused as
/// [`ParseError::OutOfRange`], never wrapped. Whether to trust the address (servers behind
/// NAT send private ones) is the caller's choice.
///
/// ```
/// use ftp_proto::{parse::parse227, Reply, ReplyCode};
/// let with = Reply::single(ReplyCode::ENTERING_PASSIVE, "Entering Passive Mode (10,0,0,7,195,80).");
/// let without = Reply::single(ReplyCode::ENTERING_PASSIVE, "=10,0,0,7,195,80");
/// assert_eq!(parse227(&with).unwrap().to_string(), "10.0.0.7:50000");
/// assert_eq!(parse227(&with).unwrap(), parse227(&without).unwrap());
/// let bad = Reply::single(ReplyCode::ENTERING_PASSIVE, "Entering Passive Mode (10,0,0,256,1,1)");
/// assert!(parse227(&bad).is_err());
/// ```
pub fn parse227(reply: &Reply) -> Result<SocketAddrV4, ParseError> {
    expect_code(reply, 227)?;
    for text in line_texts(reply) {
        let mut i = 0;
        while i < text.len() {
            let at_number_start =
                text[i].is_ascii_digit() && (i == 0 || !text[i - 1].is_ascii_digit());
            if at_number_start && let Ok((_, nums)) = tuple6(&text[i..]) {
                return to_addr(nums);
            }
            i += 1;
        }
    }
    Err(ParseError::Malformed {
        what: "address tuple h1,h2,h3,h4,p1,p2",
    })
}

fn to_addr(nums: [&[u8]; 6]) -> Result<SocketAddrV4, ParseError> {
    let mut n = [0u8; 6];
    for (slot, digits) in n.iter_mut().zip(nums) {
        *slot = octet(digits).ok_or(ParseError::OutOfRange {
            what: "address tuple number",
        })?;
    }
    let ip = Ipv4Addr::new(n[0], n[1], n[2], n[3]);
    Ok(SocketAddrV4::new(
        ip,
        u16::from(n[4]) << 8 | u16::from(n[5]),
    ))
}

/// Decimal digits as a number 0-255 (leading zeros allowed).
fn octet(digits: &[u8]) -> Option<u8> {
    let digits = match digits.iter().position(|&d| d != b'0') {
        Some(p) => &digits[p..],
        None => return Some(0),
    };
    if digits.len() > 3 {
        return None;
    }
    let v = digits
        .iter()
        .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    u8::try_from(v).ok()
}
