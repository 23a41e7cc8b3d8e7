//! The walk planner against scripted and hostile trees: order, unsafe names, loops, and every
//! limit, with the memory it holds checked at every step.

use std::collections::HashMap;

use ftp_proto::listing::{EntryType, ListingError};
use ftp_proto::plan::{Limit, Listed, WalkError, WalkLimits, WalkPlanner, WalkStep};

/// One listed entry of a scripted tree: name, kind, MLSD unique fact.
type Row = (String, EntryType, Option<&'static str>);

/// What a walk gave: entries by relative path, errors by their text.
#[derive(Debug, Default)]
struct Outcome {
    entries: Vec<String>,
    errors: Vec<WalkError>,
    listed: Vec<String>,
    most_held: usize,
}

/// Drives `walk` to the end, listing each directory with `list` (None: refused), feeding each
/// listing whole as the blocking adapter does.
fn drive(
    mut walk: WalkPlanner,
    mut list: impl FnMut(&str) -> Option<Vec<Row>>,
    max_steps: usize,
) -> Outcome {
    let mut out = Outcome::default();
    for _ in 0..max_steps {
        out.most_held = out.most_held.max(walk.held_bytes());
        assert!(walk.held_bytes() <= walk.limits().max_bytes_held);
        match walk.next_step() {
            WalkStep::List(dir) => {
                out.listed.push(if dir.path().len() <= 1024 {
                    dir.path().to_owned()
                } else {
                    format!("({} bytes)", dir.path().len())
                });
                match list(dir.path()) {
                    Some(rows) => {
                        for (name, kind, unique) in &rows {
                            let mut listed = Listed::new(name, kind.clone());
                            listed.unique = unique.map(str::as_bytes);
                            let more = walk.handle_listed(listed);
                            out.most_held = out.most_held.max(walk.held_bytes());
                            assert!(walk.held_bytes() <= walk.limits().max_bytes_held);
                            if !more {
                                break;
                            }
                        }
                        walk.handle_listing_end();
                    }
                    None => walk.handle_listing_failed(),
                }
            }
            WalkStep::Entry(e) => {
                assert!(e.path().ends_with(e.relative_path()));
                assert!(e.relative_path().ends_with(e.name()));
                // A hostile tree's paths are megabytes: keep short ones whole, long ones as a
                // length, so that the test's own memory stays small.
                let relative = e.relative_path();
                out.entries.push(if relative.len() <= 1024 {
                    relative.to_owned()
                } else {
                    format!("({} bytes)", relative.len())
                });
            }
            WalkStep::Error(e) => out.errors.push(e),
            WalkStep::Listing => panic!("every listing was fed whole"),
            WalkStep::Done => {
                assert!(walk.is_done());
                return out;
            }
        }
    }
    panic!("the walk did not end in {max_steps} steps");
}

fn rows(items: &[(&str, EntryType)]) -> Vec<Row> {
    items
        .iter()
        .map(|(n, k)| ((*n).to_owned(), k.clone(), None))
        .collect()
}

fn tree(listings: &[(&str, Vec<Row>)]) -> HashMap<String, Vec<Row>> {
    listings
        .iter()
        .map(|(p, r)| ((*p).to_owned(), r.clone()))
        .collect()
}

#[test]
fn each_directory_comes_before_its_contents_and_is_listed_after_its_parent_ends() {
    let t = tree(&[
        (
            "root",
            rows(&[
                ("a", EntryType::Dir),
                ("z.txt", EntryType::File),
                ("b", EntryType::Dir),
            ]),
        ),
        ("root/a", rows(&[("inner", EntryType::Dir)])),
        ("root/a/inner", rows(&[("deep.txt", EntryType::File)])),
        ("root/b", rows(&[("b.txt", EntryType::File)])),
    ]);
    let out = drive(
        WalkPlanner::new("root", WalkLimits::default()),
        |p| t.get(p).cloned(),
        100,
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        out.entries,
        ["a", "z.txt", "b", "a/inner", "a/inner/deep.txt", "b/b.txt"]
    );
    assert_eq!(out.listed, ["root", "root/a", "root/a/inner", "root/b"]);
}

#[test]
fn symlinks_are_yielded_and_never_listed() {
    let t = tree(&[(
        "",
        rows(&[("loop", EntryType::Symlink), ("f", EntryType::File)]),
    )]);
    let out = drive(
        WalkPlanner::new("", WalkLimits::default()),
        |p| t.get(p).cloned(),
        100,
    );
    assert_eq!(out.entries, ["loop", "f"]);
    assert_eq!(out.listed, [""]);
}

#[test]
fn dot_and_dotdot_and_cdir_pdir_are_skipped_silently() {
    let t = tree(&[(
        "",
        rows(&[
            (".", EntryType::Dir),
            ("..", EntryType::Dir),
            ("x", EntryType::CurrentDir),
            ("y", EntryType::ParentDir),
            (".hidden", EntryType::File),
        ]),
    )]);
    let out = drive(
        WalkPlanner::new("", WalkLimits::default()),
        |p| t.get(p).cloned(),
        100,
    );
    assert_eq!(out.entries, [".hidden"]);
    assert!(out.errors.is_empty());
}

#[test]
fn names_with_separators_or_control_characters_are_refused_and_the_walk_goes_on() {
    let bad = [
        "a/b",
        "a\\b",
        "nul\0",
        "cr\r",
        "lf\n",
        "esc\x1b[1A",
        "del\x7f",
        "c1\u{9b}",
        "",
    ];
    let mut listing: Vec<Row> = bad
        .iter()
        .map(|n| ((*n).to_owned(), EntryType::File, None))
        .collect();
    listing.push(("good".to_owned(), EntryType::File, None));
    let t = tree(&[("", listing)]);
    let out = drive(
        WalkPlanner::new("", WalkLimits::default()),
        |p| t.get(p).cloned(),
        100,
    );
    assert_eq!(out.entries, ["good"]);
    assert_eq!(out.errors.len(), bad.len());
    for e in &out.errors {
        assert!(matches!(e, WalkError::UnsafeName { .. }), "{e:?}");
        assert!(!e.ends_walk());
        // The message never carries the raw control characters.
        assert!(
            !e.to_string()
                .contains(['\r', '\n', '\x1b', '\x7f', '\u{9b}'])
        );
    }
}

#[test]
fn a_directory_whose_unique_fact_repeats_an_ancestors_is_reported_and_not_entered() {
    let t = tree(&[
        (
            "",
            vec![
                (".".into(), EntryType::CurrentDir, Some("r0")),
                ("a".into(), EntryType::Dir, Some("u1")),
            ],
        ),
        (
            "a",
            vec![
                ("again".into(), EntryType::Dir, Some("u1")),
                ("root".into(), EntryType::Dir, Some("r0")),
                ("f".into(), EntryType::File, None),
            ],
        ),
    ]);
    let out = drive(
        WalkPlanner::new("", WalkLimits::default()),
        |p| t.get(p).cloned(),
        100,
    );
    assert_eq!(out.entries, ["a", "a/again", "a/root", "a/f"]);
    assert_eq!(out.listed, ["", "a"]);
    assert_eq!(out.errors.len(), 2);
    assert!(
        out.errors
            .iter()
            .all(|e| matches!(e, WalkError::Loop { .. }))
    );
}

#[test]
fn a_server_listing_a_directory_as_its_own_child_is_caught_as_a_loop() {
    // Every path lists the same: one directory `d` and one file. Without a unique fact only
    // the listing's content can tell.
    let out = drive(
        WalkPlanner::new("", WalkLimits::default()),
        |_| Some(rows(&[("d", EntryType::Dir), ("f", EntryType::File)])),
        100,
    );
    assert_eq!(out.listed, ["", "d"]);
    assert_eq!(out.entries, ["d", "f", "d/d", "d/f"]);
    assert!(matches!(&out.errors[..], [WalkError::Loop { path, .. }] if path == "d"));
}

#[test]
fn a_refused_directory_is_not_entered_and_the_walk_goes_on() {
    let t = tree(&[
        (
            "",
            rows(&[("locked", EntryType::Dir), ("open", EntryType::Dir)]),
        ),
        ("open", rows(&[("x", EntryType::File)])),
    ]);
    let out = drive(
        WalkPlanner::new("", WalkLimits::default()),
        |p| t.get(p).cloned(),
        100,
    );
    assert_eq!(out.entries, ["locked", "open", "open/x"]);
}

#[test]
fn descend_at_most_stops_silently() {
    let mut walk = WalkPlanner::new("", WalkLimits::default());
    walk.descend_at_most(2);
    let out = drive(walk, |_| Some(rows(&[("x", EntryType::Dir)])), 100);
    // The same listing everywhere would be a loop, but the depth stops first.
    assert_eq!(out.entries, ["x", "x/x"]);
    assert!(out.errors.is_empty());
}

/// A tree that never repeats: every directory holds two fresh subdirectories and a file.
fn endless(path: &str) -> Option<Vec<Row>> {
    let tag = path.len();
    Some(vec![
        (format!("d{tag}a"), EntryType::Dir, None),
        (format!("d{tag}b"), EntryType::Dir, None),
        (format!("f{tag}"), EntryType::File, None),
    ])
}

#[test]
fn a_tree_that_never_repeats_ends_with_the_max_entries_error() {
    let limits = WalkLimits {
        max_entries: 5_000,
        ..WalkLimits::default()
    };
    let out = drive(WalkPlanner::new("", limits), endless, 100_000);
    let last = out.errors.last().unwrap();
    assert_eq!(last.limit(), Some(Limit::Entries));
    assert!(last.ends_walk());
    assert!(out.entries.len() <= 5_000);
    assert!(last.to_string().contains("max_entries"), "{last}");
}

#[test]
fn a_single_chain_deeper_than_max_depth_is_reported_at_the_limit() {
    let limits = WalkLimits {
        max_depth: 10,
        ..WalkLimits::default()
    };
    let out = drive(
        WalkPlanner::new("", limits),
        |p| Some(vec![(format!("n{}", p.len()), EntryType::Dir, None)]),
        1_000,
    );
    assert_eq!(out.entries.len(), 10);
    assert_eq!(out.listed.len(), 10);
    assert!(
        matches!(&out.errors[..], [e] if e.limit() == Some(Limit::Depth) && !e.ends_walk()),
        "{:?}",
        out.errors
    );
}

#[test]
fn a_listing_longer_than_max_entries_per_dir_is_cut_and_the_walk_goes_on() {
    let limits = WalkLimits {
        max_entries_per_dir: 3,
        ..WalkLimits::default()
    };
    let t = tree(&[
        (
            "",
            rows(&[
                ("s", EntryType::Dir),
                ("1", EntryType::File),
                ("2", EntryType::File),
                ("3", EntryType::File),
                ("4", EntryType::File),
            ]),
        ),
        ("s", rows(&[("in", EntryType::File)])),
    ]);
    let out = drive(WalkPlanner::new("", limits), |p| t.get(p).cloned(), 100);
    assert_eq!(out.entries, ["s", "1", "2", "s/in"]);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].limit(), Some(Limit::EntriesPerDir));
}

