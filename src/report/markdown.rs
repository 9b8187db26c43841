//! `markdown`: a summary and a findings table for PR comments and
//! `$GITHUB_STEP_SUMMARY`. Every string that holds registry text (ids,
//! messages, file names) is an inline code span: inside code, GitHub renders
//! no formatting, HTML, link, `@mention` or `:emoji:`, so a registry can
//! neither break the table nor ping, link or decorate a PR comment.

use super::{Finding, Report};
use crate::keyword::Keyword;
use crate::rules::Severity;
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let status = if report.summary.errors > 0 {
        "❌"
    } else if report.findings.is_empty() {
        "✅"
    } else {
        "⚠️"
    };
    let _ = writeln!(
        out,
        "### {status} nhi-own: {}\n",
        report.summary.line(report.now)
    );
    if report.findings.is_empty() {
        let _ = writeln!(out, "No findings as of {}.", report.now);
        return out;
    }
    findings_table(&mut out, &report.findings);
    let _ = writeln!(
        out,
        "\nAudited as of {}. `nhi-own explain RULE` tells why a rule matters and how to fix it.",
        report.now
    );
    out
}

/// A table of findings: severity, rule, subject, message, location, every
/// registry string in a code span.
pub fn findings_table(out: &mut String, findings: &[Finding]) {
    out.push_str("| severity | rule | identity | message | location |\n");
    out.push_str("|---|---|---|---|---|\n");
    for f in findings {
        let icon = match f.severity {
            Severity::Error => "🔴",
            Severity::Warning => "🟡",
            Severity::Info => "🔵",
        };
        let _ = writeln!(
            out,
            "| {icon} {} | `{}` | {} | {} | {} |",
            f.severity.as_str(),
            f.rule.as_str(),
            code(&f.subject()),
            code(&f.message),
            code(&format!("{}:{}:{}", f.file, f.line, f.column)),
        );
    }
}

/// An invalid registry: a summary and a table of every error.
pub fn render_errors(errors: &crate::registry::LoadErrors) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### ❌ nhi-own: {}; nothing was audited\n",
        errors.summary()
    );
    out.push_str("| location | error | help |\n|---|---|---|\n");
    for e in &errors.0 {
        let location = match (&e.file, e.line) {
            (Some(file), 0) => file.clone(),
            (Some(file), line) => format!("{file}:{line}:{}", e.col),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(&location),
            code(&e.message),
            e.help.as_deref().map(code).unwrap_or_default()
        );
    }
    out
}

/// A registry string as an inline code span that is safe in a table cell:
/// as [`code_span`], with `|` escaped, which GitHub's tables require even
/// inside code (outside a table, the backslash would show).
pub fn code(text: &str) -> String {
    span(text, true)
}

/// A registry string as an inline code span, for text outside tables:
/// control characters escaped, and a fence longer than any run of backticks
/// in the text (padded with a space where the text begins or ends with one).
pub fn code_span(text: &str) -> String {
    span(text, false)
}

fn span(text: &str, in_table: bool) -> String {
    let text = crate::escape::escape(text);
    if text.is_empty() {
        return String::new();
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && text.trim() != "")
    {
        " "
    } else {
        ""
    };
    let text = if in_table {
        text.replace('|', "\\|")
    } else {
        text.into_owned()
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::{code, code_span};

    #[test]
    fn registry_text_is_code() {
        assert_eq!(code("team-a"), "`team-a`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code_span("a|b"), "`a|b`");
        assert_eq!(code("<script>"), "`<script>`");
        assert_eq!(code("owner `x` is inactive"), "``owner `x` is inactive``");
        assert_eq!(code("``x``"), "``` ``x`` ```");
        assert_eq!(code("`"), "`` ` ``");
        assert_eq!(code(" a "), "`  a  `");
        assert_eq!(code("l1\nl2"), "`l1\\nl2`");
        assert_eq!(code(""), "");
    }
}
