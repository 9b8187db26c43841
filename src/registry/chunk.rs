//! Splitting one large registry file into documents that parse independently,
//! so that the cores share the parse of a single file.
//!
//! The fast path takes only the shape every generated and hand-written registry
//! has: a top-level `identities:` line at column 0 whose value is a block list,
//! each entry starting with `- ` at one fixed indentation. The file is cut at
//! entry starts into
//!
//! - a *head*: the whole file with the `identities` section replaced by empty
//!   lines, so `version`, `policy`, `owners` and the key itself keep their
//!   positions, and
//! - *chunks*: consecutive entries, each parsed as `identities:` followed by the
//!   entries, behind enough empty lines that every line keeps its number.
//!
//! A cut can only fall inside a multi-line construct (a quoted scalar or a flow
//! collection spread over lines) if that construct runs past an entry start at
//! the list's own indentation. Strict indentation makes that invalid YAML, and
//! the chunk before the cut then ends inside an unterminated construct, which is
//! an error too. Block scalars and plain scalars always end at such a line.
//!
//! Anything else is left to the whole-file parse: files with anchors or aliases
//! (a budget scaled per chunk would differ from the file's, and an alias in a
//! chunk cannot see an anchor in another), tags (a `%TAG` handle is declared in
//! the head, not in the chunks), directives and document markers (`%YAML`,
//! `%TAG`, `---`, `...`: the document's context, which a chunk does not have),
//! lone carriage returns (line breaks this splitter does not count), tab
//! indentation, a second `identities:` line, or a section that does not look
//! like the above. And the caller parses the whole file again whenever the head
//! or any chunk reports a problem, so errors are always those of a whole-file
//! parse.

/// A file cut into a head and chunks of entries.
pub struct Plan<'s> {
    /// The file with its `identities` section blanked out.
    pub head: String,
    pub chunks: Vec<Chunk<'s>>,
}

/// Consecutive `identities` entries, as they appear in the file.
pub struct Chunk<'s> {
    /// 1-based number of the chunk's first line in the file.
    pub first_line: usize,
    pub text: &'s str,
}

impl Chunk<'_> {
    /// A document that holds these entries on their original lines.
    pub fn document(&self) -> String {
        document(self.first_line, self.text)
    }
}

/// A document that holds the entries of `text`, which starts on line
/// `first_line` of its file, on their original lines.
pub fn document(first_line: usize, text: &str) -> String {
    // `first_line` is at least 2: the `identities:` line comes before it.
    let blank = first_line.saturating_sub(2);
    let mut doc = String::with_capacity(blank + 12 + text.len());
    doc.extend(std::iter::repeat_n('\n', blank));
    doc.push_str("identities:\n");
    doc.push_str(text);
    doc
}

/// Cuts `source` into chunks of about `chunk_bytes`, or `None` when the file
/// does not take the fast path or would make fewer than two chunks.
pub fn plan(source: &str, chunk_bytes: usize) -> Option<Plan<'_>> {
    if source.len() < chunk_bytes.saturating_mul(2) || has_unmodelled_syntax(source) {
        return None;
    }
    let section = section(source)?;
    let mut chunks = Vec::new();
    // The first chunk starts right after `identities:`, so that comments
    // before the first entry are parsed (and checked) too.
    let mut start = (section.body_start, section.body_line);
    for &entry in &section.entries[1..] {
        if entry.0 - start.0 >= chunk_bytes {
            chunks.push(Chunk {
                first_line: start.1,
                text: &source[start.0..entry.0],
            });
            start = entry;
        }
    }
    chunks.push(Chunk {
        first_line: start.1,
        text: &source[start.0..section.end],
    });
    if chunks.len() < 2 {
        return None;
    }
    let blanked = source[section.body_start..section.end]
        .bytes()
        .filter(|&b| b == b'\n')
        .count();
    let mut head = String::with_capacity(section.body_start + blanked + source.len() - section.end);
    head.push_str(&source[..section.body_start]);
    head.extend(std::iter::repeat_n('\n', blanked));
    head.push_str(&source[section.end..]);
    Some(Plan { head, chunks })
}

/// Where the `identities` list lies in the file.
struct Section {
    /// Byte offset just past the `identities:` line.
    body_start: usize,
    /// 1-based line at `body_start`.
    body_line: usize,
    /// Byte offset and 1-based line of every entry start.
    entries: Vec<(usize, usize)>,
    /// Byte offset where the section ends (the next top-level line, or the end).
    end: usize,
}

