//! `text`: one line per finding, `file:line:col: severity[rule] identity: message`,
//! the shape editors and pre-commit understand.

use super::{Finding, Report, Style, paint};
use crate::escape::escape;
use crate::keyword::Keyword;

pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&line(f, style.color));
        out.push('\n');
    }
    out
}

/// One finding in compiler style, registry strings escaped.
pub fn line(f: &Finding, color: bool) -> String {
    format!(
        "{}:{}:{}: {}[{}] {}: {}",
        escape(&f.file),
        f.line,
        f.column,
        paint(f.severity.as_str(), f.severity, color),
        f.rule,
        escape(&f.subject()),
        escape(&f.message)
    )
}
