//! 257 "PATHNAME" created.

use super::{ParseError, expect_code};
use crate::reply::Reply;

/// Reads the path of a 257 reply to `PWD` or `MKD`, as bytes.
///
/// RFC 959 appendix II:
///
/// > The directory name can contain any character; embedded double-quotes should be escaped
/// > by double-quotes (the "quote-doubling" convention). \[...\]
/// > `257<space>"<directory-name>"<space><commentary>`
///
/// ```text
/// reply-text = quoted [SP commentary] / unquoted
/// quoted     = DQUOTE *(qchar / DQUOTE DQUOTE) DQUOTE   ; "" stands for one "
/// qchar      = %x01-21 / %x23-FF                        ; anything but NUL, LF, CR and "
/// unquoted   = "/" *OCTET                               ; libunftp: 257 /dir/say "hi"
/// ```
///
/// Leniencies, in this order:
/// 1. The RFC form, read with quote doubling, when the closing quote is followed by a space
///    or the end of the line.
/// 2. pure-ftpd's form, which does not double embedded quotes (`257 "say "hi"" : ...` for a
///    directory named `say "hi"`): when the RFC reading ends at a quote followed by anything
///    but a space, or finds no closing quote, the path runs to the *last* quote on the line
///    that is followed by a space or the line end, taken verbatim. A name made only of
///    doubled quotes in pure-ftpd's form (`a""b`) is read the RFC way (`a"b`): the two
///    readings cannot be told apart.
/// 3. libunftp's unquoted form after MKD (`257 /capture/newdir`): a text starting with `/`
///    is the path, whole.
///
/// Anything else (`257 MKD command successful`) is [`ParseError::Malformed`]. The first line
/// is read. Spaces before the opening quote are skipped.
///
/// ```
/// use ftp_proto::{parse::parse257, Reply, ReplyCode};
/// let rfc = Reply::single(ReplyCode::PATH_CREATED, r#""/dir/say ""hi""" created"#);
/// assert_eq!(parse257(&rfc).unwrap(), br#"/dir/say "hi""#);
/// let pure = Reply::single(ReplyCode::PATH_CREATED, r#""say "hi"" : The directory was successfully created"#);
/// assert_eq!(parse257(&pure).unwrap(), br#"say "hi""#);
/// let libunftp = Reply::single(ReplyCode::PATH_CREATED, "/capture-libunftp/newdir");
/// assert_eq!(parse257(&libunftp).unwrap(), b"/capture-libunftp/newdir");
/// ```
pub fn parse257(reply: &Reply) -> Result<Vec<u8>, ParseError> {
    expect_code(reply, 257)?;
    let text = reply.first_text();
    let start = text.iter().position(|&b| b != b' ').unwrap_or(text.len());
    let text = &text[start..];
    match text.first() {
        Some(b'"') => quoted(&text[1..]),
        Some(b'/') => Ok(text.to_vec()),
        _ => Err(ParseError::Malformed {
            what: "quoted path",
        }),
    }
}

/// The path after the opening quote.
fn quoted(s: &[u8]) -> Result<Vec<u8>, ParseError> {
    // 1. RFC 959 quote doubling.
    let mut path = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'"' {
            if s.get(i + 1) == Some(&b'"') {
                path.push(b'"');
                i += 2;
                continue;
            }
            if matches!(s.get(i + 1), None | Some(b' ')) {
                return Ok(path);
            }
            break;
        }
        path.push(s[i]);
        i += 1;
    }
    // 2. pure-ftpd: no doubling; the path ends at the last quote before a space or the end.
    let last = (0..s.len())
        .rev()
        .find(|&j| s[j] == b'"' && matches!(s.get(j + 1), None | Some(b' ')));
    match last {
        Some(j) => Ok(s[..j].to_vec()),
        None => Err(ParseError::Malformed {
            what: "closing quote of the path",
        }),
    }
}
