//! Output injection: no registry-controlled string (file names, ids, names,
//! contacts, reasons, tickets, descriptions) can emit a terminal escape,
//! forge a GitHub workflow command, break a Markdown table, inject HTML, or
//! make JSON, SARIF or XML invalid. One test per format, all on the same
//! hostile registry (`common::hostile`), plus the error output.

use crate::common::{CORPUS, ID_CORPUS, Run, Workspace, hostile};
use nhi_own::escape::{escape, needs_escape};
use serde_json::Value;

/// Runs the hostile registry in `format`; returns the run and the file name.
fn run(format: &str) -> (Run, String) {
    let ws = Workspace::new();
    let name = hostile(&ws);
    let run = ws.run(&[
        "audit",
        &name,
        "--now",
        "2026-11-22",
        "--format",
        format,
        "--color",
        "never",
    ]);
    assert_eq!(run.code, 1, "{format}: {}", run.stderr);
    assert!(run.stderr.is_empty(), "{format}: {}", run.stderr);
    (run, name)
}

/// Nothing that moves a cursor, recolours, ends a line but `\n`, or reorders
/// text, and no `##[`, which GitHub's runner reads as a command anywhere in a line.
fn assert_inert(format: &str, out: &str) {
    if let Some(c) = out.chars().find(|&c| c != '\n' && needs_escape(c)) {
        panic!("{format}: raw {c:?} in the output:\n{out}");
    }
    assert!(
        !out.contains("##["),
        "{format}: a legacy command in the output:\n{out}"
    );
}

/// The same findings, read from the JSON report.
fn json_findings() -> Vec<Value> {
    let (run, _) = run("json");
    serde_json::from_str::<Value>(&run.stdout).unwrap()["findings"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn table() {
    let (run, _) = run("table");
    assert_inert("table", &run.stdout);
    // The strings are shown, visibly escaped, not dropped.
    assert!(run.stdout.contains("\\u{202e}"), "{}", run.stdout);
}

#[test]
fn text() {
    let (run, name) = run("text");
    assert_inert("text", &run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), json_findings().len(), "one line per finding");
    let file = escape(&name);
    for line in lines {
        assert!(line.starts_with(&format!("{file}:")), "{line}");
    }
}

#[test]
fn json() {
    let (run, name) = run("json");
    assert_inert("json", &run.stdout);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    // Every string comes back exactly as written in the registry.
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["file"] == name.as_str()));
    assert!(findings.iter().any(|f| f["identity"] == ID_CORPUS));
    assert!(
        findings
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains(ID_CORPUS))
    );
    let exception = &report["suppressed"][0]["exception"];
    assert_eq!(exception["reason"], CORPUS);
    assert_eq!(exception["ticket"], CORPUS);
}

#[test]
fn sarif() {
    let (run, _) = run("sarif");
    assert_inert("sarif", &run.stdout);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let justification = results
        .iter()
        .flat_map(|r| r["suppressions"].as_array().cloned().unwrap_or_default())
        .find_map(|s| s["justification"].as_str().map(str::to_owned))
        .expect("a suppression with a justification");
    assert!(justification.contains(CORPUS), "{justification}");
}

/// GitHub's parser: `::command key=value,...::message`, values %-escaped.
fn unescape(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn github() {
    let (run, name) = run("github");
    assert_inert("github", &run.stdout);
    // Most severe first, each severity in report order.
    let mut findings = json_findings();
    let rank = |f: &Value| match f["severity"].as_str().unwrap() {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    };
    findings.sort_by_key(rank);
    let lines: Vec<&str> = run.stdout.split('\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines.len(),
        findings.len(),
        "one command per finding, nothing else:\n{}",
        run.stdout
    );
    for (line, finding) in lines.iter().zip(&findings) {
        let (command, rest) = line.strip_prefix("::").unwrap().split_once(' ').unwrap();
        let expected = match finding["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        assert_eq!(command, expected);
        // Properties end at the first `::`, so no value may hold one.
        let (properties, message) = rest.split_once("::").unwrap();
        let props: Vec<(&str, &str)> = properties
            .split(',')
            .map(|p| p.split_once('=').unwrap())
            .collect();
        let keys: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["file", "line", "col", "title"], "{line}");
        assert_eq!(unescape(props[0].1), escape(&name));
        assert_eq!(props[1].1, finding["line"].to_string());
        assert_eq!(props[2].1, finding["column"].to_string());
        assert_eq!(unescape(props[3].1), finding["rule"].as_str().unwrap());
        let message = unescape(message);
        assert!(
            message.ends_with(&*escape(finding["message"].as_str().unwrap())),
            "{message}"
        );
    }
}

#[test]
fn junit() {
    let (run, _) = run("junit");
    assert_inert("junit", &run.stdout);
    assert!(!run.stdout.contains("<script"), "{}", run.stdout);
    let xml = roxmltree::Document::parse(&run.stdout).unwrap();
    let names: Vec<&str> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert!(names.contains(&&*escape(ID_CORPUS)), "{names:?}");
    let text: String = xml
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.text())
        .collect();
    assert!(text.contains("<script>]]>"), "{text}");
}

