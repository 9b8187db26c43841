//! The CI formats: their content, structure and snapshots, GitHub workflow
//! commands parsed back, and the CI examples wired consistently. (Validation
//! by the real clients, the SARIF schema and xmllint, is in `tests/clients`.)

use crate::common;

use nhi_own::keyword::Keyword as _;

use crate::common::{Workspace, repo_root, run_in, showcase, showcase_with};
use serde_json::Value;

const FORMATS: [&str; 7] = [
    "table", "text", "json", "sarif", "github", "junit", "markdown",
];

#[test]
fn exit_code_is_the_same_in_every_format_and_with_output() {
    for format in FORMATS {
        assert_eq!(showcase(format).code, 1, "{format}");
        let ws = Workspace::new();
        let out = ws.dir.path().join("report");
        let run = common::showcase_with(format, &["--output", out.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{format} with --output");
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            showcase(format).stdout,
            "{format}"
        );
    }
}

#[test]
fn sarif_content() {
    let sarif: Value = serde_json::from_str(&showcase("sarif").stdout).unwrap();
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "nhi-own");
    let rules = driver["rules"].as_array().unwrap();
    // The catalogue, and the descriptor of load errors.
    assert_eq!(rules.len(), nhi_own::rules::RuleId::ALL.len() + 1);
    assert_eq!(rules.last().unwrap()["id"], "invalid-registry");
    let stale = rules.iter().find(|r| r["id"] == "stale-rotation").unwrap();
    assert_eq!(stale["defaultConfiguration"]["level"], "error");
    assert!(
        stale["help"]["text"]
            .as_str()
            .unwrap()
            .contains("NHI7:2025")
    );
    assert!(
        stale["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "OWASP-NHI7:2025")
    );
    let unused = rules.iter().find(|r| r["id"] == "unused-owner").unwrap();
    assert_eq!(unused["defaultConfiguration"]["level"], "note");

    let results = run["results"].as_array().unwrap();
    let json: Value = serde_json::from_str(&showcase("json").stdout).unwrap();
    let findings = json["findings"].as_array().unwrap().len();
    let suppressed = json["suppressed"].as_array().unwrap().len();
    assert_eq!(results.len(), findings + suppressed);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at the rule"
        );
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(uri, "examples/showcase.yaml", "relative URI");
    }
    let with_suppression: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(with_suppression.len(), suppressed);
    assert_eq!(with_suppression[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        with_suppression[0]["suppressions"][0]["justification"],
        "CRM vendor rotates secrets only at contract renewal"
    );
}

fn fingerprints(dir: &Workspace, file: &str) -> Vec<(String, String, u64)> {
    let run = dir.run(&["audit", file, "--now", "2026-11-01", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut out: Vec<(String, String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["partialFingerprints"]["nhiOwnFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn sarif_fingerprints_survive_line_moves_and_tell_findings_apart() {
    let text = std::fs::read_to_string(repo_root().join("examples/showcase.yaml")).unwrap();
    let ws = Workspace::new();
    ws.write("a.yaml", &text);
    ws.write("b.yaml", format!("# three new lines\n#\n#\n{text}"));
    let a = fingerprints(&ws, "a.yaml");
    let b = fingerprints(&ws, "b.yaml");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (&x.0, &x.1),
            (&y.0, &y.1),
            "fingerprint changed with a line move"
        );
        assert_eq!(x.2 + 3, y.2);
    }
    let unique: std::collections::BTreeSet<&String> = a.iter().map(|(_, f, _)| f).collect();
    assert_eq!(unique.len(), a.len(), "two findings share a fingerprint");
}

/// Two entries with one id are two subjects: the same finding on each has
/// its own fingerprint and its own JUnit test case.
#[test]
fn entries_sharing_an_id_are_told_apart() {
    let ws = Workspace::new();
    let entry = "  - id: twin\n    kind: token\n    owners: { policy: p, technical: t }\n";
    ws.write("r.yaml", format!("version: 1\nidentities:\n{entry}{entry}"));
    let found = fingerprints(&ws, "r.yaml");
    let missing: Vec<&String> = found
        .iter()
        .filter(|(rule, _, _)| rule == "missing-owner")
        .map(|(_, f, _)| f)
        .collect();
    assert_eq!(missing.len(), 2, "{found:?}");
    assert_ne!(
        missing[0], missing[1],
        "both entries' findings share a fingerprint"
    );
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        "2026-11-22",
        "--format",
        "junit",
    ]);
    assert!(
        run.stdout.contains("<testcase name=\"twin\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("<testcase name=\"twin #2\""),
        "{}",
        run.stdout
    );
}

