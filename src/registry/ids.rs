//! Ids (SPEC §1): what makes one invalid.

/// A character with no visible glyph that is not a space or a format
/// character: a default-ignorable code point (Hangul fillers, variation
/// selectors, the combining grapheme joiner: the UTS #39 skeleton drops it),
/// or U+2800 BRAILLE PATTERN BLANK.
fn prints_as_nothing(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut one = [0u8; 4];
    c == '\u{2800}'
        || unicode_security::confusable_detection::skeleton(c.encode_utf8(&mut one))
            .next()
            .is_none()
}

/// Longest id, in bytes (SPEC §1).
pub const MAX_ID_BYTES: usize = 256;

/// What makes `id` invalid, if anything: ids are non-empty, at most 256
/// bytes, without whitespace, control or format characters (Unicode Z*, Cc,
/// Cf: no zero-width spaces, no bidi controls), and without characters that
/// print as nothing (default-ignorable code points, which confusable
/// skeletons drop, and the blank U+2800), so that two ids that print the
/// same are the same id. (Canonically equivalent ids are made equal before:
/// ids are read in Unicode NFC.)
pub fn id_problem(id: &str) -> Option<String> {
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
    if id.is_empty() {
        return Some("is empty".to_owned());
    }
    if id.len() > MAX_ID_BYTES {
        return Some(format!("is {} bytes long, over {MAX_ID_BYTES}", id.len()));
    }
    let invisible = |c: char| {
        if c.is_ascii() {
            return c.is_ascii_whitespace() || c.is_ascii_control() || c == ' ';
        }
        c.is_whitespace()
            || c.general_category_group() == GeneralCategoryGroup::Separator
            || matches!(
                c.general_category(),
                GeneralCategory::Control | GeneralCategory::Format
            )
            || prints_as_nothing(c)
    };
    let (at, c) = id.char_indices().find(|&(_, c)| invisible(c))?;
    let what = if c.is_whitespace() || c.general_category_group() == GeneralCategoryGroup::Separator
    {
        "whitespace"
    } else if c.general_category() == GeneralCategory::Control {
        "a control character"
    } else if c.general_category() == GeneralCategory::Format {
        "an invisible format character"
    } else {
        "a character that prints as nothing"
    };
    Some(format!(
        "contains {what} (U+{:04X}) at character {}",
        c as u32,
        id[..at].chars().count() + 1
    ))
}
