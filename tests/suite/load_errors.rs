//! Fail closed: every class of invalid input ends with exit 2 and a message
//! naming `file:line:col`, with a did-you-mean where one helps, and every
//! problem of a run is reported, not only the first.

use crate::common;

use crate::common::{Workspace, run_in};

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
        "reg.yaml:7:11: error: `tags` must be a list, found a string\n  help: write it as `tags: [payments, production]`",
    );
    assert_has(
        &err,
        "reg.yaml:8:18: error: `description` must be a string, found a list",
    );
    let err = invalid("version: \"1\"\n");
    assert_has(
        &err,
        "reg.yaml:1:10: error: `version` is the text `1`, not the number 1\n  help: write `version: 1`, without quotes",
    );
    for (value, found) in [
        ("2", "`2`"),
        ("[1]", "a list"),
        ("", "null"),
        ("1.0", "`1.0`"),
    ] {
        let err = invalid(&format!("version: {value}\n"));
        assert_has(
            &err,
            &format!("error: unsupported `version` {found}: this nhi-own reads version 1"),
        );
    }
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
    assert_has(
        &err,
        "it contains a control character (U+0007) at character 5",
    );
}

/// Ids that would print like another id are invalid: invisible format
/// characters (zero-width space, word joiner, soft hyphen, bidi controls,
/// tag characters), every Unicode space, and ids over 256 bytes.
#[test]
fn ids_that_print_like_another_id() {
    for (c, what) in [
        ('\u{200B}', "an invisible format character (U+200B)"),
        ('\u{2060}', "an invisible format character (U+2060)"),
        ('\u{00AD}', "an invisible format character (U+00AD)"),
        ('\u{202E}', "an invisible format character (U+202E)"),
        ('\u{2066}', "an invisible format character (U+2066)"),
        ('\u{FEFF}', "an invisible format character (U+FEFF)"),
        ('\u{E0041}', "an invisible format character (U+E0041)"),
        ('\u{00A0}', "whitespace (U+00A0)"),
        ('\u{3000}', "whitespace (U+3000)"),
        ('\u{2028}', "whitespace (U+2028)"),
        ('\u{85}', "whitespace (U+0085)"),
    ] {
        let id = format!("prod-key{c}");
        let yaml = format!(
            "version: 1\nowners:\n  {}: {{ kind: team }}\nidentities:\n  - id: {}\n    kind: api_key\n",
            serde_json::to_string(&format!("team{c}")).unwrap(),
            serde_json::to_string(&id).unwrap(),
        );
        let err = invalid(&yaml);
        assert_has(&err, "reg.yaml:3:3: error: `owner id` `team");
        assert_has(&err, &format!("it contains {what} at character 5"));
        assert_has(&err, "reg.yaml:5:9: error: `id` `prod-key");
        assert_has(&err, &format!("it contains {what} at character 9"));
    }
    let at_cap = "k".repeat(256);
    common::audit(&format!(
        "version: 1\nidentities:\n  - id: {at_cap}\n    kind: secret\n"
    ));
    let err = invalid(&format!(
        "version: 1\nidentities:\n  - id: {at_cap}x\n    kind: secret\n"
    ));
    assert_has(&err, "reg.yaml:3:9: error: `id` `kkkk");
    assert_has(&err, "it is 257 bytes long, over 256");
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
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("empty-registry"), "{}", run.stdout);
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
        "a\\b.yaml:2:14: error: an identity entry must be a mapping, found a number\n  help: write it as a list item with its keys, such as `- { id: deploy-key, kind: ssh_key }`",
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
    // A syntax error after the second `---` is reported too.
    let err = invalid("---\n\n---\n\"\n");
    assert_has(
        &err,
        "reg.yaml:3:1: error: file holds more than one YAML document",
    );
    assert_has(&err, "reg.yaml:4:1: error: invalid YAML: unclosed quote");
}

