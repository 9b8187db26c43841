//! The YAML layer against the official yaml-test-suite.
//!
//! - Conformance: every `in.yaml` goes through the loader and yields a
//!   registry or located errors, never a panic. Cases the suite marks as
//!   invalid YAML (an `error` file) must be rejected at the YAML level (invalid,
//!   or unusable in a registry); valid cases must never be called invalid YAML.

use crate::{Check, shared};
use libtest_mimic::{Completion, Failed};
use nhi_own::registry::{LoadOptions, load};

pub const CHECKS: &[(&str, Check)] = &[(
    "yaml_suite::every_case_loads_or_fails_with_a_location",
    every_yaml_test_suite_case_loads_or_fails_with_a_location,
)];

fn every_yaml_test_suite_case_loads_or_fails_with_a_location() -> Result<Completion, Failed> {
    let root = need!(shared("yaml-test-suite"));
    let mut cases = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("walk yaml-test-suite");
        if entry.file_name() == "in.yaml" {
            cases.push(entry.into_path());
        }
    }
    assert!(cases.len() >= 400, "found only {} cases", cases.len());
    let (mut loaded, mut rejected) = (0, 0);
    let mut disagreements = Vec::new();
    for case in &cases {
        let dir = case.parent().unwrap();
        let invalid_yaml = dir.join("error").exists();
        let result = load(std::slice::from_ref(case), &LoadOptions::default());
        let (yaml_invalid, yaml_rejected) = match &result {
            Ok(_) => {
                loaded += 1;
                (false, false)
            }
            Err(errors) => {
                rejected += 1;
                assert!(!errors.0.is_empty(), "{}: empty error list", case.display());
                for e in &errors.0 {
                    assert!(e.file.is_some(), "{}: {e}", case.display());
                    assert!(
                        e.line >= 1 && e.col >= 1,
                        "{}: unlocated error: {e}",
                        case.display()
                    );
                }
                let invalid = errors
                    .0
                    .iter()
                    .any(|e| e.message.starts_with("invalid YAML"));
                let unsupported = errors
                    .0
                    .iter()
                    .any(|e| e.message.starts_with("unsupported YAML"));
                (invalid, invalid || unsupported)
            }
        };
        if (invalid_yaml && !yaml_rejected) || (!invalid_yaml && yaml_invalid) {
            disagreements.push(format!(
                "{} (suite: {}, loader: {})",
                dir.strip_prefix(&root).unwrap().display(),
                if invalid_yaml { "invalid" } else { "valid" },
                if yaml_invalid {
                    "invalid YAML"
                } else {
                    "not rejected as YAML"
                }
            ));
        }
    }
    println!(
        "yaml-test-suite: {} cases, {loaded} loaded as registries, {rejected} rejected with located errors, {} disagreements with the suite",
        cases.len(),
        disagreements.len()
    );
    for d in &disagreements {
        println!("  {d}");
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    Ok(Completion::Completed)
}
