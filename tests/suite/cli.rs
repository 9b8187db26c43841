//! The command line as a user sees it: exit codes, output files, formats,
//! determinism, escaping, colour, and the bundled examples.

use crate::common;

use crate::common::{Workspace, nhi_own, repo_root, run_in};
use crate::gen_registry;
use nhi_own::keyword::Keyword as _;
use serde_json::Value;
use std::collections::BTreeSet;

fn examples(args: &[&str]) -> common::Run {
    run_in(&repo_root(), args)
}

fn showcase_json() -> common::Run {
    common::showcase("json")
}

#[test]
fn fail_on_levels_decide_the_exit_code() {
    // One warning (no separation of duties) and nothing else.
    let ws = Workspace::new();
    ws.write(
        "ownership.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: workload_identity\n    escalation: x\n    last_reviewed: 2026-11-01\n    owners: { policy: p, technical: p, revocation: r }\n",
    );
    let code = |fail_on: &str| {
        ws.run(&["audit", "--now", "2026-11-22", "--fail-on", fail_on])
            .code
    };
    assert_eq!(code("error"), 0);
    assert_eq!(code("warning"), 1);
    assert_eq!(code("info"), 1);
    assert_eq!(code("never"), 0);
    // Default: error.
    assert_eq!(ws.run(&["audit", "--now", "2026-11-22"]).code, 0);

    // An info finding fails only --fail-on info.
    ws.write(
        "ownership.yaml",
        "version: 1\nowners:\n  p: { kind: team, contact: x }\n  t: { kind: team }\n  r: { kind: team }\n  idle: { kind: team }\nidentities:\n  - id: a\n    kind: workload_identity\n    last_reviewed: 2026-11-01\n    owners: { policy: p, technical: t, revocation: p }\n",
    );
    // r and t: t is referenced, r and idle are not.
    assert_eq!(code("warning"), 0);
    assert_eq!(code("info"), 1);

    // An error fails every level but never.
    ws.write(
        "ownership.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: workload_identity\n",
    );
    assert_eq!(code("error"), 1);
    assert_eq!(code("never"), 0);
}

#[test]
fn exit_code_does_not_depend_on_format_or_output() {
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: token\n",
    );
    for format in ["table", "text", "json"] {
        assert_eq!(
            ws.run(&["audit", "r.yaml", "--format", format]).code,
            1,
            "{format}"
        );
        assert_eq!(
            ws.run(&["audit", "r.yaml", "--format", format, "--output", "out"])
                .code,
            1,
            "{format}"
        );
    }
}

#[test]
fn output_is_written_atomically_and_kept_on_invalid_input() {
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: token\n",
    );
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--format",
        "json",
        "--output",
        "report.json",
        "--now",
        "2026-11-22",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.is_empty(),
        "the report goes to the file, not stdout"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(ws.dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["identities"], 1);
    // An invalid registry still writes its report, with the errors and no
    // findings (SPEC §4), and leaves no temporary file behind.
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: tokn\n",
    );
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--format",
        "json",
        "--output",
        "report.json",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("r.yaml:4:11: error: unknown identity kind `tokn`"),
        "{}",
        run.stderr
    );
    let errors: Value =
        serde_json::from_slice(&std::fs::read(ws.dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(errors["errors"][0]["line"], 4);
    assert_eq!(errors["errors"][0]["column"], 11);
    assert_eq!(errors["findings"].as_array().unwrap().len(), 0);
    let names: Vec<String> = std::fs::read_dir(ws.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.starts_with(".nhi-own")).count(),
        0,
        "{names:?}"
    );
    // An output in a directory that does not exist is a clear error, exit 2,
    // that names the directory (and not a temporary file).
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: token\n",
    );
    let run = ws.run(&["audit", "r.yaml", "--output", "missing/dir/report.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot write the report to `missing/dir/report.json`: directory `missing/dir` does not exist"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(".nhi-own-write"), "{}", run.stderr);
}