/// Every entry of the `identities` list as a chunk of its own, when the file
/// has the shape the splitter models (tab-indented lines allowed): for
/// reading the entries after a syntax error on their own.
pub fn entries(source: &str) -> Option<Vec<Chunk<'_>>> {
    if has_unmodelled_syntax(source) {
        return None;
    }
    let section = section_of(source, true)?;
    let ends = section.entries[1..]
        .iter()
        .map(|&(offset, _)| offset)
        .chain(std::iter::once(section.end));
    Some(
        section
            .entries
            .iter()
            .zip(ends)
            .map(|(&(start, line), end)| Chunk {
                first_line: line,
                text: &source[start..end],
            })
            .collect(),
    )
}

fn section(source: &str) -> Option<Section> {
    section_of(source, false)
}

/// The `identities` section; a tab-indented line ends the search unless
/// `tabs` is set, when it is read as any other line of its entry.
fn section_of(source: &str, tabs: bool) -> Option<Section> {
    enum State {
        BeforeKey,
        FirstEntry,
        Entries,
        After,
    }
    let mut state = State::BeforeKey;
    let mut body_start = 0;
    let mut body_line = 0;
    let mut entries = Vec::new();
    let mut indent_of_entries = 0;
    let mut end = source.len();
    let mut offset = 0;
    for (index, raw) in source.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let content = line.trim_start_matches(' ');
        if (content.starts_with('\t') && !tabs) || is_document_syntax(line) {
            return None;
        }
        let content = content.trim_start_matches(['\t', ' ']);
        let indent = line.len() - content.len();
        let skip = content.is_empty() || content.starts_with('#');
        match state {
            State::BeforeKey => {
                if is_identities_key(line) {
                    body_start = offset;
                    body_line = index + 2;
                    state = State::FirstEntry;
                }
            }
            State::FirstEntry if skip => {}
            State::FirstEntry => {
                if !is_entry(content) {
                    return None;
                }
                indent_of_entries = indent;
                entries.push((start, index + 1));
                state = State::Entries;
            }
            State::Entries if skip => {}
            State::Entries => {
                if indent == indent_of_entries && is_entry(content) {
                    entries.push((start, index + 1));
                } else if indent == 0 {
                    // A list entry at column 0 after an indented list is not ours to judge.
                    if content.starts_with('-') || is_identities_key(line) {
                        return None;
                    }
                    end = start;
                    state = State::After;
                }
            }
            State::After => {
                if is_identities_key(line) {
                    return None;
                }
            }
        }
    }
    if entries.is_empty() {
        return None;
    }
    Some(Section {
        body_start,
        body_line,
        entries,
        end,
    })
}

/// `identities:` at column 0 with nothing after it but spaces and a comment.
fn is_identities_key(line: &str) -> bool {
    line.strip_prefix("identities:").is_some_and(|rest| {
        let trimmed = rest.trim_start_matches(' ');
        trimmed.is_empty() || (trimmed.starts_with('#') && rest.starts_with(' '))
    })
}

