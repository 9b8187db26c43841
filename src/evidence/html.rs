//! `report.html`: one self-contained page an auditor reads on screen or
//! prints to PDF. Styles are inline (one `<style>`, allowed by its hash),
//! charts are inline SVG, there is no script, and the Content-Security-Policy
//! forbids every fetch. Every registry and inventory string goes through
//! [`text`]: escaped for the eye (control and invisible characters shown as
//! `\u{..}`) and then for HTML, in text and in attribute values alike.

use super::svg::{Bar, bars};
use super::{AGE_BUCKETS, ControlRow, Facts, Holder, Ratio, Standing};
use crate::catalogue::{Group, RuleId, Severity};
use crate::keyword::Keyword;
use std::fmt::Write as _;

const CSS: &str = r#"
:root { --ink: #1d2433; --muted: #5b6475; --line: #d7dbe3; --band: #f4f6f9;
  --error: #b42318; --warning: #b54708; --info: #175cd3; --ok: #027a48; --none: #98a2b3; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.lead { color: var(--muted); margin: 0 0 12px; }
nav ol { columns: 2; margin: 8px 0 0; padding-left: 20px; }
a { color: var(--info); }
code { font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
th, td { text-align: left; vertical-align: top; padding: 4px 6px; border-bottom: 1px solid var(--line); }
th { background: var(--band); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
table.facts th { width: 190px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 0; }
.figure .value { display: block; font-size: 24px; font-weight: 700; }
.figure .label { color: var(--muted); }
.error { color: var(--error); } .warning { color: var(--warning); } .info { color: var(--info); }
.ok { color: var(--ok); }
figure.chart-box { margin: 10px 0 18px; }
figcaption { color: var(--muted); }
svg.chart { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg .bar-error { fill: var(--error); } svg .bar-warning { fill: var(--warning); }
svg .bar-info { fill: var(--info); } svg .bar-ok { fill: var(--ok); } svg .bar-none { fill: var(--none); }
svg text { fill: var(--ink); }
footer { margin-top: 32px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  section { break-before: page; }
  section#attestation { break-before: auto; }
  h2 { margin-top: 0; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  tr, figure, .figure { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The page's Content-Security-Policy: nothing may be fetched, and the one
/// stylesheet is the one whose hash it names.
fn policy() -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()));
    format!("default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'")
}

/// A string for HTML text or a double-quoted attribute value.
pub(crate) fn text(s: &str) -> String {
    let escaped = crate::escape::escape(s);
    let mut out = String::with_capacity(escaped.len());
    for c in escaped.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A registry string shown as code.
fn code(s: &str) -> String {
    format!("<code>{}</code>", text(s))
}

const SECTIONS: [(&str, &str); 8] = [
    ("attestation", "Attestation"),
    ("headline", "Headline figures"),
    ("charts", "At a glance"),
    ("controls", "Controls"),
    ("findings", "Open findings"),
    ("exceptions", "Exception register"),
    ("accountability", "Accountability"),
    ("reconciliation", "Reconciliation with inventories"),
];

pub fn render(facts: &Facts<'_>) -> String {
    let now = facts.report.now;
    let mut out = String::with_capacity(64 * 1024 + facts.identities.len() * 600);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n\
         <title>Non-human identity ownership: evidence as of {now}</title>\n\
         <style>{CSS}</style>\n</head>\n<body>\n<header>\n\
         <h1>Non-human identity ownership: evidence</h1>\n\
         <p class=\"lead\">As of {now}: who is accountable for every machine credential, \
         whether it is rotated and reviewed, and whether every exception was approved and expires.</p>\n\
         <nav><ol>",
        policy(),
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
    );
    for (id, title) in SECTIONS {
        let _ = write!(out, "<li><a href=\"#{id}\">{title}</a></li>");
    }
    out.push_str("</ol></nav>\n</header>\n<main>\n");
    attestation(&mut out, facts);
    headline(&mut out, facts);
    charts(&mut out, facts);
    controls(&mut out, facts);
    findings(&mut out, facts);
    exceptions(&mut out, facts);
    accountability(&mut out, facts);
    reconciliation(&mut out, facts);
    let _ = write!(
        out,
        "</main>\n<footer>Made by {} {} on {}. Every file of this pack is listed with its \
         SHA-256 in <code>SHA256SUMS</code>; <code>sha256sum -c SHA256SUMS</code> in the pack's \
         directory verifies them.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        text(facts.generated_at)
    );
    out
}

fn open_section(out: &mut String, id: &str) {
    let (n, title) = SECTIONS
        .iter()
        .enumerate()
        .find(|(_, (s, _))| *s == id)
        .map_or((0, ""), |(n, (_, t))| (n + 1, *t));
    let _ = write!(out, "<section id=\"{id}\">\n<h2>{n}. {title}</h2>\n");
}

fn attestation(out: &mut String, facts: &Facts<'_>) {
    open_section(out, "attestation");
    let _ = write!(
        out,
        "<table class=\"facts\"><tbody>\
         <tr><th>What</th><td>The ownership registry of non-human identities named below, \
         audited against the policy below: the {rules} rules of the catalogue{drift}.</td></tr>\
         <tr><th>As of</th><td>{now}</td></tr>\
         <tr><th>Generated at</th><td>{generated}</td></tr>\
         <tr><th>Tool</th><td>{name} {version}</td></tr>\
         <tr><th>Verification</th><td><code>sha256sum -c SHA256SUMS</code> in the pack's directory \
         checks every file of the pack; <code>manifest.json</code> holds the SHA-256 of every input.</td></tr>\
         </tbody></table>\n<h3>Inputs</h3>\n<table><thead><tr><th>File</th><th>Kind</th>\
         <th>SHA-256</th><th class=\"n\">Bytes</th></tr></thead><tbody>",
        rules = RuleId::ALL
            .iter()
            .filter(|r| r.group() != Group::Drift || facts.reconciled)
            .filter(|r| crate::audit::severity(facts.registry, **r).is_some())
            .count(),
        drift = if facts.reconciled {
            " that the policy leaves on, the drift rules included, against the inventories named below"
        } else {
            " that the policy leaves on, but the drift rules, which need inventories"
        },
        now = facts.report.now,
        generated = text(facts.generated_at),
        name = env!("CARGO_PKG_NAME"),
        version = env!("CARGO_PKG_VERSION"),
    );
    for input in super::input_files(facts) {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            code(input.path),
            input.kind,
            input.sha256.map(code).unwrap_or_else(|| "—".to_owned()),
            input.size.map_or("—".to_owned(), |s| s.to_string())
        );
    }
    out.push_str("</tbody></table>\n<h3>Policy in force</h3>\n<table class=\"facts\"><tbody>");
    let policy = super::PolicyInForce::of(facts.registry);
    let roles: Vec<&str> = policy.required_owners.iter().map(|r| r.as_str()).collect();
    let ages: Vec<String> = policy
        .max_age
        .iter()
        .map(|(kind, age)| format!("{kind} {}", text(age)))
        .collect();
    let changed: Vec<String> = policy
        .severity
        .iter()
        .filter(|(rule, level)| {
            RuleId::parse(rule).is_some_and(|r| r.info().severity.as_str() != **level)
        })
        .map(|(rule, level)| format!("{rule}: {level}"))
        .collect();
    let ignore: Vec<String> = policy.ignore_refs.iter().map(|g| code(g)).collect();
    for (what, value) in [
        (
            "Required owners",
            if roles.is_empty() {
                "<span class=\"error\">none: the policy requires no role</span>".to_owned()
            } else {
                roles.join(", ")
            },
        ),
        ("Rotation max age", ages.join(", ")),
        ("Review interval", text(&policy.review_interval)),
        (
            "Privileged review interval",
            text(&policy.privileged_review_interval),
        ),
        ("Warning window", text(&policy.warn_within)),
        ("Longest exception", text(&policy.max_exception)),
        ("Unused after", text(&policy.unused_after)),
        (
            "Inventory refs ignored",
            if ignore.is_empty() {
                "none".to_owned()
            } else {
                ignore.join(", ")
            },
        ),
        (
            "Severities changed",
            if changed.is_empty() {
                "none: every rule at its catalogue severity".to_owned()
            } else {
                changed.join(", ")
            },
        ),
    ] {
        let _ = write!(out, "<tr><th>{what}</th><td>{value}</td></tr>");
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn figure(out: &mut String, key: &str, value: &str, label: &str, class: &str) {
    let _ = write!(
        out,
        "<p class=\"figure\"><span class=\"value {class}\" data-figure=\"{key}\">{value}</span>\
         <span class=\"label\">{label}</span></p>"
    );
}

fn ratio_label(ratio: &Ratio, what: &str) -> String {
    let excepted = if ratio.excepted > 0 {
        format!("; {} more excepted", ratio.excepted)
    } else {
        String::new()
    };
    format!("{what}: {} of {}{excepted}", ratio.passing, ratio.total)
}

fn ratio_class(ratio: &Ratio) -> &'static str {
    if ratio.passing == ratio.total {
        "ok"
    } else {
        "error"
    }
}

fn headline(out: &mut String, facts: &Facts<'_>) {
    open_section(out, "headline");
    let summary = &facts.report.summary;
    out.push_str("<div class=\"figures\">");
    figure(
        out,
        "identities",
        &summary.identities.to_string(),
        &format!(
            "identity entries, {} in service, {} retired",
            facts.in_service,
            summary.identities - facts.in_service
        ),
        "",
    );
    for (key, ratio, what) in [
        (
            "coverage",
            &facts.coverage,
            "owner coverage: every required role held by an active in-house owner",
        ),
        (
            "rotation",
            &facts.rotation,
            "rotation compliance: credentials within their max age",
        ),
        (
            "review",
            &facts.review,
            "review compliance: reviewed within the interval",
        ),
    ] {
        figure(
            out,
            key,
            &ratio.percent(),
            &ratio_label(ratio, what),
            ratio_class(ratio),
        );
    }
    for (key, standing, label, class) in [
        (
            "exceptions-active",
            Standing::Active,
            "exceptions active",
            "ok",
        ),
        (
            "exceptions-expiring",
            Standing::Expiring,
            "exceptions expiring within the warning window",
            "warning",
        ),
        (
            "exceptions-expired",
            Standing::Expired,
            "exceptions expired",
            "error",
        ),
        (
            "exceptions-invalid",
            Standing::Invalid,
            "exceptions not valid (incomplete, or not approved by an active in-house owner): they suppress nothing",
            "error",
        ),
        (
            "exceptions-retired",
            Standing::Retired,
            "exceptions on retired identities (judged no more)",
            "",
        ),
    ] {
        if standing == Standing::Retired && facts.standing(standing) == 0 {
            continue;
        }
        figure(
            out,
            key,
            &facts.standing(standing).to_string(),
            label,
            class,
        );
    }
    for (key, n, label, class) in [
        ("errors", summary.errors, "open errors", "error"),
        ("warnings", summary.warnings, "open warnings", "warning"),
        ("info", summary.info, "open info findings", "info"),
        (
            "suppressed",
            summary.suppressed,
            "findings suppressed by valid exceptions",
            "",
        ),
    ] {
        figure(out, key, &n.to_string(), label, class);
    }
    if facts.reconciled {
        for (rule, n) in facts.drift() {
            figure(
                out,
                rule.as_str(),
                &n.to_string(),
                &format!("drift: {rule}"),
                if n == 0 { "ok" } else { "warning" },
            );
        }
    }
    out.push_str("</div>\n</section>\n");
}

fn severity_bar(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "bar-error",
        Severity::Warning => "bar-warning",
        Severity::Info => "bar-info",
    }
}

fn charts(out: &mut String, facts: &Facts<'_>) {
    open_section(out, "charts");
    let per_rule: Vec<Bar> = facts
        .per_rule()
        .into_iter()
        .map(|(rule, severity, n)| Bar {
            label: rule.as_str().to_owned(),
            segments: vec![(n, severity_bar(severity))],
        })
        .collect();
    chart(
        out,
        "Open findings per rule",
        bars(
            "chart-rules",
            "Open findings per rule",
            "How many open findings each rule reports, coloured by severity.",
            &per_rule,
            &[
                ("bar-error", "error"),
                ("bar-warning", "warning"),
                ("bar-info", "info"),
            ],
        ),
        "Open findings per rule (suppressed findings not counted).",
    );
    let ages: Vec<Bar> = AGE_BUCKETS
        .iter()
        .zip(facts.ages)
        .enumerate()
        .map(|(n, (label, count))| Bar {
            label: (*label).to_owned(),
            segments: vec![(
                count,
                match n {
                    0 | 4 => "bar-error",
                    3 => "bar-warning",
                    _ => "bar-ok",
                },
            )],
        })
        .collect();
    chart(
        out,
        "Credential age against max age",
        bars(
            "chart-ages",
            "Credential age against max age",
            "Identities in service that are rotated, by the age of their credential as a share of its max age.",
            &ages,
            &[],
        ),
        "Credential age (since the last rotation, else creation) as a share of the max age of its kind; kinds never rotated are left out.",
    );
    let deadlines: Vec<Bar> = facts
        .deadlines
        .iter()
        .enumerate()
        .map(|(n, (label, count))| Bar {
            label: label.clone(),
            segments: vec![(*count, if n == 0 { "bar-error" } else { "bar-info" })],
        })
        .collect();
    chart(
        out,
        "Deadlines over the next 90 days",
        bars(
            "chart-deadlines",
            "Deadlines over the next 90 days",
            "Rotations, expiries, reviews and exception expiries falling due, overdue first, then per week.",
            &deadlines,
            &[],
        ),
        "Rotations, expiries, reviews and exception expiries that fall due, week by week (what nhi-own forecast --within 90d lists).",
    );
    const TEAMS: usize = 20;
    let teams: Vec<Bar> = facts
        .teams
        .iter()
        .take(TEAMS)
        .map(|(team, covered, not)| Bar {
            label: (*team).to_owned(),
            segments: vec![(*covered, "bar-ok"), (*not, "bar-error")],
        })
        .collect();
    let more = facts.teams.len().saturating_sub(TEAMS);
    chart(
        out,
        "Owner coverage per team",
        bars(
            "chart-teams",
            "Owner coverage per team",
            "For each team, the identities in service it holds in any role: covered (every required role held by an active in-house owner) and not.",
            &teams,
            &[("bar-ok", "covered"), ("bar-error", "not covered")],
        ),
        &if more > 0 {
            format!(
                "Identities in service each team holds in any role, the {TEAMS} largest teams of {}.",
                facts.teams.len()
            )
        } else {
            "Identities in service each team holds in any role.".to_owned()
        },
    );
    out.push_str("</section>\n");
}

fn chart(out: &mut String, title: &str, svg: String, caption: &str) {
    let _ = write!(
        out,
        "<h3>{}</h3>\n<figure class=\"chart-box\">{svg}<figcaption>{}</figcaption></figure>\n",
        text(title),
        text(caption)
    );
}

fn rule_list(rules: &[RuleId]) -> String {
    rules
        .iter()
        .map(|r| format!("<code>{r}</code>"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn controls(out: &mut String, facts: &Facts<'_>) {
    open_section(out, "controls");
    out.push_str(
        "<p>Each control of the OWASP Non-Human Identities Top 10 (2025) and NIST CSF 2.0 that a rule \
         checks. A control none of whose rules ran is not assessed, and has no identity in scope. \
         An identity fails a control when a rule of it has an open finding on the identity, is \
         excepted when its only findings are suppressed by valid exceptions, and passes otherwise. \
         Open findings also count those about the owner directory, inventory records and the registry.</p>\n\
         <table><thead><tr><th>Control</th><th>Framework</th><th>Rules</th><th class=\"n\">In scope</th>\
         <th class=\"n\">Passing</th><th class=\"n\">Failing</th><th class=\"n\">Excepted</th>\
         <th class=\"n\">Open findings</th></tr></thead><tbody>",
    );
    for c in &facts.controls {
        control_row(out, c);
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn control_row(out: &mut String, c: &ControlRow) {
    let not_assessed = if c.not_assessed.is_empty() {
        String::new()
    } else {
        format!("<br>not assessed: {}", rule_list(&c.not_assessed))
    };
    let _ = write!(
        out,
        "<tr><td>{}</td><td>{}</td><td>{}{not_assessed}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        c.id,
        c.framework,
        rule_list(&c.rules),
        c.in_scope,
        c.passing,
        if c.failing > 0 { " error" } else { "" },
        c.failing,
        c.excepted,
        c.findings
    );
}

fn findings(out: &mut String, facts: &Facts<'_>) {
    open_section(out, "findings");
    let report = facts.report;
    if report.findings.is_empty() {
        out.push_str("<p class=\"ok\">No open finding.</p>\n</section>\n");
        return;
    }
    let _ = write!(
        out,
        "<p>{}. Each is in <code>findings.json</code> too, with its fingerprint.</p>\n\
         <table><thead><tr><th>Severity</th><th>Rule</th><th>Subject</th><th>Message</th>\
         <th>Location</th></tr></thead><tbody>",
        text(&report.summary.line(report.now))
    );
    for f in &report.findings {
        let _ = write!(
            out,
            "<tr><td class=\"{s}\">{s}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            f.rule,
            code(&f.subject()),
            text(&f.message),
            code(&format!("{}:{}:{}", f.file, f.line, f.column)),
            s = f.severity,
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn exceptions(out: &mut String, facts: &Facts<'_>) {
    open_section(out, "exceptions");
    if facts.exceptions.is_empty() {
        out.push_str("<p>The registry grants no exception.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<p>Every exception the registry grants. A valid exception (with a reason, an approver and \
         an expiry date not yet passed, approved by an active in-house owner of the directory) suppresses its rule's findings on its identity; any other suppresses \
         nothing. One longer than the policy's longest exception, or approved by the owner who acts \
         on its findings, stays valid, with an <code>exception-too-long</code> or \
         <code>self-approved-exception</code> warning.</p>\n\
         <table><thead><tr><th>Identity</th><th>Rule</th><th>Status</th><th>Reason</th>\
         <th>Approved by</th><th>Expires</th><th>Ticket</th><th>Location</th></tr></thead><tbody>",
    );
    for row in &facts.exceptions {
        let e = row.exception;
        let class = match row.standing {
            Standing::Active => "ok",
            Standing::Expiring => "warning",
            Standing::Expired | Standing::Invalid => "error",
            Standing::Retired => "",
        };
        let why = if row.why.is_empty() {
            String::new()
        } else {
            format!(
                "<br>{}",
                row.why
                    .iter()
                    .map(|w| text(w))
                    .collect::<Vec<_>>()
                    .join("<br>")
            )
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"{class}\">{}{why}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            code(&row.identity.id.value),
            e.rule.value,
            row.standing.as_str(),
            text(&e.reason.value),
            e.approved_by
                .as_ref()
                .map_or_else(|| "—".to_owned(), |a| code(&a.value)),
            e.expires
                .as_ref()
                .map_or_else(|| "—".to_owned(), |d| d.value.to_string()),
            e.ticket
                .as_ref()
                .map_or_else(|| "—".to_owned(), |t| code(&t.value)),
            code(&format!("{}:{}:{}", row.file, e.loc.line, e.loc.col)),
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn holder_cell(h: &Holder<'_>) -> String {
    match h.id {
        None => "<span class=\"error\">missing</span>".to_owned(),
        Some(id) => {
            let kind = h.kind.map_or(String::new(), |k| format!("{k}, "));
            let class = if h.accountable {
                ""
            } else {
                " class=\"error\""
            };
            format!(
                "{}<br><span{class}>{kind}{}</span>",
                code(id),
                text(&h.status)
            )
        }
    }
}

fn accountability(out: &mut String, facts: &Facts<'_>) {
    open_section(out, "accountability");
    out.push_str(
        "<p>Every identity with its three owners: the policy owner answers for the risk, the technical \
         owner rotates the credential, the revocation owner can revoke it. Accountable: every required \
         role held by an active in-house owner.</p>\n\
         <table><thead><tr><th>Identity</th><th>Kind</th><th>Status</th><th>Policy owner</th>\
         <th>Technical owner</th><th>Revocation owner</th><th>Accountable</th>\
         <th class=\"n\">Open findings</th></tr></thead><tbody>",
    );
    for row in &facts.identities {
        let i = row.identity;
        let privileged = if i.privileged { "<br>privileged" } else { "" };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}{privileged}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"{}\">{}</td><td class=\"n\">{}{}</td></tr>",
            code(&i.id.value),
            i.kind.value,
            i.status,
            holder_cell(&row.holders[0]),
            holder_cell(&row.holders[1]),
            holder_cell(&row.holders[2]),
            if row.covered { "ok" } else { "error" },
            if row.covered { "yes" } else { "no" },
            row.open,
            if row.suppressed > 0 {
                format!(" ({} suppressed)", row.suppressed)
            } else {
                String::new()
            },
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn reconciliation(out: &mut String, facts: &Facts<'_>) {
    open_section(out, "reconciliation");
    let Some(counts) = facts.inventory() else {
        out.push_str(
            "<p>No inventory was given, so the registry was not reconciled with the systems that \
             issue credentials, and the drift rules did not run. <code>nhi-own evidence \
             --inventory FILE</code> adds this section.</p>\n</section>\n",
        );
        return;
    };
    let _ = write!(
        out,
        "<table class=\"facts\"><tbody>\
         <tr><th>Inventory records</th><td data-figure=\"records\">{}</td></tr>\
         <tr><th>Matched by an identity</th><td>{}</td></tr>\
         <tr><th>People (not reported)</th><td>{}</td></tr>\
         <tr><th>Ignored by <code>policy.ignore_refs</code></th><td>{}</td></tr>\
         <tr><th>Skipped by design</th><td>{}</td></tr>\
         </tbody></table>\n<table><thead><tr><th>Drift rule</th><th>What it finds</th>\
         <th class=\"n\">Open findings</th></tr></thead><tbody>",
        counts.records, counts.matched, counts.people, counts.ignored, counts.skipped
    );
    for (rule, n) in facts.drift() {
        let _ = write!(
            out,
            "<tr><td><code>{rule}</code></td><td>{}</td><td class=\"n\">{n}</td></tr>",
            text(rule.info().summary)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}
