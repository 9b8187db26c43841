//! `forecast --format ics` read back by a real calendar parser, the Python
//! `icalendar` package: it parses without a complaint, and every event's
//! fields hold exactly what `--format json` says about the same deadline,
//! text unescaped and lines unfolded as a calendar application shows them.

use crate::common::Workspace;
use crate::{Check, program};
use libtest_mimic::{Completion, Failed};
use serde_json::Value;

pub const CHECKS: &[(&str, Check)] = &[(
    "calendar::icalendar_reads_every_field_of_every_deadline",
    icalendar_reads_every_deadline,
)];

/// Prints, for each VEVENT, its fields as the parser decodes them, and the
/// parse errors it recorded on any component.
const READER: &str = r#"
import json, sys
import icalendar
calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
errors = [(c.name, str(e)) for c in calendar.walk() for e in getattr(c, "errors", [])]
events = []
for e in calendar.walk("VEVENT"):
    categories = e.get("CATEGORIES")
    events.append({
        "uid": str(e["UID"]),
        "dtstart": e.decoded("DTSTART").isoformat(),
        "dtstart_is_date": e["DTSTART"].params.get("VALUE") == "DATE",
        "dtend": e.decoded("DTEND").isoformat(),
        "dtstamp": e.decoded("DTSTAMP").isoformat(),
        "summary": str(e["SUMMARY"]),
        "description": str(e["DESCRIPTION"]),
        "categories": [str(c) for c in categories.cats] if categories is not None else None,
        "transp": str(e["TRANSP"]),
    })
print(json.dumps({
    "version": str(calendar["VERSION"]),
    "prodid": str(calendar["PRODID"]),
    "errors": errors,
    "events": events,
}))
"#;

/// Identities whose ids hold what RFC 5545 text escapes (`,`, `;`, `\`) and
/// enough multi-byte letters to be folded, beside ordinary ones.
const REGISTRY: &str = r"version: 1
owners:
  team-platform: { kind: team, contact: x, members: [alex] }
  team-security: { kind: team, contact: x }
  alex: { kind: person }
  'ops,east;west\': { kind: team, contact: x }
identities:
  - id: rotate-soon
    kind: api_key
    owners: { policy: team-security, technical: 'ops,east;west\', revocation: team-platform }
    rotation: { last_rotated: 2026-09-10 }
    last_reviewed: 2026-11-01
  - id: 'ключ,ключ;ключ\ключключключключключключключключключключключключ'
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
      - { rule: missing-escalation, reason: planned, approved_by: alex, expires: 2026-12-31 }
";

fn icalendar_reads_every_deadline() -> Result<Completion, Failed> {
    let python = need!(program("python3"));
    let probe = std::process::Command::new(&python)
        .args(["-c", "import icalendar"])
        .output()
        .unwrap();
    if !probe.status.success() {
        return Ok(Completion::ignored_with(
            "needs the Python package `icalendar` (.ci/install-clients installs it)",
        ));
    }
    let ws = Workspace::new();
    ws.write("reg.yaml", REGISTRY);
    let forecast = |format: &str| {
        let run = ws.run(&[
            "forecast",
            "reg.yaml",
            "--now",
            "2026-12-01",
            "--within",
            "30d",
            "--format",
            format,
        ]);
        assert_eq!(run.code, 0, "forecast --format {format}:\n{}", run.stderr);
        run.stdout
    };
    let ics = forecast("ics");
    let json: Value = serde_json::from_str(&forecast("json")).unwrap();

    let mut child = std::process::Command::new(&python)
        .args(["-c", READER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar could not read the calendar:\n{}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["errors"], serde_json::json!([]), "{ics}");
    assert_eq!(read["version"], "2.0");
    assert!(
        read["prodid"].as_str().unwrap().starts_with("-//nhi-own//"),
        "{read}"
    );

    let deadlines = json["deadlines"].as_array().unwrap();
    let events = read["events"].as_array().unwrap();
    assert_eq!(events.len(), 4, "{read}");
    assert_eq!(events.len(), deadlines.len(), "{read}\n{json}");
    for (event, d) in events.iter().zip(deadlines) {
        let field = |name: &str| event[name].as_str().unwrap_or_default().to_owned();
        let identity = d["identity"].as_str().unwrap();
        let due =
            chrono::NaiveDate::parse_from_str(d["due"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert_eq!(
            field("uid"),
            format!("{}@nhi-own", d["fingerprint"].as_str().unwrap())
        );
        assert_eq!(field("dtstart"), due.to_string(), "{event}");
        assert_eq!(event["dtstart_is_date"], true, "an all-day event: {event}");
        assert_eq!(
            field("dtend"),
            due.succ_opt().unwrap().to_string(),
            "{event}"
        );
        assert_eq!(field("dtstamp"), "2026-12-01T00:00:00+00:00", "{event}");
        assert!(
            field("summary").starts_with(&format!("{identity}: ")),
            "the summary names the identity `{identity}`: {event}"
        );
        let owner = d["owner"].as_str();
        assert_eq!(
            field("description"),
            format!(
                "{}.\nOwner who must act: {}.\nIn {}:{}:{}.",
                d["message"].as_str().unwrap(),
                owner.unwrap_or("nobody: the role that must act is missing"),
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"]
            ),
            "{event}"
        );
        assert_eq!(
            event["categories"],
            owner.map_or(Value::Null, |o| serde_json::json!([o])),
            "{event}"
        );
        assert_eq!(field("transp"), "TRANSPARENT");
    }
    // The escaped names came back whole.
    assert_eq!(
        events[1]["categories"],
        serde_json::json!(["ops,east;west\\"])
    );
    assert!(
        events[2]["summary"]
            .as_str()
            .unwrap()
            .starts_with("ключ,ключ;ключ\\ключ"),
        "{read}"
    );
    Ok(Completion::Completed)
}
