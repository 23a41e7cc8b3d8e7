//! Reply framing: where a reply ends in a stream of control-connection bytes.
//!
//! [`ReplyFramer`] takes bytes in chunks of any size and hands out complete [`Reply`] values
//! or a [`FrameError`] for a reply it had to skip. It never rescans bytes it has seen, never
//! stores more than the [`FramerLimits`] allow, and after an error carries on with the next
//! reply.

use std::collections::VecDeque;

use crate::reply::{Reply, ReplyCode};

/// How many bytes of a refused line are kept, for the error and to find the reply's code.
const KEPT_HEAD: usize = 64;

/// Bounds on what the framer stores.
///
/// ```
/// use ftp_proto::FramerLimits;
/// let limits = FramerLimits::default();
/// assert_eq!(limits.max_line_len, 8192);
/// assert_eq!(limits.max_reply_len, 65536);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FramerLimits {
    /// The longest line accepted, in bytes, line end not counted. Default 8192.
    pub max_line_len: usize,
    /// The longest reply accepted, in bytes, line ends counted. Default 65536.
    pub max_reply_len: usize,
}

impl Default for FramerLimits {
    fn default() -> Self {
        FramerLimits {
            max_line_len: 8192,
            max_reply_len: 65536,
        }
    }
}

/// Why a reply could not be framed. The framer has skipped it and goes on with the next one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// A line of the reply was longer than [`FramerLimits::max_line_len`].
    #[error("reply line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// The reply was longer than [`FramerLimits::max_reply_len`].
    #[error("reply longer than {limit} bytes")]
    ReplyTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// A line where a reply should start does not begin with a reply code (`NNN`, then a
    /// space, a `-` or the line end). Only that line is skipped.
    #[error("not a reply line: {:?}", String::from_utf8_lossy(line))]
    InvalidReplyLine {
        /// The line's first bytes (at most 64).
        line: Vec<u8>,
    },
}

/// Finds the end of each reply in the control-connection byte stream (RFC 959 section 4.2).
///
/// Feed bytes with [`push`](Self::push) as they arrive, in chunks of any size, then call
/// [`next_reply`](Self::next_reply) until it returns `None`.
///
/// # Rules
///
/// - A line ends at LF; a CR right before the LF is part of the line end. A CR anywhere else
///   and a NUL byte are kept as data.
/// - A reply starts with a line `NNN text`, `NNN-text` or just `NNN`, where `NNN` is three
///   digits, the first 1 to 5. `NNN-` opens a multi-line reply. A line that does not start
///   that way is reported as [`FrameError::InvalidReplyLine`] and skipped; an empty line
///   between replies is skipped silently.
/// - A multi-line reply ends at the first line that starts with the same code followed by a
///   space (or is just the code). Continuation lines may hold anything else, digits
///   included: `211-x`, `2110 files`, `  211 padded` all continue the reply.
/// - **glFTPd quirk:** a continuation line that starts with a *different* valid code followed
///   by a space (`226 Transfer complete` inside a `150-` reply) also ends the reply, which
///   keeps the first line's code. RFC 959 requires a server to pad a continuation line that
///   begins with a reply code, so a conforming server never sends such a line; the rule only
///   misfires on a server that breaks that requirement, and then the rest of its reply is read
///   as further replies. Without the rule, the glFTPd reply would never end.
/// - A line longer than [`FramerLimits::max_line_len`] is not stored: its bytes are dropped as
///   they stream in, and the whole reply it belongs to is skipped up to its last line, then
///   reported as [`FrameError::LineTooLong`]. The same goes for a reply longer than
///   [`FramerLimits::max_reply_len`] ([`FrameError::ReplyTooLong`]).
///
/// ```
/// use ftp_proto::{FramerLimits, ReplyCode, ReplyFramer};
/// let mut framer = ReplyFramer::new(FramerLimits::default());
/// framer.push(b"220-Welcome\r\n220 ready\r\n331 Pass");
/// let greeting = framer.next_reply().unwrap().unwrap();
/// assert_eq!(greeting.code(), ReplyCode::READY);
/// assert_eq!(greeting.lines().count(), 2);
/// assert!(framer.next_reply().is_none()); // the 331 line is not complete yet
/// framer.push(b"word required\n");
/// let reply = framer.next_reply().unwrap().unwrap();
/// assert_eq!(reply.text(), b"Password required");
/// assert_eq!(framer.buffered_len(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct ReplyFramer {
    limits: FramerLimits,
    /// The current reply's completed lines as received (line ends included), then the stored
    /// part of the partial line.
    data: Vec<u8>,
    /// End offsets in `data` of the current reply's completed lines (just past each LF).
    ends: Vec<usize>,
    /// Where the partial line starts in `data`.
    line_start: usize,
    /// Bytes of the partial line received so far (stored or not).
    line_len: usize,
    /// The last byte of the partial line (to tell whether it ends in CR).
    last_byte: u8,
    /// The current reply's code once its first line is complete and it is multi-line.
    open: Option<ReplyCode>,
    /// The current reply will be reported as this error once its last line arrives; nothing
    /// of it but the partial line's first bytes is stored meanwhile.
    error: Option<FrameError>,
    /// Bytes of the current reply's completed lines, line ends included.
    reply_wire_len: usize,
    /// Frames ready to hand out, each with the stream offset just past its last byte.
    ready: VecDeque<(Result<Reply, FrameError>, u64)>,
    /// Bytes looked at so far (the stream position).
    pushed: u64,
    /// Stream offset just past the last frame handed out.
    handed_out: u64,
}

