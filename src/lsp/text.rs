//! Positions: the loader counts lines and characters from 1; LSP counts
//! from 0, in UTF-16 code units unless the client agreed to another
//! encoding. A line ends at LF, CRLF or a lone CR, in YAML and in LSP alike.

use lsp_types::{Position, Range};

/// How the client counts characters within a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// A document's text with the start of each line, for converting positions.
#[derive(Debug, Clone, Default)]
pub struct Text {
    pub text: String,
    /// Byte offset of each line's first character.
    starts: Vec<usize>,
    /// Whether the text starts with a byte order mark, which the loader does
    /// not count as a character of line 1 and the editor does.
    bom: bool,
}

const BOM: char = '\u{feff}';

impl Text {
    pub fn new(text: String) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    starts.push(i);
                }
                b'\r' | b'\n' => {
                    i += 1;
                    starts.push(i);
                }
                _ => i += 1,
            }
        }
        let bom = text.starts_with(BOM);
        Text { text, starts, bom }
    }

    /// The units a line's text starts after: the byte order mark's, on line 1.
    fn skipped(&self, line: usize, encoding: Encoding) -> u32 {
        if self.bom && line == 0 {
            encoding.width(BOM)
        } else {
            0
        }
    }

    /// The text of a line (0-based), without its line break; empty past the end.
    pub fn line(&self, line: usize) -> &str {
        let Some(&start) = self.starts.get(line) else {
            return "";
        };
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let text = self.text[start..end].trim_end_matches(['\r', '\n']);
        if line == 0 && self.bom {
            text.strip_prefix(BOM).unwrap_or(text)
        } else {
            text
        }
    }

    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// The LSP position of the loader's 1-based `line` and character `col`
    /// (0 for either: the start of the file or the line).
    pub fn position(&self, line: u32, col: u32, encoding: Encoding) -> Position {
        let index = line.saturating_sub(1) as usize;
        let text = self.line(index);
        let units: u32 = text
            .chars()
            .take(col.saturating_sub(1) as usize)
            .map(|c| encoding.width(c))
            .sum();
        Position::new(index as u32, units + self.skipped(index, encoding))
    }

    /// The range of the characters `[start, end)` (0-based) of a 0-based line.
    pub fn range(&self, line: usize, start: usize, end: usize, encoding: Encoding) -> Range {
        let text = self.line(line);
        let skipped = self.skipped(line, encoding);
        let units =
            |n: usize| skipped + text.chars().take(n).map(|c| encoding.width(c)).sum::<u32>();
        Range::new(
            Position::new(line as u32, units(start)),
            Position::new(line as u32, units(end)),
        )
    }

    /// The 0-based line and character index of an LSP position (a position
    /// inside a character or past the end of the line is the next character,
    /// or the end of the line).
    pub fn char_at(&self, position: Position, encoding: Encoding) -> (usize, usize) {
        let line = position.line as usize;
        let mut units = self.skipped(line, encoding);
        let mut chars = 0;
        for c in self.line(line).chars() {
            if units >= position.character {
                break;
            }
            units += encoding.width(c);
            chars += 1;
        }
        (line, chars)
    }

    /// The byte offset of an LSP position, clamped to the text.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let (_, chars) = self.char_at(position, encoding);
        let index = position.line as usize;
        if self.skipped(index, encoding) > position.character {
            return start;
        }
        let start = if index == 0 && self.bom {
            start + BOM.len_utf8()
        } else {
            start
        };
        let line = self.line(index);
        start
            + line
                .char_indices()
                .nth(chars)
                .map_or(line.len(), |(i, _)| i)
    }
}

/// Applies an incremental change (a range replaced by `new`) to a document.
pub fn apply_change(text: &Text, range: Range, new: &str, encoding: Encoding) -> Text {
    let start = text.offset(range.start, encoding);
    let end = text.offset(range.end, encoding).max(start);
    let mut out = String::with_capacity(text.text.len() + new.len());
    out.push_str(&text.text[..start]);
    out.push_str(new);
    out.push_str(&text.text[end..]);
    Text::new(out)
}

