//! `table`: the laptop view, a table of findings and a summary line.

use super::{Report, Style, paint};
use crate::escape::escape;
use crate::keyword::Keyword;
use comfy_table::{ContentArrangement, Table, presets};

pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let mut table = new_table(style.width);
        table.set_header(["severity", "rule", "identity", "message", "location"]);
        for f in &report.findings {
            table.add_row([
                f.severity.as_str().to_owned(),
                f.rule.as_str().to_owned(),
                escape(&f.subject()).into_owned(),
                escape(&f.message).into_owned(),
                format!("{}:{}:{}", escape(&f.file), f.line, f.column),
            ]);
        }
        for line in table.lines() {
            out.push_str(&colour_severity(&line, style.color));
            out.push('\n');
        }
    }
    out.push_str(&report.summary.line(report.now));
    out.push('\n');
    out
}

/// A table in the house style, wrapped to `width` when there is one.
pub fn new_table(width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    match width {
        Some(width) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(width);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

/// comfy-table is built without its terminal feature (no crossterm), so the
/// severity cell is coloured after layout: it always opens a row line.
fn colour_severity(line: &str, color: bool) -> String {
    if !color {
        return line.to_owned();
    }
    for severity in crate::rules::Severity::ALL {
        let word = severity.as_str();
        let prefix = format!("│ {word} ");
        if let Some(rest) = line.strip_prefix(&prefix) {
            return format!("│ {} {rest}", paint(word, *severity, true));
        }
    }
    line.to_owned()
}
