//! One module per subcommand. Each returns the process exit status.

pub mod audit;
pub mod diff;
pub mod evidence;
pub mod explain;
pub mod forecast;
pub mod import;
pub mod init;
pub mod man;
pub mod owners;
pub mod reconcile;
pub mod rules;
pub mod schema;

use crate::cli::{ColorArg, Command, RegistryArgs};
use crate::output::{write_stderr, write_stdout};
use crate::registry::{Date, LoadOptions, time::parse_date};
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
        Command::Init(args) => init::run(&args, color),
        Command::Owners(args) => owners::run(&args, color),
        Command::Forecast(args) => forecast::run(&args, color),
        Command::Reconcile(args) => reconcile::run(&args, color),
        Command::Import(args) => import::run(&args, color),
        Command::Diff(args) => diff::run(&args, color),
        Command::Evidence(args) => evidence::run(&args, color),
        Command::Schema(args) => schema::run(&args, color),
        // LSP: 0 after `shutdown`, 1 for an `exit` without it.
        Command::Lsp => Ok(if crate::lsp::run()? {
            Exit::Pass
        } else {
            Exit::Fail
        }),
        Command::Man => {
            write_stdout(&man::page()?)?;
            Ok(Exit::Pass)
        }
        Command::Completions { shell } => {
            let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut cmd, "nhi-own", &mut buffer);
            write_stdout(&buffer)?;
            Ok(Exit::Pass)
        }
    }
}

/// The day a command evaluates as of: `--now`, else today (UTC). A bad
/// `--now` is reported, and the command ends with exit 2.
pub(crate) fn today(args: &RegistryArgs, color: ColorArg) -> Option<Date> {
    let Some(text) = &args.now else {
        return Some(chrono::Utc::now().date_naive());
    };
    match parse_date(text) {
        Ok(date) => Some(date),
        Err(message) => {
            // The argument is echoed in the message: escaped like any input.
            write_stderr(
                &format!("error: --now: {}\n", crate::escape::escape(&message)),
                color,
            );
            None
        }
    }
}

/// How the registry of a command is loaded.
pub(crate) fn load_options(args: &RegistryArgs) -> LoadOptions {
    LoadOptions {
        max_file_size: args.max_file_size.saturating_mul(1024 * 1024),
        threads: args.threads,
        ..LoadOptions::default()
    }
}

/// The registry of a command other than `audit`, read exactly as `audit`
/// reads it, and the day it is evaluated as of. An invalid registry is
/// reported on standard error and, for a machine format, in that format on
/// standard output too; then `None`, and the command ends with exit 2.
pub(crate) fn load(
    args: &RegistryArgs,
    errors_as: crate::report::Format,
    color: ColorArg,
) -> anyhow::Result<Option<(crate::registry::Registry, Date)>> {
    load_with(args, &load_options(args), errors_as, color)
}

/// [`load`], with the options given.
pub(crate) fn load_with(
    args: &RegistryArgs,
    options: &LoadOptions,
    errors_as: crate::report::Format,
    color: ColorArg,
) -> anyhow::Result<Option<(crate::registry::Registry, Date)>> {
    let Some(today) = today(args, color) else {
        return Ok(None);
    };
    let sources = crate::registry::Sources::resolve(&args.paths);
    match crate::registry::load_sources(sources, options) {
        Ok(registry) => Ok(Some((registry, today))),
        Err(errors) => {
            write_stderr(&format!("{errors}\nerror: {}\n", errors.summary()), color);
            if let Some(report) = crate::report::render_errors(&errors, errors_as, today) {
                write_stdout(report.as_bytes())?;
            }
            Ok(None)
        }
    }
}
