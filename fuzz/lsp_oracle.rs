//! The checks of the language server's document-change path, run on every
//! fuzz input (by `fuzz_targets/lsp.rs`) and on the kept inputs, examples,
//! seeds and yaml-test-suite cases (by `tests/suite/lsp_changes.rs`).
//!
//! A session is a starting document and a sequence of edits. After each
//! edit it runs what the server runs: `apply_change` (in every encoding),
//! `analyze` of the file alone and beside a fixed owners file, then the
//! requests at positions taken from the edit and the diagnostics (symbol,
//! hover, definition, references, completion) and the code actions over the
//! whole document, some of which it applies and analyses again. Besides
//! "never panics", it checks that:
//! - every diagnostic, related location, hover, definition, reference and
//!   code action edit lies within its document (line < number of lines,
//!   character <= the line's length in the encoding's units, start <= end);
//! - an analysis without a registry has an `invalid-registry` diagnostic
//!   (an invalid registry never looks clean).
//!
//! Fuzz input layout: a first byte below `SEEDS.len()` picks a seed
//! registry as the starting document; otherwise the document is the bytes
//! before the first `0xFF`. The rest is a sequence of edits, each six bytes
//! (flags, start line, start character, end line, end character, length)
//! and then `length` bytes of inserted text (or, with flag `0x08`, one of
//! `FRAGMENTS`). See `Session::edit` for how the bytes become positions.

use lsp_types::{CodeActionOrCommand, CompletionTextEdit, Location, Position, Range, Uri};
use nhi_own::lsp::actions::code_actions;
use nhi_own::lsp::analysis::{Input, Settings, Snapshot, analyze};
use nhi_own::lsp::complete::complete;
use nhi_own::lsp::navigate::{definition, hover, references, symbol_at};
use nhi_own::lsp::text::{Encoding, Text, apply_change};
use nhi_own::registry::time::parse_date;
use nhi_own::report::FailOn;
use std::str::FromStr;
use std::sync::Arc;

/// Starting documents a fuzz input can pick by its first byte.
pub const SEEDS: [&str; 8] = [
    include_str!("../examples/showcase.yaml"),
    include_str!("../examples/multi/00-directory.yaml"),
    include_str!("../examples/multi/services/checkout.yaml"),
    include_str!("../examples/multi/services/edge.yaml"),
    include_str!("seeds/merge-keys.yaml"),
    include_str!("seeds/unicode-ids.yaml"),
    include_str!("seeds/confusable-ids.yaml"),
    // Astral characters (two UTF-16 units, four UTF-8 bytes) in ids,
    // names and values, on CRLF and lone-CR lines.
    "version: 1\r\npolicy:\r\n  required_owners: [technical]\r\nowners:\r\n  t\u{1d49c}:\r\n    kind: team\r\n    name: \"\u{1d49c}\u{1d49e} x\"\r\n    members: [p\u{1f600}]\r\n  p\u{1f600}: { kind: person }\ridentities:\r\n  - id: svc-\u{1d49c}\r\n    kind: token\r\n    owners: { technical: t\u{1d49c}, policy: nobody }\r\n    created: 2026-01-01\r\n    exceptions:\r\n      - rule: stale-rotation\r\n        reason: \"\u{1d49c}\"\r\n        expires: 2026-12-01\r\n",
];

/// Text typed into documents: half of a flow collection, quotes, anchors
/// and aliases, a merge key, a tag, line breaks, astral characters, a BOM.
pub const FRAGMENTS: [&str; 16] = [
    ": [",
    "\"",
    "&a *a",
    "\n",
    "\r",
    "\r\n",
    "\u{1d49c}",
    "- ",
    "<<: *a",
    "!!null ",
    "\u{feff}",
    "\t",
    " # ",
    "{",
    "'",
    "owners:\n  x: { kind: team }\n",
];

/// The owners file analysed beside the edited one in the two-file case.
pub const OWNERS: &str = "version: 1\nowners:\n  team-fixed:\n    kind: team\n    name: \"Fixed \u{1d49c}\"\n    members: [pat]\n  pat: { kind: person }\n";