#[test]
fn junit_structure() {
    let xml = showcase("junit").stdout;
    assert_eq!(xml.matches("<testsuite ").count(), 1, "one suite per file");
    // One test case per identity entry (a duplicated id's second entry is a
    // case of its own), plus one per directory entry with findings.
    assert_eq!(xml.matches("<testcase ").count(), 25 + 2, "{xml}");
    assert!(
        xml.contains("<testcase name=\"ci-runner-token #2\""),
        "{xml}"
    );
    // Only findings at or above --fail-on (error) fail a case; warnings and
    // info go to the case's system-out.
    assert!(!xml.contains("type=\"warning\""), "{xml}");
    assert!(xml.contains("<system-out>examples/showcase.yaml:"), "{xml}");
    let strict = showcase_with("junit", &["--fail-on", "warning"]).stdout;
    assert!(strict.contains("type=\"warning\""), "{strict}");
    assert!(
        strict.matches("<failure ").count() > xml.matches("<failure ").count(),
        "{strict}"
    );
    assert!(
        xml.contains(
            "<testcase name=\"reporting-db-secret\" classname=\"examples/showcase.yaml\">"
        )
    );
    assert!(
        !xml.contains(" file="),
        "GitLab and Jenkins reject a file attribute on testcase"
    );
    let multi = run_in(
        &repo_root(),
        &[
            "audit",
            "examples/multi",
            "--now",
            "2026-11-01",
            "--format",
            "junit",
        ],
    )
    .stdout;
    assert_eq!(multi.matches("<testsuite ").count(), 3);
    assert!(multi.contains("<testcase name=\"checkout-db-password\" classname=\"examples/multi/services/checkout.yaml\"/>"));
}

#[test]
fn snapshots_of_ci_formats() {
    insta::assert_snapshot!("showcase_sarif", showcase("sarif").stdout);
    insta::assert_snapshot!("showcase_github", showcase("github").stdout);
    insta::assert_snapshot!("showcase_junit", showcase("junit").stdout);
    insta::assert_snapshot!("showcase_markdown", showcase("markdown").stdout);
}

fn yaml(path: &str) -> Value {
    crate::common::yaml_value(&std::fs::read_to_string(repo_root().join(path)).unwrap())
}

/// The value after `flag` in a shell command line.
fn flag<'a>(command: &'a str, flag: &str) -> Option<&'a str> {
    let mut words = command.split_whitespace();
    words.find(|w| *w == flag)?;
    words.next()
}

