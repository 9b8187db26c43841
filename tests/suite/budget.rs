//! The YAML budget grows with the input: honest registries of any size load,
//! including ones that share values through anchors, aliases and merge keys,
//! while a file that multiplies values is rejected however large it is.
//! (The time and memory bounds on hostile input are in `hostile.rs`.)

use crate::common::{NOW, Run, Workspace};
use crate::gen_registry;
use std::fmt::Write as _;

const OWNERS: &str = "owners:
  sec: { kind: team, contact: \"#sec\" }
  platform: { kind: team, contact: \"#platform\" }
  oncall: { kind: team, contact: \"#oncall\" }
";

/// An identity that no rule reports on as of `NOW`, anchored as `base`, with
/// its owners anchored as `std`.
const BASE: &str = "  - &base
    id: base
    kind: token
    owners: &std { policy: sec, technical: platform, revocation: oncall }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
";

/// Identities `bot-{i}` for each `i` in `ids`, fresh as of `NOW`, each
/// aliasing the owners block of [`BASE`], with `extra` lines appended.
fn bots(ids: std::ops::Range<usize>, extra: &str) -> String {
    ids.map(|i| {
        format!(
            "  - id: bot-{i}\n    kind: token\n    owners: *std\n    rotation: {{ last_rotated: 2026-11-01 }}\n    last_reviewed: 2026-11-01\n{extra}"
        )
    })
    .collect()
}

/// Audits `reg.yaml` holding `yaml` on one thread (one file is then parsed
/// whole, under one budget for the whole file).
fn audit(yaml: &str) -> Run {
    let ws = Workspace::new();
    ws.write("reg.yaml", yaml);
    ws.run(&["audit", "reg.yaml", "--now", NOW, "-j", "1"])
}

fn assert_clean(run: &Run, identities: usize) {
    assert_eq!(run.code, 0, "{}", run.stderr);
    let summary = format!("0 errors, 0 warnings, 0 info in {identities} identities");
    assert!(run.stdout.contains(&summary), "{}", run.stdout);
}

fn assert_rejected(run: &Run, message: &str) {
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(message), "{}", run.stderr);
}

/// One owners block shared by every identity: an alias per identity and a
/// single anchor, a ratio that a bomb heuristic would reject.
#[test]
fn one_owners_block_shared_by_every_identity() {
    let yaml = format!(
        "version: 1\n{OWNERS}identities:\n{BASE}{}",
        bots(0..500, "")
    );
    assert_clean(&audit(&yaml), 501);
}

/// 60,000 identities, each anchored, each merging the base entry and
/// aliasing the owners block: more anchors, aliases, merge keys and values
/// than serde-saphyr's default budget allows for any file.
#[test]
fn a_large_registry_shares_values_through_anchors_aliases_and_merge_keys() {
    let n = 60_000;
    let mut yaml = format!("version: 1\n{OWNERS}identities:\n{BASE}");
    for i in 0..n {
        write!(
            yaml,
            "  - &i{i}\n    <<: *base\n    id: x{i}\n    owners: *std\n"
        )
        .unwrap();
    }
    assert_clean(&audit(&yaml), n + 1);
}

/// A generated registry of 10,000 identities (3.4 MB, about 290,000 values),
/// parsed whole: more values than the default budget.
#[test]
fn a_large_registry_without_aliases_loads_whole() {
    let yaml = gen_registry::registry(10_000);
    let run = audit(&yaml);
    assert_ne!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

/// Aliases may expand text past the file's own size, up to a floor: a long
/// description shared by forty identities loads.
#[test]
fn a_long_description_shared_by_many_identities() {
    let text = "word ".repeat(12_000); // 60,000 bytes; forty copies are 2.4 MB.
    let yaml = format!(
        "version: 1\n{OWNERS}identities:\n{}    description: &text {text}\n{}",
        BASE.replace("id: base", "id: bot-0"),
        bots(1..40, "    description: *text\n")
    );
    assert_clean(&audit(&yaml), 40);
}

/// Ten levels of ten aliases each: 10^10 values from a few hundred bytes.
fn laughs(levels: usize) -> String {
    let mut yaml = String::from("x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..levels {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        writeln!(yaml, "x{i}: &a{i} [{refs}]").unwrap();
    }
    yaml
}

#[test]
fn a_bomb_is_rejected_at_the_default_budget_in_a_small_file() {
    let run = audit(&format!("version: 1\n{}", laughs(10)));
    assert_rejected(
        &run,
        "YAML too large to expand safely: aliases expand it to over 250000 values",
    );
}

/// A large file earns a larger budget, a few values per byte, not a bomb.
#[test]
fn a_large_file_does_not_buy_a_larger_bomb() {
    let padding = format!("# {}\n", "x".repeat(78)).repeat(5_000); // 400 kB
    let yaml = format!("version: 1\n{padding}{}", laughs(10));
    let run = audit(&yaml);
    assert_rejected(&run, "YAML too large to expand safely: ");
    // At an alias of the bomb, after the padding.
    assert!(run.stderr.contains("reg.yaml:500"), "{}", run.stderr);
    // The limit it went over is the large file's, not the default.
    let message = run.stderr.split("safely: ").nth(1).unwrap_or_default();
    let words: Vec<&str> = message.split(' ').collect();
    let over = words
        .windows(2)
        .find_map(|w| {
            let n: usize = w[0].parse().ok()?;
            Some(if w[1] == "MiB" { n << 20 } else { n })
        })
        .unwrap_or_else(|| panic!("no limit in {}", run.stderr));
    assert!(
        over >= yaml.len(),
        "{over} < {}: {}",
        yaml.len(),
        run.stderr
    );
}

/// One shared value is fine; thousands of copies of a large one are not.
#[test]
fn shared_text_is_capped() {
    let text = "word ".repeat(12_000);
    let refs = vec!["*text"; 200].join(", ");
    let run = audit(&format!(
        "version: 1\nidentities:\n  - id: a\n    kind: token\n    description: &text {text}\n    tags: [{refs}]\n"
    ));
    assert_rejected(
        &run,
        "YAML too large to expand safely: aliases expand it to 8 MiB of text or more",
    );
}

/// Nesting has its own cap, whatever the file's size.
#[test]
fn nesting_is_capped_at_64_levels() {
    let run = audit(&format!(
        "version: 1\nidentities: {}{}\n",
        "[".repeat(70),
        "]".repeat(70)
    ));
    assert_rejected(&run, "reg.yaml:2:");
    assert_rejected(&run, "YAML nested too deeply: 65 levels");
}

/// The benchmark mode `--parse-only` parses under the same budget and counts
/// every byte of every file.
#[test]
fn parse_only_counts_every_file_and_applies_the_budget() {
    let ws = Workspace::new();
    let a = format!("version: 1\n{OWNERS}");
    let b = format!("version: 1\nidentities:\n{BASE}");
    ws.write("reg/a.yaml", &a);
    ws.write("reg/b.yaml", &b);
    let run = ws.run(&["audit", "reg", "--parse-only"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        format!("parsed {} bytes", a.len() + b.len())
    );
    ws.write("reg/c.yaml", format!("version: 1\n{}", laughs(10)));
    let run = ws.run(&["audit", "reg", "--parse-only"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("YAML too large to expand safely: aliases expand it to over"),
        "{}",
        run.stderr
    );
}
