//! `nhi-own lsp` as an editor drives it: headless Neovim (0.7 or later, as
//! Debian ships it) with its built-in LSP client, run by `lsp/drive.lua`
//! over a temporary workspace. What the user sees is checked: diagnostics
//! on open, at the UTF-16 column Neovim expects and at the byte it shows
//! them on; an unsaved edit of one file of a registry lighting up another;
//! go to definition, find references and hovers across the files of a
//! registry; completion of owner ids and kinds; and the did-you-mean quick
//! fix, applied by Neovim to the buffer.

use crate::common::Workspace;
use crate::{Check, program};
use libtest_mimic::{Completion, Failed};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const CHECKS: &[(&str, Check)] = &[(
    "lsp::neovim_sees_diagnostics_navigation_completion_and_fixes",
    neovim_sees_diagnostics_navigation_completion_and_fixes,
)];

/// A registry alone in its directory, with an identity in flow style whose
/// id, before the misspelt policy owner on the same line, has characters of
/// two UTF-8 bytes and one UTF-16 unit (`ë`) and of four bytes and two
/// units (`𝒜`): the column of `team-paymnets` is different counted in
/// bytes, UTF-16 units and characters.
const SOLO: &str = concat!(
    "version: 1\n",
    "owners:\n",
    "  team-payments: { kind: team, name: Payments, contact: \"#payments\", members: [zoë] }\n",
    "  zoë: { kind: person, name: Zoë Ünal, email: zoe@example.com }\n",
    "identities:\n",
    "  - { id: \"zoë-𝒜-bot\", kind: token, owners: { policy: team-paymnets, technical: zoë, ",
    "revocation: team-payments }, escalation: \"#payments\", ",
    "rotation: { last_rotated: 2026-11-01 }, last_reviewed: 2026-11-01 }\n",
);
const SOLO_LINE: usize = 5;
const TYPO: &str = "team-paymnets";

/// The owner directory of a registry of two files.
const OWNERS: &str = concat!(
    "version: 1\n",
    "owners:\n",
    "  team-payments:\n", // TEAM_ENTRY
    "    kind: team\n",
    "    name: Payments\n",
    "    contact: \"#payments\"\n",
    "    members: [dana]\n",
    "  dana:\n",
    "    kind: person\n",
    "    name: Dana Ólafsdóttir\n",
    "    email: dana@example.com\n",
);
const TEAM_ENTRY: usize = 2;
/// Where `status: inactive` is inserted for `dana`: after her last line.
const DANA_END: usize = 11;

/// The identities of that registry: roles in a block mapping, and an
/// exception (a rule id to hover on).
const IDENTITIES: &str = concat!(
    "version: 1\n",
    "identities:\n",
    "  - id: payments-deploy-token\n",
    "    kind: token\n",
    "    owners:\n",
    "      policy: team-payments\n",     // POLICY
    "      technical: dana\n",           // TECHNICAL
    "      revocation: team-payments\n", // REVOCATION
    "    escalation: \"#payments\"\n",
    "    rotation: { last_rotated: 2026-11-01 }\n",
    "    last_reviewed: 2026-11-01\n",
    "    exceptions:\n",
    "      - rule: stale-rotation\n", // RULE
    "        reason: rotated by the release pipeline\n",
    "        approved_by: team-payments\n", // APPROVER
    "        expires: 2027-01-01\n",
);
const POLICY: usize = 5;
const TECHNICAL: usize = 6;
const REVOCATION: usize = 7;
const RULE: usize = 12;
const APPROVER: usize = 14;
/// A second identity being typed at the end of `identities.yaml`: `kind:`
/// and `technical:` with nothing after them yet.
const TYPING: [&str; 4] = [
    "  - id: payments-webhook-secret",
    "    kind: ",
    "    owners:",
    "      technical: ",
];
const TYPING_AT: usize = 16;

/// The 0-based UTF-16 column of the first `needle` on a line.
fn utf16_column(line: &str, needle: &str) -> usize {
    let byte = line
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {line:?}"));
    line[..byte].encode_utf16().count()
}

fn line(text: &str, n: usize) -> &str {
    text.lines().nth(n).unwrap_or_default()
}

