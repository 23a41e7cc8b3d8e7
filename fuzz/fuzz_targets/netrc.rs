//! Fuzz target `netrc`: arbitrary bytes as a `.netrc` file, through the parser and its
//! lookups; see `ftp_proto::fuzzing::netrc` for the properties checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ftp_proto::fuzzing::netrc(data));
