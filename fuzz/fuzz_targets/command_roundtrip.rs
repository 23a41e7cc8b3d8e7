//! Fuzz target `command_roundtrip`: see fuzz/README.md.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ftp_proto::fuzzing::command_roundtrip(data));
