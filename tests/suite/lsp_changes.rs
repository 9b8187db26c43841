//! The language server's document-change path on every kept fuzz input,
//! example, seed and yaml-test-suite case, with the fuzz target's checks
//! (`fuzz/lsp_oracle.rs`): each document typed in pieces (half-typed YAML),
//! then with a line deleted or garbage inserted at a few places, in every
//! position encoding.

use crate::common;

#[allow(dead_code)] // what only the fuzz target uses
#[path = "../../fuzz/lsp_oracle.rs"]
mod lsp_oracle;

use lsp_oracle::{Budget, Edit, FRAGMENTS, Session, end_of, units};
use lsp_types::{Position, Range};
use nhi_own::lsp::text::{Encoding, Text};

const ENCODINGS: [Encoding; 3] = [Encoding::Utf16, Encoding::Utf8, Encoding::Utf32];

/// Inserts `text` at `at`.
fn insert(at: Position, text: &str, encoding: Encoding) -> Edit {
    Edit {
        range: Range::new(at, at),
        text: text.to_owned(),
        encoding,
    }
}

/// Up to `n` indices spread over `0..len`.
fn spread(len: usize, n: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (0..n).map(|i| i * len / n).collect();
    out.dedup();
    out
}

/// Every check of the change path on one document.
fn replay(doc: &str) {
    let light = Budget {
        actions: 1,
        pair: false,
    };
    // Typed in pieces cut anywhere, lines included, each appended at the
    // end of the document (or past it).
    let chars: Vec<(usize, char)> = doc.char_indices().collect();
    let cuts: Vec<usize> = spread(chars.len(), 6)
        .into_iter()
        .map(|i| chars.get(i).map_or(doc.len(), |c| c.0))
        .chain([doc.len()])
        .collect();
    let mut session = Session::new("", light);
    for (i, pair) in cuts.windows(2).enumerate() {
        let encoding = ENCODINGS[i % 3];
        let mut at = end_of(&session.text, encoding);
        if i % 2 == 1 {
            at = Position::new(at.line + 3, at.character + 5);
        }
        session.edit(&insert(at, &doc[pair[0]..pair[1]], encoding));
    }
    assert_eq!(session.text.text, doc, "typed in pieces");
    // The whole document, with its code actions applied.
    let full = Session::new(
        doc,
        Budget {
            actions: usize::MAX,
            pair: true,
        },
    );
    for encoding in ENCODINGS {
        full.check(encoding, &[]);
    }
    let text = Text::new(doc.to_owned());
    let lines = spread(text.lines(), 8);
    // A line deleted, then a line emptied to its break.
    for (i, &line) in lines.iter().enumerate() {
        let encoding = ENCODINGS[i % 3];
        let mut session = Session::new(doc, light);
        let from = Position::new(line as u32, 0);
        session.edit(&Edit {
            range: Range::new(from, Position::new(line as u32 + 1, 0)),
            text: String::new(),
            encoding,
        });
        let mut session = Session::new(doc, light);
        let end = units(text.line(line), encoding);
        session.edit(&Edit {
            range: Range::new(from, Position::new(line as u32, end)),
            text: String::new(),
            encoding,
        });
    }
    // Garbage in the middle of lines, past their ends, and inside the first
    // multi-unit character there is (a surrogate pair, a UTF-8 sequence).
    let mut places: Vec<(Position, Encoding)> = lines
        .iter()
        .take(4)
        .enumerate()
        .flat_map(|(i, &line)| {
            let encoding = ENCODINGS[i % 3];
            let len = units(text.line(line), encoding);
            [
                (Position::new(line as u32, len / 2), encoding),
                (Position::new(line as u32, len + 2), encoding),
            ]
        })
        .collect();
    for encoding in [Encoding::Utf16, Encoding::Utf8] {
        let inside = (0..text.lines()).find_map(|line| {
            let l = text.line(line);
            let (i, _) = l.char_indices().find(|(_, c)| match encoding {
                Encoding::Utf8 => c.len_utf8() > 1,
                _ => c.len_utf16() > 1,
            })?;
            Some(Position::new(line as u32, units(&l[..i], encoding) + 1))
        });
        places.extend(inside.map(|p| (p, encoding)));
    }
    for (i, &(at, encoding)) in places.iter().enumerate() {
        for fragment in [FRAGMENTS[i % FRAGMENTS.len()], ": [", "&a *a"] {
            let mut session = Session::new(doc, light);
            session.edit(&insert(at, fragment, encoding));
        }
    }
}

/// The files with one of these extensions below `dir`, sorted.
fn files(dir: &std::path::Path, extensions: &[&str]) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let keep = entry.file_type().is_file()
            && (extensions.is_empty()
                || entry
                    .path()
                    .extension()
                    .is_some_and(|e| extensions.iter().any(|x| e == *x)));
        if keep {
            out.push(entry.into_path());
        }
    }
    out
}

/// Far longer than any input takes (milliseconds): a request that loops
/// over a client's line number (up to 2^32) takes a minute.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

fn replay_file(path: &std::path::Path) {
    let bytes = std::fs::read(path).unwrap();
    let started = std::time::Instant::now();
    let outcome = std::panic::catch_unwind(|| {
        // As the fuzz target reads it, and as a document.
        lsp_oracle::check(&bytes);
        replay(&String::from_utf8_lossy(&bytes));
    });
    assert!(
        outcome.is_ok(),
        "{} fails the language server's change checks",
        path.display()
    );
    let took = started.elapsed();
    assert!(took < LIMIT, "{} takes {took:?}", path.display());
}

#[test]
fn kept_inputs_examples_and_seeds_survive_editing() {
    let root = common::repo_root();
    let mut inputs = files(&root.join("tests/fuzz_regressions"), &[]);
    assert!(inputs.len() >= 6, "{inputs:?}");
    inputs.extend(files(&root.join("examples"), &["yaml", "yml"]));
    inputs.extend(files(&root.join("fuzz/seeds"), &["yaml"]));
    inputs.push(root.join("ownership.yaml"));
    for path in &inputs {
        replay_file(path);
    }
}

#[test]
fn yaml_test_suite_cases_survive_editing() {
    let Some(suite) = common::shared_data("yaml-test-suite") else {
        return;
    };
    let cases: Vec<_> = files(&suite, &["yaml"])
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "in.yaml"))
        .collect();
    assert!(
        cases.len() >= 100,
        "{} cases in {}",
        cases.len(),
        suite.display()
    );
    for path in &cases {
        replay_file(path);
    }
}
