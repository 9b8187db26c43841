//! `sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).
//!
//! A handful of hand-written structs: the whole format is not needed, only a
//! run with rule descriptors from the catalogue and located results.
//! Suppressed findings are results with an `inSource` suppression, and
//! `partialFingerprints` hash rule + subject + detail, so alerts survive line moves.

use super::{Finding, INVALID_REGISTRY, RelatedLocation, Report};
use crate::keyword::Keyword;
use crate::registry::LoadErrors;
use crate::rules::{RuleId, Severity};
use serde::Serialize;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    descriptor: ReportingDescriptorReference,
}

#[derive(Serialize)]
struct ReportingDescriptorReference {
    id: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: DescriptorProperties,
}

#[derive(Serialize, Clone)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties {
    tags: Vec<String>,
    /// Read by GitHub code scanning to rank alerts.
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Location {
    /// Set on related locations, which SARIF requires to be numbered.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize, Clone)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
}

impl Location {
    /// A place in a file; a line of 0 (the file as a whole) has no region.
    fn at(file: &str, line: u32, column: u32) -> Location {
        Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(file) },
                region: (line > 0).then_some(Region {
                    start_line: line,
                    start_column: column.max(1),
                }),
            },
            message: None,
        }
    }

    /// A place that explains a result: numbered, with what it is.
    fn related(id: usize, related: &RelatedLocation) -> Location {
        Location {
            id: Some(id),
            message: Some(Text {
                text: related.message.clone(),
            }),
            ..Location::at(&related.file, related.line, related.column)
        }
    }
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "nhiOwnFinding/v1")]
    finding: String,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

pub fn render(report: &Report) -> String {
    let mut results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| result(f, Vec::new()))
        .collect();
    results.extend(report.suppressed.iter().map(|s| {
        result(
            &s.finding,
            vec![Suppression {
                kind: "inSource",
                justification: s.exception.reason.clone(),
            }],
        )
    }));
    results.extend(report.baselined.iter().flatten().map(|f| {
        result(
            f,
            vec![Suppression {
                kind: "external",
                justification: "in the baseline (--baseline)".to_owned(),
            }],
        )
    }));
    log(
        Invocation {
            execution_successful: true,
            tool_execution_notifications: Vec::new(),
        },
        results,
    )
}

/// An invalid registry: the run did not succeed; each error is a tool
/// notification and a result of the `invalid-registry` descriptor, so code
/// scanning shows it on its line.
pub fn render_errors(errors: &LoadErrors) -> String {
    let index = RuleId::ALL.len();
    let mut notifications = Vec::new();
    let mut results = Vec::new();
    for e in &errors.0 {
        let message = match &e.help {
            Some(help) => format!("{} (help: {help})", e.message),
            None => e.message.clone(),
        };
        let locations: Vec<Location> = e
            .file
            .iter()
            .map(|file| Location::at(file, e.line, e.col))
            .collect();
        notifications.push(Notification {
            level: "error",
            message: Text {
                text: message.clone(),
            },
            locations: locations.clone(),
            descriptor: ReportingDescriptorReference {
                id: INVALID_REGISTRY,
            },
        });
        results.push(SarifResult {
            rule_id: INVALID_REGISTRY,
            rule_index: index,
            level: "error",
            partial_fingerprints: Fingerprints {
                finding: super::hash(&[
                    INVALID_REGISTRY,
                    e.file.as_deref().unwrap_or_default(),
                    &e.message,
                ]),
            },
            message: Text { text: message },
            locations,
            related_locations: Vec::new(),
            suppressions: Vec::new(),
        });
    }
    log(
        Invocation {
            execution_successful: false,
            tool_execution_notifications: notifications,
        },
        results,
    )
}

fn log(invocation: Invocation, results: Vec<SarifResult>) -> String {
    let mut rules: Vec<Descriptor> = RuleId::ALL.iter().map(|id| descriptor(*id)).collect();
    rules.push(invalid_registry_descriptor());
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: [invocation],
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    super::json::to_safe_json(&log)
}

/// The descriptor of load errors, listed after the catalogue's rules.
fn invalid_registry_descriptor() -> Descriptor {
    let why = "The registry could not be read or is not a valid registry, so nothing was \
               audited: the gate fails closed.";
    let fix = "Fix each error at its location; `nhi-own audit` prints every one with a \
               suggestion.";
    Descriptor {
        id: INVALID_REGISTRY,
        name: "InvalidRegistry".to_owned(),
        short_description: Text {
            text: "The registry could not be read or is invalid.".to_owned(),
        },
        full_description: Text {
            text: why.to_owned(),
        },
        help: Help {
            text: format!("{why}\n\nHow to fix it: {fix}"),
            markdown: format!("{why}\n\n**How to fix it:** {fix}"),
        },
        default_configuration: Configuration { level: "error" },
        properties: DescriptorProperties {
            tags: vec!["security".to_owned()],
            security_severity: "7.5",
        },
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(id: RuleId) -> Descriptor {
    let info = id.info();
    let mut tags = vec!["security".to_owned(), info.group.as_str().to_owned()];
    tags.extend(info.owasp.iter().map(|r| format!("OWASP-{r}")));
    tags.extend(info.nist.iter().map(|r| format!("NIST-CSF-{r}")));
    let references = info.references();
    Descriptor {
        id: id.as_str(),
        name: id
            .as_str()
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect(),
        short_description: Text {
            text: format!("{}.", info.summary),
        },
        full_description: Text {
            text: info.why.to_owned(),
        },
        help: Help {
            text: format!(
                "{}\n\nHow to fix it: {}\n\n{references}",
                info.why, info.fix
            ),
            markdown: format!(
                "{}\n\n**How to fix it:** {}\n\n```yaml\n{}\n```\n\n{references}",
                info.why, info.fix, info.example
            ),
        },
        default_configuration: Configuration {
            level: level(info.severity),
        },
        properties: DescriptorProperties {
            tags,
            security_severity: match info.severity {
                Severity::Error => "7.5",
                Severity::Warning => "5.0",
                Severity::Info => "2.0",
            },
        },
    }
}

fn result(f: &Finding, suppressions: Vec<Suppression>) -> SarifResult {
    SarifResult {
        rule_id: f.rule.as_str(),
        // Descriptors are listed in catalogue order, which is the enum's order.
        rule_index: f.rule as usize,
        level: level(f.severity),
        message: Text {
            text: format!("{}: {}", f.subject(), f.message),
        },
        locations: vec![Location::at(&f.file, f.line, f.column)],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, related)| Location::related(i, related))
            .collect(),
        partial_fingerprints: Fingerprints {
            finding: f.fingerprint.clone(),
        },
        suppressions,
    }
}

/// A relative path as a URI reference (an absolute one as a `file:` URI).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("examples/showcase.yaml"), "examples/showcase.yaml");
        assert_eq!(uri("my dir/a#b.yaml"), "my%20dir/a%23b.yaml");
        assert_eq!(uri("/abs/x.yaml"), "file:///abs/x.yaml");
    }
}
