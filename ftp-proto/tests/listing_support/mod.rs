//! Helpers shared by the listing tests: one trait over the three push parsers, and feeding a
//! byte stream in every chunking.
#![allow(dead_code, unreachable_pub)]

use ftp_proto::listing::{LineSplitter, ListingError, ListingLimits};
use ftp_proto::{ListEntry, ListParser, MlsdEntry, MlsdParser, NlstParser};

/// The push-parser interface every listing parser offers.
pub trait PushParser {
    type Item: Clone + PartialEq + core::fmt::Debug;
    fn create(limits: ListingLimits) -> Self;
    fn push_bytes(&mut self, bytes: &[u8]);
    fn next(&mut self) -> Option<Result<Self::Item, ListingError>>;
    fn end(&mut self) -> Option<Result<Self::Item, ListingError>>;
    fn held(&self) -> usize;
}

macro_rules! impl_push {
    ($t:ty, $item:ty) => {
        impl PushParser for $t {
            type Item = $item;
            fn create(limits: ListingLimits) -> Self {
                <$t>::new(limits)
            }
            fn push_bytes(&mut self, bytes: &[u8]) {
                self.push(bytes)
            }
            fn next(&mut self) -> Option<Result<$item, ListingError>> {
                self.next_entry()
            }
            fn end(&mut self) -> Option<Result<$item, ListingError>> {
                self.finish()
            }
            fn held(&self) -> usize {
                self.buffered_len()
            }
        }
    };
}
impl_push!(MlsdParser, MlsdEntry);
impl_push!(ListParser, ListEntry);
impl_push!(NlstParser, Vec<u8>);

/// The line splitter seen as a parser of owned lines.
pub struct Lines(pub LineSplitter);
impl PushParser for Lines {
    type Item = Vec<u8>;
    fn create(limits: ListingLimits) -> Self {
        Lines(LineSplitter::new(limits))
    }
    fn push_bytes(&mut self, bytes: &[u8]) {
        self.0.push(bytes)
    }
    fn next(&mut self) -> Option<Result<Vec<u8>, ListingError>> {
        self.0.next_line().map(|r| r.map(<[u8]>::to_vec))
    }
    fn end(&mut self) -> Option<Result<Vec<u8>, ListingError>> {
        self.0.finish().map(|r| r.map(<[u8]>::to_vec))
    }
    fn held(&self) -> usize {
        self.0.buffered_len()
    }
}

/// Feeds the chunks in order, draining after each, then finishes. Checks the memory bound
/// after every push and every drain.
pub fn parse_chunks<P: PushParser>(
    chunks: &[&[u8]],
    limits: ListingLimits,
) -> Vec<Result<P::Item, ListingError>> {
    let mut parser = P::create(limits);
    let mut out = Vec::new();
    for chunk in chunks {
        parser.push_bytes(chunk);
        assert!(
            parser.held() <= limits.max_line_len + 1 + chunk.len(),
            "holds {} bytes",
            parser.held()
        );
        while let Some(item) = parser.next() {
            out.push(item);
        }
        assert!(
            parser.held() <= limits.max_line_len + 1,
            "holds {} bytes after draining",
            parser.held()
        );
    }
    while let Some(item) = parser.end() {
        out.push(item);
    }
    assert_eq!(parser.held(), 0);
    assert!(parser.end().is_none());
    out
}

/// Parses `data` whole, split in two at every offset, in three at a spread of offset pairs, and
/// one byte at a time; asserts every chunking gives the same items and returns them.
pub fn parse_every_split<P: PushParser>(
    data: &[u8],
    limits: ListingLimits,
) -> Vec<Result<P::Item, ListingError>> {
    let whole = parse_chunks::<P>(&[data], limits);
    for i in 0..=data.len() {
        let (a, b) = data.split_at(i);
        assert_eq!(parse_chunks::<P>(&[a, b], limits), whole, "split at {i}");
    }
    let step = (data.len() / 40).max(1);
    for i in (0..=data.len()).step_by(step) {
        for j in (i..=data.len()).step_by(step) {
            let chunks = [&data[..i], &data[i..j], &data[j..]];
            assert_eq!(
                parse_chunks::<P>(&chunks, limits),
                whole,
                "split at {i} and {j}"
            );
        }
    }
    let bytes: Vec<&[u8]> = data.chunks(1).collect();
    assert_eq!(
        parse_chunks::<P>(&bytes, limits),
        whole,
        "one byte at a time"
    );
    whole
}

/// `parse_every_split` with the default limits, unwrapping every item.
pub fn parse_ok<P: PushParser>(data: &[u8]) -> Vec<P::Item> {
    parse_every_split::<P>(data, ListingLimits::default())
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("unexpected error {e}")))
        .collect()
}
