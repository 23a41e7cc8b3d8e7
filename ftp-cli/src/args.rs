//! The command line: options before the URL, then one command and its arguments.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Parser, Subcommand};
use ftp_blocking::Encoding;

const ABOUT: &str = "An FTP and FTPS client for the command line and for scripts.";

const LONG_ABOUT: &str = "\
An FTP and FTPS client for the command line and for scripts.

The URL says where to connect and as whom:
    ftp://[USER[:PASSWORD]@]HOST[:PORT][/PATH]    plain FTP (port 21), or explicit FTPS with --tls
    ftps://[USER[:PASSWORD]@]HOST[:PORT][/PATH]   implicit FTPS: TLS from the first byte (port 990)
USER and PASSWORD are percent-decoded (write '@' as %40, ':' as %3A). Without a user in the URL,
the .netrc file (--netrc FILE, else $NETRC, else ~/.netrc) is searched for the host; without an
entry there, the login is anonymous. With a user but no password, the password comes from the
.netrc entry for that host and user, if any. A .netrc file that holds a password for a login
other than anonymous is refused when other users can read it (chmod 600 it). Instead of writing
the password in the URL, where other local users can see it in the process list, give it with
--password-env VAR or --ask-password; a password in the URL over plain FTP gets a warning, and
so does the .netrc `default` entry sent over plain FTP to a host the file does not name.

After logging in, ftp-cli changes to the URL's directory: the whole PATH when it ends with '/',
else everything before its last '/'. PATH is relative to the login directory; write an absolute
path with a doubled slash (ftp://host//etc/). Paths given to commands are relative to that
directory. Passwords are never printed: not with -v or -vv, not in error messages.

Without a COMMAND, ftp-cli lists the URL's path: `ftp-cli ftp://host/pub/` is `ftp-cli
ftp://host/pub/ ls`, and `ftp-cli ftp://host/pub` is `ftp-cli ftp://host/ ls pub`. A URL ending
in a typecode (RFC 1738) is honoured instead: `;type=d` prints the names in the directory
(NLST), `;type=a` prints the file in ASCII mode, `;type=i` copies it to standard output in
binary.

A path or raw command holding a CR, LF or NUL character is refused before anything is sent.";

const AFTER_HELP: &str = "\
Exit status:
    0  success
    1  a local error (a local file cannot be read or written)
    2  usage error: bad options or arguments, a bad URL or .netrc file, a CR/LF in a path
    3  connection, timeout, TLS or protocol failure (the server broke the protocol)
    4  the server refused temporarily (a 4xx reply)
    5  the server refused permanently (a 5xx reply)
Errors print the server's reply on standard error.

Examples:
    ftp-cli ftp://ftp.example.com/pub/                      list a directory
    ftp-cli ftp://ftp.example.com/pub/ ls -l                with type, size and time
    ftp-cli ftp://alice@example.com/ get report.pdf          password from ~/.netrc
    ftp-cli --tls --ask-password ftp://alice@example.com/     password from a prompt
    ftp-cli --tls ftp://alice:s3cret@example.com/ put -c big.iso
    ftp-cli ftps://example.com/ get data.csv - | wc -l       implicit FTPS, to standard output
    ftp-cli ftp://example.com/ mirror pub/docs ./docs         a whole tree
    ftp-cli ftp://example.com/ quote 'SITE CHMOD 644 a.txt'";

/// `ftp-cli [OPTIONS] URL [COMMAND [ARGS]]`.
#[derive(Debug, Parser)]
#[command(
    name = "ftp-cli",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    subcommand_value_name = "COMMAND",
    subcommand_help_heading = "Commands",
    args_override_self = true
)]
pub(crate) struct Cli {
    /// Active mode: the server connects back to us (EPRT, or PORT on IPv4 when EPRT is
    /// refused). The default is passive mode (EPSV, or PASV on IPv4 when EPSV is refused).
    #[arg(long)]
    pub(crate) active: bool,

    /// Explicit FTPS: AUTH TLS before logging in, then PROT P so that data connections are
    /// encrypted too. Certificates are verified against the system's roots.
    #[arg(long, conflicts_with = "implicit_tls")]
    pub(crate) tls: bool,

    /// Implicit FTPS: TLS from the first byte (what an ftps:// URL means; port 990 by default).
    #[arg(long)]
    pub(crate) implicit_tls: bool,

    /// Trust the CA certificates in FILE (PEM) as well as the system's roots.
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_file: Option<PathBuf>,

