//! The YAML layer on granit-parser's events reads every registry exactly as
//! the earlier serde-saphyr layer did: the same registry, or errors at the
//! same places. Run over the examples, the fuzz regressions, generated
//! registries and every yaml-test-suite case (as a whole file and embedded
//! as a value). Where the serde layer reports an error, the event layer
//! reports one at the same place (a second document is now located at its
//! `---`); it may report more, as it goes on after problems that leave the
//! tree readable (null or list keys, duplicate keys). The only other
//! differences are the defects the event layer fixes: tags and repeated
//! merge keys are errors now, so inputs using them are not compared.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod common;

use nhi_own::registry::{Engine, LoadOptions, load_bytes};

fn options(engine: Engine) -> LoadOptions {
    LoadOptions {
        engine,
        threads: 1,
        ..LoadOptions::default()
    }
}

/// What a load gives: the whole registry, or the errors (position, message).
fn outcome(name: &str, text: &[u8], engine: Engine) -> Result<String, Vec<(u32, u32, String)>> {
    match load_bytes(&[(name, text)], &options(engine)) {
        Ok(registry) => Ok(format!("{registry:?}")),
        Err(errors) => Err(errors
            .0
            .into_iter()
            .map(|e| (e.line, e.col, e.message))
            .collect()),
    }
}

/// Whether the event layer's outcome agrees with the serde layer's.
fn agree(
    events: &Result<String, Vec<(u32, u32, String)>>,
    serde: &Result<String, Vec<(u32, u32, String)>>,
) -> bool {
    const SECOND_DOCUMENT: &str = "file holds more than one YAML document";
    // The serde layer stopped at these; the event layer goes on past them,
    // and may then stop at a syntax error further on.
    let goes_on = |m: &str| {
        m.starts_with("unsupported YAML: a mapping key") || m.starts_with("duplicate key")
    };
    match (events, serde) {
        (Ok(a), Ok(b)) => a == b,
        (Err(events), Err(serde)) => serde.iter().all(|(line, col, message)| {
            goes_on(message)
                || events.iter().any(|(l, c, m)| {
                    (l, c) == (line, col) || (m == SECOND_DOCUMENT && message == SECOND_DOCUMENT)
                })
        }),
        _ => false,
    }
}

/// Inputs the serde layer reads wrongly: any tag, and a repeated merge key.
fn uses_a_fixed_feature(text: &str) -> bool {
    text.contains('!') || text.matches("<<").count() > 1
}

/// The differences, and how many inputs were compared.
fn compare(cases: &[(String, Vec<u8>)]) -> (Vec<String>, usize) {
    let mut differences = Vec::new();
    let mut compared = 0;
    for (name, text) in cases {
        if uses_a_fixed_feature(&String::from_utf8_lossy(text)) {
            continue;
        }
        compared += 1;
        let events = outcome(name, text, Engine::Events);
        let serde = outcome(name, text, Engine::Serde);
        if !agree(&events, &serde) {
            differences.push(format!(
                "{name}:\n  events: {}\n  serde:  {}",
                common::clip(&format!("{events:?}")),
                common::clip(&format!("{serde:?}"))
            ));
        }
    }
    (differences, compared)
}

fn files_under(dir: &std::path::Path, ext: &str) -> Vec<(String, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == ext))
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn examples_and_fuzz_regressions_read_alike() {
    let root = common::repo_root();
    let mut cases = files_under(&root.join("examples"), "yaml");
    cases.extend(files_under(&root.join("tests/fuzz_regressions"), "yaml"));
    cases.push((
        "ownership.yaml".to_owned(),
        std::fs::read(root.join("ownership.yaml")).unwrap(),
    ));
    let (differences, compared) = compare(&cases);
    assert!(compared >= 8, "{compared} compared");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn yaml_test_suite_reads_alike_as_files_and_as_values() {
    let Some(root) = common::shared_data("yaml-test-suite") else {
        return;
    };
    let mut cases = Vec::new();
    for (name, text) in files_under(&root, "yaml") {
        if !name.ends_with("in.yaml") {
            continue;
        }
        // Embedded as the value of an identity's description, indented.
        let indented: String = String::from_utf8_lossy(&text)
            .lines()
            .map(|l| format!("      {l}\n"))
            .collect();
        let embedded = format!(
            "version: 1\nidentities:\n  - id: a\n    kind: token\n    description:\n{indented}"
        );
        cases.push((format!("{name} (embedded)"), embedded.into_bytes()));
        cases.push((name, text));
    }
    let (differences, compared) = compare(&cases);
    println!(
        "yaml-test-suite: {compared} of {} inputs compared (the others hold tags or merge keys), {} differences",
        cases.len(),
        differences.len()
    );
    assert!(compared >= 500, "{compared} compared");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