/// What a complete line means for the reply being framed.
enum Step {
    /// An empty line between replies: skipped.
    Blank,
    /// Not a reply line where a reply should start.
    Invalid,
    /// The first line of a multi-line reply.
    Open(ReplyCode),
    /// A continuation line.
    Continue,
    /// The last line of the reply, whose code this is.
    Finish(ReplyCode),
}

/// Classifies a complete line by its first bytes; `content_len` is its length without the
/// line end (`head` may hold a CR past it).
fn classify(open: Option<ReplyCode>, head: &[u8], content_len: usize) -> Step {
    let code = match head {
        [a, b, c, ..] if content_len >= 3 => ReplyCode::from_digits([*a, *b, *c]),
        _ => None,
    };
    // `\n` stands for "the line is just the code".
    let sep = if content_len == 3 {
        Some(b'\n')
    } else {
        head.get(3).copied()
    };
    match open {
        None if content_len == 0 => Step::Blank,
        None => match (code, sep) {
            (Some(code), Some(b'-')) => Step::Open(code),
            (Some(code), Some(b' ' | b'\n')) => Step::Finish(code),
            _ => Step::Invalid,
        },
        Some(open) => {
            let last = match code {
                Some(c) if c == open => matches!(sep, Some(b' ' | b'\n')),
                // glFTPd: a different code followed by a space ends the reply.
                Some(_) => sep == Some(b' '),
                None => false,
            };
            if last {
                Step::Finish(open)
            } else {
                Step::Continue
            }
        }
    }
}

impl Default for ReplyFramer {
    fn default() -> Self {
        ReplyFramer::new(FramerLimits::default())
    }
}

