//! Baselines: an earlier `audit --format json` report, whose findings (by
//! fingerprint) no longer fail, so that a team adopts the gate on new
//! findings and burns the old ones down.

use crate::registry::describe_io;
use crate::report::{Finding, Report};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

/// The fingerprints of an earlier report's findings (its `findings` and its
/// own `baselined`), or what makes the file unusable as a baseline.
pub fn read(path: &Path) -> Result<HashSet<String>, String> {
    let shown = crate::escape::escape(&path.display().to_string()).into_owned();
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{shown}: cannot read the baseline: {}", describe_io(&e)))?;
    let report: Value = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{shown}:{}:{}: the baseline is not JSON ({e}); it must be a report of `nhi-own audit --format json`",
            e.line(),
            e.column().max(1)
        )
    })?;
    let not_a_report = |what: &str| {
        format!(
            "{shown}: not a report of `nhi-own audit --format json`: {what}; write one with `--write-baseline {shown}`"
        )
    };
    if report["tool"]["name"] != "nhi-own" {
        return Err(not_a_report("`tool.name` is not `nhi-own`"));
    }
    match report["version"].as_u64() {
        Some(1) => {}
        Some(other) => {
            return Err(format!(
                "{shown}: a report of version {other}; this nhi-own reads reports of version 1"
            ));
        }
        None => return Err(not_a_report("it has no integer `version`")),
    }
    if report.get("errors").is_some() {
        return Err(format!(
            "{shown}: the report of an invalid registry holds no findings to baseline"
        ));
    }
    let Some(findings) = report["findings"].as_array() else {
        return Err(not_a_report("it has no `findings` list"));
    };
    let earlier = report["baselined"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let mut fingerprints = HashSet::new();
    for (i, finding) in findings.iter().chain(earlier).enumerate() {
        match finding["fingerprint"].as_str() {
            Some(f) if f.len() == 16 && f.bytes().all(|b| b.is_ascii_hexdigit()) => {
                fingerprints.insert(f.to_owned());
            }
            _ => {
                return Err(not_a_report(&format!(
                    "finding {} has no fingerprint of 16 hex digits",
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
