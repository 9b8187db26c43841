//! Baselines: an earlier `audit --format json` report, whose findings (by
//! fingerprint) no longer fail, so that a team adopts the gate on new
//! findings and burns the old ones down.

use crate::registry::describe_io;
use crate::report::{Finding, Report};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use std::collections::HashSet;
use std::io::Read as _;
use std::path::Path;

/// What a baseline is read as: the parts of a JSON report it needs. Fields
/// are typed, so a duplicated key or a field of the wrong type is an error
/// (never the last one silently winning).
#[derive(Deserialize)]
struct Baseline {
    version: Value,
    tool: Option<BaselineTool>,
    errors: Option<IgnoredAny>,
    findings: Option<Vec<Entry>>,
    baselined: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct BaselineTool {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Entry {
    fingerprint: Option<Value>,
}

/// Whether `text` is a fingerprint as this version writes them.
fn is_fingerprint(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The fingerprints of an earlier report's findings (its `findings` and its
/// own `baselined`), or what makes the file unusable as a baseline. A file
/// over `max_bytes` is refused, as a registry file over that size is.
pub fn read(path: &Path, max_bytes: u64) -> Result<HashSet<String>, String> {
    let shown = crate::escape::escape(&path.display().to_string()).into_owned();
    let cannot =
        |e: &std::io::Error| format!("{shown}: cannot read the baseline: {}", describe_io(e));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(|e| cannot(&e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!(
            "{shown}: the baseline is over {} MiB (`--max-file-size`)",
            max_bytes / (1024 * 1024)
        ));
    }
    let not_json = |e: serde_json::Error| {
        format!(
            "{shown}:{}:{}: {} ({e}); it must be a report of `nhi-own audit --format json`",
            e.line(),
            e.column().max(1),
            if e.is_data() {
                "not a report of `nhi-own audit --format json`"
            } else {
                "the baseline is not JSON"
            }
        )
    };
    let report: Baseline = serde_json::from_slice(&bytes).map_err(not_json)?;
    let not_a_report = |what: &str| {
        format!(
            "{shown}: not a report of `nhi-own audit --format json`: {what}; write one with `--write-baseline {shown}`"
        )
    };
    if report.tool.and_then(|t| t.name).as_deref() != Some("nhi-own") {
        return Err(not_a_report("`tool.name` is not `nhi-own`"));
    }
    match report.version.as_u64() {
        Some(1) => {}
        Some(other) => {
            return Err(format!(
                "{shown}: a report of version {other}; this nhi-own reads reports of version 1"
            ));
        }
        None => return Err(not_a_report("it has no integer `version`")),
    }
    if report.errors.is_some() {
        return Err(format!(
            "{shown}: the report of an invalid registry holds no findings to baseline"
        ));
    }
    let Some(findings) = report.findings else {
        return Err(not_a_report("it has no `findings` list"));
    };
    let earlier = report.baselined.unwrap_or_default();
    let mut fingerprints = HashSet::new();
    for (i, finding) in findings.iter().chain(&earlier).enumerate() {
        match finding.fingerprint.as_ref().and_then(Value::as_str) {
            Some(f) if is_fingerprint(f) => {
                fingerprints.insert(f.to_owned());
            }
            Some(f) if f.len() == 16 && f.bytes().all(|b| b.is_ascii_hexdigit()) => {
                return Err(format!(
                    "{shown}: written by an earlier nhi-own, whose fingerprints this one does not match; \
                     write it again with `--write-baseline {shown}` (before adding anything to the registry)"
                ));
            }
            _ => {
                return Err(not_a_report(&format!(
                    "finding {} has no fingerprint of 32 lowercase hex digits",
                    i + 1
                )));
            }
        }
    }
    Ok(fingerprints)
}

/// The baseline `--write-baseline` writes: the JSON report of every
/// unsuppressed finding, those an earlier baseline already had included.
pub fn render(report: &Report) -> String {
    let mut all = report.clone();
    let mut findings: Vec<Finding> = std::mem::take(&mut all.findings);
    findings.extend(all.baselined.take().unwrap_or_default());
    all.findings = findings;
    all.finish();
    crate::report::json::render(&all)
}

/// Every fingerprint of a report's unsuppressed findings.
pub fn fingerprints(report: &Report) -> HashSet<String> {
    report
        .findings
        .iter()
        .chain(report.baselined.iter().flatten())
        .map(|f| f.fingerprint.clone())
        .collect()
}
