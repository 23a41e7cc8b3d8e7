//! The resume plans (REST for downloads, SIZE then APPE for uploads, the size check after)
//! and the listing choice (MLSD, `LIST -a`, `LIST`).

use ftp_proto::parse::Features;
use ftp_proto::plan::{
    DownloadPlan, ListingChoice, ListingCommand, Note, RemoteSize, ResumeError, SizeCheck,
    UploadCommand, UploadPlan,
};
use ftp_proto::reply::ReplyCode;

fn code(n: &[u8; 3]) -> ReplyCode {
    ReplyCode::from_digits(*n).unwrap()
}

// ---- downloads

#[test]
fn download_without_resume_starts_at_zero_and_checks_the_known_size() {
    let mut plan = DownloadPlan::new(500, RemoteSize::Known(10), false).unwrap();
    assert_eq!(
        (plan.offset(), plan.rest(), plan.total()),
        (0, None, Some(10))
    );
    plan.handle_data(10).unwrap();
    assert_eq!(plan.finish(), Ok(SizeCheck::Matched(10)));
    assert!(plan.notes().is_empty());
}

#[test]
fn download_resume_sends_rest_at_the_partial_length() {
    let mut plan = DownloadPlan::new(400, RemoteSize::Known(1000), true).unwrap();
    assert_eq!((plan.offset(), plan.rest()), (400, Some(400)));
    assert!(!plan.is_complete());
    plan.handle_announced(Some(1000)); // vsftpd announces the whole file after REST
    plan.handle_data(600).unwrap();
    assert_eq!(plan.finish(), Ok(SizeCheck::Matched(1000)));
}

#[test]
fn download_resume_of_a_complete_partial_fetches_nothing() {
    let plan = DownloadPlan::new(1000, RemoteSize::Known(1000), true).unwrap();
    assert!(plan.is_complete());
}

#[test]
fn download_resume_refuses_a_partial_longer_than_the_remote_file() {
    assert_eq!(
        DownloadPlan::new(1001, RemoteSize::Known(1000), true),
        Err(ResumeError::LocalLonger {
            local: 1001,
            remote: 1000
        })
    );
}

#[test]
fn download_resume_with_rest_ignored_is_caught_before_the_excess_is_written() {
    let mut plan = DownloadPlan::new(400, RemoteSize::Known(1000), true).unwrap();
    plan.handle_announced(Some(1000));
    plan.handle_data(600).unwrap();
    let e = plan.handle_data(400).unwrap_err();
    assert_eq!(
        e,
        ResumeError::TooMuchData {
            offset: 400,
            expected: 600
        }
    );
    assert!(e.to_string().contains("ignored REST"), "{e}");
}

#[test]
fn download_resume_with_unknown_remote_size_restarts_from_zero_and_says_so() {
    let mut plan = DownloadPlan::new(400, RemoteSize::Unknown, true).unwrap();
    assert_eq!((plan.offset(), plan.rest()), (0, None));
    assert_eq!(plan.notes(), [Note::ResumeRestarted { offset: 400 }]);
    plan.handle_announced(None);
    plan.handle_data(1000).unwrap();
    assert_eq!(plan.finish(), Ok(SizeCheck::Skipped));
    assert!(plan.notes().contains(&Note::SizeCheckSkipped));
}

#[test]
fn download_with_unknown_size_checks_against_the_announced_size() {
    let mut plan = DownloadPlan::new(0, RemoteSize::Unknown, false).unwrap();
    plan.handle_announced(Some(5));
    assert_eq!(plan.total(), Some(5));
    plan.handle_data(4).unwrap();
    assert_eq!(
        plan.finish(),
        Err(ResumeError::SizeMismatch {
            expected: 5,
            actual: 4
        })
    );
}

#[test]
fn download_with_unknown_size_and_nothing_announced_skips_the_check() {
    let mut plan = DownloadPlan::new(0, RemoteSize::Unknown, false).unwrap();
    plan.handle_announced(None);
    plan.handle_data(1 << 40).unwrap();
    assert_eq!(plan.finish(), Ok(SizeCheck::Skipped));
    assert_eq!(plan.notes(), [Note::SizeCheckSkipped]);
}

#[test]
fn download_after_rest_does_not_take_the_announced_size_as_the_whole() {
    // proftpd announces the rest after REST: 600, not 1000.
    let mut plan = DownloadPlan::new(400, RemoteSize::Known(1000), true).unwrap();
    plan.handle_announced(Some(600));
    assert_eq!(plan.total(), Some(1000));
}

// ---- uploads

#[test]
fn upload_without_resume_is_stor_from_zero() {
    let plan = UploadPlan::new(10);
    assert_eq!((plan.command(), plan.offset()), (UploadCommand::Stor, 0));
    assert!(!plan.is_complete());
}

#[test]
fn upload_resume_appends_from_the_remote_size() {
    let mut plan = UploadPlan::resume(1000, RemoteSize::Known(300)).unwrap();
    assert_eq!((plan.command(), plan.offset()), (UploadCommand::Appe, 300));
    plan.check_sent(700).unwrap();
    assert_eq!(
        plan.finish(RemoteSize::Known(1000)),
        Ok(SizeCheck::Matched(1000))
    );
}