#[test]
fn ci_examples_are_wired_consistently() {
    let gha = yaml("examples/ci/github-actions.yml");
    let steps = gha["jobs"]["audit"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let sarif_out = runs
        .iter()
        .find(|r| flag(r, "--format") == Some("sarif"))
        .and_then(|r| flag(r, "--output"))
        .expect("a SARIF step with --output");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))
        })
        .expect("an upload-sarif step");
    assert_eq!(upload["with"]["sarif_file"], sarif_out);
    assert!(
        runs.iter()
            .any(|r| flag(r, "--format") == Some("markdown") && r.contains("GITHUB_STEP_SUMMARY"))
    );
    let gate = runs.last().unwrap();
    assert_eq!(
        flag(gate, "--fail-on"),
        Some("error"),
        "the last step is the gate"
    );
    assert_eq!(gha["permissions"]["security-events"], "write");
    // Private repositories need `actions: read` for the upload.
    assert_eq!(gha["permissions"]["actions"], "read");
    // Findings depend on the date: the workflow also runs on a schedule.
    assert!(gha["on"]["schedule"][0]["cron"].is_string(), "no schedule");
    // A failed upload (no code scanning, a fork's read-only token) neither
    // fails the job nor skips the gate, and the gate runs after report steps.
    assert_eq!(upload["continue-on-error"], true);
    assert!(upload["if"].as_str().unwrap().contains("always()"));
    let gate_step = steps.last().unwrap();
    assert!(gate_step["if"].as_str().unwrap().contains("!cancelled()"));
    // A prebuilt binary, not a build on every run.
    assert!(
        !runs.iter().any(|r| r.contains("cargo install")),
        "{runs:?}"
    );

    let gitlab = yaml("examples/ci/gitlab-ci.yml");
    let job = &gitlab["nhi-own"];
    let script: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let junit_out = script
        .iter()
        .find(|r| flag(r, "--format") == Some("junit"))
        .and_then(|r| flag(r, "--output"))
        .expect("a JUnit step with --output");
    assert_eq!(job["artifacts"]["reports"]["junit"], junit_out);
    assert_eq!(job["artifacts"]["when"], "always");
    let quality_out = script
        .iter()
        .find(|r| flag(r, "--format") == Some("gitlab"))
        .and_then(|r| flag(r, "--output"))
        .expect("a Code Quality step with --output");
    assert_eq!(job["artifacts"]["reports"]["codequality"], quality_out);
    assert_eq!(flag(script.last().unwrap(), "--fail-on"), Some("error"));
    // Scheduled pipelines run the audit; `changes:` alone never decides.
    let rules = job["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["if"].as_str().is_some_and(|c| c.contains("\"schedule\""))),
        "{rules:?}"
    );
    assert!(rules.iter().all(|r| r["changes"].is_null()), "{rules:?}");

    let pre_commit = yaml("examples/pre-commit-config.yaml");
    let hook = &pre_commit["repos"][0]["hooks"][0];
    assert_eq!(hook["id"], "nhi-own");
    // A registry outside the default path names both what and when.
    assert!(
        hook["args"][0].is_string() && hook["files"].is_string(),
        "{hook}"
    );
    let hooks: Value = yaml(".pre-commit-hooks.yaml");
    let ids: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["nhi-own", "nhi-own-always"]);
    assert_eq!(hooks[1]["always_run"], true);
}

/// A registry with `n` identities that each have one error finding (no owners
/// at all: three `missing-owner` each) and one warning.
fn many_findings(n: usize) -> String {
    let mut yaml = String::from("version: 1\nidentities:\n");
    for i in 0..n {
        yaml.push_str(&format!(
            "  - id: key-{i:02}\n    kind: token\n    owners: {{ policy: p, technical: p, revocation: r }}\n    escalation: x\n    created: 2026-11-01\n    rotation: {{ last_rotated: 2026-11-01 }}\n    expires: 2026-01-01\n"
        ));
    }
    yaml
}

/// GitHub shows 10 annotations of each kind per step and drops the rest:
/// the most severe come first, no more than 10 of a kind, the others as
/// plain log lines, and one closing notice says how many and where to look.
#[test]
fn github_annotations_stay_within_what_github_shows() {
    let ws = Workspace::new();
    ws.write("r.yaml", many_findings(30));
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        "2026-11-22",
        "--format",
        "github",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    // 30 expired credentials (errors) and 30 separations of duties (warnings).
    assert_eq!(count("::error "), 10, "{}", run.stdout);
    assert_eq!(count("::warning "), 10, "{}", run.stdout);
    assert_eq!(count("::notice "), 1, "{}", run.stdout);
    let commands: Vec<&&str> = lines.iter().filter(|l| l.starts_with("::")).collect();
    assert!(
        commands[..10].iter().all(|l| l.starts_with("::error ")),
        "errors first"
    );
    let plain: Vec<&&str> = lines.iter().filter(|l| !l.starts_with("::")).collect();
    assert_eq!(plain.len(), 40, "{}", run.stdout);
    assert!(plain.iter().all(|l| l.starts_with("r.yaml:")), "{plain:?}");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("::notice title=nhi-own::40 more not annotated")
            && last.contains("--format markdown")
            && last.contains("--format sarif"),
        "{last}"
    );
    // Under the limit, one annotation per finding and nothing else.
    ws.write("r.yaml", many_findings(3));
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        "2026-11-22",
        "--format",
        "github",
    ]);
    assert!(
        run.stdout.lines().all(|l| l.starts_with("::")),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 6);
}

