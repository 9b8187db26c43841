//! One test per rule: where it fires (with its boundaries) and where it must
//! not, asserting rule, severity, identity and location as a user sees them
//! in `--format json`.

use crate::common::{FRESH, audit, one_identity};
use chrono::{Days, NaiveDate};
use serde_json::Value;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}
fn ago(n: u64) -> String {
    (today() - Days::new(n)).to_string()
}
fn ahead(n: u64) -> String {
    (today() + Days::new(n)).to_string()
}

fn assert_at(f: &Value, severity: &str, identity: &str, line: u64, column: u64) {
    assert_eq!(f["severity"], severity, "{f}");
    assert_eq!(f["identity"], identity, "{f}");
    assert_eq!(
        (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()),
        (line, column),
        "{f}"
    );
    assert_eq!(f["file"], "reg.yaml");
}

/// Fresh rotation and review, plus `extra`.
fn with(kind: &str, extra: &str) -> String {
    one_identity(kind, &format!("{FRESH}{extra}"))
}

#[test]
fn a_registry_in_order_has_no_findings() {
    let run = audit(&with("api_key", ""));
    assert!(run.rules().is_empty(), "{:?}", run.rules());
    assert_eq!(run.json()["summary"]["identities"], 1);
}

#[test]
fn missing_owner_per_role_located_at_owners_or_value() {
    let yaml = "version: 1
identities:
  - id: a
    kind: api_key
    escalation: x
    owners:
      policy: p
      technical: null
      revocation: \"\"
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
  - id: b
    kind: api_key
    escalation: x
    owners: { policy: p }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
  - id: c
    kind: api_key
    escalation: x
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
";
    let f = audit(yaml).findings("missing-owner");
    let at: Vec<(&str, u64, u64)> = f
        .iter()
        .map(|f| {
            (
                f["identity"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            ("a", 8, 18),  // technical: null, at the value
            ("a", 9, 19),  // revocation: "", at the value
            ("b", 15, 13), // absent: at the owners mapping
            ("b", 15, 13),
            ("c", 18, 5), // no owners at all: at the entry
            ("c", 18, 5),
            ("c", 18, 5),
        ]
    );
    assert!(f.iter().all(|f| f["severity"] == "error"));
    assert!(f[0]["message"].as_str().unwrap().contains("technical"));
}

#[test]
fn missing_owner_honours_required_owners() {
    let yaml = "version: 1
policy: { required_owners: [policy] }
identities:
  - id: a
    kind: api_key
    escalation: x
    owners: { policy: p }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
";
    assert!(audit(yaml).findings("missing-owner").is_empty());
    // A listed role still counts, and listing it twice counts it once.
    let yaml = yaml.replace("[policy]", "[policy, revocation, revocation]");
    let f = audit(&yaml).findings("missing-owner");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0]["message"].as_str().unwrap().contains("revocation"));
}

/// An optional field set to null is absent (SPEC §1), booleans included.
#[test]
fn null_optional_fields_are_absent() {
    let yaml = "version: 1
identities:
  - id: a
    kind: api_key
    escalation: x
    privileged: null
    description: ~
    owners: { policy: p, technical: t, revocation: r }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-06-01
";
    // Not privileged: the 180-day review interval applies, not the 90-day one.
    assert!(audit(yaml).findings("review-overdue").is_empty());
}

const DIRECTORY: &str = "version: 1
owners:
  team-a: { kind: team, contact: x, members: [ann] }
  team-gone: { kind: team, contact: x, members: [old1, old2] }
  team-half: { kind: team, contact: x, members: [old1, ann] }
  ann: { kind: person }
  old1: { kind: person, status: inactive }
  old2: { kind: person, status: inactive }
  vend: { kind: vendor, contact: x }
identities:
";

fn directory_identity(owners: &str, extra: &str) -> String {
    format!(
        "{DIRECTORY}  - id: subject\n    kind: api_key\n    owners: {owners}\n{FRESH}{extra}  - id: keep-all-referenced\n    kind: api_key\n    owners: {{ policy: team-a, technical: team-gone, revocation: team-half }}\n{FRESH}    exceptions:\n      - {{ rule: stale-rotation, reason: r, approved_by: vend, expires: 2026-12-01 }}\n"
    )
}

