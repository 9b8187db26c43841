//! Fail closed: every class of invalid input ends with exit 2 and a message
//! naming `file:line:col`, with a did-you-mean where one helps, and every
//! problem of a run is reported, not only the first.

// Tests assert by panicking, and report by printing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod common;

use common::{Workspace, run_in};

const OK_IDENTITY: &str =
    "  - id: fine\n    kind: api_key\n    owners: { policy: p, technical: t, revocation: r }\n";

/// Audits `reg.yaml` holding `yaml`; asserts exit 2 and returns stderr.
fn invalid(yaml: &str) -> String {
    let ws = Workspace::new();
    ws.write("reg.yaml", yaml);
    invalid_in(&ws, &["audit", "reg.yaml", "--now", "2026-11-22"])
}

fn invalid_in(ws: &Workspace, args: &[&str]) -> String {
    let run = ws.run(args);
    assert_eq!(
        run.code, 2,
        "expected exit 2\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "nothing is reported on stdout for an invalid registry: {}",
        run.stdout
    );
    run.stderr
}

fn assert_has(stderr: &str, needle: &str) {
    assert!(stderr.contains(needle), "expected {needle:?} in:\n{stderr}");
}

#[test]
fn unknown_key_suggests_the_closest() {
    let err = invalid(
        "version: 1\nidentities:\n  - id: a\n    kind: api_key\n    owners: { policy: p, technical: t, revocaton: r }\n",
    );
    assert_has(&err, "reg.yaml:5:40: error: unknown key `revocaton`");
    assert_has(&err, "did you mean `revocation`?");
    let err = invalid("version: 1\nidentites: []\n");
    assert_has(
        &err,
        "reg.yaml:2:1: error: unknown key `identites` in the registry file",
    );
    assert_has(&err, "did you mean `identities`?");
}

#[test]
fn unknown_enum_values_suggest_the_closest() {
    let err = invalid("version: 1\nidentities:\n  - id: a\n    kind: tokn\n    status: retird\n");
    assert_has(&err, "reg.yaml:4:11: error: unknown identity kind `tokn`");
    assert_has(&err, "did you mean `token`?");
    assert_has(
        &err,
        "reg.yaml:5:13: error: unknown identity status `retird`",
    );
    let err = invalid("version: 1\nowners:\n  x: { kind: persn }\n");
    assert_has(&err, "reg.yaml:3:14: error: unknown owner kind `persn`");
    assert_has(&err, "did you mean `person`?");
}

#[test]
fn unknown_or_unexceptable_rule_ids() {
    let err = invalid(&format!(
        "version: 1\npolicy:\n  severity: {{ stale-rotaton: off, review-overdue: of }}\nidentities:\n{OK_IDENTITY}    exceptions:\n      - {{ rule: duplicate-identity, reason: r }}\n      - {{ rule: missing-ownr, reason: r }}\n"
    ));
    assert_has(&err, "reg.yaml:3:15: error: unknown rule `stale-rotaton`");
    assert_has(&err, "did you mean `stale-rotation`?");
    assert_has(&err, "reg.yaml:3:51: error: unknown severity `of`");
    assert_has(
        &err,
        "reg.yaml:9:17: error: rule `duplicate-identity` cannot be excepted",
    );
    assert_has(&err, "reg.yaml:10:17: error: unknown rule `missing-ownr`");
    assert_has(&err, "did you mean `missing-owner`?");
}

#[test]
fn wrong_types() {
    let err = invalid(&format!(
        "version: 1\nidentities:\n{OK_IDENTITY}    privileged: yes\n    tags: web\n    description: [a]\n"
    ));
    assert_has(
        &err,
        "reg.yaml:6:17: error: `privileged` must be `true` or `false`, found `yes`",
    );
    assert_has(
        &err,
        "reg.yaml:7:11: error: `tags` must be a list, found a string",
    );
    assert_has(
        &err,
        "reg.yaml:8:18: error: `description` must be a string, found a list",
    );
    let err = invalid("version: \"1\"\n");
    assert_has(&err, "reg.yaml:1:10: error: unsupported `version`");
    let err = invalid("version: 1\nidentities: { a: 1 }\n");
    assert_has(
        &err,
        "reg.yaml:2:1: error: `identities` must be a list, found a mapping",
    );
    for (value, found) in [
        ("true", "a boolean"),
        ("5", "a number"),
        ("-5", "a number"),
        ("1.5", "a number"),
        (".inf", "a number"),
        ("some-id", "a string"),
    ] {
        let err = invalid(&format!("version: 1\nidentities: {value}\n"));
        assert_has(
            &err,
            &format!("reg.yaml:2:1: error: `identities` must be a list, found {found}"),
        );
    }
}

