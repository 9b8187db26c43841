//! Command-line definitions (clap derive) only; behaviour lives in `commands`.

use crate::report::{FailOn, Format};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "nhi-own",
    version,
    about = "Audit ownership registries of non-human identities",
    long_about = "Audit ownership registries of non-human identities (service accounts, API keys, \
                  tokens, certificates, SSH keys, OAuth apps, workload identities): find every \
                  identity nobody is accountable for, every credential overdue for rotation, every \
                  exception that quietly expired.",
    after_help = "Exit codes: 0 no finding at or above --fail-on; 1 there is one; 2 the registry \
                  could not be read or is invalid, or the command line is wrong."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a registry and report findings
    Audit(AuditArgs),
    /// List the rule catalogue
    Rules(RulesArgs),
    /// Explain one rule: why it matters, how to fix it, references
    Explain {
        /// A rule id, such as `stale-rotation`
        rule: String,
    },
    /// Print shell completions
    Completions {
        /// The shell to generate completions for
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Registry files or directories (merged in the order given)
    #[arg(value_name = "PATH", default_value = crate::DEFAULT_REGISTRY)]
    pub paths: Vec<PathBuf>,
    /// Evaluate as of this day (YYYY-MM-DD or RFC 3339); default: today (UTC)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that fails the audit (exit 1)
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// When to colour output; `auto` honours NO_COLOR and CLICOLOR_FORCE
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Largest registry file accepted, in MiB
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub max_file_size: u64,
    /// Threads that read and parse registry files; 0 means one per core (at most 256)
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Parse the registry and stop, auditing nothing (for benchmarks)
    #[arg(long, hide = true)]
    pub parse_only: bool,
    /// Parse large files whole instead of in parallel chunks (for benchmarks)
    #[arg(long, hide = true)]
    pub no_chunking: bool,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    /// The README's rule table
    Markdown,
}
