//! `owners`, and the `owners` and `route` of every identity finding in JSON:
//! who holds which identity, in which role, and who must act on what.

use crate::common::{Workspace, audit_at};
use serde_json::{Value, json};

const NOW: &str = "2026-12-01";

/// Two teams, a person in one of them, a vendor and a departed person; each
/// identity draws findings of one group.
const REGISTRY: &str = "version: 1
owners:
  team-platform: { kind: team, contact: x, members: [alex] }
  team-security: { kind: team, contact: x }
  alex: { kind: person }
  acme: { kind: vendor, contact: support@acme.example }
  ivy: { kind: person, status: inactive }
identities:
  - id: stale-key
    kind: api_key
    owners: { policy: team-security, technical: team-platform, revocation: team-platform }
    rotation: { last_rotated: 2026-01-01 }
    last_reviewed: 2026-11-01
  - id: vendor-held
    kind: oauth_app
    privileged: true
    owners: { policy: acme, technical: acme, revocation: team-platform }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
  - id: excepted
    kind: token
    owners: { policy: team-security, technical: team-platform, revocation: team-platform }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
    exceptions:
      - rule: stale-rotation
        reason: planned
        approved_by: alex
        expires: 2026-12-10
  - id: no-technical
    kind: secret
    owners: { policy: team-security, revocation: ivy }
    escalation: x
    rotation: { last_rotated: 2026-01-01 }
    last_reviewed: 2026-11-01
";

fn finding<'a>(json: &'a Value, rule: &str, identity: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["identity"] == identity)
        .unwrap_or_else(|| panic!("no {rule} on {identity}: {json}"))
}

#[test]
fn identity_findings_carry_their_owners_and_who_must_act() {
    let run = audit_at(REGISTRY, NOW);
    let json = run.json();
    // Lifecycle: the technical owner.
    let stale = finding(&json, "stale-rotation", "stale-key");
    assert_eq!(
        stale["owners"],
        json!({ "policy": "team-security", "technical": "team-platform", "revocation": "team-platform" })
    );
    assert_eq!(stale["route"], "team-platform");
    // Ownership: the policy owner.
    assert_eq!(
        finding(&json, "vendor-accountability", "vendor-held")["route"],
        "acme"
    );
    // Exceptions: the approver.
    assert_eq!(
        finding(&json, "unused-exception", "excepted")["route"],
        "alex"
    );
    assert_eq!(
        finding(&json, "expiring-exception", "excepted")["route"],
        "alex"
    );
    // A missing role routes to nobody: null, and the owners show the gap.
    let orphan = finding(&json, "stale-rotation", "no-technical");
    assert_eq!(orphan["route"], Value::Null);
    assert_eq!(orphan["owners"]["technical"], Value::Null);
    assert_eq!(
        finding(&json, "inactive-owner", "no-technical")["route"],
        "team-security"
    );
    // Directory findings have neither.
    let unused = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["owner"] == "ivy" || f["rule"] == "unused-owner");
    if let Some(f) = unused {
        assert!(f.get("route").is_none() && f.get("owners").is_none(), "{f}");
    }
}

#[test]
fn shared_credentials_go_to_the_technical_owner() {
    let yaml = REGISTRY.replace(
        "  - id: vendor-held\n",
        "    used_by: [a, b]\n  - id: vendor-held\n",
    );
    let run = audit_at(&yaml, NOW);
    assert_eq!(
        finding(&run.json(), "shared-credential", "stale-key")["route"],
        "team-platform"
    );
}

fn owners(args: &[&str]) -> (Workspace, crate::common::Run) {
    let ws = Workspace::new();
    ws.write("r.yaml", REGISTRY);
    let mut all = vec!["owners", "r.yaml", "--now", NOW];
    all.extend_from_slice(args);
    let run = ws.run(&all);
    (ws, run)
}

fn owner<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no owner {id}: {view}"))
}

