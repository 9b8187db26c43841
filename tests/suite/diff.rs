//! `diff OLD NEW`: what a change to the registry does to accountability, in
//! each format, with its exit code; the GitHub Actions job that runs it on a
//! pull request, run in a temporary git repository; the README's snippets.

use crate::common::{self, NOW, Run, Workspace, repo_root, run_in};
use serde_json::Value;
use std::path::Path;

/// An owner directory every small registry below shares.
const OWNERS: &str = "owners:
  team-a: { kind: team, contact: x, members: [ann] }
  team-b: { kind: team, contact: y }
  ann: { kind: person }
  acme: { kind: vendor, contact: z }
";

/// An identity in order as of `NOW`; `extra` lines are appended to it.
fn identity(id: &str, extra: &str) -> String {
    format!(
        "  - id: {id}
    kind: api_key
    owners: {{ policy: team-a, technical: team-b, revocation: team-a }}
    rotation: {{ last_rotated: 2026-11-01 }}
    last_reviewed: 2026-11-01
{extra}"
    )
}

fn registry(policy: &str, identities: &str) -> String {
    format!("version: 1\n{policy}{OWNERS}identities:\n{identities}")
}

/// `diff old.yaml new.yaml` as of `NOW` in `format`, with more arguments.
fn diff_with(old: &str, new: &str, format: &str, extra: &[&str]) -> Run {
    let ws = Workspace::new();
    ws.write("old.yaml", old);
    ws.write("new.yaml", new);
    let mut args = vec![
        "diff", "old.yaml", "new.yaml", "--now", NOW, "--format", format, "--color", "never",
    ];
    args.extend_from_slice(extra);
    ws.run(&args)
}

fn diff_json(old: &str, new: &str) -> (i32, Value) {
    let run = diff_with(old, new, "json", &[]);
    assert!(run.code < 2, "{}{}", run.stdout, run.stderr);
    (run.code, run.json())
}

/// The changes of one changed identity.
fn changes<'a>(json: &'a Value, id: &str) -> &'a Vec<Value> {
    json["identities"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} did not change: {json:#}"))["changes"]
        .as_array()
        .unwrap()
}

fn field<'a>(changes: &'a [Value], name: &str) -> &'a Value {
    changes
        .iter()
        .find(|c| c["field"] == name)
        .unwrap_or_else(|| panic!("no change of {name}: {changes:#?}"))
}

fn rules(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap(), f["identity"]))
        .collect()
}

/// The fixtures: the realistic change of a pull request, as of 2026-11-22.
fn fixtures(format: &str) -> Run {
    run_in(
        &repo_root(),
        &[
            "diff",
            "tests/fixtures/diff/old.yaml",
            "tests/fixtures/diff/new.yaml",
            "--now",
            "2026-11-22",
            "--format",
            format,
            "--color",
            "never",
        ],
    )
}

