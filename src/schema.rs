//! The JSON Schema of the registry format, generated from the format tables
//! the loader reads through ([`crate::registry::format`]), so that an editor
//! offers and checks exactly the keys `audit` reads.
//!
//! The dialect is draft-07, the one the editors' YAML servers support fully.
//! Every table is written inline (no `$ref`, beside which draft-07 ignores a
//! `description`), and every optional key may be null, as the loader reads
//! null as absent. The schema is never stricter than the loader: what it
//! rejects, the loader rejects. It cannot check what needs the whole registry
//! (unique ids, references that resolve, one `policy`), nor real calendar
//! days beyond their shape; the loader does.

use crate::registry::format::{FILE, Field, Table, Type};
use serde_json::{Map, Value, json};

pub const DIALECT: &str = "http://json-schema.org/draft-07/schema#";

/// The file name `schema --output` and `init` use by default.
pub const FILE_NAME: &str = "ownership.schema.json";

/// `YYYY-MM-DD`, or an RFC 3339 timestamp with `T` and an offset.
const DATE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$";
/// A whole number of days or weeks.
const DURATION: &str = "^[0-9]*[1-9][0-9]*[dw]$";
/// No whitespace or control character (the loader checks the rest: format
/// characters, characters that print as nothing, at most 256 bytes).
const ID: &str = "^[^\\s\\u0000-\\u001f\\u007f-\\u009f]+$";
const ID_OR_EMPTY: &str = "^[^\\s\\u0000-\\u001f\\u007f-\\u009f]*$";

/// The schema, as a JSON value.
pub fn schema() -> Value {
    let mut root = Map::new();
    root.insert("$schema".to_owned(), json!(DIALECT));
    root.insert("title".to_owned(), json!("nhi-own ownership registry"));
    if let Value::Object(file) = table(&FILE) {
        root.extend(file);
    }
    Value::Object(root)
}

/// The schema as the text `nhi-own schema` prints and the repository keeps.
pub fn text() -> String {
    // A value always serialises; `{:#}` is serde_json's pretty form.
    format!("{:#}\n", schema())
}

fn table(table: &Table) -> Value {
    let properties: Map<String, Value> = table
        .fields
        .iter()
        .map(|f| (f.key.to_owned(), field(f)))
        .collect();
    let required: Vec<&str> = table
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.key)
        .collect();
    let mut out = json!({
        "type": "object",
        "description": table.description,
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        out["required"] = json!(required);
    }
    out
}

fn field(field: &Field) -> Value {
    let mut out = value(&field.ty);
    if !field.required {
        nullable(&mut out);
    }
    out["description"] = json!(field.description);
    out
}

/// The schema of a value of a type.
fn value(ty: &Type) -> Value {
    match ty {
        // Any scalar is read as its text: `name: 2026` is the text "2026".
        Type::Text => json!({ "type": ["string", "number", "boolean"] }),
        Type::Id | Type::OwnerRef => json!({
            "type": ["string", "number", "boolean"],
            "pattern": ID,
            "minLength": 1,
            "maxLength": 256,
        }),
        // Empty is allowed: the role is missing, a finding, not an error.
        Type::Role => json!({
            "type": ["string", "number", "boolean"],
            "pattern": ID_OR_EMPTY,
            "maxLength": 256,
        }),
        Type::Version => json!({ "const": 1 }),
        Type::Bool => json!({ "type": "boolean" }),
        Type::Date => json!({ "type": "string", "pattern": DATE }),
        Type::Duration => json!({ "type": "string", "pattern": DURATION }),
        Type::MaxAge { never } => {
            let mut any = vec![json!({ "pattern": DURATION })];
            if *never {
                any.push(json!({ "const": "never" }));
            }
            json!({ "type": "string", "anyOf": any })
        }
        Type::OneOf(words) => json!({ "enum": words() }),
        Type::List(item) => {
            let mut item = value(item);
            // A null item is skipped, like a null value.
            nullable(&mut item);
            json!({ "type": "array", "items": item })
        }
        Type::Table(t) => table(t),
        Type::Tables(t) => json!({ "type": "array", "items": table(t) }),
        Type::Map { key, value: v } => {
            let mut entry = value(v);
            // A null scalar value is unset (the default applies); an entry
            // that must be a mapping may not be null.
            if !matches!(v, Type::Table(_)) {
                nullable(&mut entry);
            }
            let mut map = json!({
                "type": "object",
                "propertyNames": key_schema(key),
                "additionalProperties": entry,
            });
            // Keys from a fixed set are also listed, so that editors offer
            // them (yaml-language-server completes `properties`, not
            // `propertyNames`); what they accept is unchanged.
            if let Type::OneOf(words) = key {
                map["properties"] = words()
                    .iter()
                    .map(|w| ((*w).to_owned(), map["additionalProperties"].clone()))
                    .collect::<serde_json::Map<_, _>>()
                    .into();
            }
            map
        }
    }
}

/// The schema a mapping key must meet (keys are always strings).
fn key_schema(ty: &Type) -> Value {
    match ty {
        Type::OneOf(words) => json!({ "enum": words() }),
        _ => json!({ "pattern": ID, "minLength": 1, "maxLength": 256 }),
    }
}

/// Lets a value also be null.
fn nullable(schema: &mut Value) {
    if let Some(Value::Array(words)) = schema.get_mut("enum") {
        words.push(Value::Null);
        return;
    }
    if let Some(Value::String(one)) = schema.get("const") {
        let one = one.clone();
        schema["enum"] = json!([one, null]);
        schema.as_object_mut().map(|o| o.remove("const"));
        return;
    }
    match schema.get_mut("type") {
        Some(Value::String(one)) => {
            let one = std::mem::take(one);
            schema["type"] = json!([one, "null"]);
        }
        Some(Value::Array(types)) => types.push(json!("null")),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_values_may_be_null_and_required_ones_not() {
        let s = schema();
        let identity = &s["properties"]["identities"]["items"];
        assert_eq!(
            identity["properties"]["expires"]["type"],
            json!(["string", "null"])
        );
        assert_eq!(
            identity["properties"]["id"]["type"],
            json!(["string", "number", "boolean"])
        );
        assert_eq!(identity["required"], json!(["id", "kind"]));
        assert_eq!(
            s["properties"]["version"],
            json!({ "const": 1, "description": s["properties"]["version"]["description"] })
        );
    }
}
