//! YAML syntax errors in words a registry's author can act on: the parser
//! knows where it gave up, which is often a line after the mistake (a tab is
//! reported where the scalar before it ends, an unclosed `{` at the next
//! entry). Each common mistake is found in the source and reported at its
//! own place, with what to do.

use super::{Pos, YamlError};
use granit_parser::ScanError;

/// The error the parser reported, moved to the mistake and explained.
pub fn explain(source: &str, e: &ScanError) -> YamlError {
    let mark = e.marker();
    let at = Pos::at(mark.line(), mark.col());
    let info = match e.kind() {
        granit_parser::ErrorKind::UnknownAnchor => "alias references unknown anchor".to_owned(),
        _ => e.info(),
    };
    let error = |pos: Pos, message: String, help: Option<String>| YamlError {
        pos,
        message: format!("invalid YAML: {message}"),
        help,
    };
    if let Some(tab) = tab_indentation(source, at.line) {
        return error(
            tab,
            "a tab in the indentation".to_owned(),
            Some("YAML forbids tabs for indentation: indent with spaces".to_owned()),
        );
    }
    if let Some((open, close, pos)) = unclosed(source, at) {
        let help = if open == close {
            format!(
                "close the quote opened at {}:{} with `{close}`, or write the value without quotes",
                pos.line, pos.col
            )
        } else {
            format!(
                "close the `{open}` opened at {}:{} with `{close}` (a flow value may run over \
                 lines, but not past the end of its entry)",
                pos.line, pos.col
            )
        };
        return error(pos, format!("`{open}` is never closed"), Some(help));
    }
    if info.starts_with("mapping values are not allowed") {
        let line = source_line(source, at.line);
        let before: String = line
            .chars()
            .take(at.col.saturating_sub(1) as usize)
            .collect();
        if let Some((key, value)) = before.split_once(": ") {
            let value = line.split_once(": ").map_or(value, |(_, v)| v).trim_end();
            return error(
                at,
                "a plain value cannot hold `: `".to_owned(),
                Some(format!(
                    "quote the value: `{}: \"{}\"`",
                    key.trim_start().trim_start_matches("- "),
                    crate::escape::short(&value.replace('"', "\\\""))
                )),
            );
        }
        return error(
            at,
            info,
            Some(
                "a `key: value` line lines up with the keys of its mapping: check this line's \
                 indentation"
                    .to_owned(),
            ),
        );
    }
    error(at, info, None)
}

/// The lines of a YAML text (a line ends at LF, CRLF or a lone CR).
fn lines(source: &str) -> impl Iterator<Item = &str> {
    source
        .split("\r\n")
        .flat_map(|part| part.split(['\r', '\n']))
}

fn source_line(source: &str, line: u32) -> &str {
    lines(source)
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("")
}

/// A tab in the leading whitespace of the reported line, or of the line
/// after it (the parser reports a tab where the scalar before it ends).
fn tab_indentation(source: &str, line: u32) -> Option<Pos> {
    let first = line.saturating_sub(1) as usize;
    lines(source)
        .enumerate()
        .skip(first)
        .take(2)
        .find_map(|(i, text)| {
            let indent: String = text
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let col = indent.find('\t')?;
            Some(Pos {
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                col: u32::try_from(col + 1).unwrap_or(u32::MAX),
            })
        })
}

/// A flow collection (`{` or `[`) or quoted scalar opened before `at` and
/// not closed by then: the bracket or quote and where it was opened.
fn unclosed(source: &str, at: Pos) -> Option<(char, char, Pos)> {
    let mut open: Vec<(char, Pos)> = Vec::new();
    for (i, text) in lines(source).enumerate().take(at.line as usize) {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut quote: Option<(char, Pos)> = open
            .last()
            .copied()
            .filter(|(c, _)| *c == '"' || *c == '\'');
        if quote.is_some() {
            open.pop();
        }
        let mut previous = ' ';
        for (col, c) in text.chars().enumerate() {
            let pos = Pos {
                line,
                col: u32::try_from(col + 1).unwrap_or(u32::MAX),
            };
            if line == at.line && pos.col >= at.col {
                break;
            }
            match quote {
                Some(('"', _)) if c == '"' && previous != '\\' => quote = None,
                Some(('\'', _)) if c == '\'' => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if previous == ' ' || col == 0 => break,
                    '"' | '\'' if matches!(previous, ' ' | '[' | '{' | ',' | ':') || col == 0 => {
                        quote = Some((c, pos));
                    }
                    '{' | '[' => open.push((c, pos)),
                    '}' | ']' => {
                        open.pop();
                    }
                    _ => {}
                },
            }
            previous = c;
        }
        if let Some(q) = quote {
            open.push(q);
        }
    }
    let (c, pos) = open.pop()?;
    // Only a collection or quote opened on an earlier line explains an error
    // reported further on.
    if pos.line >= at.line {
        return None;
    }
    let close = match c {
        '{' => '}',
        '[' => ']',
        q => q,
    };
    Some((c, close, pos))
}