fn is_entry(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// A directive (`%…`) or a document marker (`---`, `...`) at column 0.
fn is_document_syntax(line: &str) -> bool {
    let line = line.trim_start_matches('\u{feff}');
    line.starts_with('%')
        || ["---", "..."].iter().any(|marker| {
            line.strip_prefix(marker)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        })
}

/// An anchor (`&name`), an alias (`*name`) or a tag (`!tag`) where a YAML
/// token may start, or a lone carriage return.
fn has_unmodelled_syntax(source: &str) -> bool {
    let bytes = source.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        match b {
            b'&' | b'*' | b'!' => matches!(
                before,
                None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',')
            ),
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(entries: usize) -> String {
        let mut text =
            String::from("version: 1\nowners:\n  a: { kind: person, name: A }\nidentities:\n");
        for i in 0..entries {
            text.push_str(&format!("  - id: id-{i}\n    kind: token\n"));
        }
        text.push_str("# trailing comment\n");
        text
    }

    #[test]
    fn cuts_at_entries_and_keeps_line_numbers() {
        let source = registry(10);
        let plan = plan(&source, 40).unwrap();
        assert!(plan.chunks.len() >= 2);
        assert_eq!(plan.chunks[0].first_line, 5);
        for chunk in &plan.chunks {
            assert!(chunk.text.starts_with("  - id: "));
            let doc = chunk.document();
            let first = doc.lines().nth(chunk.first_line - 1).unwrap();
            assert_eq!(first, chunk.text.lines().next().unwrap());
            assert_eq!(
                doc.lines().nth(chunk.first_line - 2).unwrap(),
                "identities:"
            );
        }
        let joined: String = plan.chunks.iter().map(|c| c.text).collect();
        // Comments after the last entry belong to the last chunk.
        assert_eq!(joined, source[source.find("  - id").unwrap()..]);
        assert_eq!(plan.head.lines().count(), source.lines().count());
        assert!(plan.head.contains("identities:\n\n"));

        let with_suffix = format!("{source}extra: 1\n");
        let plan = super::plan(&with_suffix, 40).unwrap();
        assert!(
            plan.chunks
                .last()
                .unwrap()
                .text
                .ends_with("# trailing comment\n")
        );
        assert!(plan.head.ends_with("\n\nextra: 1\n"));
        assert_eq!(plan.head.lines().count(), with_suffix.lines().count());
    }

    #[test]
    fn chunks_are_about_the_target_size() {
        let source = registry(20);
        let longest = "  - id: id-19\n    kind: token\n".len();
        for target in [40, 100, 250] {
            let plan = plan(&source, target).unwrap();
            let (last, full) = plan.chunks.split_last().unwrap();
            for chunk in full {
                let len = chunk.text.len();
                assert!(len >= target && len < target + longest, "{target}: {len}");
            }
            assert!(last.text.len() < target + longest + "# trailing comment\n".len());
        }
        // Exactly twice the target is large enough, and makes two chunks.
        let even = if source.len().is_multiple_of(2) {
            source.clone()
        } else {
            format!("{source}\n")
        };
        let plan = plan(&even, even.len() / 2).unwrap();
        assert_eq!(plan.chunks.len(), 2);
        // Under twice the target, or a list too short for two chunks: whole.
        assert!(super::plan(&even, even.len() / 2 + 1).is_none());
        let big_head = format!("# {}\n{}", "x".repeat(2000), registry(2));
        assert!(super::plan(&big_head, 100).is_none(), "one chunk only");
    }

    #[test]
    fn unusual_files_take_the_whole_file_path() {
        let base = registry(10);
        assert!(plan(&base, 40).is_some());
        for (what, source) in [
            ("anchor", base.replace("kind: token", "kind: &k token")),
            ("alias", base.replace("kind: token", "kind: *k")),
            ("tag", base.replace("kind: token", "kind: !!str token")),
            ("local tag", base.replace("id: id-4\n", "id: !x id-4\n")),
            (
                "%TAG directive",
                format!("%TAG !e! tag:example.com,2026:\n---\n{base}"),
            ),
            ("%YAML directive", format!("%YAML 1.2\n---\n{base}")),
            (
                "directive after a BOM",
                format!("\u{feff}%YAML 1.2\n---\n{base}"),
            ),
            ("document start", format!("---\n{base}")),
            ("document start with content", format!("--- # c\n{base}")),
            (
                "document end inside the list",
                base.replace("  - id: id-5\n", "...\n  - id: id-5\n"),
            ),
            ("document end", format!("{base}...\n")),
            ("lone CR", base.replace("id-3\n", "id-3\r")),
            ("tab indentation", base.replace("    kind", "\tkind")),
            (
                "inline value",
                base.replace("identities:\n", "identities: # c\n  []\n"),
            ),
            ("second key", format!("{base}identities:\n")),
            ("column-0 dash", format!("{base}- id: x\n")),
            (
                "flow list",
                base.replace("identities:\n", "identities: [\n"),
            ),
        ] {
            assert!(plan(&source, 40).is_none(), "{what} should not be cut");
        }
        assert!(plan(&base, 10_000).is_none(), "too small to cut");
        assert!(plan(&base.replace("R", "R&D"), 40).is_some());
        // Not markers: text that only begins like one.
        assert!(plan(&format!("{base}...x: 1\n"), 40).is_some());
        assert!(plan(&base.replace("kind: token", "kind: wow!"), 40).is_some());
    }
}
