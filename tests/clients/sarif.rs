//! SARIF against the official SARIF 2.1.0 JSON Schema: the showcase, the
//! hostile registry, a reconcile against inventories, and an invalid
//! registry's report.

use crate::common::{Workspace, hostile, showcase};
use crate::{Check, shared};
use libtest_mimic::{Completion, Failed};
use serde_json::Value;

pub const CHECKS: &[(&str, Check)] = &[
    ("sarif::findings_are_valid_sarif", findings_are_valid_sarif),
    (
        "sarif::load_errors_are_valid_sarif",
        load_errors_are_valid_sarif,
    ),
];

fn validator() -> Result<jsonschema::Validator, Completion> {
    let path = shared("schemas/sarif-schema-2.1.0.json")?;
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    Ok(jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("SARIF schema compiles"))
}

fn assert_valid(validator: &jsonschema::Validator, text: &str) {
    let sarif: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

fn findings_are_valid_sarif() -> Result<Completion, Failed> {
    let validator = need!(validator());
    let run = showcase("sarif");
    assert_eq!(run.code, 1);
    assert_valid(&validator, &run.stdout);
    let ws = Workspace::new();
    let name = hostile(&ws);
    let run = ws.run(&["audit", &name, "--now", "2026-11-22", "--format", "sarif"]);
    assert_eq!(run.code, 1);
    assert_valid(&validator, &run.stdout);
    // Reconcile: findings located in inventories, on records without identity.
    let run = crate::common::reconcile_sample(&ws, "sarif");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_valid(&validator, &run.stdout);
    assert!(run.stdout.contains("\"ruleId\": \"unregistered-identity\""));
    Ok(Completion::Completed)
}

/// An invalid registry: the run failed, and each error is a notification and
/// a result of the `invalid-registry` descriptor, with its location.
fn load_errors_are_valid_sarif() -> Result<Completion, Failed> {
    let validator = need!(validator());
    let ws = Workspace::new();
    ws.write(
        "bad.yaml",
        "version: 1\nidentities:\n  - id: k\n    kind: tokn\n",
    );
    let run = ws.run(&["audit", "bad.yaml", "missing.yaml", "--format", "sarif"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_valid(&validator, &run.stdout);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let run0 = &sarif["runs"][0];
    let invocation = &run0["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 2, "{run0:#}");
    let uri = |v: &Value| v["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone();
    let bad = notifications.iter().find(|n| uri(n) == "bad.yaml").unwrap();
    let region = &bad["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(4), Some(11))
    );
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r["ruleId"] == "invalid-registry"));
    let bad = results.iter().find(|r| uri(r) == "bad.yaml").unwrap();
    assert!(
        bad["message"]["text"]
            .as_str()
            .unwrap()
            .contains("unknown identity kind `tokn`")
    );
    // A file that could not be read has a location without a region.
    let missing = results.iter().find(|r| uri(r) == "missing.yaml").unwrap();
    assert!(missing["locations"][0]["physicalLocation"]["region"].is_null());
    Ok(Completion::Completed)
}
