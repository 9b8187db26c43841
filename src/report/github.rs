//! `github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! `::error file=F,line=L,col=C,title=RULE::MESSAGE`. Values are escaped as
//! GitHub's toolkit does (`%`, CR, LF; in properties also `:` and `,`), so no
//! registry string or file name can end a command early or start another.

use super::Report;
use crate::escape::escape;
use crate::rules::Severity;
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{}",
            escape_property(&escape(&f.file)),
            f.line,
            f.column,
            escape_property(f.rule.as_str()),
            escape_data(&escape(&format!("{}: {}", f.subject(), f.message))),
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

use crate::keyword::Keyword;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_actions_toolkit() {
        assert_eq!(escape_data("100%\r\n::error::x"), "100%25%0D%0A::error::x");
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }
}
