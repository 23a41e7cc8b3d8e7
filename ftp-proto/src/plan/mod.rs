//! Sans-IO planners for the decisions above single commands: which listing command to send
//! ([`ListingChoice`]), what to list next when walking a remote tree ([`WalkPlanner`]), and how
//! to resume a download or an upload and check its size afterwards ([`DownloadPlan`],
//! [`UploadPlan`]).
//!
//! A planner performs no I/O and reads no clock: an adapter asks it what to do, carries the
//! commands out with its own session, and tells it what came back. Every adapter (blocking,
//! tokio, async-std) and the command-line client share these decisions instead of copying them.

mod listing;
mod resume;
mod walk;

pub use listing::{ListingChoice, ListingCommand};
pub use resume::{
    DownloadPlan, Note, RemoteSize, ResumeError, SizeCheck, UploadCommand, UploadPlan,
};
pub use walk::{
    DEFAULT_MAX_BYTES_HELD, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_ENTRIES_PER_DIR,
    DEFAULT_MAX_NAME_LEN, DEFAULT_MAX_PATH_LEN, DirToList, Limit, Listed, WalkEntry, WalkError,
    WalkLimits, WalkPlanner, WalkStep,
};
