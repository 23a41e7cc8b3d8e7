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
    /// Completed lines of the current reply, then the stored part of the partial line.
    data: Vec<u8>,
    /// End offsets in `data` of the current reply's completed lines.
    ends: Vec<usize>,
    /// Where the partial line starts in `data`.
    line_start: usize,
    /// Bytes of the partial line received so far (stored or not).
    line_len: usize,
    /// The last byte of the partial line (to tell whether it ends in CR).
    last_byte: u8,
    /// The partial line is too long: only its first bytes are kept.
    line_discarded: bool,
    /// The current reply's code once its first line is complete and it is multi-line.
    open: Option<ReplyCode>,
    /// The current reply will be reported as this error once its last line arrives.
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
            line_discarded: false,
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
    pub fn push(&mut self, mut bytes: &[u8]) {
        while let Some(i) = memchr::memchr(b'\n', bytes) {
            self.extend_line(&bytes[..i]);
            self.end_line(1);
            bytes = &bytes[i + 1..];
        }
        if !bytes.is_empty() {
            self.extend_line(bytes);
        }
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
    #[cfg(feature = "fuzzing")]
    pub(crate) fn held_bytes(&self) -> usize {
        self.data.len()
    }

    /// Whether a discarded or failed reply is being skipped.
    fn skipping(&self) -> bool {
        self.error.is_some()
    }

    /// Appends bytes of the partial line (no LF among them).
    fn extend_line(&mut self, chunk: &[u8]) {
        let Some(&last) = chunk.last() else { return };
        self.pushed += chunk.len() as u64;
        self.last_byte = last;
        self.line_len += chunk.len();
        if self.line_discarded || self.skipping() {
            self.keep_head(chunk);
            return;
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
            self.error = Some(if self.line_len >= line_at && line_at <= reply_at {
                FrameError::LineTooLong {
                    limit: self.limits.max_line_len,
                }
            } else {
                FrameError::ReplyTooLong {
                    limit: self.limits.max_reply_len,
                }
            });
            self.line_discarded = true;
            self.drop_completed_lines();
            self.keep_head(chunk);
        } else {
            self.data.extend_from_slice(chunk);
        }
    }

    /// Keeps the partial line's first bytes only.
    fn keep_head(&mut self, chunk: &[u8]) {
        let stored = self.data.len() - self.line_start;
        if stored < KEPT_HEAD {
            let take = (KEPT_HEAD - stored).min(chunk.len());
            self.data.extend_from_slice(&chunk[..take]);
        }
    }

    /// Frees the current reply's completed lines once it is known to be skipped.
    fn drop_completed_lines(&mut self) {
        self.data.drain(..self.line_start);
        self.ends.clear();
        self.line_start = 0;
    }

    /// Handles the end of the partial line; `eol` is the length of the line end seen (1 for LF).
    fn end_line(&mut self, eol: usize) {
        self.pushed += eol as u64;
        let ends_in_cr = self.line_len > 0 && self.last_byte == b'\r';
        let content_len = self.line_len - usize::from(ends_in_cr);
        if ends_in_cr && self.data.len() - self.line_start == self.line_len {
            self.data.pop();
        }
        self.reply_wire_len += self.line_len + eol;
        if !self.skipping() {
            if content_len > self.limits.max_line_len {
                self.error = Some(FrameError::LineTooLong {
                    limit: self.limits.max_line_len,
                });
                self.drop_completed_lines();
            } else if self.reply_wire_len > self.limits.max_reply_len {
                self.error = Some(FrameError::ReplyTooLong {
                    limit: self.limits.max_reply_len,
                });
                self.drop_completed_lines();
            }
        }
        let line = &self.data[self.line_start..];
        let code = line
            .get(..3)
            .and_then(|d| ReplyCode::from_digits([d[0], d[1], d[2]]));
        let sep = if content_len == 3 {
            Some(b'\n')
        } else {
            line.get(3).copied()
        };
        match self.open {
            None => {
                if content_len == 0 {
                    // A blank line between replies: skip it.
                    self.reset_line();
                    self.reply_wire_len = 0;
                    self.error = None;
                    return;
                }
                let Some(code) = code else {
                    return self.invalid_line();
                };
                match sep {
                    Some(b'-') => {
                        self.open = Some(code);
                        self.complete_line();
                    }
                    Some(b' ' | b'\n') => {
                        self.complete_line();
                        self.finish(code);
                    }
                    _ => self.invalid_line(),
                }
            }
            Some(open) => {
                let ends = match code {
                    Some(c) if c == open => matches!(sep, Some(b' ' | b'\n')),
                    // glFTPd: a different code followed by a space ends the reply.
                    Some(_) => sep == Some(b' '),
                    None => false,
                };
                self.complete_line();
                if ends {
                    self.finish(open);
                }
            }
        }
    }

    /// Records the partial line as a completed line of the current reply.
    fn complete_line(&mut self) {
        if self.skipping() {
            // Nothing of a skipped reply is kept.
            self.data.truncate(self.line_start);
        } else {
            self.ends.push(self.data.len());
            self.line_start = self.data.len();
        }
        self.line_len = 0;
        self.line_discarded = false;
    }

    /// Forgets the partial line.
    fn reset_line(&mut self) {
        self.data.truncate(self.line_start);
        self.line_len = 0;
        self.line_discarded = false;
    }

    /// Reports a first line that is not a reply line and skips it.
    fn invalid_line(&mut self) {
        let mut line = self.data[self.line_start..].to_vec();
        line.truncate(KEPT_HEAD);
        self.reset_line();
        self.error = None;
        self.emit(Err(FrameError::InvalidReplyLine { line }));
    }

    /// Ends the current reply.
    fn finish(&mut self, code: ReplyCode) {
        let frame = match self.error.take() {
            Some(e) => {
                self.data.clear();
                self.ends.clear();
                Err(e)
            }
            None => Ok(Reply::from_parts(
                code,
                std::mem::take(&mut self.data),
                std::mem::take(&mut self.ends),
            )),
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
