//! The registry's JSON Schema (`schema/ownership.schema.json`) as an editor
//! applies it: the real `yaml-language-server`, driven over LSP by
//! `editor/drive.mjs`, with the schema named by the registry's modeline
//! (`# yaml-language-server: $schema=ownership.schema.json`, the line
//! `nhi-own init` writes when the schema is beside the registry). An unknown
//! key is flagged at its line, the starter and example registries show no
//! problem, and completion inside an identity's `owners:` offers the missing
//! roles and nothing else.

use crate::common::{self, Workspace};
use crate::{Check, program};
use libtest_mimic::{Completion, Failed};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const CHECKS: &[(&str, Check)] = &[(
    "editor::yaml_language_server_flags_unknown_keys_and_completes_owner_roles",
    flags_unknown_keys_and_completes_owner_roles,
)];

/// The modeline of a registry with the schema beside it.
const MODELINE: &str = "# yaml-language-server: $schema=ownership.schema.json";

/// A registry with one mistake, `owner:` for `owners:`, and a block
/// `owners:` mapping with an empty line to complete on.
const MISTAKE: &str = concat!(
    "# yaml-language-server: $schema=ownership.schema.json\n",
    "version: 1\n",
    "owners:\n",
    "  alex: { kind: person }\n",
    "identities:\n",
    "  - id: deploy-bot\n",
    "    kind: token\n",
    "    owner: { policy: alex }\n", // UNKNOWN_KEY
    "  - id: backup-key\n",
    "    kind: ssh_key\n",
    "    owners:\n",
    "      policy: alex\n",
    "      \n", // EMPTY_ROLE, completed at its end
    "    escalation: \"#oncall\"\n",
);
/// A policy with an empty line under `severity:`, whose keys are rule ids.
const SEVERITY: &str = concat!(
    "# yaml-language-server: $schema=ownership.schema.json\n",
    "version: 1\n",
    "policy:\n",
    "  severity:\n",
    "    \n", // EMPTY_SEVERITY, completed at its end
    "identities: []\n",
);
const EMPTY_SEVERITY: usize = 4;

/// The 0-based lines of the mistake and of the empty role in [`MISTAKE`].
const UNKNOWN_KEY: usize = 7;
const EMPTY_ROLE: usize = 12;

/// yaml-language-server 1.x, as `.ci/install-clients` installs it (npm, in a
/// prefix under the target directory), or the reason the check is ignored.
fn language_server() -> Result<PathBuf, Completion> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| common::repo_root().join("target"), PathBuf::from);
    let prefix = target.join("ci-tools").join("node");
    let server = prefix
        .join("node_modules")
        .join("yaml-language-server")
        .join("bin")
        .join("yaml-language-server");
    if server.is_file() {
        Ok(server)
    } else {
        Err(Completion::ignored_with(format!(
            "needs yaml-language-server in {} (.ci/install-clients installs it with npm)",
            prefix.display()
        )))
    }
}

/// What the editor shows for one document: the diagnostics the server
/// published on opening it, and the labels it offered for completion.
struct Shown {
    diagnostics: Vec<Value>,
    completion: Vec<String>,
}

/// Starts `drive.mjs` on `document` (in `dir`), completing at the 0-based
/// `line` and `character`.
fn drive(
    node: &Path,
    server: &Path,
    dir: &Path,
    document: &str,
    line: usize,
    character: usize,
) -> Child {
    Command::new(node)
        .current_dir(dir)
        .arg(common::repo_root().join("tests/clients/editor/drive.mjs"))
        .arg(server)
        .arg(document)
        .args([line.to_string(), character.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", node.display()))
}

/// Waits for a `drive` run and reads what it printed.
fn shown(document: &str, child: Child) -> Shown {
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the LSP exchange with yaml-language-server over {document} failed:\n{said}"
    );
    let printed: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("drive.mjs printed no JSON for {document} ({e}):\n{said}"));
    Shown {
        diagnostics: printed["diagnostics"]
            .as_array()
            .unwrap_or_else(|| panic!("no diagnostics for {document}:\n{said}"))
            .clone(),
        completion: printed["completion"]
            .as_array()
            .unwrap_or_else(|| panic!("no completion for {document}:\n{said}"))
            .iter()
            .map(|label| label.as_str().unwrap_or_default().to_owned())
            .collect(),
    }
}

