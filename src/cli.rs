//! Command-line definitions (clap derive) only; behaviour lives in `commands`.

use crate::registry::Days;
use crate::report::{FailOn, Format};
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AUDIT_EXAMPLES: &str = "Examples:
  nhi-own audit                                  # ./ownership.yaml, as a table
  nhi-own audit registry/ --fail-on warning      # a directory; warnings fail too
  nhi-own audit --format sarif -o nhi-own.sarif  # for code scanning
  nhi-own audit --format github                  # annotations in GitHub Actions
  nhi-own audit --now 2027-01-01                 # what will be due by then
  nhi-own audit --write-baseline nhi-own-baseline.json   # accept today's findings
  nhi-own audit --baseline nhi-own-baseline.json # fail on new findings only
  cat ownership.yaml | nhi-own audit -           # from standard input";

const RULES_EXAMPLES: &str = "Examples:
  nhi-own rules
  nhi-own rules --format json | jq '.[] | select(.severity == \"error\") | .id'";

const EXPLAIN_EXAMPLES: &str = "Examples:
  nhi-own explain stale-rotation
  nhi-own explain vendor-accountability";

const COMPLETIONS_EXAMPLES: &str = "Examples:
  nhi-own completions bash > ~/.local/share/bash-completion/completions/nhi-own
  nhi-own completions zsh > ~/.zfunc/_nhi-own     # with fpath+=~/.zfunc in ~/.zshrc
  nhi-own completions fish > ~/.config/fish/completions/nhi-own.fish";

const INIT_EXAMPLES: &str = "Examples:
  nhi-own init                                   # ./ownership.yaml
  nhi-own schema -o ownership.schema.json && nhi-own init   # with the schema beside it
  nhi-own init registry/platform.yaml --force    # replace an existing file";

const OWNERS_EXAMPLES: &str = "Examples:
  nhi-own owners                                 # every owner of ./ownership.yaml
  nhi-own owners --owner team-payments           # one owner (a person: their teams too)
  nhi-own owners --format json | jq '.owners[] | {id, open: (.findings | length)}'";

const FORECAST_EXAMPLES: &str = "Examples:
  nhi-own forecast --within 30d                  # what falls due in the next 30 days
  nhi-own forecast --within 12w --format json | jq '.deadlines[] | select(.owner == \"team-payments\")'
  nhi-own forecast --within 90d --format ics > deadlines.ics   # for a calendar to subscribe to";

const RECONCILE_EXAMPLES: &str = "Examples:
  nhi-own reconcile --inventory aws.csv          # ./ownership.yaml against the account, where
      # aws iam get-credential-report --output text --query Content | base64 -d > aws.csv
  nhi-own reconcile registry/ --inventory aws.csv --inventory k8s.json --format sarif
      # kubectl get serviceaccounts,secrets -A -o json > k8s.json";

const IMPORT_EXAMPLES: &str = "Examples:
  nhi-own import --inventory aws.csv -o ownership.yaml       # a registry to fill in the owners of
  nhi-own import --inventory k8s.json --merge registry/ -o registry/k8s-new.yaml
                                                 # only what registry/ lacks, as a file beside it";

const DIFF_EXAMPLES: &str = "Examples:
  nhi-own diff old/ownership.yaml ownership.yaml  # what a change does to accountability
  git show origin/main:ownership.yaml > base.yaml && nhi-own diff base.yaml ownership.yaml --format markdown
  nhi-own diff base/ registry/ --fail-on warning  # fail on warnings the change introduces";

const EVIDENCE_EXAMPLES: &str = "Examples:
  nhi-own evidence --output evidence/            # ./ownership.yaml, as an evidence pack
  nhi-own evidence registry/ --inventory aws.csv --output evidence-2026-12/
  cd evidence-2026-12 && sha256sum -c SHA256SUMS # how an auditor checks the pack";

const SCHEMA_EXAMPLES: &str = "Examples:
  nhi-own schema -o ownership.schema.json        # then, as a registry's first line:
                                                 # yaml-language-server: $schema=ownership.schema.json
  check-jsonschema --schemafile ownership.schema.json ownership.yaml";

