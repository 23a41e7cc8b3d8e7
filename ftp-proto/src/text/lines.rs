//! storlines' line rules: any input line ending becomes CRLF, lines are bounded.

/// ftplib's line limit (`maxline`, 8192 bytes), the default of [`LineEncoder`].
pub const DEFAULT_MAX_LINE: usize = 8192;

/// A line of `storlines` input is longer than the limit; nothing of it was output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line} is longer than {limit} bytes")]
pub struct LineTooLong {
    /// The limit in bytes (the input line end counted, as ftplib counts it).
    pub limit: usize,
    /// The 1-based number of the line.
    pub line: u64,
}

/// Turns text into the lines `storlines` sends in ASCII mode (TYPE A): each line ends in
/// CRLF whatever ending it had, sans-IO (bytes in, bytes out, in any chunks).
///
/// The rules, ftplib's (`storlines` reads lines up to LF and mends their end):
/// - a line ends at LF; `CRLF` stays `CRLF`, a bare `LF` becomes `CRLF`;
/// - the last line, if the input does not end in LF, gets a line end too: `CRLF`, or just
///   `LF` when it ends in CR (`abc\r` at the very end becomes `abc\r\n`);
/// - a CR that is not just before an LF is data and is sent as is: old Mac text (CR only) is
///   one long line, which the length limit then refuses, not silently reflowed;
/// - a line may hold at most `max_line` bytes, its input line end counted (ftplib:
///   `readline(maxline + 1)` and more than `maxline` is an error). A longer line is
///   [`LineTooLong`] before any byte of it is output, so the caller can abort the transfer
///   with only whole lines sent. Memory is bounded by `max_line`.
///
/// Feed input with [`encode`](LineEncoder::encode), which stops after each complete line so
/// the caller can send it (and call ftplib's per-line callback), then call
/// [`finish`](LineEncoder::finish) at the end of the input.
///
/// ```
/// use ftp_proto::text::LineEncoder;
///
/// let mut encoder = LineEncoder::new(80);
/// let mut input: &[u8] = b"unix\nwindows\r\nlast";
/// let mut sent = Vec::new();
/// let mut line = Vec::new();
/// while !input.is_empty() {
///     let used = encoder.encode(input, &mut line).unwrap();
///     input = &input[used..];
///     sent.extend_from_slice(&line); // write the line out
///     line.clear();
/// }
/// encoder.finish(&mut sent);
/// assert_eq!(sent, b"unix\r\nwindows\r\nlast\r\n");
///
/// let mut small = LineEncoder::new(4);
/// assert!(small.encode(b"too long\n", &mut line).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct LineEncoder {
    max_line: usize,
    /// The current line so far, at most `max_line` bytes.
    pending: Vec<u8>,
    /// Lines completed so far.
    lines: u64,
}

impl Default for LineEncoder {
    fn default() -> Self {
        LineEncoder::new(DEFAULT_MAX_LINE)
    }
}

impl LineEncoder {
    /// An encoder that refuses lines over `max_line` bytes (input line end counted; a limit
    /// of 0 is read as 1).
    pub fn new(max_line: usize) -> LineEncoder {
        LineEncoder {
            max_line: max_line.max(1),
            pending: Vec::new(),
            lines: 0,
        }
    }

    /// The limit.
    pub fn max_line(&self) -> usize {
        self.max_line
    }

    /// Takes input up to and including the first LF, or all of it when there is none, and
    /// returns how many bytes it took. When a line was completed, that line (CRLF-ended) is
    /// appended to `out`; otherwise nothing is.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize, LineTooLong> {
        let (taken, complete) = match memchr::memchr(b'\n', input) {
            Some(lf) => (lf + 1, true),
            None => (input.len(), false),
        };
        if self.pending.len() + taken > self.max_line {
            return Err(self.too_long());
        }
        if !complete {
            self.pending.extend_from_slice(input);
            return Ok(taken);
        }
        let body = &input[..taken - 1];
        let ends_in_cr = match body.last() {
            Some(&b) => b == b'\r',
            None => self.pending.last() == Some(&b'\r'),
        };
        out.extend_from_slice(&self.pending);
        out.extend_from_slice(body);
        if !ends_in_cr {
            out.push(b'\r');
        }
        out.push(b'\n');
        self.pending.clear();
        self.lines += 1;
        Ok(taken)
    }

    /// The end of the input: a last line without LF is appended to `out` with its line end.
    /// The encoder is then empty and can take new input.
    /// It cannot fail: a last line was checked against the limit as it was fed.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.pending.is_empty() {
            return;
        }
        out.extend_from_slice(&self.pending);
        if self.pending.last() != Some(&b'\r') {
            out.push(b'\r');
        }
        out.push(b'\n');
        self.pending.clear();
        self.lines += 1;
    }

    /// The number of lines output so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    fn too_long(&self) -> LineTooLong {
        LineTooLong {
            limit: self.max_line,
            line: self.lines + 1,
        }
    }
}
