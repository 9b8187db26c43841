//! Horizontal bar charts as inline SVG: drawn by the page's reader, with no
//! script and nothing fetched. Colours come from the page's stylesheet
//! (classes), so the Content-Security-Policy needs no inline style.

use super::html::text;
use std::fmt::Write as _;

/// One bar: a label and its segments (a value and the class that colours it).
pub struct Bar {
    pub label: String,
    pub segments: Vec<(usize, &'static str)>,
}

const WIDTH: usize = 720;
const LABEL: usize = 250;
const AREA: usize = 380;
const ROW: usize = 22;
/// Labels longer than this are cut, the whole label in a tooltip.
const LABEL_CHARS: usize = 34;

/// A chart with a title (for screen readers and the tooltip), a one-line
/// description, and a legend of (class, meaning).
pub fn bars(id: &str, title: &str, desc: &str, bars: &[Bar], legend: &[(&str, &str)]) -> String {
    let top = if legend.is_empty() { 8 } else { 30 };
    let rows = bars.len().max(1);
    let height = top + rows * ROW + 8;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" class=\"chart\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        text(title),
        text(desc)
    );
    let mut x = LABEL;
    for (class, meaning) in legend {
        let _ = write!(
            out,
            "<rect class=\"{class}\" x=\"{x}\" y=\"8\" width=\"12\" height=\"12\"/>\
             <text x=\"{}\" y=\"18\">{}</text>",
            x + 16,
            text(meaning)
        );
        x += 24 + meaning.chars().count() * 7;
    }
    if bars.is_empty() {
        let _ = write!(
            out,
            "<text x=\"{LABEL}\" y=\"{}\">nothing to show</text>",
            top + 15
        );
    }
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.0).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    for (row, bar) in bars.iter().enumerate() {
        let y = top + row * ROW;
        let label: String = if bar.label.chars().count() > LABEL_CHARS {
            bar.label
                .chars()
                .take(LABEL_CHARS - 1)
                .chain(std::iter::once('…'))
                .collect()
        } else {
            bar.label.clone()
        };
        let _ = write!(
            out,
            "<g><title>{}</title><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            text(&bar.label),
            LABEL - 8,
            y + 15,
            text(&label)
        );
        let mut x = LABEL;
        let mut total = 0;
        for &(value, class) in &bar.segments {
            let width = value * AREA / max;
            if width > 0 {
                let _ = write!(
                    out,
                    "<rect class=\"{class}\" x=\"{x}\" y=\"{}\" width=\"{width}\" height=\"{}\"/>",
                    y + 3,
                    ROW - 6
                );
            }
            x += width;
            total += value;
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\">{total}</text></g>",
            x + 6,
            y + 15
        );
    }
    out.push_str("</svg>");
    out
}
