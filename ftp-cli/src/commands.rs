//! Connecting and carrying out one command.

use std::fs::{self, File};
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use ftp_blocking::ftp_proto::Timestamp;
use ftp_blocking::ftp_proto::listing::{EntryType, ListEntry};
use ftp_blocking::ftp_proto::plan::ListingChoice;
use ftp_blocking::ftp_proto::text::escape_for_terminal;
use ftp_blocking::tls::TlsConfig;
use ftp_blocking::url::{FtpUrl, UrlError};
use ftp_blocking::{
    DirItem, Error, Ftp, PARTIAL_SUFFIX, Progress, TransferOptions, into_ftp_error, partial_path,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::{Cli, Command};
use crate::exit::{self, Failure};

/// The buffer standard input and output transfers move data through.
const STREAM_BUFFER: usize = 256 * 1024;

/// Parses, checks every argument, connects, logs in, runs the command, says QUIT.
pub(crate) fn run(mut cli: Cli) -> Result<(), Failure> {
    let url = FtpUrl::parse(&cli.url).map_err(|e| match e {
        UrlError::Syntax(_) if !cli.url.contains("://") => Failure::Usage(format!(
            "{e}: the URL starts with ftp:// or ftps://, e.g. ftp://HOST/"
        )),
        e => Failure::Usage(e.to_string()),
    })?;
    let command = cli.command.take().unwrap_or_else(|| default_command(&url));
    check_arguments(&command)?;
    check_streams(&command)?;
    let command = resolve_names(command)?;
    let (url, netrc) = crate::credentials::resolve(&cli, url)?;

    let mut builder = Ftp::builder()
        .passive(!cli.active)
        .trust_server_pasv_ipv4_address(cli.trust_pasv_ip)
        .debuglevel(cli.verbose);
    if let Some(timeout) = cli.timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(max_time) = cli.max_time {
        builder = builder.max_time(max_time);
    }
    if let Some(limit) = cli.speed_limit {
        let window = cli.speed_time.unwrap_or(std::time::Duration::from_secs(30));
        builder = builder.low_speed_limit(limit, window);
    }
    if let Some(encoding) = cli.encoding {
        builder = builder.encoding(encoding);
    }
    let implicit = cli.implicit_tls || url.scheme().implicit_tls();
    if cli.tls || implicit {
        // connect_url_with then logs in with AUTH TLS first (explicit) or inside TLS
        // (implicit), and asks PROT P for the data connections.
        let tls = tls_config(&cli)?;
        builder = if implicit {
            builder.implicit_tls(tls)
        } else {
            builder.tls(tls)
        };
    } else if cli.ca_file.is_some() || cli.insecure {
        eprintln!(
            "ftp-cli: note: --ca-file and --insecure have no effect without --tls, --implicit-tls or ftps://"
        );
    }

    let mut ftp = builder.connect_url_with(&url, netrc.as_ref())?;
    let result = execute(&mut ftp, command, cli.verbose > 0);
    match &result {
        // After a failure that ended the session there is no one to say QUIT to.
        Err(Failure::Ftp(e)) if exit::session_lost(e) => ftp.close(),
        _ => {
            let _ = ftp.quit();
        }
    }
    result
}

/// No command: list the URL's path (its file part, if it names one, relative to its directory),
/// or, for a URL with a `;type=` code, what that asks for.
fn default_command(url: &FtpUrl) -> Command {
    if url.typecode().is_some() {
        return Command::Fetch {
            url: url.to_string(),
        };
    }
    Command::Ls {
        long: false,
        path: url.file_name().map(str::to_owned),
    }
}

/// A CR, LF or NUL in anything sent to the server is refused before connecting.
fn check_arguments(command: &Command) -> Result<(), Failure> {
    for arg in command.remote_args() {
        if let Some(bad) = arg.chars().find(|c| matches!(c, '\r' | '\n' | '\0')) {
            return Err(Failure::Usage(format!(
                "refusing an argument that holds {}: {arg:?}",
                match bad {
                    '\r' => "a CR",
                    '\n' => "an LF",
                    _ => "a NUL",
                }
            )));
        }
    }
    Ok(())
}

/// Fills in the names a command leaves out, before connecting: `get REMOTE` saves to REMOTE's
/// file name, `get REMOTE DIR` (an existing directory, or a path ending with `/`) into DIR;
/// `put LOCAL` stores under LOCAL's file name, `put LOCAL DIR/` into DIR. A local file to upload
/// must open.
fn resolve_names(command: Command) -> Result<Command, Failure> {
    Ok(match command {
        Command::Get {
            resume,
            remote,
            local,
        } => {
            let local = match local {
                Some(local) if local == "-" => local,
                Some(local) if !(local.ends_with('/') || Path::new(&local).is_dir()) => local,
                into_dir => {
                    let name = file_name_of(&remote);
                    if name.is_empty() || name == "." || name == ".." {
                        return Err(Failure::Usage(format!(
                            "cannot name a local file after {remote:?}: give LOCAL"
                        )));
                    }
                    match into_dir {
                        Some(dir) => Path::new(&dir).join(name).to_string_lossy().into_owned(),
                        None => name.to_owned(),
                    }
                }
            };
            Command::Get {
                resume,
                remote,
                local: Some(local),
            }
        }
        Command::Put {
            resume,
            local,
            remote,
        } if local != "-" => {
            File::open(&local).map_err(|e| Failure::Local(format!("cannot open {local}: {e}")))?;
            let remote = match remote {
                Some(remote) if !remote.ends_with('/') => remote,
                into_dir => {
                    let Some(name) = Path::new(&local).file_name().and_then(|n| n.to_str()) else {
                        return Err(Failure::Usage(format!(
                            "cannot name a remote file after {local:?}: give REMOTE"
                        )));
                    };
                    format!("{}{name}", into_dir.unwrap_or_default())
                }
            };
            Command::Put {
                resume,
                local,
                remote: Some(remote),
            }
        }
        other => other,
    })
}

/// `-` (standard input or output) where a file name is needed is refused before connecting.
fn check_streams(command: &Command) -> Result<(), Failure> {
    let problem = match command {
        Command::Put {
            local,
            remote: None,
            ..
        } if local == "-" => "put - (standard input) needs a REMOTE name",
        Command::Put {
            resume: true,
            local,
            ..
        } if local == "-" => "--continue needs a local file, not standard input",
        Command::Get {
            resume: true,
            local: Some(local),
            ..
        } if local == "-" => "--continue needs a local file, not standard output",
        _ => return Ok(()),
    };
    Err(Failure::Usage(problem.to_owned()))
}

fn tls_config(cli: &Cli) -> Result<TlsConfig, Failure> {
    let mut tls = TlsConfig::builder();
    if let Some(path) = &cli.ca_file {
        tls = tls
            .add_ca_file(path)
            .map_err(|e| Failure::Usage(format!("--ca-file {}: {e}", path.display())))?;
    }
    if cli.insecure {
        eprintln!(
            "ftp-cli: WARNING: --insecure: the server's certificate is NOT verified; anyone on \
             the network path can read and change this session, password included"
        );
        tls = tls.danger_accept_invalid_certs(true);
    }
    tls.build()
        .map_err(|e| Failure::Usage(format!("TLS configuration: {e}")))
}

fn execute(ftp: &mut Ftp, command: Command, verbose: bool) -> Result<(), Failure> {
    let stdout = io::stdout();
    match command {
        Command::Ls { long, path } => ls(ftp, path.as_deref().unwrap_or(""), long),
        Command::Get {
            resume,
            remote,
            local,
        } => get(ftp, &remote, local.as_deref(), resume, verbose),
        Command::Put {
            resume,
            local,
            remote,
        } => put(ftp, &local, remote.as_deref(), resume, verbose),
        Command::Mirror {
            resume,
            remote,
            local,
        } => mirror(ftp, &remote, &local, resume, verbose),
        Command::Rm { path } => ftp.delete(&path).map(drop).map_err(Failure::from),
        Command::Mkdir { path } => ftp.mkd(&path).map(drop).map_err(Failure::from),
        Command::Rmdir { path } => ftp.rmd(&path).map(drop).map_err(Failure::from),
        Command::Mv { from, to } => ftp.rename(&from, &to).map(drop).map_err(Failure::from),
        Command::Size { path } => {
            // None: a positive reply that is not 213 (the server will not say).
            let size = ftp.size(&path)?;
            print_line(&stdout, &size.map_or("unknown".into(), |n| n.to_string()))
        }
        Command::Mtime { path } => {
            let time = ftp.mdtm(&path)?;
            print_line(&stdout, &iso8601(&time))
        }
        Command::Fetch { url } => {
            let mut out = stdout.lock();
            ftp.fetch_url(&url, &mut out)?;
            out.flush().map_err(stdout_error)
        }
        Command::Pwd => {
            let pwd = ftp.pwd()?;
            print_line(&stdout, &pwd)
        }
        Command::Quote { command } => {
            let reply = ftp.sendcmd(&command).map_err(|e| match e {
                Error::Usage(refused) => {
                    Failure::Usage(format!("{refused}; use ls, get or put for transfers"))
                }
                e => Failure::Ftp(e),
            })?;
            print_line(&stdout, &ftp.encoding().decode_reply(&reply))
        }
    }
}

fn print_line(stdout: &io::Stdout, line: &str) -> Result<(), Failure> {
    let mut out = stdout.lock();
    writeln!(out, "{}", exit::terminal_safe(line))
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

fn stdout_error(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        // The reader went away (`| head`): stop quietly.
        Failure::Quiet(0)
    } else {
        Failure::Local(format!("cannot write to standard output: {e}"))
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
fn iso8601(t: &Timestamp) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `YYYY-MM-DD HH:MM`, as the long listing shows times.
fn short_time(t: &Timestamp) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn type_char(kind: Option<&EntryType>) -> char {
    match kind {
        Some(EntryType::File) => '-',
        Some(EntryType::Dir | EntryType::CurrentDir | EntryType::ParentDir) => 'd',
        Some(EntryType::Symlink) => 'l',
        Some(EntryType::CharDevice) => 'c',
        Some(EntryType::BlockDevice) => 'b',
        Some(EntryType::Pipe) => 'p',
        Some(EntryType::Socket) => 's',
        _ => '?',
    }
}

fn long_line(
    kind: Option<&EntryType>,
    size: Option<u64>,
    time: Option<Timestamp>,
    name: &str,
) -> String {
    let size = size.map_or_else(|| "-".to_owned(), |s| s.to_string());
    let time = time.map_or_else(|| "-".to_owned(), |t| short_time(&t));
    format!("{} {size:>12} {time:<16} {name}", type_char(kind))
}

/// One line of `ls` for an item of the listing; `None` for `.`/`..` (MLSD `cdir`/`pdir`).
fn ls_line(
    item: &DirItem<'_>,
    long: bool,
    ftp_encoding: ftp_blocking::Encoding,
    now: Option<Timestamp>,
) -> Option<String> {
    match item {
        DirItem::Mlsd(entry) => {
            let facts = entry.facts();
            let kind = facts.kind();
            if matches!(kind, Some(EntryType::CurrentDir | EntryType::ParentDir)) {
                return None;
            }
            let name = ftp_encoding.decode(entry.name());
            Some(if long {
                long_line(kind.as_ref(), facts.size(), facts.modify(), &name)
            } else {
                name
            })
        }
        DirItem::List(entry) => Some(match (entry, entry.name()) {
            (ListEntry::Unparsed(raw), _) => String::from_utf8_lossy(raw).into_owned(),
            (_, None) => String::from_utf8_lossy(entry.raw()).into_owned(),
            (_, Some(name)) => {
                let name = ftp_encoding.decode(name);
                if long {
                    let time = entry
                        .modified()
                        .and_then(|t| now.and_then(|now| t.resolve(now)).or_else(|| t.full()));
                    long_line(entry.kind().as_ref(), entry.size(), time, &name)
                } else {
                    name
                }
            }
        }),
        DirItem::Bad(e) => {
            eprintln!(
                "ftp-cli: warning: skipped a listing line: {}",
                exit::terminal_safe(&e.to_string())
            );
            None
        }
        _ => None,
    }
}

/// Lists PATH with the listing the core's [`ListingChoice`] picks (MLSD, else LIST, with its
/// fallbacks); a file named by PATH, which MLSD refuses, is shown from its MLST facts.
fn ls(ftp: &mut Ftp, path: &str, long: bool) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let encoding = ftp.encoding();
    let mut choice = ListingChoice::new();
    let mut printed = false;
    let mut broken = None;
    let now = Timestamp::from_system_time(std::time::SystemTime::now());
    let listed = ftp.list_dir(path, &mut choice, false, |item| {
        if let Some(line) = ls_line(&item, long, encoding, now) {
            if let Err(e) = writeln!(out, "{}", escape_for_terminal(&line)) {
                broken = Some(e);
                return Ok(false);
            }
            printed = true;
        }
        Ok(true)
    });
    if let Some(e) = broken {
        return Err(stdout_error(e));
    }
    match listed {
        Ok(_) => out.flush().map_err(stdout_error),
        // MLSD lists directories only: a file named by PATH is shown from its MLST facts.
        Err(e @ Error::Permanent(_)) if !printed && !path.is_empty() && choice.uses_mlsd() => {
            match ftp.mlst(path) {
                Ok(entry) if !entry.facts().kind().is_some_and(|k| k.is_dir()) => {
                    let facts = entry.facts();
                    let line = if long {
                        long_line(facts.kind().as_ref(), facts.size(), facts.modify(), path)
                    } else {
                        path.to_owned()
                    };
                    writeln!(out, "{}", escape_for_terminal(&line))
                        .and_then(|()| out.flush())
                        .map_err(stdout_error)
                }
                _ => Err(e.into()),
            }
        }
        Err(e) => {
            out.flush().map_err(stdout_error)?;
            Err(e.into())
        }
    }
}

/// A progress bar on standard error when it is a terminal; `None` otherwise.
fn progress_bar(label: &str) -> Option<ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(escape_for_terminal(label).into_owned());
    Some(bar)
}

/// Resume as asked; a progress callback only when there is a bar to move (without one, the
/// library moves plain-TCP data with kernel zero-copy); with `-v`, what the transfer decided
/// (a size check skipped, a resume started over) on standard error.
fn transfer_options(resume: bool, bar: &Option<ProgressBar>, verbose: bool) -> TransferOptions<'_> {
    let mut opts = TransferOptions::new().resume(resume);
    if verbose {
        opts = opts
            .on_note(|note| eprintln!("ftp-cli: note: {}", exit::terminal_safe(&note.to_string())));
    }
    if bar.is_some() {
        opts.progress(follow(bar))
    } else {
        opts
    }
}

