//! `init`, `schema` and `man`: the starter registry passes its own audit on
//! the day it is written, names its schema, and is never written over an
//! existing file; the schema is the committed one and describes every key
//! the loader reads; the manual covers every subcommand.

use crate::common::{Workspace, nhi_own, repo_root};
use nhi_own::registry::format::{TABLES, Table, Type};
use serde_json::Value;

#[test]
fn the_starter_registry_passes_its_audit_on_the_day_it_is_written() {
    // The first and last days the starter's dates fit in four-digit years.
    let earliest = "0002-05-16";
    let latest = "9999-06-14";
    for now in [
        "2026-12-01",
        "2027-02-28",
        "2028-02-29",
        "2031-07-15",
        earliest,
        latest,
    ] {
        let ws = Workspace::new();
        let run = ws.run(&["init", "--now", now]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains("wrote ownership.yaml"),
            "{}",
            run.stderr
        );
        let audit = ws.run(&[
            "audit",
            "--now",
            now,
            "--format",
            "json",
            "--fail-on",
            "info",
        ]);
        assert_eq!(audit.code, 0, "{now}: {}{}", audit.stdout, audit.stderr);
        let json = audit.json();
        assert_eq!(json["findings"], Value::Array(vec![]), "{now}");
        assert_eq!(json["summary"]["identities"], 2);
        // The one exception is used: it suppresses the vendor's stale secret.
        assert_eq!(json["suppressed"][0]["rule"], "stale-rotation");
    }
    // A day past either: refused, as no registry could hold its dates.
    for now in ["0001-01-01", "0002-05-15", "9999-06-15", "9999-12-31"] {
        let ws = Workspace::new();
        let run = ws.run(&["init", "--now", now]);
        assert_eq!(run.code, 2, "{now}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("help: give a day from {earliest} to {latest}")),
            "{now}: {}",
            run.stderr
        );
        assert!(!ws.dir.path().join("ownership.yaml").exists());
    }
}

#[test]
fn the_starter_registry_shows_every_key_of_the_format() {
    let ws = Workspace::new();
    ws.run(&["init", "--now", "2026-12-01"]);
    let text = std::fs::read_to_string(ws.dir.path().join("ownership.yaml")).unwrap();
    for table in TABLES {
        for field in table.fields {
            let written = text.lines().any(|line| {
                let line = line
                    .trim_start()
                    .trim_start_matches("- ")
                    .trim_start_matches("# ");
                line.starts_with(&format!("{}:", field.key))
                    || line.contains(&format!("{{ {}:", field.key))
                    || line.contains(&format!(", {}:", field.key))
            });
            assert!(
                written,
                "`{}` of {} is not in the starter",
                field.key, table.name
            );
        }
    }
    // Every line that sets a key says what it is, or sits under a comment that does.
    assert!(
        text.starts_with("# yaml-language-server: $schema=https://"),
        "{text}"
    );
}

#[test]
fn init_names_the_schema_written_beside_it() {
    let ws = Workspace::new();
    assert_eq!(ws.run(&["schema", "-o", "ownership.schema.json"]).code, 0);
    assert_eq!(ws.run(&["init"]).code, 0);
    let text = std::fs::read_to_string(ws.dir.path().join("ownership.yaml")).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema=ownership.schema.json\n"),
        "{text}"
    );
}

