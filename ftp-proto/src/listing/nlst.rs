//! `NLST` listings: one name a line.

use super::{LineSplitter, ListingError, push_parser};

fn parse_item(line: &[u8]) -> Option<Result<Vec<u8>, ListingError>> {
    Some(Ok(line.to_vec()))
}

/// A push parser for the data of an `NLST` command: each line is a name, as bytes.
///
/// Every line is a name, an empty one included: libunftp sends an empty line for a name it
/// cannot encode (a Latin-1 byte), and that comes out as an empty name rather than vanishing,
/// so the count of names matches the count of files.
#[derive(Clone, Debug)]
pub struct NlstParser {
    lines: LineSplitter,
}

push_parser!(
    NlstParser,
    Vec<u8>,
    parse_item,
    "```\nuse ftp_proto::listing::{ListingLimits, NlstParser};\nlet mut p = NlstParser::new(ListingLimits::default());\np.push(b\"a b\\r\\n\\r\\ncaf\\xe9\");\nassert_eq!(p.next_entry().unwrap().unwrap(), b\"a b\");\nassert_eq!(p.next_entry().unwrap().unwrap(), b\"\");\nassert!(p.next_entry().is_none());\nassert_eq!(p.finish().unwrap().unwrap(), b\"caf\\xe9\");\n```"
);