#[test]
fn unknown_owner_only_when_a_directory_exists() {
    let run = audit(&directory_identity(
        "{ policy: team-a, technical: team-aa, revocation: team-a }",
        "",
    ));
    let f = run.findings("unknown-owner");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "error", "subject", 13, 42);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `team-a`"),
        "{}",
        f[0]
    );
    // Without a directory, owner ids are free text.
    assert!(
        audit(&with("api_key", ""))
            .findings("unknown-owner")
            .is_empty()
    );
}

#[test]
fn unknown_team_member_is_a_directory_finding() {
    let yaml = "version: 1
owners:
  t: { kind: team, contact: x, members: [ghost] }
identities:
  - id: a
    kind: api_key
    owners: { policy: t, technical: t2, revocation: t }
";
    let run = audit(yaml);
    let f = run.findings("unknown-owner");
    let member = f
        .iter()
        .find(|f| f["owner"] == "t")
        .expect("member finding");
    assert_eq!(member["identity"], Value::Null);
    assert_eq!(
        (member["line"].as_u64(), member["column"].as_u64()),
        (Some(3), Some(42))
    );
}

#[test]
fn unknown_approver_is_reported_and_suppresses_nothing() {
    let run = audit(&directory_identity(
        "{ policy: team-a, technical: ann, revocation: team-a }",
        "    created: 2020-01-01\n    exceptions:\n      - { rule: review-overdue, reason: r, approved_by: nobody, expires: 2026-12-01 }\n",
    ));
    let f = run.findings("unknown-owner");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0]["message"].as_str().unwrap().contains("approver"));
    assert!(run.suppressed("review-overdue").is_empty());
}

#[test]
fn inactive_owner_person_team_and_approver() {
    let run = audit(&directory_identity(
        "{ policy: old1, technical: team-gone, revocation: team-half }",
        "    exceptions:\n      - { rule: missing-rotation, reason: r, approved_by: old2, expires: 2026-12-01 }\n",
    ));
    let f = run.findings("inactive-owner");
    let messages: Vec<&str> = f.iter().map(|f| f["message"].as_str().unwrap()).collect();
    // Two from `subject` (person, all-inactive team), one approver, and one
    // from the helper identity (team-gone as technical owner).
    assert_eq!(f.len(), 4, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`old1` is an inactive person"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`team-gone` is a team whose 2 members are all inactive"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("approver") && m.contains("`old2`"))
    );
    // A team with one active member is accountable.
    assert!(!messages.iter().any(|m| m.contains("team-half")));
}

/// A team that lists no members says nothing about its people: accountable.
#[test]
fn team_without_members_is_accountable() {
    let yaml = "version: 1
owners:
  crew: { kind: team, contact: x }
identities:
  - id: a
    kind: api_key
    owners: { policy: crew, technical: crew, revocation: crew }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
";
    assert!(audit(yaml).findings("inactive-owner").is_empty());
}

/// Only an active approver makes an exception valid: an inactive person or a
/// team of inactive people suppresses nothing; an active one does.
#[test]
fn inactive_approver_suppresses_nothing() {
    for (approver, suppresses) in [
        ("old2", false),
        ("team-gone", false),
        ("team-half", true),
        ("ann", true),
    ] {
        let run = audit(&directory_identity(
            "{ policy: team-a, technical: team-a, revocation: team-a }",
            &format!(
                "    exceptions:\n      - {{ rule: no-separation-of-duties, reason: r, approved_by: {approver}, expires: 2026-12-01 }}\n"
            ),
        ));
        let (open, quiet) = (
            run.findings("no-separation-of-duties").len(),
            run.suppressed("no-separation-of-duties").len(),
        );
        assert_eq!(
            (open, quiet),
            if suppresses { (0, 1) } else { (1, 0) },
            "{approver}"
        );
    }
}

#[test]
fn vendor_may_be_technical_owner_only() {
    let run = audit(&directory_identity(
        "{ policy: vend, technical: vend, revocation: vend }",
        "",
    ));
    let f: Vec<Value> = run
        .findings("vendor-accountability")
        .into_iter()
        .filter(|f| f["identity"] == "subject")
        .collect();
    assert_eq!(f.len(), 2);
    assert_at(&f[0], "error", "subject", 13, 23);
    assert_at(&f[1], "error", "subject", 13, 58);
    let run = audit(&directory_identity(
        "{ policy: team-a, technical: vend, revocation: team-a }",
        "",
    ));
    assert!(
        run.findings("vendor-accountability")
            .iter()
            .all(|f| f["identity"] != "subject")
    );
}