#[test]
fn impossible_dates_and_bad_durations() {
    let err = invalid(&format!(
        "version: 1\npolicy:\n  warn_within: -5d\n  review_interval: 0d\n  max_exception: 3m\nidentities:\n{OK_IDENTITY}    created: 2026-02-30\n    expires: 2026-12-10 10:00\n    rotation: {{ max_age: never }}\n"
    ));
    assert_has(
        &err,
        "reg.yaml:3:16: error: `policy.warn_within`: invalid duration `-5d`",
    );
    assert_has(
        &err,
        "reg.yaml:4:20: error: `policy.review_interval`: invalid duration `0d`: a duration must be positive",
    );
    assert_has(
        &err,
        "reg.yaml:5:18: error: `policy.max_exception`: invalid duration `3m`",
    );
    assert_has(
        &err,
        "reg.yaml:10:14: error: `created`: invalid date `2026-02-30`",
    );
    assert_has(
        &err,
        "reg.yaml:11:14: error: `expires`: invalid date `2026-12-10 10:00`",
    );
    assert_has(
        &err,
        "reg.yaml:12:26: error: `rotation.max_age`: `never` is only allowed in `policy.rotation.kinds`",
    );
}

#[test]
fn duplicate_keys() {
    let err = invalid("version: 1\nidentities:\n  - id: a\n    kind: api_key\n    id: b\n");
    assert_has(&err, "reg.yaml:5:5: error: duplicate key `id`");
}

#[test]
fn list_where_one_owner_id_is_expected() {
    let err = invalid(
        "version: 1\nidentities:\n  - id: a\n    kind: api_key\n    owners: { policy: [p, q], technical: t, revocation: r }\n",
    );
    assert_has(
        &err,
        "reg.yaml:5:23: error: `owners.policy` must be one owner id, found a list",
    );
}

#[test]
fn ids_with_whitespace_or_control_characters() {
    let err = invalid(
        "version: 1\nowners:\n  \"team a\": { kind: team }\nidentities:\n  - id: \"my key\"\n    kind: api_key\n  - id: \"bell\\a\"\n    kind: api_key\n",
    );
    assert_has(
        &err,
        "reg.yaml:3:3: error: `owner id` `team a` is not a valid id",
    );
    assert_has(&err, "reg.yaml:5:9: error: `id` `my key` is not a valid id");
    // The control character is escaped in the message, never printed raw.
    assert_has(
        &err,
        "reg.yaml:7:9: error: `id` `bell\\u{7}` is not a valid id",
    );
    assert!(!err.contains('\u{7}'));
}

#[test]
fn members_must_be_people_on_teams() {
    let err = invalid(
        "version: 1\nowners:\n  t: { kind: team, members: [v] }\n  v: { kind: vendor }\n  p: { kind: person, members: [t] }\n",
    );
    assert_has(
        &err,
        "reg.yaml:3:30: error: team `t` lists `v` as a member, but it is a vendor",
    );
    assert_has(
        &err,
        "reg.yaml:5:31: error: owner `p` is a person and cannot have `members`",
    );
}

#[test]
fn missing_required_fields() {
    let err = invalid("version: 1\nidentities:\n  - kind: api_key\n  - id: b\n");
    assert_has(&err, "reg.yaml:3:5: error: identity entry has no `id`");
    assert_has(&err, "reg.yaml:4:5: error: identity `b` has no `kind`");
    let err = invalid("identities: []\n");
    assert_has(
        &err,
        "reg.yaml:1:1: error: registry file has no `version` key",
    );
    let err = invalid(&format!(
        "version: 1\nidentities:\n{OK_IDENTITY}    exceptions:\n      - {{ rule: stale-rotation, reason: \"  \" }}\n"
    ));
    assert_has(&err, "reg.yaml:7:41: error: exception `reason` is empty");
}

