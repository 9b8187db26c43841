//! Completion. What is being typed is read from the text itself, so that it
//! works in a half-typed file that does not load; the owner ids come from the
//! last analysis of the registry that loaded.

use super::text::{Encoding, Text};
use crate::catalogue::RuleId;
use crate::keyword::Keyword;
use crate::registry::{IdentityKind, IdentityStatus, OwnerKind, OwnerStatus, Registry};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionTextEdit, Position, Range,
    TextEdit,
};

/// Most items offered at once; the list is marked incomplete past it, so
/// the editor asks again as the user types.
const MAX_ITEMS: usize = 200;

/// What the value being typed is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// An owner id: a role, a team member, an approver.
    Owner,
    /// A rule that can be excepted (`exceptions[].rule`).
    ExceptableRule,
    IdentityKind,
    IdentityStatus,
    OwnerKind,
    OwnerStatus,
}

/// The slot being typed at a position, with the typed prefix's start
/// (0-based character index on the line).
pub fn slot_at(text: &Text, line: usize, at: usize) -> Option<(Slot, usize)> {
    // Past the last line there is nothing typed, and no line above to read
    // back to (a client's line can be any number).
    if line >= text.lines() {
        return None;
    }
    let line_text = text.line(line);
    let before: String = line_text.chars().take(at).collect();
    let section = section(text, line);
    // The typed value: the characters back to a space, `[`, `,`, `{` or `:`.
    let prefix_len = before
        .chars()
        .rev()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '[' | ',' | '{' | ':' | '"' | '\''))
        .count();
    let start = at - prefix_len;
    let head: String = before.chars().take(start).collect();
    let head = head.trim_end().trim_end_matches(['"', '\'']);
    let indent = line_text.chars().take_while(|c| *c == ' ').count();
    let key = if let Some(rest) = head.strip_suffix(':') {
        // `key: |`, `- key: |`, `{ a: b, key: |`
        last_key(rest)
    } else if head.ends_with('[') || head.ends_with(',') {
        // A flow sequence: `members: [a, |`
        head.rfind('[')
            .and_then(|i| last_key(head[..i].trim_end().strip_suffix(':')?))
    } else if head.trim_start() == "-" {
        // A block sequence item: its key is on an earlier, less indented line.
        parent_key(text, line, indent)
    } else {
        None
    }?;
    let slot = match (key.as_str(), section.as_deref()) {
        ("policy" | "technical" | "revocation", Some("identities")) if indent > 0 => Slot::Owner,
        ("members", Some("owners")) | ("approved_by", Some("identities")) => Slot::Owner,
        ("rule", Some("identities")) => Slot::ExceptableRule,
        ("kind", Some("identities")) => Slot::IdentityKind,
        ("status", Some("identities")) => Slot::IdentityStatus,
        ("kind", Some("owners")) => Slot::OwnerKind,
        ("status", Some("owners")) => Slot::OwnerStatus,
        _ => return None,
    };
    Some((slot, start))
}

/// The key a `rest` of text ends with: `  - technical` → `technical`.
fn last_key(rest: &str) -> Option<String> {
    let key: String = rest
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!key.is_empty()).then_some(key)
}

/// The key of the block sequence an item at `indent` belongs to: the first
/// earlier line less indented (or as indented, YAML's compact sequences)
/// that ends with `key:`.
fn parent_key(text: &Text, line: usize, indent: usize) -> Option<String> {
    for above in (0..line.min(text.lines())).rev() {
        let l = text.line(above);
        let trimmed = l.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let own = l.chars().take_while(|c| *c == ' ').count();
        if own > indent {
            continue;
        }
        if own == indent && trimmed.starts_with('-') {
            continue;
        }
        return last_key(trimmed.strip_suffix(':')?);
    }
    None
}

/// The top-level key (`identities`, `owners`, `policy`) whose block holds a line.
fn section(text: &Text, line: usize) -> Option<String> {
    for above in (0..line.min(text.lines())).rev() {
        let l = text.line(above);
        if l.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return l.split(':').next().map(|k| k.trim().to_owned());
        }
    }
    None
}

