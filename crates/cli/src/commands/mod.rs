//! One module per subcommand.

pub(crate) mod app;
mod cluster;
mod controller;
mod diff;
pub(crate) mod install;
mod render;
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
        Command::Diff(args) => Ok(diff::run(&args)),
        Command::Sync(args) => Ok(sync::run(&args)),
        Command::Controller(args) => controller::run(&args),
        Command::App(command) => app::run(&command),
        Command::Install(args) => install::run(&args),
    }
}
