//! `nhi-own lsp`, driven in process over an in-memory connection as an
//! editor drives it: open, change, ask; every answer checked as the editor
//! would show it (ranges in UTF-16 code units).

use crate::common::Workspace;
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::path::Path;
use std::time::Duration;

const OWNERS: &str = "\
version: 1
owners:
  team-payments:
    kind: team
    name: Payments
    contact: \"#payments-oncall\"
    members: [alex]
  alex: { kind: person, email: alex@example.com }
";

/// Line 10 (0-based) has two non-ASCII names before `team-paymnets`: `ë` is
/// one UTF-16 unit, `𝒜` two.
const IDENTITIES: &str = "\
version: 1
identities:
  - id: deploy-bot
    kind: token
    owners:
      policy: team-payments
      technical: team-payments
      revocation: team-payments
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
  - { id: \"zoë-𝒜-bot\", kind: token, owners: { policy: team-paymnets, technical: alex, revocation: alex }, rotation: { last_rotated: 2026-11-01 }, last_reviewed: 2026-11-01 }
  - id: old-key
    kind: api_key
    owners:
      technical: alex
      revocation: team-payments
    rotation: { last_rotated: 2026-01-02 }
    last_reviewed: 2026-11-01
    exceptions:
      - rule: stale-rotation
        reason: vendor migration
        approved_by: team-payments
        expires: 2026-12-20
";

struct Client {
    connection: Connection,
    server: Option<std::thread::JoinHandle<anyhow::Result<bool>>>,
    pending: VecDeque<Notification>,
    next: i32,
}

fn uri(path: &Path) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}

impl Client {
    /// A server started with these `initializationOptions` on a workspace.
    fn start(root: &Path, options: Value) -> Client {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || nhi_own::lsp::serve(server));
        let mut client = Client {
            connection: client,
            server: Some(handle),
            pending: VecDeque::new(),
            next: 0,
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": {},
                "initializationOptions": options,
            }),
        );
        assert_eq!(
            result["result"]["serverInfo"]["name"], "nhi-own",
            "{result}"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn recv(&mut self) -> Message {
        self.connection
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    /// The whole response (`result` or `error`) to a request.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        let request = Request::new(id.clone(), method.to_owned(), params);
        self.connection.sender.send(request.into()).unwrap();
        loop {
            match self.recv() {
                Message::Response(response) if response.id == id => {
                    return serde_json::to_value(response).unwrap();
                }
                Message::Notification(n) => self.pending.push_back(n),
                _ => {}
            }
        }
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn notify(&self, method: &str, params: Value) {
        let notification = Notification::new(method.to_owned(), params);
        self.connection.sender.send(notification.into()).unwrap();
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        uri
    }

    /// Replaces a range of a document (0-based line and UTF-16 character).
    fn change(&self, uri: &str, version: i32, range: [u32; 4], text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {
                    "start": {"line": range[0], "character": range[1]},
                    "end": {"line": range[2], "character": range[3]}},
                    "text": text}],
            }),
        );
    }

    /// The next diagnostics published for a document (others are kept for
    /// later calls).
    fn diagnostics(&mut self, uri: &str) -> (Option<i64>, Vec<Value>) {
        let is_for = |n: &Notification| {
            n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri
        };
        let next = match self.pending.iter().position(is_for) {
            Some(i) => self.pending.remove(i).unwrap(),
            None => loop {
                if let Message::Notification(n) = self.recv() {
                    if is_for(&n) {
                        break n;
                    }
                    self.pending.push_back(n);
                }
            },
        };
        let version = next.params["version"].as_i64();
        let diagnostics = next.params["diagnostics"].as_array().unwrap().clone();
        (version, diagnostics)
    }

    /// The code actions over a diagnostic's range.
    fn actions(&mut self, uri: &str, diagnostic: &Value) -> Vec<Value> {
        let params = json!({"textDocument": {"uri": uri}, "range": diagnostic["range"],
                            "context": {"diagnostics": []}});
        let result = self.result("textDocument/codeAction", params);
        result.as_array().cloned().unwrap_or_default()
    }

    /// The code action over a diagnostic's range whose title starts so.
    fn action(&mut self, uri: &str, diagnostic: &Value, title: &str) -> Value {
        let actions = self.actions(uri, diagnostic);
        let found = actions
            .iter()
            .find(|a| a["title"].as_str().unwrap().starts_with(title));
        found
            .cloned()
            .unwrap_or_else(|| panic!("no `{title}` in {actions:?}"))
    }

    /// The Markdown of the hover at a position.
    fn hover(&mut self, uri: &str, line: u32, character: u32) -> String {
        let hover = self.result("textDocument/hover", Client::at(uri, line, character));
        hover["contents"]["value"].as_str().unwrap().to_owned()
    }

    fn at(uri: &str, line: u32, character: u32) -> Value {
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
    }

    fn stop(mut self) {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().unwrap();
        assert!(result.as_ref().is_ok_and(|clean| *clean), "{result:?}");
    }
}

