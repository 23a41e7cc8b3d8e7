//! A bounded line splitter: the framing every listing parser (and `retrlines`) shares.
//!
//! Bytes go in with [`LineSplitter::push`] in whatever chunks the data connection delivers;
//! complete lines come out of [`LineSplitter::next_line`], with the line end (`\r\n` or a bare
//! `\n`) stripped. A line longer than the limit is reported once as
//! [`ListingError::LineTooLong`] and skipped up to its end, and splitting carries on with the
//! next line: the splitter never holds more than the limit of a partial line.

use super::{ListingError, ListingLimits};

/// Splits a byte stream into lines in bounded memory.
///
/// Memory: call [`next_line`](Self::next_line) until it returns `None` after every
/// [`push`](Self::push). Then the splitter holds at most `max_line_len + 1` bytes of a partial
/// line (the `+ 1` is a `\r` that may be the start of a `\r\n`) plus the next chunk pushed.
/// Bytes pushed are kept until the lines holding them are taken, so a caller that pushes
/// without draining makes the buffer grow with it.
///
/// A line is a run of bytes ended by `\n`; one `\r` before the `\n` is stripped too. The last
/// line of the stream may lack its `\n`: [`finish`](Self::finish) returns it.
///
/// ```
/// use ftp_proto::listing::{LineSplitter, ListingLimits};
/// let mut lines = LineSplitter::new(ListingLimits::default());
/// lines.push(b"first\r\nsec");
/// assert_eq!(lines.next_line().unwrap().unwrap(), b"first");
/// assert!(lines.next_line().is_none()); // "sec" waits for its line end
/// lines.push(b"ond\nlast without EOL");
/// assert_eq!(lines.next_line().unwrap().unwrap(), b"second");
/// assert!(lines.next_line().is_none());
/// assert_eq!(lines.finish().unwrap().unwrap(), b"last without EOL");
/// assert!(lines.finish().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct LineSplitter {
    buf: Vec<u8>,
    /// Start of the bytes not yet returned.
    pos: usize,
    /// `buf[pos..scanned]` holds no `\n`: the next search starts at `scanned`.
    scanned: usize,
    /// The line being received is over the limit: drop bytes up to and including its `\n`.
    skipping: bool,
    /// [`finish`](Self::finish) was called: the stream is over.
    finished: bool,
    limit: usize,
}

impl LineSplitter {
    /// A splitter with the given limits and an empty buffer.
    pub fn new(limits: ListingLimits) -> Self {
        Self {
            buf: Vec::new(),
            pos: 0,
            scanned: 0,
            skipping: false,
            finished: false,
            limit: limits.max_line_len,
        }
    }

    /// The limits this splitter was built with.
    pub fn limits(&self) -> ListingLimits {
        ListingLimits {
            max_line_len: self.limit,
        }
    }

    /// Appends bytes received from the peer, in any chunking.
    ///
    /// After [`finish`](Self::finish) has been called, this starts a new stream: the splitter
    /// is reset first (bytes of the old stream not yet taken are dropped).
    pub fn push(&mut self, bytes: &[u8]) {
        if self.finished {
            self.reset();
        }
        if self.pos == self.buf.len() {
            // Everything was taken: reuse the allocation from the start.
            self.buf.clear();
            self.scanned = 0;
            self.pos = 0;
        } else if self.pos > 0 && self.pos >= self.buf.len() - self.pos {
            // Compact once the taken prefix is at least as long as what remains, so every byte
            // is moved at most a bounded number of times.
            self.buf.drain(..self.pos);
            self.scanned -= self.pos;
            self.pos = 0;
        }
        if self.skipping && self.pos == self.buf.len() {
            // Inside an over-long line with nothing else pending: drop its bytes right away.
            match memchr::memchr(b'\n', bytes) {
                None => return,
                Some(i) => {
                    self.skipping = false;
                    self.buf.extend_from_slice(&bytes[i + 1..]);
                    return;
                }
            }
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line, its line end stripped; `None` when more bytes are needed.
    ///
    /// `Some(Err(LineTooLong))` reports a line over the limit, once, as soon as that is known
    /// (possibly before its end has arrived); its bytes are skipped and the line after it comes
    /// next.
    pub fn next_line(&mut self) -> Option<Result<&[u8], ListingError>> {
        let (start, end) = match self.next_span()? {
            Ok(span) => span,
            Err(e) => return Some(Err(e)),
        };
        Some(Ok(&self.buf[start..end]))
    }

    /// Marks the end of the stream and returns what is left: the lines not yet taken, then a
    /// last line that had no line end. Call it until it returns `None`.
    ///
    /// A [`push`](Self::push) after the end starts a new stream.
    pub fn finish(&mut self) -> Option<Result<&[u8], ListingError>> {
        self.finished = true;
        self.next_line()
    }

    /// The number of bytes held that have not been returned yet.
    pub fn buffered_len(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Drops everything held and starts over, keeping the allocation.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.scanned = 0;
        self.skipping = false;
        self.finished = false;
    }

    /// Finds the next line as a range of `buf`, consuming it.
    fn next_span(&mut self) -> Option<Result<(usize, usize), ListingError>> {
        loop {
            let search_from = self.scanned.max(self.pos);
            match memchr::memchr(b'\n', &self.buf[search_from..]) {
                Some(i) => {
                    let nl = search_from + i;
                    let start = self.pos;
                    self.pos = nl + 1;
                    self.scanned = self.pos;
                    if self.skipping {
                        // The end of a line already reported as too long.
                        self.skipping = false;
                        continue;
                    }
                    let end = if nl > start && self.buf[nl - 1] == b'\r' {
                        nl - 1
                    } else {
                        nl
                    };
                    if end - start > self.limit {
                        return Some(Err(ListingError::LineTooLong { limit: self.limit }));
                    }
                    return Some(Ok((start, end)));
                }
                None => {
                    self.scanned = self.buf.len();
                    let tail = self.buf.len() - self.pos;
                    if self.skipping {
                        // Still inside an over-long line: drop what arrived of it.
                        self.pos = self.buf.len();
                        if self.finished {
                            self.skipping = false;
                        }
                        return None;
                    }
                    if self.finished {
                        if tail == 0 {
                            return None;
                        }
                        let start = self.pos;
                        let mut end = self.buf.len();
                        self.pos = end;
                        if self.buf[end - 1] == b'\r' {
                            end -= 1;
                        }
                        if end - start > self.limit {
                            return Some(Err(ListingError::LineTooLong { limit: self.limit }));
                        }
                        return Some(Ok((start, end)));
                    }
                    let pending_cr = self.buf.last() == Some(&b'\r');
                    if tail > self.limit + usize::from(pending_cr) {
                        // Over the limit whatever comes next: report now, skip to its end.
                        self.pos = self.buf.len();
                        self.skipping = true;
                        return Some(Err(ListingError::LineTooLong { limit: self.limit }));
                    }
                    return None;
                }
            }
        }
    }
}