const EDITED: &str = "file:///ws/reg.yaml";
const OWNERS_URI: &str = "file:///ws/owners.yaml";

const ENCODINGS: [Encoding; 3] = [Encoding::Utf16, Encoding::Utf8, Encoding::Utf32];

/// Most edits and code actions one fuzz input runs.
const MAX_EDITS: usize = 12;

/// One change to a document, as the editor sends it.
#[derive(Debug, Clone)]
pub struct Edit {
    pub range: Range,
    pub text: String,
    pub encoding: Encoding,
}

/// How much of the requests to run after each edit.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Code actions applied and analysed again, per analysis.
    pub actions: usize,
    /// Whether to analyse the two-file case too.
    pub pair: bool,
}

fn uri(s: &str) -> Uri {
    Uri::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn settings(encoding: Encoding) -> Settings {
    Settings {
        today: parse_date("2026-11-22").unwrap_or_else(|e| panic!("{e}")),
        fail_on: FailOn::Error,
        encoding,
    }
}

/// The length of a line in the encoding's units.
pub fn units(line: &str, encoding: Encoding) -> u32 {
    let n = match encoding {
        Encoding::Utf8 => line.len(),
        Encoding::Utf16 => line.encode_utf16().count(),
        Encoding::Utf32 => line.chars().count(),
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The position just past the last character of the document.
pub fn end_of(text: &Text, encoding: Encoding) -> Position {
    let last = text.lines().saturating_sub(1);
    Position::new(last as u32, units(text.line(last), encoding))
}

fn position_within(text: &Text, p: Position, encoding: Encoding) -> bool {
    (p.line as usize) < text.lines() && p.character <= units(text.line(p.line as usize), encoding)
}

#[track_caller]
fn assert_within(text: &Text, range: Range, encoding: Encoding, what: &str) {
    assert!(
        range.start <= range.end
            && position_within(text, range.start, encoding)
            && position_within(text, range.end, encoding),
        "{what}: range {range:?} ({encoding:?}) is not within the document of {} lines:\n{:?}",
        text.lines(),
        text.text
    );
}

/// The text of a URI of the snapshot.
fn text_of<'a>(snapshot: &'a Snapshot, uri: &Uri) -> &'a Text {
    let file = snapshot
        .file(uri)
        .unwrap_or_else(|| panic!("{uri:?} is no file of the snapshot"));
    &snapshot.files[file].text
}

fn check_location(snapshot: &Snapshot, location: &Location, encoding: Encoding, what: &str) {
    assert_within(
        text_of(snapshot, &location.uri),
        location.range,
        encoding,
        what,
    );
}

/// Analyses the edited text, alone (`pair` false) or after the owners file.
fn analysis(text: &Arc<Text>, encoding: Encoding, pair: bool) -> (Snapshot, usize) {
    let mut inputs = Vec::new();
    if pair {
        inputs.push(Input {
            uri: uri(OWNERS_URI),
            name: "owners.yaml".to_owned(),
            text: Ok(Arc::new(Text::new(OWNERS.to_owned()))),
            version: None,
        });
    }
    inputs.push(Input {
        uri: uri(EDITED),
        name: "reg.yaml".to_owned(),
        text: Ok(Arc::clone(text)),
        version: Some(1),
    });
    let snapshot = analyze(
        inputs,
        Vec::new(),
        settings(encoding),
        &mut nhi_own::registry::ParseCache::default(),
        &|| false,
    )
    .unwrap_or_else(|| panic!("an analysis that is never cancelled returned nothing"));
    let file = snapshot
        .file(&uri(EDITED))
        .unwrap_or_else(|| panic!("the edited file is not in its snapshot"));
    (snapshot, file)
}

/// The diagnostics lie within their files, and an invalid registry says so.
fn check_diagnostics(snapshot: &Snapshot, encoding: Encoding) {
    let mut invalid = false;
    for (file, diags) in snapshot.files.iter().zip(&snapshot.diagnostics) {
        for diag in diags {
            let d = &diag.diagnostic;
            assert_within(&file.text, d.range, encoding, &d.message);
            for related in d.related_information.iter().flatten() {
                check_location(snapshot, &related.location, encoding, &related.message);
            }
            invalid |= matches!(
                &d.code,
                Some(lsp_types::NumberOrString::String(code)) if code == "invalid-registry"
            );
        }
    }
    assert!(
        snapshot.registry.is_some() || invalid,
        "no registry and no `invalid-registry` diagnostic (general: {:?}) for:\n{:?}",
        snapshot.general,
        snapshot
            .files
            .iter()
            .map(|f| &f.text.text)
            .collect::<Vec<_>>()
    );
}

/// Runs the analyses and requests on one text of the edited document.
pub fn check_text(text: &Arc<Text>, encoding: Encoding, positions: &[Position], budget: Budget) {
    for pair in [false, true] {
        if pair && !budget.pair {
            continue;
        }
        let (snapshot, file) = analysis(text, encoding, pair);
        check_diagnostics(&snapshot, encoding);
        check_requests(&snapshot, file, encoding, positions);
        check_actions(&snapshot, file, encoding, budget.actions, pair);
    }
}

fn check_requests(snapshot: &Snapshot, file: usize, encoding: Encoding, positions: &[Position]) {
    let text = &snapshot.files[file].text;
    let mut at: Vec<Position> = positions.to_vec();
    at.push(Position::new(0, 0));
    at.push(end_of(text, encoding));
    at.extend(
        snapshot.diagnostics[file]
            .iter()
            .take(4)
            .flat_map(|d| [d.diagnostic.range.start, d.diagnostic.range.end]),
    );
    for position in at {
        if let Some(found) = symbol_at(snapshot, file, position, encoding) {
            assert_within(text, found.range, encoding, "symbol");
            if let Some(range) = hover(snapshot, &found).and_then(|h| h.range) {
                assert_within(text, range, encoding, "hover");
            }
            if let Some(location) = definition(snapshot, &found.symbol, encoding) {
                check_location(snapshot, &location, encoding, "definition");
            }
            for declaration in [false, true] {
                for location in references(snapshot, &found.symbol, declaration, encoding) {
                    check_location(snapshot, &location, encoding, "reference");
                }
            }
        }
        if let Some(list) = complete(text, position, encoding, snapshot.registry.as_ref()) {
            for item in &list.items {
                if let Some(CompletionTextEdit::Edit(edit)) = &item.text_edit {
                    // It ends where the client's cursor is, which may be
                    // anywhere; it starts in the document, before it.
                    assert!(
                        edit.range.start <= edit.range.end
                            && position_within(text, edit.range.start, encoding),
                        "completion range {:?} at {position:?} in:\n{:?}",
                        edit.range,
                        text.text
                    );
                }
            }
        }
    }
}

/// The code actions over the whole document; up to `apply` of them applied
/// and the result analysed.
fn check_actions(snapshot: &Snapshot, file: usize, encoding: Encoding, apply: usize, pair: bool) {
    let text = &snapshot.files[file].text;
    let whole = Range::new(Position::new(0, 0), end_of(text, encoding));
    let mut applied = 0;
    for action in code_actions(snapshot, file, whole, encoding) {
        let CodeActionOrCommand::CodeAction(action) = action else {
            continue;
        };
        for (target, edits) in action.edit.and_then(|e| e.changes).into_iter().flatten() {
            let target_text = text_of(snapshot, &target);
            for edit in &edits {
                assert_within(target_text, edit.range, encoding, &action.title);
            }
            if applied >= apply || snapshot.file(&target) != Some(file) {
                continue;
            }
            applied += 1;
            // Edits of one change apply last first, as their ranges are of
            // the text before the change.
            let mut sorted = edits.clone();
            sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            let mut fixed = (**text).clone();
            for edit in &sorted {
                fixed = apply_change(&fixed, edit.range, &edit.new_text, encoding);
            }
            let (again, _) = analysis(&Arc::new(fixed), encoding, pair);
            check_diagnostics(&again, encoding);
        }
    }
}

/// A document and the edits made to it.
pub struct Session {
    pub text: Arc<Text>,
    pub budget: Budget,
}

impl Session {
    pub fn new(start: &str, budget: Budget) -> Self {
        Session {
            text: Arc::new(Text::new(start.to_owned())),
            budget,
        }
    }

    /// Checks the document as it is.
    pub fn check(&self, encoding: Encoding, positions: &[Position]) {
        check_text(&self.text, encoding, positions, self.budget);
    }

    /// Applies an edit in every encoding (each must keep a valid text),
    /// keeps the one in the edit's encoding and checks the result.
    pub fn edit(&mut self, edit: &Edit) {
        let mut kept = None;
        for encoding in ENCODINGS {
            let changed = apply_change(&self.text, edit.range, &edit.text, encoding);
            // The line table is the one of the new text.
            let fresh = Text::new(changed.text.clone());
            assert_eq!(fresh.lines(), changed.lines(), "{edit:?}");
            if encoding == edit.encoding {
                kept = Some(changed);
            }
        }
        if let Some(text) = kept {
            self.text = Arc::new(text);
        }
        let positions = [edit.range.start, edit.range.end];
        check_text(&self.text, edit.encoding, &positions, self.budget);
    }
}

/// A line number from a byte: a line of the document, or one past its end.
fn line_of(b: u8, text: &Text) -> u32 {
    let lines = text.lines() as u32;
    match b {
        0xFF => u32::MAX,
        0xF0..=0xFE => lines + u32::from(b - 0xF0),
        _ => u32::from(b) % (lines + 1),
    }
}

/// A character from a byte: a small index (inside a surrogate pair or a
/// multi-byte character when the line has one there), a point at a
/// proportion of the line, or past its end.
fn character_of(b: u8, text: &Text, line: u32, encoding: Encoding) -> u32 {
    let len = units(text.line(line as usize), encoding);
    match b {
        0xFF => u32::MAX,
        0xF0..=0xFE => len + u32::from(b - 0xF0),
        0x80..=0xEF => len * u32::from(b - 0x80) / 0x6F,
        _ => u32::from(b),
    }
}

/// Runs a fuzz input (see the module's documentation for its layout).
pub fn check(data: &[u8]) {
    let (start, mut rest) = match data.first() {
        Some(&b) if usize::from(b) < SEEDS.len() => (SEEDS[usize::from(b)].to_owned(), &data[1..]),
        _ => {
            let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
            let rest = data.get(cut + 1..).unwrap_or(&[]);
            (String::from_utf8_lossy(&data[..cut]).into_owned(), rest)
        }
    };
    let budget = Budget {
        actions: 2,
        pair: true,
    };
    let mut session = Session::new(&start, budget);
    let mut edits = 0;
    while rest.len() >= 6 && edits < MAX_EDITS {
        let [flags, l0, c0, l1, c1, n] = [rest[0], rest[1], rest[2], rest[3], rest[4], rest[5]];
        rest = &rest[6..];
        let encoding = ENCODINGS[usize::from(flags & 3) % 3];
        let text = if flags & 0x08 != 0 {
            FRAGMENTS[usize::from(n) % FRAGMENTS.len()].to_owned()
        } else {
            let len = usize::from(n).min(rest.len());
            let (inserted, after) = rest.split_at(len);
            rest = after;
            String::from_utf8_lossy(inserted).into_owned()
        };
        let doc = &session.text;
        let start_line = line_of(l0, doc);
        let start = Position::new(start_line, character_of(c0, doc, start_line, encoding));
        // Flag 0x04: an insertion (an empty range), else a replacement.
        let end = if flags & 0x04 != 0 {
            start
        } else {
            let end_line = line_of(l1, doc);
            Position::new(end_line, character_of(c1, doc, end_line, encoding))
        };
        session.edit(&Edit {
            range: Range::new(start, end),
            text,
            encoding,
        });
        edits += 1;
    }
    if edits == 0 {
        session.check(Encoding::Utf16, &[]);
        session.check(Encoding::Utf8, &[]);
    }
}
