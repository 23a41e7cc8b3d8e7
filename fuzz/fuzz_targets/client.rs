//! Fuzz target `client`: the whole client state machine fed arbitrary server bytes, adapter
//! events and requests (see ftp_proto::client::fuzz_client and fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ftp_proto::client::fuzz_client(
    data,
    std::time::Instant::now()
));
