//! `github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! `::error file=F,line=L,col=C,title=RULE::MESSAGE`. Values are escaped as
//! GitHub's toolkit does (`%`, CR, LF; in properties also `:` and `,`), so no
//! registry string or file name can end a command early or start another.
//!
//! GitHub shows at most 10 error, 10 warning and 10 notice annotations per
//! step and drops the rest silently. So the most severe come first, no more
//! of a kind are emitted than GitHub shows, the others are printed as plain
//! log lines, and one last notice says how many were not annotated and where
//! to see them all.

use super::{Finding, INVALID_REGISTRY, Report};
use crate::escape::escape;
use crate::keyword::Keyword;
use crate::registry::LoadErrors;
use crate::rules::Severity;
use std::fmt::Write;

/// Annotations of one kind GitHub shows per step.
pub const PER_KIND: usize = 10;

/// One annotation to be: its kind, properties, message, and the plain log
/// line that stands for it when it cannot be shown.
struct Annotation {
    severity: Severity,
    properties: String,
    message: String,
    plain: String,
}

pub fn render(report: &Report) -> String {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    // Most severe first; the sort is stable, so each kind stays in file order.
    findings.sort_by_key(|f| f.severity);
    let annotations = findings
        .into_iter()
        .map(|f| Annotation {
            severity: f.severity,
            properties: format!(
                "file={},line={},col={},title={}",
                escape_property(&escape(&f.file)),
                f.line,
                f.column,
                escape_property(f.rule.as_str()),
            ),
            message: format!("{}: {}", f.subject(), f.message),
            plain: super::text::line(f, false),
        })
        .collect();
    annotate(annotations)
}

/// An invalid registry: an error annotation per load error, on its line.
pub fn render_errors(errors: &LoadErrors) -> String {
    let annotations = errors
        .0
        .iter()
        .map(|e| {
            let mut properties = String::new();
            if let Some(file) = &e.file {
                let _ = write!(properties, "file={},", escape_property(&escape(file)));
                if e.line > 0 {
                    let _ = write!(properties, "line={},col={},", e.line, e.col);
                }
            }
            properties.push_str("title=");
            properties.push_str(INVALID_REGISTRY);
            Annotation {
                severity: Severity::Error,
                properties,
                message: match &e.help {
                    Some(help) => format!("{} (help: {help})", e.message),
                    None => e.message.clone(),
                },
                plain: e.to_string().replace('\n', " "),
            }
        })
        .collect();
    annotate(annotations)
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Emits the annotations GitHub will show, the rest as log lines, and a
/// closing notice when some were not annotated.
fn annotate(annotations: Vec<Annotation>) -> String {
    let of = |s: Severity| annotations.iter().filter(|a| a.severity == s).count();
    let overflow = Severity::ALL.iter().any(|&s| of(s) > PER_KIND);
    let mut shown = [0usize; 3];
    let mut out = String::new();
    let mut rest = Vec::new();
    for a in &annotations {
        let kind = a.severity as usize;
        // The closing notice needs a notice's place of its own.
        let cap = if overflow && a.severity == Severity::Info {
            PER_KIND - 1
        } else {
            PER_KIND
        };
        if shown[kind] < cap {
            shown[kind] += 1;
            let _ = writeln!(
                out,
                "::{} {}::{}",
                command(a.severity),
                a.properties,
                escape_data(&escape(&a.message)),
            );
        } else {
            rest.push(a);
        }
    }
    if !rest.is_empty() {
        for a in &rest {
            out.push_str(&a.plain);
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "::notice title=nhi-own::{} more not annotated: GitHub shows {PER_KIND} annotations of each kind per step. \
             They are listed in this step's log above; see every finding in the job summary (--format markdown) \
             or in code scanning (--format sarif).",
            rest.len()
        );
    }
    out
}

/// Message escaping of workflow commands.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property escaping of workflow commands.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_actions_toolkit() {
        assert_eq!(escape_data("100%\r\n::error::x"), "100%25%0D%0A::error::x");
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }
}