/// Risk acceptance stays in-house: an exception approved by a vendor
/// suppresses nothing, and the approver reference is a finding.
#[test]
fn vendor_approver_suppresses_nothing() {
    let run = audit(&directory_identity(
        "{ policy: team-a, technical: team-a, revocation: team-a }",
        "",
    ));
    let f: Vec<Value> = run
        .findings("vendor-accountability")
        .into_iter()
        .filter(|f| f["identity"] == "keep-all-referenced")
        .collect();
    assert_eq!(f.len(), 1, "{}", run.stdout);
    assert_at(&f[0], "error", "keep-all-referenced", 22, 57);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("approved by `vend`, a vendor"),
        "{}",
        f[0]["message"]
    );
    // The exception suppresses nothing, and is not reported as unused either.
    assert!(run.suppressed("stale-rotation").is_empty());
    assert!(
        run.findings("unused-exception")
            .iter()
            .all(|f| f["identity"] != "keep-all-referenced")
    );
}

#[test]
fn no_separation_of_duties() {
    let yaml = with("api_key", "").replace("technical: tech", "technical: pol");
    let f = audit(&yaml).findings("no-separation-of-duties");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "warning", "subject", 5, 39);
    assert!(
        audit(&with("api_key", ""))
            .findings("no-separation-of-duties")
            .is_empty()
    );
}

#[test]
fn missing_escalation() {
    // No escalation, no directory: the revocation owner cannot be reached.
    let yaml = with("api_key", "").replace("    escalation: \"#oncall\"\n", "");
    let f = audit(&yaml).findings("missing-escalation");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "warning", "subject", 3, 5);
    assert_eq!(
        f[0]["message"],
        "no escalation contact, and there is no owner directory to give revocation owner `rev` a contact"
    );
    // The revocation owner has a contact: fine.
    let dir = "version: 1\nowners:\n  r: { kind: team, contact: \"#r\" }\n  p: { kind: team }\n  t: { kind: team }\nidentities:\n  - id: subject\n    kind: api_key\n    owners: { policy: p, technical: t, revocation: r }\n";
    assert!(
        audit(&format!("{dir}{FRESH}"))
            .findings("missing-escalation")
            .is_empty()
    );
    // Without a contact on the owner, it fires.
    let no_contact = dir.replace("r: { kind: team, contact: \"#r\" }", "r: { kind: team }");
    assert_eq!(
        audit(&format!("{no_contact}{FRESH}"))
            .findings("missing-escalation")
            .len(),
        1
    );
    // An empty or blank contact, or escalation, reaches nobody.
    for blank in ["\"\"", "\"   \"", "\"\\t\""] {
        let blank_contact = dir.replace("contact: \"#r\"", &format!("contact: {blank}"));
        let f = audit(&format!("{blank_contact}{FRESH}")).findings("missing-escalation");
        assert_eq!(f.len(), 1, "contact {blank}");
        assert!(
            f[0]["message"]
                .as_str()
                .unwrap()
                .contains("revocation owner `r` has no contact")
        );
        let blank_escalation =
            with("api_key", "").replace("escalation: \"#oncall\"", &format!("escalation: {blank}"));
        assert_eq!(
            audit(&blank_escalation)
                .findings("missing-escalation")
                .len(),
            1,
            "escalation {blank}"
        );
    }
}

fn rotated(days_ago: u64, kind: &str) -> String {
    one_identity(
        kind,
        &format!(
            "    rotation: {{ last_rotated: {} }}\n    last_reviewed: 2026-11-01\n",
            ago(days_ago)
        ),
    )
}

#[test]
fn stale_rotation_boundary_is_exclusive() {
    // Exactly on the max age: due today, not stale.
    let run = audit(&rotated(90, "api_key"));
    assert!(run.findings("stale-rotation").is_empty());
    let due = run.findings("rotation-due");
    assert_eq!(due.len(), 1);
    assert!(
        due[0]["message"].as_str().unwrap().contains("due today"),
        "{}",
        due[0]
    );
    // One day more: stale, located at the date.
    let f = audit(&rotated(91, "api_key")).findings("stale-rotation");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "error", "subject", 7, 31);
    assert_eq!(
        f[0]["message"],
        format!(
            "last rotated {}, 91 days ago; max age 90d (1 day overdue)",
            ago(91)
        )
    );
}