/// Every file under `dir`: path, content and modification time.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let meta = e.metadata().unwrap();
            let content = if meta.is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (
                e.path().display().to_string(),
                content,
                meta.modified().unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// `audit` writes nothing to the registry or beside it, whatever the
/// format, on success, failure or invalid input; `--output` writes only its file.
#[test]
fn audit_never_writes_to_the_registry_or_its_directory() {
    let ws = Workspace::new();
    let registry = ws.dir.path().join("registry");
    std::fs::create_dir_all(&registry).unwrap();
    for entry in std::fs::read_dir(repo_root().join("examples/multi")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), registry.join(entry.file_name())).unwrap();
        }
    }
    ws.write(
        "registry/services/one.yaml",
        "version: 1\nidentities:\n  - id: x\n    kind: token\n",
    );
    let before = snapshot(&registry);
    for format in [
        "table", "text", "json", "sarif", "github", "junit", "markdown",
    ] {
        let run = ws.run(&[
            "audit",
            "registry",
            "--format",
            format,
            "--now",
            "2026-11-01",
        ]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let run = ws.run(&[
            "audit",
            "registry",
            "--format",
            format,
            "--output",
            "out/report",
        ]);
        assert_ne!(run.code, 0, "{format}: the output directory is missing");
    }
    std::fs::create_dir_all(ws.dir.path().join("out")).unwrap();
    let run = ws.run(&[
        "audit",
        "registry",
        "--output",
        "out/report",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(ws.dir.path().join("out/report").is_file());
    ws.write("registry/zz-broken.yaml", "version: [\n");
    let with_broken = snapshot(&registry);
    let run = ws.run(&["audit", "registry", "--output", "out/report"]);
    assert_eq!(run.code, 2);
    assert_eq!(snapshot(&registry), with_broken);
    std::fs::remove_file(registry.join("zz-broken.yaml")).unwrap();
    let after = snapshot(&registry);
    assert_eq!(
        after.iter().map(|f| (&f.0, &f.1)).collect::<Vec<_>>(),
        before.iter().map(|f| (&f.0, &f.1)).collect::<Vec<_>>()
    );
    // Files untouched, not even rewritten with the same bytes.
    for (a, b) in after.iter().zip(&before) {
        if std::path::Path::new(&a.0).is_file() {
            assert_eq!(a.2, b.2, "{} was written", a.0);
        }
    }
}

/// A run killed at any moment leaves the previous report or a complete new
/// one at `--output`, never a truncated file.
#[test]
fn an_interrupted_run_leaves_a_whole_report() {
    let ws = Workspace::new();
    ws.write("r.yaml", gen_registry::registry(4000));
    let out = ws.dir.path().join("report.json");
    std::fs::write(&out, "{\"old\": true}\n").unwrap();
    let binary = assert_cmd::cargo::cargo_bin("nhi-own");
    let start = |old: &str| {
        std::fs::write(&out, old).unwrap();
        std::process::Command::new(&binary)
            .args([
                "audit",
                "r.yaml",
                "--format",
                "json",
                "--output",
                "report.json",
            ])
            .args(["--now", "2026-11-22", "-j", "1"])
            .current_dir(ws.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long a whole run takes here; kills then land from start to finish.
    let clock = std::time::Instant::now();
    assert_eq!(start("{}").wait().unwrap().code(), Some(1));
    let whole = clock.elapsed();
    // Kills land from the start to well past the measured end (other tests
    // may slow a run down), until both outcomes have been seen.
    let mut outcomes = BTreeSet::new();
    for attempt in 0..=100u32 {
        if attempt > 12 && outcomes.len() == 2 {
            break;
        }
        let mut child = start("{\"old\": true}\n");
        let delay = whole * attempt / 10;
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&out).unwrap();
        let report: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("truncated report after {delay:?}: {e}"));
        outcomes.insert(if report["old"] == true { "old" } else { "new" });
        if report["old"] != true {
            assert_eq!(report["summary"]["identities"], 4000);
        }
    }
    // The runs were killed both before and after the report was replaced.
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
}

#[test]
fn project_registry_audits_clean() {
    let run = examples(&[
        "audit",
        "--now",
        "2026-11-01",
        "--format",
        "json",
        "--fail-on",
        "info",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
    let n = json["summary"]["identities"].as_u64().unwrap();
    assert!((15..=30).contains(&n), "{n} identities");
    assert_eq!(json["summary"]["suppressed"], 1);
}

#[test]
fn showcase_triggers_every_rule() {
    let run = showcase_json();
    assert_eq!(run.code, 1);
    let json = run.json();
    let fired: BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["suppressed"].as_array().unwrap())
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    let catalogue: Value =
        serde_json::from_str(&examples(&["rules", "--format", "json"]).stdout).unwrap();
    let all: BTreeSet<&str> = catalogue
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(all.len(), nhi_own::rules::RuleId::ALL.len());
    // `empty-registry` fires only on a registry with no identity at all:
    // `tests/rules.rs` covers it.
    // The drift rules are reported by `reconcile`, against inventories:
    // `tests/suite/reconcile.rs` covers them.
    let all: BTreeSet<&str> = all
        .into_iter()
        .filter(|r| *r != "empty-registry")
        .filter(|r| {
            nhi_own::rules::RuleId::parse(r)
                .is_some_and(|r| r.group() != nhi_own::rules::Group::Drift)
        })
        .collect();
    assert_eq!(fired, all);
}

#[test]
fn multi_file_directory_example() {
    let run = examples(&[
        "audit",
        "examples/multi",
        "--now",
        "2026-11-01",
        "--format",
        "text",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "examples/multi/services/checkout.yaml:12:47: error[inactive-owner] checkout-psp-key: technical owner `olga` is an inactive person\n\
         examples/multi/services/checkout.yaml:13:31: error[stale-rotation] checkout-psp-key: last rotated 2026-08-01, 92 days ago; max age 90d (2 days overdue)\n\
         examples/multi/services/edge.yaml:8:14: warning[expiring-credential] edge-tls: expires 2026-11-15, in 14 days; warning window 21d\n"
    );
}

/// Splits the showcase into a directory: header (policy, owners) in one file,
/// identities spread over several, in an order that sorts like the original.
fn split_showcase(ws: &Workspace) {
    let text = std::fs::read_to_string(repo_root().join("examples/showcase.yaml")).unwrap();
    let (head, items) = text.split_once("identities:\n").unwrap();
    ws.write("split/00-head.yaml", head);
    let mut chunks: Vec<String> = Vec::new();
    for line in items.lines() {
        if line.starts_with("  # ") || chunks.is_empty() {
            chunks.push(String::new());
        }
        let chunk = chunks.last_mut().unwrap();
        chunk.push_str(line);
        chunk.push('\n');
    }
    for (i, chunk) in chunks.iter().enumerate() {
        // Nested directories are walked depth first, in name order.
        let name = format!("split/{}/{i:02}.yaml", if i < 10 { "a" } else { "b" });
        ws.write(&name, format!("version: 1\nidentities:\n{chunk}"));
    }
    ws.write("split/.hidden.yaml", "this: is not read\n");
    ws.write("split/README.txt", "not yaml");
}

fn comparable(run: &common::Run) -> Vec<(String, String, String, String)> {
    let json = run.json();
    let mut out: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["suppressed"].as_array().unwrap())
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            // duplicate-identity and confusable-id name the other file's location.
            let message = message.split(" is already used at ").next().unwrap();
            let message = message.split(" at ").next().unwrap();
            (
                f["rule"].to_string(),
                f["severity"].to_string(),
                format!("{}{}", f["identity"], f["owner"]),
                message.to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn one_file_or_split_directory_give_the_same_findings() {
    let ws = Workspace::new();
    split_showcase(&ws);
    let whole = showcase_json();
    let split = ws.run(&["audit", "split", "--now", "2026-11-01", "--format", "json"]);
    assert_eq!(split.code, whole.code, "{}", split.stderr);
    assert_eq!(comparable(&whole), comparable(&split));
    assert_eq!(whole.json()["summary"], split.json()["summary"]);
    // Byte-identical across runs.
    let again = ws.run(&["audit", "split", "--now", "2026-11-01", "--format", "json"]);
    assert_eq!(again.stdout, split.stdout);
}

#[test]
fn findings_are_sorted_by_file_line_column_rule() {
    let run = showcase_json();
    let json = run.json();
    let keys: Vec<(String, u64, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn json_report_shape() {
    let run = showcase_json();
    let json = run.json();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "findings",
            "now",
            "summary",
            "suppressed",
            "tool",
            "version"
        ]
    );
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "nhi-own");
    assert_eq!(json["now"], "2026-11-01");
    let finding = &json["findings"][0];
    let mut fields: Vec<&str> = finding
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "column",
            "file",
            "fingerprint",
            "identity",
            "line",
            "message",
            "owner",
            "rule",
            "severity"
        ]
    );
    let suppressed = &json["suppressed"][0];
    let exception: Vec<&str> = suppressed["exception"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(exception, ["approved_by", "expires", "reason", "ticket"]);
    assert_eq!(
        json["summary"]["suppressed"],
        json["suppressed"].as_array().unwrap().len()
    );
}

/// Ids cannot hold control characters (that is a load error), but bidi
/// overrides are legal in ids, and file names can hold anything.
const HOSTILE: &str = "version: 1\nidentities:\n  - id: evil\n    kind: token\n    owners: { policy: p, technical: t, revocation: r }\n";
/// Ids hold no control or format characters (they are invalid), so a file
/// name is the hostile string table and text show.
const HOSTILE_FILE: &str = "evil\u{1b}[31m\nname\u{202e}.yaml";

#[cfg(unix)]
#[test]
fn registry_strings_never_reach_the_terminal_raw() {
    let ws = Workspace::new();
    ws.write(HOSTILE_FILE, HOSTILE);
    for format in ["table", "text"] {
        let run = ws.run(&[
            "audit",
            HOSTILE_FILE,
            "--format",
            format,
            "--color",
            "never",
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            !run.stdout.contains('\u{1b}'),
            "{format}: raw ESC in {:?}",
            run.stdout
        );
        assert!(
            !run.stdout.contains('\u{202e}') && !run.stdout.contains('\u{2066}'),
            "{format}"
        );
        assert!(
            run.stdout.contains("evil\\u{1b}[31m\\nname\\u{202e}.yaml"),
            "{format}: {}",
            run.stdout
        );
    }
    let run = ws.run(&["audit", HOSTILE_FILE, "--format", "json"]);
    assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{202e}'));
    // Still the same strings once parsed.
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["identity"] == "evil"));
    assert!(findings.iter().all(|f| f["file"] == HOSTILE_FILE));
    // Load errors escape too: ids with terminal escapes and bidi controls.
    ws.write(
        HOSTILE_FILE,
        "version: 1\nidentities:\n  - id: \"a\\e[2J\"\n    kind: token\n  - id: \"evil\\u202e\"\n    kind: token\n    owners: { policy: \"p\\u2066\" }\n",
    );
    let run = ws.run(&["audit", HOSTILE_FILE]);
    assert_eq!(run.code, 2);
    for raw in ['\u{1b}', '\u{202e}', '\u{2066}'] {
        assert!(!run.stderr.contains(raw), "{raw:?} in {:?}", run.stderr);
    }
    assert!(
        run.stderr
            .contains("`id` `evil\\u{202e}` is not a valid id"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`owners.policy` `p\\u{2066}` is not a valid id"),
        "{}",
        run.stderr
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: token\n",
    );
    let run = ws.run(&["audit", "r.yaml", "--format", "text", "--color", "always"]);
    assert!(
        run.stdout.contains("\u{1b}[1m\u{1b}[31merror\u{1b}[0m") || run.stdout.contains("\u{1b}["),
        "{:?}",
        run.stdout
    );
    let run = ws.run(&["audit", "r.yaml", "--format", "table", "--color", "always"]);
    assert!(run.stdout.contains('\u{1b}'));
    // Not a terminal: no colour by default.
    let run = ws.run(&["audit", "r.yaml", "--format", "text"]);
    assert!(!run.stdout.contains('\u{1b}'));
    let out = nhi_own()
        .current_dir(ws.dir.path())
        .env("NO_COLOR", "1")
        .args(["audit", "r.yaml", "--format", "text"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    // A report written to a file is never coloured.
    ws.run(&[
        "audit", "r.yaml", "--format", "table", "--color", "always", "--output", "t.txt",
    ]);
    assert!(
        !std::fs::read_to_string(ws.dir.path().join("t.txt"))
            .unwrap()
            .contains('\u{1b}')
    );
}

#[test]
fn table_summary_line() {
    let run = examples(&["audit", "examples/showcase.yaml", "--now", "2026-11-01"]);
    assert!(
        run.stdout.ends_with(
            "18 errors, 14 warnings, 1 info in 25 identities (2 suppressed by exceptions) as of 2026-11-01\n"
        ),
        "{}",
        run.stdout
    );
    let clean = examples(&["audit", "--now", "2026-11-01"]);
    assert!(clean.stdout.starts_with("No findings.\n"));
    assert!(
        clean
            .stdout
            .contains("0 errors, 0 warnings, 0 info in 22 identities (1 suppressed by exceptions) as of 2026-11-01")
    );
}

#[test]
fn rules_and_explain() {
    let run = examples(&["rules"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("stale-rotation") && run.stdout.contains("lifecycle"));
    let json: Value =
        serde_json::from_str(&examples(&["rules", "--format", "json"]).stdout).unwrap();
    let first = &json[0];
    assert_eq!(first["id"], "missing-owner");
    assert_eq!(first["group"], "ownership");
    assert_eq!(first["severity"], "error");
    assert!(first["summary"].is_string());
    assert_eq!(first["references"]["owasp_nhi_top10_2025"][0], "NHI1:2025");
    assert_eq!(first["references"]["nist_csf_2_0"][0], "GV.RR-02");

    let run = examples(&["explain", "vendor-accountability"]);
    assert_eq!(run.code, 0);
    for needle in [
        "Why it matters",
        "How to fix it",
        "Example",
        "NHI3:2025",
        "GV.SC-02",
    ] {
        assert!(run.stdout.contains(needle), "{needle}");
    }
    for typo in ["stale-rotaton", "STALE-ROTATION", "stale_rotation"] {
        let run = examples(&["explain", typo]);
        assert_eq!(run.code, 2);
        assert!(
            run.stderr.contains(&format!("unknown rule `{typo}`")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("did you mean `stale-rotation`?"),
            "{}",
            run.stderr
        );
    }
    // Prose is wrapped (80 columns when not a terminal); the violating and the
    // fixed example are labelled.
    let run = examples(&["explain", "missing-escalation"]);
    assert!(
        run.stdout.lines().all(|l| l.chars().count() <= 80),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Example (reported)\n") && run.stdout.contains("\nFixed\n"),
        "{}",
        run.stdout
    );
    // Completions offer the rule ids.
    let run = examples(&["completions", "bash"]);
    assert!(run.stdout.contains("stale-rotation"), "{}", run.stdout);
    assert!(run.stdout.contains("confusable-id"));
}

/// Every subcommand's help ends with examples.
#[test]
fn every_subcommand_has_examples() {
    use clap::CommandFactory;
    let cli = nhi_own::cli::Cli::command();
    for sub in cli.get_subcommands() {
        let run = examples(&[sub.get_name(), "--help"]);
        assert_eq!(run.code, 0);
        assert!(
            run.stdout.contains("\nExamples:\n  nhi-own "),
            "{}: {}",
            sub.get_name(),
            run.stdout
        );
    }
}

#[test]
fn readme_rule_table_matches_the_catalogue() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->\n")
        .expect("rules:start marker")
        + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
    let generated = examples(&["rules", "--format", "markdown"]).stdout;
    assert_eq!(
        &readme[start..end],
        generated,
        "README rule table is out of date: regenerate it with `nhi-own rules --format markdown`"
    );
}

#[test]
fn completions_are_generated() {
    let run = examples(&["completions", "bash"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("nhi-own"));
}

/// Audits `yaml` as of 2026-11-22, expecting exit 0, and returns the first
/// suppressed finding of the JSON report.
fn first_suppressed(yaml: &str) -> Value {
    let ws = Workspace::new();
    ws.write("r.yaml", yaml);
    let run = ws.run(&["audit", "r.yaml", "--now", "2026-11-22", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()["suppressed"][0].clone()
}

#[test]
fn any_scalar_is_read_as_its_text_where_a_string_is_expected() {
    let suppressed = &first_suppressed(
        "version: 1\nidentities:\n  - id: 42\n    kind: api_key\n    owners: { policy: 7, technical: 0x1F, revocation: true }\n    escalation: 5551234\n    created: 2020-01-01\n    last_reviewed: 2026-11-01\n    exceptions:\n      - { rule: stale-rotation, reason: 1.50, approved_by: 7, expires: 2026-12-01, ticket: 4711 }\n",
    );
    assert_eq!(suppressed["identity"], "42");
    assert_eq!(suppressed["exception"]["ticket"], "4711");
    assert_eq!(
        suppressed["exception"]["reason"], "1.50",
        "the text as written, not a float"
    );
    assert_eq!(suppressed["exception"]["approved_by"], "7");
}

/// `.inf` and `.nan` are YAML floats, and like any number they are read as
/// written where a string is expected.
#[test]
fn non_finite_floats_are_read_as_their_text() {
    let suppressed = &first_suppressed(
        "version: 1\nidentities:\n  - id: -.Inf\n    kind: api_key\n    owners: { policy: .nan, technical: t, revocation: r }\n    escalation: .inf\n    created: 2020-01-01\n    last_reviewed: 2026-11-01\n    exceptions:\n      - { rule: stale-rotation, reason: .NaN, approved_by: a, expires: 2026-12-01, ticket: .INF }\n",
    );
    assert_eq!(suppressed["identity"], "-.Inf");
    assert_eq!(suppressed["exception"]["reason"], ".NaN");
    assert_eq!(suppressed["exception"]["ticket"], ".INF");
    // Where a date is expected, it is a type error, located.
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: api_key\n    created: .inf\n",
    );
    let run = ws.run(&["audit", "r.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("r.yaml:5:14: error: `created`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_given_twice_is_audited_once() {
    let ws = Workspace::new();
    ws.write(
        "reg/a.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: token\n",
    );
    let once = ws.run(&["audit", "reg", "--format", "json", "--now", "2026-11-22"]);
    let twice = ws.run(&[
        "audit",
        "reg",
        "reg/a.yaml",
        "./reg/a.yaml",
        "--format",
        "json",
        "--now",
        "2026-11-22",
    ]);
    assert_eq!(twice.code, once.code);
    assert_eq!(
        twice.stdout, once.stdout,
        "no duplicate-identity from the same file"
    );
}

/// `--output` never lands on the registry: not by its own name, not by
/// another spelling, not through a symbolic link, not inside a walked
/// directory. The registry is left as it was, and the exit is 2.
#[test]
fn output_never_replaces_an_input() {
    let ws = Workspace::new();
    let registry = "version: 1\nidentities:\n  - id: a\n    kind: token\n";
    ws.write("r.yaml", registry);
    ws.write("dir/b.yaml", registry.replace("id: a", "id: b"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        ws.dir.path().join("r.yaml"),
        ws.dir.path().join("link.json"),
    )
    .unwrap();
    let mut attempts = vec![
        vec!["audit", "r.yaml", "-o", "r.yaml"],
        vec!["audit", "r.yaml", "-o", "./r.yaml"],
        vec!["audit", "dir", "-o", "dir/b.yaml"],
        vec!["audit", "./dir/", "r.yaml", "--output", "dir/../dir/b.yaml"],
    ];
    if cfg!(unix) {
        attempts.push(vec!["audit", "r.yaml", "-o", "link.json"]);
    }
    for args in attempts {
        let mut args = args.clone();
        args.extend(["--format", "json", "--now", "2026-11-22"]);
        let run = ws.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("is one of the registry's files; refusing to overwrite it"),
            "{}",
            run.stderr
        );
        assert_eq!(
            std::fs::read_to_string(ws.dir.path().join("r.yaml")).unwrap(),
            registry
        );
        assert!(
            std::fs::read_to_string(ws.dir.path().join("dir/b.yaml"))
                .unwrap()
                .starts_with("version: 1")
        );
    }
}

/// A new report gets the permissions the umask gives any new file; a
/// replaced report keeps its own; a device is written in place.
#[cfg(unix)]
#[test]
fn report_permissions_follow_the_umask_and_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: token\n",
    );
    let mode = |name: &str| {
        std::fs::metadata(ws.dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    let bin = assert_cmd::cargo::cargo_bin("nhi-own");
    let status = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "umask 027 && exec '{}' audit r.yaml --now 2026-11-22 -o new.txt",
            bin.display()
        ))
        .current_dir(ws.dir.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert_eq!(mode("new.txt"), 0o640);
    ws.write("kept.txt", "old");
    std::fs::set_permissions(
        ws.dir.path().join("kept.txt"),
        std::fs::Permissions::from_mode(0o604),
    )
    .unwrap();
    let run = ws.run(&["audit", "r.yaml", "--now", "2026-11-22", "-o", "kept.txt"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(mode("kept.txt"), 0o604);
    assert!(
        std::fs::read_to_string(ws.dir.path().join("kept.txt"))
            .unwrap()
            .contains("missing-owner")
    );
    // /dev/null is not renamed over: it stays a device.
    let run = ws.run(&["audit", "r.yaml", "--now", "2026-11-22", "-o", "/dev/null"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(!null.is_file(), "/dev/null was replaced by a file");
}

/// `-` reads the registry from standard input, shown as `<stdin>`; `-o -`
/// writes the report to standard output.
#[test]
fn standard_input_and_output() {
    let ws = Workspace::new();
    let output = nhi_own()
        .current_dir(ws.dir.path())
        .args([
            "audit",
            "-",
            "--now",
            "2026-11-22",
            "--format",
            "text",
            "-o",
            "-",
        ])
        .write_stdin("version: 1\nidentities:\n  - id: a\n    kind: tokn\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("<stdin>:4:11: error: unknown identity kind `tokn`"),
        "{stderr}"
    );
    let output = nhi_own()
        .current_dir(ws.dir.path())
        .args([
            "audit",
            "-",
            "--now",
            "2026-11-22",
            "--format",
            "text",
            "-o",
            "-",
        ])
        .write_stdin("version: 1\nidentities:\n  - id: a\n    kind: token\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("<stdin>:3:5: "), "{stdout}");
    assert!(
        !ws.dir.path().join("-").exists(),
        "`-o -` wrote a file named -"
    );
}

/// The README's JSON example is what the showcase audit says: its summary,
/// and each finding it shows, byte for byte as a value.
#[test]
fn readme_json_example_is_true() {
    let example: Value = serde_json::from_str(&common::readme_block("- `json` (the other formats"))
        .expect("the README's JSON example parses");
    let actual = showcase_json().json();
    assert_eq!(example["summary"], actual["summary"]);
    assert_eq!(example["tool"]["version"], env!("CARGO_PKG_VERSION"));
    for list in ["findings", "suppressed"] {
        let shown = example[list].as_array().unwrap();
        assert!(!shown.is_empty());
        for finding in shown {
            assert!(
                actual[list].as_array().unwrap().contains(finding),
                "the README shows a {list} entry the audit does not give: {finding}"
            );
        }
    }
}

/// Runs a README shell block as a user would, line by line in `dir`: every
/// `nhi-own …` line (with `> FILE` written as the shell would), `~` as
/// `home`; other lines (`mkdir`, `man`) are left to the shell and skipped.
/// Each must exit 0; returns what each printed.
fn run_readme_block(marker: &str, dir: &std::path::Path, home: &std::path::Path) -> Vec<String> {
    let mut printed = Vec::new();
    for line in common::readme_block(marker).lines() {
        let command = line.split(" #").next().unwrap().trim();
        let Some(args) = command.strip_prefix("nhi-own ") else {
            continue;
        };
        let (args, to) = match args.split_once(" > ") {
            Some((args, file)) => (args, Some(file.replace('~', &home.display().to_string()))),
            None => (args, None),
        };
        let args: Vec<&str> = args.split_whitespace().collect();
        let run = run_in(dir, &args);
        assert_eq!(
            run.code, 0,
            "the README's `{command}` exits {}:\n{}{}",
            run.code, run.stdout, run.stderr
        );
        match to {
            Some(file) => {
                assert!(!run.stdout.is_empty(), "`{command}` printed nothing");
                std::fs::create_dir_all(dir.join(&file).parent().unwrap()).unwrap();
                std::fs::write(dir.join(&file), &run.stdout).unwrap();
            }
            None => assert!(
                !run.stdout.is_empty() || !run.stderr.is_empty(),
                "`{command}` said nothing"
            ),
        }
        printed.push(format!("{}{}", run.stdout, run.stderr));
    }
    printed
}

/// The README's everyday snippets run as written: in an empty directory,
/// and beside a copy of the showcase.
#[test]
fn readme_everyday_snippets_run_as_written() {
    let home = tempfile::tempdir().unwrap();
    let empty = Workspace::new();
    let said = run_readme_block("### Start a registry", empty.dir.path(), home.path());
    assert_eq!(said.len(), 3, "{said:?}");
    assert!(said[2].contains("0 errors, 0 warnings"), "{}", said[2]);
    let starter = std::fs::read_to_string(empty.dir.path().join("ownership.yaml")).unwrap();
    assert!(starter.starts_with("# yaml-language-server: $schema=ownership.schema.json\n"));
    // The published copy the README points at is the one `init` names.
    let modeline = common::readme_block("names the copy published with this version");
    let published = format!(
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/nhi-own/nhi-own/v{}/schema/ownership.schema.json\n",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(modeline, published);
    let elsewhere = Workspace::new();
    assert_eq!(elsewhere.run(&["init"]).code, 0);
    let named = std::fs::read_to_string(elsewhere.dir.path().join("ownership.yaml")).unwrap();
    assert!(named.starts_with(&published), "{}", common::clip(&named));

    let ws = Workspace::new();
    ws.write(
        "examples/showcase.yaml",
        std::fs::read(repo_root().join("examples/showcase.yaml")).unwrap(),
    );
    let said = run_readme_block("### Who owns what", ws.dir.path(), home.path());
    assert_eq!(said.len(), 3);
    assert!(
        said[1].starts_with("owner team-security — team"),
        "{}",
        said[1]
    );
    assert!(
        std::fs::read_to_string(ws.dir.path().join("accountability.md"))
            .unwrap()
            .starts_with("## nhi-own")
    );
    let said = run_readme_block("### Adopt the gate", ws.dir.path(), home.path());
    assert_eq!(said.len(), 2);
    assert!(
        said[0].contains("findings to nhi-own-baseline.json"),
        "{}",
        said[0]
    );
    assert!(said[1].contains("baselined) as of"), "{}", said[1]);
    let said = run_readme_block("### What falls due", ws.dir.path(), home.path());
    assert_eq!(said.len(), 2);
    assert!(
        said[0].contains("deadlines within 30d (by 2026-12-01)"),
        "{}",
        said[0]
    );
    let ics = std::fs::read_to_string(ws.dir.path().join("nhi-own.ics")).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    let said = run_readme_block("### The manual", ws.dir.path(), home.path());
    assert_eq!(said.len(), 1);
    let page = std::fs::read_to_string(ws.dir.path().join(format!(
        "{}/.local/share/man/man1/nhi-own.1",
        home.path().display()
    )))
    .unwrap();
    assert!(
        page.contains(".SH") && page.contains("forecast"),
        "{}",
        common::clip(&page)
    );
}
