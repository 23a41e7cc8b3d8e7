//! Text, written once for every adapter: the session [`Encoding`] (ftplib's `encoding=`), the
//! escaping of server text for a terminal, ftplib's debug lines, and `storlines`' line rules.
//!
//! - [`Encoding`]: user strings to command bytes and server bytes to text (UTF-8 and
//!   Latin-1 always; every WHATWG encoding with the `encodings` feature). Credentials are
//!   encoded as secrets: an [`EncodeError`] never carries a password's text.
//! - [`escape_for_terminal`] / [`escape_bytes_for_terminal`]: C0, C1, DEL and invisible
//!   characters shown as escapes, so a file name or a reply cannot drive the terminal.
//! - [`DebugPrinter`]: the `*cmd*` / `*resp*` / `*put*` / `*get*` lines of ftplib's
//!   `set_debuglevel`, with `PASS` and `ACCT` masked and the same escaping.
//! - [`LineEncoder`]: any input line end to CRLF, with a bounded line length.

mod debug;
mod encoding;
mod escape;
mod lines;

pub use debug::DebugPrinter;
#[cfg(feature = "encodings")]
pub use encoding::WhatwgEncoding;
pub use encoding::{EncodeError, Encoding, TextArgError, UnknownEncoding};
pub use escape::{escape_bytes_for_terminal, escape_for_terminal, is_unsafe_for_terminal, py_repr};
pub use lines::{DEFAULT_MAX_LINE, LineEncoder, LineTooLong};

/// Fuzz entry point (feature `fuzzing`): escaping, the debug lines, the encodings and the
/// line encoder on arbitrary bytes. The first byte chooses the line limit and the encoding,
/// the second the chunk size; the rest is the text.
///
/// Checked: escaped text holds no character [`is_unsafe_for_terminal`] refuses (so no C0, C1
/// or DEL), whatever the input; debug lines likewise, and a `PASS`/`ACCT` argument never
/// appears in them; decoding never panics, Latin-1 gives every byte back, the bytes of an
/// encoded text decode and encode back to themselves; the line encoder's output is the input
/// with every line end made CRLF (and the last line ended), with no bare LF, and it refuses
/// input exactly when a line is over the limit.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub fn fuzz_text(data: &[u8]) {
    let (control, text) = data.split_at(data.len().min(2));
    let first = control.first().copied().unwrap_or(0);
    let chunk = 1 + usize::from(control.get(1).copied().unwrap_or(0) % 32);

    // Escaping.
    let safe = |s: &str| !s.chars().any(is_unsafe_for_terminal);
    assert!(safe(&escape_bytes_for_terminal(text)));
    let lossy = String::from_utf8_lossy(text);
    assert!(safe(&escape_for_terminal(&lossy)));
    let repr = py_repr(&lossy);
    assert!(safe(&repr) && repr.len() >= 2);

    // Encodings.
    // The WHATWG labels give `None` without the `encodings` feature.
    let labels = [
        "windows-1251",
        "koi8-u",
        "gbk",
        "gb18030",
        "big5",
        "shift_jis",
        "euc-kr",
    ];
    let encodings: Vec<Encoding> = [Encoding::Utf8, Encoding::Latin1]
        .into_iter()
        .chain(labels.into_iter().filter_map(Encoding::for_label))
        .collect();
    let encoding = encodings[usize::from(first) % encodings.len()];
    let decoded = encoding.decode(text);
    if encoding == Encoding::Latin1 {
        assert_eq!(
            Encoding::Latin1.encode(&decoded).ok().as_deref(),
            Some(text)
        );
    }
    if let Ok(bytes) = encoding.encode(&lossy) {
        // The bytes round-trip; the text need not (GB18030 maps some private-use characters
        // to the bytes of another character: fuzz crash dc6b938f).
        let again = encoding.decode(&bytes);
        assert_eq!(
            encoding.encode(&again).ok().as_deref(),
            Some(bytes.as_slice()),
            "{encoding:?} bytes round trip"
        );
    }
    if let Err(e) = encoding.encode_secret(&lossy) {
        assert!(e.character().is_none());
    }

    // Debug lines.
    let printer = DebugPrinter::new(2, encoding);
    let mut line = b"PASS ".to_vec();
    line.extend_from_slice(text);
    for shown in printer.command(&line) {
        assert!(safe(&shown));
        assert!(shown.contains("PASS ****"), "{shown}");
    }
    for shown in printer.command(text) {
        assert!(safe(&shown));
    }

    // The line encoder.
    let max = 1 + usize::from(first / 4) * 4;
    let mut encoder = LineEncoder::new(max);
    let mut out = Vec::new();
    let mut failed = false;
    'feed: for mut piece in text.chunks(chunk) {
        while !piece.is_empty() {
            match encoder.encode(piece, &mut out) {
                Ok(used) => {
                    assert!(used > 0);
                    piece = &piece[used..];
                }
                Err(_) => {
                    failed = true;
                    break 'feed;
                }
            }
        }
    }
    let too_long = text.split_inclusive(|&b| b == b'\n').any(|l| l.len() > max);
    assert_eq!(
        failed, too_long,
        "refused exactly when a line is over {max}"
    );
    if !failed {
        encoder.finish(&mut out);
        for (i, &b) in out.iter().enumerate() {
            if b == b'\n' {
                assert!(i > 0 && out[i - 1] == b'\r', "bare LF at {i}");
            }
        }
        let mut expected = text.to_vec();
        if !expected.is_empty() && expected.last() != Some(&b'\n') {
            expected.push(b'\n');
        }
        let crlf_to_lf = |v: &[u8]| {
            let mut r = Vec::with_capacity(v.len());
            for (i, &b) in v.iter().enumerate() {
                if !(b == b'\r' && v.get(i + 1) == Some(&b'\n')) {
                    r.push(b);
                }
            }
            r
        };
        assert_eq!(crlf_to_lf(&out), crlf_to_lf(&expected));
    }
}
