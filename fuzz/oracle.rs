//! The checks run on every fuzz input (by `fuzz_targets/audit.rs`) and on
//! every kept crasher (by `tests/fuzz_regressions.rs`).
//!
//! The input is split at `0xFF` bytes (never valid UTF-8) into up to three
//! registry files. Each input is also tried with the first file wrapped in
//! `%YAML`/`%TAG` directives and document markers, and with a forbidden tag
//! on its first plain value. Besides "never panics", it checks that:
//! - a chunked parse gives exactly what a whole-file parse gives;
//! - a registry that loads fails to load once a value is tagged `!!null`;
//! - every load error and every finding points inside its file;
//! - JSON and SARIF are valid JSON, JUnit is well-formed XML;
//! - no human or CI format carries a control, line-separator or bidi
//!   character, no line but GitHub's own commands starts with `::`, GitHub
//!   annotations are one command per line, and Markdown, read back by a
//!   CommonMark parser, keeps its table cells and holds no HTML or link.

use nhi_own::registry::{Chunking, LoadOptions, load_bytes, time::parse_date};
use nhi_own::report::{Format, Style, render};

const NAMES: [&str; 3] = ["a.yaml", "dir/b.yaml", "c d.yml"];

/// Runs every check on one input and its variants; panics on the first that fails.
pub fn check(data: &[u8]) {
    let mut files: Vec<(&str, Vec<u8>)> = NAMES
        .iter()
        .copied()
        .zip(data.splitn(3, |&b| b == 0xFF).map(<[u8]>::to_vec))
        .collect();
    let loaded = check_files(&files);
    let Some(original) = files.first().map(|(_, bytes)| bytes.clone()) else {
        return;
    };
    if let Ok(text) = std::str::from_utf8(&original) {
        if let Some(tagged) = forbidden_tag(text) {
            files[0].1 = tagged.into_bytes();
            let tagged_loaded = check_files(&files);
            assert!(
                !(loaded && tagged_loaded),
                "a registry tagged `!!null` still loads:\n{}",
                String::from_utf8_lossy(&files[0].1)
            );
        }
        files[0].1 =
            format!("%YAML 1.2\n%TAG !e! tag:example.com,2026:\n---\n{text}\n...\n").into_bytes();
        check_files(&files);
    }
}

/// The text with `!!null` before the first plain value of a block mapping,
/// when the file has no quoted, block or flow scalar in which such a line
/// could be text instead.
fn forbidden_tag(text: &str) -> Option<String> {
    if text.contains([
        '"', '\'', '|', '>', '[', '{', '&', '*', '!', '%', '\r', '\t',
    ]) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut done = false;
    for line in text.split_inclusive('\n') {
        if !done {
            let body = line.trim_start_matches(' ');
            let body = body.strip_prefix("- ").unwrap_or(body);
            if let Some((key, value)) = body.split_once(": ")
                && !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && value
                    .trim()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                let at = line.len() - value.len();
                out.push_str(&line[..at]);
                out.push_str("!!null ");
                out.push_str(&line[at..]);
                done = true;
                continue;
            }
        }
        out.push_str(line);
    }
    done.then_some(out)
}

/// Every check on one set of files; returns whether the registry loaded.
fn check_files(files: &[(&str, Vec<u8>)]) -> bool {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
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
            assert_no_command(&errors.to_string(), "load errors");
            return false;
        }
    };
    let today = parse_date("2026-11-01").expect("a valid date");
    let report = nhi_own::audit::audit(&registry, today);
    assert!(
        report.fingerprints_are_unique(),
        "two findings share a fingerprint"
    );
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
            Format::Json | Format::Sarif | Format::Gitlab => {
                serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
            }
            Format::Junit => {
                roxmltree::Document::parse(&out).expect("well-formed XML");
            }
            Format::Github => {
                assert_inert(&out, "github");
                // GitHub reads `::command props::message`: properties end at the
                // first `::`, and the message is not parsed again. Lines past
                // GitHub's annotation limit are plain log lines, never commands.
                for line in out.lines() {
                    let Some(rest) = line.strip_prefix("::") else {
                        continue;
                    };
                    let (command, rest) = rest.split_once(' ').expect("a command name");
                    assert!(matches!(command, "error" | "warning" | "notice"), "{line}");
                    let (properties, _) = rest.split_once("::").expect("properties");
                    let keys: Vec<Option<&str>> = properties
                        .split(',')
                        .map(|p| p.split_once('=').map(|(k, _)| k))
                        .collect();
                    let closing = [Some("title")];
                    assert!(
                        keys == [Some("file"), Some("line"), Some("col"), Some("title")]
                            || (command == "notice" && keys == closing),
                        "forged properties: {line}"
                    );
                }
                let commands = out.lines().filter(|l| l.starts_with("::")).count();
                assert!(
                    commands <= 30,
                    "more annotations than GitHub shows: {commands}"
                );
            }
            Format::Markdown => {
                assert_inert(&out, "markdown");
                assert_markdown_is_inert(&out);
            }
            Format::Table | Format::Text => assert_inert(&out, "table/text"),
        }
        if format != Format::Github {
            assert_no_command(&out, "a report");
        }
    }
    true
}

/// No line starts with `::`, which a CI runner would read as a command.
fn assert_no_command(out: &str, what: &str) {
    for line in out.lines() {
        assert!(
            !line.starts_with("::"),
            "{what}: a line reads as a command: {line}"
        );
    }
}

/// Read back with GitHub's table extension: every row has five cells, and
/// there is no HTML and no link (registry text is all in code spans).
fn assert_markdown_is_inert(out: &str) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut cells = 0;
    for event in Parser::new_ext(out, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                assert_eq!(cells, 5, "a row without five cells:\n{out}");
                cells = 0;
            }
            Event::Html(html) | Event::InlineHtml(html) => panic!("HTML in markdown: {html}"),
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link in markdown: {dest_url}"),
            _ => {}
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
