//! Fuzz target `reply_parsers`: see fuzz/README.md.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ftp_proto::fuzzing::reply_parsers(data));
