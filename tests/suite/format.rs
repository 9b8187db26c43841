//! One description of the file format: the loader reads exactly the keys the
//! format tables describe. A registry holding every described key, each with
//! a value of its type, loads without an unknown key; a key of no table is
//! unknown wherever it is written. (That the loader reads no key a table
//! does not describe is asserted in the loader itself, on every test run.)

use nhi_own::registry::format::{FILE, TABLES, Table, Type};
use nhi_own::registry::{LoadOptions, load_bytes};
use std::fmt::Write as _;

/// A valid value of a type, as flow-style YAML.
fn value(ty: &Type) -> String {
    match ty {
        Type::Text => "\"some text\"".to_owned(),
        Type::Id => "team-a".to_owned(),
        Type::OwnerRef | Type::Role => "alice".to_owned(),
        Type::Version => "1".to_owned(),
        Type::Bool => "true".to_owned(),
        Type::Date => "2026-01-01".to_owned(),
        Type::Duration | Type::MaxAge { .. } => "30d".to_owned(),
        Type::OneOf(words) => words()[0].to_owned(),
        Type::List(item) => format!("[{}]", value(item)),
        Type::Table(table) => mapping(table),
        Type::Tables(table) => format!("[{}]", mapping(table)),
        Type::Map { key, value: item } => format!("{{ {}: {} }}", value(key), value(item)),
    }
}

/// A mapping with every key of a table.
fn mapping(table: &Table) -> String {
    let mut out = String::from("{ ");
    for (i, field) in table.fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}: {}", field.key, value(&field.ty));
    }
    out.push_str(" }");
    out
}

#[test]
fn every_described_key_is_read() {
    // The whole file, every key of every table, plus the person the
    // references name.
    let mut yaml = String::new();
    for field in FILE.fields {
        let v = match (field.key, &field.ty) {
            ("owners", Type::Map { value: owner, .. }) => {
                format!("{{ team-a: {}, alice: {{ kind: person }} }}", value(owner))
            }
            _ => value(&field.ty),
        };
        let _ = writeln!(yaml, "{}: {v}", field.key);
    }
    let result = load_bytes(&[("all.yaml", yaml.as_bytes())], &LoadOptions::default());
    if let Err(errors) = &result {
        panic!("{errors}\n{yaml}");
    }
    // Each table is reached by the document above.
    for table in TABLES {
        assert!(
            table
                .fields
                .iter()
                .all(|f| yaml.contains(&format!("{}: ", f.key))),
            "{} not covered",
            table.name
        );
    }
}

#[test]
fn a_key_of_no_table_is_unknown_everywhere() {
    let base = "version: 1\npolicy: { rotation: { kinds: { token: 30d } } }\nowners:\n  alice: { kind: person }\nidentities:\n  - id: k\n    kind: token\n    owners: { policy: alice }\n    rotation: { last_rotated: 2026-01-01 }\n    exceptions:\n      - { rule: stale-rotation, reason: r }\n";
    for (needle, replacement) in [
        ("version: 1\n", "version: 1\nbogus: 1\n"),
        ("policy: { ", "policy: { bogus: 1, "),
        ("rotation: { kinds", "rotation: { bogus: 1, kinds"),
        ("{ kind: person }", "{ kind: person, bogus: 1 }"),
        ("    kind: token\n", "    kind: token\n    bogus: 1\n"),
        ("{ policy: alice }", "{ policy: alice, bogus: 1 }"),
        ("{ last_rotated", "{ bogus: 1, last_rotated"),
        ("reason: r }", "reason: r, bogus: 1 }"),
    ] {
        let yaml = base.replacen(needle, replacement, 1);
        assert_ne!(yaml, base);
        let errors = load_bytes(&[("r.yaml", yaml.as_bytes())], &LoadOptions::default())
            .err()
            .unwrap_or_else(|| panic!("loaded:\n{yaml}"));
        assert!(
            errors
                .0
                .iter()
                .any(|e| e.message.starts_with("unknown key `bogus` in ")),
            "{errors}"
        );
    }
}