#[test]
fn the_fixture_change_reports_every_kind_of_change() {
    let run = fixtures("json");
    assert_eq!(run.code, 1, "introduced errors fail: {}", run.stderr);
    let json = run.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "nhi-own");
    assert_eq!(json["now"], "2026-11-22");

    // The identity added without owners.
    let added = &json["identities"]["added"];
    assert_eq!(added.as_array().unwrap().len(), 1);
    assert_eq!(added[0]["id"], "vendor-webhook-secret");
    assert_eq!(added[0]["owners"]["policy"], Value::Null);
    assert_eq!(added[0]["file"], "tests/fixtures/diff/new.yaml");
    assert_eq!(json["identities"]["removed"], serde_json::json!([]));

    // The owner moved to a vendor: the privileged identity comes first.
    let changed = json["identities"]["changed"].as_array().unwrap();
    assert_eq!(changed[0]["id"], "payments-stripe-key");
    assert_eq!(changed[0]["privileged"], true);
    let stripe = changes(&json, "payments-stripe-key");
    let technical = field(stripe, "owners.technical");
    assert_eq!(technical["old"], "team-payments");
    assert_eq!(technical["new"], "acme-msp");
    assert_eq!(technical["owner"]["kind"], "vendor");
    assert_eq!(technical["owner"]["status"], "active");
    assert_eq!(
        technical["weakens"], false,
        "a vendor may be the technical owner"
    );
    assert_eq!(field(stripe, "owners.revocation")["weakens"], true);

    // The exception extended.
    let extended = field(changes(&json, "ci-deploy-token"), "exceptions");
    assert_eq!(extended["change"], "extended");
    assert_eq!(extended["old"], "2026-12-01");
    assert_eq!(extended["new"], "2027-03-15");
    assert_eq!(extended["exception"]["rule"], "stale-rotation");
    assert_eq!(extended["exception"]["approved_by"], "li-wei");
    assert_eq!(extended["weakens"], true);

    // The max age raised.
    let policy = json["policy"].as_array().unwrap();
    let raised = field(policy, "rotation.kinds.service_account");
    assert_eq!(raised["old"], Value::Null);
    assert_eq!(raised["new"], "180d");
    assert_eq!(raised["weakens"], true);
    assert!(
        raised["why"].as_str().unwrap().contains("90d → 180d"),
        "{raised}"
    );

    // The person marked inactive, flagged; the vendor added.
    let owners = json["owners"].as_array().unwrap();
    let dana = owners.iter().find(|o| o["id"] == "dana-kim").unwrap();
    assert_eq!(dana["change"], "changed");
    assert_eq!(dana["flagged"], true);
    assert_eq!(dana["references"], 2);
    assert_eq!(
        field(dana["changes"].as_array().unwrap(), "status")["new"],
        "inactive"
    );
    let acme = owners.iter().find(|o| o["id"] == "acme-msp").unwrap();
    assert_eq!(acme["change"], "added");
    assert_eq!(acme["flagged"], false);

    // Findings: introduced in NEW's file, resolved in OLD's.
    let introduced = rules(&json["findings"]["introduced"]);
    for expected in [
        "vendor-accountability \"payments-stripe-key\"",
        "exception-too-long \"ci-deploy-token\"",
        "inactive-owner \"billing-db-password\"",
        "missing-owner \"vendor-webhook-secret\"",
    ] {
        assert!(introduced.iter().any(|r| r == expected), "{introduced:?}");
    }
    assert!(
        json["findings"]["introduced"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["file"] == "tests/fixtures/diff/new.yaml")
    );
    assert_eq!(
        rules(&json["findings"]["resolved"]),
        [
            "expiring-exception \"ci-deploy-token\"",
            "stale-rotation \"reporting-sa\""
        ]
    );
    assert_eq!(
        json["findings"]["resolved"][1]["file"],
        "tests/fixtures/diff/old.yaml"
    );

    let summary = &json["summary"];
    assert_eq!(summary["identities_added"], 1);
    assert_eq!(summary["identities_changed"], 2);
    assert_eq!(summary["introduced"], introduced.len());
    assert_eq!(summary["resolved"], 2);
    assert_eq!(summary["weakening"], 3);
    assert_eq!(summary["flagged_owners"], 1);
    assert_eq!(summary["weakens"], true);
}

/// Findings are serialised exactly as `audit --format json` serialises them.
#[test]
fn introduced_findings_are_the_audit_json_findings() {
    let diff = fixtures("json").json();
    let audit = run_in(
        &repo_root(),
        &[
            "audit",
            "tests/fixtures/diff/new.yaml",
            "--now",
            "2026-11-22",
            "--format",
            "json",
        ],
    )
    .json();
    for finding in diff["findings"]["introduced"].as_array().unwrap() {
        assert!(
            audit["findings"].as_array().unwrap().contains(finding),
            "{finding:#}"
        );
    }
}

#[test]
fn snapshots_of_the_fixture_change() {
    let markdown = fixtures("markdown");
    assert_eq!(markdown.code, 1);
    insta::assert_snapshot!("diff_markdown", markdown.stdout);
    insta::assert_snapshot!("diff_table", fixtures("table").stdout);
    insta::assert_snapshot!("diff_json", fixtures("json").stdout);
}

