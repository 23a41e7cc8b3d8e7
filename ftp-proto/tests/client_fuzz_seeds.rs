//! The client fuzz entry point (`ftp_proto::client::fuzz_client`) run in `cargo test` under
//! `--features fuzzing`: every seed of `fuzz/corpus/client`, then a few thousand generated
//! programs, so its invariants (bounded outputs, one finish per operation, no overdue or
//! missing deadline, a closed client refuses requests) are checked without cargo-fuzz.
#![cfg(feature = "fuzzing")]

use std::time::Instant;

#[test]
fn client_fuzz_seeds_keep_the_invariants() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/client");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        ftp_proto::client::fuzz_client(&bytes, Instant::now());
        n += 1;
    }
    assert!(n > 0, "no seeds in {}", dir.display());
}

#[test]
fn generated_client_programs_keep_the_invariants() {
    // A fixed xorshift sequence: the same programs every run.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Server lines worth hitting, so that dialogues get somewhere.
    let lines: [&[u8]; 12] = [
        b"220 hi\r\n",
        b"230 ok\r\n",
        b"331 pw\r\n",
        b"332 acct\r\n",
        b"200 ok\r\n",
        b"229 x (|||40000|)\r\n",
        b"227 x (127,0,0,1,156,64)\r\n",
        b"150 ok (5 bytes)\r\n",
        b"226 done\r\n",
        b"350 rest\r\n",
        b"120 ready in 2 minutes\r\n",
        b"426 aborted\r\n",
    ];
    for _ in 0..3000 {
        let mut program = vec![(next() & 0x1f) as u8];
        for _ in 0..(next() % 40) {
            let r = next();
            if r % 3 == 0 {
                // Control bytes: one of the lines above.
                let line = lines[(r >> 8) as usize % lines.len()];
                program.push(0);
                program.push(line.len() as u8);
                program.extend_from_slice(line);
            } else {
                program.push((r >> 16) as u8);
                program.push((r >> 24) as u8);
                program.push((r >> 32) as u8);
            }
        }
        ftp_proto::client::fuzz_client(&program, Instant::now());
    }
}
