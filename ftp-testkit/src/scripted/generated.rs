//! Byte streams made on the fly, for replies and listings too large to hold in memory.

use std::fmt;
use std::sync::Arc;

/// Appends item number `i` (counting from 0) of a [`Generated`] stream to the buffer.
pub type ItemFn = Arc<dyn Fn(u64, &mut Vec<u8>) + Send + Sync>;

/// A byte stream the scripted server makes while it sends it: `head`, then `count` items (each
/// made by a function of its index), then `tail`. Only one chunk of it (about 64 KiB) exists at
/// a time, so a 1 GB reply line or a listing of ten million entries costs the server no memory.
///
/// ```
/// use ftp_testkit::scripted::Generated;
/// let g = Generated::lines("numbers", 3, |i, buf| buf.extend_from_slice(format!("n{i}\r\n").as_bytes()))
///     .head("begin\r\n")
///     .tail("end\r\n");
/// assert_eq!(g.collect_for_test(1 << 20), b"begin\r\nn0\r\nn1\r\nn2\r\nend\r\n");
/// let many = Generated::repeat("x", 1 << 30);
/// assert_eq!(many.len(), Some(1 << 30));
/// ```
#[derive(Clone)]
pub struct Generated {
    description: String,
    head: Vec<u8>,
    count: u64,
    item: ItemFn,
    tail: Vec<u8>,
    /// The length of every item when they all have the same one (for [`Generated::len`]).
    item_len: Option<u64>,
}

impl fmt::Debug for Generated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Generated({}: {} head bytes, {} items, {} tail bytes)",
            self.description,
            self.head.len(),
            self.count,
            self.tail.len()
        )
    }
}

impl Generated {
    /// `count` items, item `i` appended to the buffer by `item(i, buf)`.
    pub fn lines(
        description: impl Into<String>,
        count: u64,
        item: impl Fn(u64, &mut Vec<u8>) + Send + Sync + 'static,
    ) -> Generated {
        Generated {
            description: description.into(),
            head: Vec::new(),
            count,
            item: Arc::new(item),
            tail: Vec::new(),
            item_len: None,
        }
    }

    /// `unit` repeated `count` times (`u64::MAX` is endless in practice).
    pub fn repeat(unit: impl AsRef<[u8]>, count: u64) -> Generated {
        let unit = unit.as_ref().to_vec();
        let len = unit.len() as u64;
        let mut g = Generated::lines(format!("{len}-byte unit"), count, move |_, buf| {
            buf.extend_from_slice(&unit)
        });
        g.item_len = Some(len);
        g
    }

    /// Bytes sent before the items.
    pub fn head(mut self, bytes: impl AsRef<[u8]>) -> Generated {
        self.head = bytes.as_ref().to_vec();
        self
    }

    /// Bytes sent after the items.
    pub fn tail(mut self, bytes: impl AsRef<[u8]>) -> Generated {
        self.tail = bytes.as_ref().to_vec();
        self
    }

    /// The whole length, when every item has the same length ([`Generated::repeat`]).
    pub fn len(&self) -> Option<u64> {
        let items = self.item_len?.checked_mul(self.count)?;
        items.checked_add((self.head.len() + self.tail.len()) as u64)
    }

    /// Whether the stream is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The whole stream in memory, at most `limit` bytes of it: for tests of small streams.
    pub fn collect_for_test(&self, limit: usize) -> Vec<u8> {
        let mut cursor = self.cursor();
        let mut out = Vec::new();
        while out.len() < limit && cursor.fill(&mut out, limit) {}
        out.truncate(limit);
        out
    }

    pub(crate) fn cursor(&self) -> Cursor<'_> {
        Cursor {
            source: self,
            stage: Stage::Head,
        }
    }
}

enum Stage {
    Head,
    Item(u64),
    Tail,
    Done,
}

/// Where a [`Generated`] stream is while it is being sent.
pub(crate) struct Cursor<'a> {
    source: &'a Generated,
    stage: Stage,
}

impl Cursor<'_> {
    /// Appends to `buf` until it holds at least `target` bytes or the stream ends; returns
    /// whether bytes remain after this.
    pub(crate) fn fill(&mut self, buf: &mut Vec<u8>, target: usize) -> bool {
        while buf.len() < target {
            match self.stage {
                Stage::Head => {
                    buf.extend_from_slice(&self.source.head);
                    self.stage = Stage::Item(0);
                }
                Stage::Item(i) if i < self.source.count => {
                    (self.source.item)(i, buf);
                    self.stage = Stage::Item(i + 1);
                }
                Stage::Item(_) => {
                    buf.extend_from_slice(&self.source.tail);
                    self.stage = Stage::Tail;
                }
                Stage::Tail | Stage::Done => {
                    self.stage = Stage::Done;
                    return false;
                }
            }
        }
        !matches!(self.stage, Stage::Done | Stage::Tail)
    }
}

/// Appends `n` in decimal without allocating (fast enough for ten million lines in a debug
/// build).
///
/// ```
/// let mut buf = b"f".to_vec();
/// ftp_testkit::scripted::push_decimal(&mut buf, 1_234_567);
/// assert_eq!(buf, b"f1234567");
/// ```
pub fn push_decimal(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_stream_in_small_chunks_equals_the_whole() {
        let g = Generated::lines("n", 1000, |i, buf| {
            push_decimal(buf, i);
            buf.extend_from_slice(b"\r\n");
        })
        .head("h")
        .tail("t");
        let whole = g.collect_for_test(usize::MAX);
        let mut pieces = Vec::new();
        let mut cursor = g.cursor();
        loop {
            let mut chunk = Vec::new();
            let more = cursor.fill(&mut chunk, 7);
            pieces.extend_from_slice(&chunk);
            if !more {
                break;
            }
        }
        assert_eq!(pieces, whole);
        assert!(whole.starts_with(b"h0\r\n1\r\n"));
        assert!(whole.ends_with(b"999\r\nt"));
    }

    #[test]
    fn empty_repeat_is_head_and_tail_only() {
        let g = Generated::repeat("x", 0).head("a").tail("b");
        assert_eq!(g.collect_for_test(100), b"ab");
        assert_eq!(g.len(), Some(2));
    }
}