fn follow(bar: &Option<ProgressBar>) -> impl FnMut(&Progress) + '_ {
    move |p: &Progress| {
        if let Some(bar) = bar {
            if let Some(total) = p.total {
                bar.set_length(total);
            }
            bar.set_position(p.position());
        }
    }
}

fn file_name_of(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

fn get(
    ftp: &mut Ftp,
    remote: &str,
    local: Option<&str>,
    resume: bool,
    verbose: bool,
) -> Result<(), Failure> {
    let bar = progress_bar(file_name_of(remote));
    if local == Some("-") {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        let mut reader = ftp.retr(remote, None)?;
        if let (Some(bar), Some(total)) = (&bar, reader.announced_size()) {
            bar.set_length(total);
        }
        if bar.is_none() {
            // No progress to show: the kernel moves the bytes (splice from the data socket
            // into a piped standard output, or through a pipe into a file or /dev/null),
            // falling back to a buffer where standard output refuses splice (a terminal).
            let mut file = out
                .as_fd()
                .try_clone_to_owned()
                .map(File::from)
                .map_err(|e| Failure::Local(format!("cannot write to standard output: {e}")))?;
            if let Err(e) = reader.copy_to_file(&mut file) {
                return Err(stdout_or_ftp_error(e, &file));
            }
            reader.finish()?;
            return Ok(());
        }
        let mut buf = vec![0u8; STREAM_BUFFER];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(into_ftp_error(e).into()),
            };
            out.write_all(&buf[..n])
                .map_err(|e| Failure::Local(format!("cannot write to standard output: {e}")))?;
            if let Some(bar) = &bar {
                bar.inc(n as u64);
            }
        }
        reader.finish()?;
        out.flush()
            .map_err(|e| Failure::Local(format!("cannot write to standard output: {e}")))?;
    } else {
        // resolve_names() has named the local file.
        let local = PathBuf::from(local.unwrap_or_default());
        let opts = transfer_options(resume, &bar, verbose);
        if let Err(e) = ftp.download_file(remote, &local, opts) {
            tell_partial(&local);
            return Err(e.into());
        }
    }
    if let Some(bar) = bar {
        bar.finish();
    }
    Ok(())
}

