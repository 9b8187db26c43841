//! The checks run on every fuzz input (by `fuzz_targets/audit.rs`) and on
//! every kept crasher (by `tests/fuzz_regressions.rs`).
//!
//! The input is split at `0xFF` bytes (never valid UTF-8) into up to three
//! registry files. Besides "never panics", it checks that:
//! - a chunked parse gives exactly what a whole-file parse gives;
//! - every load error and every finding points inside its file;
//! - JSON and SARIF are valid JSON, JUnit is well-formed XML;
//! - no human or CI format carries a control, line-separator or bidi
//!   character, GitHub annotations are one command per line, and Markdown
//!   table rows keep their six cell borders.

use nhi_own::registry::{Chunking, LoadOptions, load_bytes, time::parse_date};
use nhi_own::report::{Format, Style, render};

const NAMES: [&str; 3] = ["a.yaml", "dir/b.yaml", "c d.yml"];

/// Runs every check on one input; panics on the first that fails.
pub fn check(data: &[u8]) {
    let files: Vec<(&str, &[u8])> = NAMES
        .iter()
        .copied()
        .zip(data.splitn(3, |&b| b == 0xFF))
        .collect();
    let whole = LoadOptions {
        threads: 1,
        chunking: Chunking::Off,
        ..LoadOptions::default()
    };
    let chunked = LoadOptions {
        threads: 1,
        chunking: Chunking::Bytes(48),
        ..LoadOptions::default()
    };
    let result = load_bytes(&files, &whole);
    let again = load_bytes(&files, &chunked);
    assert_eq!(
        format!("{result:#?}"),
        format!("{again:#?}"),
        "a chunked parse differs from a whole-file parse"
    );
    let registry = match result {
        Ok(registry) => registry,
        Err(errors) => {
            for e in &errors.0 {
                let file = e.file.as_deref().expect("every load error names its file");
                assert!(e.line >= 1 && e.col >= 1, "unlocated error: {e}");
                // Undecodable files are located where decoding stopped.
                if let Ok(source) = std::str::from_utf8(text_of(&files, file)) {
                    assert_inside(source, e.line, e.col, &e.to_string());
                }
            }
            assert_inert(&errors.to_string(), "load errors");
            return;
        }
    };
    let today = parse_date("2026-11-01").expect("a valid date");
    let report = nhi_own::audit::audit(&registry, today);
    for f in &report.findings {
        assert_inside(
            std::str::from_utf8(text_of(&files, &f.file)).unwrap(),
            f.line,
            f.column,
            &f.message,
        );
    }
    for &format in Format::all() {
        let out = render(
            &report,
            format,
            Style {
                color: false,
                width: Some(100),
                ..Style::default()
            },
        );
        match format {
            Format::Json | Format::Sarif => {
                serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
            }
            Format::Junit => {
                roxmltree::Document::parse(&out).expect("well-formed XML");
            }
            Format::Github => {
                assert_inert(&out, "github");
                // GitHub reads `::command props::message`: properties end at the
                // first `::`, and the message is not parsed again.
                for line in out.lines() {
                    let rest = line.strip_prefix("::").expect("a workflow command");
                    let (command, rest) = rest.split_once(' ').expect("a command name");
                    assert!(matches!(command, "error" | "warning" | "notice"), "{line}");
                    let (properties, _) = rest.split_once("::").expect("properties");
                    let keys: Vec<Option<&str>> = properties
                        .split(',')
                        .map(|p| p.split_once('=').map(|(k, _)| k))
                        .collect();
                    assert_eq!(
                        keys,
                        [Some("file"), Some("line"), Some("col"), Some("title")],
                        "forged properties: {line}"
                    );
                }
            }
            Format::Markdown => {
                assert_inert(&out, "markdown");
                for line in out.lines().filter(|l| l.starts_with('|')) {
                    assert_eq!(line.matches('|').count(), 6, "broken row: {line}");
                    assert!(!line.contains('<'), "HTML in a row: {line}");
                }
            }
            Format::Table | Format::Text => assert_inert(&out, "table/text"),
        }
    }
}

fn text_of<'a>(files: &[(&str, &'a [u8])], name: &str) -> &'a [u8] {
    files
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a known file name")
        .1
}

/// `line:col` (1-based, col in characters) lies within `source` or just past
/// the end of a line.
fn assert_inside(source: &str, line: u32, col: u32, what: &str) {
    // YAML breaks lines at LF, CRLF and a lone CR.
    let lines: Vec<&str> = source
        .split("\r\n")
        .flat_map(|l| l.split(['\r', '\n']))
        .collect();
    let index = usize::try_from(line).unwrap() - 1;
    assert!(
        index < lines.len().max(1),
        "line {line} past the end: {what}"
    );
    let Some(text) = lines.get(index) else { return };
    let width = text.chars().count() + 1;
    assert!(
        usize::try_from(col).unwrap() <= width,
        "column {col} past line {line}: {what}"
    );
}

/// No control character other than a newline, no line separators, no bidi
/// controls.
fn assert_inert(out: &str, what: &str) {
    if let Some(c) = out
        .chars()
        .find(|&c| c != '\n' && nhi_own::escape::needs_escape(c))
    {
        panic!("{what}: raw {c:?} in output:\n{out}");
    }
}
