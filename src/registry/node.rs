//! A located YAML node tree, built by serde-saphyr, that keeps every value's
//! position so that conversion can report all problems with `file:line:col`.
//!
//! The document is streamed: top-level keys are handed to a [`DocumentSink`]
//! one at a time, and each entry of `identities` is built, handed over and
//! dropped, so a registry of a million identities never exists as one tree.

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::borrow::Cow;
use std::fmt;

pub type Node<'de> = Spanned<Value<'de>>;
pub type Key<'de> = Spanned<Text<'de>>;

/// Scalar text, borrowed from the source when the YAML spells it as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<'de>(pub Cow<'de, str>);

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
pub enum Value<'de> {
    Null,
    Bool(bool),
    /// Integers and floats: their text is read back from the source when needed.
    Number,
    Str(Text<'de>),
    Seq(Vec<Node<'de>>),
    Map(Vec<(Key<'de>, Node<'de>)>),
}

impl Value<'_> {
    /// "a mapping", "a list", … — for type errors.
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
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
pub trait DocumentSink {
    /// A top-level key other than `identities`, with its value.
    fn top_level(&mut self, key: Key<'_>, value: Node<'_>);
    /// The `identities` key itself (before its entries).
    fn identities_key(&mut self, key: &Key<'_>);
    /// One entry of `identities`.
    fn identity(&mut self, entry: Node<'_>);
    /// `identities` is not a list (`found` says what it is instead).
    fn identities_not_list(&mut self, found: &'static str);
}

/// What the document turned out to be at its root.
pub enum Root {
    Mapping,
    /// Empty document (only comments, or nothing at all).
    Empty,
    Other(&'static str),
}

/// Streams a whole document into a sink.
pub struct DocumentSeed<'s, S>(pub &'s mut S);

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