    /// DANGEROUS: accept any server certificate and host name. Anyone on the path can read and
    /// change the session, password included. For tests only.
    #[arg(long)]
    pub(crate) insecure: bool,

    /// Bound every wait: connecting (name resolution included), each whole reply however
    /// slowly it trickles in, opening or accepting a data connection, data going idle.
    /// Default: 30 seconds for each, 60 for data idleness.
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub(crate) timeout: Option<Duration>,

    /// The most a whole transfer or listing may take, from its first command to its final
    /// reply (as curl's --max-time). Default: no limit.
    #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
    pub(crate) max_time: Option<Duration>,

    /// Fail a transfer moving fewer than BYTES per second on average over --speed-time
    /// seconds (as curl's --speed-limit). Default: no limit.
    #[arg(long, value_name = "BYTES")]
    pub(crate) speed_limit: Option<u64>,

    /// The window of --speed-limit, in seconds. Default: 30.
    #[arg(long, value_name = "SECS", value_parser = parse_timeout, requires = "speed_limit")]
    pub(crate) speed_time: Option<Duration>,

    /// Print the dialogue on standard error: -v each command and reply, -vv every line both
    /// ways (Python ftplib's debug levels 1 and 2). The password is shown as ****.
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Connect data connections to the address in the server's PASV reply instead of the
    /// control connection's peer (needed behind some NATs; a hostile server could aim
    /// connections elsewhere).
    #[arg(long)]
    pub(crate) trust_pasv_ip: bool,

    /// The encoding of names, paths and replies on the server (Python ftplib's `encoding=`):
    /// utf-8 (the default), latin-1, or a WHATWG label such as cp1251, koi8-u, gbk, gb18030,
    /// big5, shift_jis, euc-jp, euc-kr. Names the server lists are sent back as the same bytes.
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    pub(crate) encoding: Option<Encoding>,

    /// Read credentials from FILE instead of $NETRC or ~/.netrc.
    #[arg(long, value_name = "FILE")]
    pub(crate) netrc: Option<PathBuf>,

    /// Take the password from the environment variable VAR instead of the URL: it stays out
    /// of the process list and the shell history.
    #[arg(long, value_name = "VAR", conflicts_with = "ask_password")]
    pub(crate) password_env: Option<String>,

    /// Ask for the password on the terminal, without echo (instead of the URL).
    #[arg(long)]
    pub(crate) ask_password: bool,

    /// Where to connect (see the long help).
    #[arg(
        value_name = "URL",
        help = "Where to connect: ftp://[USER[:PASSWORD]@]HOST[:PORT][/PATH] or ftps://..."
    )]
    pub(crate) url: String,

    /// What to do; without one, `ls` of the URL's path.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List a directory, one name per line (the raw line for an entry no parser could read).
    /// Uses MLSD when the server's FEAT lists it, else LIST. Output streams as it arrives.
    Ls {
        /// Long format: type (d directory, - file, l link, ? other), size, time (UTC for MLSD),
        /// name.
        #[arg(short = 'l')]
        long: bool,
        /// The directory (default: the URL's directory); a file is shown alone.
        path: Option<String>,
    },
    /// Download REMOTE to LOCAL (default: REMOTE's file name in the current directory; into
    /// LOCAL when it is a directory or ends with `/`; `-` writes to standard output).
    Get {
        /// Resume: continue the local file from its length (REST).
        #[arg(short = 'c', long = "continue")]
        resume: bool,
        /// The remote file.
        remote: String,
        /// The local file, or `-` for standard output.
        local: Option<String>,
    },
    /// Upload LOCAL (`-` reads standard input) to REMOTE (default: LOCAL's file name; into
    /// REMOTE when it ends with `/`).
    Put {
        /// Resume: append the rest of LOCAL from the remote file's size (SIZE, then APPE).
        #[arg(short = 'c', long = "continue")]
        resume: bool,
        /// The local file, or `-` for standard input (REMOTE is then required).
        local: String,
        /// The remote file.
        remote: Option<String>,
    },
    /// Copy the remote tree REMOTE into the local directory LOCAL (created if missing). Files
    /// whose local copy already has the remote size are skipped; symbolic links are not
    /// followed. Remote times are kept where the server gives them.
    Mirror {
        /// Resume files whose local copy is shorter than the remote one, instead of
        /// downloading them again.
        #[arg(short = 'c', long = "continue")]
        resume: bool,
        /// The remote directory.
        remote: String,
        /// The local directory.
        local: PathBuf,
    },
    /// Delete a remote file (DELE).
    Rm {
        /// The remote file.
        path: String,
    },
    /// Create a remote directory (MKD).
    Mkdir {
        /// The directory to create.
        path: String,
    },
    /// Remove an empty remote directory (RMD).
    Rmdir {
        /// The directory to remove.
        path: String,
    },
    /// Rename or move a remote file or directory (RNFR, RNTO).
    Mv {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Print the size of a remote file in bytes (SIZE).
    Size {
        /// The remote file.
        path: String,
    },
    /// Print the modification time of a remote file, UTC, as YYYY-MM-DDTHH:MM:SSZ (MDTM).
    Mtime {
        /// The remote file.
        path: String,
    },
    /// Print the remote working directory (PWD).
    Pwd,
    /// Send one raw command and print the server's reply, e.g. quote 'SITE CHMOD 644 a.txt'.
    /// Commands that open a data connection are refused; use the commands above.
    Quote {
        /// The command line, one argument (quote it).
        command: String,
    },
    /// What a URL with a `;type=` code asks for (the command when the URL has one and no
    /// COMMAND is given): `;type=d` prints the names (NLST), `;type=a` prints the file in ASCII
    /// (TYPE A), `;type=i` copies it in binary (TYPE I) to standard output.
    #[command(hide = true)]
    Fetch {
        /// The URL whose path and typecode say what to fetch (password masked).
        #[arg(skip)]
        url: String,
    },
}

