//! JUnit against the Jenkins/Surefire schema (`junit-10.xsd`) with xmllint:
//! the showcase, a directory registry, the hostile registry, and an invalid
//! registry's report.

use crate::common::{Workspace, hostile, repo_root, run_in};
use crate::{Check, program, shared};
use libtest_mimic::{Completion, Failed};
use std::path::Path;

pub const CHECKS: &[(&str, Check)] = &[
    ("junit::findings_are_valid_junit", findings_are_valid_junit),
    (
        "junit::load_errors_are_valid_junit",
        load_errors_are_valid_junit,
    ),
];

fn assert_valid(xmllint: &Path, xsd: &Path, ws: &Workspace, xml: &str) {
    let path = ws.write("report.xml", xml);
    let check = std::process::Command::new(xmllint)
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "xmllint rejected the report:\n{}\n{xml}",
        String::from_utf8_lossy(&check.stderr)
    );
}

fn findings_are_valid_junit() -> Result<Completion, Failed> {
    let xsd = need!(shared("schemas/junit-10.xsd"));
    let xmllint = need!(program("xmllint"));
    let ws = Workspace::new();
    let name = hostile(&ws);
    for (dir, args) in [
        (
            repo_root(),
            vec!["audit", "examples/showcase.yaml", "--now", "2026-11-01"],
        ),
        (
            repo_root(),
            vec!["audit", "examples/multi", "--now", "2026-11-01"],
        ),
        (
            ws.dir.path().to_path_buf(),
            vec!["audit", &name, "--now", "2026-11-22"],
        ),
    ] {
        for fail_on in ["error", "warning"] {
            let mut args = args.clone();
            args.extend(["--format", "junit", "--fail-on", fail_on]);
            let run = run_in(&dir, &args);
            assert_eq!(run.code, 1, "{}", run.stderr);
            assert_valid(&xmllint, &xsd, &ws, &run.stdout);
        }
    }
    // Reconcile: findings located in inventories, on records without identity.
    let run = crate::common::reconcile_sample(&ws, "junit");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_valid(&xmllint, &xsd, &ws, &run.stdout);
    Ok(Completion::Completed)
}

/// An invalid registry: one failing test case per invalid file.
fn load_errors_are_valid_junit() -> Result<Completion, Failed> {
    let xsd = need!(shared("schemas/junit-10.xsd"));
    let xmllint = need!(program("xmllint"));
    let ws = Workspace::new();
    ws.write(
        "a.yaml",
        "version: 1\nidentities:\n  - id: k\n    kind: tokn\n",
    );
    ws.write("b.yaml", "version: 2\n");
    let run = ws.run(&["audit", "a.yaml", "b.yaml", "--format", "junit"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_valid(&xmllint, &xsd, &ws, &run.stdout);
    assert_eq!(
        run.stdout.matches("<testsuite ").count(),
        2,
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.matches("<failure ").count(), 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("type=\"invalid-registry\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("a.yaml:4:11: error: unknown identity kind `tokn`"),
        "{}",
        run.stdout
    );
    Ok(Completion::Completed)
}
