//! `gitlab`: a GitLab Code Quality report, the subset of the Code Climate
//! JSON that GitLab reads (`description`, `check_name`, `fingerprint`,
//! `severity`, `location.path`, `location.lines.begin`), so findings appear
//! in merge requests. Fingerprints are the ones SARIF uses: stable across
//! line moves, so GitLab tells new findings from old ones. Suppressed and
//! baselined findings are not issues and are left out.

use super::Report;
use crate::keyword::Keyword;
use crate::registry::LoadErrors;
use crate::rules::Severity;
use serde::Serialize;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report) -> String {
    let issues: Vec<Issue> = report
        .findings
        .iter()
        .map(|f| Issue {
            description: format!("{}: {}", f.subject(), f.message),
            check_name: f.rule.as_str(),
            fingerprint: f.fingerprint.clone(),
            severity: severity(f.severity),
            location: Location {
                path: f.file.clone(),
                lines: Lines { begin: f.line },
            },
        })
        .collect();
    super::json::to_safe_json(&issues)
}

/// An invalid registry: every load error is a blocker on its file.
pub fn render_errors(errors: &LoadErrors) -> String {
    let issues: Vec<Issue> = errors
        .0
        .iter()
        .map(|e| {
            let path = e.file.clone().unwrap_or_default();
            let description = match &e.help {
                Some(help) => format!("{} ({help})", e.message),
                None => e.message.clone(),
            };
            Issue {
                fingerprint: super::hash(&[
                    super::INVALID_REGISTRY,
                    &path,
                    &e.line.to_string(),
                    &e.col.to_string(),
                    &e.message,
                ]),
                description,
                check_name: super::INVALID_REGISTRY,
                severity: "blocker",
                location: Location {
                    path,
                    lines: Lines {
                        begin: e.line.max(1),
                    },
                },
            }
        })
        .collect();
    super::json::to_safe_json(&issues)
}