const BIG: usize = 60 * 1024;

/// 64 nested directories with 60 KiB names, then a thousand entries with 60-byte names.
fn hostile(path: &str) -> Option<Vec<Row>> {
    let depth = if path.is_empty() {
        0
    } else {
        path.split('/').count()
    };
    if depth < 64 {
        let name = format!("{depth:02}{}", "x".repeat(BIG - 2));
        Some(vec![(name, EntryType::Dir, None)])
    } else {
        Some(
            (0..1000)
                .map(|i| (format!("{i:060}"), EntryType::File, None))
                .collect(),
        )
    }
}

#[test]
fn hostile_tree_with_default_limits_ends_at_max_name_len() {
    let out = drive(WalkPlanner::new("", WalkLimits::default()), hostile, 10_000);
    assert!(out.entries.is_empty());
    assert_eq!(out.listed.len(), 1);
    assert!(matches!(&out.errors[..], [e] if e.limit() == Some(Limit::NameLength)));
    assert!(out.most_held < 64 * 1024);
}

#[test]
fn hostile_tree_with_long_names_allowed_ends_at_max_path_len() {
    let limits = WalkLimits {
        max_name_len: 64 * 1024,
        max_path_len: 1 << 20,
        ..WalkLimits::default()
    };
    let out = drive(WalkPlanner::new("", limits), hostile, 10_000);
    // 17 names of 60 KiB fit in 1 MiB, the 18th does not.
    assert_eq!(out.entries.len(), 17);
    assert!(
        matches!(&out.errors[..], [e] if e.limit() == Some(Limit::PathLength)),
        "{:?}",
        out.errors
    );
    assert!(out.most_held < 256 * 1024, "{}", out.most_held);
}

