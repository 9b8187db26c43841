//! Inputs that once failed the fuzz target, kept in `tests/fuzz_regressions/`
//! and run through the same checks (`fuzz/oracle.rs`), plus what each one
//! must report.

use crate::common;

#[path = "../../fuzz/oracle.rs"]
mod oracle;

use crate::common::Workspace;

fn regressions() -> Vec<(String, Vec<u8>)> {
    let dir = common::repo_root().join("tests/fuzz_regressions");
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn every_kept_crasher_passes_the_fuzz_checks() {
    let inputs = regressions();
    assert!(
        inputs.len() >= 2,
        "regression inputs missing from {inputs:?}"
    );
    for (name, bytes) in inputs {
        let outcome = std::panic::catch_unwind(|| oracle::check(&bytes));
        assert!(outcome.is_ok(), "{name} fails the fuzz checks");
    }
}

/// The fuzz checks hold on every example and seed (tags, merge keys,
/// directives, look-alike ids), and each seed that uses a forbidden feature
/// is invalid.
#[test]
fn examples_and_seeds_pass_the_fuzz_checks() {
    let root = common::repo_root();
    let mut inputs = Vec::new();
    for dir in ["examples", "fuzz/seeds"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "yaml") {
                inputs.push(entry.into_path());
            }
        }
    }
    assert!(inputs.len() >= 8, "{inputs:?}");
    for path in &inputs {
        let bytes = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| oracle::check(&bytes));
        assert!(outcome.is_ok(), "{} fails the fuzz checks", path.display());
    }
    for (seed, needle) in [
        (
            "tags.yaml",
            "the tag `!!null` is not part of the registry format",
        ),
        ("merge-keys.yaml", "duplicate merge key `<<`"),
        (
            "directives.yaml",
            "the tag `!null` is not part of the registry format",
        ),
        (
            "unicode-ids.yaml",
            "it contains an invisible format character (U+200B)",
        ),
    ] {
        let ws = Workspace::new();
        ws.write(
            seed,
            std::fs::read(root.join("fuzz/seeds").join(seed)).unwrap(),
        );
        let run = ws.run(&["audit", seed, "--now", "2026-11-22"]);
        assert_eq!(run.code, 2, "{seed}: {}", run.stdout);
        assert!(run.stderr.contains(needle), "{seed}: {}", run.stderr);
    }
}

fn stderr_of(name: &str) -> String {
    let ws = Workspace::new();
    let bytes = std::fs::read(
        common::repo_root()
            .join("tests/fuzz_regressions")
            .join(name),
    )
    .unwrap();
    ws.write("reg.yaml", bytes);
    let run = ws.run(&["audit", "reg.yaml", "--now", "2026-11-22"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    run.stderr
}

/// A lone CR is a line break: the content starts on line 2, not line 1.
#[test]
fn lone_carriage_return_positions() {
    let err = stderr_of("lone-cr-before-content.yaml");
    assert!(
        err.contains("reg.yaml:2:2: error: a registry file must be a mapping, found a string"),
        "{err}"
    );
}

/// A comment before the first entry was left out of chunked parses, so its
/// invalid characters passed unseen when the file was split.
#[test]
fn control_character_in_a_comment_before_the_first_entry() {
    let err = stderr_of("control-character-in-comment-before-first-entry.yaml");
    assert!(err.contains("reg.yaml:3:"), "{err}");
    assert!(err.contains("invalid YAML"), "{err}");
}

/// A duration ending in a multi-byte character (`6Р`) panicked: the unit was
/// cut off by byte, inside the character.
#[test]
fn multibyte_character_ending_a_duration() {
    let err = stderr_of("multibyte-character-ending-a-duration.yaml");
    assert!(
        err.contains("reg.yaml:4:21: error: `policy.rotation.kinds.token`: invalid duration `6Р`"),
        "{err}"
    );
}

/// The fuzz target's entry point loads what the file loader loads, errors
/// included: otherwise fuzzing it would prove nothing about `audit`.
#[test]
fn the_fuzzed_entry_point_loads_what_audit_loads() {
    use nhi_own::registry::{LoadOptions, load, load_bytes};
    let mut inputs = regressions();
    for example in ["examples/showcase.yaml", "ownership.yaml"] {
        let path = common::repo_root().join(example);
        inputs.push((example.to_owned(), std::fs::read(path).unwrap()));
    }
    let options = LoadOptions::default();
    let mut valid = 0;
    for (name, bytes) in inputs {
        let ws = Workspace::new();
        let path = ws.write("reg.yaml", &bytes);
        let from_file = load(std::slice::from_ref(&path), &options);
        let display = path.to_string_lossy();
        let from_bytes = load_bytes(&[(display.as_ref(), &bytes)], &options);
        valid += usize::from(from_file.is_ok());
        assert_eq!(
            format!("{from_file:?}"),
            format!("{from_bytes:?}"),
            "{name}"
        );
    }
    assert!(valid >= 2, "no valid registry among the inputs");
}
