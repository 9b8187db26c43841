//! `table`: the laptop view, a table of findings and a summary line.
//!
//! Columns fit their content: a rule id, an identity or a location is never
//! split; only the message wraps. Where the terminal is too narrow for the
//! message to keep [`MIN_MESSAGE`] columns, the findings are listed in the
//! `text` layout instead, which reads at any width.

use super::{Finding, Report, Style, paint};
use crate::escape::escape;
use crate::keyword::Keyword;
use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width, presets};

/// The narrowest message column worth a table.
pub const MIN_MESSAGE: usize = 30;

pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let rows: Vec<[String; 5]> = report.findings.iter().map(row).collect();
        match layout(&rows, style.width) {
            Some(table) => {
                for line in table.lines() {
                    out.push_str(&colour_severity(&line, style.color));
                    out.push('\n');
                }
            }
            None => {
                for f in &report.findings {
                    out.push_str(&super::text::line(f, style.color));
                    out.push('\n');
                }
            }
        }
    }
    out.push_str(&report.summary.line(report.now));
    out.push('\n');
    out
}

fn row(f: &Finding) -> [String; 5] {
    [
        f.severity.as_str().to_owned(),
        f.rule.as_str().to_owned(),
        escape(&f.subject()).into_owned(),
        escape(&f.message).into_owned(),
        format!("{}:{}:{}", escape(&f.file), f.line, f.column),
    ]
}

const HEADER: [&str; 5] = ["severity", "rule", "identity", "message", "location"];
const MESSAGE: usize = 3;

/// The findings table for a terminal `width` columns wide (unbounded when
/// `None`), or `None` when the message would be too narrow to read.
fn layout(rows: &[[String; 5]], width: Option<u16>) -> Option<Table> {
    let mut table = new_table(width);
    table.set_header(HEADER);
    for row in rows {
        table.add_row(row.clone());
    }
    let Some(width) = width else {
        return Some(table);
    };
    // Each column takes its content, a separator and two spaces of padding;
    // the table one more border.
    let content = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain(std::iter::once(HEADER[i].len()))
            .max()
            .unwrap_or(0)
    };
    let fixed: usize = (0..5)
        .filter(|&i| i != MESSAGE)
        .map(|i| content(i) + 3)
        .sum();
    let room = usize::from(width).checked_sub(fixed + 3 + 1)?;
    if room < MIN_MESSAGE.min(content(MESSAGE)) {
        return None;
    }
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_constraint(if i == MESSAGE {
            ColumnConstraint::UpperBoundary(Width::Fixed(u16::try_from(room).unwrap_or(u16::MAX)))
        } else {
            ColumnConstraint::ContentWidth
        });
    }
    Some(table)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<[String; 5]> {
        vec![[
            "warning".to_owned(),
            "missing-escalation".to_owned(),
            "data-pipeline-token".to_owned(),
            "no escalation contact, and revocation owner `team-data` has no contact".to_owned(),
            "examples/showcase.yaml:89:5".to_owned(),
        ]]
    }

    /// At 120 columns nothing but the message wraps, and no line is wider.
    #[test]
    fn only_the_message_wraps() {
        let table = layout(&rows(), Some(120)).unwrap().to_string();
        assert!(table.lines().all(|l| l.chars().count() <= 120), "{table}");
        for whole in [
            "missing-escalation",
            "data-pipeline-token",
            "examples/showcase.yaml:89:5",
        ] {
            assert!(table.contains(whole), "{whole} split:\n{table}");
        }
    }

    /// Too narrow for a readable message: no table.
    #[test]
    fn narrow_terminals_get_no_table() {
        assert!(layout(&rows(), Some(80)).is_none());
        assert!(layout(&rows(), Some(40)).is_none());
        assert!(layout(&rows(), None).is_some());
    }
}