#[test]
fn hostile_tree_with_paths_allowed_stays_within_max_bytes_held() {
    let limits = WalkLimits {
        max_name_len: 64 * 1024,
        max_path_len: 8 << 20,
        max_depth: 100,
        max_bytes_held: 200 * 1024,
        ..WalkLimits::default()
    };
    let out = drive(WalkPlanner::new("", limits), hostile, 100_000);
    // The directories' paths are shared, not copied per level: the whole chain is walked,
    // holding about three copies of one name at a time, until the thousand entries do not fit.
    assert_eq!(out.listed.len(), 65, "{:?}", out.errors);
    assert!(out.most_held <= 200 * 1024);
    assert!(out.entries.len() > 64 && out.entries.len() < 64 + 1000);
    let last = out.errors.last().unwrap();
    assert_eq!(last.limit(), Some(Limit::BytesHeld));
    assert!(last.ends_walk());
    assert!(last.to_string().contains("max_bytes_held"), "{last}");
}

#[test]
fn bad_lines_are_reported_and_counted_against_the_limits() {
    let limits = WalkLimits {
        max_entries_per_dir: 2,
        ..WalkLimits::default()
    };
    let mut walk = WalkPlanner::new("", limits);
    assert!(matches!(walk.next_step(), WalkStep::List(_)));
    assert!(walk.handle_bad_line(ListingError::LineTooLong { limit: 8 }));
    assert!(walk.handle_listed(Listed::new("ok", EntryType::File)));
    assert!(!walk.handle_bad_line(ListingError::LineTooLong { limit: 8 }));
    walk.handle_listing_end();
    let mut steps = Vec::new();
    loop {
        match walk.next_step() {
            WalkStep::Done => break,
            step => steps.push(step),
        }
    }
    assert_eq!(steps.len(), 3, "{steps:?}");
    assert!(matches!(
        steps[0],
        WalkStep::Error(WalkError::BadLine { .. })
    ));
    assert!(matches!(steps[1], WalkStep::Entry(_)));
    assert!(matches!(&steps[2], WalkStep::Error(e) if e.limit() == Some(Limit::EntriesPerDir)));
}

