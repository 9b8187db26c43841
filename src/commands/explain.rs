//! `nhi-own explain RULE`: the long explanation of one rule.

use super::Exit;
use crate::cli::ColorArg;
use crate::keyword::{Keyword, did_you_mean};
use crate::output::{write_stderr, write_stdout};
use crate::rules::RuleId;
use std::fmt::Write;

pub fn run(rule: &str) -> anyhow::Result<Exit> {
    let Some(id) = RuleId::parse(rule) else {
        let hint = match did_you_mean(rule, RuleId::ALL.iter().map(|r| r.as_str())) {
            Some(best) => format!("did you mean `{best}`? "),
            None => String::new(),
        };
        write_stderr(
            &format!(
                "error: unknown rule `{}`\n  help: {hint}`nhi-own rules` lists every rule\n",
                crate::escape::escape(rule)
            ),
            ColorArg::Auto,
        );
        return Ok(Exit::Invalid);
    };
    write_stdout(explanation(id).as_bytes())?;
    Ok(Exit::Pass)
}

/// The text `explain` prints for a rule.
pub fn explanation(id: RuleId) -> String {
    let info = id.info();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{id} ({} rule, {} by default)\n",
        info.group, info.severity
    );
    let _ = writeln!(out, "{}.\n", info.summary);
    let _ = writeln!(out, "Why it matters\n{}\n", indent(info.why));
    let _ = writeln!(out, "How to fix it\n{}\n", indent(info.fix));
    let _ = writeln!(out, "Example\n{}\n", indent(info.example));
    let _ = writeln!(out, "References");
    for line in info.references().lines() {
        let _ = writeln!(out, "    {line}");
    }
    if matches!(
        info.group,
        crate::rules::Group::Ownership | crate::rules::Group::Lifecycle
    ) {
        let _ = writeln!(
            out,
            "\nThis rule can be excepted on one identity with an `exceptions:` entry \
             (rule, reason, approved_by, expires), or set with `policy.severity.{id}`."
        );
    } else {
        let _ = writeln!(
            out,
            "\nIts severity can be set with `policy.severity.{id}` (error, warning, info, off)."
        );
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