#[test]
fn upload_resume_with_unknown_remote_size_sends_the_whole_file_and_says_so() {
    let mut plan = UploadPlan::resume(1000, RemoteSize::Unknown).unwrap();
    assert_eq!((plan.command(), plan.offset()), (UploadCommand::Stor, 0));
    assert_eq!(plan.notes(), [Note::UploadSentWhole]);
    plan.check_sent(1000).unwrap();
    assert_eq!(plan.finish(RemoteSize::Unknown), Ok(SizeCheck::Skipped));
    assert!(plan.notes().contains(&Note::SizeCheckSkipped));
}

#[test]
fn upload_resume_of_a_complete_file_sends_nothing() {
    assert!(
        UploadPlan::resume(10, RemoteSize::Known(10))
            .unwrap()
            .is_complete()
    );
    // An empty local file against an empty remote file is still sent (STOR creates it).
    assert!(
        !UploadPlan::resume(0, RemoteSize::Known(0))
            .unwrap()
            .is_complete()
    );
}

#[test]
fn upload_resume_refuses_a_remote_file_longer_than_the_local_one() {
    assert!(matches!(
        UploadPlan::resume(10, RemoteSize::Known(11)),
        Err(ResumeError::RemoteLonger { .. })
    ));
}

#[test]
fn upload_size_check_catches_a_short_remote_file_and_a_changed_local_file() {
    let mut plan = UploadPlan::new(10);
    assert!(matches!(
        plan.check_sent(9),
        Err(ResumeError::LocalChanged {
            before: 10,
            sent: 9
        })
    ));
    assert!(matches!(
        plan.finish(RemoteSize::Known(9)),
        Err(ResumeError::SizeMismatch { .. })
    ));
}

// ---- listing choice

fn features(lines: &[&str]) -> Features {
    let mut f = Features::new();
    for l in lines {
        f.insert(l, "");
    }
    f
}

#[test]
fn listing_uses_mlsd_when_feat_names_mlst() {
    let mut choice = ListingChoice::new();
    assert!(choice.needs_features());
    choice.handle_features(Some(&features(&["MLST", "SIZE"])));
    assert!(!choice.needs_features());
    assert_eq!(choice.command("", true), ListingCommand::Mlsd);
    assert_eq!(choice.command("", false), ListingCommand::Mlsd);
    assert!(choice.uses_mlsd());
}

#[test]
fn listing_uses_list_when_feat_is_refused_or_lacks_mlst() {
    for f in [None, Some(features(&["SIZE"]))] {
        let mut choice = ListingChoice::new();
        choice.handle_features(f.as_ref());
        assert_eq!(choice.command("pub", false), ListingCommand::List);
        assert_eq!(choice.command("pub", true), ListingCommand::ListAll);
    }
}

#[test]
fn mlsd_refused_with_500_or_502_falls_back_to_list_for_the_session() {
    for c in [b"500", b"502"] {
        let mut choice = ListingChoice::new();
        choice.handle_features(Some(&features(&["MLST"])));
        assert_eq!(
            choice.handle_refused(ListingCommand::Mlsd, code(c)),
            Some(ListingCommand::ListAll)
        );
        assert_eq!(choice.command("x", true), ListingCommand::ListAll);
        assert!(!choice.uses_mlsd());
    }
}

#[test]
fn mlsd_refused_with_550_is_a_refusal_of_the_directory() {
    let mut choice = ListingChoice::new();
    choice.handle_features(Some(&features(&["MLST"])));
    assert_eq!(
        choice.handle_refused(ListingCommand::Mlsd, code(b"550")),
        None
    );
    assert_eq!(choice.command("x", true), ListingCommand::Mlsd);
}

#[test]
fn list_a_refused_is_retried_as_list_and_dropped_for_the_session_when_that_works() {
    let mut choice = ListingChoice::new();
    choice.handle_features(None);
    assert_eq!(
        choice.handle_refused(ListingCommand::ListAll, code(b"550")),
        Some(ListingCommand::List)
    );
    choice.handle_listed(ListingCommand::List);
    assert_eq!(choice.command("pub", true), ListingCommand::List);
}

#[test]
fn list_a_refused_for_a_missing_directory_keeps_list_a() {
    let mut choice = ListingChoice::new();
    choice.handle_features(None);
    assert_eq!(
        choice.handle_refused(ListingCommand::ListAll, code(b"550")),
        Some(ListingCommand::List)
    );
    // Plain LIST is refused too: the directory was the problem.
    assert_eq!(
        choice.handle_refused(ListingCommand::List, code(b"550")),
        None
    );
    assert_eq!(choice.command("pub", true), ListingCommand::ListAll);
}

#[test]
fn list_a_that_worked_once_is_not_retried_on_a_later_refusal() {
    let mut choice = ListingChoice::new();
    choice.handle_features(None);
    choice.handle_listed(ListingCommand::ListAll);
    assert_eq!(
        choice.handle_refused(ListingCommand::ListAll, code(b"550")),
        None
    );
    assert_eq!(choice.command("pub", true), ListingCommand::ListAll);
}

#[test]
fn a_path_starting_with_a_dash_is_never_sent_after_dash_a() {
    let mut choice = ListingChoice::new();
    choice.handle_features(None);
    assert_eq!(choice.command("-rf", true), ListingCommand::List);
    assert_eq!(ListingCommand::List.argument("-rf"), Some("-rf".to_owned()));
}
