//! The rule fixtures: `tests/fixtures/rules/<rule-id>/<case>.yaml`, small
//! registries each audited as of [`NOW`] with `--format text`, and beside each
//! the output it must give (`<case>.txt`), so the locations are seen next to
//! the input. A `fires-*` case must report its rule, an `ok-*` case must not;
//! the exit code must be the gate's (1 when an error is reported). After an
//! intended change, `UPDATE_FIXTURES=1 cargo test fixtures` rewrites the
//! `.txt` files, for review in the diff.

use crate::common::{repo_root, run_in};
use nhi_own::keyword::Keyword as _;
use nhi_own::rules::RuleId;
use std::path::{Path, PathBuf};

/// The day every fixture is written for.
const NOW: &str = "2026-12-01";
const DIR: &str = "tests/fixtures/rules";

/// Every fixture, as (rule directory, case name, path from the repository root).
fn fixtures() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for dir in read_dir(&repo_root().join(DIR)) {
        let rule = file_name(&dir);
        for file in read_dir(&dir) {
            if let Some(case) = file_name(&file).strip_suffix(".yaml") {
                out.push((
                    rule.clone(),
                    case.to_owned(),
                    Path::new(DIR).join(&rule).join(file_name(&file)),
                ));
            }
        }
    }
    out
}

fn read_dir(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_fixture_gives_its_output() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let mut problems = Vec::new();
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= RuleId::ALL.len(),
        "{} fixtures",
        fixtures.len()
    );
    for (rule, case, yaml) in &fixtures {
        let path = yaml.to_str().unwrap();
        let run = run_in(
            &repo_root(),
            &["audit", path, "--now", NOW, "--format", "text"],
        );
        let mut problem = |what: String| problems.push(format!("{path}: {what}"));
        if !run.stderr.is_empty() {
            problem(format!("wrote to stderr: {}", run.stderr));
        }
        let gate = i32::from(run.stdout.contains(": error["));
        if run.code != gate {
            problem(format!("exit {} where the gate says {gate}", run.code));
        }
        let tag = format!("[{rule}] ");
        let fired = run.stdout.lines().any(|l| l.contains(&tag));
        match (case.split('-').next(), fired) {
            (Some("fires"), false) => problem(format!("does not report {rule}")),
            (Some("ok"), true) => problem(format!("reports {rule}")),
            (Some("fires" | "ok"), _) => {}
            _ => problem("a case is named fires-… or ok-…".to_owned()),
        }
        let expected_path = repo_root().join(yaml.with_extension("txt"));
        if update {
            std::fs::write(&expected_path, &run.stdout).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == run.stdout => {}
            Ok(expected) => problem(format!(
                "output differs (UPDATE_FIXTURES=1 rewrites it)\n--- expected\n{expected}--- actual\n{}",
                run.stdout
            )),
            Err(_) => problem(format!(
                "no {} (UPDATE_FIXTURES=1 writes it)",
                expected_path.display()
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Each rule of the catalogue has a directory of fixtures, one that fires it
/// among them, and every directory is named after a rule; each fixture's
/// output is beside it.
#[test]
fn every_rule_has_a_fixture_that_fires_it() {
    let fixtures = fixtures();
    // Drift rules are reported by `reconcile`: `tests/suite/reconcile.rs`.
    for rule in RuleId::ALL
        .iter()
        .filter(|r| r.group() != nhi_own::rules::Group::Drift)
    {
        assert!(
            fixtures
                .iter()
                .any(|(r, case, _)| r == rule.as_str() && case.starts_with("fires")),
            "{DIR}/{rule}/ has no fires-… case"
        );
    }
    for dir in read_dir(&repo_root().join(DIR)) {
        let name = file_name(&dir);
        assert!(RuleId::parse(&name).is_some(), "{name} is not a rule id");
        for file in read_dir(&dir) {
            let name = file_name(&file);
            let yaml = name
                .strip_suffix(".txt")
                .map(|c| dir.join(format!("{c}.yaml")));
            assert!(
                name.ends_with(".yaml") || yaml.is_some_and(|y| y.exists()),
                "{}: neither a fixture nor a fixture's output",
                file.display()
            );
        }
    }
}
