//! The exact bytes of every human and machine format, on the showcase registry.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test`).

use crate::common;

use crate::common::{repo_root, run_in};

fn showcase(format: &str) -> String {
    let run = common::showcase(format);
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.stdout
}

#[test]
fn table_format() {
    insta::assert_snapshot!("showcase_table", showcase("table"));
}

#[test]
fn text_format() {
    insta::assert_snapshot!("showcase_text", showcase("text"));
}

#[test]
fn json_format() {
    insta::assert_snapshot!("showcase_json", showcase("json"));
}

#[test]
fn load_errors() {
    let ws = common::Workspace::new();
    ws.write(
        "reg.yaml",
        "version: 1\npolicy:\n  warn_within: 30 days\nowners:\n  sec: { kind: teem }\nidentities:\n  - id: api\n    kind: api-key\n    owners: { policy: sec, technical: [a, b], revocaton: sec }\n    created: 2026-02-30\n    exceptions:\n      - { rule: stale-rotaton, reason: migration }\n",
    );
    let run = ws.run(&["audit", "reg.yaml", "--color", "never"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("load_errors", run.stderr);
}

#[test]
fn explain_output() {
    let run = run_in(&repo_root(), &["explain", "stale-rotation"]);
    insta::assert_snapshot!("explain_stale_rotation", run.stdout);
}