/// The step results of one `drive.lua` run, after each step's index is
/// named by `steps`.
struct Seen {
    steps: Vec<Value>,
    raw: Value,
}

impl Seen {
    fn step(&self, index: usize) -> &Value {
        &self.steps[index]
    }
}

/// Runs `nvim --headless` on `drive.lua` with `plan` in `dir`; kills it
/// after a minute.
fn drive(nvim: &Path, dir: &Path, plan: &Value) -> Seen {
    let state = tempfile::tempdir().unwrap();
    let steps_file = state.path().join("steps.json");
    let out_file = state.path().join("seen.json");
    std::fs::write(&steps_file, serde_json::to_vec(plan).unwrap()).unwrap();
    let script = crate::common::repo_root().join("tests/clients/lsp/drive.lua");
    let mut command = Command::new(nvim);
    command
        .args([
            "--headless",
            "--clean",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-c",
        ])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir)
        .env("NHI_OWN_LSP", env!("CARGO_BIN_EXE_nhi-own"))
        .env("NHI_OWN_WORKSPACE", dir)
        .env("NHI_OWN_STEPS", &steps_file)
        .env("NHI_OWN_OUT", &out_file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Neovim's own files (the LSP log among them) go to the state directory.
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
    ] {
        command.env(var, state.path().join(var.to_lowercase()));
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", nvim.display()));
    let started = Instant::now();
    let timed_out = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            break true;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().unwrap();
    let log = std::fs::read_to_string(state.path().join("xdg_cache_home/nvim/lsp.log"))
        .unwrap_or_default();
    let said = format!(
        "status {:?}{}\nstdout:\n{}\nstderr:\n{}\nlsp.log:\n{}",
        output.status,
        if timed_out {
            " (killed after 60 s)"
        } else {
            ""
        },
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        crate::common::clip(&log)
    );
    let raw: Value = std::fs::read(&out_file)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_else(|| panic!("drive.lua wrote nothing readable:\n{said}"));
    // Kept before judging, so that a failing session can be looked at.
    let kept = crate::target_dir().join("lsp-neovim-session.json");
    std::fs::create_dir_all(crate::target_dir()).unwrap();
    std::fs::write(&kept, serde_json::to_vec_pretty(&raw).unwrap()).unwrap();
    assert!(
        raw.get("error").is_none() && output.status.success(),
        "the Neovim session failed: {}\n{said}",
        raw["error"].as_str().unwrap_or("")
    );
    let steps = raw["steps"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        steps.len(),
        plan["steps"].as_array().map_or(0, Vec::len),
        "drive.lua did not run every step:\n{raw:#}"
    );
    Seen { steps, raw }
}

/// The diagnostics of a `wait` step with a code, as published.
fn with_code<'a>(step: &'a Value, code: &str) -> Vec<&'a Value> {
    step["published"]
        .as_array()
        .map(|all| all.iter().filter(|d| d["code"] == code).collect())
        .unwrap_or_default()
}

/// `line:character` of a position, 0-based as LSP counts.
fn at(position: &Value) -> (u64, u64) {
    (
        position["line"].as_u64().unwrap_or(u64::MAX),
        position["character"].as_u64().unwrap_or(u64::MAX),
    )
}

/// The text of a hover, whichever form it takes.
fn hover_text(result: &Value) -> String {
    match &result["contents"] {
        Value::String(text) => text.clone(),
        Value::Object(markup) => markup["value"].as_str().unwrap_or_default().to_owned(),
        other => other.to_string(),
    }
}

/// The labels of a completion answer (a list or a `CompletionList`).
fn labels(result: &Value) -> Vec<String> {
    let items = result
        .get("items")
        .and_then(Value::as_array)
        .or_else(|| result.as_array())
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|item| item["label"].as_str().map(str::to_owned))
        .collect()
}