impl Command {
    /// Every argument that goes to the server, to refuse CR, LF and NUL before connecting.
    pub(crate) fn remote_args(&self) -> Vec<&str> {
        match self {
            Command::Ls { path, .. } => path.iter().map(String::as_str).collect(),
            Command::Get { remote, .. } => vec![remote],
            Command::Put { remote, .. } => remote.iter().map(String::as_str).collect(),
            Command::Mirror { remote, .. } => vec![remote],
            Command::Rm { path }
            | Command::Mkdir { path }
            | Command::Rmdir { path }
            | Command::Size { path }
            | Command::Mtime { path } => vec![path],
            Command::Mv { from, to } => vec![from, to],
            Command::Pwd => vec![],
            Command::Quote { command } => vec![command],
            // The URL's parts were checked when it was parsed.
            Command::Fetch { .. } => vec![],
        }
    }
}

fn parse_encoding(text: &str) -> Result<Encoding, String> {
    text.parse::<Encoding>().map_err(|e| e.to_string())
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 1e9 {
        return Err("the timeout must be more than 0 seconds".to_owned());
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn max_time_and_speed_limit_options_parse() {
        let cli = Cli::try_parse_from([
            "ftp-cli",
            "--max-time",
            "60",
            "--speed-limit",
            "1000",
            "--speed-time",
            "5",
            "ftp://h/",
            "ls",
        ])
        .unwrap();
        assert_eq!(cli.max_time, Some(Duration::from_secs(60)));
        assert_eq!(cli.speed_limit, Some(1000));
        assert_eq!(cli.speed_time, Some(Duration::from_secs(5)));
        assert!(
            Cli::try_parse_from(["ftp-cli", "--speed-time", "5", "ftp://h/", "ls"]).is_err(),
            "--speed-time needs --speed-limit"
        );
    }

    #[test]
    fn timeout_accepts_fractions_and_refuses_zero() {
        assert_eq!(parse_timeout("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-3").is_err());
        assert!(parse_timeout("nan").is_err());
        assert!(parse_timeout("soon").is_err());
    }

    #[test]
    fn options_come_before_the_url_and_command_after() {
        let cli = Cli::try_parse_from([
            "ftp-cli",
            "--active",
            "-vv",
            "--timeout",
            "5",
            "ftp://h/",
            "get",
            "--continue",
            "a.txt",
            "-",
        ])
        .unwrap();
        assert!(cli.active);
        assert_eq!(cli.verbose, 2);
        assert_eq!(cli.timeout, Some(Duration::from_secs(5)));
        assert!(matches!(
            cli.command,
            Some(Command::Get { resume: true, ref remote, ref local }) if remote == "a.txt" && local.as_deref() == Some("-")
        ));
    }

    #[test]
    fn no_command_is_allowed() {
        let cli = Cli::try_parse_from(["ftp-cli", "ftp://h/pub/"]).unwrap();
        assert!(cli.command.is_none());
    }

    #[test]
    fn tls_and_implicit_tls_conflict() {
        assert!(Cli::try_parse_from(["ftp-cli", "--tls", "--implicit-tls", "ftp://h/"]).is_err());
    }
}
