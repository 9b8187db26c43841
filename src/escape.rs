//! Registry strings never reach a terminal raw.
//!
//! Control characters (C0, DEL, C1), invisible format characters (bidi
//! controls, zero-width characters, tag characters), line and paragraph
//! separators, and noncharacters (U+FFFE, U+FFFF, which XML forbids) are
//! shown as `\u{..}` escapes in every human format, so a registry cannot move
//! the cursor, recolour the screen, reorder or hide text, or make a report
//! that its reader rejects.

use std::borrow::Cow;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Characters that must not reach a terminal or a reader's eye unescaped.
pub fn needs_escape(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    let code = c as u32;
    c.is_control()
        || (code & 0xFFFE) == 0xFFFE
        || (0xFDD0..=0xFDEF).contains(&code)
        || matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// The legacy command prefix of CI log parsers (GitHub's runner reads
/// `##[command]` anywhere in a line), written as `##\u{5b}` wherever it occurs.
pub const LEGACY_COMMAND: &str = "##[";

/// Escapes characters that could alter a terminal or the reading order of
/// text, and the `##[` that a CI runner would read as a command.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) && !text.contains(LEGACY_COMMAND) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '[' if text[..i].ends_with("##") => out.push_str("\\u{5b}"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A registry string as echoed in a message: its first 64 characters, then
/// `…`, so that a huge value cannot flood a terminal or a log.
pub fn short(text: &str) -> Cow<'_, str> {
    const KEEP: usize = 64;
    match text.char_indices().nth(KEEP) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

#[cfg(test)]
mod tests {
    use super::{escape, short};

    #[test]
    fn shortens_long_echoes() {
        assert_eq!(short("team-ä"), "team-ä");
        let long = "ä".repeat(100);
        assert_eq!(short(&long), format!("{}…", "ä".repeat(64)));
        assert_eq!(short(&"x".repeat(64)), "x".repeat(64));
    }

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(escape("a\x1b[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("x\r\n::error::y"), "x\\r\\n::error::y");
        assert_eq!(escape("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(escape("\u{9b}c1"), "\\u{9b}c1");
        // Invisible and XML-forbidden characters.
        assert_eq!(escape("a\u{200b}b\u{2060}"), "a\\u{200b}b\\u{2060}");
        assert_eq!(escape("k\u{fffe}\u{ffff}"), "k\\u{fffe}\\u{ffff}");
        assert_eq!(escape("\u{10fffe}\u{fdd0}"), "\\u{10fffe}\\u{fdd0}");
        assert_eq!(
            escape("\u{e0041}\u{ad}\u{2029}"),
            "\\u{e0041}\\u{ad}\\u{2029}"
        );
        assert_eq!(escape("ünï ☃ 日本"), "ünï ☃ 日本");
        // The legacy CI command prefix, anywhere.
        assert_eq!(escape("x##[error]y"), "x##\\u{5b}error]y");
        assert_eq!(escape("###[a] #[b] ##x["), "###\\u{5b}a] #[b] ##x[");
    }
}
