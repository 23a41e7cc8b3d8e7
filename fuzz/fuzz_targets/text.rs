//! Fuzz target `text`: terminal escaping, debug lines, encodings and the storlines line
//! encoder on arbitrary bytes (see ftp_proto::text::fuzz_text and fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ftp_proto::text::fuzz_text(data));
