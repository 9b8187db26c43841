//! Parsing one file in parallel chunks must give exactly what a whole-file
//! parse gives: the same identities, values and `line:col` of every value,
//! and the same errors, on generated registries, the examples, and formatting
//! that stresses the splitter. Parallel file parsing must not change output.

use crate::common::{Workspace, repo_root};
use crate::gen_registry;
use nhi_own::registry::{Chunking, LoadOptions, chunk, load};

/// The whole loader's result, as text: every field and location, or every error.
fn loaded(path: &std::path::Path, chunking: Chunking, threads: usize) -> String {
    let options = LoadOptions {
        chunking,
        threads,
        ..LoadOptions::default()
    };
    let dump = format!("{:#?}", load(&[path.to_path_buf()], &options));
    // The comparison means something only if the dump shows the values.
    assert!(
        dump.starts_with("Err(") || dump.contains("identities: ["),
        "{dump}"
    );
    dump
}

/// Asserts that chunked parses of `text` match the whole parse, for several
/// chunk sizes; returns whether the file took the chunked path at all.
fn assert_same(name: &str, text: &str) -> bool {
    let ws = Workspace::new();
    let path = ws.write("reg.yaml", text);
    let whole = loaded(&path, Chunking::Off, 1);
    let mut chunked = false;
    for bytes in [1, 700] {
        chunked |= chunk::plan(text, bytes).is_some();
        for threads in [1, 2] {
            let split = loaded(&path, Chunking::Bytes(bytes), threads);
            if split != whole {
                let at = whole
                    .lines()
                    .zip(split.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "{name}: chunks of {bytes} bytes on {threads} threads differ from the whole parse \
                     at line {at} of the dump:\nwhole: {:?}\nsplit: {:?}",
                    whole.lines().nth(at),
                    split.lines().nth(at)
                );
            }
        }
    }
    chunked
}

/// Applies `f` to every line of the `identities` section (after the key, before
/// the next top-level key).
fn map_section(text: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("identities:") {
            inside = true;
            out.push_str(line);
            continue;
        }
        if inside && !line.starts_with(' ') && !line.trim().is_empty() {
            inside = false;
        }
        out.push_str(&if inside { f(line) } else { line.to_owned() });
    }
    out
}

#[test]
fn chunked_parse_matches_whole_parse_on_generated_and_stressed_registries() {
    let base = gen_registry::registry(120);
    let mut variants: Vec<(&str, String, bool)> = vec![
        ("generated", base.clone(), true),
        ("CRLF line ends", base.replace('\n', "\r\n"), true),
        ("UTF-8 BOM", format!("\u{feff}{base}"), true),
        (
            "entries at column 0",
            map_section(&base, |l| l.strip_prefix("  ").unwrap_or(l).to_owned()),
            true,
        ),
        (
            "comments and blank lines between entries",
            base.replace("\n  - id:", "\n\n# a comment\n    # indented comment\n\n  - id:"),
            true,
        ),
        (
            "block scalars holding entry-like lines",
            base.replace(
                "    description: aws credential number",
                "    description: |\n      - id: not-an-entry\n        kind: token\n\n      identities:\n      aws credential number",
            ),
            true,
        ),
        (
            "folded, quoted and flow values over several lines",
            base.replace(
                "    description: gcp credential number",
                "    description: >-\n      folded\n      - text\n      gcp credential number",
            )
            .replace("    system: stripe\n", "    system: \"stripe\n      - second\"\n")
            .replace("    system: datadog\n", "    system: 'it''s\n      - third'\n")
            .replace("    environment: staging\n", "    environment: staging\n    tags: [a,\n      b]\n"),
            true,
        ),
        (
            "line separators inside values",
            base.replace(
                "description: github credential number",
                "description: \"a\u{2028}b\u{85}c\u{2029}d\" # github credential number",
            )
            .replace("description: snowflake credential", "description: snow\u{2028}flake\u{85} credential"),
            true,
        ),
        (
            "top-level keys after identities",
            {
                let at = base.find("identities:").unwrap();
                let (head, tail) = base.split_at(at);
                let (version, rest) = head.split_at(head.find("policy:").unwrap());
                format!("{version}{tail}{rest}")
            },
            true,
        ),
        (
            "an invalid entry in the middle",
            base.replacen("kind: api_key", "kind: api-key", 3),
            true,
        ),
        (
            "an invalid date near the end",
            {
                let at = base.rfind("created: ").unwrap();
                format!("{}created: 2026-02-30{}", &base[..at], &base[at + 19..])
            },
            true,
        ),
        (
            "a quoted scalar running over an entry start",
            base.replacen(
                "    description: stripe credential number 3\n",
                "    description: \"stripe credential\n  - id: forged\n    kind: token\n    note: end\"\n",
                1,
            ),
            true,
        ),
        (
            "a flow mapping running over an entry start",
            base.replacen(
                "owners: { policy: security,",
                "owners: { policy: security,\n  - id: forged\n   ",
                1,
            ),
            true,
        ),
        (
            "a duplicate key inside an entry",
            base.replacen("    system: aws\n", "    system: aws\n    system: gcp\n", 1),
            true,
        ),
        (
            // Found by fuzzing: the comment was once left out of every chunk.
            "a control character in a comment before the first entry",
            base.replacen("identities:\n", "identities:\n  # bad \u{b}\u{0} byte\n", 1),
            true,
        ),
        (
            // Every part reports errors: none may be dropped in the merge.
            "errors in the head and in every entry",
            map_section(&base.replacen("warn_within: 30d", "warn_within: 30x", 1), |l| {
                l.replace("kind: ", "kind: x-")
            }),
            true,
        ),
        (
            "a column-0 entry after an indented list",
            format!("{base}- id: stray\n  kind: token\n"),
            false,
        ),
        (
            "anchors and aliases",
            base.replacen("kind: token", "kind: &k token", 1)
                .replacen("kind: token", "kind: *k", 1),
            false,
        ),
        (
            "a second identities key",
            format!("{base}identities:\n  - id: again\n    kind: token\n"),
            false,
        ),
        (
            // A chunk cannot see the head's `%TAG`: `!null` would be a local
            // tag there and the core null in the whole file.
            "a %TAG directive and tags",
            format!(
                "%TAG ! tag:yaml.org,2002:\n---\n{}",
                base.replacen("kind: token", "kind: token\n    status: !null retired", 2)
            ),
            false,
        ),
        (
            "a %YAML directive",
            format!("%YAML 1.2\n---\n{base}"),
            false,
        ),
        ("a document start", format!("---\n{base}"), false),
        ("a document end", format!("{base}...\n"), false),
        (
            "a core tag",
            base.replacen("kind: token", "kind: !!str token", 1),
            false,
        ),
    ];
    for example in ["examples/showcase.yaml", "ownership.yaml"] {
        let text = std::fs::read_to_string(repo_root().join(example)).unwrap();
        variants.push((example, text, true));
    }
    for (name, text, expect_chunks) in &variants {
        let chunked = assert_same(name, text);
        assert_eq!(
            chunked,
            *expect_chunks,
            "{name}: expected the chunked path to be {}",
            if *expect_chunks { "taken" } else { "refused" }
        );
    }
}