/// Steps of the session, in order; each constant names its index.
mod step {
    pub const OPEN_SOLO: usize = 0;
    pub const SOLO_DIAGNOSTICS: usize = 1;
    pub const FIX: usize = 2;
    pub const SOLO_FIXED: usize = 3;
    pub const OPEN_IDENTITIES: usize = 4;
    pub const IDENTITIES_DIAGNOSTICS: usize = 5;
    pub const DEFINITION: usize = 6;
    pub const HOVER_OWNER: usize = 7;
    pub const HOVER_RULE: usize = 8;
    pub const OPEN_OWNERS: usize = 9;
    pub const OWNERS_DIAGNOSTICS: usize = 10;
    pub const REFERENCES: usize = 11;
    pub const EDIT_OWNERS: usize = 12;
    pub const INACTIVE: usize = 13;
    pub const HOVER_INACTIVE: usize = 14;
    pub const TYPE: usize = 15;
    pub const COMPLETE_KIND: usize = 16;
    pub const COMPLETE_OWNER: usize = 17;
}

fn neovim_sees_diagnostics_navigation_completion_and_fixes() -> Result<Completion, Failed> {
    let nvim = need!(program("nvim").map_err(|_| {
        Completion::ignored_with(
            "needs `nvim` on PATH (Neovim 0.7 or later; .ci/install-clients installs Debian's neovim)",
        )
    }));
    let ws = Workspace::new();
    ws.write("solo/registry.yaml", SOLO);
    ws.write("split/owners.yaml", OWNERS);
    ws.write("split/identities.yaml", IDENTITIES);

    let solo_line = line(SOLO, SOLO_LINE);
    let typo_byte = solo_line.find(TYPO).unwrap();
    let typo_utf16 = utf16_column(solo_line, TYPO);
    let typo_chars = solo_line[..typo_byte].chars().count();
    assert!(
        typo_byte != typo_utf16 && typo_utf16 != typo_chars,
        "SOLO should place {TYPO} at different byte, UTF-16 and character columns"
    );
    let policy_at = utf16_column(line(IDENTITIES, POLICY), "team-payments");
    let technical_at = utf16_column(line(IDENTITIES, TECHNICAL), "dana");
    let rule_at = utf16_column(line(IDENTITIES, RULE), "stale-rotation");
    let kind_at = TYPING[1].len();
    let owner_at = TYPING[3].len();

    let request = |method: &str, file: &str, line: usize, character: usize| json!({"request": method, "file": file, "line": line, "character": character});
    let plan = json!({
        "init_options": { "now": "2026-12-01" },
        "steps": [
            {"open": "solo/registry.yaml"},
            {"wait": "solo/registry.yaml", "code": "unknown-owner"},
            {"code_action": "solo/registry.yaml", "code": "unknown-owner", "apply": true},
            {"wait": "solo/registry.yaml", "code": "unknown-owner", "absent": true},
            {"open": "split/identities.yaml"},
            {"wait": "split/identities.yaml"},
            request("textDocument/definition", "split/identities.yaml", POLICY, policy_at + 3),
            request("textDocument/hover", "split/identities.yaml", TECHNICAL, technical_at + 1),
            request("textDocument/hover", "split/identities.yaml", RULE, rule_at + 2),
            {"open": "split/owners.yaml"},
            {"wait": "split/owners.yaml"},
            {
                "request": "textDocument/references", "file": "split/owners.yaml",
                "line": TEAM_ENTRY, "character": 4,
                "params": {"context": {"includeDeclaration": true}},
            },
            {"edit": "split/owners.yaml", "first": DANA_END, "last": DANA_END,
             "lines": ["    status: inactive"]},
            {"wait": "split/identities.yaml", "code": "inactive-owner"},
            request("textDocument/hover", "split/identities.yaml", TECHNICAL, technical_at + 1),
            {"edit": "split/identities.yaml", "first": TYPING_AT, "last": TYPING_AT,
             "lines": TYPING},
            request("textDocument/completion", "split/identities.yaml", TYPING_AT + 1, kind_at),
            request("textDocument/completion", "split/identities.yaml", TYPING_AT + 3, owner_at),
        ],
    });
    let seen = drive(&nvim, ws.dir.path(), &plan);
    let dump = || format!("{:#}", seen.raw);
    let uri = |rel: &str| {
        seen.steps
            .iter()
            .find(|s| s["uri"].as_str().is_some_and(|u| u.ends_with(rel)))
            .and_then(|s| s["uri"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (solo_uri, owners_uri, identities_uri) = (
        uri("solo/registry.yaml"),
        uri("split/owners.yaml"),
        uri("split/identities.yaml"),
    );
    for open in [step::OPEN_SOLO, step::OPEN_IDENTITIES, step::OPEN_OWNERS] {
        assert_eq!(
            seen.step(open)["attached"],
            true,
            "Neovim did not attach the server to the buffer:\n{}",
            dump()
        );
    }
    assert_eq!(
        seen.raw["offset_encoding"], "utf-16",
        "Neovim 0.7 speaks UTF-16 positions; the session negotiated otherwise"
    );

    // Diagnostics on open: the unknown owner, coded, at its UTF-16 column,
    // and shown by Neovim at its byte.
    let solo = seen.step(step::SOLO_DIAGNOSTICS);
    assert_eq!(
        solo["met"],
        true,
        "no unknown-owner diagnostic was published on opening\n{SOLO}\n{}",
        dump()
    );
    for diagnostic in solo["published"].as_array().unwrap() {
        assert!(
            diagnostic["source"] == "nhi-own" && diagnostic["code"].is_string(),
            "every diagnostic names source `nhi-own` and a rule id as its code; got {diagnostic:#}"
        );
    }
    let unknown = with_code(solo, "unknown-owner");
    assert_eq!(unknown.len(), 1, "one unknown owner in SOLO:\n{}", dump());
    let range = &unknown[0]["range"];
    let expected = (SOLO_LINE as u64, typo_utf16 as u64);
    assert_eq!(
        (at(&range["start"]), at(&range["end"])),
        (expected, (expected.0, expected.1 + TYPO.len() as u64)),
        "the unknown owner `{TYPO}` is at line {SOLO_LINE}, UTF-16 character {typo_utf16} \
         (byte {typo_byte}, character {typo_chars}) of\n{solo_line}\n{}",
        dump()
    );
    let message = unknown[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("zoë-𝒜-bot: ") && message.contains(TYPO),
        "the message names the identity, then the finding: {message:?}"
    );
    let shown = solo["shown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-owner")
        .unwrap_or_else(|| panic!("Neovim shows no unknown-owner diagnostic:\n{}", dump()));
    assert!(
        shown["lnum"] == SOLO_LINE && shown["col"] == typo_byte,
        "Neovim shows the unknown owner at {}:{} (byte); `{TYPO}` starts at byte {typo_byte}",
        shown["lnum"],
        shown["col"]
    );

    // The did-you-mean fix, applied by Neovim, replaces the value only.
    let fix = seen.step(step::FIX);
    let actions = fix["result"].as_array().cloned().unwrap_or_default();
    let replace = actions
        .iter()
        .find(|a| a["title"] == "Replace with `team-payments`")
        .unwrap_or_else(|| {
            panic!(
                "no `Replace with team-payments` action for the unknown owner:\n{:#}",
                fix
            )
        });
    assert_eq!(replace["kind"], "quickfix");
    assert_eq!(replace["isPreferred"], true);
    let edits = &replace["edit"]["changes"][&solo_uri];
    assert_eq!(
        edits,
        &json!([{"range": range, "newText": "team-payments"}]),
        "the fix replaces the unknown owner's range with the suggestion:\n{replace:#}"
    );
    let fixed_line = solo_line.replacen(TYPO, "team-payments", 1);
    assert_eq!(
        fix["lines"][SOLO_LINE], fixed_line,
        "after applying the fix, Neovim's buffer line is not the corrected one"
    );
    let fixed = seen.step(step::SOLO_FIXED);
    assert_eq!(
        fixed["met"], true,
        "after the fix, the unknown-owner diagnostic stays:\n{fixed:#}"
    );

    // A registry of two files: nothing wrong with it as saved.
    let identities = seen.step(step::IDENTITIES_DIAGNOSTICS);
    assert_eq!(
        identities["met"], true,
        "no diagnostics published for identities.yaml"
    );
    assert!(
        with_code(identities, "inactive-owner").is_empty()
            && with_code(identities, "unknown-owner").is_empty(),
        "identities.yaml, with owners.yaml beside it, has its owners:\n{identities:#}"
    );

    // Definition: from a role to the owner's entry in the other file.
    let definition = &seen.step(step::DEFINITION)["result"];
    let location = definition
        .as_array()
        .and_then(|l| l.first())
        .unwrap_or(definition);
    let (target, target_range) = match location.get("targetUri") {
        Some(uri) => (uri, &location["targetSelectionRange"]),
        None => (&location["uri"], &location["range"]),
    };
    assert!(
        target == owners_uri.as_str()
            && at(&target_range["start"]) == (TEAM_ENTRY as u64, 2)
            && at(&target_range["end"]) == (TEAM_ENTRY as u64, 2 + 13),
        "go to definition on `policy: team-payments` should lead to owners.yaml {}:2-15; got \
         {definition:#}",
        TEAM_ENTRY
    );

    // Hovers: the owner's kind and status; the rule's documentation.
    let owner = hover_text(&seen.step(step::HOVER_OWNER)["result"]);
    assert!(
        owner.contains("` dana `") && owner.contains("person") && owner.contains("active"),
        "hover on `technical: dana` should show her kind and status; got {owner:?}"
    );
    let rule = hover_text(&seen.step(step::HOVER_RULE)["result"]);
    assert!(
        rule.contains("**stale-rotation**"),
        "hover on `rule: stale-rotation` should document the rule; got {rule:?}"
    );

    // References: the entry and every role and approver naming the team.
    let owners_open = seen.step(step::OWNERS_DIAGNOSTICS);
    assert_eq!(
        owners_open["met"], true,
        "no diagnostics published for owners.yaml"
    );
    let mut references: Vec<(String, (u64, u64))> = seen.step(step::REFERENCES)["result"]
        .as_array()
        .unwrap_or_else(|| panic!("no references:\n{:#}", seen.step(step::REFERENCES)))
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().unwrap_or("").to_owned(),
                at(&l["range"]["start"]),
            )
        })
        .collect();
    references.sort();
    let column = |n: usize| utf16_column(line(IDENTITIES, n), "team-payments") as u64;
    let mut expected = vec![
        (owners_uri.clone(), (TEAM_ENTRY as u64, 2)),
        (identities_uri.clone(), (POLICY as u64, column(POLICY))),
        (
            identities_uri.clone(),
            (REVOCATION as u64, column(REVOCATION)),
        ),
        (identities_uri.clone(), (APPROVER as u64, column(APPROVER))),
    ];
    expected.sort();
    assert_eq!(
        references, expected,
        "references of `team-payments` (with its declaration)"
    );

    // An unsaved edit of owners.yaml lights up identities.yaml.
    assert_eq!(seen.step(step::EDIT_OWNERS)["modified"], true);
    let inactive = seen.step(step::INACTIVE);
    let lit = with_code(inactive, "inactive-owner");
    assert!(
        inactive["met"] == true
            && lit
                .iter()
                .any(|d| at(&d["range"]["start"]) == (TECHNICAL as u64, technical_at as u64)),
        "after `status: inactive` is typed for dana in owners.yaml (unsaved), identities.yaml \
         should show inactive-owner at {TECHNICAL}:{technical_at}; got {inactive:#}"
    );
    let now_inactive = hover_text(&seen.step(step::HOVER_INACTIVE)["result"]);
    assert!(
        now_inactive.contains("inactive"),
        "hover on dana after the edit should say inactive; got {now_inactive:?}"
    );

    // Completion while typing a new identity.
    assert_eq!(seen.step(step::TYPE)["modified"], true);
    let kinds = labels(&seen.step(step::COMPLETE_KIND)["result"]);
    assert!(
        [
            "token",
            "api_key",
            "service_account",
            "ssh_key",
            "certificate"
        ]
        .iter()
        .all(|k| kinds.iter().any(|l| l == k)),
        "completion after `kind: ` in an identity should offer the identity kinds; got {kinds:?}"
    );
    let owners = labels(&seen.step(step::COMPLETE_OWNER)["result"]);
    assert!(
        ["team-payments", "dana"]
            .iter()
            .all(|o| owners.iter().any(|l| l == o))
            && !owners.iter().any(|l| l == "zoë"),
        "completion after `technical: ` should offer this registry's owners; got {owners:?}"
    );

    assert_eq!(
        seen.raw["exit"]["code"],
        0,
        "the server should exit cleanly on shutdown and exit:\n{}",
        dump()
    );
    Ok(Completion::Completed)
}