#[test]
fn markdown_is_a_summary_then_details() {
    let out = fixtures("markdown").stdout;
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("### ❌ nhi-own diff"));
    assert_eq!(lines.next(), Some(""));
    let summary = lines.next().unwrap();
    assert!(
        summary.starts_with(
            "1 identity added, 0 removed, 2 changed; 8 findings introduced, 2 resolved"
        ) && summary.contains("the change weakens the gate"),
        "{summary}"
    );
    assert_eq!(
        out.matches("<details").count(),
        out.matches("</details>").count()
    );
    // What fails the gate is open; the rest is folded.
    assert!(out.contains("<details open><summary>Findings introduced (8)</summary>"));
    assert!(out.contains("<details><summary>Policy changes (1)</summary>"));
    assert!(out.contains("`acme-msp` (vendor, active)"), "{out}");
    assert!(out.contains("⚠️ weakens: max age raised: service_account 90d → 180d"));
}

#[test]
fn identical_registries_give_an_empty_diff_and_pass() {
    let text = registry(
        "",
        &identity("key", "    rotation: { last_rotated: 2020-01-01 }\n")
            .replace("    rotation: { last_rotated: 2026-11-01 }\n", ""),
    );
    let (code, json) = diff_json(&text, &text);
    assert_eq!(code, 0, "a stale key in both sides introduces nothing");
    assert_eq!(json["summary"]["introduced"], 0);
    assert_eq!(json["summary"]["resolved"], 0);
    assert_eq!(json["summary"]["weakens"], false);
    assert_eq!(json["identities"]["changed"], serde_json::json!([]));
    assert_eq!(json["policy"], serde_json::json!([]));
    assert_eq!(json["owners"], serde_json::json!([]));
    let table = diff_with(&text, &text, "table", &[]);
    assert_eq!(
        (table.code, table.stdout.as_str()),
        (
            0,
            "nhi-own diff: no change to identities, policy or owners; no finding introduced or resolved as of 2026-11-22\n"
        )
    );
    let markdown = diff_with(&text, &text, "markdown", &[]);
    assert_eq!(markdown.code, 0);
    assert!(
        markdown.stdout.starts_with("### ✅ nhi-own diff\n"),
        "{}",
        markdown.stdout
    );
    assert!(!markdown.stdout.contains("<details"));
}

#[test]
fn fail_on_counts_introduced_findings_only() {
    let stale = identity("key", "").replace("2026-11-01 }", "2020-01-01 }");
    let old = registry("", &stale);
    // The stale key is in both: not introduced, no failure.
    let also = format!("{stale}{}", identity("other", ""));
    let (code, json) = diff_json(&old, &registry("", &also));
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["introduced"], 0);
    // A second stale key is introduced: it fails.
    let worse = format!(
        "{stale}{}",
        identity("other", "").replace("2026-11-01 }", "2020-01-01 }")
    );
    let run = diff_with(&old, &registry("", &worse), "json", &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        rules(&run.json()["findings"]["introduced"]),
        ["stale-rotation \"other\""]
    );
    assert_eq!(
        diff_with(&old, &registry("", &worse), "json", &["--fail-on", "never"]).code,
        0
    );
    // A warning fails only from --fail-on warning.
    let shared = format!("{stale}{}", identity("other", "    used_by: [a, b]\n"));
    let new = registry("", &shared);
    assert_eq!(diff_with(&old, &new, "table", &[]).code, 0);
    assert_eq!(
        diff_with(&old, &new, "table", &["--fail-on", "warning"]).code,
        1
    );
    // Resolving findings never fails.
    assert_eq!(
        diff_with(&registry("", &worse), &old, "markdown", &[]).code,
        0
    );
}

