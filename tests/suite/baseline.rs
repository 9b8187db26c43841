//! `--baseline` and `--write-baseline`: adopt the gate on new findings only,
//! then burn the baseline down.

use crate::common::{Workspace, repo_root};
use serde_json::Value;

const NOW: &str = "2026-11-01";

fn showcase(ws: &Workspace) {
    let text = std::fs::read_to_string(repo_root().join("examples/showcase.yaml")).unwrap();
    ws.write("r.yaml", text);
}

/// The showcase as `r.yaml`, and its baseline as `base.json`.
fn baselined_showcase() -> Workspace {
    let ws = Workspace::new();
    showcase(&ws);
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--write-baseline",
        "base.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    ws
}

#[test]
fn a_written_baseline_passes_and_only_new_findings_fail() {
    let ws = Workspace::new();
    showcase(&ws);
    let before = ws.run(&["audit", "r.yaml", "--now", NOW, "--format", "json"]);
    assert_eq!(before.code, 1);
    let findings = before.json()["findings"].as_array().unwrap().len();
    let write = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--write-baseline",
        "base.json",
    ]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert!(
        write
            .stderr
            .contains(&format!("wrote {findings} findings to base.json")),
        "{}",
        write.stderr
    );
    // The baseline is a JSON report with every finding.
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(ws.dir.path().join("base.json")).unwrap())
            .unwrap();
    assert_eq!(base["findings"].as_array().unwrap().len(), findings);
    // Gated on it: nothing new, exit 0, everything listed as baselined.
    let gated = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--baseline",
        "base.json",
        "--format",
        "json",
    ]);
    assert_eq!(gated.code, 0, "{}", gated.stderr);
    let json = gated.json();
    assert_eq!(json["findings"], Value::Array(vec![]));
    assert_eq!(json["summary"]["baselined"], findings);
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["baselined"].as_array().unwrap().len(), findings);
    let table = ws.run(&["audit", "r.yaml", "--now", NOW, "--baseline", "base.json"]);
    assert!(
        table.stdout.ends_with(&format!(
            "0 errors, 0 warnings, 0 info in 25 identities (2 suppressed by exceptions, {findings} baselined) as of {NOW}\n"
        )),
        "{}",
        table.stdout
    );
    // A new identity with problems fails, with only its own findings.
    let text = std::fs::read_to_string(ws.dir.path().join("r.yaml")).unwrap();
    ws.write(
        "r.yaml",
        text.replace(
            "identities:\n",
            "identities:\n  - id: brand-new\n    kind: token\n",
        ),
    );
    let new = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--baseline",
        "base.json",
        "--format",
        "text",
    ]);
    assert_eq!(new.code, 1);
    assert!(
        new.stdout.lines().all(|l| l.contains("brand-new")),
        "{}",
        new.stdout
    );
    assert!(
        new.stdout.contains("error[missing-owner] brand-new"),
        "{}",
        new.stdout
    );
}

#[test]
fn fixed_baseline_entries_are_reported_once() {
    let ws = baselined_showcase();
    // Fix the two stale rotations of the registry's first stale identities.
    let text = std::fs::read_to_string(ws.dir.path().join("r.yaml")).unwrap();
    let fixed = text
        .replace("last_rotated: 2026-03-01", "last_rotated: 2026-10-30")
        .replace("last_rotated: 2025-11-01", "last_rotated: 2026-10-30");
    assert_ne!(fixed, text);
    ws.write("r.yaml", fixed);
    let run = ws.run(&["audit", "r.yaml", "--now", NOW, "--baseline", "base.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "info: 2 baselined findings are fixed: regenerate the baseline with `--write-baseline base.json`\n"
    );
}

#[test]
fn sarif_lists_baselined_findings_as_externally_suppressed() {
    let ws = baselined_showcase();
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--baseline",
        "base.json",
        "--format",
        "sarif",
    ]);
    assert_eq!(run.code, 0);
    let sarif = run.json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let external = results
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "external")
        .count();
    let in_source = results
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "inSource")
        .count();
    assert_eq!(in_source, 2);
    assert_eq!(external, results.len() - 2);
    assert!(results.iter().all(|r| r["suppressions"].is_array()));
}

