//! `text`: one line per finding, `file:line:col: severity[rule] identity: message`,
//! the shape editors and pre-commit understand.

use super::{Report, Style, paint};
use crate::escape::escape;
use std::fmt::Write;

pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}: {}",
            escape(&f.file),
            f.line,
            f.column,
            paint(f.severity.as_str(), f.severity, style.color),
            f.rule,
            escape(&f.subject()),
            escape(&f.message)
        );
    }
    out
}

use crate::keyword::Keyword;