/// Diagnostics as an editor's problem list shows them: `line:column`
/// (1-based), message and source.
fn problems(diagnostics: &[Value]) -> String {
    let place = |at: &Value| {
        at.as_u64()
            .map_or_else(|| "?".to_owned(), |n| (n + 1).to_string())
    };
    diagnostics
        .iter()
        .map(|d| {
            let start = &d["range"]["start"];
            format!(
                "  {}:{}: {} [{}]\n",
                place(&start["line"]),
                place(&start["character"]),
                d["message"].as_str().unwrap_or("?"),
                d["source"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// One server run per document, the three at once: the starter registry
/// `nhi-own init` writes beside the schema, the showcase with the modeline
/// added, and [`MISTAKE`]. All three name the schema the same way, so the
/// diagnostic on the mistake shows the modeline is honoured, and the quiet
/// valid registries show that the schema does not flag everything.
fn flags_unknown_keys_and_completes_owner_roles() -> Result<Completion, Failed> {
    let node = need!(program("node").map_err(|_| {
        Completion::ignored_with(
            "needs `node` on PATH (Node.js 20 or later) to run yaml-language-server",
        )
    }));
    let server = need!(language_server());
    let ws = Workspace::new();
    let dir = ws.dir.path();
    let schema = common::repo_root()
        .join("schema")
        .join("ownership.schema.json");
    std::fs::copy(&schema, dir.join("ownership.schema.json")).unwrap();

    let init = ws.run(&["init", "--now", "2026-12-01"]);
    assert_eq!(init.code, 0, "init failed:\n{}", init.stderr);
    let starter = std::fs::read_to_string(dir.join("ownership.yaml")).unwrap();
    assert_eq!(
        starter.lines().next(),
        Some(MODELINE),
        "with ownership.schema.json beside it, `nhi-own init` should name it in the \
         modeline; it wrote:\n{}",
        common::clip(&starter)
    );
    let showcase =
        std::fs::read_to_string(common::repo_root().join("examples/showcase.yaml")).unwrap();
    ws.write("showcase.yaml", format!("{MODELINE}\n{showcase}"));
    ws.write("mistake.yaml", MISTAKE);
    ws.write("severity.yaml", SEVERITY);
    let lines: Vec<&str> = MISTAKE.lines().collect();
    assert!(
        lines[UNKNOWN_KEY].starts_with("    owner:") && lines[EMPTY_ROLE] == "      ",
        "UNKNOWN_KEY and EMPTY_ROLE do not point into MISTAKE"
    );
    let runs = [
        (
            "ownership.yaml",
            drive(&node, &server, dir, "ownership.yaml", 0, 0),
        ),
        (
            "showcase.yaml",
            drive(&node, &server, dir, "showcase.yaml", 0, 0),
        ),
        (
            "mistake.yaml",
            drive(&node, &server, dir, "mistake.yaml", EMPTY_ROLE, 6),
        ),
        (
            "severity.yaml",
            drive(&node, &server, dir, "severity.yaml", EMPTY_SEVERITY, 4),
        ),
    ];
    let [starter, showcase, mistake, severity] =
        runs.map(|(document, child)| shown(document, child));

    for (document, seen) in [
        ("ownership.yaml (from `nhi-own init`)", &starter),
        ("examples/showcase.yaml (with the modeline)", &showcase),
    ] {
        assert!(
            seen.diagnostics.is_empty(),
            "yaml-language-server shows problems in {document}, a registry `audit` reads:\n{}",
            problems(&seen.diagnostics)
        );
    }

    // The one problem in the mistake: the unknown key, at its line, in the
    // server's words for `additionalProperties: false`, from the schema.
    let listed = problems(&mistake.diagnostics);
    assert_eq!(
        mistake.diagnostics.len(),
        1,
        "yaml-language-server should show one problem in\n{MISTAKE}\n(`owner:` on line {}); \
         it shows:\n{listed}",
        UNKNOWN_KEY + 1
    );
    let problem = &mistake.diagnostics[0];
    let start = &problem["range"]["start"];
    assert!(
        start["line"] == UNKNOWN_KEY && start["character"] == 4,
        "the unknown key `owner` is at {}:5; yaml-language-server shows:\n{listed}",
        UNKNOWN_KEY + 1
    );
    assert_eq!(
        problem["message"], "Property owner is not allowed.",
        "yaml-language-server's message for the unknown key `owner`:\n{listed}"
    );
    let from_schema = problem["source"]
        .as_str()
        .is_some_and(|s| s.starts_with("yaml-schema"))
        && problem["data"]["schemaUri"].as_array().is_some_and(|uris| {
            uris.iter().any(|u| {
                u.as_str().is_some_and(|u| {
                    u.starts_with("file:") && u.ends_with("/ownership.schema.json")
                })
            })
        });
    assert!(
        from_schema,
        "the problem does not come from ownership.schema.json:\n{problem:#}"
    );

    // Completion under `owners:`, which names `policy` already: the other
    // roles, and none of the registry's or the identity's keys.
    let offered = &mistake.completion;
    assert!(
        ["revocation", "technical"]
            .iter()
            .all(|role| offered.iter().any(|label| label == role)),
        "completion inside `owners:` (line {}) should offer `revocation` and `technical`; \
         yaml-language-server offers {offered:?}",
        EMPTY_ROLE + 1
    );
    let unrelated: Vec<&String> = offered
        .iter()
        .filter(|label| !["revocation", "technical"].contains(&label.as_str()))
        .collect();
    assert!(
        unrelated.is_empty(),
        "completion inside `owners:` (line {}) should offer only the missing roles; \
         yaml-language-server also offers {unrelated:?}",
        EMPTY_ROLE + 1
    );

    // Under `policy.severity:`, the rule ids.
    let offered = &severity.completion;
    assert!(
        ["stale-rotation", "missing-owner", "review-overdue"]
            .iter()
            .all(|rule| offered.iter().any(|label| label == rule))
            && offered.len() == <nhi_own::rules::RuleId as nhi_own::keyword::Keyword>::ALL.len(),
        "completion under `severity:` should offer every rule id; yaml-language-server \
         offers {offered:?}"
    );
    Ok(Completion::Completed)
}
