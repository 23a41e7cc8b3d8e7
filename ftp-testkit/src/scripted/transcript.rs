//! Scripts from `C:`/`S:` transcript text (the format of shared/transcripts/).

use super::step::{LineMatch, Step};
use std::fmt;

/// A transcript line that is neither `C: `, `S: `, a `#` comment nor blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptError {
    /// 1-based line number.
    pub line_number: usize,
    /// The offending line.
    pub line: String,
}

impl fmt::Display for TranscriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "transcript line {}: expected \"C: \", \"S: \", \"#\" or a blank line, found {:?}",
            self.line_number, self.line
        )
    }
}

impl std::error::Error for TranscriptError {}

/// Turns a control dialogue into steps.
///
/// - `S: text` sends `text\r\n`; consecutive `S:` lines (a multi-line reply) go out as one
///   [`Step::Send`].
/// - `C: text` expects exactly `text\r\n`, except `C: PASS ****` (a masked password), which
///   accepts any `PASS ` line.
/// - Lines starting with `#` and blank lines are skipped.
///
/// Only the control connection is covered: data connections (`# (data: ...)` comments in the
/// captured transcripts) are not replayed, so take a part of a transcript without transfers, or
/// add data steps with the [`Script`](super::Script) builder around the parts.
///
/// ```
/// use ftp_testkit::scripted::{steps_from_transcript, Step};
/// let steps = steps_from_transcript(
///     "# greeting\nS: 220-Welcome\nS: 220 ready\nC: USER anonymous\nC: PASS ****\n",
/// ).unwrap();
/// assert!(matches!(&steps[0], Step::Send(b) if b == b"220-Welcome\r\n220 ready\r\n"));
/// assert!(matches!(&steps[1], Step::Expect(b) if b == b"USER anonymous\r\n"));
/// assert!(matches!(&steps[2], Step::ExpectLine(_)));
/// assert_eq!(steps.len(), 3);
/// ```
pub fn steps_from_transcript(text: &str) -> Result<Vec<Step>, TranscriptError> {
    let mut steps = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("S:") {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            let mut bytes = rest.as_bytes().to_vec();
            bytes.extend_from_slice(b"\r\n");
            match steps.last_mut() {
                Some(Step::Send(prev)) => prev.extend_from_slice(&bytes),
                _ => steps.push(Step::Send(bytes)),
            }
        } else if let Some(rest) = line.strip_prefix("C:") {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            if rest == "PASS ****" {
                steps.push(Step::ExpectLine(LineMatch::prefix("PASS ")));
            } else {
                let mut bytes = rest.as_bytes().to_vec();
                bytes.extend_from_slice(b"\r\n");
                steps.push(Step::Expect(bytes));
            }
        } else {
            return Err(TranscriptError {
                line_number: i + 1,
                line: line.to_string(),
            });
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_transcript_line_is_refused_with_its_number() {
        let err = steps_from_transcript("S: 220 hi\nX: what\n").unwrap_err();
        assert_eq!(
            err,
            TranscriptError {
                line_number: 2,
                line: "X: what".into()
            }
        );
    }

    #[test]
    fn crlf_transcript_lines_are_accepted() {
        let steps = steps_from_transcript("S: 220 hi\r\nC: QUIT\r\n").unwrap();
        assert!(matches!(&steps[0], Step::Send(b) if b == b"220 hi\r\n"));
        assert!(matches!(&steps[1], Step::Expect(b) if b == b"QUIT\r\n"));
    }

    #[test]
    fn vsftpd_transcript_session_two_converts() {
        // Session 2 of shared/transcripts/vsftpd.txt: a failed login.
        let text = "S: 220 (vsFTPd 3.0.3)\nC: USER ftpuser\nS: 331 Please specify the password.\nC: PASS ****\nS: 530 Login incorrect.\n";
        let steps = steps_from_transcript(text).unwrap();
        assert_eq!(steps.len(), 5);
        assert!(matches!(&steps[4], Step::Send(b) if b == b"530 Login incorrect.\r\n"));
    }
}