const MAN_EXAMPLES: &str = "Examples:
  nhi-own man > ~/.local/share/man/man1/nhi-own.1 && man nhi-own
  nhi-own man | man -l -";

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
    /// When to colour output; `auto` honours NO_COLOR and CLICOLOR_FORCE
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    pub color: ColorArg,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a registry and report findings
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(AuditArgs),
    /// List the rule catalogue
    #[command(after_help = RULES_EXAMPLES)]
    Rules(RulesArgs),
    /// Explain one rule: why it matters, how to fix it, references
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain {
        /// A rule id, such as `stale-rotation`
        #[arg(value_parser = RuleIdParser, hide_possible_values = true)]
        rule: String,
    },
    /// Write a commented starter registry (never over an existing file without --force)
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// Show who holds which identity, and who must act on which finding
    #[command(after_help = OWNERS_EXAMPLES)]
    Owners(OwnersArgs),
    /// Reconcile the registry with inventories exported from the systems that issue credentials
    #[command(after_help = RECONCILE_EXAMPLES)]
    Reconcile(ReconcileArgs),
    /// Write a registry skeleton from inventories: one identity per record, owners to fill in
    #[command(after_help = IMPORT_EXAMPLES)]
    Import(ImportArgs),
    /// List the deadlines ahead (rotations, expiries, reviews, exceptions) and who must act
    #[command(after_help = FORECAST_EXAMPLES)]
    Forecast(ForecastArgs),
    /// Show what a change to the registry does to accountability (for pull-request reviews)
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Write an evidence pack for auditors: a report page, CSV registers, hashes
    #[command(after_help = EVIDENCE_EXAMPLES)]
    Evidence(EvidenceArgs),
    /// Print the JSON Schema of the registry format (draft-07), for editors
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema(SchemaArgs),
    /// Run the language server (LSP over stdin/stdout): live findings in editors
    #[command(after_help = crate::lsp::config::HELP)]
    Lsp,
    /// Print shell completions
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell to generate completions for
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    #[command(after_help = MAN_EXAMPLES)]
    Man,
}

/// Any text (an unknown rule gets nhi-own's own did-you-mean), with the rule
/// ids as possible values, so that shell completions offer them.
#[derive(Debug, Clone, Copy)]
pub struct RuleIdParser;

impl TypedValueParser for RuleIdParser {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        use crate::keyword::Keyword;
        Some(Box::new(crate::rules::RuleId::ALL.iter().map(|r| {
            PossibleValue::new(r.as_str()).help(r.info().summary)
        })))
    }
}

/// The largest registry file accepted by default, in MiB.
pub const MAX_FILE_SIZE_MIB: u64 = 512;

/// How every command that reads a registry reads it (as `audit` does).
#[derive(Debug, clap::Args)]
pub struct RegistryArgs {
    /// Registry files or directories (merged in the order given); `-` is standard input
    #[arg(value_name = "PATH", default_value = crate::DEFAULT_REGISTRY)]
    pub paths: Vec<PathBuf>,
    /// Evaluate as of this day (YYYY-MM-DD or RFC 3339); default: today (UTC)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
    /// Largest registry file accepted, in MiB (at least 1)
    #[arg(long, value_name = "MIB", default_value_t = MAX_FILE_SIZE_MIB,
          value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_file_size: u64,
    /// Threads that read, parse and audit the registry; 0 means one per core (at most 256)
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that fails the audit (exit 1)
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// An earlier `audit --format json` report: the findings it has no longer fail
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write this run's findings to FILE as a baseline (they then no longer fail)
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Parse the registry and stop, auditing nothing (for benchmarks)
    #[arg(long, hide = true)]
    pub parse_only: bool,
    /// Parse large files whole instead of in parallel chunks (for benchmarks)
    #[arg(long, hide = true)]
    pub no_chunking: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the registry
    #[arg(value_name = "PATH", default_value = crate::DEFAULT_REGISTRY)]
    pub path: PathBuf,
    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
    /// Write the dates as of this day (YYYY-MM-DD or RFC 3339); default: today (UTC)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct OwnersArgs {
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Show only this owner (for a person, their teams too)
    #[arg(long, value_name = "ID")]
    pub owner: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OwnersFormat::Table)]
    pub format: OwnersFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OwnersFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub inventories: InventoryArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Lowest severity that fails the reconcile (exit 1)
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Report AWS users that are people (a console password and no key) too
    #[arg(long)]
    pub include_humans: bool,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub inventories: InventoryArgs,
    /// Write the registry to FILE instead of standard output (never over a file without --force)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
    /// An existing registry: import only the records it does not name, with
    /// ids it does not use, skipping what its `policy.ignore_refs` names
    #[arg(long, value_name = "REGISTRY")]
    pub merge: Vec<PathBuf>,
    /// Import AWS users that are people (a console password and no key) too
    #[arg(long)]
    pub include_humans: bool,
    /// Date the file as of this day (YYYY-MM-DD or RFC 3339); default: today (UTC)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
}

