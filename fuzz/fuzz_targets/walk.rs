//! Fuzz target `walk`: the remote-tree walk planner fed listings the input makes up, with
//! small limits; it keeps every bound and ends (see ftp_proto::fuzzing::walk_planner).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ftp_proto::fuzzing::walk_planner(data));