/// The end (0-based character index, exclusive) of the scalar that starts at
/// character `start` of `line`: a quoted one to its closing quote, a plain
/// one to a comment, a `: `, a flow indicator or the end of the line.
pub fn token_end(line: &str, start: usize) -> usize {
    let chars: Vec<char> = line.chars().collect();
    let Some(&first) = chars.get(start) else {
        return start;
    };
    let mut i = start + 1;
    match first {
        '"' => {
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 2,
                    '"' => return i + 1,
                    _ => i += 1,
                }
            }
            chars.len()
        }
        '\'' => {
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            chars.len()
        }
        _ => {
            while i < chars.len() {
                let c = chars[i];
                let next = chars.get(i + 1).copied();
                if matches!(c, ',' | ']' | '}')
                    || (c == ':' && next.is_none_or(char::is_whitespace))
                    || (c == '#' && chars[i - 1].is_whitespace())
                {
                    break;
                }
                i += 1;
            }
            while i > start + 1 && chars[i - 1].is_whitespace() {
                i -= 1;
            }
            i
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        // `é` is one unit, `𝒜` two: the value after them starts at unit 13.
        let text = Text::new("a: 1\nname: é𝒜 x: team-paymnets\n".to_owned());
        assert_eq!(text.position(2, 11, Encoding::Utf16), Position::new(1, 11));
        assert_eq!(text.position(2, 11, Encoding::Utf8), Position::new(1, 14));
        assert_eq!(text.position(2, 11, Encoding::Utf32), Position::new(1, 10));
        assert_eq!(text.char_at(Position::new(1, 11), Encoding::Utf16), (1, 10));
        assert_eq!(text.char_at(Position::new(1, 10), Encoding::Utf16), (1, 9));
    }

    #[test]
    fn a_byte_order_mark_is_counted_by_the_editor_only() {
        // The loader puts `tokn` at line 1, column 34; the editor, which
        // counts the mark, at unit 34.
        let text = Text::new("\u{feff}{version: 1, identities: [{kind: tokn}]}".to_owned());
        assert_eq!(text.line(0).chars().nth(33), Some('t'));
        assert_eq!(text.position(1, 34, Encoding::Utf16), Position::new(0, 34));
        assert_eq!(
            text.range(0, 34, 38, Encoding::Utf8).start,
            Position::new(0, 37)
        );
        assert_eq!(text.char_at(Position::new(0, 34), Encoding::Utf16), (0, 33));
        let changed = apply_change(
            &text,
            Range::new(Position::new(0, 34), Position::new(0, 38)),
            "token",
            Encoding::Utf16,
        );
        assert_eq!(
            changed.text,
            "\u{feff}{version: 1, identities: [{kind: token}]}"
        );
    }

    #[test]
    fn lines_end_at_lf_crlf_and_cr() {
        let text = Text::new("a\r\nb\rc\nd".to_owned());
        assert_eq!(text.lines(), 4);
        assert_eq!(
            [
                text.line(0),
                text.line(1),
                text.line(2),
                text.line(3),
                text.line(4)
            ],
            ["a", "b", "c", "d", ""]
        );
    }

    #[test]
    fn changes_apply_at_utf16_positions() {
        let text = Text::new("x: 𝒜b\nc\n".to_owned());
        let range = Range::new(Position::new(0, 6), Position::new(1, 0));
        let changed = apply_change(&text, range, "!\n", Encoding::Utf16);
        assert_eq!(changed.text, "x: 𝒜b!\nc\n");
        // A position past the end is clamped.
        let range = Range::new(Position::new(9, 0), Position::new(9, 3));
        assert_eq!(
            apply_change(&text, range, "z", Encoding::Utf16).text,
            "x: 𝒜b\nc\nz"
        );
    }

    #[test]
    fn scalars_end_where_yaml_ends_them() {
        let end = |line: &str, start| token_end(line, start);
        assert_eq!(end("    technical: team-a  # c", 15), 21);
        assert_eq!(end("  members: [a-b, c]", 12), 15);
        assert_eq!(end("  team-a:", 2), 8);
        assert_eq!(end(r#"  x: "a\"b" "#, 5), 11);
        assert_eq!(end("  x: 'it''s'", 5), 12);
        assert_eq!(end("  x: a:b", 5), 8);
        assert_eq!(end("x", 5), 5);
    }
}