/// The inventories a command reads (SPEC §6).
#[derive(Debug, clap::Args)]
pub struct InventoryArgs {
    /// An inventory file exported from a system that issues credentials
    /// (repeat for several; `-` is standard input)
    #[arg(long = "inventory", value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Read every inventory in this format instead of telling it from its content
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub inventory_format: Option<InventoryFormat>,
    /// Keep Kubernetes namespaces' `default` service accounts
    #[arg(long)]
    pub include_default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    /// An AWS IAM credential report (CSV, or the JSON of `aws iam get-credential-report`)
    AwsCredentialReport,
    /// `kubectl get serviceaccounts,secrets -A -o json` (or `-o yaml`; the Secrets give the tokens)
    Kubernetes,
    /// `gcloud iam service-accounts keys list --format=json`
    GcpKeys,
    /// Microsoft Graph `GET /applications`, or `az ad app list --all`
    EntraApplications,
    /// A CSV with the header `ref,kind,created,last_rotated,expires,last_used`
    Csv,
}

impl InventoryFormat {
    pub fn format(self) -> crate::inventory::Format {
        use crate::inventory::Format;
        match self {
            InventoryFormat::AwsCredentialReport => Format::AwsCredentialReport,
            InventoryFormat::Kubernetes => Format::Kubernetes,
            InventoryFormat::GcpKeys => Format::GcpKeys,
            InventoryFormat::EntraApplications => Format::EntraApplications,
            InventoryFormat::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// How far ahead to look, such as `30d` or `12w`; deadlines already
    /// passed are always listed, first, as overdue
    #[arg(long, value_name = "DURATION", value_parser = parse_within)]
    pub within: Days,
    /// Output format
    #[arg(long, value_enum, default_value_t = ForecastFormat::Table)]
    pub format: ForecastFormat,
}

fn parse_within(text: &str) -> Result<Days, String> {
    crate::registry::time::parse_duration(text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ForecastFormat {
    Table,
    Json,
    /// An RFC 5545 calendar: one all-day event per deadline
    Ics,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Write the schema to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
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

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The registry before the change (a file or a directory; `-` is standard input)
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The registry after the change (a file or a directory; `-` is standard input)
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Evaluate both as of this day (YYYY-MM-DD or RFC 3339); default: today (UTC)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
    /// Largest registry file accepted, in MiB (at least 1)
    #[arg(long, value_name = "MIB", default_value_t = MAX_FILE_SIZE_MIB,
          value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_file_size: u64,
    /// Threads that read, parse and audit the registry; 0 means one per core (at most 256)
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Lowest severity of a finding the change introduces that fails the diff (exit 1)
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

impl DiffArgs {
    /// How one side is read: exactly as `audit` reads a registry.
    pub fn side(&self, path: &std::path::Path) -> RegistryArgs {
        RegistryArgs {
            paths: vec![path.to_path_buf()],
            now: self.now.clone(),
            max_file_size: self.max_file_size,
            threads: self.threads,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    /// For a pull-request comment or a job summary
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct EvidenceArgs {
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// An inventory file to reconcile the registry with (repeat for several)
    #[arg(long = "inventory", value_name = "FILE")]
    pub inventories: Vec<PathBuf>,
    /// Read every inventory in this format instead of telling it from its content
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub inventory_format: Option<InventoryFormat>,
    /// Keep Kubernetes namespaces' `default` service accounts
    #[arg(long)]
    pub include_default: bool,
    /// The directory to write the pack into (never over a non-empty one without --force)
    #[arg(long, short = 'o', value_name = "DIR", required = true)]
    pub output: PathBuf,
    /// Replace DIR if it exists and is not empty
    #[arg(long)]
    pub force: bool,
}
