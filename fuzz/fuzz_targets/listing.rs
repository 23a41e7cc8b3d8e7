//! Fuzz target `listing`: arbitrary bytes in arbitrary chunks through the MLSD, LIST and NLST
//! parsers and the line splitter; no panic, and never more held than the limit plus a chunk.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ftp_proto::listing::fuzz_listing(data));
