//! `forecast`: the deadlines in a window, overdue first, with the owner who
//! must act; as a table, JSON and an RFC 5545 calendar.

use crate::common::{Workspace, audit_at};
use serde_json::{Value, json};

const NOW: &str = "2026-12-01";

/// One deadline of each kind in the next 30 days, one passed, and what is
/// never forecast (a retired identity, deadlines beyond the window).
const REGISTRY: &str = "version: 1
owners:
  team-platform: { kind: team, contact: x, members: [alex] }
  team-security: { kind: team, contact: x }
  alex: { kind: person }
identities:
  - id: rotate-soon
    kind: api_key
    owners: { policy: team-security, technical: team-platform, revocation: team-platform }
    rotation: { last_rotated: 2026-09-10 }
    last_reviewed: 2026-11-01
  - id: cert-expiring
    kind: certificate
    owners: { policy: team-security, technical: team-platform, revocation: team-platform }
    created: 2026-11-01
    expires: 2026-12-20
    last_reviewed: 2026-11-01
  - id: review-late
    kind: ssh_key
    privileged: true
    owners: { policy: team-security, revocation: team-platform }
    created: 2026-11-01
    last_reviewed: 2026-08-01
  - id: excepted
    kind: token
    owners: { policy: team-security, technical: team-platform, revocation: team-platform }
    rotation: { last_rotated: 2026-11-15 }
    last_reviewed: 2026-11-01
    exceptions:
      - rule: missing-escalation
        reason: planned
        approved_by: alex
        expires: 2026-12-31
  - id: retired-one
    kind: api_key
    status: retired
    revoked: 2026-01-01
    rotation: { last_rotated: 2025-01-01 }
";

fn forecast(ws: &Workspace, extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["forecast", "reg.yaml", "--now", NOW];
    args.extend_from_slice(extra);
    ws.run(&args)
}

fn workspace(yaml: &str) -> Workspace {
    let ws = Workspace::new();
    ws.write("reg.yaml", yaml);
    ws
}

/// (identity, what, due, days_left, overdue, owner) of each deadline.
fn rows(json: &Value) -> Vec<Value> {
    json["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            json!([
                d["identity"],
                d["what"],
                d["due"],
                d["days_left"],
                d["overdue"],
                d["owner"]
            ])
        })
        .collect()
}