/// `[line, character, line, character]` of a diagnostic's range.
fn range(value: &Value) -> [u64; 4] {
    let r = &value["range"];
    [
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    ]
}

fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["code"] == code).collect()
}

fn registry() -> Workspace {
    let ws = Workspace::new();
    ws.write("owners.yaml", OWNERS);
    ws.write("identities.yaml", IDENTITIES);
    ws
}

const NOW: &str = "2026-12-01";

#[test]
fn diagnostics_are_the_findings_at_utf16_positions() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    let (version, diagnostics) = client.diagnostics(&uri);
    assert_eq!(version, Some(1));
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "no-separation-of-duties",
            "missing-escalation",
            "unknown-owner",
            "missing-owner",
            "stale-rotation",
            "expiring-exception"
        ]
    );
    assert!(diagnostics.iter().all(|d| d["source"] == "nhi-own"));
    // `team-paymnets` starts at character 54, UTF-16 unit 55 (`𝒜` is two).
    let unknown = with_code(&diagnostics, "unknown-owner")[0];
    assert_eq!(range(unknown), [10, 55, 10, 68]);
    assert_eq!(unknown["severity"], 1);
    assert_eq!(
        unknown["message"],
        "zoë-𝒜-bot: policy owner `team-paymnets` is not in the owner directory (did you mean `team-payments`?)"
    );
    // Warnings stay warnings at the default threshold; the finding an
    // exception suppresses is a hint that gives the exception's reason.
    assert_eq!(
        with_code(&diagnostics, "missing-escalation")[0]["severity"],
        2
    );
    let stale = with_code(&diagnostics, "stale-rotation")[0];
    assert_eq!(stale["severity"], 4);
    assert!(
        stale["message"].as_str().unwrap().contains(
            "suppressed by an exception: vendor migration; approved by team-payments; expires 2026-12-20"
        ),
        "{stale}"
    );
    let related = &stale["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri);
    assert_eq!(related["location"]["range"]["start"]["line"], 19);
    // The other file of the registry gets its diagnostics too (none here).
    let owners = uri.replace("identities.yaml", "owners.yaml");
    assert_eq!(client.diagnostics(&owners).1, Vec::<Value>::new());
    client.stop();
}

#[test]
fn fail_on_sets_which_findings_are_errors() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW, "failOn": "warning"}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    let (_, diagnostics) = client.diagnostics(&uri);
    assert_eq!(
        with_code(&diagnostics, "missing-escalation")[0]["severity"],
        1
    );
    client.stop();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW, "failOn": "never"}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    let (_, diagnostics) = client.diagnostics(&uri);
    assert_eq!(with_code(&diagnostics, "unknown-owner")[0]["severity"], 2);
    client.stop();
}

#[test]
fn an_owner_made_inactive_in_one_file_lights_up_the_identities_of_another() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let identities = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    let before = client.diagnostics(&identities).1;
    assert!(with_code(&before, "inactive-owner").is_empty());
    let owners = client.open(&ws.dir.path().join("owners.yaml"), OWNERS);
    // Unsaved: `alex` becomes inactive in the editor only.
    client.change(&owners, 2, [7, 47, 7, 47], ", status: inactive");
    let after = loop {
        let (_, diagnostics) = client.diagnostics(&identities);
        if !with_code(&diagnostics, "inactive-owner").is_empty() {
            break diagnostics;
        }
    };
    let inactive = with_code(&after, "inactive-owner");
    // zoë's technical and revocation owner, old-key's technical owner, and
    // the team whose members are all inactive.
    assert!(inactive.len() >= 3, "{inactive:?}");
    client.stop();
}

