//! Inputs the `listing` fuzz target found, replayed through the same entry point.
#![cfg(feature = "fuzzing")]

macro_rules! regressions {
    ($($test:ident: $file:literal;)*) => {$(
        #[test]
        fn $test() {
            ftp_proto::listing::fuzz_listing(include_bytes!(concat!("data/fuzz/", $file)));
        }
    )*};
}

regressions! {
    // Found against a draft of the MLSD fact scanner (never committed) that read the facts a
    // word at a time: a proftpd MLSD listing with a 257-byte limit.
    proftpd_mlsd_with_small_limit_fact_scanner_draft: "listing-swar-scan-slice-order";
}
