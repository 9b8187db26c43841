//! The audit's result and its renderers, one module per output format.
//!
//! Renderers only format a [`Report`]: they decide nothing. The exit code comes
//! from the report and `--fail-on`, never from the format.

pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod text;

use crate::registry::{Date, Exception, LoadErrors, Registry};

/// The SARIF descriptor, Code Quality check and GitHub title of load errors:
/// not a rule of the catalogue (`rules` does not list it).
pub const INVALID_REGISTRY: &str = "invalid-registry";
use crate::catalogue::Severity;
use crate::wording::plural;
use serde::Serialize;

mod finding;
pub use finding::{Finding, Owners, RelatedLocation, Subject, fingerprint, route};

pub(crate) use finding::{hash, hex};

/// The exception that suppressed a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionInfo {
    pub reason: String,
    pub approved_by: Option<String>,
    pub expires: Option<String>,
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    pub exception: ExceptionInfo,
}

impl Suppressed {
    /// The finding, related to the exception that suppressed it.
    pub fn new(registry: &Registry, mut finding: Finding, exception: &Exception) -> Self {
        finding.related.push(RelatedLocation::new(
            registry,
            exception.loc,
            format!("suppressed by this {} exception", exception.rule.value),
        ));
        Suppressed {
            finding,
            exception: ExceptionInfo {
                reason: exception.reason.value.clone(),
                approved_by: exception.approved_by.as_ref().map(|a| a.value.to_string()),
                expires: exception.expires.as_ref().map(|e| e.value.to_string()),
                ticket: exception.ticket.as_ref().map(|t| t.value.clone()),
            },
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub identities: usize,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
    pub suppressed: usize,
    /// Findings matched by `--baseline` (only when one is given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baselined: Option<usize>,
    /// The inventories `reconcile` read (only there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventoryCounts>,
}

/// What `reconcile` read from its inventories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InventoryCounts {
    /// Records read (skipped ones included).
    pub records: usize,
    /// Records a registry identity names.
    pub matched: usize,
    /// AWS users that are people (a console password, no key): not reported.
    pub people: usize,
    /// Records matching `policy.ignore_refs`: not reported.
    pub ignored: usize,
    /// Records the readers skip by design (Kubernetes `default` accounts,
    /// GCP system-managed keys, the AWS root account).
    pub skipped: usize,
}

impl Summary {
    /// `N errors, N warnings, N info in N identities (N suppressed by
    /// exceptions[, N baselined]) as of YYYY-MM-DD`.
    pub fn line(&self, now: Date) -> String {
        let baselined = self
            .baselined
            .map(|n| format!(", {n} baselined"))
            .unwrap_or_default();
        let (records, skipped) = match self.inventory {
            None => (String::new(), String::new()),
            Some(i) => {
                let skipped: Vec<String> = [
                    (i.people, plural(i.people, "person", "people")),
                    (i.ignored, format!("{} by policy.ignore_refs", i.ignored)),
                    (i.skipped, format!("{} by design", i.skipped)),
                ]
                .into_iter()
                .filter(|(n, _)| *n > 0)
                .map(|(_, said)| said)
                .collect();
                let skipped = if skipped.is_empty() {
                    String::new()
                } else {
                    format!(
                        "{} skipped: {}; ",
                        i.people + i.ignored + i.skipped,
                        skipped.join(", ")
                    )
                };
                (
                    format!(
                        " and {}",
                        plural(i.records, "inventory record", "inventory records")
                    ),
                    skipped,
                )
            }
        };
        format!(
            "{}, {}, {} info in {}{records} ({skipped}{} suppressed by exceptions{baselined}) as of {now}",
            plural(self.errors, "error", "errors"),
            plural(self.warnings, "warning", "warnings"),
            self.info,
            plural(self.identities, "identity", "identities"),
            self.suppressed
        )
    }
}

/// The result of an audit, borrowing identity ids from the registry it audited.
#[derive(Debug, Clone)]
pub struct Report<'r> {
    pub now: Date,
    pub files: Vec<String>,
    pub summary: Summary,
    /// Unsuppressed findings, sorted by file, line, column, rule.
    pub findings: Vec<Finding>,
    /// Findings suppressed by valid exceptions, sorted the same way.
    pub suppressed: Vec<Suppressed>,
    /// Findings an earlier report (`--baseline`) already had: listed, counted,
    /// never failing. `None` without a baseline.
    pub baselined: Option<Vec<Finding>>,
    /// Every identity entry audited, in registry order (the registry's own).
    pub identities: &'r [crate::registry::Identity],
}

impl<'r> Report<'r> {
    pub fn new(registry: &'r Registry, now: Date) -> Self {
        Report {
            now,
            files: registry.files.iter().map(|f| f.path.clone()).collect(),
            summary: Summary {
                identities: registry.identities.len(),
                ..Summary::default()
            },
            findings: Vec::new(),
            suppressed: Vec::new(),
            baselined: None,
            identities: &registry.identities,
        }
    }

