//! The YAML layer against the official yaml-test-suite, and against the
//! earlier serde-saphyr layer.
//!
//! - Conformance: every `in.yaml` goes through the loader and yields a
//!   registry or located errors, never a panic. Cases the suite marks as
//!   invalid YAML (an `error` file) must be rejected at the YAML level (invalid,
//!   or unusable in a registry); valid cases must never be called invalid YAML.
//! - Engines: the YAML layer on granit-parser's events reads every registry
//!   exactly as the serde-saphyr layer did, the same registry or errors at the
//!   same places, over the examples, the fuzz regressions and every suite case
//!   (as a file and embedded as a value). Where the serde layer reports an
//!   error, the event layer reports one at the same place (a second document
//!   is now located at its `---`, and a syntax error at the mistake the
//!   parser stopped after, such as a tab or an unclosed `{`, with a help
//!   line); it may report more, as it goes on after
//!   problems that leave the tree readable (null or list keys, duplicate
//!   keys). The only other differences are the defects the event layer fixes:
//!   tags and repeated merge keys are errors now, so inputs using them are not
//!   compared.

use crate::{Check, common, shared};
use libtest_mimic::{Completion, Failed};
use nhi_own::registry::{LoadOptions, load};

pub const CHECKS: &[(&str, Check)] = &[
    (
        "yaml_suite::every_case_loads_or_fails_with_a_location",
        every_yaml_test_suite_case_loads_or_fails_with_a_location,
    ),
    (
        "yaml_suite::engines_read_examples_and_fuzz_regressions_alike",
        examples_and_fuzz_regressions_read_alike,
    ),
    (
        "yaml_suite::engines_read_every_case_alike",
        yaml_test_suite_reads_alike_as_files_and_as_values,
    ),
];

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

use crate::engines::{agree, outcome, uses_a_fixed_feature};
use nhi_own::registry::Engine;

/// The differences, and how many inputs were compared.
fn compare(cases: &[(String, Vec<u8>)]) -> (Vec<String>, usize) {
    let mut differences = Vec::new();
    let mut compared = 0;
    for (name, text) in cases {
        if uses_a_fixed_feature(&String::from_utf8_lossy(text)) {
            continue;
        }
        compared += 1;
        let events = outcome(name, text, Engine::Events);
        let serde = outcome(name, text, Engine::Serde);
        if !agree(&events, &serde) {
            differences.push(format!(
                "{name}:\n  events: {}\n  serde:  {}",
                common::clip(&format!("{events:?}")),
                common::clip(&format!("{serde:?}"))
            ));
        }
    }
    (differences, compared)
}

fn files_under(dir: &std::path::Path, ext: &str) -> Vec<(String, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == ext))
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn examples_and_fuzz_regressions_read_alike() -> Result<Completion, Failed> {
    let root = common::repo_root();
    let mut cases = files_under(&root.join("examples"), "yaml");
    cases.extend(files_under(&root.join("tests/fuzz_regressions"), "yaml"));
    cases.push((
        "ownership.yaml".to_owned(),
        std::fs::read(root.join("ownership.yaml")).unwrap(),
    ));
    let (differences, compared) = compare(&cases);
    assert!(compared >= 8, "{compared} compared");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    Ok(Completion::Completed)
}

fn yaml_test_suite_reads_alike_as_files_and_as_values() -> Result<Completion, Failed> {
    let root = need!(shared("yaml-test-suite"));
    let mut cases = Vec::new();
    for (name, text) in files_under(&root, "yaml") {
        if !name.ends_with("in.yaml") {
            continue;
        }
        // Embedded as the value of an identity's description, indented.
        let indented: String = String::from_utf8_lossy(&text)
            .lines()
            .map(|l| format!("      {l}\n"))
            .collect();
        let embedded = format!(
            "version: 1\nidentities:\n  - id: a\n    kind: token\n    description:\n{indented}"
        );
        cases.push((format!("{name} (embedded)"), embedded.into_bytes()));
        cases.push((name, text));
    }
    let (differences, compared) = compare(&cases);
    println!(
        "yaml-test-suite: {compared} of {} inputs compared (the others hold tags or merge keys), {} differences",
        cases.len(),
        differences.len()
    );
    assert!(compared >= 500, "{compared} compared");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    Ok(Completion::Completed)
}