#[test]
fn markdown() {
    let (run, _) = run("markdown");
    let rows = assert_markdown_inert(&run.stdout);
    assert_eq!(rows.len(), 1 + json_findings().len(), "{}", run.stdout);
    assert!(rows.iter().all(|&n| n == 5), "{rows:?}\n{}", run.stdout);
}

/// Markdown read back by a real CommonMark parser with GitHub's tables:
/// every registry string is inside code, where GitHub renders no HTML,
/// link, `@mention` or `:emoji:`. Returns the cell count of every table row.
fn assert_markdown_inert(markdown: &str) -> Vec<usize> {
    assert_inert("markdown", markdown);
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut cells = 0;
    let mut rows = Vec::new();
    let mut outside_code = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                rows.push(cells);
                cells = 0;
            }
            Event::Text(text) => outside_code.push_str(&text),
            Event::Html(html) | Event::InlineHtml(html) => {
                panic!("raw HTML in the report: {html}")
            }
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link in the report: {dest_url}"),
            _ => {}
        }
    }
    for needle in [
        "@team", "https://", ":smile:", "<script", "<b>", "]]>", "::error",
    ] {
        assert!(
            !outside_code.contains(needle),
            "{needle:?} outside code in\n{outside_code}"
        );
    }
    rows
}