#[test]
fn an_exception_that_hides_a_finding_is_shown_not_resolved() {
    let stale = identity("key", "").replace("2026-11-01 }", "2020-01-01 }");
    let excepted = format!(
        "{stale}    exceptions:\n      - {{ rule: stale-rotation, reason: migration, approved_by: ann, expires: 2026-12-31 }}\n"
    );
    let (code, json) = diff_json(&registry("", &stale), &registry("", &excepted));
    assert_eq!(code, 0, "suppressed findings do not fail");
    assert_eq!(json["findings"]["resolved"], serde_json::json!([]));
    let hidden = &json["findings"]["newly_suppressed"][0];
    assert_eq!(hidden["rule"], "stale-rotation");
    assert_eq!(hidden["exception"]["reason"], "migration");
    let added = field(changes(&json, "key"), "exceptions");
    assert_eq!(added["change"], "added");
    assert_eq!(added["weakens"], true);
    assert_eq!(json["summary"]["weakens"], true);
    let markdown = diff_with(
        &registry("", &stale),
        &registry("", &excepted),
        "markdown",
        &[],
    );
    assert!(
        markdown.stdout.contains(
            "<details open><summary>Findings newly suppressed by exceptions (1)</summary>"
        ),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.starts_with("### ⚠️ nhi-own diff"));
    // And the exception's removal: the finding is introduced again.
    let run = diff_with(&registry("", &excepted), &registry("", &stale), "json", &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        field(changes(&run.json(), "key"), "exceptions")["change"],
        "removed"
    );
}

#[test]
fn exceptions_are_matched_by_rule_and_reapproval_is_shown() {
    let with = |approver: &str, expires: &str| {
        registry(
            "",
            &identity(
                "key",
                &format!(
                    "    exceptions:\n      - {{ rule: missing-escalation, reason: r, approved_by: {approver}, expires: {expires} }}\n      - {{ rule: missing-escalation, reason: r2, approved_by: ann, expires: 2026-12-20 }}\n"
                ),
            ),
        )
    };
    let (_, json) = diff_json(&with("ann", "2026-12-31"), &with("team-a", "2026-12-10"));
    let changes = changes(&json, "key");
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert_eq!(changes[0]["change"], "shortened");
    assert_eq!(changes[0]["weakens"], false);
    assert_eq!(changes[1]["change"], "re-approved");
    assert_eq!(changes[1]["old"], "ann");
    assert_eq!(changes[1]["new"], "team-a");
    assert_eq!(changes[1]["exception"]["nth"], 1);
}

#[test]
fn identity_fields_and_what_weakens() {
    let old = registry(
        "",
        &identity("key", "    privileged: true\n    expires: 2027-01-31\n"),
    );
    let new = registry(
        "",
        &identity("key", "    expires: 2027-06-30\n")
            .replace(
                "rotation: { last_rotated: 2026-11-01 }",
                "rotation: { last_rotated: 2026-11-01, max_age: 365d }",
            )
            .replace("technical: team-b", "technical: ghost"),
    );
    let (_, json) = diff_json(&old, &new);
    let changes = changes(&json, "key");
    let privileged = field(changes, "privileged");
    assert_eq!(
        (&privileged["old"], &privileged["new"]),
        (&"true".into(), &"false".into())
    );
    assert_eq!(privileged["weakens"], true);
    let age = field(changes, "rotation.max_age");
    assert_eq!((&age["old"], &age["new"]), (&Value::Null, &"365d".into()));
    assert_eq!(age["weakens"], true);
    let expires = field(changes, "expires");
    assert_eq!(expires["new"], "2027-06-30");
    let technical = field(changes, "owners.technical");
    assert_eq!(technical["owner"]["in_directory"], false);
    assert_eq!(technical["weakens"], true);
    let table = diff_with(&old, &new, "table", &[]).stdout;
    assert!(
        table.contains("owners.technical: team-b → ghost (not in the directory)"),
        "{table}"
    );
    // The other way round strengthens: nothing weakens.
    let (_, json) = diff_json(&new, &old);
    assert!(
        crate::diff::changes(&json, "key")
            .iter()
            .filter(|c| c["field"] != "owners.technical")
            .all(|c| c["weakens"] == false),
        "{json:#}"
    );
}

