//! `markdown`: a summary and a findings table for PR comments and
//! `$GITHUB_STEP_SUMMARY`. Registry strings cannot break the table, start
//! formatting, or inject HTML.

use super::Report;
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
    let _ = writeln!(out, "### {status} nhi-own: {}\n", report.summary.line());
    if report.findings.is_empty() {
        let _ = writeln!(out, "No findings as of {}.", report.now);
        return out;
    }
    out.push_str("| severity | rule | identity | message | location |\n");
    out.push_str("|---|---|---|---|---|\n");
    for f in &report.findings {
        let icon = match f.severity {
            Severity::Error => "🔴",
            Severity::Warning => "🟡",
            Severity::Info => "🔵",
        };
        let _ = writeln!(
            out,
            "| {icon} {} | `{}` | {} | {} | {}:{}:{} |",
            f.severity.as_str(),
            f.rule.as_str(),
            escape(&f.subject()),
            escape(&f.message),
            escape(&f.file),
            f.line,
            f.column
        );
    }
    let _ = writeln!(
        out,
        "\nAudited as of {}. `nhi-own explain RULE` tells why a rule matters and how to fix it.",
        report.now
    );
    out
}

/// Makes a registry string inert inside a Markdown table cell: characters
/// with a meaning in Markdown or HTML become numeric character references,
/// line breaks and other control characters become visible escapes.
pub fn escape(text: &str) -> String {
    let text = crate::escape::escape(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '`' | '<' | '>' | '&' | '*' | '_' | '[' | ']' | '\\' | '#' | '~' | '!' | '$' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn cells_are_inert() {
        assert_eq!(escape("a|b"), "a&#124;b");
        assert_eq!(escape("<script>"), "&#60;script&#62;");
        assert_eq!(escape("`x`"), "&#96;x&#96;");
        assert_eq!(escape("l1\nl2"), "l1&#92;nl2");
        assert_eq!(escape("plain-id_1"), "plain-id&#95;1");
    }
}