/// The accountability view, in each of its formats, on the same registry.
#[test]
fn owners_views() {
    let ws = Workspace::new();
    let name = hostile(&ws);
    for format in ["table", "json", "markdown"] {
        let run = ws.run(&[
            "owners",
            &name,
            "--now",
            "2026-11-22",
            "--format",
            format,
            "--color",
            "never",
        ]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert_inert(format, &run.stdout);
        match format {
            "json" => {
                serde_json::from_str::<Value>(&run.stdout).unwrap();
            }
            "markdown" => {
                let rows = assert_markdown_inert(&run.stdout);
                assert!(!rows.is_empty());
                assert!(
                    rows.iter().all(|&n| n == 2 || n == 5),
                    "{rows:?}\n{}",
                    run.stdout
                );
            }
            _ => assert!(run.stdout.contains("\\u{202e}"), "{}", run.stdout),
        }
    }
}

/// Load errors quote registry strings too: escaped, and shortened.
#[test]
fn error_messages() {
    let ws = Workspace::new();
    let name = hostile(&ws);
    let q = |s: &str| serde_json::to_string(s).unwrap();
    ws.write(
        "bad.yaml",
        format!(
            "version: 1\nidentities:\n  - id: {}\n    kind: {}\n  - id: ok\n    kind: token\n    {}: 1\n",
            q(CORPUS),
            q(CORPUS),
            q(ID_CORPUS)
        ),
    );
    let run = ws.run(&["audit", &name, "bad.yaml", "--color", "never"]);
    assert_eq!(run.code, 2);
    assert_inert("stderr", &run.stderr);
    for needle in [
        "bad.yaml:3:9: error: `id` ",
        "bad.yaml:4:11: error: unknown identity kind ",
        "bad.yaml:7:5: error: unknown key ",
    ] {
        assert!(run.stderr.contains(needle), "{needle:?} in\n{}", run.stderr);
    }
    assert!(run.stderr.contains("\\u{1b}[31mred"), "{}", run.stderr);
}

/// File names that would be CI log commands if a line began with them.
#[cfg(unix)]
const COMMAND_NAMES: [&str; 7] = [
    "::stop-commands::x.yaml",
    "::error title=forged::x.yaml",
    "##[error]x.yaml",
    ":x.yaml",
    // The runner skips leading whitespace, Unicode spaces included.
    " ::error title=forged::x.yaml",
    "\u{a0}::warning::x.yaml",
    "\t::notice::x.yaml",
];

/// No line nhi-own prints starts with `::` (or `##[`) unless it is one of its
/// own commands in `--format github`: a file name is shown as `./name`
/// wherever it could start a line, on stdout and stderr, in every format.
#[cfg(unix)]
#[test]
fn file_names_cannot_start_a_ci_command() {
    let starts_a_command = |line: &str| {
        let line = line.trim_start();
        line.starts_with("::") || line.contains("##[")
    };
    for name in COMMAND_NAMES {
        let ws = Workspace::new();
        ws.write(
            name,
            "version: 1\nidentities:\n  - id: k\n    kind: token\n    owners: { policy: p }\n",
        );
        for format in nhi_own::report::Format::all() {
            let format = clap::ValueEnum::to_possible_value(format).unwrap();
            let format = format.get_name();
            let run = ws.run(&[
                "audit",
                name,
                "--now",
                "2026-11-22",
                "--format",
                format,
                "--color",
                "never",
            ]);
            assert_eq!(run.code, 1, "{name} {format}: {}", run.stderr);
            for line in run.stdout.lines().chain(run.stderr.lines()) {
                if format == "github" {
                    let command = line.strip_prefix("::").and_then(|l| l.split_once(' '));
                    assert!(
                        matches!(command, Some(("error" | "warning" | "notice", rest)) if rest.starts_with("file=./")),
                        "{name} github: {line}"
                    );
                } else {
                    assert!(!starts_a_command(line), "{name} {format}: {line}");
                }
            }
            if format == "text" {
                assert!(
                    run.stdout.starts_with(&format!("./{}:3:5: ", escape(name))),
                    "{}",
                    run.stdout
                );
            }
        }
        // Load errors: on stderr, where a CI log shows them.
        ws.write(name, "version: 1\nidentities:\n  - id: k\n    kind: tokn\n");
        let run = ws.run(&["audit", name, "--color", "never"]);
        assert_eq!(run.code, 2);
        assert!(
            run.stderr
                .starts_with(&format!("./{}:4:11: error:", escape(name))),
            "{}",
            run.stderr
        );
        for line in run.stdout.lines().chain(run.stderr.lines()) {
            assert!(!starts_a_command(line), "{name} load error: {line}");
        }
    }
}

/// `--now` is echoed in its error message, escaped like any input.
#[test]
fn the_now_argument_is_escaped() {
    let ws = Workspace::new();
    ws.write("r.yaml", "version: 1\n");
    let run = ws.run(&["audit", "r.yaml", "--now", "x\n::error::forged\u{1b}[2J"]);
    assert_eq!(run.code, 2);
    assert_inert("stderr", &run.stderr);
    assert!(
        run.stderr.lines().all(|l| !l.starts_with("::")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("x\\n::error::forged\\u{1b}[2J"),
        "{}",
        run.stderr
    );
}

/// JUnit is well-formed XML 1.0 for ids and text holding characters XML
/// forbids even as references (U+FFFE, U+FFFF, C0 controls).
#[test]
fn junit_holds_no_character_xml_forbids() {
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: \"k\\uFFFE\\uFFFF\"\n    kind: token\n    owners: { policy: \"p\\uFFFE\" }\n    escalation: \"\\x01\\x1f\"\n",
    );
    let run = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        "2026-11-22",
        "--format",
        "junit",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    roxmltree::Document::parse(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.stdout));
    for c in ['\u{fffe}', '\u{ffff}', '\u{1}'] {
        assert!(!run.stdout.contains(c), "{c:?} in\n{}", run.stdout);
    }
    assert!(run.stdout.contains("k\\u{fffe}\\u{ffff}"), "{}", run.stdout);
}