#[test]
fn deadlines_in_the_window_come_overdue_first_with_who_must_act() {
    let ws = workspace(REGISTRY);
    let run = forecast(&ws, &["--within", "30d", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["now"], NOW);
    assert_eq!(json["within"], "30d");
    assert_eq!(json["until"], "2026-12-31");
    assert_eq!(json["summary"], json!({ "deadlines": 4, "overdue": 1 }));
    assert_eq!(
        rows(&json),
        vec![
            // Privileged: 90 days after the last review. No technical owner: nobody.
            json!(["review-late", "review", "2026-10-30", -32, true, null]),
            // 90 days after the last rotation.
            json!([
                "rotate-soon",
                "rotation",
                "2026-12-09",
                8,
                false,
                "team-platform"
            ]),
            json!([
                "cert-expiring",
                "expiry",
                "2026-12-20",
                19,
                false,
                "team-platform"
            ]),
            // The window's last day is in it; the approver acts.
            json!(["excepted", "exception", "2026-12-31", 30, false, "alex"]),
        ]
    );
    let deadlines = json["deadlines"].as_array().unwrap();
    assert_eq!(deadlines[3]["rule"], "missing-escalation");
    assert_eq!(
        deadlines[3]["message"],
        "exception for missing-escalation expires (approved by alex)"
    );
    assert_eq!(
        deadlines[0]["message"],
        "review due: last reviewed 2026-08-01; privileged review interval 90d"
    );
    // Located at the date it follows from.
    assert_eq!(
        (
            &deadlines[1]["file"],
            &deadlines[1]["line"],
            &deadlines[1]["column"]
        ),
        (&json!("reg.yaml"), &json!(10), &json!(31))
    );

    // A day less, and the exception falls out; the overdue review stays.
    let shorter = forecast(&ws, &["--within", "29d", "--format", "json"]).json();
    assert_eq!(shorter["summary"], json!({ "deadlines": 3, "overdue": 1 }));
    // A week is seven days: 5w ends on 2027-01-05.
    let weeks = forecast(&ws, &["--within", "5w", "--format", "json"]).json();
    assert_eq!(weeks["until"], "2027-01-05");
    assert_eq!(weeks["summary"]["deadlines"], 4);
}

#[test]
fn the_table_lists_each_deadline_and_sums_up() {
    let ws = workspace(REGISTRY);
    let run = forecast(&ws, &["--within", "30d"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("forecast_table", run.stdout);
    assert!(
        run.stdout
            .ends_with("4 deadlines within 30d (by 2026-12-31), 1 overdue, as of 2026-12-01\n"),
        "{}",
        run.stdout
    );
    ws.write(
        "fresh.yaml",
        "version: 1\nidentities:\n  - id: fresh\n    kind: token\n    created: 2026-11-30\n",
    );
    let none = ws.run(&["forecast", "fresh.yaml", "--within", "1d", "--now", NOW]);
    assert_eq!(none.code, 0);
    assert_eq!(
        none.stdout,
        "no deadlines within 1d (by 2026-12-02) as of 2026-12-01\n"
    );
}

#[test]
fn a_passed_deadline_is_the_finding_audit_reports_with_the_same_fingerprint() {
    let ws = workspace(REGISTRY);
    // Far enough ahead that every deadline above has passed.
    let later = "2027-01-15";
    let deadlines = ws
        .run(&[
            "forecast", "reg.yaml", "--now", later, "--within", "1d", "--format", "json",
        ])
        .json();
    let audit = audit_at(REGISTRY, later).json();
    let findings = audit["findings"].as_array().unwrap();
    for d in deadlines["deadlines"].as_array().unwrap() {
        assert_eq!(d["overdue"], true, "{d}");
        let rule = match d["what"].as_str().unwrap() {
            "rotation" => "stale-rotation",
            "expiry" => "expired-credential",
            "review" => "review-overdue",
            "exception" => "expired-exception",
            other => panic!("what: {other}"),
        };
        let finding = findings
            .iter()
            .find(|f| f["fingerprint"] == d["fingerprint"])
            .unwrap_or_else(|| panic!("no finding with the fingerprint of {d}:\n{audit}"));
        assert_eq!(finding["rule"], rule);
        assert_eq!(finding["identity"], d["identity"]);
        assert_eq!(
            (&finding["line"], &finding["column"]),
            (&d["line"], &d["column"])
        );
    }
    // The fingerprint does not change with the day it is forecast on.
    let earlier = forecast(&ws, &["--within", "60d", "--format", "json"]).json();
    let pick = |json: &Value, id: &str| {
        json["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["identity"] == id && d["what"] == "rotation")
            .map(|d| d["fingerprint"].clone())
    };
    assert!(pick(&earlier, "rotate-soon").is_some());
    assert_eq!(
        pick(&earlier, "rotate-soon"),
        pick(&deadlines, "rotate-soon")
    );
}

#[test]
fn what_is_not_forecast() {
    // A retired identity is never forecast; a rule turned off drops its deadlines.
    let off = REGISTRY.replacen(
        "version: 1\n",
        "version: 1\npolicy: { severity: { review-overdue: off } }\n",
        1,
    );
    let ws = workspace(&off);
    let json = forecast(&ws, &["--within", "3650d", "--format", "json"]).json();
    let all = rows(&json);
    assert!(all.iter().all(|r| r[0] != "retired-one"), "{all:?}");
    assert!(all.iter().all(|r| r[1] != "review"), "{all:?}");
    // A deadline that has passed is listed only while the rule that reports
    // it then is on; before, its warning is enough.
    let stale_off = REGISTRY
        .replacen(
            "version: 1\n",
            "version: 1\npolicy: { severity: { stale-rotation: off, review-overdue: off } }\n",
            1,
        )
        .replace(
            "rotation: { last_rotated: 2026-09-10 }",
            "rotation: { last_rotated: 2026-08-01 }",
        );
    let json = forecast(
        &workspace(&stale_off),
        &["--within", "30d", "--format", "json"],
    )
    .json();
    assert!(
        rows(&json).iter().all(|r| r[1] != "rotation"),
        "an overdue rotation nobody reports: {json}"
    );
    let soon_only = stale_off.replace("last_rotated: 2026-08-01", "last_rotated: 2026-09-10");
    let json = forecast(
        &workspace(&soon_only),
        &["--within", "30d", "--format", "json"],
    )
    .json();
    assert!(
        rows(&json)
            .iter()
            .any(|r| r[0] == "rotate-soon" && r[1] == "rotation"),
        "{json}"
    );
    // A kind that is never rotated has no rotation deadline.
    let never = REGISTRY.replacen(
        "version: 1\n",
        "version: 1\npolicy: { rotation: { kinds: { api_key: never } } }\n",
        1,
    );
    let json = forecast(&workspace(&never), &["--within", "30d", "--format", "json"]).json();
    assert!(
        rows(&json)
            .iter()
            .all(|r| !(r[0] == "rotate-soon" && r[1] == "rotation")),
        "{json}"
    );
}

#[test]
fn bad_input_is_exit_2_with_a_clear_message() {
    let ws = workspace(REGISTRY);
    for (within, says) in [
        ("0d", "a duration must be positive"),
        ("soon", "expected a positive whole number of days or weeks"),
        ("-3d", "expected a positive whole number of days or weeks"),
        ("1y", "expected a positive whole number of days or weeks"),
        ("30", "expected a positive whole number of days or weeks"),
    ] {
        let run = ws.run(&["forecast", "reg.yaml", &format!("--within={within}")]);
        assert_eq!(run.code, 2, "{within}");
        assert!(run.stdout.is_empty(), "{within}: {}", run.stdout);
        assert!(run.stderr.contains(says), "{within}: {}", run.stderr);
    }
    let run = ws.run(&["forecast", "reg.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--within <DURATION>"), "{}", run.stderr);

    // An invalid registry: exit 2, the errors on stderr, and in JSON too.
    ws.write(
        "bad.yaml",
        "version: 1\nidentities:\n  - id: x\n    kind: tokn\n",
    );
    let run = ws.run(&[
        "forecast", "bad.yaml", "--within", "30d", "--format", "json",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("bad.yaml:4:11: error"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["errors"][0]["line"], 4);
    for format in ["table", "ics"] {
        let run = ws.run(&[
            "forecast", "bad.yaml", "--within", "30d", "--format", format,
        ]);
        assert_eq!(run.code, 2, "{format}");
        assert!(run.stdout.is_empty(), "{format}: {}", run.stdout);
        assert!(
            run.stderr.contains("bad.yaml:4:11: error"),
            "{}",
            run.stderr
        );
    }
    let run = ws.run(&["forecast", "missing.yaml", "--within", "30d"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.yaml"), "{}", run.stderr);
}

/// The calendar's content lines, unfolded (RFC 5545 §3.1).
fn unfold(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in ics.split("\r\n") {
        if let Some(rest) = line.strip_prefix(' ') {
            lines.last_mut().unwrap().push_str(rest);
        } else if !line.is_empty() {
            lines.push(line.to_owned());
        }
    }
    lines
}

#[test]
fn the_calendar_has_one_stable_all_day_event_per_deadline() {
    let ws = workspace(REGISTRY);
    let run = forecast(&ws, &["--within", "30d", "--format", "ics"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ics = &run.stdout;
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
        "{ics}"
    );
    assert!(ics.ends_with("END:VCALENDAR\r\n"), "{ics}");
    // Every line ends in CRLF and is at most 75 octets.
    assert!(!ics.replace("\r\n", "").contains('\n'), "a bare LF: {ics}");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    let lines = unfold(ics);
    let events: Vec<&[String]> = lines.split(|l| l == "BEGIN:VEVENT").skip(1).collect();
    assert_eq!(events.len(), 4, "{ics}");
    let json = forecast(&ws, &["--within", "30d", "--format", "json"]).json();
    for (event, d) in events.iter().zip(json["deadlines"].as_array().unwrap()) {
        let due = d["due"].as_str().unwrap().replace('-', "");
        let has = |line: &str| {
            assert!(
                event.iter().any(|l| l == line),
                "no `{line}` in the event of {d}:\n{event:#?}"
            );
        };
        has(&format!(
            "UID:{}@nhi-own",
            d["fingerprint"].as_str().unwrap()
        ));
        has(&format!("DTSTART;VALUE=DATE:{due}"));
        has("DTSTAMP:20261201T000000Z");
        has("TRANSP:TRANSPARENT");
        match d["owner"].as_str() {
            Some(owner) => has(&format!("CATEGORIES:{owner}")),
            None => assert!(
                event.iter().all(|l| !l.starts_with("CATEGORIES")),
                "{event:#?}"
            ),
        }
    }
    assert!(
        lines
            .iter()
            .any(|l| l == "SUMMARY:excepted: exception for missing-escalation expires"),
        "{ics}"
    );
    // RFC 5545 text escaping: `;` in the description.
    assert!(
        lines.iter().any(|l| l
            == "DESCRIPTION:rotation due: last rotated 2026-09-10\\; max age 90d.\\nOwner who must act: team-platform.\\nIn reg.yaml:10:31."),
        "{ics}"
    );
    // The same registry on another day: the same events, by UID.
    let uids = |ics: &str| {
        let mut uids: Vec<String> = unfold(ics)
            .into_iter()
            .filter(|l| l.starts_with("UID:"))
            .collect();
        uids.sort();
        uids
    };
    let other_day = ws.run(&[
        "forecast",
        "reg.yaml",
        "--now",
        "2026-12-02",
        "--within",
        "29d",
        "--format",
        "ics",
    ]);
    assert_eq!(uids(&other_day.stdout), uids(ics));
}

#[test]
fn nothing_from_the_registry_reaches_the_calendar_raw() {
    // An id with the characters TEXT escapes and a long run of multi-byte
    // letters that must fold on character boundaries, in a file whose name
    // holds a terminal escape.
    let id = format!("k,e;y\\-{}", "ключ".repeat(20));
    let yaml = format!(
        "version: 1\nidentities:\n  - id: '{id}'\n    kind: api_key\n    rotation: {{ last_rotated: 2026-09-10 }}\n"
    );
    let ws = Workspace::new();
    let file = "r\u{1b}[31m,x.yaml";
    ws.write(file, yaml);
    let run = ws.run(&[
        "forecast", file, "--now", NOW, "--within", "30d", "--format", "ics",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ics = &run.stdout;
    assert!(!ics.contains('\u{1b}'), "a raw escape reached the calendar");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    let lines = unfold(ics);
    let summary = lines.iter().find(|l| l.starts_with("SUMMARY:")).unwrap();
    assert_eq!(
        summary,
        &format!("SUMMARY:k\\,e\\;y\\\\-{}: rotation due", "ключ".repeat(20))
    );
    let description = lines
        .iter()
        .find(|l| l.starts_with("DESCRIPTION:"))
        .unwrap();
    assert!(
        description.ends_with("\\nIn r\\\\u{1b}[31m\\,x.yaml:5:31."),
        "{description}"
    );
    // The table escapes it as every human format does.
    let table = ws.run(&["forecast", file, "--now", NOW, "--within", "30d"]);
    assert!(!table.stdout.contains('\u{1b}'));
    assert!(
        table.stdout.contains("r\\u{1b}[31m,x.yaml:5:31"),
        "{}",
        table.stdout
    );
}

#[test]
fn two_exceptions_for_one_rule_are_two_events() {
    let yaml = REGISTRY.replace(
        "        expires: 2026-12-31\n",
        "        expires: 2026-12-31\n      - { rule: missing-escalation, reason: again, approved_by: alex, expires: 2026-12-15 }\n",
    );
    let ws = workspace(&yaml);
    let json = forecast(&ws, &["--within", "30d", "--format", "json"]).json();
    let exceptions: Vec<&Value> = json["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["what"] == "exception")
        .collect();
    assert_eq!(exceptions.len(), 2, "{json}");
    assert_ne!(exceptions[0]["fingerprint"], exceptions[1]["fingerprint"]);
    let ics = forecast(&ws, &["--within", "30d", "--format", "ics"]).stdout;
    let mut uids: Vec<String> = unfold(&ics)
        .into_iter()
        .filter(|l| l.starts_with("UID:"))
        .collect();
    let all = uids.len();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), all, "a UID repeats:\n{ics}");
    assert_eq!(all, 5);
}

#[test]
fn a_deadline_on_the_last_day_a_date_can_name_is_a_valid_event() {
    let ws = workspace(
        "version: 1\nidentities:\n  - id: last\n    kind: certificate\n    created: 9999-12-01\n    expires: 9999-12-31\n",
    );
    let run = ws.run(&[
        "forecast",
        "reg.yaml",
        "--now",
        "9999-12-30",
        "--within",
        "10000000d",
        "--format",
        "ics",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("DTSTART;VALUE=DATE:99991231\r\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("DTEND"), "{}", run.stdout);
    let json = ws
        .run(&[
            "forecast",
            "reg.yaml",
            "--now",
            "9999-12-30",
            "--within",
            "10000000d",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(json["until"], "9999-12-31");
}