/// `--format gitlab`: a Code Quality report, with SARIF's fingerprints.
#[test]
fn gitlab_code_quality_report() {
    let run = showcase("gitlab");
    assert_eq!(run.code, 1);
    let issues: Value = serde_json::from_str(&run.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    let json = showcase("json").json();
    assert_eq!(issues.len(), json["findings"].as_array().unwrap().len());
    let sarif: Value = serde_json::from_str(&showcase("sarif").stdout).unwrap();
    let sarif_prints: std::collections::BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"].is_null())
        .map(|r| {
            r["partialFingerprints"]["nhiOwnFinding/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(matches!(
            issue["severity"].as_str().unwrap(),
            "major" | "minor" | "info"
        ));
        assert_eq!(issue["location"]["path"], "examples/showcase.yaml");
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(sarif_prints.contains(issue["fingerprint"].as_str().unwrap()));
    }
    let prints: std::collections::BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(
        prints.len(),
        issues.len(),
        "GitLab needs unique fingerprints"
    );
    insta::assert_snapshot!("showcase_gitlab", run.stdout);
}

/// An invalid registry is reported in the format asked for: GitHub
/// annotations on the errors' lines, a JSON errors list, a Markdown table of
/// errors, Code Quality blockers; and `--output` writes that report.
#[test]
fn load_errors_in_every_format() {
    let ws = Workspace::new();
    ws.write(
        "bad.yaml",
        "version: 1\nidentities:\n  - id: k\n    kind: tokn\n    colour: red\n",
    );
    let run = |format: &str| {
        let run = ws.run(&["audit", "bad.yaml", "--format", format]);
        assert_eq!(run.code, 2, "{format}: {}", run.stdout);
        assert!(
            run.stderr
                .contains("bad.yaml:4:11: error: unknown identity kind `tokn`"),
            "{}",
            run.stderr
        );
        run.stdout
    };
    let github = run("github");
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), 2, "{github}");
    assert!(lines[0].starts_with("::error file=bad.yaml,line=4,col=11,title=invalid-registry::unknown identity kind `tokn` (help: did you mean `token`?"), "{github}");
    assert!(
        lines[1].starts_with(
            "::error file=bad.yaml,line=5,col=5,title=invalid-registry::unknown key `colour`"
        ),
        "{github}"
    );
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["file"], "bad.yaml");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(4), Some(11))
    );
    assert!(
        errors[0]["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `token`?")
    );
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
    let markdown = run("markdown");
    assert!(
        markdown.starts_with(
            "### ❌ nhi-own: the registry is invalid: 2 problems in 1 file; nothing was audited"
        ),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "| `bad.yaml:4:11` | `` unknown identity kind `tokn` `` | `` did you mean `token`?"
        ),
        "{markdown}"
    );
    let gitlab: Value = serde_json::from_str(&run("gitlab")).unwrap();
    assert_eq!(gitlab.as_array().unwrap().len(), 2);
    assert_eq!(gitlab[0]["severity"], "blocker");
    assert_eq!(gitlab[0]["check_name"], "invalid-registry");
    assert_eq!(gitlab[0]["location"]["lines"]["begin"], 4);
    // A missing file: no line, so no region; the file still named.
    let run = ws.run(&["audit", "missing.yaml", "--format", "github"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.starts_with("::error file=missing.yaml,title=invalid-registry::cannot read: no such file or directory"), "{}", run.stdout);
    // --output still writes the report, replacing an older one.
    ws.write("report.json", "{\"stale\": true}");
    let run = ws.run(&["audit", "bad.yaml", "--format", "json", "-o", "report.json"]);
    assert_eq!(run.code, 2);
    let written: Value =
        serde_json::from_slice(&std::fs::read(ws.dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(written["errors"].as_array().unwrap().len(), 2);
}

/// The README's pre-commit snippet is the example file's, line for line.
#[test]
fn readme_pre_commit_snippet_is_the_example() {
    let snippet = common::readme_block("From\n[`examples/pre-commit-config.yaml`]");
    let example =
        std::fs::read_to_string(repo_root().join("examples/pre-commit-config.yaml")).unwrap();
    let lines: Vec<&str> = example.lines().collect();
    for line in snippet.lines() {
        assert!(
            lines.contains(&line),
            "README line not in the example: {line:?}"
        );
    }
    assert!(
        snippet.contains("files: ^security/nhi-registry"),
        "{snippet}"
    );
}