/// A failed zero-copy `get -`: a reader of standard output that went away is a local error,
/// as a failed `write` to it is; anything else is the session's.
fn stdout_or_ftp_error(e: Error, stdout: &File) -> Failure {
    match &e {
        Error::Io(io) if io.kind() == io::ErrorKind::BrokenPipe => {
            Failure::Local(format!("cannot write to standard output: {io}"))
        }
        _ if ftp_blocking::data::is_broken_pipe(stdout) => Failure::Local(
            "cannot write to standard output: the reading program went away (broken pipe)"
                .to_owned(),
        ),
        _ => e.into(),
    }
}

/// After a failed download: what was kept, and how to resume it.
fn tell_partial(local: &Path) {
    let Some(part) = partial_path(local) else {
        return;
    };
    if let Some(len) = local_file_len(&part).filter(|&n| n > 0) {
        eprintln!(
            "ftp-cli: kept {len} bytes in {}; run the same command with --continue to resume",
            escape_for_terminal(&part.display().to_string())
        );
    }
}

fn put(
    ftp: &mut Ftp,
    local: &str,
    remote: Option<&str>,
    resume: bool,
    verbose: bool,
) -> Result<(), Failure> {
    if local == "-" {
        let remote = remote.unwrap_or_default();
        let bar = progress_bar(file_name_of(remote));
        let stdin = io::stdin();
        let mut input = stdin.lock();
        let mut writer = ftp.stor(remote)?;
        let mut buf = vec![0u8; STREAM_BUFFER];
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    drop(writer.abort());
                    return Err(Failure::Local(format!("cannot read standard input: {e}")));
                }
            };
            writer.write_all(&buf[..n]).map_err(into_ftp_error)?;
            if let Some(bar) = &bar {
                bar.inc(n as u64);
            }
        }
        writer.finish()?;
        if let Some(bar) = bar {
            bar.finish();
        }
        return Ok(());
    }
    // resolve_names() has checked the local file and named the remote one.
    let local_path = Path::new(local);
    let remote = remote.unwrap_or_default();
    let bar = progress_bar(file_name_of(remote));
    let opts = transfer_options(resume, &bar, verbose);
    ftp.upload_file(local_path, remote, opts)?;
    if let Some(bar) = bar {
        bar.finish();
    }
    Ok(())
}