    /// A report with no files and no identities, for the findings of a part
    /// of the registry, to be joined to the whole report.
    pub(crate) fn part(now: Date) -> Self {
        Report {
            now,
            files: Vec::new(),
            summary: Summary::default(),
            findings: Vec::new(),
            suppressed: Vec::new(),
            baselined: None,
            identities: &[],
        }
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn suppress(&mut self, suppressed: Suppressed) {
        self.suppressed.push(suppressed);
    }

    /// Sorts and counts; called once all findings are in.
    pub fn finish(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.suppressed
            .sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        self.summary.errors = count(Severity::Error);
        self.summary.warnings = count(Severity::Warning);
        self.summary.info = count(Severity::Info);
        self.summary.suppressed = self.suppressed.len();
        self.summary.baselined = self.baselined.as_ref().map(Vec::len);
        debug_assert!(
            self.fingerprints_are_unique(),
            "two findings share a fingerprint: a rule's `detail` does not tell them apart"
        );
    }

    /// Whether no two findings (suppressed and baselined ones included)
    /// share a fingerprint: a baseline entry or a SARIF result then stands
    /// for one finding only.
    pub fn fingerprints_are_unique(&self) -> bool {
        let mut seen = std::collections::HashSet::new();
        self.findings
            .iter()
            .chain(self.suppressed.iter().map(|s| &s.finding))
            .chain(self.baselined.iter().flatten())
            .all(|f| seen.insert(f.fingerprint.as_str()))
    }

    /// Moves the findings whose fingerprint `known` holds to `baselined`,
    /// and counts again. Returns how many fingerprints of `known` matched no
    /// finding: fixed since the baseline was written.
    pub fn apply_baseline(&mut self, known: &std::collections::HashSet<String>) -> usize {
        let (old, new): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut self.findings)
            .into_iter()
            .partition(|f| known.contains(&f.fingerprint));
        let matched: std::collections::HashSet<&str> =
            old.iter().map(|f| f.fingerprint.as_str()).collect();
        let fixed = known
            .iter()
            .filter(|k| !matched.contains(k.as_str()))
            .count();
        self.findings = new;
        self.baselined = Some(old);
        self.finish();
        fixed
    }

    /// True when an unsuppressed finding is at or above the threshold.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        self.findings.iter().any(|f| fail_on.fails(f.severity))
    }
}

/// The lowest severity that fails the audit (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    /// Whether a finding of this severity fails the audit.
    pub fn fails(self, severity: Severity) -> bool {
        let threshold = match self {
            FailOn::Never => return false,
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        };
        severity <= threshold
    }
}

/// Output formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people at a terminal
    Table,
    /// `file:line:col: severity[rule] identity: message`, for pre-commit and editors
    Text,
    /// The JSON report
    Json,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions workflow commands (annotations)
    Github,
    /// JUnit XML, for GitLab and Jenkins test reports
    Junit,
    /// Markdown, for PR comments and job summaries
    Markdown,
    /// GitLab Code Quality (Code Climate JSON), for merge requests
    Gitlab,
}

impl Format {
    /// Every output format, in the order `--help` lists them.
    pub fn all() -> &'static [Format] {
        <Format as clap::ValueEnum>::value_variants()
    }
}

/// How human formats may decorate their output.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Emit ANSI colours.
    pub color: bool,
    /// Wrap tables to this many columns.
    pub width: Option<u16>,
    /// The gate's threshold: JUnit fails a test case only for findings at
    /// or above it.
    pub fail_on: FailOn,
}

/// Renders a report in the given format.
pub fn render(report: &Report, format: Format, style: Style) -> String {
    match format {
        Format::Table => table::render(report, style),
        Format::Text => text::render(report, style),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Junit => junit::render(report, style.fail_on),
        Format::Markdown => markdown::render(report),
        Format::Gitlab => gitlab::render(report),
    }
}

/// Writes the report in `format` to `out`; JSON as it is serialised.
pub fn write(
    report: &Report,
    format: Format,
    style: Style,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        other => out.write_all(render(report, other, style).as_bytes()),
    }
}

/// Renders the errors of an invalid registry in the format asked for, so a CI
/// job shows them where it shows findings; `None` for `table` and `text`,
/// which write errors to standard error.
pub fn render_errors(errors: &LoadErrors, format: Format, now: Date) -> Option<String> {
    Some(match format {
        Format::Table | Format::Text => return None,
        Format::Json => json::render_errors(errors, now),
        Format::Sarif => sarif::render_errors(errors),
        Format::Github => github::render_errors(errors),
        Format::Junit => junit::render_errors(errors),
        Format::Markdown => markdown::render_errors(errors),
        Format::Gitlab => gitlab::render_errors(errors),
    })
}

/// ANSI style of a severity word.
pub fn severity_style(severity: Severity) -> anstyle::Style {
    use anstyle::{AnsiColor, Style};
    match severity {
        Severity::Error => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        Severity::Warning => Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Info => Style::new().bold().fg_color(Some(AnsiColor::Cyan.into())),
    }
}

/// A severity word, coloured when asked to.
pub fn paint(text: &str, severity: Severity, color: bool) -> String {
    if color {
        let style = severity_style(severity);
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}