#[test]
fn policy_changes_that_weaken_the_gate_are_marked() {
    let old = registry(
        "policy:\n  required_owners: [policy, technical, revocation]\n  review_interval: 180d\n  max_exception: 90d\n  warn_within: 30d\n",
        &identity("key", ""),
    );
    let new = registry(
        "policy:\n  required_owners: [policy, technical]\n  review_interval: 52w\n  max_exception: 30d\n  warn_within: 14d\n  rotation: { max_age: 120d }\n  severity: { review-overdue: off, stale-rotation: warning, shared-credential: error }\n  ignore_refs: [\"arn:aws:iam::*:user/people/*\"]\n",
        &identity("key", ""),
    );
    let (_, json) = diff_json(&old, &new);
    let policy = json["policy"].as_array().unwrap();
    let weakens = |name: &str, change: Option<&str>| {
        let c = policy
            .iter()
            .find(|c| c["field"] == name && change.is_none_or(|k| c["change"] == k))
            .unwrap_or_else(|| panic!("no {name}: {policy:#?}"));
        c["weakens"].as_bool().unwrap()
    };
    assert!(weakens("required_owners", Some("removed")));
    assert!(weakens("review_interval", None));
    assert!(
        !weakens("max_exception", None),
        "a shorter max exception is stricter"
    );
    assert!(weakens("warn_within", None), "a shorter window warns later");
    assert!(
        weakens("rotation.max_age", None),
        "120d raises the 90d kinds"
    );
    assert!(weakens("severity.review-overdue", None));
    assert!(weakens("severity.stale-rotation", None));
    assert!(!weakens("severity.shared-credential", None));
    assert!(weakens("ignore_refs", Some("added")));
    let markdown = diff_with(&old, &new, "markdown", &[]).stdout;
    assert!(
        markdown.contains("| `severity.review-overdue` | `warning` | `off` | ⚠️ weakens: review-overdue is no longer reported |"),
        "{markdown}"
    );
}

#[test]
fn owner_directory_changes() {
    let old = registry("", &identity("key", ""));
    let new = registry("", &identity("key", ""))
        .replace("  team-b: { kind: team, contact: y }\n", "")
        .replace(
            "  acme: { kind: vendor, contact: z }\n",
            "  acme: { kind: vendor, contact: z2 }\n  newcomer: { kind: person }\n",
        );
    let (code, json) = diff_json(&old, &new);
    assert_eq!(code, 1, "team-b is referenced and now unknown");
    let owners = json["owners"].as_array().unwrap();
    let get = |id: &str| owners.iter().find(|o| o["id"] == id).unwrap();
    assert_eq!(get("team-b")["change"], "removed");
    assert_eq!(get("team-b")["flagged"], true);
    assert_eq!(get("team-b")["references"], 1);
    assert_eq!(get("acme")["change"], "changed");
    assert_eq!(get("acme")["flagged"], false);
    assert_eq!(get("acme")["changes"][0]["field"], "contact");
    assert_eq!(get("newcomer")["change"], "added");
    assert!(rules(&json["findings"]["introduced"]).contains(&"unknown-owner \"key\"".to_owned()));
}

