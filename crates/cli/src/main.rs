//! The `ferry` binary: parse arguments, run one command, exit with its status.

mod args;
mod commands;
mod exit;
mod source;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = args::Cli::parse();
    let status = match commands::run(args) {
        Ok(status) => status,
        Err(error) => {
            eprintln!("error: {error:#}");
            exit::ExitStatus::Failure
        }
    };
    status.into()
}