/// The local path of a walk entry (its relative path's components under `root`), refused when a directory on the way under `root` is a
/// symbolic link (writing there would write outside the mirror); the entry's own path may be
/// one (a download replaces it, never follows it).
fn safe_local_path(root: &Path, relative: &str) -> Result<PathBuf, String> {
    let mut path = root.to_path_buf();
    let mut components = relative.split('/').peekable();
    while let Some(component) = components.next() {
        path.push(component);
        if components.peek().is_some()
            && fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Err(format!(
                "{}: {} is a symbolic link: not written through",
                relative,
                path.display()
            ));
        }
    }
    Ok(path)
}

/// The length of the regular file at `path` (not following a link).
fn local_file_len(path: &Path) -> Option<u64> {
    fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
}

fn mirror(
    ftp: &mut Ftp,
    remote: &str,
    local: &Path,
    resume: bool,
    verbose: bool,
) -> Result<(), Failure> {
    fs::create_dir_all(local)
        .map_err(|e| Failure::Local(format!("cannot create {}: {e}", local.display())))?;
    // The worst status of the entries that failed; the mirror goes on past them.
    let mut status = 0u8;
    let mut note = |code: u8, message: String| {
        eprintln!("ftp-cli: {}", exit::terminal_safe(&message));
        status = status.max(code);
    };
    // Where the local file system ignores case, README and readme would be one file.
    let mut walk = ftp
        .walk(remote)?
        .fold_case(cfg!(any(windows, target_os = "macos")));
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                note(exit::code_of(&e), e.to_string());
                if exit::session_lost(&e) {
                    break;
                }
                continue;
            }
        };
        let target = match safe_local_path(local, entry.relative_path()) {
            Ok(target) => target,
            Err(message) => {
                note(exit::LOCAL, message);
                continue;
            }
        };
        match entry.kind() {
            EntryType::Dir if fs::symlink_metadata(&target).is_ok_and(|m| m.is_symlink()) => note(
                exit::LOCAL,
                format!(
                    "{} is a symbolic link: not written through",
                    target.display()
                ),
            ),
            EntryType::Dir => {
                if let Err(e) = fs::create_dir_all(&target) {
                    note(
                        exit::LOCAL,
                        format!("cannot create {}: {e}", target.display()),
                    );
                }
            }
            // A remote name that looks like a partial download would be taken for one.
            EntryType::File if entry.name().ends_with(PARTIAL_SUFFIX) => note(
                exit::LOCAL,
                format!(
                    "skipping {}: names ending in {PARTIAL_SUFFIX} are kept for partial downloads",
                    entry.path()
                ),
            ),
            EntryType::File => {
                let local_len = local_file_len(&target);
                if local_len.is_some() && local_len == entry.size() {
                    continue;
                }
                let bar = progress_bar(entry.relative_path());
                let opts = transfer_options(resume, &bar, verbose);
                match walk.ftp().download_file(entry.path(), &target, opts) {
                    Ok(_) => {
                        if let Some(bar) = bar {
                            bar.finish();
                        }
                        if let Some(time) = entry.modified() {
                            let _ = File::options()
                                .write(true)
                                .open(&target)
                                .and_then(|f| f.set_modified(time.to_system_time()));
                        }
                    }
                    Err(e) => {
                        if let Some(bar) = bar {
                            bar.abandon();
                        }
                        tell_partial(&target);
                        note(exit::code_of(&e), format!("{}: {e}", entry.path()));
                        if exit::session_lost(&e) {
                            break;
                        }
                    }
                }
            }
            other => {
                eprintln!(
                    "ftp-cli: skipping {} ({})",
                    escape_for_terminal(entry.path()),
                    match other {
                        EntryType::Symlink => "a symbolic link",
                        _ => "not a regular file",
                    }
                );
            }
        }
    }
    if status == 0 {
        Ok(())
    } else {
        Err(Failure::Quiet(status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_of_takes_the_last_component() {
        assert_eq!(file_name_of("pub/a.txt"), "a.txt");
        assert_eq!(file_name_of("a.txt"), "a.txt");
        assert_eq!(file_name_of("pub/dir/"), "dir");
        assert_eq!(file_name_of("/"), "");
    }

    #[test]
    fn safe_local_path_splits_on_slashes() {
        assert_eq!(
            safe_local_path(Path::new("out"), "a/b/c.txt"),
            Ok(Path::new("out").join("a").join("b").join("c.txt"))
        );
    }

    #[test]
    fn cr_lf_and_nul_arguments_are_refused() {
        for bad in ["a\rb", "a\nDELE x", "a\0"] {
            let command = Command::Rm {
                path: bad.to_owned(),
            };
            assert!(matches!(check_arguments(&command), Err(Failure::Usage(_))));
        }
        assert!(
            check_arguments(&Command::Rm {
                path: "ok name".to_owned()
            })
            .is_ok()
        );
    }

    #[test]
    fn long_line_shows_type_size_time_name() {
        let t = Timestamp::new(2026, 11, 22, 5, 5, 9, 0).unwrap();
        assert_eq!(
            long_line(Some(&EntryType::File), Some(54), Some(t), "a b.txt"),
            "-           54 2026-11-22 05:05 a b.txt"
        );
        assert_eq!(
            long_line(Some(&EntryType::Dir), None, None, "sub"),
            "d            - -                sub"
        );
        assert_eq!(iso8601(&t), "2026-11-22T05:05:09Z");
    }
}
