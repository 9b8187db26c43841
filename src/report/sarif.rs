//! `sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).
//!
//! A handful of hand-written structs: the whole format is not needed, only a
//! run with rule descriptors from the catalogue and located results.
//! Suppressed findings are results with an `inSource` suppression, and
//! `partialFingerprints` hash rule + subject + detail, so alerts survive line moves.

use super::{Finding, Report};
use crate::keyword::Keyword;
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
    column_kind: &'static str,
    results: Vec<SarifResult>,
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

#[derive(Serialize)]
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
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
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
                    rules: RuleId::ALL.iter().map(|id| descriptor(*id)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    super::json::to_safe_json(&log)
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
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(&f.file) },
                region: Region {
                    start_line: f.line,
                    start_column: f.column,
                },
            },
        }],
        partial_fingerprints: Fingerprints {
            finding: f.fingerprint(),
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
