//! The `url` and `netrc` fuzz entry points replayed over their committed seed corpus and a few
//! hostile inputs, so that `cargo test --features fuzzing` checks the properties without a
//! fuzzer.
#![cfg(feature = "fuzzing")]

use std::fs;
use std::path::Path;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut out: Vec<Vec<u8>> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seed-")
        })
        .map(|p| fs::read(p).unwrap())
        .collect();
    assert!(!out.is_empty());
    out.sort();
    out
}

#[test]
fn url_fuzz_entry_point_holds_on_the_seeds_and_hostile_urls() {
    let mut inputs = seeds("url");
    for extra in [
        &b"ftp://[::1"[..],
        b"ftp://u:p@[::1]:0/",
        b"ftp://%00/",
        b"ftp://\xff\xfe@h/",
        b"ftp://h/;type=d",
        b"ftp://h/%2F",
        b"ftp://h///",
        b"ftp://:@h:/",
        b"f:",
        b"",
    ] {
        inputs.push(extra.to_vec());
    }
    for input in inputs {
        ftp_proto::fuzzing::url(&input);
    }
}

#[test]
fn netrc_fuzz_entry_point_holds_on_the_seeds_and_hostile_files() {
    let mut inputs = seeds("netrc");
    for extra in [
        &b"machine"[..],
        b"macdef",
        b"\"",
        b"\\",
        b"machine h password \xff\xfe",
        b"default default default",
        b"machine a login a password a",
    ] {
        inputs.push(extra.to_vec());
    }
    for input in inputs {
        ftp_proto::fuzzing::netrc(&input);
    }
}

/// Found by the `netrc` fuzz target in its first minute: a password whose text also appeared
/// in the `Debug` escapes of a host name (`\u{7f}`...) tripped the target's own leak check,
/// which now compares only alphanumeric secrets against the escaped public fields. The parser
/// was right.
#[test]
fn netrc_secret_inside_an_escaped_host_is_not_a_leak() {
    ftp_proto::fuzzing::netrc(include_bytes!("data/fuzz/netrc-secret-inside-escaped-host"));
}
