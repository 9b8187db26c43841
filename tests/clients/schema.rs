//! The registry's JSON Schema (`schema/ownership.schema.json`) as
//! `check-jsonschema` applies it: the example and starter registries match
//! it; the mistakes users make are rejected with the place named, as the
//! loader rejects them; and, over generated registries, whatever the schema
//! rejects the loader rejects too (the schema is never stricter than
//! `audit`).

use crate::common::{self, Workspace};
use crate::model::{FORBIDDEN_TAGS, Mutation, model, mutate, mutation, share, write_yaml};
use crate::{Check, program};
use libtest_mimic::{Completion, Failed};
use nhi_own::registry::{LoadOptions, load_bytes};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

pub const CHECKS: &[(&str, Check)] = &[
    (
        "schema::example_and_starter_registries_match_the_schema",
        examples_match_the_schema,
    ),
    (
        "schema::mistakes_are_rejected_at_their_place_by_schema_and_loader",
        mistakes_are_rejected_at_their_place,
    ),
    (
        "schema::what_the_schema_rejects_the_loader_rejects",
        schema_is_never_stricter_than_the_loader,
    ),
];

fn schema_file() -> PathBuf {
    common::repo_root()
        .join("schema")
        .join("ownership.schema.json")
}

/// Runs `check-jsonschema` with the committed schema over `files`, run in `dir`.
fn validate(program: &Path, dir: &Path, extra: &[&str], files: &[PathBuf]) -> Output {
    // --no-cache: the schema is a local file; nothing is written elsewhere.
    std::process::Command::new(program)
        .current_dir(dir)
        .args(["--no-cache", "--color", "never", "--schemafile"])
        .arg(schema_file())
        .args(extra)
        .args(files)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn examples_match_the_schema() -> Result<Completion, Failed> {
    let check_jsonschema = need!(program("check-jsonschema"));
    let root = common::repo_root();
    let mut files = vec![
        root.join("examples/showcase.yaml"),
        root.join("ownership.yaml"),
    ];
    let multi: Vec<PathBuf> = walkdir::WalkDir::new(root.join("examples/multi"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    assert!(
        multi.len() >= 3,
        "examples/multi should hold a directory file and services: {multi:?}"
    );
    files.extend(multi);

    let ws = Workspace::new();
    let init = ws.run(&["init", "--now", "2026-12-01", "starter.yaml"]);
    assert_eq!(init.code, 0, "init failed:\n{}", init.stderr);
    files.push(ws.dir.path().join("starter.yaml"));

    let out = validate(&check_jsonschema, &root, &[], &files);
    assert!(
        out.status.success() && text(&out).contains("ok -- validation done"),
        "registries that audit reads do not match schema/ownership.schema.json:\n{}",
        text(&out)
    );
    Ok(Completion::Completed)
}

/// A mistake, the place check-jsonschema names (a JSON path) with the start
/// of its message, and the place (line:column) the loader names.
struct Mistake {
    file: &'static str,
    yaml: &'static str,
    path: &'static str,
    message: &'static str,
    line_col: &'static str,
}

const MISTAKES: &[Mistake] = &[
    Mistake {
        file: "unknown-key.yaml",
        yaml: "version: 1\nidentities:\n  - id: deploy-bot\n    kind: token\n    owner: { policy: alex }\n",
        path: "$.identities[0]",
        message: "Additional properties are not allowed ('owner' was unexpected)",
        line_col: "5:5",
    },
    Mistake {
        file: "wrong-kind.yaml",
        yaml: "version: 1\nidentities:\n  - id: deploy-bot\n    kind: tokn\n",
        path: "$.identities[0].kind",
        message: "'tokn' is not one of ['service_account', 'api_key', 'token',",
        line_col: "4:11",
    },
    Mistake {
        file: "list-role.yaml",
        yaml: "version: 1\nidentities:\n  - id: deploy-bot\n    kind: token\n    owners: { policy: [a, b] }\n",
        path: "$.identities[0].owners.policy",
        message: "['a', 'b'] is not of type 'string', 'number', 'boolean', 'null'",
        line_col: "5:23",
    },
    Mistake {
        file: "bad-date.yaml",
        yaml: "version: 1\nidentities:\n  - id: deploy-bot\n    kind: token\n    created: 2026-13-45x\n",
        path: "$.identities[0].created",
        message: "'2026-13-45x' does not match",
        line_col: "5:14",
    },
    Mistake {
        file: "timestamp-without-offset.yaml",
        yaml: "version: 1\nidentities:\n  - id: deploy-bot\n    kind: token\n    rotation: { last_rotated: 2026-01-01T10:00:00 }\n",
        path: "$.identities[0].rotation.last_rotated",
        message: "'2026-01-01T10:00:00' does not match",
        line_col: "5:31",
    },
];

fn mistakes_are_rejected_at_their_place() -> Result<Completion, Failed> {
    let check_jsonschema = need!(program("check-jsonschema"));
    let ws = Workspace::new();
    let files: Vec<PathBuf> = MISTAKES
        .iter()
        .map(|m| {
            ws.write(m.file, m.yaml);
            PathBuf::from(m.file)
        })
        .collect();
    let out = validate(&check_jsonschema, ws.dir.path(), &[], &files);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    for m in MISTAKES {
        // The text a user reads: `FILE::PATH: MESSAGE`, once per mistake.
        let about: Vec<&str> = said
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with(&format!("{}::", m.file)))
            .collect();
        let expected = format!("{}::{}: {}", m.file, m.path, m.message);
        assert!(
            about.len() == 1 && about[0].starts_with(&expected),
            "check-jsonschema should say `{expected}…` (only that) about\n{}\nit said:\n{said}",
            m.yaml
        );

        let audit = ws.run(&["audit", m.file, "--now", "2026-12-01"]);
        assert_eq!(
            audit.code, 2,
            "the loader accepted what the schema rejects:\n{}\n{}{}",
            m.yaml, audit.stdout, audit.stderr
        );
        let place = format!("{}:{}: error", m.file, m.line_col);
        assert!(
            audit.stderr.contains(&place),
            "audit should report `{place}` for\n{}\nit said:\n{}",
            m.yaml,
            audit.stderr
        );
    }
    Ok(Completion::Completed)
}

/// How each generated registry fared.
#[derive(Debug, Default)]
struct Tally {
    both_accept: usize,
    both_reject: usize,
    /// The loader's first message for each registry only it rejects.
    only_loader: BTreeMap<String, usize>,
    /// YAML check-jsonschema cannot read (tags, duplicate keys, …).
    unparsed: usize,
}

/// Generated registries (valid, and with one mutation; block and flow style;
/// some with anchors, aliases and merge keys), checked by one run of
/// check-jsonschema and loaded in process.
fn schema_is_never_stricter_than_the_loader() -> Result<Completion, Failed> {
    const CASES: usize = 400;
    let check_jsonschema = need!(program("check-jsonschema"));
    let mut runner = TestRunner::deterministic();
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(String, String)> = Vec::with_capacity(CASES);
    // Registries with `!!int` or `!!bool` on a value of another type: the
    // YAML reader of check-jsonschema raises on them (a Python traceback
    // that ends the whole run), so they are only loaded.
    let mut held_back: Vec<String> = Vec::new();
    for i in 0..CASES {
        let m = model().new_tree(&mut runner).unwrap().current();
        let mut y = m.yaml();
        if i % 3 == 0 {
            share(&mut y);
        }
        let mutated = i % 4 != 0;
        let mut core_tag = None;
        if mutated {
            let change = mutation().new_tree(&mut runner).unwrap().current();
            mutate(&mut y, &change);
            if let Mutation::Tag(_, t) = change {
                core_tag = Some(FORBIDDEN_TAGS[t]).filter(|t| matches!(*t, "!!int" | "!!bool"));
            }
        }
        let flow_style = i % 2 == 1;
        let name = format!(
            "r{i:03}-{}-{}.yaml",
            if mutated { "mutated" } else { "valid" },
            if flow_style { "flow" } else { "block" }
        );
        let yaml = write_yaml(&y, flow_style);
        if core_tag.is_some_and(|t| yaml.contains(&format!("{t} "))) {
            held_back.push(yaml);
            continue;
        }
        std::fs::write(dir.path().join(&name), &yaml).unwrap();
        cases.push((name, yaml));
    }
    for yaml in &held_back {
        assert!(
            load_bytes(&[("reg.yaml", yaml.as_bytes())], &LoadOptions::default()).is_err(),
            "the loader accepts a registry with a core tag on a value of another type:\n{yaml}"
        );
    }

    let files: Vec<PathBuf> = cases.iter().map(|(n, _)| PathBuf::from(n)).collect();
    let out = validate(
        &check_jsonschema,
        dir.path(),
        &["--output-format", "json"],
        &files,
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("check-jsonschema printed no JSON ({e}):\n{}", text(&out)));
    let mut schema_errors: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in report["errors"].as_array().expect("errors") {
        schema_errors
            .entry(e["filename"].as_str().expect("filename"))
            .or_default()
            .push(format!(
                "{}: {}",
                e["path"].as_str().unwrap_or("?"),
                e["message"].as_str().unwrap_or("?")
            ));
    }
    let unparsed: Vec<&str> = report["parse_errors"]
        .as_array()
        .expect("parse_errors")
        .iter()
        .map(|e| e["filename"].as_str().expect("filename"))
        .collect();
    for named in schema_errors.keys().chain(&unparsed) {
        assert!(
            cases.iter().any(|(n, _)| n == named),
            "check-jsonschema reported a file it was not given: {named}\n{}",
            text(&out)
        );
    }
    assert_eq!(
        out.status.success(),
        schema_errors.is_empty() && unparsed.is_empty(),
        "check-jsonschema's exit status disagrees with its report:\n{}",
        text(&out)
    );

    let mut tally = Tally::default();
    // (registry, what check-jsonschema said) for each the schema rejects
    // and the loader accepts.
    let mut stricter: Vec<(&str, &str, String)> = Vec::new();
    let mut unreadable_but_loaded: Vec<&str> = Vec::new();
    for (name, yaml) in &cases {
        let loaded = load_bytes(&[(name.as_str(), yaml.as_bytes())], &LoadOptions::default());
        if unparsed.contains(&name.as_str()) {
            tally.unparsed += 1;
            if loaded.is_ok() {
                unreadable_but_loaded.push(yaml);
            }
            continue;
        }
        match (schema_errors.get(name.as_str()), loaded) {
            (None, Ok(_)) => tally.both_accept += 1,
            (Some(_), Err(_)) => tally.both_reject += 1,
            (None, Err(errors)) => {
                let first = errors.0.first().map(|e| e.to_string()).unwrap_or_default();
                *tally.only_loader.entry(category(&first)).or_default() += 1;
            }
            (Some(said), Ok(_)) => stricter.push((name, yaml, said.join("\n"))),
        }
    }
    let only_loader: usize = tally.only_loader.values().sum();
    eprintln!(
        "schema vs loader over {} generated registries: both accept {}, both reject {}, \
         only the loader rejects {only_loader}, only the schema rejects {}; \
         check-jsonschema cannot parse {} and the loader rejects them; {} with a core tag on \
         another type's value, only loaded (rejected)",
        cases.len(),
        tally.both_accept,
        tally.both_reject,
        stricter.len(),
        tally.unparsed,
        held_back.len(),
    );
    for (what, n) in &tally.only_loader {
        eprintln!("  only the loader rejects ({n}): {what}");
    }

    // The mix must exercise both sides, or the comparison says nothing.
    assert!(
        tally.both_accept >= CASES / 4 && tally.both_reject >= CASES / 10,
        "the generated registries do not exercise the schema: {tally:?}"
    );
    if let Some((name, yaml, said)) = stricter.iter().min_by_key(|(_, yaml, _)| yaml.len()) {
        panic!(
            "the JSON Schema is stricter than the loader (a bug in the schema generator, \
             src/schema.rs): {} generated registries are rejected by check-jsonschema and \
             accepted by `audit`. The smallest, {name}:\n{yaml}\ncheck-jsonschema said:\n{said}",
            stricter.len()
        );
    }
    if let Some(yaml) = unreadable_but_loaded.iter().min_by_key(|y| y.len()) {
        panic!(
            "check-jsonschema cannot parse {} registries that `audit` reads; the smallest:\n{yaml}",
            unreadable_but_loaded.len()
        );
    }
    Ok(Completion::Completed)
}

/// A load error's message with its location and quoted values taken out, to
/// count registries by the kind of problem only the loader sees.
fn category(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    // `FILE:LINE:COL: error: WHAT`: keep WHAT.
    let what = message.split_once(": error: ").map_or(message, |(_, w)| w);
    let what = what.lines().next().unwrap_or_default();
    for c in what.chars() {
        match c {
            '`' if quoted => {
                quoted = false;
                out.push_str("…`");
            }
            '`' => {
                quoted = true;
                out.push('`');
            }
            _ if quoted => {}
            c if c.is_ascii_digit() => {
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            c => out.push(c),
        }
    }
    out
}
