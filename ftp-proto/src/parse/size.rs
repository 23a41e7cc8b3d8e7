//! 213 SIZE and the size announced by 150.

use super::{ParseError, expect_code, line_texts, trim};
use crate::reply::{Reply, ReplyClass};

/// Reads the size of a 213 reply to `SIZE`.
///
/// RFC 3659 section 4.2:
///
/// ```text
/// size-response = "213" SP 1*DIGIT CRLF
/// ```
///
/// Spaces around the number are tolerated. A value past `u64::MAX` is refused as
/// [`ParseError::OutOfRange`], anything but digits as [`ParseError::Malformed`]. In a
/// multi-line reply the value is read from the first line that holds only a number (the
/// lines between the first and the last need not start with the code).
///
/// ```
/// use ftp_proto::{parse::parse213_size, Reply, ReplyCode};
/// assert_eq!(parse213_size(&Reply::single(ReplyCode::FILE_STATUS, "1073741824")).unwrap(), 1 << 30);
/// assert!(parse213_size(&Reply::single(ReplyCode::FILE_STATUS, "18446744073709551616")).is_err());
/// ```
pub fn parse213_size(reply: &Reply) -> Result<u64, ParseError> {
    expect_code(reply, 213)?;
    let text = line_texts(reply)
        .map(trim)
        .find(|t| !t.is_empty() && t.iter().all(u8::is_ascii_digit))
        .ok_or(ParseError::Malformed { what: "size" })?;
    decimal_u64(text).ok_or(ParseError::OutOfRange { what: "size" })
}

/// ASCII digits as a u64, `None` on overflow.
pub(super) fn decimal_u64(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Reads the transfer size a preliminary reply announces, as ftplib's `parse150` does.
///
/// No RFC defines it; servers write it into the 150 (or 125) text:
///
/// ```text
/// size = "(" 1*DIGIT SP "bytes" ")"    ; "bytes" in any case, anywhere in the text
/// ```
///
/// Returns `None` when the reply is not preliminary (1yz), has no such text, or the number is
/// past `u64::MAX`. Every line of a multi-line reply is searched, the code taken off only
/// where the line carries one. vsftpd names the whole file's size here even after REST; proftpd names
/// what remains.
///
/// ```
/// use ftp_proto::{parse::parse150, Reply, ReplyCode};
/// let reply = Reply::single(ReplyCode::OPENING_DATA, "Opening BINARY mode data connection for plain.txt (54 bytes).");
/// assert_eq!(parse150(&reply), Some(54));
/// assert_eq!(parse150(&Reply::single(ReplyCode::OPENING_DATA, "Accepted data connection")), None);
/// ```
pub fn parse150(reply: &Reply) -> Option<u64> {
    if reply.code().class() != ReplyClass::Preliminary {
        return None;
    }
    line_texts(reply).find_map(|text| {
        memchr::memchr_iter(b'(', text).find_map(|open| {
            let rest = &text[open + 1..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            let tail = rest.get(digits..digits + 7)?;
            if digits == 0 || !tail.eq_ignore_ascii_case(b" bytes)") {
                return None;
            }
            decimal_u64(&rest[..digits])
        })
    })
}