/// The same report, byte for byte, whatever the threads and chunking.
#[test]
fn parallel_parsing_does_not_change_any_output() {
    let ws = Workspace::new();
    let text = gen_registry::registry(400);
    ws.write("one.yaml", &text);
    // The same identities spread over 16 files, with the directory in its own file.
    let at = text.find("identities:\n").unwrap();
    ws.write("dir/00-directory.yaml", &text[..at]);
    let entries: Vec<&str> = text[at + 12..].split_inclusive("\n  - id:").collect();
    for (k, part) in entries.chunks(entries.len().div_ceil(16)).enumerate() {
        let mut body: String = part.concat();
        if let Some(stripped) = body.strip_suffix("\n  - id:") {
            body = format!("{stripped}\n");
        }
        let body = if body.starts_with("  - id:") {
            body
        } else {
            format!("  - id:{body}")
        };
        ws.write(
            &format!("dir/identities-{k:02}.yaml"),
            format!("version: 1\nidentities:\n{body}"),
        );
    }
    let files = std::fs::read_dir(ws.dir.path().join("dir"))
        .unwrap()
        .count();
    assert_eq!(files, 17);
    for target in ["one.yaml", "dir"] {
        for format in ["json", "sarif", "text", "junit"] {
            let args = |extra: &[&'static str]| {
                let mut args = vec![
                    "audit",
                    target,
                    "--now",
                    "2026-11-01",
                    "--format",
                    format,
                    "--fail-on",
                    "never",
                ];
                args.extend_from_slice(extra);
                ws.run(&args)
            };
            let sequential = args(&["-j", "1", "--no-chunking"]);
            assert_eq!(sequential.code, 0, "{}", sequential.stderr);
            assert!(sequential.stdout.len() > 1000);
            for parallel in [args(&["-j", "2"]), args(&["-j", "4"]), args(&[])] {
                assert_eq!(parallel.code, 0, "{}", parallel.stderr);
                assert!(
                    parallel.stdout == sequential.stdout,
                    "{target} in {format} differs when parsed in parallel"
                );
            }
        }
    }
    // Errors too: same messages, same order.
    std::fs::write(
        ws.dir.path().join("dir/identities-07.yaml"),
        "version: 1\nidentities:\n  - id: x\n    kind: nope\n",
    )
    .unwrap();
    std::fs::write(ws.dir.path().join("dir/identities-03.yaml"), "version: [\n").unwrap();
    let sequential = ws.run(&["audit", "dir", "-j", "1", "--no-chunking"]);
    let parallel = ws.run(&["audit", "dir", "-j", "2"]);
    assert_eq!(sequential.code, 2);
    assert_eq!(parallel.code, 2);
    assert_eq!(parallel.stderr, sequential.stderr);
    let at3 = sequential.stderr.find("identities-03.yaml").unwrap();
    let at7 = sequential.stderr.find("identities-07.yaml").unwrap();
    assert!(
        at3 < at7,
        "errors follow file order:\n{}",
        sequential.stderr
    );
}

