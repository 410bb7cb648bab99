//! One module per subcommand.

mod render;
mod validate;

use crate::args::{Cli, Command};
use crate::exit::ExitStatus;

/// Runs the command `args` names.
pub fn run(args: Cli) -> anyhow::Result<ExitStatus> {
    match args.command {
        Command::Render(args) => render::run(&args),
        Command::Validate(args) => validate::run(&args),
    }
}