#[test]
fn init_and_schema_never_write_over_a_file_without_force() {
    let ws = Workspace::new();
    let target = ws.write("ownership.yaml", "mine\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink("elsewhere.yaml", ws.dir.path().join("link.yaml")).unwrap();
    for args in [
        &["init"][..],
        &["init", "link.yaml"],
        &["schema", "-o", "ownership.yaml"],
    ] {
        let run = ws.run(args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(
            run.stderr
                .contains("it already exists; pass --force to replace it"),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine\n");
    assert!(!ws.dir.path().join("elsewhere.yaml").exists());
    // Nothing is left behind.
    let names: Vec<String> = std::fs::read_dir(ws.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".nhi-own")),
        "{names:?}"
    );
    // With --force, it is replaced.
    assert_eq!(ws.run(&["init", "--force"]).code, 0);
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("version: 1")
    );
    // A missing directory is named.
    let run = ws.run(&["init", "no/such/dir/r.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("directory `no/such/dir` does not exist"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let run = nhi_own().arg("schema").output().unwrap();
    assert!(run.status.success());
    let committed = std::fs::read_to_string(repo_root().join("schema/ownership.schema.json"))
        .expect("schema/ownership.schema.json");
    assert!(
        committed == String::from_utf8_lossy(&run.stdout),
        "schema/ownership.schema.json is stale: run `cargo run -- schema -o schema/ownership.schema.json --force`"
    );
}

/// The schema describes exactly the format tables: every key with its
/// description, no other key, the required ones required.
#[test]
fn the_schema_describes_every_key_of_the_format() {
    let run = nhi_own().arg("schema").output().unwrap();
    let schema: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let mut seen = 0;
    check_table(&schema, &nhi_own::registry::format::FILE, &mut seen);
    assert_eq!(seen, TABLES.len(), "every table is reached from the top");
}

fn check_table(schema: &Value, table: &Table, seen: &mut usize) {
    *seen += 1;
    assert_eq!(schema["additionalProperties"], false, "{}", table.name);
    let properties = schema["properties"].as_object().unwrap();
    let keys: std::collections::BTreeSet<&str> = properties.keys().map(String::as_str).collect();
    let described: std::collections::BTreeSet<&str> = table.keys().collect();
    assert_eq!(keys, described, "{}", table.name);
    let required: Vec<&str> = table
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.key)
        .collect();
    let listed: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().map(|k| k.as_str().unwrap()).collect())
        .unwrap_or_default();
    assert_eq!(listed, required, "{}", table.name);
    for field in table.fields {
        let property = &properties[field.key];
        assert_eq!(property["description"], field.description, "{}", field.key);
        match &field.ty {
            Type::Table(t) => check_table(property, t, seen),
            Type::Tables(t) => check_table(&property["items"], t, seen),
            Type::Map {
                value: Type::Table(t),
                ..
            } => {
                check_table(&property["additionalProperties"], t, seen);
            }
            _ => {}
        }
    }
}

#[test]
fn the_schema_enumerates_kinds_rules_and_levels() {
    let run = nhi_own().arg("schema").output().unwrap();
    let schema: Value = serde_json::from_slice(&run.stdout).unwrap();
    let identity = &schema["properties"]["identities"]["items"]["properties"];
    assert!(
        identity["kind"]["enum"]
            .as_array()
            .unwrap()
            .contains(&"workload_identity".into())
    );
    let rules = identity["exceptions"]["items"]["properties"]["rule"]["enum"]
        .as_array()
        .unwrap();
    assert!(rules.contains(&"stale-rotation".into()));
    assert!(
        !rules.contains(&"duplicate-identity".into()),
        "integrity rules cannot be excepted"
    );
    let severity = &schema["properties"]["policy"]["properties"]["severity"];
    assert_eq!(
        severity["propertyNames"]["enum"].as_array().unwrap().len(),
        <nhi_own::rules::RuleId as nhi_own::keyword::Keyword>::ALL.len()
    );
    assert!(
        severity["additionalProperties"]["enum"]
            .as_array()
            .unwrap()
            .contains(&"off".into())
    );
}

#[test]
fn the_manual_covers_every_subcommand() {
    let out = nhi_own().arg("man").output().unwrap();
    assert!(out.status.success());
    let man = String::from_utf8(out.stdout).unwrap();
    assert!(
        man.starts_with(".ie") || man.starts_with(".TH"),
        "{}",
        &man[..80]
    );
    let cli = <nhi_own::cli::Cli as clap::CommandFactory>::command();
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        assert!(
            man.contains(&format!("nhi\\-own {name}")),
            "`{name}` is not in the manual"
        );
    }
    // Options of subcommands are there too, not only their names.
    assert!(man.contains("\\-\\-fail\\-on"), "audit's options");
    assert!(man.contains("\\-\\-force"), "init's options");
}
