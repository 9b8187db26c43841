//! `nhi-own evidence`: the pack's files and what they say, its determinism,
//! the atomic write that never replaces a directory it should not, and
//! hostile strings in HTML and CSV.

use crate::common::{Run, Workspace, hostile, repo_root, run_in};
use serde_json::Value;
use std::path::{Path, PathBuf};

const FILES: [&str; 7] = [
    "SHA256SUMS",
    "controls.csv",
    "exceptions.csv",
    "findings.json",
    "manifest.json",
    "owners.csv",
    "report.html",
];

/// The showcase's pack, written to `out` (relative to the repository).
fn showcase_pack(out: &Path, extra: &[&str]) -> Run {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "evidence",
        "examples/showcase.yaml",
        "--now",
        "2026-11-01",
        "--output",
        out,
    ];
    args.extend_from_slice(extra);
    run_in(&repo_root(), &args)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_pack_holds_every_file_and_says_what_the_audit_says() {
    let ws = Workspace::new();
    let out = ws.dir.path().join("pack");
    let run = showcase_pack(&out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("wrote the evidence pack"),
        "{}",
        run.stderr
    );
    assert_eq!(names(&out), FILES);

    // findings.json is the audit's JSON report, byte for byte.
    let audit = run_in(
        &repo_root(),
        &[
            "audit",
            "examples/showcase.yaml",
            "--now",
            "2026-11-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(read(&out, "findings.json"), audit.stdout);

    // SHA256SUMS lists every other file with its digest, as sha256sum writes.
    let sums = read(&out, "SHA256SUMS");
    let listed: Vec<(&str, &str)> = sums.lines().map(|l| l.split_once("  ").unwrap()).collect();
    assert_eq!(
        listed.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        &FILES[1..]
    );
    for (digest, name) in listed {
        assert_eq!(
            digest,
            sha256(&std::fs::read(out.join(name)).unwrap()),
            "{name}"
        );
    }

    // The manifest names the input with the digest of its bytes.
    let manifest: Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    let input = std::fs::read(repo_root().join("examples/showcase.yaml")).unwrap();
    assert_eq!(
        manifest["inputs"],
        serde_json::json!([{
            "path": "examples/showcase.yaml",
            "kind": "registry",
            "sha256": sha256(&input),
            "size": input.len(),
        }])
    );
    assert_eq!(manifest["now"], "2026-11-01");
    assert_eq!(manifest["generated_at"], "2026-11-01T00:00:00Z");
    assert_eq!(manifest["policy"]["max_age"]["token"], "60d");
    assert_eq!(manifest["policy"]["severity"]["stale-rotation"], "error");
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "controls.csv",
            "exceptions.csv",
            "findings.json",
            "owners.csv",
            "report.html"
        ]
    );

    // owners.csv: one row per identity entry, after the header.
    let owners = csv_rows(&read(&out, "owners.csv"));
    assert_eq!(owners.len(), 1 + 25);
    let orphan = owners.iter().find(|r| r[0] == "orphan-deploy-key").unwrap();
    assert_eq!(
        orphan[4], "no",
        "a missing revocation owner: not accountable"
    );
    assert_eq!(&orphan[11..14], ["", "", "missing"]);
    let billing = owners.iter().find(|r| r[0] == "billing-api-key").unwrap();
    assert_eq!(
        &billing[8..11],
        ["team-platfrom", "", "not in the directory"]
    );

    // exceptions.csv: where each exception stands, and why.
    let exceptions = csv_rows(&read(&out, "exceptions.csv"));
    let ftp = exceptions
        .iter()
        .find(|r| r[0] == "legacy-ftp-key")
        .unwrap();
    assert_eq!(ftp[2], "expired");
    assert!(ftp[9].contains("expired 2026-09-30"), "{ftp:?}");
    let vpn = exceptions
        .iter()
        .find(|r| r[0] == "vpn-gateway-key")
        .unwrap();
    assert_eq!(vpn[2], "invalid");
    assert!(vpn[9].contains("no `approved_by`"), "{vpn:?}");

    // controls.csv: OWASP's in their order, then NIST's; the drift rules,
    // which need inventories, are named as not assessed.
    let controls = csv_rows(&read(&out, "controls.csv"));
    let ids: Vec<&str> = controls[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        &ids[..6],
        [
            "NHI1:2025",
            "NHI3:2025",
            "NHI5:2025",
            "NHI7:2025",
            "NHI9:2025",
            "NHI10:2025"
        ]
    );
    assert!(ids[6..].iter().all(|id| id.contains('.')), "{ids:?}");
    for row in &controls[1..] {
        let (in_scope, passing, failing, excepted): (usize, usize, usize, usize) = (
            row[3].parse().unwrap(),
            row[4].parse().unwrap(),
            row[5].parse().unwrap(),
            row[6].parse().unwrap(),
        );
        // A control none of whose rules ran has no identity in scope.
        let assessed = row[2] != row[8];
        assert_eq!(in_scope, if assessed { 25 } else { 0 }, "{row:?}");
        assert_eq!(passing + failing + excepted, in_scope, "{row:?}");
    }
    let nhi10 = controls.iter().find(|r| r[0] == "NHI10:2025").unwrap();
    assert_eq!(nhi10[2], "interactive-login");
    assert_eq!(nhi10[8], "interactive-login");
    assert_eq!(
        &nhi10[3..8],
        ["0", "0", "0", "0", "0"],
        "not assessed: {nhi10:?}"
    );

    // The page: its sections, and the figures of the report.
    let html = read(&out, "report.html");
    for id in [
        "attestation",
        "headline",
        "charts",
        "controls",
        "findings",
        "exceptions",
        "accountability",
        "reconciliation",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert!(
        html.contains("data-figure=\"identities\">25<"),
        "identity count"
    );
    assert!(html.contains("data-figure=\"errors\">18<"));
    assert!(html.contains("data-figure=\"suppressed\">2<"));
    assert!(html.contains("data-figure=\"exceptions-expired\">1<"));
    assert!(
        html.contains(&sha256(&input)),
        "the input's digest is attested"
    );
}

#[test]
fn the_page_fetches_nothing_and_needs_no_script() {
    let ws = Workspace::new();
    let out = ws.dir.path().join("pack");
    assert_eq!(showcase_pack(&out, &[]).code, 0);
    let html = read(&out, "report.html");
    let csp = html
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    // The one stylesheet is the one the policy's hash allows.
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .unwrap();
    use base64::Engine as _;
    let hash = base64::engine::general_purpose::STANDARD
        .encode(<sha2::Sha256 as sha2::Digest>::digest(style.as_bytes()));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert_eq!(html.matches("<style>").count(), 1);
    for forbidden in [
        "<script", "<link", "<img", "<iframe", " style=", "src=", "url(",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in the page");
    }
    // Four charts, each with a title.
    assert_eq!(html.matches("<svg role=\"img\"").count(), 4);
    assert_eq!(html.matches("<title id=\"chart-").count(), 4);
    // Printable: a page break before each section but the first.
    assert!(html.contains("@media print"));
    assert!(html.contains("section { break-before: page; }"));
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let ws = Workspace::new();
    let (a, b) = (ws.dir.path().join("a"), ws.dir.path().join("b"));
    assert_eq!(showcase_pack(&a, &[]).code, 0);
    assert_eq!(showcase_pack(&b, &[]).code, 0);
    for name in FILES {
        assert_eq!(
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn source_date_epoch_sets_when_the_pack_was_made() {
    let ws = Workspace::new();
    let out = ws.dir.path().join("pack");
    let output = crate::common::nhi_own()
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "1793491200")
        .args(["evidence", "examples/showcase.yaml", "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let manifest: Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["generated_at"], "2026-11-01T00:00:00Z");

    let bad = crate::common::nhi_own()
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args(["evidence", "examples/showcase.yaml", "--output"])
        .arg(ws.dir.path().join("other"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SOURCE_DATE_EPOCH `yesterday`"));
    assert!(!ws.dir.path().join("other").exists());
}

/// The names in a directory and their contents.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    names(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap_or_default();
            (n, bytes)
        })
        .collect()
}

#[test]
fn a_directory_is_replaced_only_when_empty_or_forced() {
    let ws = Workspace::new();
    // Empty: filled.
    let empty = ws.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(showcase_pack(&empty, &[]).code, 0);
    assert_eq!(names(&empty), FILES);

    // Not empty: untouched, exit 2, with what to do.
    let full = ws.dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("notes.txt"), "mine").unwrap();
    let run = showcase_pack(&full, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not empty; pass --force"),
        "{}",
        run.stderr
    );
    assert_eq!(
        snapshot(&full),
        [("notes.txt".to_owned(), b"mine".to_vec())]
    );

    // Forced: replaced as a whole, nothing of the old one left.
    let run = showcase_pack(&full, &["--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(names(&full), FILES);

    // A file is never replaced, forced or not.
    let file = ws.write("pack.txt", "a file");
    for extra in [&[][..], &["--force"][..]] {
        let run = showcase_pack(&file, extra);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("not a directory"), "{}", run.stderr);
        assert_eq!(std::fs::read(&file).unwrap(), b"a file");
    }

    // A missing parent is named.
    let run = showcase_pack(&ws.dir.path().join("no/such/pack"), &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);

    // No temporary directory is left beside the packs.
    let left: Vec<String> = names(ws.dir.path())
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_pack_never_replaces_its_own_inputs() {
    let ws = Workspace::new();
    let registry = std::fs::read(repo_root().join("examples/showcase.yaml")).unwrap();
    ws.write("dir/ownership.yaml", &registry);
    let run = ws.run(&[
        "evidence",
        "dir",
        "--now",
        "2026-11-01",
        "--output",
        "dir",
        "--force",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is an input and lies inside"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(ws.dir.path().join("dir/ownership.yaml")).unwrap(),
        registry
    );
    assert_eq!(names(&ws.dir.path().join("dir")), ["ownership.yaml"]);
}

#[test]
fn an_invalid_registry_writes_nothing() {
    let ws = Workspace::new();
    ws.write(
        "bad.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: tokn\n",
    );
    let run = ws.run(&["evidence", "bad.yaml", "--output", "pack"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.yaml:4:11"), "{}", run.stderr);
    assert!(!ws.dir.path().join("pack").exists());
    // An unreadable inventory too.
    ws.write("good.yaml", "version: 1\nidentities: []\n");
    ws.write("inventory.csv", "ref,kind\nx\n");
    let run = ws.run(&[
        "evidence",
        "good.yaml",
        "--inventory",
        "inventory.csv",
        "--output",
        "pack",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("inventory.csv:2"), "{}", run.stderr);
    assert!(!ws.dir.path().join("pack").exists());
}

#[cfg(unix)]
#[test]
fn the_pack_gets_the_permissions_of_new_files() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    let out = ws.dir.path().join("pack");
    let status = std::process::Command::new("sh")
        .current_dir(repo_root())
        .arg("-c")
        .arg("umask 027 && exec \"$0\" evidence examples/showcase.yaml --now 2026-11-01 --output \"$1\"")
        .arg(env!("CARGO_BIN_EXE_nhi-own"))
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(out.clone()), 0o750);
    for name in FILES {
        assert_eq!(mode(out.join(name)), 0o640, "{name}");
    }
}

#[test]
fn inventories_add_the_reconciliation() {
    let ws = Workspace::new();
    crate::common::reconcile_sample(&ws, "json");
    let run = ws.run(&[
        "evidence",
        "reconciled.yaml",
        "--inventory",
        "credential-report.csv",
        "--inventory",
        "az-ad-app-list.json",
        "--now",
        "2026-12-01",
        "--output",
        "pack",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = ws.dir.path().join("pack");
    let findings: Value = serde_json::from_str(&read(&out, "findings.json")).unwrap();
    let rules: Vec<&str> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // The audit's findings and the drift findings, in one report.
    assert!(rules.contains(&"unregistered-identity"), "{rules:?}");
    assert!(rules.contains(&"absent-from-inventory"), "{rules:?}");
    assert!(rules.contains(&"review-overdue"), "{rules:?}");
    assert!(
        findings["summary"]["inventory"]["records"]
            .as_u64()
            .unwrap()
            > 0
    );

    let manifest: Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    let kinds: Vec<(&str, &str)> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["path"].as_str().unwrap(), i["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("reconciled.yaml", "registry"),
            ("credential-report.csv", "inventory"),
            ("az-ad-app-list.json", "inventory"),
        ]
    );
    let aws = std::fs::read(ws.dir.path().join("credential-report.csv")).unwrap();
    assert_eq!(manifest["inputs"][1]["sha256"], sha256(&aws).as_str());

    let html = read(&out, "report.html");
    assert!(
        html.contains("data-figure=\"records\">"),
        "the reconciliation section"
    );
    assert!(html.contains("data-figure=\"unregistered-identity\">"));
    let controls = csv_rows(&read(&out, "controls.csv"));
    let nhi1 = controls.iter().find(|r| r[0] == "NHI1:2025").unwrap();
    assert_eq!(nhi1[8], "", "every rule of NHI1 ran: {nhi1:?}");
}

/// The tags and attributes the page writes: anything else came from input.
const TAGS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "h3",
    "p",
    "nav",
    "ol",
    "li",
    "a",
    "main",
    "section",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "br",
    "span",
    "div",
    "figure",
    "figcaption",
    "svg",
    "desc",
    "rect",
    "text",
    "g",
    "footer",
];
const ATTRIBUTES: &[&str] = &[
    "lang",
    "charset",
    "http-equiv",
    "content",
    "name",
    "href",
    "id",
    "class",
    "role",
    "aria-labelledby",
    "viewBox",
    "width",
    "height",
    "xmlns",
    "x",
    "y",
    "text-anchor",
    "data-figure",
];

/// Every tag of `html` with its attributes, read as a browser's tokenizer
/// reads them; panics on anything that is not a tag the page writes.
fn assert_only_our_markup(html: &str) {
    let body = html.strip_prefix("<!DOCTYPE html>\n").expect("a doctype");
    let style_end = body.find("</style>").unwrap();
    let style_start = body.find("<style>").unwrap() + "<style>".len();
    let (before, after) = (&body[..style_start], &body[style_end..]);
    for part in [before, after] {
        let mut rest = part;
        while let Some(at) = rest.find('<') {
            rest = &rest[at + 1..];
            let end = rest.find('>').expect("a closed tag");
            let tag = rest[..end].trim_end_matches('/');
            rest = &rest[end + 1..];
            let tag = tag.strip_prefix('/').unwrap_or(tag);
            let (name, mut attributes) = tag.split_once(' ').unwrap_or((tag, ""));
            assert!(TAGS.contains(&name), "tag <{name}> in the page");
            while !attributes.is_empty() {
                let (key, value) = attributes
                    .split_once("=\"")
                    .unwrap_or_else(|| panic!("attributes `{attributes}` of <{name}>"));
                assert!(
                    ATTRIBUTES.contains(&key.trim()),
                    "attribute {key} of <{name}>"
                );
                let close = value.find('"').unwrap();
                assert!(!value[..close].contains(['<', '>']), "{value}");
                attributes = value[close + 1..].trim_start();
            }
        }
    }
}

#[test]
fn hostile_strings_stay_text_in_html_and_csv() {
    let ws = Workspace::new();
    let name = hostile(&ws);
    // Formula openers in ids, owners and reasons, for the spreadsheets.
    ws.write(
        "formulas.yaml",
        "version: 1
owners:
  '@team': { kind: team }
  '=cmd|x!A1': { kind: person }
identities:
  - id: '=HYPERLINK(\"https://x.example\")'
    kind: token
    owners: { policy: '@team', technical: '=cmd|x!A1', revocation: '+1' }
    exceptions:
      - { rule: stale-rotation, reason: '-2+3', approved_by: '@team', expires: 2026-12-01, ticket: '＝1+1' }
      - { rule: missing-owner, reason: ' =1+1', approved_by: '@team', expires: 2026-12-01, ticket: '﹦1' }
  - id: '+SUM(A1)'
    kind: token
",
    );
    let run = ws.run(&[
        "evidence",
        &name,
        "formulas.yaml",
        "--now",
        "2026-11-22",
        "--output",
        "pack",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = ws.dir.path().join("pack");
    let html = read(&out, "report.html");
    assert_only_our_markup(&html);
    for raw in ["<script>", "]]>", "\u{202e}", "\u{1b}", "##["] {
        assert!(!html.contains(raw), "{raw:?} raw in the page");
    }
    // Shown, escaped, in text and in the SVG chart of teams.
    assert!(html.contains("id|&lt;script&gt;]]&gt;"), "the id, escaped");
    assert!(
        html.contains("<g><title>own-id|&lt;script&gt;"),
        "the team, in the chart"
    );

    for csv in ["owners.csv", "exceptions.csv", "controls.csv"] {
        let text = read(&out, csv);
        assert!(!text.contains('\u{1b}') && !text.contains("##["), "{csv}");
        for row in csv_rows(&text) {
            for cell in row {
                assert!(
                    !cell
                        .trim_start()
                        .starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '﹦']),
                    "{csv}: a cell a spreadsheet would run: {cell:?}"
                );
            }
        }
    }
    let owners = read(&out, "owners.csv");
    assert!(owners.contains("'=HYPERLINK"), "kept, as text");
    let exceptions = read(&out, "exceptions.csv");
    assert!(exceptions.contains(",'-2+3,'@team,"), "{exceptions}");
}

/// The README's snippet, run by bash as a user runs it: the pack is written,
/// `sha256sum -c` passes in it, and fails once a file is changed.
#[test]
fn readme_snippet_writes_a_pack_that_sha256sum_verifies() {
    if !has_sha256sum() {
        return;
    }
    let ws = Workspace::new();
    ws.write(
        "examples/showcase.yaml",
        std::fs::read(repo_root().join("examples/showcase.yaml")).unwrap(),
    );
    let block = crate::common::readme_block("## Evidence for auditors");
    let path = path_with_nhi_own();
    let run = |script: &str| {
        std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(ws.dir.path())
            .env("PATH", &path)
            .output()
            .unwrap()
    };
    let output = run(&block);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let checked: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        checked,
        FILES[1..]
            .iter()
            .map(|f| format!("{f}: OK"))
            .collect::<Vec<_>>()
    );
    // One byte changed, and the check fails, naming the file.
    let report = ws.dir.path().join("evidence-2026-11/owners.csv");
    let mut bytes = std::fs::read(&report).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&report, bytes).unwrap();
    let output = run("cd evidence-2026-11 && sha256sum -c SHA256SUMS");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("owners.csv: FAILED"));
}

/// The monthly job of `examples/ci/github-evidence.yml`: its script, as the
/// file holds it, run by bash where a checkout holds `ownership.yaml`,
/// writes a pack that `sha256sum -c` verifies and names it for the upload.
#[test]
fn the_monthly_job_writes_and_verifies_a_pack() {
    if !has_sha256sum() {
        return;
    }
    let text =
        std::fs::read_to_string(repo_root().join("examples/ci/github-evidence.yml")).unwrap();
    let workflow: Value = crate::common::yaml_value(&text);
    let steps = workflow["jobs"]["evidence"]["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("nhi-own evidence"))
        })
        .expect("a step that runs nhi-own evidence");
    let id = step["id"].as_str().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("an upload step");
    assert_eq!(
        upload["with"]["path"],
        format!("${{{{ steps.{id}.outputs.dir }}}}")
    );
    let script = step["run"].as_str().unwrap();

    let ws = Workspace::new();
    ws.write(
        "ownership.yaml",
        std::fs::read(repo_root().join("examples/showcase.yaml")).unwrap(),
    );
    let output_file = ws.write("github-output", "");
    let path = path_with_nhi_own();
    let run = std::process::Command::new("bash")
        .args(["-e", "-c", script])
        .current_dir(ws.dir.path())
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &output_file)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let said = std::fs::read_to_string(&output_file).unwrap();
    let dir = said
        .trim()
        .strip_prefix("dir=")
        .expect("the pack's directory");
    assert!(dir.starts_with("evidence-20"), "{dir}");
    assert_eq!(names(&ws.dir.path().join(dir)), FILES);
    assert_eq!(stdout.matches(": OK").count(), FILES.len() - 1, "{stdout}");
}

/// The figures do not count what the findings say is wrong: a rotation or
/// review dated in the future, a rotation an inventory never saw, and a
/// policy that requires no owner.
#[test]
fn figures_count_no_future_date_and_no_vacuous_coverage() {
    let ws = Workspace::new();
    ws.write(
        "future.yaml",
        "version: 1
owners:
  t1: { kind: team, members: [a] }
  a: { kind: person }
identities:
  - id: i-future
    kind: token
    owners: { policy: t1, technical: a, revocation: t1 }
    escalation: x
    rotation: { last_rotated: 2027-10-01 }
    last_reviewed: 2027-10-01
",
    );
    let run = ws.run(&[
        "evidence",
        "future.yaml",
        "--now",
        "2026-11-01",
        "--output",
        "a",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = read(&ws.dir.path().join("a"), "report.html");
    assert!(
        html.contains("data-figure=\"rotation\">0.0%<"),
        "a rotation in the future"
    );
    assert!(
        html.contains("data-figure=\"review\">0.0%<"),
        "a review in the future"
    );
    assert!(html.contains("data-figure=\"coverage\">100.0%<"));

    ws.write(
        "none.yaml",
        "version: 1
policy: { required_owners: [] }
owners:
  v: { kind: vendor }
identities:
  - { id: no-owners, kind: token }
  - { id: vendor-only, kind: token, owners: { policy: v, technical: v, revocation: v } }
",
    );
    let run = ws.run(&[
        "evidence",
        "none.yaml",
        "--now",
        "2026-11-01",
        "--output",
        "b",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = read(&ws.dir.path().join("b"), "report.html");
    assert!(
        html.contains("data-figure=\"coverage\">0.0%<"),
        "no vacuous coverage"
    );
    assert!(html.contains("none: the policy requires no role"));

    // The inventory saw an older rotation than the registry claims.
    crate::common::reconcile_sample(&ws, "json");
    let run = ws.run(&[
        "evidence",
        "reconciled.yaml",
        "--inventory",
        "credential-report.csv",
        "--now",
        "2026-12-01",
        "--output",
        "c",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let findings: Value =
        serde_json::from_str(&read(&ws.dir.path().join("c"), "findings.json")).unwrap();
    assert!(
        findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "rotation-drift" && f["identity"] == "aws-ci-deploy-bot")
    );
    let html = read(&ws.dir.path().join("c"), "report.html");
    assert!(
        html.contains("rotation compliance: credentials within their max age: 0 of 2"),
        "a drifted rotation does not comply"
    );
}

#[test]
fn an_input_named_through_a_link_inside_the_directory_is_kept() {
    if !cfg!(unix) {
        return;
    }
    let ws = Workspace::new();
    let registry = ws.write(
        "showcase.yaml",
        std::fs::read(repo_root().join("examples/showcase.yaml")).unwrap(),
    );
    std::fs::create_dir(ws.dir.path().join("d")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&registry, ws.dir.path().join("d/link.yaml")).unwrap();
    let run = ws.run(&[
        "evidence",
        "d/link.yaml",
        "--now",
        "2026-11-01",
        "--output",
        "d",
        "--force",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("is an input and lies inside"),
        "{}",
        run.stderr
    );
    assert_eq!(names(&ws.dir.path().join("d")), ["link.yaml"]);
}

#[test]
fn an_empty_source_date_epoch_is_unset() {
    let ws = Workspace::new();
    let out = ws.dir.path().join("pack");
    let output = crate::common::nhi_own()
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "")
        .args([
            "evidence",
            "examples/showcase.yaml",
            "--now",
            "2026-11-01",
            "--output",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest: Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["generated_at"], "2026-11-01T00:00:00Z");
    // A year past 9999 is no RFC 3339 time.
    let output = crate::common::nhi_own()
        .current_dir(repo_root())
        .env("SOURCE_DATE_EPOCH", "253402300800")
        .args(["evidence", "examples/showcase.yaml", "--output"])
        .arg(ws.dir.path().join("far"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// Whether `sha256sum` (coreutils) is here; says so when it is not.
fn has_sha256sum() -> bool {
    let here = std::process::Command::new("sha256sum")
        .arg("--version")
        .output()
        .is_ok();
    if !here {
        eprintln!("skipped: no `sha256sum` (coreutils) on this machine");
    }
    here
}

/// `PATH` with this build's `nhi-own` first, as a user's shell finds it.
fn path_with_nhi_own() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_nhi-own"));
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}