#[test]
fn unknown_keys_are_load_errors_with_a_quick_fix() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let text = IDENTITIES.replace(
        "    last_reviewed: 2026-11-01\n  - {",
        "    last_reviwed: 2026-11-01\n  - {",
    );
    let uri = client.open(&ws.dir.path().join("identities.yaml"), &text);
    let (_, diagnostics) = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let error = &diagnostics[0];
    assert_eq!(error["code"], "invalid-registry");
    assert_eq!(error["severity"], 1);
    assert_eq!(range(error), [9, 4, 9, 16]);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown key `last_reviwed`")
    );
    let actions = client.actions(&uri, error);
    assert_eq!(actions[0]["title"], "Replace with `last_reviewed`");
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "last_reviewed");
    assert_eq!(edit["range"], error["range"]);
    // Half-typed YAML: an error, never a crash, and requests still answered.
    client.change(&uri, 2, [2, 0, 2, 0], "  - id: [\n");
    let (version, diagnostics) = client.diagnostics(&uri);
    assert_eq!(version, Some(2));
    assert!(!with_code(&diagnostics, "invalid-registry").is_empty());
    let hover = client.result("textDocument/hover", Client::at(&uri, 3, 10));
    assert!(hover.is_null() || hover.is_object());
    client.stop();
}

#[test]
fn definition_references_and_hover_follow_owners() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    client.diagnostics(&uri);
    let owners = uri.replace("identities.yaml", "owners.yaml");
    // `technical: team-payments` on line 6 leads to its entry in owners.yaml.
    let definition = client.result("textDocument/definition", Client::at(&uri, 6, 20));
    assert_eq!(definition["uri"], owners);
    assert_eq!(range(&definition), [2, 2, 2, 15]);
    // From the entry: every role, member and approver that names it.
    let references = client.result(
        "textDocument/references",
        json!({"textDocument": {"uri": owners}, "position": {"line": 2, "character": 4},
               "context": {"includeDeclaration": false}}),
    );
    let places: Vec<(String, u64)> = references
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let file = l["uri"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            (file, l["range"]["start"]["line"].as_u64().unwrap())
        })
        .collect();
    let expected = [5, 6, 7, 15, 21].map(|line| ("identities.yaml".to_owned(), line));
    assert_eq!(places, expected);
    let text = client.hover(&uri, 5, 16);
    assert!(text.contains("team · active"), "{text}");
    assert!(text.contains("#payments-oncall"), "{text}");
    assert!(text.contains("` alex ` (active)"), "{text}");
    // A rule id in an exception: the rule's explanation.
    let text = client.hover(&uri, 19, 16);
    assert!(
        text.starts_with("**stale-rotation** (lifecycle rule"),
        "{text}"
    );
    assert!(text.contains("How to fix it"), "{text}");
    // A date: what falls due when.
    let text = client.hover(&uri, 22, 18);
    assert!(
        text.starts_with("2026-12-20: in 19 days (as of 2026-12-01)"),
        "{text}"
    );
    assert!(text.contains("2026-12-20"), "{text}");
    let text = client.hover(&uri, 8, 35);
    assert!(text.starts_with("2026-11-01: 30 days ago"), "{text}");
    assert!(text.contains("2027-01-30"), "next rotation: {text}");
    client.stop();
}

#[test]
fn completion_offers_owners_rules_kinds_and_statuses() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    client.diagnostics(&uri);
    let labels = |result: &Value| -> Vec<String> {
        result["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_owned())
            .collect()
    };
    // Half-typed: `technical: te` on a new line of old-key's owners.
    client.change(&uri, 2, [15, 0, 15, 0], "      policy: te\n");
    let result = client.result("textDocument/completion", Client::at(&uri, 15, 16));
    assert_eq!(labels(&result), ["team-payments"]);
    let edit = &result["items"][0]["textEdit"];
    assert_eq!(edit["range"]["start"]["character"], 14);
    assert_eq!(edit["range"]["end"]["character"], 16);
    client.change(&uri, 3, [15, 14, 15, 16], "");
    let result = client.result("textDocument/completion", Client::at(&uri, 15, 14));
    assert_eq!(labels(&result), ["team-payments", "alex"]);
    // Kinds of an identity, excepted rules.
    let result = client.result("textDocument/completion", Client::at(&uri, 3, 10));
    assert!(labels(&result).contains(&"service_account".to_owned()));
    let result = client.result("textDocument/completion", Client::at(&uri, 20, 14));
    let rules = labels(&result);
    assert!(rules.contains(&"stale-rotation".to_owned()), "{rules:?}");
    assert!(
        !rules.contains(&"expired-exception".to_owned()),
        "{rules:?}"
    );
    client.stop();
}