#[test]
fn every_invalid_entry_and_every_invalid_file_is_reported() {
    let ws = Workspace::new();
    ws.write("reg/a.yaml", "version: 1\nidentities:\n  - id: a\n    kind: tokn\n  - id: b\n    kind: api_key\n    created: 2026-13-01\n");
    ws.write("reg/b.yaml", "version: 2\nowners:\n  x: { kind: teem }\n");
    let err = invalid_in(&ws, &["audit", "reg"]);
    assert_has(&err, "reg/a.yaml:4:11: error: unknown identity kind `tokn`");
    assert_has(
        &err,
        "reg/a.yaml:7:14: error: `created`: invalid date `2026-13-01`",
    );
    assert_has(&err, "reg/b.yaml:1:10: error: unsupported `version` `2`");
    assert_has(&err, "reg/b.yaml:3:14: error: unknown owner kind `teem`");
    assert_has(&err, "the registry is invalid: 4 problems in 2 files");
}

#[test]
fn two_policies_or_one_owner_twice_across_files() {
    let ws = Workspace::new();
    ws.write(
        "reg/1.yaml",
        "version: 1\npolicy: { warn_within: 10d }\nowners:\n  t: { kind: team }\n",
    );
    ws.write(
        "reg/2.yaml",
        "version: 1\npolicy: { warn_within: 20d }\nowners:\n  t: { kind: team }\n",
    );
    let err = invalid_in(&ws, &["audit", "reg"]);
    assert_has(&err, "reg/2.yaml:2:1: error: a second `policy`");
    assert_has(&err, "the policy is already set at reg/1.yaml:2:1");
    assert_has(&err, "reg/2.yaml:4:3: error: owner `t` is declared twice");
    assert_has(&err, "first declared at reg/1.yaml:4:3");
}