#[test]
fn stale_rotation_uses_created_and_kind_defaults() {
    let yaml = one_identity(
        "certificate",
        &format!(
            "    created: {}\n    expires: 2027-06-01\n    last_reviewed: 2026-11-01\n",
            ago(399)
        ),
    );
    let f = audit(&yaml).findings("stale-rotation");
    assert_eq!(f.len(), 1);
    assert!(f[0]["message"].as_str().unwrap().contains("max age 398d"));
    // ssh keys live 180 days.
    assert!(
        audit(&rotated(140, "ssh_key"))
            .findings("stale-rotation")
            .is_empty()
    );
    assert_eq!(
        audit(&rotated(181, "ssh_key"))
            .findings("stale-rotation")
            .len(),
        1
    );
}

#[test]
fn max_age_precedence_identity_then_kind_then_policy_then_builtin() {
    let identity_own = one_identity(
        "api_key",
        &format!(
            "    rotation: {{ last_rotated: {}, max_age: 2w }}\n    last_reviewed: 2026-11-01\n",
            ago(15)
        ),
    );
    assert!(
        audit(&identity_own).findings("stale-rotation")[0]["message"]
            .as_str()
            .unwrap()
            .contains("max age 2w")
    );
    let policy = "version: 1\npolicy:\n  rotation:\n    max_age: 30d\n    kinds: { token: 10d }\nidentities:\n";
    let body = |kind: &str| {
        format!(
            "{policy}  - id: subject\n    kind: {kind}\n    owners: {{ policy: p, technical: t, revocation: r }}\n    escalation: x\n    rotation: {{ last_rotated: {} }}\n    last_reviewed: 2026-11-01\n",
            ago(20)
        )
    };
    assert!(
        audit(&body("token")).findings("stale-rotation")[0]["message"]
            .as_str()
            .unwrap()
            .contains("max age 10d")
    );
    // 20 days old under a 30d general max age: due, not stale.
    let run = audit(&body("api_key"));
    assert!(run.findings("stale-rotation").is_empty());
    assert_eq!(run.findings("rotation-due").len(), 1);
}

#[test]
fn rotation_due_window_includes_its_last_day() {
    // 60 days old, max 90, warn 30: due in 30 days, the window's last day.
    assert_eq!(
        audit(&rotated(60, "api_key"))
            .findings("rotation-due")
            .len(),
        1
    );
    assert!(
        audit(&rotated(59, "api_key"))
            .findings("rotation-due")
            .is_empty()
    );
}

#[test]
fn missing_rotation() {
    let yaml = one_identity("secret", "    last_reviewed: 2026-11-01\n");
    let f = audit(&yaml).findings("missing-rotation");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "error", "subject", 3, 5);
    // Workload identities are not rotated by default.
    assert!(
        audit(&one_identity(
            "workload_identity",
            "    last_reviewed: 2026-11-01\n"
        ))
        .rules()
        .is_empty()
    );
    // Nor is a kind the policy marks `never`.
    let never = one_identity("secret", "    last_reviewed: 2026-11-01\n").replace(
        "identities:",
        "policy: { rotation: { kinds: { secret: never } } }\nidentities:",
    );
    assert!(audit(&never).rules().is_empty());
}

fn expiring(expires: &str) -> String {
    with("api_key", &format!("    expires: {expires}\n"))
}

#[test]
fn expired_and_expiring_credential_boundaries() {
    let f = audit(&expiring(&ago(1))).findings("expired-credential");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "error", "subject", 9, 14);
    assert_eq!(f[0]["message"], format!("expired {}, 1 day ago", ago(1)));
    // Expiring today is not yet expired.
    let run = audit(&expiring(&ago(0)));
    assert!(run.findings("expired-credential").is_empty());
    assert!(
        run.findings("expiring-credential")[0]["message"]
            .as_str()
            .unwrap()
            .contains("today")
    );
    // The window's last day is inside it; the day after is not.
    assert_eq!(
        audit(&expiring(&ahead(30)))
            .findings("expiring-credential")
            .len(),
        1
    );
    assert!(audit(&expiring(&ahead(31))).rules().is_empty());
}

#[test]
fn missing_expiry_only_for_certificates() {
    let cert = with("certificate", "");
    let f = audit(&cert).findings("missing-expiry");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "warning", "subject", 3, 5);
    assert!(
        audit(&with("token", ""))
            .findings("missing-expiry")
            .is_empty()
    );
}

