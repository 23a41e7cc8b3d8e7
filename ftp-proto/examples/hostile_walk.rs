//! Drives the walk planner over the hostile tree of issue 13 (64 nested directories with
//! 60 KiB names, then a thousand entries), fed as the blocking adapter feeds it (each listing
//! whole), and prints how it ended and the most bytes it held. Run it under `/usr/bin/time -v`
//! to see the process's peak memory:
//!
//! ```sh
//! cargo run --release -p ftp-proto --example hostile_walk -- defaults
//! cargo run --release -p ftp-proto --example hostile_walk -- long-names
//! cargo run --release -p ftp-proto --example hostile_walk -- tight
//! ```

use ftp_proto::listing::EntryType;
use ftp_proto::plan::{Listed, WalkLimits, WalkPlanner, WalkStep};

fn main() {
    let mode = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "defaults".to_owned());
    let limits = match mode.as_str() {
        "defaults" => WalkLimits::default(),
        // Names and paths allowed; only the bytes held bound it.
        "long-names" => WalkLimits {
            max_name_len: 64 * 1024,
            max_path_len: 8 << 20,
            max_depth: 100,
            ..WalkLimits::default()
        },
        // The same with a 200 KiB budget: the thousand entries do not fit.
        "tight" => WalkLimits {
            max_name_len: 64 * 1024,
            max_path_len: 8 << 20,
            max_depth: 100,
            max_bytes_held: 200 * 1024,
            ..WalkLimits::default()
        },
        other => panic!("unknown mode {other:?}: defaults, long-names or tight"),
    };
    let big = 60 * 1024;
    let mut walk = WalkPlanner::new("", limits);
    let (mut entries, mut errors, mut most_held, mut depth) = (0u64, Vec::new(), 0usize, 0usize);
    loop {
        most_held = most_held.max(walk.held_bytes());
        match walk.next_step() {
            WalkStep::List(dir) => {
                depth = dir.depth();
                if depth < 64 {
                    let name = format!("{depth:02}{}", "x".repeat(big - 2));
                    walk.handle_listed(Listed::new(&name, EntryType::Dir));
                } else {
                    for i in 0..1000 {
                        let name = format!("{i:060}");
                        if !walk.handle_listed(Listed::new(&name, EntryType::File)) {
                            break;
                        }
                    }
                }
                most_held = most_held.max(walk.held_bytes());
                walk.handle_listing_end();
            }
            WalkStep::Entry(_) => entries += 1,
            WalkStep::Error(e) => {
                // The end of the message: the path before it can be 256 bytes of a long name.
                let text = e.to_string();
                let tail: String = text
                    .chars()
                    .skip(text.chars().count().saturating_sub(60))
                    .collect();
                errors.push(format!("{:?}: ...{tail}", e.limit()));
            }
            WalkStep::Listing => unreachable!("every listing is fed whole"),
            WalkStep::Done => break,
        }
    }
    println!(
        "mode {mode}: deepest listing {depth}, {entries} entries, most bytes held {most_held}"
    );
    for e in errors {
        println!("error: {e}");
    }
}