#[test]
fn unreadable_and_missing_inputs() {
    let ws = Workspace::new();
    let err = invalid_in(&ws, &["audit"]);
    assert_has(
        &err,
        "ownership.yaml: error: cannot read: no such file or directory",
    );
    assert_has(&err, "no registry given");
    let err = invalid_in(&ws, &["audit", "nope.yaml"]);
    assert_has(
        &err,
        "nope.yaml: error: cannot read: no such file or directory",
    );
    std::fs::create_dir_all(ws.dir.path().join("empty/.hidden")).unwrap();
    ws.write("empty/.hidden/reg.yaml", "version: 1\n");
    ws.write("empty/notes.txt", "not a registry");
    let err = invalid_in(&ws, &["audit", "empty"]);
    assert_has(&err, "empty: error: directory holds no registry file");
    // A file named on the command line is read whatever its name; only a
    // directory's walk looks for `*.yaml` and `*.yml`.
    ws.write("registry.txt", "version: 1\n");
    let run = ws.run(&["audit", "registry.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// File names are shown as the operating system gives them: a backslash in
/// a Unix file name is a character of the name, not a separator.
#[cfg(unix)]
#[test]
fn file_names_keep_their_backslashes() {
    let ws = Workspace::new();
    ws.write("a\\b.yaml", "version: 1\nidentities: [1]\n");
    let err = invalid_in(&ws, &["audit", "a\\b.yaml"]);
    assert_has(
        &err,
        "a\\b.yaml:2:14: error: an identity entry must be a mapping",
    );
}

#[test]
fn empty_non_mapping_and_multi_document_files() {
    assert_has(&invalid(""), "reg.yaml:1:1: error: registry file is empty");
    assert_has(
        &invalid("# only a comment\n"),
        "reg.yaml:1:1: error: registry file is empty",
    );
    assert_has(
        &invalid("# list\n- a\n- b\n"),
        "reg.yaml:2:1: error: a registry file must be a mapping, found a list",
    );
    assert_has(
        &invalid("just text\n"),
        "reg.yaml:1:1: error: a registry file must be a mapping, found a string",
    );
    assert_has(
        &invalid("%YAML 1.2\n---\n- a\n"),
        "reg.yaml:3:1: error: a registry file must be a mapping, found a list",
    );
    // Located at the `---` that starts the second document.
    let err = invalid("version: 1\n---\nversion: 1\n");
    assert_has(
        &err,
        "reg.yaml:2:1: error: file holds more than one YAML document",
    );
}

#[test]
fn syntax_errors_are_located() {
    let err = invalid("version: 1\nidentities:\n  - id: a\n\tkind: api_key\n");
    // The scanner reports the tab where the plain scalar before it ends.
    assert_has(&err, "reg.yaml:3:9: error: invalid YAML");
    assert_has(&err, "tab");
    let err = invalid("version: 1\nowners: { a: [1, 2 }\n");
    assert_has(&err, "reg.yaml:2:");
    // The position is given once, as `file:line:col`, not again in the message.
    let err = invalid("version: 1\nowners: [a, b\n");
    assert_has(
        &err,
        "reg.yaml:2:9: error: invalid YAML: unclosed bracket '['\n",
    );
    let err = invalid("version: 1\nidentities: *nowhere\n");
    assert_has(
        &err,
        "reg.yaml:2:13: error: invalid YAML: alias references unknown anchor\n",
    );
}

/// Valid YAML that a registry cannot hold: keys that are not text, and tags
/// that make a value something other than text.
#[test]
fn yaml_a_registry_cannot_hold() {
    let key_help = "help: every key of a registry is a string, such as `id` or an owner id";
    let err = invalid("version: 1\nowners:\n  ~: { kind: team }\n");
    assert_has(
        &err,
        "reg.yaml:3:3: error: unsupported YAML: a mapping key is null",
    );
    assert_has(&err, key_help);
    let err = invalid("version: 1\nowners:\n  ? [a]\n  : { kind: team }\n");
    assert_has(
        &err,
        "reg.yaml:3:5: error: unsupported YAML: a mapping key is a list or a mapping",
    );
    assert_has(&err, key_help);
    // Tags are located at the tag itself.
    let tag = |t: &str| {
        format!("error: unsupported YAML: the tag `{t}` is not part of the registry format")
    };
    let err = invalid("version: 1\nowners:\n  !!int 5: { kind: team }\n");
    assert_has(&err, &format!("reg.yaml:3:3: {}", tag("!!int")));
    let err = invalid("version: 1\nidentities:\n  - id: !!timestamp 2026-01-01\n    kind: token\n");
    assert_has(&err, &format!("reg.yaml:3:9: {}", tag("!!timestamp")));
    assert_has(&err, "help: remove the tag");
}

#[test]
fn file_size_cap_names_the_fix() {
    let ws = Workspace::new();
    ws.write("reg.yaml", "version: 1\n");
    let err = invalid_in(&ws, &["audit", "reg.yaml", "--max-file-size", "0"]);
    assert_has(&err, "file is 11 bytes, over the 0 MiB limit");
    assert_has(&err, "split the registry into several files");
    // The limit is inclusive, to the byte.
    let at_limit = format!("version: 1\n# {}\n", "x".repeat((1 << 20) - 14));
    assert_eq!(at_limit.len(), 1 << 20);
    ws.write("reg.yaml", &at_limit);
    let run = ws.run(&["audit", "reg.yaml", "--max-file-size", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    ws.write("reg.yaml", format!("{at_limit} "));
    let err = invalid_in(&ws, &["audit", "reg.yaml", "--max-file-size", "1"]);
    assert_has(
        &err,
        "reg.yaml: error: file is 1048577 bytes, over the 1 MiB limit for one registry file",
    );
}

#[test]
fn bad_now_and_bad_arguments_exit_2() {
    let ws = Workspace::new();
    ws.write("ownership.yaml", "version: 1\n");
    assert_has(
        &invalid_in(&ws, &["audit", "--now", "2026-02-30"]),
        "--now: invalid date",
    );
    assert_eq!(ws.run(&["audit", "--format", "yaml"]).code, 2);
    assert_eq!(ws.run(&["audit", "--fail-on", "sometimes"]).code, 2);
    assert_eq!(ws.run(&["frobnicate"]).code, 2);
    let _ = run_in;
}

/// One value may hold 64 KiB, an owner id too; one byte more is an error.
#[test]
fn values_are_capped_at_64_kib() {
    let at_cap = "x".repeat(64 * 1024);
    let over = "x".repeat(64 * 1024 + 1);
    let registry = |description: &str, owner: &str| {
        format!(
            "version: 1\nowners:\n  ? {owner}\n  : {{ kind: team }}\nidentities:\n  - id: a\n    kind: token\n    description: {description}\n"
        )
    };
    common::audit(&registry(&at_cap, &at_cap));
    let err = invalid(&registry(&over, "team"));
    assert_has(
        &err,
        "reg.yaml:8:18: error: `description` is 65537 bytes long",
    );
    let err = invalid(&registry("fine", &over));
    assert_has(&err, "reg.yaml:3:5: error: owner id is 65537 bytes long");
}