#[test]
fn syntax_errors_are_located() {
    // The tab itself, not the end of the scalar before it.
    let err = invalid("version: 1\nidentities:\n  - id: a\n\tkind: api_key\n");
    assert_has(
        &err,
        "reg.yaml:4:1: error: invalid YAML: a tab in the indentation\n  help: YAML forbids tabs for indentation: indent with spaces",
    );
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

/// The mistakes people make most, each at its own place with what to do,
/// and the file's other entries still read and reported.
#[test]
fn common_syntax_errors_say_what_to_do() {
    let next = "  - id: b\n    kind: tokn\n";
    for (entry, at, message, help) in [
        (
            "  - id: a\n    kind: token\n    owners: { policy: x, technical: y\n",
            "5:13",
            "`{` is never closed",
            "close the `{` opened at 5:13 with `}`",
        ),
        (
            "  - id: a\n    kind: token\n    tags: [x, y\n",
            "5:11",
            "`[` is never closed",
            "close the `[` opened at 5:11 with `]`",
        ),
        (
            "  - id: a\n    kind: token\n    description: note: text here\n",
            "5:22",
            "a plain value cannot hold `: `",
            "quote the value: `description: \"note: text here\"`",
        ),
        (
            "  - id: a\n    description: \"unclosed\n",
            "4:18",
            "`\"` is never closed",
            "close the quote opened at 4:18",
        ),
        (
            "  - id: a\n\tkind: api_key\n",
            "4:1",
            "a tab in the indentation",
            "YAML forbids tabs for indentation",
        ),
    ] {
        let err = invalid(&format!("version: 1\nidentities:\n{entry}{next}"));
        assert_has(
            &err,
            &format!("reg.yaml:{at}: error: invalid YAML: {message}"),
        );
        assert_has(&err, &format!("  help: {help}"));
        // The entry after the mistake is read on its own: its problem is reported too.
        let line = 3 + entry.lines().count() + 1;
        assert_has(
            &err,
            &format!("reg.yaml:{line}:11: error: unknown identity kind `tokn`"),
        );
        assert_has(&err, "2 problems in 1 file");
    }
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
    // No registry fits in 0 MiB: the argument is refused.
    let err = invalid_in(&ws, &["audit", "reg.yaml", "--max-file-size", "0"]);
    assert_has(
        &err,
        "invalid value '0' for '--max-file-size <MIB>': 0 is not in 1..=1048576",
    );
    // The limit is inclusive, to the byte.
    let at_limit = format!("version: 1\n# {}\n", "x".repeat((1 << 20) - 14));
    assert_eq!(at_limit.len(), 1 << 20);
    ws.write("reg.yaml", &at_limit);
    let run = ws.run(&["audit", "reg.yaml", "--max-file-size", "1"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("empty-registry"), "{}", run.stdout);
    ws.write("reg.yaml", format!("{at_limit} "));
    let err = invalid_in(&ws, &["audit", "reg.yaml", "--max-file-size", "1"]);
    assert_has(&err, "file is 1048577 bytes, over the 1 MiB limit");
    assert_has(&err, "split the registry into several files");
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
    common::audit(&registry(&at_cap, "team"));
    let err = invalid(&registry(&over, "team"));
    assert_has(
        &err,
        "reg.yaml:8:18: error: `description` is 65537 bytes long",
    );
    let err = invalid(&registry("fine", &over));
    assert_has(&err, "reg.yaml:3:5: error: owner id is 65537 bytes long");
    // Numbers too: a 200,000-digit id is no id.
    let digits = "9".repeat(200_000);
    let err = invalid(&format!(
        "version: 1\nidentities:\n  - id: {digits}\n    kind: token\n    ticket: 1\n"
    ));
    assert_has(&err, "reg.yaml:3:9: error: `id` is 200000 bytes long");
    let err = invalid(&format!("version: {digits}\n"));
    assert_has(&err, "reg.yaml:1:10: error: `version` is 200000 bytes long");
}

/// A registry whose one departed owner makes the audit fail, unless a YAML
/// feature turns `inactive` into something else.
fn with_status(status: &str) -> String {
    format!(
        "version: 1\nowners:\n  alice:\n    kind: person\n    status: {status}\nidentities:\n  - id: k\n    kind: token\n    owners: {{ policy: alice, technical: alice, revocation: alice }}\n"
    )
}

/// No tag can turn visible text into null, a number or a boolean: every tag
/// but `!!str` (and `!!map`/`!!seq` on their own kind of node) is an error,
/// in every spelling YAML allows, located at the tag.
#[test]
fn explicit_tags_are_errors_in_every_spelling() {
    for (tag, spelling) in [
        ("!!null", "!!null"),
        ("!!bool", "!!bool"),
        ("!!int", "!!int"),
        ("!!float", "!!float"),
        ("!!binary", "!!binary"),
        ("!!timestamp", "!!timestamp"),
        ("!<tag:yaml.org,2002:null>", "!<tag:yaml.org,2002:null>"),
        ("!x", "!x"),
        ("!", "!"),
        ("!<!local>", "!<!local>"),
    ] {
        let err = invalid(&with_status(&format!("{tag} inactive")));
        assert_has(
            &err,
            &format!(
                "reg.yaml:5:13: error: unsupported YAML: the tag `{spelling}` is not part of the registry format"
            ),
        );
        assert_has(&err, "help: remove the tag");
    }
    // `%TAG` handles: a handle for the core schema, and one of a user's own.
    for (directive, tag, spelling) in [
        ("%TAG !c! tag:yaml.org,2002:", "!c!null", "!c!null"),
        ("%TAG !e! tag:example.com,2026:", "!e!x", "!e!x"),
        ("%TAG ! tag:yaml.org,2002:", "!null", "!null"),
        // Redefining `!!` does not make `!!str` the core string.
        ("%TAG !! tag:example.com,2026:", "!!str", "!!str"),
    ] {
        let body = with_status(&format!("{tag} inactive"));
        let err = invalid(&format!("{directive}\n---\n{body}"));
        assert_has(
            &err,
            &format!(
                "reg.yaml:7:13: error: unsupported YAML: the tag `{spelling}` is not part of the registry format"
            ),
        );
    }
    // Tags on keys and collections, and collection tags on the wrong node.
    for (yaml, at, spelling) in [
        ("version: 1\n!!null owners: {}\n", "2:1", "!!null"),
        ("version: 1\nowners: !!seq {}\n", "2:9", "!!seq"),
        ("version: 1\nidentities: !!map []\n", "2:13", "!!map"),
        ("version: 1\nidentities: !!str []\n", "2:13", "!!str"),
        ("version: 1\nowners: !!set { a }\n", "2:9", "!!set"),
        ("--- !!map\nversion: 1\n---\n", "1:5", "!!map"),
    ] {
        let err = invalid(yaml);
        if at == "1:5" {
            // A root `!!map` is allowed; the second document is the error.
            assert_has(
                &err,
                "reg.yaml:3:1: error: file holds more than one YAML document",
            );
            continue;
        }
        assert_has(
            &err,
            &format!(
                "reg.yaml:{at}: error: unsupported YAML: the tag `{spelling}` is not part of the registry format"
            ),
        );
    }
}

/// `!!str` in any spelling keeps a value text (so `!!str null` is the text
/// `null`), and `!!map`/`!!seq` on their own nodes change nothing.
#[test]
fn core_string_and_collection_tags_are_accepted() {
    for tag in [
        "!!str",
        "!<tag:yaml.org,2002:str>",
        "%TAG !c! tag:yaml.org,2002:\n---\n!c!str",
    ] {
        let (directive, tag) = match tag.rsplit_once('\n') {
            Some((d, t)) => (format!("{d}\n"), t),
            None => (String::new(), tag),
        };
        let yaml = format!(
            "{directive}version: 1\nowners: !!map\n  alice: {{ kind: person, name: {tag} null }}\nidentities: !!seq\n  - id: {tag} 42\n    kind: token\n    owners: {{ policy: alice, technical: alice, revocation: alice }}\n"
        );
        let run = common::audit(&yaml);
        let json = run.json();
        let ids: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["identity"].as_str())
            .collect();
        assert!(ids.contains(&"42"), "{tag}: {}", run.stdout);
    }
}

/// `<<` is a merge key whatever anchor it carries: an anchored `<<` merges
/// (and its value is checked) as a bare one does, never a key named `<<`.
#[test]
fn an_anchored_merge_key_merges() {
    let run = crate::common::audit_at(
        "version: 1\nowners:\n  alice: { kind: person, status: inactive }\nidentities:\n  - id: k\n    kind: token\n    owners: &roles { policy: alice, technical: alice, revocation: alice }\n  - id: j\n    kind: token\n    owners: { &m <<: *roles }\n",
        "2026-11-22",
    );
    let held = run
        .findings("inactive-owner")
        .iter()
        .filter(|f| f["identity"] == "j")
        .count();
    assert_eq!(held, 3, "the merged roles of `j`: {}", run.stdout);
    let err = invalid("version: 1\nidentities:\n  - { id: k, kind: token, &m <<: a }\n");
    assert_has(
        &err,
        "reg.yaml:3:34: error: unsupported YAML: a merge key `<<` must name a mapping",
    );
}

/// The top-level mapping merges as every mapping does: explicit keys win,
/// and a merge key naming no mapping is an error there too.
#[test]
fn the_top_level_mapping_merges() {
    let run = crate::common::audit_at(
        "version: 1\n<<: { version: 2, identities: [{ id: merged, kind: token }] }\n",
        "2026-11-22",
    );
    let missing = run.findings("missing-owner");
    assert_eq!(missing.len(), 3, "{}", run.stdout);
    assert!(
        missing.iter().all(|f| f["identity"] == "merged"),
        "{}",
        run.stdout
    );
    // `? <<`: an explicit merge key with no value (found by the engines fuzz target).
    let err = invalid("? <<");
    assert_has(
        &err,
        "reg.yaml:1:1: error: registry file has no `version` key",
    );
    assert_has(
        &err,
        "error: unsupported YAML: a merge key `<<` must name a mapping",
    );
    assert!(!err.contains("unknown key `<<`"), "{err}");
    let err = invalid("version: 1\n<<: *x\n");
    assert_has(&err, "reg.yaml:2:5: error: invalid YAML");
}

/// A mapping with two merge keys is a duplicate key, whichever would win
/// elsewhere; one merge key with a list merges each, the earlier winning,
/// and explicit keys win over merged ones.
#[test]
fn merge_keys_merge_once() {
    let err = invalid(
        "version: 1\nx: &a { status: active }\ny: &b { status: retired }\nidentities:\n  - id: k\n    kind: token\n    <<: *a\n    <<: *b\n",
    );
    assert_has(&err, "reg.yaml:8:5: error: duplicate merge key `<<`");
    assert_has(&err, "this mapping already merges at 7:5");
    // `<<: [*a, *b]`: the first list item wins; an explicit key wins over both.
    let yaml = "version: 1\nowners:\n  alice: { kind: person, status: inactive }\n  bob: { kind: person }\nidentities:\n  - id: holder\n    kind: token\n    owners: &roles { policy: alice, technical: alice, revocation: alice }\n  - id: k\n    kind: token\n    owners:\n      <<: [{ policy: bob, technical: bob }, *roles]\n      technical: alice\n";
    let ws = Workspace::new();
    ws.write("reg.yaml", yaml);
    let run = ws.run(&[
        "audit",
        "reg.yaml",
        "--now",
        "2026-11-22",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut inactive: Vec<(String, String)> = run
        .findings("inactive-owner")
        .iter()
        .map(|f| {
            (
                f["identity"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(id, _)| id == "k")
        .map(|(id, m)| (id, m.split(' ').next().unwrap().to_owned()))
        .collect();
    inactive.sort();
    // policy from the first merged mapping (bob), technical explicit (alice),
    // revocation from the second (alice).
    assert_eq!(
        inactive,
        [
            ("k".to_owned(), "revocation".to_owned()),
            ("k".to_owned(), "technical".to_owned())
        ]
    );
    // A merge key that names a scalar is an error.
    let err = invalid("version: 1\nidentities:\n  - id: k\n    kind: token\n    <<: text\n");
    assert_has(
        &err,
        "reg.yaml:5:9: error: unsupported YAML: a merge key `<<` must name a mapping or a list of mappings",
    );
}

/// Every later error of a file is reported after a duplicate key.
#[test]
fn a_duplicate_key_hides_no_later_error() {
    let err = invalid(
        "version: 1\nidentities:\n  - id: a\n    id: b\n    kind: token\n  - id: c\n    kind: tokn\n",
    );
    assert_has(&err, "reg.yaml:4:5: error: duplicate key `id`");
    assert_has(&err, "already a key of this mapping at 3:5");
    assert_has(&err, "reg.yaml:7:11: error: unknown identity kind `tokn`");
}

/// Dates are exactly `YYYY-MM-DD` or RFC 3339, with nothing around them,
/// quoted or not; a timestamp without its offset says so.
#[test]
fn dates_hold_nothing_but_the_date() {
    for (value, needle) in [
        (
            "\" 2026-01-01\"",
            "invalid date ` 2026-01-01`: remove the spaces around it",
        ),
        (
            "\"2026-01-01 \"",
            "invalid date `2026-01-01 `: remove the spaces around it",
        ),
        (
            "'2026-01-01\t'",
            "invalid date `2026-01-01\\t`: remove the spaces around it",
        ),
        (
            "2026-01-01T10:00:00",
            "invalid date `2026-01-01T10:00:00`: a timestamp needs its offset from UTC",
        ),
        (
            "2026-01-01 10:00:00Z",
            "invalid date `2026-01-01 10:00:00Z`: write `T` between the day and the time",
        ),
    ] {
        let err = invalid(&format!(
            "version: 1\nidentities:\n{OK_IDENTITY}    expires: {value}\n"
        ));
        assert_has(&err, &format!("reg.yaml:6:14: error: `expires`: {needle}"));
    }
}

/// A directory walk takes `.yaml` and `.yml` in any letter case: an owner
/// directory in `owners.YAML` is part of the registry.
#[test]
fn extensions_in_any_letter_case_are_walked() {
    let ws = Workspace::new();
    ws.write(
        "reg/owners.YAML",
        "version: 1\nowners:\n  team-a: { kind: team, status: inactive }\n",
    );
    ws.write(
        "reg/ids.Yml",
        "version: 1\nidentities:\n  - id: k\n    kind: token\n    owners: { policy: team-a, technical: team-a, revocation: team-a }\n",
    );
    ws.write("reg/notes.txt", "not a registry\n");
    let run = ws.run(&[
        "audit",
        "reg",
        "--now",
        "2026-11-22",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings("inactive-owner").len(), 3, "{}", run.stdout);
}

/// Paths are shown normalised, and a file reached twice (a directory named
/// twice, a file named and inside a named directory) is read once.
#[test]
fn paths_are_normalised_and_read_once() {
    let ws = Workspace::new();
    ws.write(
        "d/a.yaml",
        "version: 1\nidentities:\n  - id: k\n    kind: tokn\n",
    );
    let err = invalid_in(&ws, &["audit", ".//d//./a.yaml"]);
    assert!(
        err.starts_with("d/a.yaml:4:11: error: unknown identity kind `tokn`"),
        "{err}"
    );
    assert!(!err.contains(".//"), "{err}");
    ws.write(
        "d/a.yaml",
        "version: 1\nidentities:\n  - id: k\n    kind: token\n",
    );
    let once = ws.run(&["audit", "d", "--now", "2026-11-22", "--format", "json"]);
    for args in [["d", "d"], ["d/a.yaml", "d"], ["d", "./d/"]] {
        let run = ws.run(&[
            "audit",
            args[0],
            args[1],
            "--now",
            "2026-11-22",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, once.code, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, once.stdout, "{args:?}");
    }
    let sarif = ws.run(&[
        "audit",
        ".//d/a.yaml",
        "--now",
        "2026-11-22",
        "--format",
        "sarif",
    ]);
    assert!(
        sarif.stdout.contains("\"uri\": \"d/a.yaml\""),
        "{}",
        sarif.stdout
    );
}

/// Any thread count is accepted: more than the cap, or than the system
/// grants, is fewer threads, never a failure.
#[test]
fn any_thread_count_works() {
    let ws = Workspace::new();
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: k\n    kind: token\n",
    );
    let one = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        "2026-11-22",
        "-j",
        "1",
        "--format",
        "json",
    ]);
    for threads in ["0", "3", "100000", "18446744073709551615"] {
        let run = ws.run(&[
            "audit",
            "r.yaml",
            "--now",
            "2026-11-22",
            "-j",
            threads,
            "--format",
            "json",
        ]);
        assert_eq!(
            (run.code, &run.stdout),
            (one.code, &one.stdout),
            "-j {threads}: {}",
            run.stderr
        );
    }
}

/// Ids are read in Unicode NFC: `é` and `e` + U+0301 are one id, so two
/// entries spelled so are a duplicate, and a blank U+2800 is no character
/// of an id.
#[test]
fn canonically_equivalent_ids_are_one_id() {
    let err = invalid(
        "version: 1\nowners:\n  \"bob\\u00e9\": { kind: person, status: inactive }\n  \"bobe\\u0301\": { kind: person }\n",
    );
    assert_has(&err, "reg.yaml:4:3: error: owner `bobé` is declared twice");
    let run = common::audit(
        "version: 1\nidentities:\n  - id: \"caf\\u00e9-key\"\n    kind: token\n  - id: \"cafe\\u0301-key\"\n    kind: token\n",
    );
    let dup = run.findings("duplicate-identity");
    assert_eq!(dup.len(), 1, "{}", run.stdout);
    assert_eq!(dup[0]["identity"], "caf\u{e9}-key");
    for (c, what) in [
        ("\\u2800", "a character that prints as nothing (U+2800)"),
        ("\\u3164", "a character that prints as nothing (U+3164)"),
        ("\\ufe0f", "a character that prints as nothing (U+FE0F)"),
    ] {
        let err = invalid(&format!(
            "version: 1\nidentities:\n  - id: \"bob{c}\"\n    kind: token\n"
        ));
        assert_has(&err, &format!("it contains {what} at character 4"));
    }
}

/// A registry that could not be read at all says so, not "invalid".
#[test]
fn an_unreadable_registry_is_not_called_invalid() {
    let ws = Workspace::new();
    let err = invalid_in(&ws, &["audit", "nope.yaml"]);
    assert!(
        err.ends_with("error: the registry could not be read; nothing was audited\n"),
        "{err}"
    );
    ws.write(
        "r.yaml",
        "version: 1\nidentities:\n  - id: k\n    kind: tokn\n",
    );
    let err = invalid_in(&ws, &["audit", "r.yaml", "nope.yaml"]);
    assert!(
        err.ends_with(
            "error: the registry is invalid: 2 problems in 2 files; nothing was audited\n"
        ),
        "{err}"
    );
}
