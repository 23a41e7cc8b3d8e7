//! `ftp-cli`: an FTP and FTPS client for the command line and for scripts.
//!
//! `ftp-cli [OPTIONS] URL [COMMAND [ARGS]]`; `ftp-cli --help` documents every option, command
//! and exit status.
#![forbid(unsafe_code)]

mod args;
mod commands;
mod credentials;
mod exit;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::exit::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { 0 });
        }
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Quiet(code)) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("ftp-cli: {failure}");
            ExitCode::from(failure.code())
        }
    }
}