#[test]
fn a_file_that_is_not_a_report_is_refused() {
    let ws = Workspace::new();
    showcase(&ws);
    ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--format",
        "sarif",
        "-o",
        "report.sarif",
    ]);
    ws.write(
        "v2.json",
        r#"{"version": 2, "tool": {"name": "nhi-own"}, "findings": []}"#,
    );
    ws.write("half.json", "{\"version\": 1,\n  \"findings\": [");
    ws.write(
        "other.json",
        r#"{"version": 1, "tool": {"name": "nhi-own"}, "findings": [{"rule": "x"}]}"#,
    );
    let fp = "0123456789abcdef0123456789abcdef";
    let report =
        |findings: &str| format!(r#"{{"version": 1, "tool": {{"name": "nhi-own"}}, {findings}}}"#);
    let upper = format!(
        r#""findings": [{{"fingerprint": "{}"}}]"#,
        fp.to_uppercase()
    );
    ws.write("upper.json", report(&upper));
    // A second `findings` must not replace the first.
    let twice = format!(r#""findings": [], "findings": [{{"fingerprint": "{fp}"}}]"#);
    ws.write("twice.json", report(&twice));
    ws.write(
        "wrong-type.json",
        report(r#""findings": [], "baselined": {}"#),
    );
    ws.write(
        "old.json",
        report(r#""findings": [{"fingerprint": "0123456789abcdef"}]"#),
    );
    ws.write(
        "errors.json",
        r#"{"version": 1, "tool": {"name": "nhi-own"}, "errors": [], "findings": []}"#,
    );
    for (file, needle) in [
        (
            "v2.json",
            "v2.json: a report of version 2; this nhi-own reads reports of version 1",
        ),
        ("half.json", "half.json:2:15: the baseline is not JSON"),
        (
            "report.sarif",
            "report.sarif: not a report of `nhi-own audit --format json`: `tool.name` is not `nhi-own`",
        ),
        (
            "other.json",
            "finding 1 has no fingerprint of 32 lowercase hex digits",
        ),
        (
            "upper.json",
            "finding 1 has no fingerprint of 32 lowercase hex digits",
        ),
        ("twice.json", "duplicate field `findings`"),
        (
            "wrong-type.json",
            "not a report of `nhi-own audit --format json` (invalid type",
        ),
        ("old.json", "written by an earlier nhi-own"),
        (
            "errors.json",
            "the report of an invalid registry holds no findings to baseline",
        ),
        ("r.yaml", "r.yaml:1:1: the baseline is not JSON"),
        ("missing.json", "missing.json: cannot read the baseline"),
    ] {
        let run = ws.run(&["audit", "r.yaml", "--now", NOW, "--baseline", file]);
        assert_eq!(run.code, 2, "{file}");
        assert!(run.stdout.is_empty(), "{file}: {}", run.stdout);
        assert!(run.stderr.contains(needle), "{file}: {}", run.stderr);
    }
    // No larger than a registry file may be.
    let padding = " ".repeat(1024 * 1024);
    ws.write(
        "big.json",
        format!("{}{padding}", report(r#""findings": []"#)),
    );
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--max-file-size",
        "1",
        "--baseline",
        "big.json",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("big.json: the baseline is over 1 MiB (`--max-file-size`)"),
        "{}",
        run.stderr
    );
    // The baseline never replaces a registry file.
    let run = ws.run(&["audit", "r.yaml", "--write-baseline", "r.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--write-baseline `r.yaml` is one of the registry's files"),
        "{}",
        run.stderr
    );
    assert!(
        std::fs::read_to_string(ws.dir.path().join("r.yaml"))
            .unwrap()
            .contains("version: 1")
    );
}

/// Findings on repeated entries (two exceptions for one rule on one
/// identity, a member listed twice) have fingerprints of their own, so a
/// baseline of two never hides a third.
#[test]
fn a_finding_like_baselined_ones_on_a_new_entry_is_new() {
    let ws = Workspace::new();
    let exception = |reason: &str| {
        format!(
            "      - {{ rule: missing-owner, reason: {reason}, approved_by: bob, expires: 2026-11-20 }}\n"
        )
    };
    let registry = |exceptions: &[&str], members: &str| {
        format!(
            "version: 1\nowners:\n  bob: {{ kind: person }}\n  t: {{ kind: team, contact: x, members: [{members}] }}\nidentities:\n  - id: x\n    kind: token\n    owners: {{ policy: t, technical: bob, revocation: t }}\n    escalation: x\n    created: 2026-10-01\n    exceptions:\n{}",
            exceptions.iter().map(|r| exception(r)).collect::<String>()
        )
    };
    ws.write("r.yaml", registry(&["a", "b"], "bob, ghost, ghost"));
    let write = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--write-baseline",
        "base.json",
        "--format",
        "json",
    ]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    let json = write.json();
    let rules: Vec<&str> = json["baselined"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules.iter().filter(|r| **r == "expiring-exception").count(),
        2,
        "{json}"
    );
    assert_eq!(
        rules.iter().filter(|r| **r == "unknown-owner").count(),
        2,
        "{json}"
    );
    // A third exception for the same rule, and a third listing of the
    // unknown member: new findings, which fail.
    ws.write(
        "r.yaml",
        registry(&["a", "b", "c"], "bob, ghost, ghost, ghost"),
    );
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--baseline",
        "base.json",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let new: Vec<(String, u64)> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        new,
        vec![
            ("unknown-owner".to_owned(), 4),
            ("unused-exception".to_owned(), 14),
            ("self-approved-exception".to_owned(), 14),
            ("expiring-exception".to_owned(), 14),
        ],
        "{}",
        run.stdout
    );
}

/// An identity cannot hide behind a baselined finding of another: not by an
/// id that spells another entry's fingerprint key (`svc#2`, the second
/// `svc`), and not by an id found to collide with another under the 64-bit
/// hash fingerprints once used (FNV-1a: these two ids shared one).
#[test]
fn no_identity_can_pass_for_a_baselined_one() {
    let entry = |id: &str| {
        format!(
            "  - id: '{id}'\n    kind: workload_identity\n    owners: {{ policy: p, technical: t }}\n    escalation: x\n    created: 2026-10-01\n    last_reviewed: 2026-10-01\n"
        )
    };
    for (before, added) in [
        (vec!["svc", "svc"], "svc#2"),
        (vec!["svc-0582476ebfc46a96"], "svc-1decbe0155fc8486"),
    ] {
        let ws = Workspace::new();
        let old: String = before.iter().map(|id| entry(id)).collect();
        ws.write("r.yaml", format!("version: 1\nidentities:\n{old}"));
        let write = ws.run(&[
            "audit",
            "r.yaml",
            "--now",
            NOW,
            "--write-baseline",
            "b.json",
        ]);
        assert_eq!(write.code, 0, "{}", write.stderr);
        ws.write(
            "r.yaml",
            format!("version: 1\nidentities:\n{old}{}", entry(added)),
        );
        let run = ws.run(&[
            "audit",
            "r.yaml",
            "--now",
            NOW,
            "--baseline",
            "b.json",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 1, "{added} passed the gate:\n{}", run.stdout);
        let json = run.json();
        let new = json["findings"].as_array().unwrap();
        assert!(
            !new.is_empty() && new.iter().all(|f| f["identity"] == added),
            "{json}"
        );
    }
}

/// Neither the report nor the baseline is written onto the file standard
/// input reads, or onto each other.
#[test]
fn no_write_lands_on_stdin_or_on_the_other_write() {
    use std::process::Stdio;
    let ws = Workspace::new();
    showcase(&ws);
    let before = std::fs::read(ws.dir.path().join("r.yaml")).unwrap();
    for flag in ["--write-baseline", "--output"] {
        // The file itself as standard input, as a shell's `< r.yaml` gives it.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nhi-own"))
            .current_dir(ws.dir.path())
            .args(["audit", "-", "--now", NOW, flag, "r.yaml"])
            .stdin(Stdio::from(
                std::fs::File::open(ws.dir.path().join("r.yaml")).unwrap(),
            ))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&format!(
                "error: {flag} `r.yaml` is one of the registry's files"
            )),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read(ws.dir.path().join("r.yaml")).unwrap(), before);
    }
    for (output, baseline) in [("same.json", "same.json"), ("./same.json", "same.json")] {
        let run = ws.run(&[
            "audit",
            "r.yaml",
            "--now",
            NOW,
            "-o",
            output,
            "--write-baseline",
            baseline,
        ]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("--output and --write-baseline both name `same.json`"),
            "{}",
            run.stderr
        );
        assert!(!ws.dir.path().join("same.json").exists());
    }
}