fn reviewed(days_ago: u64, privileged: bool) -> String {
    one_identity(
        "api_key",
        &format!(
            "    rotation: {{ last_rotated: 2026-11-01 }}\n    privileged: {privileged}\n    last_reviewed: {}\n",
            ago(days_ago)
        ),
    )
}

#[test]
fn review_overdue_intervals() {
    assert!(
        audit(&reviewed(180, false))
            .findings("review-overdue")
            .is_empty()
    );
    let f = audit(&reviewed(181, false)).findings("review-overdue");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "warning", "subject", 9, 20);
    assert!(
        audit(&reviewed(90, true))
            .findings("review-overdue")
            .is_empty()
    );
    let f = audit(&reviewed(91, true)).findings("review-overdue");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("privileged review interval 90d")
    );
    // Never reviewed, and no creation day: located at the entry.
    let never = one_identity("api_key", "    rotation: { last_rotated: 2026-11-01 }\n");
    assert_at(
        &audit(&never).findings("review-overdue")[0],
        "warning",
        "subject",
        3,
        5,
    );
    // A new identity is first due one interval after it was created, and is
    // then located at `created`.
    let created = |days: u64| {
        one_identity(
            "api_key",
            &format!(
                "    created: {}\n    rotation: {{ last_rotated: 2026-11-01 }}\n",
                ago(days)
            ),
        )
    };
    assert!(audit(&created(0)).findings("review-overdue").is_empty());
    assert!(audit(&created(180)).findings("review-overdue").is_empty());
    let f = audit(&created(181)).findings("review-overdue");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "warning", "subject", 7, 14);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("and never reviewed; review interval 180d (1 day overdue)"),
        "{}",
        f[0]["message"]
    );
    // A review, when there is one, counts rather than the creation.
    let both = one_identity(
        "api_key",
        &format!(
            "    created: {}\n    last_reviewed: {}\n    rotation: {{ last_rotated: 2026-11-01 }}\n",
            ago(400),
            ago(10)
        ),
    );
    assert!(audit(&both).findings("review-overdue").is_empty());
}

#[test]
fn retired_identities_are_checked_by_three_rules_only() {
    // Stale, never reviewed, no owners, expired exception: none of it matters once retired.
    let yaml = "version: 1
identities:
  - id: old
    kind: token
    status: retired
    created: 2020-01-01
    expires: 2021-01-01
    exceptions:
      - { rule: stale-rotation, reason: r, expires: 2021-01-01 }
";
    let run = audit(yaml);
    assert_eq!(run.rules(), ["retired-not-revoked"]);
    assert_at(
        &run.findings("retired-not-revoked")[0],
        "error",
        "old",
        3,
        5,
    );
    let revoked = yaml.replace(
        "    created: 2020-01-01\n",
        "    created: 2020-01-01\n    revoked: 2026-11-23\n",
    );
    // Revoked in the future is still a date in the future.
    assert_eq!(audit(&revoked).rules(), ["date-in-future"]);
    let revoked = yaml.replace(
        "    created: 2020-01-01\n",
        "    created: 2020-01-01\n    revoked: 2026-11-22\n",
    );
    assert!(audit(&revoked).rules().is_empty());
}

#[test]
fn date_in_future_one_finding_per_field() {
    let yaml = one_identity(
        "api_key",
        &format!(
            "    created: {}\n    rotation: {{ last_rotated: {} }}\n    last_reviewed: {}\n",
            ahead(1),
            ahead(2),
            ago(0)
        ),
    );
    let f = audit(&yaml).findings("date-in-future");
    assert_eq!(f.len(), 2);
    assert_at(&f[0], "error", "subject", 7, 14);
    assert_at(&f[1], "error", "subject", 8, 31);
    assert!(
        f[1]["message"]
            .as_str()
            .unwrap()
            .contains("2 days after today")
    );
}

#[test]
fn duplicate_identity_at_each_later_occurrence() {
    let one = with("api_key", "");
    let entry = one.split_once("identities:\n").unwrap().1;
    let yaml = format!("{one}{entry}{entry}");
    let f = audit(&yaml).findings("duplicate-identity");
    assert_eq!(f.len(), 2);
    assert_at(&f[0], "error", "subject", 9, 9);
    assert_at(&f[1], "error", "subject", 15, 9);
    assert!(
        f[1]["message"]
            .as_str()
            .unwrap()
            .contains("already used at reg.yaml:3:9")
    );
}

