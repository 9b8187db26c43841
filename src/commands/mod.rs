//! One module per subcommand. Each returns the process exit status.

pub mod audit;
pub mod explain;
pub mod rules;

use crate::cli::Command;
use crate::output::write_stdout;
use std::process::ExitCode;

/// The three outcomes of SPEC §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// No unsuppressed finding at or above `--fail-on`.
    Pass = 0,
    /// There is one.
    Fail = 1,
    /// The registry could not be read or is invalid, or the command line is wrong.
    Invalid = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

pub fn run(cli: crate::cli::Cli) -> anyhow::Result<Exit> {
    let color = cli.color;
    match cli.command {
        Command::Audit(args) => audit::run(&args, color),
        Command::Rules(args) => rules::run(&args),
        Command::Explain { rule } => explain::run(&rule, color),
        Command::Completions { shell } => {
            let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut cmd, "nhi-own", &mut buffer);
            write_stdout(&buffer)?;
            Ok(Exit::Pass)
        }
    }
}
