//! Mappings: keys, duplicate keys and merge keys.

use super::tree::{Builder, Fatal};
use super::{KEY_HELP, Key, Node, Pos, Value, YamlError};
use granit_parser::{Event, ScalarStyle};
use std::borrow::Cow;
use std::collections::HashMap;

impl<'a> Builder<'a> {
    /// The entries of a mapping whose start was just read, merge keys applied.
    pub(super) fn mapping(&mut self) -> Result<Vec<(Key<'a>, Node<'a>)>, Fatal> {
        let mut entries: Vec<(Key<'a>, Node<'a>)> = Vec::new();
        let mut index: Option<HashMap<Cow<'a, str>, Pos>> = None;
        let mut merge: Option<(Pos, Vec<Node<'a>>)> = None;
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let is_merge = is_merge_key(&event);
            let key_node = self.node(event, span)?;
            let (event, span) = self.next()?;
            let value = self.node(event, span)?;
            if is_merge {
                self.merge_key(&mut merge, key_node.pos, value);
                continue;
            }
            let Some(key) = self.key(key_node) else {
                continue;
            };
            let first = match &index {
                Some(index) => index.get(&key.text).copied(),
                None => entries
                    .iter()
                    .find(|(k, _)| k.text == key.text)
                    .map(|(k, _)| k.pos),
            };
            if let Some(first) = first {
                self.errors.push(duplicate(&key, first));
                continue;
            }
            if let Some(index) = &mut index {
                index.insert(key.text.clone(), key.pos);
            } else if entries.len() >= 16 {
                let mut map: HashMap<Cow<'a, str>, Pos> = entries
                    .iter()
                    .map(|(k, _)| (k.text.clone(), k.pos))
                    .collect();
                map.insert(key.text.clone(), key.pos);
                index = Some(map);
            }
            entries.push((key, value));
        }
        if let Some((_, sources)) = merge {
            let mut present: std::collections::HashSet<Cow<'a, str>> =
                entries.iter().map(|(k, _)| k.text.clone()).collect();
            entries.extend(merged_entries(sources, &mut present));
        }
        Ok(entries)
    }

    /// A merge key at `pos` with its value: the mappings to merge, or an
    /// error for a second merge key in the mapping.
    pub(super) fn merge_key(
        &mut self,
        merge: &mut Option<(Pos, Vec<Node<'a>>)>,
        pos: Pos,
        value: Node<'a>,
    ) {
        if let Some((first, _)) = merge {
            self.errors.push(YamlError::new(
                pos,
                "duplicate merge key `<<`".to_owned(),
                Some(&format!(
                    "this mapping already merges at {}:{}; merge several mappings with one key: `<<: [*a, *b]`",
                    first.line, first.col
                )),
            ));
            return;
        }
        let sources = self.merge_sources(value);
        *merge = Some((pos, sources));
    }

    /// The mappings a merge key names: one mapping, or a list of them.
    fn merge_sources(&mut self, value: Node<'a>) -> Vec<Node<'a>> {
        let pos = value.pos;
        match value.value {
            Value::Map(_) => vec![value],
            Value::Seq(items) if items.iter().all(|i| matches!(i.value, Value::Map(_))) => items,
            _ => {
                self.errors.push(YamlError::new(
                    pos,
                    "unsupported YAML: a merge key `<<` must name a mapping or a list of mappings"
                        .to_owned(),
                    Some("write `<<: *anchor` where `&anchor` marks a mapping"),
                ));
                Vec::new()
            }
        }
    }

    /// A key node as text; null and collection keys are reported and dropped.
    pub(super) fn key(&mut self, node: Node<'a>) -> Option<Key<'a>> {
        let pos = node.pos;
        let text = match node.value {
            Value::Bool(_, text) | Value::Number(text) | Value::Str(text) => text,
            Value::Null => {
                self.errors.push(YamlError::new(
                    pos,
                    "unsupported YAML: a mapping key is null".to_owned(),
                    Some(KEY_HELP),
                ));
                return None;
            }
            Value::Seq(_) | Value::Map(_) => {
                self.errors.push(YamlError::new(
                    pos,
                    "unsupported YAML: a mapping key is a list or a mapping".to_owned(),
                    Some(KEY_HELP),
                ));
                return None;
            }
        };
        Some(Key { text, pos })
    }
}

/// Whether a key's event is the merge key `<<`: plain and untagged, whatever
/// anchor it carries (the anchor names the key, not the merge).
pub(super) fn is_merge_key(event: &Event<'_>) -> bool {
    matches!(event, Event::Scalar(text, ScalarStyle::Plain, _, None) if text == "<<")
}

/// The entries that merged mappings add to a mapping whose keys are
/// `present`: explicit keys win, and among merged mappings the earlier wins.
pub(super) fn merged_entries<'a>(
    sources: Vec<Node<'a>>,
    present: &mut std::collections::HashSet<Cow<'a, str>>,
) -> Vec<(Key<'a>, Node<'a>)> {
    let mut out = Vec::new();
    for source in sources {
        let Value::Map(merged) = source.value else {
            continue;
        };
        for (key, value) in merged {
            if present.insert(key.text.clone()) {
                out.push((key, value));
            }
        }
    }
    out
}

pub(super) fn duplicate(key: &Key<'_>, first: Pos) -> YamlError {
    YamlError::new(
        key.pos,
        format!("duplicate key `{}`", crate::escape::short(&key.text)),
        Some(&format!(
            "`{}` is already a key of this mapping at {}:{}; a key may appear only once: merge the two entries",
            crate::escape::short(&key.text),
            first.line,
            first.col
        )),
    )
}
