//! Which command lists a directory: MLSD, `LIST -a` or `LIST`.

use crate::parse::Features;
use crate::reply::ReplyCode;

/// A listing command chosen by [`ListingChoice`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListingCommand {
    /// `MLSD [path]`: machine-readable facts (RFC 3659); shows dot files.
    Mlsd,
    /// `LIST -a [path]`: the `ls -l` listing with dot files. vsftpd, proftpd and pure-ftpd
    /// honour `-a` (plain `LIST` hides dot files on vsftpd); pyftpdlib and libunftp accept it
    /// and ignore it (their `LIST` shows dot files anyway). Seen in the transcripts of all five.
    ListAll,
    /// `LIST [path]`.
    List,
}

impl ListingCommand {
    /// The argument to send with this command for `path` (empty: the working directory):
    /// `None` for no argument. `LIST -a` puts `-a` before the path.
    ///
    /// ```
    /// use ftp_proto::plan::ListingCommand;
    /// assert_eq!(ListingCommand::ListAll.argument("pub"), Some("-a pub".to_owned()));
    /// assert_eq!(ListingCommand::ListAll.argument(""), Some("-a".to_owned()));
    /// assert_eq!(ListingCommand::Mlsd.argument(""), None);
    /// assert_eq!(ListingCommand::List.argument("pub"), Some("pub".to_owned()));
    /// ```
    pub fn argument(self, path: &str) -> Option<String> {
        match (self, path.is_empty()) {
            (ListingCommand::ListAll, true) => Some("-a".to_owned()),
            (ListingCommand::ListAll, false) => Some(format!("-a {path}")),
            (_, true) => None,
            (_, false) => Some(path.to_owned()),
        }
    }

    /// Whether the listing comes as MLSD facts (else as LIST lines).
    pub fn is_mlsd(self) -> bool {
        self == ListingCommand::Mlsd
    }
}

/// What is known about a capability of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    Unknown,
    Yes,
    No,
}

/// The listing choice for one session: MLSD when FEAT names MLST, else LIST; MLSD refused
/// with 500 or 502 falls back to LIST for the rest of the session; where dot files are wanted
/// (a walk, a mirror), `LIST -a`, and plain `LIST` for the rest of the session if a server
/// refuses that.
///
/// The adapter keeps one per session. It asks [`needs_features`](Self::needs_features) (if
/// so, it sends FEAT and reports with [`handle_features`](Self::handle_features)), then
/// [`command`](Self::command) for each directory, and reports a refusal with
/// [`handle_refused`](Self::handle_refused) (which says what to try instead) or success with
/// [`handle_listed`](Self::handle_listed).
///
/// ```
/// use ftp_proto::parse::Features;
/// use ftp_proto::plan::{ListingChoice, ListingCommand};
/// use ftp_proto::ReplyCode;
///
/// let mut choice = ListingChoice::new();
/// assert!(choice.needs_features());
/// let mut features = Features::new();
/// features.insert("MLST", "type*;size*;");
/// choice.handle_features(Some(&features));
/// assert_eq!(choice.command("pub", true), ListingCommand::Mlsd);
/// // The server lists MLST but answers MLSD with 500: LIST from now on.
/// let code = ReplyCode::from_digits(*b"500").unwrap();
/// assert_eq!(choice.handle_refused(ListingCommand::Mlsd, code), Some(ListingCommand::ListAll));
/// assert_eq!(choice.command("pub", false), ListingCommand::List);
/// ```
#[derive(Clone, Debug)]
pub struct ListingChoice {
    mlsd: Known,
    list_all: Known,
    /// `LIST -a` was refused and plain `LIST` is being tried on the same directory.
    retrying_plain: bool,
}

impl Default for ListingChoice {
    fn default() -> Self {
        Self::new()
    }
}

impl ListingChoice {
    /// Nothing known yet: the features are needed first.
    pub fn new() -> Self {
        ListingChoice {
            mlsd: Known::Unknown,
            list_all: Known::Unknown,
            retrying_plain: false,
        }
    }

    /// Whether the adapter should send FEAT and pass the answer to
    /// [`handle_features`](Self::handle_features) before asking for a command.
    pub fn needs_features(&self) -> bool {
        self.mlsd == Known::Unknown
    }

    /// The FEAT answer: `None` when FEAT was refused (then LIST).
    pub fn handle_features(&mut self, features: Option<&Features>) {
        self.mlsd = if features.is_some_and(|f| f.contains("MLST")) {
            Known::Yes
        } else {
            Known::No
        };
    }

    /// The command that lists `path`; `dot_files` asks for hidden entries where LIST needs an
    /// option for them. A path starting with `-` is never sent after `-a` (it would read as
    /// options). Without a FEAT answer this is LIST.
    pub fn command(&self, path: &str, dot_files: bool) -> ListingCommand {
        if self.mlsd == Known::Yes {
            ListingCommand::Mlsd
        } else if dot_files && self.list_all != Known::No && !path.starts_with('-') {
            ListingCommand::ListAll
        } else {
            ListingCommand::List
        }
    }

    /// `command` was refused with `code` before any entry came: what to send instead, or
    /// `None` when the refusal stands (report it).
    ///
    /// MLSD answered with 500 or 502 (not implemented) turns MLSD off for the session and
    /// tries LIST. `LIST -a` refused (any 4xx or 5xx) before it ever worked on this session is
    /// retried once as plain `LIST`; [`handle_listed`](Self::handle_listed) on that retry turns
    /// `-a` off for the session (the server does not take options), while a refusal of the
    /// retry too leaves `-a` as it was (the directory was the problem).
    pub fn handle_refused(
        &mut self,
        command: ListingCommand,
        code: ReplyCode,
    ) -> Option<ListingCommand> {
        match command {
            ListingCommand::Mlsd if matches!(code.as_u16(), 500 | 502) => {
                self.mlsd = Known::No;
                Some(if self.list_all == Known::No {
                    ListingCommand::List
                } else {
                    ListingCommand::ListAll
                })
            }
            ListingCommand::ListAll if self.list_all != Known::Yes && code.as_u16() >= 400 => {
                self.retrying_plain = true;
                Some(ListingCommand::List)
            }
            _ => {
                // Plain LIST failed too: the directory is the problem, not `-a`.
                self.retrying_plain = false;
                None
            }
        }
    }

    /// `command` listed a directory: `LIST -a` is known to work for the session, or, when
    /// plain `LIST` worked where `LIST -a` had just been refused, known not to.
    pub fn handle_listed(&mut self, command: ListingCommand) {
        match command {
            ListingCommand::ListAll => self.list_all = Known::Yes,
            ListingCommand::List if self.retrying_plain => self.list_all = Known::No,
            _ => {}
        }
        self.retrying_plain = false;
    }

    /// Whether MLSD is in use (FEAT named MLST and MLSD was never refused as not
    /// implemented).
    pub fn uses_mlsd(&self) -> bool {
        self.mlsd == Known::Yes
    }
}
