//! Registry strings never reach a terminal raw.
//!
//! Control characters (C0, DEL, C1), line and paragraph separators and bidi
//! controls are shown as `\u{..}` escapes in every human format, so a
//! registry cannot move the cursor, recolour the screen or reorder text.

use std::borrow::Cow;

/// Characters that must not reach a terminal or a reader's eye unescaped.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Escapes characters that could alter a terminal or the reading order of text.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
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
    }
}