#[test]
fn entries_can_be_handed_out_while_the_listing_streams() {
    let mut walk = WalkPlanner::new("pub/", WalkLimits::default());
    let WalkStep::List(dir) = walk.next_step() else {
        panic!()
    };
    assert_eq!((dir.path(), dir.depth()), ("pub/", 0));
    assert_eq!(walk.next_step(), WalkStep::Listing);
    assert!(walk.handle_listed(Listed::new("a.txt", EntryType::File)));
    let WalkStep::Entry(e) = walk.next_step() else {
        panic!()
    };
    assert_eq!(
        (e.path(), e.relative_path(), e.name()),
        ("pub/a.txt", "a.txt", "a.txt")
    );
    assert_eq!(walk.next_step(), WalkStep::Listing);
    walk.handle_listing_end();
    assert_eq!(walk.held_bytes(), 0);
    assert_eq!(walk.next_step(), WalkStep::Done);
}

#[test]
fn a_name_listed_twice_in_one_directory_is_refused_the_second_time() {
    // Two different byte names that decode to the same text (lossy UTF-8 gives U+FFFD for
    // both) arrive here as the same name.
    let t = tree(&[
        (
            "",
            rows(&[
                ("caf\u{fffd}.bin", EntryType::File),
                ("sub", EntryType::Dir),
                ("caf\u{fffd}.bin", EntryType::File),
                ("sub", EntryType::Dir),
            ]),
        ),
        ("sub", rows(&[("caf\u{fffd}.bin", EntryType::File)])),
    ]);
    let out = drive(
        WalkPlanner::new("", WalkLimits::default()),
        |p| t.get(p).cloned(),
        100,
    );
    assert_eq!(
        out.entries,
        ["caf\u{fffd}.bin", "sub", "sub/caf\u{fffd}.bin"]
    );
    assert_eq!(out.listed, ["", "sub"]);
    assert_eq!(out.errors.len(), 2);
    assert!(
        out.errors
            .iter()
            .all(|e| matches!(e, WalkError::DuplicateName { .. }))
    );
}

#[test]
fn with_fold_case_names_differing_only_in_case_are_refused_the_second_time() {
    let listing = || {
        Some(rows(&[
            ("README", EntryType::File),
            ("readme", EntryType::File),
            ("Caf\u{c9}", EntryType::File),
            ("caf\u{e9}", EntryType::File),
        ]))
    };
    let out = drive(
        WalkPlanner::new("", WalkLimits::default()),
        |_| listing(),
        100,
    );
    assert_eq!(out.entries.len(), 4);
    let mut walk = WalkPlanner::new("", WalkLimits::default());
    walk.fold_case(true);
    let out = drive(walk, |_| listing(), 100);
    assert_eq!(out.entries, ["README", "Caf\u{c9}"]);
    assert_eq!(out.errors.len(), 2);
}

#[test]
fn lines_that_give_no_entry_still_count_against_the_limits() {
    let limits = WalkLimits {
        max_entries_per_dir: 3,
        ..WalkLimits::default()
    };
    let mut walk = WalkPlanner::new("", limits);
    assert!(matches!(walk.next_step(), WalkStep::List(_)));
    // An endless listing of unparseable lines ends at the limit.
    let fed = (0..1_000_000).take_while(|_| walk.handle_skipped()).count();
    assert_eq!(fed, 3);
    let WalkStep::Error(e) = walk.next_step() else {
        panic!()
    };
    assert_eq!(e.limit(), Some(Limit::EntriesPerDir));
    assert_eq!(walk.next_step(), WalkStep::Done);
}