/// Applies the first edit of a code action to a text.
fn apply(text: &str, action: &Value, uri: &str) -> String {
    let edit = &action["edit"]["changes"][uri][0];
    let text = nhi_own::lsp::text::Text::new(text.to_owned());
    let range: lsp_types::Range = serde_json::from_value(edit["range"].clone()).unwrap();
    let new = edit["newText"].as_str().unwrap();
    nhi_own::lsp::text::apply_change(&text, range, new, nhi_own::lsp::text::Encoding::Utf16).text
}

#[test]
fn quick_fixes_repair_what_they_fix() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    let (_, diagnostics) = client.diagnostics(&uri);
    // The did-you-mean owner id.
    let unknown = with_code(&diagnostics, "unknown-owner")[0].clone();
    let replace = client.action(&uri, &unknown, "Replace with `team-payments`");
    let fixed = apply(IDENTITIES, &replace, &uri);
    assert!(fixed.contains("owners: { policy: team-payments, technical: alex"));
    // The missing role, above the mapping's first key.
    let missing = with_code(&diagnostics, "missing-owner")[0].clone();
    let add = client.action(
        &uri,
        &missing,
        "Add the `policy` role (then name its owner)",
    );
    let fixed = apply(IDENTITIES, &add, &uri);
    assert!(
        fixed.contains("    owners:\n      policy: \n      technical: alex\n"),
        "{fixed}"
    );
    // No stub goes into a flow mapping (zoë's entry), where the lines of
    // one would break it.
    let escalation = with_code(&diagnostics, "missing-escalation")[0].clone();
    let fixes = client.actions(&uri, &escalation);
    assert!(
        fixes
            .iter()
            .all(|a| !a["title"].as_str().unwrap().starts_with("Add an exception")),
        "{fixes:?}"
    );
    client.stop();
}

#[test]
fn an_exception_stub_is_valid_yaml_that_suppresses_the_finding() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    // deploy-bot, reviewed long ago, its technical owner alex.
    let text = IDENTITIES
        .replacen(
            "      technical: team-payments\n",
            "      technical: alex\n",
            1,
        )
        .replacen(
            "    last_reviewed: 2026-11-01\n",
            "    last_reviewed: 2025-01-02\n",
            1,
        );
    let uri = client.open(&ws.dir.path().join("identities.yaml"), &text);
    let (_, diagnostics) = client.diagnostics(&uri);
    let overdue = with_code(&diagnostics, "review-overdue")[0].clone();
    let stub = client.action(&uri, &overdue, "Add an exception");
    let fixed = apply(&text, &stub, &uri);
    assert!(
        fixed.contains(concat!(
            "  - id: deploy-bot\n",
            "    exceptions:\n",
            "      - rule: review-overdue\n",
            "        reason: \"TODO: why this risk is accepted, and what ends it\"\n",
            "        approved_by: team-payments\n",
            "        expires: 2027-03-01\n",
            "    kind: token\n"
        )),
        "{fixed}"
    );
    client.change(&uri, 2, [0, 0, 40, 0], &fixed);
    let (version, diagnostics) = client.diagnostics(&uri);
    assert_eq!(version, Some(2));
    assert!(
        with_code(&diagnostics, "invalid-registry").is_empty(),
        "{diagnostics:?}"
    );
    let overdue = with_code(&diagnostics, "review-overdue");
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["severity"], 4, "now a hint: {:?}", overdue[0]);
    // The policy owner that is also the technical owner is proposed as no
    // approver: its approval would be a self-approval.
    let separation = with_code(
        &client_diagnostics_of_fixture(&mut client, &uri),
        "no-separation-of-duties",
    )
    .len();
    assert_eq!(separation, 1);
    client.stop();
}

