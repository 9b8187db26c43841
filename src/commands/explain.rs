//! `nhi-own explain RULE`: the long explanation of one rule.

use super::Exit;
use crate::keyword::{Keyword, did_you_mean};
use crate::output::{terminal_width, write_stderr, write_stdout};
use crate::rules::RuleId;
use std::fmt::Write;

/// Prose is wrapped to the terminal, at most this wide (and this wide when
/// the output is not a terminal).
const MAX_WIDTH: usize = 100;
const DEFAULT_WIDTH: usize = 80;

pub fn run(rule: &str, color: crate::cli::ColorArg) -> anyhow::Result<Exit> {
    let Some(id) = RuleId::parse(rule) else {
        // `STALE-ROTATION`, `stale_rotation`: the rule, spelled another way.
        let spelled = rule.to_lowercase().replace('_', "-");
        let best = RuleId::parse(&spelled)
            .map(|r| r.as_str())
            .or_else(|| did_you_mean(&spelled, RuleId::ALL.iter().map(|r| r.as_str())));
        let hint = best.map_or_else(String::new, |b| format!("did you mean `{b}`? "));
        write_stderr(
            &format!(
                "error: unknown rule `{}`\n  help: {hint}`nhi-own rules` lists every rule\n",
                crate::escape::escape(rule)
            ),
            color,
        );
        return Ok(Exit::Invalid);
    };
    let width = terminal_width().map_or(DEFAULT_WIDTH, |w| usize::from(w).min(MAX_WIDTH));
    write_stdout(explanation(id, width).as_bytes())?;
    Ok(Exit::Pass)
}

/// The text `explain` prints for a rule, prose wrapped to `width` columns.
pub fn explanation(id: RuleId, width: usize) -> String {
    let info = id.info();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{id} ({} rule, {} by default)\n",
        info.group, info.severity
    );
    let _ = writeln!(out, "{}\n", wrap(&format!("{}.", info.summary), width, ""));
    let _ = writeln!(out, "Why it matters\n{}\n", wrap(info.why, width, "    "));
    let _ = writeln!(out, "How to fix it\n{}\n", wrap(info.fix, width, "    "));
    let _ = writeln!(out, "Example (reported)\n{}\n", indent(info.example));
    let _ = writeln!(out, "Fixed\n{}\n", indent(info.fixed));
    let _ = writeln!(out, "References");
    for line in info.references().lines() {
        let _ = writeln!(out, "    {line}");
    }
    let note = if info.group.exceptable() {
        format!(
            "This rule can be excepted on one identity with an `exceptions:` entry (rule, reason, \
             approved_by, expires), or set with `policy.severity.{id}`."
        )
    } else {
        format!("Its severity can be set with `policy.severity.{id}` (error, warning, info, off).")
    };
    let _ = writeln!(out, "\n{}", wrap(&note, width, ""));
    out
}

/// Greedy word wrap of one paragraph, each line behind `prefix`.
fn wrap(text: &str, width: usize, prefix: &str) -> String {
    let room = width.saturating_sub(prefix.len()).max(20);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
        .iter()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_word_boundaries() {
        assert_eq!(wrap("a bb ccc dddd", 26, "    "), "    a bb ccc dddd");
        let text = "word ".repeat(30);
        for line in wrap(&text, 40, "  ").lines() {
            assert!(line.len() <= 40, "{line}");
            assert!(line.starts_with("  word"));
        }
    }
}