#[test]
fn duplicated_ids_are_matched_by_occurrence() {
    let two = format!("{}{}", identity("key", ""), identity("key", ""));
    let moved = format!(
        "{}{}",
        identity("key", ""),
        identity("key", "").replace("technical: team-b", "technical: ann")
    );
    let (_, json) = diff_json(&registry("", &two), &registry("", &moved));
    let changed = json["identities"]["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["occurrence"], 2);
    let (_, json) = diff_json(&registry("", &two), &registry("", &identity("key", "")));
    assert_eq!(json["identities"]["removed"][0]["occurrence"], 2);
    assert!(
        rules(&json["findings"]["resolved"]).contains(&"duplicate-identity \"key\"".to_owned())
    );
}

#[test]
fn an_invalid_side_is_exit_2_in_every_format() {
    let good = registry("", &identity("key", ""));
    let bad_old = "version: 1\nidentities:\n  - id: a\n    kind: tokn\n";
    let bad_new = "version: 1\nidentites: []\n";
    for (old, new, files) in [
        (bad_old, good.as_str(), vec!["old.yaml"]),
        (good.as_str(), bad_new, vec!["new.yaml"]),
        (bad_old, bad_new, vec!["old.yaml", "new.yaml"]),
    ] {
        for format in ["table", "json", "markdown"] {
            let run = diff_with(old, new, format, &[]);
            assert_eq!(run.code, 2, "{format}: {}{}", run.stdout, run.stderr);
            for file in &files {
                assert!(run.stderr.contains(&format!("{file}:")), "{}", run.stderr);
            }
            assert!(
                run.stderr.contains("nothing was compared"),
                "{}",
                run.stderr
            );
            match format {
                "json" => {
                    let errors: Vec<String> = run.json()["errors"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| {
                            format!(
                                "{}:{}:{}",
                                e["file"].as_str().unwrap(),
                                e["line"],
                                e["column"]
                            )
                        })
                        .collect();
                    assert_eq!(errors.len(), files.len(), "{errors:?}");
                    for (error, file) in errors.iter().zip(&files) {
                        assert!(error.starts_with(file), "{errors:?}");
                    }
                }
                "markdown" => {
                    assert!(
                        run.stdout.contains("| location | error | help |"),
                        "{}",
                        run.stdout
                    );
                    for file in &files {
                        assert!(run.stdout.contains(&format!("`{file}:")), "{}", run.stdout);
                    }
                }
                _ => assert!(run.stdout.is_empty(), "{}", run.stdout),
            }
        }
    }
    // A missing file is an error too.
    let ws = Workspace::new();
    ws.write("new.yaml", &good);
    let run = ws.run(&["diff", "absent.yaml", "new.yaml", "--now", NOW]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("absent.yaml"), "{}", run.stderr);
}

#[test]
fn directories_are_read_as_audit_reads_them() {
    let ws = Workspace::new();
    ws.write("old/a.yaml", format!("version: 1\n{OWNERS}"));
    ws.write(
        "old/b.yaml",
        format!("version: 1\nidentities:\n{}", identity("key", "")),
    );
    // The same identity moved to another file, and one added: only the addition shows.
    ws.write(
        "new/a.yaml",
        format!("version: 1\n{OWNERS}identities:\n{}", identity("key", "")),
    );
    ws.write(
        "new/c/d.yaml",
        format!("version: 1\nidentities:\n{}", identity("more", "")),
    );
    let run = ws.run(&["diff", "old", "new", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["identities"]["changed"], serde_json::json!([]));
    assert_eq!(json["identities"]["added"][0]["id"], "more");
    assert_eq!(json["identities"]["added"][0]["file"], "new/c/d.yaml");
}

#[test]
fn one_side_may_be_standard_input() {
    let old = registry("", &identity("key", ""));
    let new = registry(
        "",
        &format!("{}{}", identity("key", ""), identity("more", "")),
    );
    let ws = Workspace::new();
    ws.write("new.yaml", &new);
    let output = common::nhi_own()
        .current_dir(ws.dir.path())
        .args(["diff", "-", "new.yaml", "--now", NOW, "--format", "json"])
        .write_stdin(old.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["identities"]["added"][0]["id"], "more");
    // Errors in it are located at `<stdin>`.
    let output = common::nhi_own()
        .current_dir(ws.dir.path())
        .args(["diff", "new.yaml", "-", "--now", NOW])
        .write_stdin("version: 1\nidentities: 7\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("<stdin>:"));
    // Not both.
    let run = ws.run(&["diff", "-", "-", "--now", NOW]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("OLD and NEW cannot both be standard input"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bad_now_is_exit_2() {
    let text = registry("", &identity("key", ""));
    let run = diff_with(&text, &text, "table", &["--now", "2026-13-01"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--now"), "{}", run.stderr);
}

#[test]
fn colour_only_when_asked() {
    let plain = fixtures("table").stdout;
    assert!(!plain.contains('\u{1b}'));
    let coloured = run_in(
        &repo_root(),
        &[
            "diff",
            "tests/fixtures/diff/old.yaml",
            "tests/fixtures/diff/new.yaml",
            "--now",
            "2026-11-22",
            "--color",
            "always",
        ],
    )
    .stdout;
    assert!(coloured.contains("\u{1b}["), "{coloured}");
}

// ---------------------------------------------------------------- the README

/// The README's snippet runs as written beside the fixtures, copied as the
/// file names it uses, and prints what the README shows.
#[test]
fn readme_snippet_runs_as_written() {
    let ws = Workspace::new();
    let fixture =
        |name: &str| std::fs::read(repo_root().join("tests/fixtures/diff").join(name)).unwrap();
    ws.write("base.yaml", fixture("old.yaml"));
    ws.write("ownership.yaml", fixture("new.yaml"));
    let block = common::readme_block("### Reviewing a change");
    let mut ran = 0;
    for line in block.lines() {
        let command = line.split(" #").next().unwrap().trim();
        let Some(args) = command.strip_prefix("nhi-own ") else {
            continue;
        };
        // `> FILE` as the shell would do it.
        let (args, to) = match args.split_once(" > ") {
            Some((args, file)) => (args, Some(file)),
            None => (args, None),
        };
        let args: Vec<&str> = args.split_whitespace().collect();
        let run = ws.run(&args);
        assert_eq!(run.code, 1, "`{command}`: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("1 identity added"), "{}", run.stdout);
        if let Some(file) = to {
            ws.write(file, &run.stdout);
            assert!(
                run.stdout.starts_with("### ❌ nhi-own diff"),
                "{}",
                run.stdout
            );
        }
        ran += 1;
    }
    assert_eq!(ran, 2, "{block}");
    // The output the README shows is the command's, line for line.
    let shown = common::readme_block("prints, for the change in");
    let run = ws.run(&[
        "diff",
        "base.yaml",
        "ownership.yaml",
        "--now",
        "2026-11-22",
        "--color",
        "never",
    ]);
    for line in shown
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains('…'))
    {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "the README shows {line:?}, not in:\n{}",
            run.stdout
        );
    }
}

// ------------------------------------------------------- the GitHub Actions job

/// The `run:` script and `env` of the workflow's diff step, as the file holds them.
fn workflow_step() -> (String, Vec<(String, String)>) {
    let text = std::fs::read_to_string(repo_root().join("examples/ci/github-actions.yml")).unwrap();
    let workflow: Value = crate::common::yaml_value(&text);
    let job = &workflow["jobs"]["diff"];
    assert_eq!(job["if"], "github.event_name == 'pull_request'");
    assert_eq!(job["permissions"]["pull-requests"], "write");
    assert_eq!(job["steps"][0]["with"]["fetch-depth"], 0);
    let steps = job["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("nhi-own diff"))
        })
        .expect("a step that runs nhi-own diff");
    let script = step["run"].as_str().unwrap().to_owned();
    assert!(
        !script.contains("${{"),
        "no expression is interpolated into the script:\n{script}"
    );
    let env = step["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect();
    (script, env)
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The outcome of the job's script in a repository whose base branch is
/// `main` (as `origin/main`) and whose checkout is the pull request.
struct JobRun {
    code: i32,
    summary: String,
    comment: Option<String>,
    log: String,
}

/// A repository with `base` (files) committed on `origin/main` and `pr`
/// committed on top; then the job's script, with `registry` as REGISTRY.
fn run_job(base: &[(&str, &[u8])], pr: &[(&str, &[u8])], registry: &str) -> Option<JobRun> {
    if std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping: git is not installed");
        return None;
    }
    let (script, env) = workflow_step();
    let ws = Workspace::new();
    let repo = ws.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    for (name, text) in base {
        ws.write(&format!("repo/{name}"), text);
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "--quiet", "--allow-empty", "-m", "base"]);
    git(&repo, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    for (name, text) in pr {
        ws.write(&format!("repo/{name}"), text);
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "--quiet", "-m", "pr"]);
    // `nhi-own` is this build; `gh` records the comment it was asked to post.
    let bin = ws.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let comment = ws.dir.path().join("comment.md");
    let stub = format!(
        "#!/bin/sh\n[ \"$1 $2\" = \"pr comment\" ] || exit 3\nwhile [ $# -gt 0 ]; do [ \"$1\" = --body-file ] && cp \"$2\" '{}'; shift; done\n",
        comment.display()
    );
    ws.write("bin/gh", stub);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{PermissionsExt, symlink};
        std::fs::set_permissions(bin.join("gh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        symlink(env!("CARGO_BIN_EXE_nhi-own"), bin.join("nhi-own")).unwrap();
    }
    let temp = ws.dir.path().join("runner-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let summary = ws.dir.path().join("summary.md");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = std::process::Command::new("bash");
    command.current_dir(&repo).arg("-c").arg(&script);
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command
        .env("REGISTRY", registry)
        .env("PR_NUMBER", "7")
        .env("GH_TOKEN", "dummy")
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", &temp)
        .env("PATH", path)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    Some(JobRun {
        code: out.status.code().unwrap_or(-1),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        comment: std::fs::read_to_string(&comment).ok(),
        log: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    })
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo_root().join("tests/fixtures/diff").join(name)).unwrap()
}

#[test]
fn the_workflow_job_diffs_a_pull_request_against_its_base() {
    let (old, new) = (fixture("old.yaml"), fixture("new.yaml"));
    let Some(job) = run_job(
        &[("ownership.yaml", &old)],
        &[("ownership.yaml", &new)],
        "ownership.yaml",
    ) else {
        return;
    };
    assert_eq!(job.code, 1, "introduced errors fail the job: {}", job.log);
    assert!(
        job.summary.starts_with("### ❌ nhi-own diff\n"),
        "{}",
        job.summary
    );
    assert!(
        job.summary.contains("`vendor-webhook-secret`"),
        "{}",
        job.summary
    );
    assert!(
        job.summary
            .contains("<details open><summary>Findings introduced ("),
        "{}",
        job.summary
    );
    assert_eq!(
        job.comment.as_deref(),
        Some(job.summary.as_str()),
        "the comment is the summary"
    );

    // A change that introduces nothing passes, and says so.
    let fixed = String::from_utf8(old.clone()).unwrap().replace(
        "rotation: { last_rotated: 2026-07-01 }",
        "rotation: { last_rotated: 2026-11-01 }",
    );
    let job = run_job(
        &[("ownership.yaml", &old)],
        &[("ownership.yaml", fixed.as_bytes())],
        "ownership.yaml",
    )
    .unwrap();
    assert_eq!(job.code, 0, "{}", job.log);
    assert!(job.summary.contains("1 resolved"), "{}", job.summary);
}

#[test]
fn the_workflow_job_compares_a_new_registry_with_an_empty_one() {
    let new = fixture("new.yaml");
    let Some(job) = run_job(
        &[("README", b"x")],
        &[("ownership.yaml", &new)],
        "ownership.yaml",
    ) else {
        return;
    };
    assert_eq!(job.code, 1, "{}", job.log);
    assert!(
        job.log
            .contains("::notice::ownership.yaml is not on origin/main"),
        "{}",
        job.log
    );
    assert!(
        job.summary.contains("5 identities added"),
        "{}",
        job.summary
    );
}

#[test]
fn the_workflow_job_reads_a_directory_through_a_worktree() {
    let (old, new) = (fixture("old.yaml"), fixture("new.yaml"));
    let Some(job) = run_job(
        &[("registry/all.yaml", &old)],
        &[("registry/all.yaml", &new)],
        "registry",
    ) else {
        return;
    };
    assert_eq!(job.code, 1, "{}", job.log);
    assert!(
        job.summary
            .contains("<details open><summary>Findings introduced ("),
        "{}",
        job.summary
    );
    // An invalid registry fails with exit 2, its errors in the summary.
    let job = run_job(
        &[("registry/all.yaml", &old)],
        &[("registry/all.yaml", b"version: 1\nidentites: []\n")],
        "registry",
    )
    .unwrap();
    assert_eq!(job.code, 2, "{}", job.log);
    assert!(
        job.summary.contains("| location | error | help |"),
        "{}",
        job.summary
    );
}