/// Ids that spell CI commands (`::error::…`) never begin a line of any
/// command's output, after any leading space: not in `owners`, not in
/// `forecast` (its calendar's folded lines included), not in `audit` but for
/// `--format github`'s own commands.
#[test]
fn ids_cannot_start_a_ci_command() {
    let ws = Workspace::new();
    // Ids long enough that the calendar folds each at another offset, one
    // of them right before its `::`.
    let long: String = (50..=80)
        .map(|k| {
            format!(
                "  - id: '{}::error::f{k}'\n    kind: token\n    owners: {{ policy: '::error::own', technical: '::warning::x', revocation: '::error::own' }}\n    rotation: {{ last_rotated: 2026-09-10 }}\n",
                "a".repeat(k)
            )
        })
        .collect();
    ws.write(
        "r.yaml",
        format!(
            "version: 1\nowners:\n  '::error::own': {{ kind: team, contact: x, members: ['::notice::ghost'] }}\n  '::warning::x': {{ kind: person }}\nidentities:\n  - id: '::error::id'\n    kind: token\n    owners: {{ policy: '::error::own' }}\n    rotation: {{ last_rotated: 2026-09-10 }}\n{long}"
        ),
    );
    let starts_a_command = |line: &str| line.trim_start().starts_with("::");
    let mut runs = Vec::new();
    for format in ["table", "json", "markdown"] {
        runs.push(ws.run(&[
            "owners",
            "r.yaml",
            "--now",
            "2026-12-01",
            "--format",
            format,
        ]));
    }
    for format in ["table", "json", "ics"] {
        runs.push(ws.run(&[
            "forecast",
            "r.yaml",
            "--now",
            "2026-12-01",
            "--within",
            "30d",
            "--format",
            format,
        ]));
    }
    for format in nhi_own::report::Format::all() {
        let format = clap::ValueEnum::to_possible_value(format).unwrap();
        let run = ws.run(&[
            "audit",
            "r.yaml",
            "--now",
            "2026-12-01",
            "--format",
            format.get_name(),
        ]);
        if format.get_name() == "github" {
            for line in run.stdout.lines().filter(|l| starts_a_command(l)) {
                assert!(
                    [
                        "::error file=",
                        "::warning file=",
                        "::notice file=",
                        "::notice title=nhi-own::"
                    ]
                    .iter()
                    .any(|own| line.starts_with(own)),
                    "a forged command: {line}"
                );
            }
            continue;
        }
        runs.push(run);
    }
    let ics = &runs[5].stdout;
    assert!(
        ics.contains("BEGIN:VEVENT") && ics.contains("\r\n "),
        "{ics}"
    );
    for run in &runs {
        assert!(run.code <= 1, "{}{}", run.stdout, run.stderr);
        for line in run.stdout.lines().chain(run.stderr.lines()) {
            assert!(
                !starts_a_command(line),
                "a line reads as a command: {line:?}"
            );
        }
    }
}

/// `diff`, in each of its formats: the hostile registry against an older
/// version of itself (another technical owner, escalation and exception
/// expiry, no second identity), so that its strings appear as added
/// identities, changed values, owner entries and findings.
#[test]
fn diff_views() {
    let ws = Workspace::new();
    let name = hostile(&ws);
    let new = std::fs::read_to_string(ws.dir.path().join(&name)).unwrap();
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let (owner, ghost) = (
        q(&format!("own-{ID_CORPUS}")),
        q(&format!("ghost-{ID_CORPUS}")),
    );
    let old = new
        .replace(
            &format!("technical: {owner}"),
            &format!("technical: {ghost}"),
        )
        .replace(&format!("escalation: {}", q(CORPUS)), "escalation: x")
        .replace("expires: 2026-12-01", "expires: 2026-11-30");
    let old = &old[..old.find("  - id: other").unwrap()];
    assert_ne!(old, new);
    ws.write("old.yaml", old);
    for format in ["table", "json", "markdown"] {
        let run = ws.run(&[
            "diff",
            "old.yaml",
            &name,
            "--now",
            "2026-11-22",
            "--format",
            format,
            "--color",
            "never",
        ]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{format}: {}", run.stderr);
        assert_inert(format, &run.stdout);
        for line in run.stdout.lines() {
            assert!(
                !line.trim_start().starts_with("::"),
                "{format}: a line reads as a command: {line:?}"
            );
        }
        match format {
            "json" => {
                let diff: Value = serde_json::from_str(&run.stdout).unwrap();
                assert_eq!(diff["identities"]["added"][0]["id"], "other");
                let changes = diff["identities"]["changed"][0]["changes"]
                    .as_array()
                    .unwrap();
                assert!(
                    changes
                        .iter()
                        .any(|c| c["field"] == "escalation" && c["new"] == CORPUS),
                    "{changes:?}"
                );
            }
            "markdown" => {
                // The tool's own HTML, alone on its lines, holds no registry text.
                let mut kept = String::new();
                for line in run.stdout.lines() {
                    if line.starts_with("<details") {
                        let title = line
                            .strip_prefix("<details open><summary>")
                            .or_else(|| line.strip_prefix("<details><summary>"))
                            .and_then(|l| l.strip_suffix("</summary>"))
                            .unwrap_or_else(|| panic!("{line}"));
                        assert!(
                            title
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || " ()".contains(c)),
                            "{line}"
                        );
                    } else if line != "</details>" {
                        kept.push_str(line);
                        kept.push('\n');
                    }
                }
                assert!(run.stdout.contains("<details"), "{}", run.stdout);
                let rows = assert_markdown_inert(&kept);
                assert!(rows.len() > 5, "{rows:?}\n{}", run.stdout);
            }
            _ => assert!(run.stdout.contains("\\u{202e}"), "{}", run.stdout),
        }
    }
}