#[test]
fn unused_owner_is_info_and_counts_every_reference() {
    let yaml = "version: 1
owners:
  t: { kind: team, contact: x, members: [m] }
  m: { kind: person }
  approver: { kind: person }
  retired-holder: { kind: person }
  idle: { kind: person }
identities:
  - id: a
    kind: api_key
    owners: { policy: t, technical: t, revocation: t }
    exceptions:
      - { rule: review-overdue, reason: r, approved_by: approver, expires: 2026-12-01 }
  - id: b
    kind: api_key
    status: retired
    revoked: 2026-01-01
    owners: { policy: retired-holder }
";
    let f = audit(yaml).findings("unused-owner");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["owner"], "idle");
    assert_eq!(f[0]["identity"], Value::Null);
    assert_eq!(f[0]["severity"], "info");
    assert_eq!(
        (f[0]["line"].as_u64(), f[0]["column"].as_u64()),
        (Some(7), Some(3))
    );
}

fn excepted(rule: &str, exception: &str) -> String {
    // A stale key (rotated 200 days ago) with one exception.
    one_identity(
        "api_key",
        &format!(
            "    rotation: {{ last_rotated: {} }}\n    last_reviewed: 2026-11-01\n    exceptions:\n      - rule: {rule}\n        reason: migration\n{exception}",
            ago(200)
        ),
    )
}

#[test]
fn valid_exception_suppresses_and_is_listed() {
    let run = audit(&excepted(
        "stale-rotation",
        "        approved_by: pol\n        expires: 2027-01-15\n        ticket: SEC-1\n",
    ));
    assert!(run.findings("stale-rotation").is_empty());
    let s = run.suppressed("stale-rotation");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["exception"]["reason"], "migration");
    assert_eq!(s[0]["exception"]["approved_by"], "pol");
    assert_eq!(s[0]["exception"]["expires"], "2027-01-15");
    assert_eq!(s[0]["exception"]["ticket"], "SEC-1");
    assert_eq!(run.json()["summary"]["suppressed"], 1);
    assert!(run.rules().is_empty(), "{:?}", run.rules());
}

#[test]
fn expired_exception_suppresses_nothing() {
    let run = audit(&excepted(
        "stale-rotation",
        &format!("        approved_by: pol\n        expires: {}\n", ago(1)),
    ));
    let f = run.findings("expired-exception");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "error", "subject", 13, 18);
    assert_eq!(run.findings("stale-rotation").len(), 1);
    assert!(run.suppressed("stale-rotation").is_empty());
    // Expiring today is still valid.
    let run = audit(&excepted(
        "stale-rotation",
        &format!("        approved_by: pol\n        expires: {}\n", ago(0)),
    ));
    assert!(run.findings("expired-exception").is_empty());
    assert_eq!(run.suppressed("stale-rotation").len(), 1);
}

#[test]
fn incomplete_exception_suppresses_nothing() {
    for fields in [
        "        approved_by: pol\n",
        "        expires: 2027-01-15\n",
        "",
    ] {
        let run = audit(&excepted("stale-rotation", fields));
        let f = run.findings("incomplete-exception");
        assert_eq!(f.len(), 1, "{fields:?}");
        assert_at(&f[0], "error", "subject", 10, 9);
        assert_eq!(run.findings("stale-rotation").len(), 1);
    }
}

#[test]
fn exception_too_long_still_applies() {
    let run = audit(&excepted(
        "stale-rotation",
        &format!("        approved_by: pol\n        expires: {}\n", ahead(91)),
    ));
    let f = run.findings("exception-too-long");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "warning", "subject", 13, 18);
    assert_eq!(run.suppressed("stale-rotation").len(), 1);
    let run = audit(&excepted(
        "stale-rotation",
        &format!("        approved_by: pol\n        expires: {}\n", ahead(90)),
    ));
    assert!(run.findings("exception-too-long").is_empty());
}

#[test]
fn self_approved_exception_by_owner_or_team_member() {
    let run = audit(&excepted(
        "stale-rotation",
        "        approved_by: tech\n        expires: 2027-01-15\n",
    ));
    let f = run.findings("self-approved-exception");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "warning", "subject", 12, 22);
    assert_eq!(run.suppressed("stale-rotation").len(), 1);

    let team = "version: 1
owners:
  t: { kind: team, contact: x, members: [m] }
  m: { kind: person }
  sec: { kind: team }