impl ReplyFramer {
    /// A framer with the given limits.
    pub fn new(limits: FramerLimits) -> Self {
        ReplyFramer {
            limits,
            data: Vec::new(),
            ends: Vec::new(),
            line_start: 0,
            line_len: 0,
            last_byte: 0,
            open: None,
            error: None,
            reply_wire_len: 0,
            ready: VecDeque::new(),
            pushed: 0,
            handed_out: 0,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> FramerLimits {
        self.limits
    }

    /// Takes the next bytes of the stream, in any chunking.
    ///
    /// Each byte is looked at once. Complete replies wait in a queue for
    /// [`next_reply`](Self::next_reply); the partial reply is stored only within the limits.
    pub fn push(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        // A line begun in an earlier push is finished byte-accurately.
        if self.line_len > 0 {
            match memchr::memchr(b'\n', rest) {
                Some(i) => {
                    self.extend_line(&rest[..i]);
                    self.end_line();
                    rest = &rest[i + 1..];
                }
                None => return self.extend_line(rest),
            }
        }
        self.push_lines(rest);
    }

    /// The fast path: whole lines inside `chunk` are checked where they lie and copied into
    /// the reply in one piece when it ends (or when the chunk does).
    fn push_lines(&mut self, chunk: &[u8]) {
        let base = self.pushed;
        // `chunk[copy_from..seg]` holds completed lines of the open reply not yet copied.
        let mut copy_from = 0;
        let mut seg = 0;
        for i in memchr::memchr_iter(b'\n', chunk) {
            let line = &chunk[seg..i];
            let ends_in_cr = line.last() == Some(&b'\r');
            let content_len = line.len() - usize::from(ends_in_cr);
            let fits = content_len <= self.limits.max_line_len
                && self.reply_wire_len + line.len() < self.limits.max_reply_len;
            if self.error.is_some() || !fits {
                // Errors and skipping take the byte-accurate path.
                self.data.extend_from_slice(&chunk[copy_from..seg]);
                self.line_start = self.data.len();
                self.extend_line(line);
                self.end_line();
                seg = i + 1;
                copy_from = seg;
                continue;
            }
            self.pushed = base + i as u64 + 1;
            match classify(self.open, line, content_len) {
                Step::Blank => copy_from = i + 1,
                Step::Invalid => {
                    let mut line = line[..content_len].to_vec();
                    line.truncate(KEPT_HEAD);
                    self.emit(Err(FrameError::InvalidReplyLine { line }));
                    copy_from = i + 1;
                }
                Step::Open(code) => {
                    self.open = Some(code);
                    self.reply_wire_len += line.len() + 1;
                    self.ends.push(self.data.len() + (i + 1 - copy_from));
                }
                Step::Continue => {
                    self.reply_wire_len += line.len() + 1;
                    self.ends.push(self.data.len() + (i + 1 - copy_from));
                }
                Step::Finish(code) => {
                    self.ends.push(self.data.len() + (i + 1 - copy_from));
                    if self.data.is_empty() {
                        // The whole reply lies in this chunk: one allocation of its size.
                        self.data = chunk[copy_from..=i].to_vec();
                    } else {
                        self.data.extend_from_slice(&chunk[copy_from..=i]);
                    }
                    copy_from = i + 1;
                    self.finish(code);
                }
            }
            seg = i + 1;
        }
        self.data.extend_from_slice(&chunk[copy_from..seg]);
        self.line_start = self.data.len();
        self.pushed = base + seg as u64;
        self.extend_line(&chunk[seg..]);
    }

    /// The next complete reply, or the error for a skipped one; `None` when more bytes are
    /// needed.
    pub fn next_reply(&mut self) -> Option<Result<Reply, FrameError>> {
        let (frame, end) = self.ready.pop_front()?;
        self.handed_out = end;
        Some(frame)
    }

    /// How many bytes arrived after the last frame [`next_reply`](Self::next_reply) handed
    /// out: complete replies not yet taken, the partial reply, and skipped bytes.
    ///
    /// After the 234 reply to `AUTH TLS` this must be 0: anything else was sent in plain text
    /// before the handshake and must not be trusted (the STARTTLS injection attack).
    pub fn buffered_len(&self) -> usize {
        usize::try_from(self.pushed - self.handed_out).unwrap_or(usize::MAX)
    }

    /// Bytes stored for the partial reply (for the fuzz target's memory bound).
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn held_bytes(&self) -> usize {
        self.data.len()
    }

    /// Appends bytes of the partial line (no LF among them), byte-accurately.
    fn extend_line(&mut self, chunk: &[u8]) {
        let Some(&last) = chunk.last() else { return };
        self.pushed += chunk.len() as u64;
        self.last_byte = last;
        self.line_len += chunk.len();
        if self.error.is_some() {
            return self.keep_head(chunk);
        }
        // A CR that may turn out to be the line end is allowed past the line limit.
        let line_at = self.limits.max_line_len.saturating_add(2);
        let reply_at = self
            .limits
            .max_reply_len
            .saturating_add(1)
            .saturating_sub(self.reply_wire_len);
        if self.line_len >= line_at || self.line_len >= reply_at {
            // Report whichever limit the stream crossed first, whatever the chunking.
            self.fail(if self.line_len >= line_at && line_at <= reply_at {
                FrameError::LineTooLong {
                    limit: self.limits.max_line_len,
                }
            } else {
                FrameError::ReplyTooLong {
                    limit: self.limits.max_reply_len,
                }
            });
            self.keep_head(chunk);
        } else {
            self.data.extend_from_slice(chunk);
        }
    }

    /// Marks the current reply as failed and frees what was stored of it but the partial
    /// line's first bytes.
    fn fail(&mut self, error: FrameError) {
        self.error = Some(error);
        self.data.drain(..self.line_start);
        self.data.truncate(KEPT_HEAD);
        self.ends.clear();
        self.line_start = 0;
    }

    /// Keeps the partial line's first bytes only.
    fn keep_head(&mut self, chunk: &[u8]) {
        let stored = self.data.len() - self.line_start;
        if stored < KEPT_HEAD {
            let take = (KEPT_HEAD - stored).min(chunk.len());
            self.data.extend_from_slice(&chunk[..take]);
        }
    }

    /// Handles the LF that ends the partial line, byte-accurately.
    fn end_line(&mut self) {
        self.pushed += 1;
        let ends_in_cr = self.line_len > 0 && self.last_byte == b'\r';
        let content_len = self.line_len - usize::from(ends_in_cr);
        self.reply_wire_len += self.line_len + 1;
        if self.error.is_none() {
            if content_len > self.limits.max_line_len {
                self.fail(FrameError::LineTooLong {
                    limit: self.limits.max_line_len,
                });
            } else if self.reply_wire_len > self.limits.max_reply_len {
                self.fail(FrameError::ReplyTooLong {
                    limit: self.limits.max_reply_len,
                });
            }
        }
        let head = &self.data[self.line_start..];
        match classify(self.open, head, content_len) {
            Step::Blank => {
                self.reset_line();
                self.reply_wire_len = 0;
                self.error = None;
            }
            Step::Invalid => {
                let mut line = head[..head.len().min(content_len)].to_vec();
                line.truncate(KEPT_HEAD);
                self.reset_line();
                self.error = None;
                self.emit(Err(FrameError::InvalidReplyLine { line }));
            }
            Step::Open(code) => {
                self.open = Some(code);
                self.complete_line();
            }
            Step::Continue => self.complete_line(),
            Step::Finish(code) => {
                self.complete_line();
                self.finish(code);
            }
        }
    }

    /// Records the partial line as a completed line of the current reply.
    fn complete_line(&mut self) {
        if self.error.is_some() {
            // Nothing of a skipped reply is kept.
            self.data.truncate(self.line_start);
        } else {
            self.data.push(b'\n');
            self.ends.push(self.data.len());
            self.line_start = self.data.len();
        }
        self.line_len = 0;
    }

    /// Forgets the partial line.
    fn reset_line(&mut self) {
        self.data.truncate(self.line_start);
        self.line_len = 0;
    }

    /// Ends the current reply.
    fn finish(&mut self, code: ReplyCode) {
        let frame = match self.error.take() {
            Some(e) => {
                self.data.clear();
                self.ends.clear();
                Err(e)
            }
            None => {
                let ends = std::mem::take(&mut self.ends);
                Ok(Reply::from_parts(
                    code,
                    std::mem::take(&mut self.data),
                    ends,
                ))
            }
        };
        self.emit(frame);
    }

    fn emit(&mut self, frame: Result<Reply, FrameError>) {
        self.open = None;
        self.line_start = self.data.len();
        self.reply_wire_len = 0;
        // Everything up to the current position belongs to this frame.
        self.ready.push_back((frame, self.pushed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_line_is_not_stored() {
        let mut framer = ReplyFramer::new(FramerLimits {
            max_line_len: 100,
            max_reply_len: 1000,
        });
        framer.push(b"200 ");
        for _ in 0..10_000 {
            framer.push(&[b'x'; 1000]);
            assert!(framer.held_bytes() <= KEPT_HEAD);
        }
        assert!(framer.next_reply().is_none());
        assert_eq!(framer.buffered_len(), 10_000_004);
        framer.push(b"\r\n");
        assert_eq!(
            framer.next_reply(),
            Some(Err(FrameError::LineTooLong { limit: 100 }))
        );
        assert_eq!(framer.buffered_len(), 0);
    }

    #[test]
    fn endless_multiline_reply_is_not_stored() {
        let mut framer = ReplyFramer::new(FramerLimits {
            max_line_len: 100,
            max_reply_len: 1000,
        });
        framer.push(b"211-start\r\n");
        for _ in 0..10_000 {
            framer.push(b" a feature line\r\n");
            assert!(
                framer.data.len() <= 1000 + KEPT_HEAD,
                "{}",
                framer.data.len()
            );
        }
        framer.push(b"211 End\r\n");
        assert_eq!(
            framer.next_reply(),
            Some(Err(FrameError::ReplyTooLong { limit: 1000 }))
        );
        assert!(framer.next_reply().is_none());
    }
}
