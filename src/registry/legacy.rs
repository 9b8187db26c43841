//! The earlier YAML layer, on serde-saphyr's deserializer: kept beside
//! [`super::yaml`] so that a differential test can show the two read every
//! registry alike. It streams into the same [`yaml::DocumentSink`], turning
//! serde-saphyr's `Spanned` values into [`yaml::Node`]s.

use super::yaml::{self, Pos};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::borrow::Cow;
use std::fmt;

type Node<'de> = Spanned<Value<'de>>;
type Key<'de> = Spanned<Text<'de>>;

/// Scalar text, borrowed from the source when the YAML spells it as is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Text<'de>(Cow<'de, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

#[derive(Debug)]
enum Value<'de> {
    Null,
    Bool(bool),
    /// Integers and floats: their text is read back from the source when needed.
    Number,
    Str(Text<'de>),
    Seq(Vec<Node<'de>>),
    Map(Vec<(Key<'de>, Node<'de>)>),
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value<'de>, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value<'de>, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Value<'de>, E> {
        Ok(Value::Number)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Value<'de>, E> {
        Ok(Value::Number)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Value<'de>, E> {
        Ok(Value::Number)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Value<'de>, E> {
        Ok(Value::Number)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value<'de>, E> {
        Ok(Value::Number)
    }
    fn visit_char<E>(self, v: char) -> Result<Value<'de>, E> {
        Ok(Value::Str(Text(Cow::Owned(v.to_string()))))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Value<'de>, E> {
        Ok(Value::Str(Text(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value<'de>, E> {
        Ok(Value::Str(Text(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E>(self, v: String) -> Result<Value<'de>, E> {
        Ok(Value::Str(Text(Cow::Owned(v))))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value<'de>, E> {
        Err(E::custom("binary values are not allowed in a registry"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<'de>, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Value<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

/// Receives a registry document piece by piece.
trait DocumentSink {
    /// A top-level key other than `identities`, with its value.
    fn top_level(&mut self, key: Key<'_>, value: Node<'_>);
    /// The `identities` key itself (before its entries).
    fn identities_key(&mut self, key: &Key<'_>);
    /// One entry of `identities`.
    fn identity(&mut self, entry: Node<'_>);
    /// `identities` is not a list (`found` says what it is instead).
    fn identities_not_list(&mut self, found: &'static str);
}

use yaml::Root;

/// Streams a whole document into a sink.
struct DocumentSeed<'s, S>(&'s mut S);

impl<'de, S: DocumentSink> DeserializeSeed<'de> for DocumentSeed<'_, S> {
    type Value = Root;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Root, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: DocumentSink> Visitor<'de> for DocumentSeed<'_, S> {
    type Value = Root;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a registry mapping")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Root, A::Error> {
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if key.value == "identities" {
                self.0.identities_key(&key);
                map.next_value_seed(IdentitiesSeed(&mut *self.0))?;
            } else {
                let value = map.next_value::<Node<'de>>()?;
                self.0.top_level(key, value);
            }
        }
        Ok(Root::Mapping)
    }
    fn visit_unit<E>(self) -> Result<Root, E> {
        Ok(Root::Empty)
    }
    fn visit_none<E>(self) -> Result<Root, E> {
        Ok(Root::Empty)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Root, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Root::Other("a list"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Root, E> {
        Ok(Root::Other("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Root, E> {
        Ok(Root::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Root, E> {
        Ok(Root::Other("a number"))
    }
    fn visit_i128<E>(self, _: i128) -> Result<Root, E> {
        Ok(Root::Other("a number"))
    }
    fn visit_u128<E>(self, _: u128) -> Result<Root, E> {
        Ok(Root::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Root, E> {
        Ok(Root::Other("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Root, E> {
        Ok(Root::Other("a string"))
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<Root, E> {
        Ok(Root::Other("binary data"))
    }
}

struct IdentitiesSeed<'s, S>(&'s mut S);

impl<'de, S: DocumentSink> DeserializeSeed<'de> for IdentitiesSeed<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: DocumentSink> Visitor<'de> for IdentitiesSeed<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of identities")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Node<'de>>()? {
            self.0.identity(entry);
        }
        Ok(())
    }
    // `identities:` with no value is an empty registry section, like an absent key.
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        self.0.identities_not_list("a mapping");
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.0.identities_not_list("a boolean");
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.0.identities_not_list("a number");
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.0.identities_not_list("a number");
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.0.identities_not_list("a number");
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.0.identities_not_list("a string");
        Ok(())
    }
}

/// Streams one document through serde-saphyr into `sink`.
pub fn parse(source: &str, sink: &mut dyn yaml::DocumentSink) -> yaml::Parsed {
    let mut bridge = Bridge { sink, source };
    let result = serde_saphyr::with_deserializer_from_str_with_options(
        source,
        parse_options(source.len()),
        |de| DocumentSeed(&mut bridge).deserialize(de),
    );
    match result {
        Ok(root) => yaml::Parsed {
            root: Some(root),
            errors: Vec::new(),
        },
        Err(e) => yaml::Parsed {
            root: None,
            errors: vec![yaml_error(source, &e)],
        },
    }
}

/// Hands serde-saphyr's values to a sink of the YAML layer.
struct Bridge<'s, 'src> {
    sink: &'s mut dyn yaml::DocumentSink,
    source: &'src str,
}

impl Bridge<'_, '_> {
    fn pos(location: &serde_saphyr::Location) -> Pos {
        Pos {
            line: u32::try_from(location.line()).unwrap_or(u32::MAX).max(1),
            col: u32::try_from(location.column()).unwrap_or(u32::MAX).max(1),
        }
    }

    fn key<'de>(key: Key<'de>) -> yaml::Key<'de> {
        yaml::Key {
            pos: Self::pos(&key.referenced),
            text: key.value.0,
        }
    }

    /// The text of a number or boolean as written, read back from the source.
    fn written(&self, node: &Node<'_>) -> Cow<'static, str> {
        let span = node.defined.span();
        let text = (|| {
            let start = usize::try_from(span.byte_offset()?).ok()?;
            let len = usize::try_from(span.byte_len()?).ok()?;
            self.source.get(start..start + len)
        })();
        Cow::Owned(text.unwrap_or_default().to_owned())
    }

    fn node<'de>(&self, node: Node<'de>) -> yaml::Node<'de> {
        let pos = Self::pos(&node.referenced);
        let value = match node.value {
            Value::Null => yaml::Value::Null,
            Value::Bool(b) => yaml::Value::Bool(b, self.written(&node)),
            Value::Number => yaml::Value::Number(self.written(&node)),
            Value::Str(text) => yaml::Value::Str(text.0),
            Value::Seq(items) => {
                yaml::Value::Seq(items.into_iter().map(|i| self.node(i)).collect())
            }
            Value::Map(entries) => yaml::Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (Self::key(k), self.node(v)))
                    .collect(),
            ),
        };
        yaml::Node { value, pos }
    }
}

impl DocumentSink for Bridge<'_, '_> {
    fn top_level(&mut self, key: Key<'_>, value: Node<'_>) {
        let value = self.node(value);
        self.sink.top_level(Self::key(key), value);
    }
    fn identities_key(&mut self, key: &Key<'_>) {
        self.sink.identities_key(&yaml::Key {
            pos: Self::pos(&key.referenced),
            text: Cow::Borrowed(key.value.as_str()),
        });
    }
    fn identity(&mut self, entry: Node<'_>) {
        let entry = self.node(entry);
        self.sink.identity(entry);
    }
    fn identities_not_list(&mut self, found: &'static str) {
        self.sink.identities_not_list(found);
    }
}

/// serde-saphyr options: YAML 1.2 core booleans, and a budget that grows with the
/// input so that large registries load while alias bombs still stop early.
fn parse_options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // What aliases expand is capped by the input's size. Without aliases a
    // value takes at least two bytes of input (`a,`) and an event one byte;
    // aliases may expand a file to about four times that, which honest sharing
    // (one owners block for many identities, merge keys) never reaches and a
    // bomb, which multiplies, soon does. The defaults are floors for small files.
    budget.max_nodes = budget.max_nodes.max(len.saturating_mul(2));
    budget.max_events = budget.max_events.max(len.saturating_mul(4));
    budget.max_total_scalar_bytes = len.saturating_mul(4).max(MIN_SCALAR_BUDGET);
    budget.max_recorded_anchor_events =
        budget.max_recorded_anchor_events.max(len.saturating_mul(4));
    budget.max_recorded_anchor_bytes = budget.max_recorded_anchor_bytes.max(len.saturating_mul(4));
    // Each alias, anchor and merge key takes bytes of the input, so a count
    // cap can only reject honest files; what they expand is capped above. For
    // the same reason the alias-to-anchor ratio is not checked: a registry
    // that shares one owners block among all its identities is not a bomb.
    budget.max_aliases = budget.max_aliases.max(len);
    budget.max_anchors = budget.max_anchors.max(len);
    budget.max_merge_keys = budget.max_merge_keys.max(len);
    budget.enforce_alias_anchor_ratio = false;
    budget.max_documents = 2;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = options
        .alias_limits
        .max_total_replayed_events
        .max(len.saturating_mul(4));
    options.strict_booleans = true;
    // `.inf` and `.nan` are numbers like any other: read as their text where a
    // string is expected, a type error elsewhere; never a YAML error.
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::PassThrough;
    // YAML 1.2 proper: under-indented flow collections and scalars are errors.
    options.strict_indentation = true;
    // Tags are annotations here; `!!binary` text is kept as written.
    options.ignore_binary_tag_for_string = true;
    options.with_snippet = false;
    options
}

const EXPANSION_HELP: &str =
    "anchors and aliases may share values, not multiply them; expand them or split the file";

/// Text that aliases may expand to in a file of any size: a few shared
/// descriptions, not a bomb.
const MIN_SCALAR_BUDGET: usize = 8 * 1024 * 1024;

fn yaml_error(source: &str, e: &serde_saphyr::Error) -> yaml::YamlError {
    use serde_saphyr::Error as E;
    let (line, col) = match e.location() {
        // serde-saphyr gives no location rather than an unknown one; a
        // position is never shown as line 0 all the same.
        Some(l) => (
            u32::try_from(l.line()).unwrap_or(u32::MAX).max(1),
            u32::try_from(l.column()).unwrap_or(u32::MAX).max(1),
        ),
        None => super::files::end_position(source),
    };
    let (message, help) = match innermost(e) {
        E::DuplicateMappingKey { key, .. } => (
            match key {
                Some(k) => format!("duplicate key `{k}`"),
                None => "duplicate mapping key".to_owned(),
            },
            Some("a key may appear only once in a mapping; merge the two entries".to_owned()),
        ),
        E::MultipleDocuments { .. } => (
            "file holds more than one YAML document".to_owned(),
            Some("a registry file is one document: split it into several files in a directory".to_owned()),
        ),
        E::Budget {
            breach: serde_saphyr::budget::BudgetBreach::Depth { depth },
            ..
        } => (
            format!("YAML nested too deeply: {depth} levels"),
            Some("a registry needs a handful of levels; flatten the structure".to_owned()),
        ),
        E::Budget { breach, .. } => (
            format!("YAML too large to expand safely: {}", describe_breach(breach)),
            Some(EXPANSION_HELP.to_owned()),
        ),
        E::AliasReplayLimitExceeded { max_total_replayed_events, .. } => (
            format!("YAML too large to expand safely: aliases expand it to over {max_total_replayed_events} YAML events"),
            Some(EXPANSION_HELP.to_owned()),
        ),
        E::AliasExpansionLimitExceeded { .. } => (
            format!("YAML too large to expand safely: {}", plain_message(innermost(e))),
            Some(EXPANSION_HELP.to_owned()),
        ),
        // Valid YAML that a registry cannot hold: keys are strings, values are text.
        E::NullIntoString { .. } => (
            "unsupported YAML: a mapping key is null".to_owned(),
            Some("every key of a registry is a string, such as `id` or an owner id".to_owned()),
        ),
        E::Unexpected { expected: "string scalar", .. } => (
            "unsupported YAML: a mapping key is a list or a mapping".to_owned(),
            Some("every key of a registry is a string, such as `id` or an owner id".to_owned()),
        ),
        E::TaggedScalarCannotDeserializeIntoString { .. } | E::BytesNotSupportedMissingBinaryTag { .. } => (
            "unsupported YAML: a tag that makes this value something other than text".to_owned(),
            Some("remove the tag: registry values, dates included, are written plainly, such as `2026-11-01`".to_owned()),
        ),
        _ => (format!("invalid YAML: {}", plain_message(innermost(e))), None),
    };
    yaml::YamlError {
        pos: Pos { line, col },
        message,
        help,
    }
}

/// Which limit of the YAML budget a file went over, in words.
fn describe_breach(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Nodes { nodes } => format!(
            "aliases expand it to over {} values",
            nodes.saturating_sub(1)
        ),
        B::Events { events } => format!(
            "aliases expand it to over {} YAML events",
            events.saturating_sub(1)
        ),
        B::ScalarBytes { total_scalar_bytes } => format!(
            "aliases expand it to {} MiB of text or more",
            total_scalar_bytes / (1024 * 1024)
        ),
        B::RecordedAnchorEvents {
            recorded_anchor_events,
        } => format!(
            "anchored values hold over {} YAML events",
            recorded_anchor_events.saturating_sub(1)
        ),
        other => format!("the YAML budget was exceeded ({other:?})"),
    }
}

/// The original error inside snippet and alias wrappers.
fn innermost(mut e: &serde_saphyr::Error) -> &serde_saphyr::Error {
    loop {
        match e {
            serde_saphyr::Error::WithSnippet { error, .. }
            | serde_saphyr::Error::AliasError { error, .. } => e = error,
            other => return other,
        }
    }
}

/// serde-saphyr's message without the ` at line N, column M` it appends: the
/// position is already given as `file:line:col`.
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    match text.rsplit_once(" at line ") {
        Some((message, position)) if is_line_and_column(position) => message.to_owned(),
        _ => text.to_owned(),
    }
}

/// Whether `text` is `N, column M`.
fn is_line_and_column(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    text.split_once(", column ")
        .is_some_and(|(line, column)| digits(line) && digits(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error serde-saphyr cannot place points just past the end of the file.
    #[test]
    fn an_error_without_a_position_points_past_the_end() {
        let e = <serde_saphyr::Error as de::Error>::custom("boom");
        let error = yaml_error("version: 1\r\nab\rcdé", &e);
        assert_eq!((error.pos.line, error.pos.col), (3, 4), "{error:?}");
        assert_eq!(error.message, "invalid YAML: boom");
        let error = yaml_error("", &e);
        assert_eq!((error.pos.line, error.pos.col), (1, 1), "{error:?}");
    }

    /// serde-saphyr's ` at line N, column M` suffix is dropped (the position
    /// is shown as `file:line:col`); text that only looks like it is kept.
    #[test]
    fn messages_lose_only_a_position_suffix() {
        let plain = |text: &str| plain_message(&<serde_saphyr::Error as de::Error>::custom(text));
        assert_eq!(
            plain("unclosed quote at line 3, column 14"),
            "unclosed quote"
        );
        for kept in [
            "a key at line two",
            "a key at line 3, column ",
            "a key at line , column 4",
            "a key at line 3a, column 4",
            "a key at line 3, column 4b",
        ] {
            assert_eq!(plain(kept), kept);
        }
    }
}