/// A chunk cannot see the file's anchors, nor share its alias budget: any
/// anchor, alias or tag in a chunk, however it is spelled (here right after
/// the `:` of a JSON-style key, where no space is needed), makes the file
/// parse whole, so the verdict never depends on the number of threads.
#[test]
fn aliases_anywhere_keep_the_budget_of_the_whole_file() {
    let mut yaml = String::from("version: 1\nidentities:\n");
    for i in 0..12 {
        let exceptions = vec![
            format!("{{\"rule\":\"stale-rotation\",\"reason\":*d{i},\"approved_by\":sec,\"expires\":2026-12-01}}");
            100
        ]
        .join(",");
        yaml.push_str(&format!(
            "  - {{\"id\":\"k{i}\",\"kind\":\"token\",\"description\":&d{i} \"{}\",\"exceptions\":[{exceptions}]}}\n",
            "x".repeat(8000)
        ));
    }
    let ws = Workspace::new();
    ws.write("reg.yaml", &yaml);
    for threads in ["1", "2", "0"] {
        let run = ws.run(&["audit", "reg.yaml", "--now", "2026-11-01", "-j", threads]);
        assert_eq!(run.code, 2, "-j {threads}: {}", run.stdout);
        assert!(
            run.stderr.contains("YAML too large to expand safely"),
            "-j {threads}: {}",
            run.stderr
        );
    }
    // And in process, whole and chunked loads agree.
    assert_same("aliases after a JSON-style key", &yaml);
}

/// A split file's text is let go as its chunks are parsed, and read again
/// to report its errors as a whole-file parse does; standard input, which
/// cannot be read again, is kept. Both report exactly the whole parse's
/// errors.
#[test]
fn errors_in_a_split_file_are_those_of_the_whole_file_from_a_file_and_from_stdin() {
    let ws = Workspace::new();
    let mut text = gen_registry::registry(400);
    let second = text.match_indices("    kind: ").nth(300).unwrap().0;
    text.replace_range(second..second + 10, "    kind: nope\n    kind: ");
    let third = text.match_indices("  - id: ").nth(350).unwrap().0;
    text.insert_str(third, "  - id: [unclosed\n");
    ws.write("reg.yaml", &text);
    assert!(
        chunk::plan(&text, 32 * 1024).is_some(),
        "the file takes the chunked path"
    );
    let whole = ws.run(&["audit", "reg.yaml", "-j", "1", "--no-chunking"]);
    assert_eq!(whole.code, 2, "{}", whole.stderr);
    assert!(whole.stderr.contains("invalid YAML"), "{}", whole.stderr);
    let from_file = ws.run(&["audit", "reg.yaml", "-j", "2"]);
    assert_eq!(from_file.code, 2);
    assert_eq!(from_file.stderr, whole.stderr);
    let from_stdin = crate::common::nhi_own()
        .current_dir(ws.dir.path())
        .args(["audit", "-", "-j", "2"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(from_stdin.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&from_stdin.stderr).replace("<stdin>", "reg.yaml"),
        whole.stderr
    );
}

/// What a load gives, as text: the registry, or every error.
fn outcome(result: Result<nhi_own::registry::Registry, nhi_own::registry::LoadErrors>) -> String {
    match result {
        Ok(registry) => format!("{registry:?}"),
        Err(errors) => format!("{errors:?}"),
    }
}

#[test]
fn a_cached_load_is_the_load_edit_after_edit() {
    use nhi_own::registry::{LoadOptions, ParseCache, load_bytes, load_cached};
    // About 20 chunks of the cache's size.
    let text = gen_registry::registry(4000);
    let cache = ParseCache::default();
    let middle = text.len() / 2;
    let line = text[middle..]
        .find("\n    kind: ")
        .map(|i| middle + i)
        .unwrap();
    let edits: Vec<String> = vec![
        text.clone(),
        text.clone(),
        // Within a line, twice: the other chunks are taken from the cache.
        text.replacen("last_reviewed: 2026-0", "last_reviewed: 2025-0", 1),
        text.replacen("last_reviewed: 2026-0", "last_reviewed: 2024-0", 1),
        // A line more: every later chunk moves.
        format!("{}\n    description: added{}", &text[..line], &text[line..]),
        // An error in one chunk, then fixed.
        format!("{}\n    kidn: token{}", &text[..line], &text[line..]),
        text.clone(),
        // A second file beside it.
        text.replacen("owners:", "owners:\n  extra: { kind: person }", 1),
    ];
    for (n, edited) in edits.iter().enumerate() {
        let files = [
            ("reg.yaml", edited.as_str()),
            ("more.yaml", "version: 1\nidentities: []\n"),
        ];
        let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
        let expected = outcome(load_bytes(&bytes, &LoadOptions::default()));
        let got = outcome(load_cached(&files, &LoadOptions::default(), &cache));
        assert!(expected == got, "edit {n}: the cached load differs");
    }
}
