//! The pack's registers as RFC 4180 CSV: `controls.csv`, `exceptions.csv`,
//! `owners.csv`.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in
//! some, a tab or a carriage return) as a formula: such a cell is written
//! with a leading `'`, which spreadsheets show as text. Registry strings are
//! escaped as in every other report, so the file is safe to print too.

use super::{Facts, Holder};
use crate::keyword::Keyword;
use std::borrow::Cow;

/// A cell a spreadsheet shows as text, never runs.
pub(crate) fn cell(text: &str) -> Cow<'_, str> {
    let escaped = crate::escape::escape(text);
    // The full-width forms are read as their ASCII twins by some spreadsheets.
    let formula = |c: char| {
        matches!(
            c,
            '=' | '+'
                | '-'
                | '@'
                | '\t'
                | '\r'
                | '\u{FF1D}'
                | '\u{FF0B}'
                | '\u{FF0D}'
                | '\u{FF20}'
                | '\u{FE62}'
                | '\u{FE63}'
                | '\u{FE66}'
                | '\u{FE6B}'
        )
    };
    // Some spreadsheets trim leading spaces on import.
    if escaped.trim_start().starts_with(formula) {
        Cow::Owned(format!("'{escaped}"))
    } else {
        escaped
    }
}

fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing into memory cannot fail.
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(row.iter().map(|c| cell(c)).map(|c| c.into_owned()));
    }
    writer.into_inner().unwrap_or_default()
}

/// Per framework control: its rules, and the identities passing, failing
/// and excepted.
pub fn controls(facts: &Facts<'_>) -> Vec<u8> {
    let join = |rules: &[crate::catalogue::RuleId]| {
        rules
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    write(
        &[
            "control",
            "framework",
            "rules",
            "identities_in_scope",
            "passing",
            "failing",
            "excepted",
            "open_findings",
            "rules_not_assessed",
        ],
        facts.controls.iter().map(|c| {
            vec![
                c.id.to_owned(),
                c.framework.to_owned(),
                join(&c.rules),
                c.in_scope.to_string(),
                c.passing.to_string(),
                c.failing.to_string(),
                c.excepted.to_string(),
                c.findings.to_string(),
                join(&c.not_assessed),
            ]
        }),
    )
}

/// The exception register: every exception, where it stands, and why one
/// that suppresses nothing does not.
pub fn exceptions(facts: &Facts<'_>) -> Vec<u8> {
    let opt = |s: Option<&str>| s.unwrap_or_default().to_owned();
    write(
        &[
            "identity",
            "rule",
            "status",
            "reason",
            "approved_by",
            "approver_kind",
            "approver_status",
            "expires",
            "ticket",
            "why_invalid",
            "file",
            "line",
            "column",
        ],
        facts.exceptions.iter().map(|row| {
            let e = row.exception;
            let approver = e.approved_by.as_ref().map(|a| a.value.as_ref());
            let owner = approver.and_then(|a| facts.registry.owner(a));
            vec![
                row.identity.id.value.clone(),
                e.rule.value.as_str().to_owned(),
                row.standing.as_str().to_owned(),
                e.reason.value.clone(),
                opt(approver),
                opt(owner.map(|o| o.kind.value.as_str())),
                match (approver, owner) {
                    (None, _) => String::new(),
                    (Some(_), None) => "not in the directory".to_owned(),
                    (Some(_), Some(o)) => o.status.as_str().to_owned(),
                },
                e.expires
                    .as_ref()
                    .map(|d| d.value.to_string())
                    .unwrap_or_default(),
                opt(e.ticket.as_ref().map(|t| t.value.as_str())),
                row.why.join("; "),
                row.file.to_owned(),
                e.loc.line.to_string(),
                e.loc.col.to_string(),
            ]
        }),
    )
}

/// Every identity with its three owners, their kind and status, and whether
/// every required role is held by an active in-house owner.
pub fn owners(facts: &Facts<'_>) -> Vec<u8> {
    let mut header = vec!["identity", "kind", "status", "privileged", "accountable"];
    for role in ["policy", "technical", "revocation"] {
        header.extend(match role {
            "policy" => ["policy_owner", "policy_owner_kind", "policy_owner_status"],
            "technical" => [
                "technical_owner",
                "technical_owner_kind",
                "technical_owner_status",
            ],
            _ => [
                "revocation_owner",
                "revocation_owner_kind",
                "revocation_owner_status",
            ],
        });
    }
    header.extend(["file", "line", "column"]);
    let holder = |h: &Holder<'_>| {
        [
            h.id.unwrap_or_default().to_owned(),
            h.kind.map(|k| k.as_str()).unwrap_or_default().to_owned(),
            h.status.clone(),
        ]
    };
    let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
    write(
        &header,
        facts.identities.iter().map(|row| {
            let i = row.identity;
            let mut cells = vec![
                i.id.value.clone(),
                i.kind.value.as_str().to_owned(),
                i.status.as_str().to_owned(),
                yes(i.privileged),
                yes(row.covered),
            ];
            for h in &row.holders {
                cells.extend(holder(h));
            }
            cells.extend([
                row.file.to_owned(),
                i.loc.line.to_string(),
                i.loc.col.to_string(),
            ]);
            cells
        }),
    )
}
