//! One module per subcommand.

pub(crate) mod app;
pub(crate) mod cluster;
pub(crate) mod controller;
mod diff;
pub(crate) mod drill;
pub(crate) mod install;
pub(crate) mod quickstart;
mod render;
pub(crate) mod report;
pub(crate) mod server;
mod sync;
mod validate;

use crate::args::{Cli, ClusterCommand, Command};
use crate::exit::ExitStatus;

/// Runs the command `args` names.
pub fn run(args: Cli) -> anyhow::Result<ExitStatus> {
    match args.command {
        Command::Render(args) => render::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Cluster(ClusterCommand::Up(args)) => cluster::up(&args),
        Command::Cluster(ClusterCommand::Fault(command)) => cluster::fault(&command),
        Command::Diff(args) => Ok(diff::run(&args)),
        Command::Sync(args) => Ok(sync::run(&args)),
        Command::Controller(args) => controller::run(&args),
        Command::App(command) => app::run(&command),
        Command::Install(args) => install::run(&args),
        Command::Server(args) => server::run(&args),
        Command::Quickstart(args) => quickstart::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Drill(args) => drill::run(&args),
    }
}