/// The items for a slot, those starting with `prefix` first.
pub fn complete(
    text: &Text,
    position: Position,
    encoding: Encoding,
    registry: Option<&Registry>,
) -> Option<CompletionList> {
    let (line, at) = text.char_at(position, encoding);
    let (slot, start) = slot_at(text, line, at)?;
    let prefix: String = text
        .line(line)
        .chars()
        .skip(start)
        .take(at - start)
        .collect();
    let range = Range::new(text.range(line, start, at, encoding).start, position);
    let words: Vec<(String, String, CompletionItemKind)> = match slot {
        Slot::Owner => registry?
            .owners
            .iter()
            .map(|o| {
                let mut detail = format!("{} · {}", o.kind.value, o.status);
                if let Some(name) = &o.name {
                    detail.push_str(" · ");
                    detail.push_str(&crate::escape::escape(&name.value));
                }
                (o.id.value.clone(), detail, CompletionItemKind::VALUE)
            })
            .collect(),
        Slot::ExceptableRule => RuleId::ALL
            .iter()
            .filter(|r| r.group().exceptable())
            .map(|r| {
                let info = r.info();
                (
                    r.to_string(),
                    info.summary.to_owned(),
                    CompletionItemKind::ENUM_MEMBER,
                )
            })
            .collect(),
        Slot::IdentityKind => keywords::<IdentityKind>("identity kind"),
        Slot::IdentityStatus => keywords::<IdentityStatus>("identity status"),
        Slot::OwnerKind => keywords::<OwnerKind>("owner kind"),
        Slot::OwnerStatus => keywords::<OwnerStatus>("owner status"),
    };
    let mut matching: Vec<_> = words
        .into_iter()
        .filter(|(word, _, _)| word.starts_with(&prefix))
        .collect();
    let incomplete = matching.len() > MAX_ITEMS;
    matching.truncate(MAX_ITEMS);
    // Inserted as YAML that reads back as the word: inside the quotes the
    // user opened, else plain when plain is safe, else quoted.
    let before = start
        .checked_sub(1)
        .and_then(|i| text.line(line).chars().nth(i));
    let written = |word: &str| match before {
        Some('"') => word.replace('\\', "\\\\").replace('"', "\\\""),
        Some('\'') => word.replace('\'', "''"),
        _ => super::actions::quoted_like(None, word),
    };
    let items = matching
        .into_iter()
        .map(|(word, detail, kind)| CompletionItem {
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                range,
                written(&word),
            ))),
            label: word,
            kind: Some(kind),
            detail: Some(detail),
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionList {
        is_incomplete: incomplete,
        items,
    })
}

fn keywords<K: Keyword + std::fmt::Display>(
    what: &str,
) -> Vec<(String, String, CompletionItemKind)> {
    K::ALL
        .iter()
        .map(|k| {
            (
                k.to_string(),
                what.to_owned(),
                CompletionItemKind::ENUM_MEMBER,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(text: &str) -> Option<(Slot, usize)> {
        // `|` marks the cursor.
        let line = text.lines().position(|l| l.contains('|')).unwrap_or(0);
        let at = text
            .lines()
            .nth(line)
            .and_then(|l| l.find('|'))
            .unwrap_or(0);
        let text = Text::new(text.replace('|', ""));
        slot_at(&text, line, at)
    }

    const HEAD: &str = "version: 1\nowners:\n  team-a:\n    kind: team\n    members: [p1, |\n";

    #[test]
    fn slots_are_read_from_half_typed_text() {
        assert_eq!(slot(HEAD), Some((Slot::Owner, 18)));
        let identities = "identities:\n  - id: x\n    kind: to|\n";
        assert_eq!(slot(identities), Some((Slot::IdentityKind, 10)));
        let roles = "identities:\n  - id: x\n    owners:\n      technical: te|";
        assert_eq!(slot(roles), Some((Slot::Owner, 17)));
        let members = "owners:\n  t:\n    members:\n      - p|\n";
        assert_eq!(slot(members), Some((Slot::Owner, 8)));
        let exception = "identities:\n  - id: x\n    exceptions:\n      - rule: |\n";
        assert_eq!(slot(exception), Some((Slot::ExceptableRule, 14)));
        let owner_kind = "owners:\n  t: { kind: |";
        assert_eq!(slot(owner_kind), Some((Slot::OwnerKind, 13)));
        // The top-level `policy` block is no role.
        assert_eq!(slot("policy: |"), None);
        assert_eq!(slot("identities:\n  - id: |"), None);
    }

    #[test]
    fn a_line_far_past_the_end_is_no_slot() {
        let text = Text::new("owners:\n  t:\n    members:\n      - p\n".to_owned());
        assert_eq!(slot_at(&text, u32::MAX as usize, u32::MAX as usize), None);
        let far = Position::new(u32::MAX, u32::MAX);
        assert!(complete(&text, far, Encoding::Utf16, None).is_none());
    }
}