/// The fixture's diagnostics, after putting it back in the editor, with
/// the stub for its `no-separation-of-duties` finding checked.
fn client_diagnostics_of_fixture(client: &mut Client, uri: &str) -> Vec<Value> {
    client.change(uri, 3, [0, 0, 60, 0], IDENTITIES);
    let (_, diagnostics) = client.diagnostics(uri);
    let separation = with_code(&diagnostics, "no-separation-of-duties")[0].clone();
    let stub = client.action(uri, &separation, "Add an exception");
    let inserted = stub["edit"]["changes"][uri][0]["newText"].as_str().unwrap();
    assert!(
        inserted.contains("rule: no-separation-of-duties"),
        "{inserted}"
    );
    assert!(!inserted.contains("approved_by"), "{inserted}");
    diagnostics
}

#[test]
fn a_newer_change_wins_and_versions_never_go_back() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    client.diagnostics(&uri);
    for version in 2..=40 {
        client.change(&uri, version, [0, 0, 0, 0], "#\n");
    }
    let mut last = 0;
    loop {
        let (version, diagnostics) = client.diagnostics(&uri);
        let version = version.unwrap();
        assert!(version > last, "version {version} after {last}");
        last = version;
        if version == 40 {
            // Every line moved down by 39 comments.
            let unknown = with_code(&diagnostics, "unknown-owner")[0];
            assert_eq!(range(unknown)[0], 10 + 39);
            break;
        }
    }
    client.stop();
}

#[test]
fn bad_options_refuse_the_initialization_naming_them() {
    let ws = Workspace::new();
    let (server, client) = Connection::memory();
    let handle = std::thread::spawn(move || nhi_own::lsp::serve(server));
    let request = Request::new(
        RequestId::from(1),
        "initialize".to_owned(),
        json!({"capabilities": {}, "rootUri": uri(ws.dir.path()), "initializationOptions": {"failOn": "warn"}}),
    );
    client.sender.send(request.into()).unwrap();
    let Ok(Message::Response(response)) = client.receiver.recv_timeout(Duration::from_secs(30))
    else {
        panic!("no response")
    };
    let error = response.response_result.unwrap_err();
    assert_eq!(
        error.message,
        "initializationOptions.failOn: expected `error`, `warning`, `info` or `never`, found \"warn\""
    );
    client
        .sender
        .send(Notification::new("exit".to_owned(), Value::Null).into())
        .unwrap();
    assert!(handle.join().unwrap().is_ok());
}

#[test]
fn a_file_belongs_to_its_directory_unless_paths_are_configured() {
    let ws = Workspace::new();
    ws.write("ownership.yaml", OWNERS);
    ws.write(
        "docker-compose.yml",
        "services: { web: { image: nginx } }\n",
    );
    // The directory, walked as `audit DIR` walks it, is the registry: the
    // compose file makes it invalid, and the registry file says so.
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let uri = client.open(&ws.dir.path().join("ownership.yaml"), OWNERS);
    let (_, diagnostics) = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert_eq!(diagnostics[0]["code"], "invalid-registry");
    assert!(
        message.starts_with(
            "the registry is invalid: 2 problems in 1 file; nothing was audited (first: /"
        ),
        "{message}"
    );
    assert!(message.contains("docker-compose.yml:1:1)"), "{message}");
    let compose = uri.replace("ownership.yaml", "docker-compose.yml");
    let (_, diagnostics) = client.diagnostics(&compose);
    assert_eq!(
        with_code(&diagnostics, "invalid-registry").len(),
        2,
        "{diagnostics:?}"
    );
    client.stop();
    // With paths configured, that is the registry, and a file outside them
    // is left alone.
    let mut client = Client::start(
        ws.dir.path(),
        json!({"now": NOW, "registry": ["ownership.yaml"]}),
    );
    let outside = client.open(&ws.dir.path().join("docker-compose.yml"), "services: {}\n");
    let uri = client.open(&ws.dir.path().join("ownership.yaml"), OWNERS);
    let (_, diagnostics) = client.diagnostics(&uri);
    assert!(
        with_code(&diagnostics, "invalid-registry").is_empty(),
        "{diagnostics:?}"
    );
    let hover = client.result("textDocument/hover", Client::at(&outside, 0, 2));
    assert!(hover.is_null());
    assert!(
        client.pending.iter().all(|n| n.params["uri"] != outside),
        "{:?}",
        client.pending
    );
    client.stop();
}

