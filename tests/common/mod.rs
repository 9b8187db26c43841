//! Helpers shared by the CLI tests: write a registry, run the binary, read JSON.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const NOW: &str = "2026-11-22";

/// The result of one `nhi-own` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Unsuppressed findings of one rule.
    pub fn findings(&self, rule: &str) -> Vec<Value> {
        self.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == rule)
            .cloned()
            .collect()
    }

    pub fn suppressed(&self, rule: &str) -> Vec<Value> {
        self.json()["suppressed"]
            .as_array()
            .expect("suppressed")
            .iter()
            .filter(|f| f["rule"] == rule)
            .cloned()
            .collect()
    }

    /// Every unsuppressed rule id, in report order.
    pub fn rules(&self) -> Vec<String> {
        self.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["rule"].as_str().expect("rule").to_owned())
            .collect()
    }
}

pub fn nhi_own() -> Command {
    let mut cmd = Command::cargo_bin("nhi-own").expect("binary");
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    cmd
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = nhi_own()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run nhi-own");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A temporary directory holding registry files.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, content).expect("write");
        path
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }
}

/// Audits one registry text (as `reg.yaml`) at `now`, in JSON.
pub fn audit_at(yaml: &str, now: &str) -> Run {
    let ws = Workspace::new();
    ws.write("reg.yaml", yaml);
    let run = ws.run(&[
        "audit",
        "reg.yaml",
        "--now",
        now,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(run.code, 0, "audit failed:\n{}", run.stderr);
    run
}

pub fn audit(yaml: &str) -> Run {
    audit_at(yaml, NOW)
}

/// A registry with one identity whose every field is in order as of `NOW`,
/// with `extra` lines (indented four spaces) appended to the identity.
pub fn one_identity(kind: &str, extra: &str) -> String {
    format!(
        "version: 1
identities:
  - id: subject
    kind: {kind}
    owners: {{ policy: pol, technical: tech, revocation: rev }}
    escalation: \"#oncall\"
{extra}"
    )
}

/// Identity fields that keep rotation and review rules quiet as of `NOW`.
pub const FRESH: &str =
    "    rotation: { last_rotated: 2026-11-01 }\n    last_reviewed: 2026-11-01\n";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data/<rel>`, or `None` with a printed reason when it is absent
/// (a user's clone has no `shared/` beside it).
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let path = repo_root().join("..").join("shared").join("data").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipping: {} not found (shared test data is only beside CI checkouts)",
            path.display()
        );
        None
    }
}

/// The showcase registry audited as of its documented day, in `format`.
pub fn showcase(format: &str) -> Run {
    showcase_with(format, &[])
}

/// `showcase` with more arguments.
pub fn showcase_with(format: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "audit",
        "examples/showcase.yaml",
        "--now",
        "2026-11-01",
        "--format",
        format,
        "--color",
        "never",
    ];
    args.extend_from_slice(extra);
    run_in(&repo_root(), &args)
}

/// Strings that try to escape every format: terminal escapes, a forged GitHub
/// workflow command, its percent-encoding, a Markdown cell border, HTML, the
/// end of an XML CDATA section, a line separator and a bidi override.
pub const CORPUS: &str = "\u{1b}[31mred\u{1b}[0m \r\n::error file=x,line=1::forged %0A::warning::y | <script>alert(1)</script> ]]> \u{2028} \u{202e}desrever ##[error]legacy";

/// The same for ids, which hold no whitespace or control characters.
pub const ID_CORPUS: &str = "id|<script>]]>%0A::error::x`*_@team:smile:https://x.example##[error]y";

/// A registry (written to `ws`) with the corpus in every string a report can
/// show: the file name, identity and owner ids, names, contacts, the
/// escalation, descriptions, exception reasons and tickets. Returns its name.
pub fn hostile(ws: &Workspace) -> String {
    let name = if cfg!(unix) {
        "evil\n::error::x\u{1b}[31m,file:name%0A|<b>`]]>\u{202e}.yaml"
    } else {
        "evil%0A|<b>`]]>.yaml"
    };
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let (corpus, id) = (q(CORPUS), q(ID_CORPUS));
    let owner = q(&format!("own-{ID_CORPUS}"));
    let ghost = q(&format!("ghost-{ID_CORPUS}"));
    let unused = q(&format!("unused-{ID_CORPUS}"));
    ws.write(
        name,
        format!(
            "version: 1
owners:
  {owner}: {{ kind: team, name: {corpus}, contact: {corpus}, members: [{ghost}] }}
  {unused}: {{ kind: vendor, name: {corpus} }}
identities:
  - id: {id}
    kind: token
    description: {corpus}
    system: {corpus}
    environment: {corpus}
    tags: [{corpus}]
    owners: {{ policy: {owner}, technical: {owner}, revocation: {ghost} }}
    escalation: {corpus}
    rotation: {{ last_rotated: 2020-01-01 }}
    exceptions:
      - rule: stale-rotation
        reason: {corpus}
        approved_by: {owner}
        expires: 2026-12-01
        ticket: {corpus}
  - id: other
    kind: certificate
    owners: {{ policy: {ghost} }}
"
        ),
    );
    name.to_owned()
}

/// A long text cut for an assertion message.
pub fn clip(text: &str) -> String {
    const KEEP: usize = 600;
    match text.char_indices().nth(KEEP) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// The first fenced code block of the README after the text `marker`: the
/// snippet a user copies, so that tests run it as written.
pub fn readme_block(marker: &str) -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    let after = &readme[readme
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in the README"))..];
    let start = after.find("```").expect("a code block after the marker");
    let body = &after[start..];
    let body = &body[body.find('\n').expect("a fence line") + 1..];
    body[..body.find("```").expect("a closing fence")].to_owned()
}

/// `reconcile` of a small registry against the AWS and Entra fixtures (an
/// unregistered user, an absent identity, rotation drift, an expired
/// client secret), in `format`, run in `ws`.
pub fn reconcile_sample(ws: &Workspace, format: &str) -> Run {
    for fixture in ["aws/credential-report.csv", "entra/az-ad-app-list.json"] {
        let text = std::fs::read(repo_root().join("tests/fixtures/inventory").join(fixture))
            .expect("inventory fixture");
        ws.write(fixture.rsplit('/').next().expect("a name"), text);
    }
    ws.write(
        "reconciled.yaml",
        "version: 1
identities:
  - id: aws-ci-deploy-bot
    kind: service_account
    ref: arn:aws:iam::123456789012:user/ci/ci-deploy-bot
    owners: { policy: a, technical: b, revocation: c }
    escalation: x
    rotation: { last_rotated: 2026-11-25 }
  - id: gone
    kind: service_account
    ref: arn:aws:iam::123456789012:user/gone
    owners: { policy: a, technical: b, revocation: c }
    escalation: x
",
    );
    ws.run(&[
        "reconcile",
        "reconciled.yaml",
        "--inventory",
        "credential-report.csv",
        "--inventory",
        "az-ad-app-list.json",
        "--now",
        "2026-12-01",
        "--format",
        format,
    ])
}

/// A YAML file that is not a registry (a workflow, a CI template) as JSON,
/// read by the project's own YAML layer (core schema: `0` is a number,
/// `on` is text).
pub fn yaml_value(text: &str) -> Value {
    use nhi_own::registry::yaml::{Node, Value as Yaml, parse_documents};
    fn json(node: &Node<'_>) -> Value {
        match &node.value {
            Yaml::Null => Value::Null,
            Yaml::Bool(b, _) => Value::Bool(*b),
            Yaml::Number(text) => text
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.parse::<f64>().map(Value::from))
                .unwrap_or_else(|_| Value::String(text.to_string())),
            Yaml::Str(text) => Value::String(text.to_string()),
            Yaml::Seq(items) => Value::Array(items.iter().map(json).collect()),
            Yaml::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.text.to_string(), json(v)))
                    .collect(),
            ),
        }
    }
    let documents = parse_documents(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    json(&documents[0])
}