#[test]
fn the_view_lists_holdings_findings_and_teams() {
    let (_ws, run) = owners(&["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let view = run.json();
    let ids: Vec<&str> = view["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["team-platform", "team-security", "alex", "acme", "ivy"]
    );
    let platform = owner(&view, "team-platform");
    assert_eq!(platform["members"], json!(["alex"]));
    let held: Vec<(&str, Value)> = platform["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["id"].as_str().unwrap(), h["roles"].clone()))
        .collect();
    assert_eq!(
        held,
        [
            ("stale-key", json!(["technical", "revocation"])),
            ("vendor-held", json!(["revocation"])),
            ("excepted", json!(["technical", "revocation"])),
        ]
    );
    let rules: Vec<&str> = platform["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["stale-rotation"], "{platform}");
    let acme = owner(&view, "acme");
    assert_eq!(acme["identities"][0]["privileged"], true);
    assert_eq!(acme["kind"], "vendor");
    assert_eq!(owner(&view, "alex")["teams"], json!(["team-platform"]));
    // The stale secret with no technical owner is nobody's: listed on its own.
    let unrouted: Vec<(&str, &str)> = view["unrouted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["identity"].as_str().unwrap()))
        .collect();
    assert_eq!(unrouted, [("stale-rotation", "no-technical")]);
}

#[test]
fn one_owner_and_for_a_person_their_teams() {
    let (_ws, run) = owners(&["--owner", "alex", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let view = run.json();
    let ids: Vec<&str> = view["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["team-platform", "alex"]);
    assert_eq!(view["unrouted"], json!([]));
    let (_ws, run) = owners(&["--owner", "alx"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("error: --owner `alx` is not an owner of this registry")
            && run.stderr.contains("did you mean `alex`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_table_and_markdown_views() {
    let (_ws, run) = owners(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("owner team-platform — team; members: alex; contact x\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("vendor-held (oauth_app, privileged)"));
    assert!(run.stdout.contains(
        "  must act on 1 open finding:\n    r.yaml:12:31: error[stale-rotation] stale-key:"
    ));
    assert!(run.stdout.contains("Nobody to route to (1 open finding"));
    assert!(
        run.stdout.ends_with("5 owners as of 2026-12-01\n"),
        "{}",
        run.stdout
    );
    let (_ws, run) = owners(&["--format", "markdown"]);
    assert!(
        run.stdout
            .contains("### `acme`\n\n`vendor; contact support@acme.example`\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("| `vendor-held (oauth_app, privileged)` | policy, technical |")
    );
}

#[test]
fn an_invalid_registry_is_reported_as_audit_reports_it() {
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: a\n    kind: tokn\n",
    );
    let run = ws.run(&["owners", "r.yaml", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("r.yaml:4:11: error: unknown identity kind `tokn`"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["errors"][0]["line"], 4);
    let run = ws.run(&["owners", "missing.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.yaml"), "{}", run.stderr);
    let run = ws.run(&["owners", "r.yaml", "--now", "soon"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("error: --now: invalid date `soon`"),
        "{}",
        run.stderr
    );
}

/// An approver who holds no role still has duties: the findings on the
/// exceptions they approved are theirs, in the view and with `--owner`.
#[test]
fn an_approver_who_holds_no_role_is_an_owner() {
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1
identities:
  - id: k
    kind: token
    owners: { policy: a, technical: b, revocation: c }
    escalation: x
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
    exceptions:
      - { rule: stale-rotation, reason: r, approved_by: sec-lead, expires: 2026-12-10 }
",
    );
    let run = ws.run(&["owners", "r.yaml", "--now", NOW, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let view = run.json();
    let lead = owner(&view, "sec-lead");
    assert_eq!(lead["in_directory"], false);
    assert_eq!(lead["identities"], json!([]));
    let rules: Vec<&str> = lead["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["unused-exception", "expiring-exception"], "{view}");
    assert_eq!(view["unrouted"], json!([]), "{view}");
    let one = ws.run(&["owners", "r.yaml", "--now", NOW, "--owner", "sec-lead"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert!(
        one.stdout
            .starts_with("owner sec-lead — not in the owner directory\n  holds no identity\n  must act on 2 open findings:"),
        "{}",
        one.stdout
    );
}

/// `--owner` with an id that prints like one of the registry's but is not
/// it (another letter case, a decomposed accent) says how they differ.
#[test]
fn an_owner_id_that_only_looks_alike_is_explained() {
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nowners:\n  Caf\u{e9}: { kind: person }\nidentities:\n  - { id: k, kind: token, owners: { policy: Caf\u{e9} } }\n",
    );
    for given in ["cafe\u{301}", "CAF\u{c9}"] {
        let run = ws.run(&["owners", "r.yaml", "--now", NOW, "--owner", given]);
        assert_eq!(run.code, 2);
        assert!(
            run.stderr.contains(
                "help: did you mean `Caf\u{e9}`? It differs in letter case or in how its letters are composed"
            ),
            "{given}: {}",
            run.stderr
        );
    }
}
