//! Fuzz target `url`: arbitrary bytes as an `ftp://` URL, through the parser and the session
//! set-up it describes; see `ftp_proto::fuzzing::url` for the properties checked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ftp_proto::fuzzing::url(data));