identities:
  - id: subject
    kind: api_key
    owners: { policy: sec, technical: t, revocation: t }
    rotation: { last_rotated: 2026-01-01 }
    last_reviewed: 2026-11-01
    exceptions:
      - { rule: stale-rotation, reason: r, approved_by: APPROVER, expires: 2027-01-15 }
";
    let f = audit(&team.replace("APPROVER", "m")).findings("self-approved-exception");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("member of technical owner `t`")
    );
    assert!(
        audit(&team.replace("APPROVER", "sec"))
            .findings("self-approved-exception")
            .is_empty()
    );
}

#[test]
fn unused_exception_including_rules_turned_off() {
    let run = audit(&with(
        "api_key",
        "    exceptions:\n      - { rule: stale-rotation, reason: r, approved_by: pol, expires: 2027-01-15 }\n",
    ));
    let f = run.findings("unused-exception");
    assert_eq!(f.len(), 1);
    assert_at(&f[0], "warning", "subject", 10, 17);
    let off = excepted(
        "stale-rotation",
        "        approved_by: pol\n        expires: 2027-01-15\n",
    )
    .replace(
        "identities:",
        "policy: { severity: { stale-rotation: off } }\nidentities:",
    );
    let run = audit(&off);
    assert_eq!(run.rules(), ["unused-exception"]);
    // An invalid exception is reported for what it is, not as unused.
    let run = audit(&with(
        "api_key",
        "    exceptions:\n      - { rule: stale-rotation, reason: r, approved_by: pol }\n",
    ));
    assert_eq!(run.rules(), ["incomplete-exception"]);
}

#[test]
fn policy_severity_overrides() {
    let yaml = one_identity("api_key", "    rotation: { last_rotated: 2026-11-01 }\n").replace(
        "identities:",
        "policy:\n  severity: { review-overdue: error, missing-rotation: off }\nidentities:",
    );
    let f = audit(&yaml).findings("review-overdue");
    assert_eq!(f[0]["severity"], "error");
    let run = audit(&one_identity("api_key", "").replace(
        "identities:",
        "policy: { severity: { review-overdue: off, missing-rotation: info } }\nidentities:",
    ));
    assert_eq!(run.rules(), ["missing-rotation"]);
    assert_eq!(run.findings("missing-rotation")[0]["severity"], "info");
    assert_eq!(run.json()["summary"]["info"], 1);
}

/// An exception that ends within `policy.warn_within` still applies, and
/// warns at its `expires`; both ends of the window are in it.
#[test]
fn expiring_exception_warns_before_the_gate_turns_red() {
    for (days, warns) in [(0, true), (1, true), (30, true), (31, false)] {
        let run = audit(&excepted(
            "stale-rotation",
            &format!(
                "        approved_by: pol\n        expires: {}\n",
                ahead(days)
            ),
        ));
        assert_eq!(
            run.suppressed("stale-rotation").len(),
            1,
            "{days}: {}",
            run.stdout
        );
        let f = run.findings("expiring-exception");
        assert_eq!(f.len(), usize::from(warns), "{days}: {}", run.stdout);
        if warns {
            assert_at(&f[0], "warning", "subject", 13, 18);
            let message = f[0]["message"].as_str().unwrap();
            assert!(message.contains("warning window 30d"), "{message}");
        }
    }
    // Expired, it is an error and suppresses nothing; an invalid one does not warn.
    let run = audit(&excepted(
        "stale-rotation",
        &format!("        approved_by: pol\n        expires: {}\n", ago(1)),
    ));
    assert!(run.findings("expiring-exception").is_empty());
    assert_eq!(run.findings("expired-exception").len(), 1);
}

/// A registry without a single identity fails: a gate that passes because
/// everything was deleted passes nothing.
#[test]
fn empty_registry_is_an_error() {
    for yaml in [
        "version: 1\n",
        "version: 1\nidentities: []\n",
        "version: 1\nowners:\n  team-a: { kind: team }\nidentities:\n",
    ] {
        let run = audit(yaml);
        let f = run.findings("empty-registry");
        assert_eq!(f.len(), 1, "{yaml}: {}", run.stdout);
        assert_eq!(f[0]["identity"], Value::Null);
        assert_eq!(f[0]["owner"], Value::Null);
        assert_eq!(
            (f[0]["line"].as_u64(), f[0]["column"].as_u64()),
            (Some(1), Some(1))
        );
    }
    // One identity, retired or not, is a registry.
    let run = audit(
        "version: 1\nidentities:\n  - { id: k, kind: token, status: retired, revoked: 2026-01-01 }\n",
    );
    assert!(run.findings("empty-registry").is_empty());
}