#[test]
fn files_that_cannot_be_listed_or_read_make_the_registry_invalid() {
    let ws = registry();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        ws.dir.path().join("missing.yaml"),
        ws.dir.path().join("gone.yaml"),
    )
    .unwrap();
    ws.write("latin1.yaml", b"version: 1\n# caf\xe9\n");
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    let (_, diagnostics) = client.diagnostics(&uri);
    // The broken link, which no file holds, is shown on the first file.
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with("/gone.yaml: cannot read: no such file or directory"),
        "{message}"
    );
    // owners.yaml has no error of its own: it says the registry is invalid,
    // instead of showing no finding.
    let owners = uri.replace("identities.yaml", "owners.yaml");
    let (_, diagnostics) = client.diagnostics(&owners);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.contains("; nothing was audited (first: /"),
        "{message}"
    );
    let latin1 = uri.replace("identities.yaml", "latin1.yaml");
    let (_, diagnostics) = client.diagnostics(&latin1);
    assert!(
        diagnostics
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("UTF-8")),
        "{diagnostics:?}"
    );
    assert!(
        diagnostics
            .iter()
            .all(|d| !d["message"].as_str().unwrap().contains("empty")),
        "{diagnostics:?}"
    );
    client.stop();
}

#[test]
fn exit_without_shutdown_is_a_failure() {
    let (server, client) = Connection::memory();
    let handle = std::thread::spawn(move || nhi_own::lsp::serve(server));
    let request = Request::new(
        RequestId::from(1),
        "initialize".to_owned(),
        json!({"capabilities": {}}),
    );
    client.sender.send(request.into()).unwrap();
    let _ = client
        .receiver
        .recv_timeout(Duration::from_secs(30))
        .unwrap();
    client
        .sender
        .send(Notification::new("initialized".to_owned(), json!({})).into())
        .unwrap();
    client
        .sender
        .send(Notification::new("exit".to_owned(), Value::Null).into())
        .unwrap();
    assert!(!handle.join().unwrap().unwrap());
    // And the binary exits 1 for it, 0 after `shutdown`.
    let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
    let initialize =
        frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
    let initialized = frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
    let shutdown = frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#);
    let exit = frame(r#"{"jsonrpc":"2.0","method":"exit"}"#);
    let run = |input: String| {
        crate::common::nhi_own()
            .arg("lsp")
            .write_stdin(input)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        run(format!("{initialize}{initialized}{shutdown}{exit}")),
        Some(0)
    );
    assert_eq!(run(format!("{initialize}{initialized}{exit}")), Some(1));
}

#[test]
fn an_exception_stub_joins_the_list_and_names_no_approver_it_cannot() {
    let ws = registry();
    let mut client = Client::start(ws.dir.path(), json!({"now": NOW}));
    let uri = client.open(&ws.dir.path().join("identities.yaml"), IDENTITIES);
    let (_, diagnostics) = client.diagnostics(&uri);
    // old-key has no policy owner, so no approver to propose.
    let missing = with_code(&diagnostics, "missing-owner")[0].clone();
    let stub = client.action(&uri, &missing, "Add an exception");
    let fixed = apply(IDENTITIES, &stub, &uri);
    assert!(
        fixed.contains(concat!(
            "    exceptions:\n",
            "      - rule: missing-owner\n",
            "        reason: \"TODO: why this risk is accepted, and what ends it\"\n",
            "        expires: 2027-03-01\n",
            "      - rule: stale-rotation\n",
        )),
        "{fixed}"
    );
    client.change(&uri, 2, [0, 0, 40, 0], &fixed);
    let (_, diagnostics) = client.diagnostics(&uri);
    assert!(
        with_code(&diagnostics, "invalid-registry").is_empty(),
        "{diagnostics:?}"
    );
    // Without an approver the exception is incomplete, and says so.
    assert_eq!(with_code(&diagnostics, "incomplete-exception").len(), 1);
    client.stop();
}
