//! 211 FEAT: the server's feature list (RFC 2389).

use super::{ParseError, expect_code};
use crate::reply::Reply;

/// The features a server listed in its FEAT reply.
///
/// Names are matched without regard to case; each keeps its parameters verbatim (for
/// `MLST type*;size*;` the parameters are `type*;size*;`).
///
/// ```
/// use ftp_proto::{parse::parse_feat, Reply, ReplyCode};
/// let reply = Reply::from_lines(ReplyCode::FEATURES, vec![
///     b"211-Extensions supported:".to_vec(),
///     b" MLST type*;size*;modify*;".to_vec(),
///     b" REST STREAM".to_vec(),
///     b" UTF8".to_vec(),
///     b"211 End.".to_vec(),
/// ]);
/// let features = parse_feat(&reply).unwrap();
/// assert!(features.contains("utf8"));
/// assert_eq!(features.params("mlst"), Some(&b"type*;size*;modify*;"[..]));
/// assert_eq!(features.params("UTF8"), Some(&b""[..]));
/// assert!(!features.contains("MLSD"));
/// assert_eq!(features.iter().count(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// Name (as sent) and parameters, in the server's order.
    entries: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Features {
    /// An empty feature set.
    pub fn new() -> Features {
        Features::default()
    }

    /// Adds a feature (the first one added under a name wins on lookup).
    pub fn insert(&mut self, name: impl AsRef<[u8]>, params: impl AsRef<[u8]>) {
        self.entries
            .push((name.as_ref().to_vec(), params.as_ref().to_vec()));
    }

    /// Whether the server listed `name` (ASCII case ignored).
    pub fn contains(&self, name: &str) -> bool {
        self.params(name).is_some()
    }

    /// The parameters listed after `name` (empty if none), or `None` if it was not listed.
    pub fn params(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, p)| p.as_slice())
    }

    /// Each feature's name (as sent) and parameters, in the server's order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&[u8], &[u8])> + '_ {
        self.entries
            .iter()
            .map(|(n, p)| (n.as_slice(), p.as_slice()))
    }

    /// The number of features listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no feature was listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Reads the feature list of a 211 reply to `FEAT`.
///
/// RFC 2389 section 3.2:
///
/// ```text
/// feat-response   = error-response / no-features / feature-listing
/// no-features     = "211" SP *TCHAR CRLF
/// feature-listing = "211-" *TCHAR CRLF
///                   1*( SP feature CRLF )
///                   "211 End" CRLF
/// feature         = feature-label [ SP feature-params ]
/// feature-label   = 1*VCHAR
/// feature-params  = 1*TCHAR
/// ```
///
/// Every line between the first and the last is a feature. The leading space is expected
/// but not required (some servers leave it out); blank lines are skipped; trailing spaces
/// and tabs are dropped; the name ends at the first space and the parameters are the rest,
/// verbatim. A one-line 211 is an empty set. Codes other than 211 are
/// [`ParseError::WrongCode`] (a 500 or 502 means the server has no FEAT).
pub fn parse_feat(reply: &Reply) -> Result<Features, ParseError> {
    expect_code(reply, 211)?;
    let mut features = Features::new();
    let n = reply.line_count();
    for line in reply.lines().skip(1).take(n.saturating_sub(2)) {
        let start = line
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(line.len());
        let end = line
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(0, |e| e + 1);
        if start >= end {
            continue;
        }
        let line = &line[start..end];
        match memchr::memchr(b' ', line) {
            Some(sp) => features.insert(&line[..sp], &line[sp + 1..]),
            None => features.insert(line, b""),
        }
    }
    Ok(features)
}