/// The `related` locations of a finding, as (line, column, message).
fn related(f: &Value) -> Vec<(u64, u64, String)> {
    f["related"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| {
                    assert_eq!(r["file"], "reg.yaml", "{r}");
                    (
                        r["line"].as_u64().unwrap(),
                        r["column"].as_u64().unwrap(),
                        r["message"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn shared_credential_names_every_other_workload() {
    let yaml = format!(
        "{}    used_by:\n      - billing-api\n      - nightly-export\n      - billing-api\n      - ad-hoc\n",
        with("secret", "")
    );
    let run = audit(&yaml);
    let f = run.findings("shared-credential");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_at(&f[0], "warning", "subject", 10, 9);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("used by `billing-api` and 2 other workloads:"),
        "{}",
        f[0]["message"]
    );
    assert_eq!(
        related(&f[0]),
        [
            (11, 9, "also used by `nightly-export`".to_owned()),
            (13, 9, "also used by `ad-hoc`".to_owned())
        ]
    );
    // One workload, however often named, is not shared; nor is an empty list.
    for used_by in ["[billing-api, billing-api]", "[]", "[billing-api]"] {
        let yaml = format!("{}    used_by: {used_by}\n", with("secret", ""));
        assert!(
            audit(&yaml).findings("shared-credential").is_empty(),
            "{used_by}"
        );
    }
    // A retired identity is checked by three rules only.
    let yaml = format!(
        "{}    status: retired\n    revoked: 2026-10-01\n    used_by: [a, b]\n",
        with("secret", "")
    );
    assert!(audit(&yaml).findings("shared-credential").is_empty());
    // It can be excepted like any ownership rule.
    let yaml = format!(
        "{}    used_by: [a, b]\n    exceptions:\n      - rule: shared-credential\n        reason: split planned\n        approved_by: pol\n        expires: {}\n",
        with("secret", ""),
        ahead(60)
    );
    let run = audit(&yaml);
    assert!(run.findings("shared-credential").is_empty());
    assert_eq!(run.suppressed("shared-credential").len(), 1);
}

#[test]
fn related_locations_explain_findings() {
    let yaml = "version: 1
owners:
  pol: { kind: team, contact: x }
  tech: { kind: team, contact: x }
  old-team: { kind: team, members: [hal, ivy] }
  hal: { kind: person, status: inactive }
  ivy: { kind: person, status: inactive }
identities:
  - id: dup
    kind: api_key
    owners: { policy: pol, technical: old-team, revocation: tech }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
  - id: dup
    kind: api_key
    owners: { policy: pol, technical: tech, revocation: tech }
    rotation: { last_rotated: 2026-01-01 }
    last_reviewed: 2026-11-01
    exceptions:
      - rule: stale-rotation
        reason: migration
        approved_by: pol
        expires: 2026-12-20
  - id: \"du\u{0440}\"
    kind: api_key
    owners: { policy: pol, technical: tech, revocation: tech }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
";
    let run = audit(yaml);
    let duplicate = run.findings("duplicate-identity");
    assert_eq!(
        related(&duplicate[0]),
        [(9, 9, "`dup` first used here".to_owned())]
    );
    let inactive = run.findings("inactive-owner");
    assert_eq!(
        related(&inactive[0]),
        [
            (6, 3, "member `hal` is inactive".to_owned()),
            (7, 3, "member `ivy` is inactive".to_owned())
        ]
    );
    let confusable = run.findings("confusable-id");
    assert_eq!(
        related(&confusable[0]),
        [(9, 9, "the look-alike `dup`".to_owned())]
    );
    let suppressed = run.suppressed("stale-rotation");
    assert_eq!(
        related(&suppressed[0]),
        [(
            20,
            9,
            "suppressed by this stale-rotation exception".to_owned()
        )]
    );
    // Findings with nothing to relate have no `related` key at all.
    let plain = run.findings("unused-owner");
    assert!(plain.is_empty() || plain[0].get("related").is_none());
    let json = run.json();
    for f in json["findings"].as_array().unwrap() {
        assert!(
            f.get("related")
                .is_none_or(|r| !r.as_array().unwrap().is_empty())
        );
    }
}
