//! Hostile input: every case ends with exit 2 and a located message, or with a
//! correct report, within one second and 100 MB.
//!
//! Each run is timed (the file is written before the clock starts) and, on
//! Unix, runs under `ulimit -d` of 100 MiB, the heap and every other private
//! writable mapping: a run that needs more aborts and fails its test. The runs
//! take turns, so that one does not slow another on a small machine.

// Tests assert by panicking, and report by printing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

#[path = "../common/mod.rs"]
mod common;

use common::{Run, Workspace};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const TIME_LIMIT: Duration = Duration::from_secs(1);
const MEMORY_LIMIT_KIB: u64 = 100 * 1024;
const NOW: &str = "2026-11-22";

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `nhi-own args` in `dir` under the memory limit and times it.
fn bounded_with(dir: &Path, args: &[&str], memory_kib: u64) -> (Run, Duration) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let binary = assert_cmd::cargo::cargo_bin("nhi-own");
    let mut command = if cfg!(unix) && Path::new("/bin/sh").exists() {
        let mut c = std::process::Command::new("/bin/sh");
        c.arg("-c")
            .arg(format!("ulimit -d {memory_kib} && exec \"$@\""))
            .arg("sh")
            .arg(binary);
        c
    } else {
        eprintln!("no /bin/sh: running without the memory limit");
        std::process::Command::new(binary)
    };
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    let start = Instant::now();
    let output = command.output().expect("run nhi-own");
    let elapsed = start.elapsed();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    (run, elapsed)
}

fn bounded(dir: &Path, args: &[&str]) -> Run {
    let (run, elapsed) = bounded_with(dir, args, MEMORY_LIMIT_KIB);
    assert!(
        elapsed < TIME_LIMIT,
        "`nhi-own {}` took {elapsed:?}",
        args.join(" ")
    );
    assert!(
        run.code == 0 || run.code == 1 || run.code == 2,
        "`nhi-own {}` ended with {} (out of memory?):\n{}",
        args.join(" "),
        run.code,
        run.stderr
    );
    run
}

/// Audits `bytes` as `reg.yaml` in text format.
fn audit_bytes(bytes: impl AsRef<[u8]>) -> Run {
    let ws = Workspace::new();
    ws.write("reg.yaml", bytes);
    bounded(
        ws.dir.path(),
        &["audit", "reg.yaml", "--now", NOW, "--format", "text"],
    )
}

/// Asserts exit 2 with `needle` in the message.
fn assert_invalid(run: &Run, needle: &str) {
    assert_eq!(run.code, 2, "expected exit 2:\n{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "a report was written:\n{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(needle),
        "expected {needle:?} in:\n{}",
        run.stderr
    );
}

const IDENTITY: &str = "version: 1
identities:
  - id: build-bot
    kind: api_key
    owners: { policy: sec, technical: platform }
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
";

/// The memory limit is real: a run that needs more than it allows is stopped.
/// Without this check, a limit that never applied would pass every test.
#[cfg(unix)]
#[test]
fn the_memory_limit_bites() {
    let ws = Workspace::new();
    ws.write(
        "reg.yaml",
        format!("version: 1\n# {}\n", "x".repeat(30 << 20)),
    );
    let (run, _) = bounded_with(ws.dir.path(), &["audit", "reg.yaml"], 16 * 1024);
    assert_ne!(
        run.code, 0,
        "a 30 MB file was read in 16 MiB:\n{}",
        run.stderr
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
}

#[test]
fn billion_laughs() {
    let mut yaml =
        String::from("version: 1\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        yaml.push_str(&format!("x{i}: &a{i} [{refs}]\n"));
    }
    assert_invalid(&audit_bytes(yaml), "YAML too large to expand safely");
}

#[test]
fn one_mebibyte_scalar_aliased_thousands_of_times() {
    let big = "x".repeat(1 << 20);
    let refs = vec!["*big"; 4000].join(", ");
    let run = audit_bytes(format!(
        "version: 1\nidentities:\n  - id: a\n    kind: token\n    description: &big {big}\n    tags: [{refs}]\n"
    ));
    assert_invalid(&run, "reg.yaml:6:");
    assert_invalid(&run, "YAML too large to expand safely");
}

#[test]
fn flow_nesting_100_000_deep() {
    let yaml = format!(
        "version: 1\nidentities: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_invalid(&audit_bytes(yaml), "reg.yaml:2:");
}

#[test]
fn block_nesting_100_000_deep() {
    // `- - - x`: block sequences nest on one line without indentation.
    let yaml = format!("version: 1\nidentities:\n  {}x\n", "- ".repeat(100_000));
    let run = audit_bytes(yaml);
    assert_invalid(&run, "reg.yaml:3:");
    assert_invalid(&run, "YAML nested too deeply");
}

#[test]
fn invalid_utf8_is_located() {
    let run = audit_bytes(b"version: 1\nidentities:\n  - id: caf\xe9\n");
    assert_invalid(&run, "reg.yaml:3:12: error: invalid UTF-8");
}

#[test]
fn utf16_both_byte_orders() {
    for bom in [[0xFF, 0xFE], [0xFE, 0xFF]] {
        let mut bytes = bom.to_vec();
        for unit in "version: 1\n".encode_utf16() {
            let pair = if bom[0] == 0xFF {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            bytes.extend(pair);
        }
        assert_invalid(&audit_bytes(bytes), "reg.yaml:1:1: error: file is UTF-16");
    }
}

#[test]
fn nul_bytes_are_located() {
    let run = audit_bytes(b"version: 1\nidentities:\n  - id: a\x00b\n    kind: token\n");
    assert_invalid(&run, "reg.yaml:3:");
}

/// A UTF-8 BOM, CRLF line ends, or both: the same report, the same lines.
#[test]
fn bom_and_crlf_give_the_lf_report() {
    let lf = audit_bytes(IDENTITY);
    assert_eq!(lf.code, 1, "{}", lf.stderr);
    assert!(
        lf.stdout.contains("reg.yaml:5:13: error[missing-owner]"),
        "{}",
        lf.stdout
    );
    let crlf = IDENTITY.replace('\n', "\r\n");
    for variant in [
        format!("\u{feff}{IDENTITY}"),
        crlf.clone(),
        format!("\u{feff}{crlf}"),
    ] {
        let run = audit_bytes(&variant);
        assert_eq!(run.code, lf.code, "{}", run.stderr);
        assert_eq!(run.stdout, lf.stdout, "{variant:?}");
    }
}

/// Lone carriage returns are line breaks in YAML: positions count them.
#[test]
fn lone_carriage_returns_count_as_line_breaks() {
    let run = audit_bytes(IDENTITY.replace('\n', "\r"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("reg.yaml:5:13: error[missing-owner]"),
        "{}",
        run.stdout
    );
}

#[test]
fn tabs_used_as_indentation() {
    // Located at the tab itself, not where the parser stopped.
    let run = audit_bytes("version: 1\nidentities:\n\t- id: a\n\t  kind: token\n");
    assert_invalid(
        &run,
        "reg.yaml:3:1: error: invalid YAML: a tab in the indentation",
    );
    assert_invalid(
        &run,
        "help: YAML forbids tabs for indentation: indent with spaces",
    );
    let run = audit_bytes("version: 1\nidentities:\n  - id: a\n\tkind: token\n");
    assert_invalid(
        &run,
        "reg.yaml:4:1: error: invalid YAML: a tab in the indentation",
    );
}

#[test]
fn a_50_mb_single_line() {
    let line = "x".repeat(50 << 20);
    // As a comment: a valid registry, empty (so the audit fails).
    let run = audit_bytes(format!("version: 1\n# {line}\n"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("reg.yaml:1:1: error[empty-registry]"),
        "{}",
        run.stdout
    );
    // As a value: an unknown key, located, and the value is not echoed.
    let run = audit_bytes(format!("version: 1\nnote: {line}\n"));
    assert_invalid(&run, "reg.yaml:2:1: error: unknown key `note`");
    assert!(
        run.stderr.len() < 4096,
        "stderr is {} bytes",
        run.stderr.len()
    );
    // As a description, an id, an owner id: a located error that does not
    // echo the value. No registry value is that long but by mistake or
    // malice, and it would be copied into every finding.
    for (yaml, at) in [
        (
            format!("{IDENTITY}    description: {line}\n"),
            "reg.yaml:8:18",
        ),
        (IDENTITY.replace("build-bot", &line), "reg.yaml:3:9"),
        // An explicit key (`? `): implicit keys stop at 1024 characters.
        (
            format!("version: 1\nowners:\n  ? {line}\n  : {{ kind: team }}\n"),
            "reg.yaml:3:5",
        ),
    ] {
        let run = audit_bytes(yaml);
        assert_invalid(&run, &format!("{at}: error: "));
        assert_invalid(&run, "bytes long");
        assert!(
            run.stderr.len() < 4096,
            "stderr is {} bytes",
            run.stderr.len()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_registry_that_is_a_symlink_loop() {
    let ws = Workspace::new();
    std::os::unix::fs::symlink("reg.yaml", ws.dir.path().join("reg.yaml")).unwrap();
    let run = bounded(ws.dir.path(), &["audit", "reg.yaml"]);
    assert_invalid(
        &run,
        "reg.yaml: error: cannot read: too many levels of symbolic links",
    );
    // A directory that links back to itself.
    let ws = Workspace::new();
    ws.write("reg/a.yaml", IDENTITY);
    std::os::unix::fs::symlink("..", ws.dir.path().join("reg/back")).unwrap();
    let run = bounded(ws.dir.path(), &["audit", "reg"]);
    assert_invalid(&run, "symbolic link loop");
}

/// A file that opens but cannot be read (an I/O error), and one without
/// permission to read it.
#[cfg(target_os = "linux")]
#[test]
fn unreadable_files() {
    let ws = Workspace::new();
    let run = bounded(ws.dir.path(), &["audit", "/proc/self/mem"]);
    assert_invalid(
        &run,
        "/proc/self/mem: error: cannot read: input/output error",
    );
    // A file without read permission: `tests/clients` (root reads it anyway,
    // so there the check shows as ignored).
}

#[test]
fn a_directory_of_10_000_small_files() {
    let ws = Workspace::new();
    let dir = ws.dir.path().join("reg");
    for i in 0..10_000 {
        let sub = dir.join(format!("{:02}", i % 100));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join(format!("id-{i:05}.yaml")),
            format!(
                "version: 1\nidentities:\n  - id: id-{i:05}\n    kind: token\n    owners: {{ policy: a, technical: b, revocation: c }}\n    escalation: x\n    rotation: {{ last_rotated: 2026-11-01 }}\n    last_reviewed: 2026-11-01\n"
            ),
        )
        .unwrap();
    }
    // One broken file among them is found and located.
    std::fs::write(dir.join("57/id-05757.yaml"), "version: 1\nidentities: [\n").unwrap();
    let run = bounded(ws.dir.path(), &["audit", "reg", "--now", NOW]);
    assert_invalid(
        &run,
        "reg/57/id-05757.yaml:2:13: error: invalid YAML: unclosed bracket",
    );
    assert!(run.stderr.contains("1 problem in 1 file"), "{}", run.stderr);
    std::fs::remove_file(dir.join("57/id-05757.yaml")).unwrap();
    let run = bounded(
        ws.dir.path(),
        &["audit", "reg", "--now", NOW, "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["summary"]["identities"], 9_999);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
}

/// Merge keys are applied in time linear in the keys: five aliases of one
/// 20,000-key mapping merged into another (96 KB) once took 2.5 s.
#[test]
fn merging_a_large_mapping_several_times() {
    let keys: Vec<String> = (0..20_000).map(|i| format!("k{i}")).collect();
    let yaml = format!(
        "version: 1\nx: &m {{{}}}\ny: {{<<: [{}]}}\n",
        keys.join(","),
        ["*m"; 5].join(",")
    );
    let run = audit_bytes(yaml);
    assert_invalid(&run, "unknown key `x`");
}

/// A copy kept for an anchor counts against the budget: sixty anchors
/// nested in one another around a 500,000-item list (1 MB) once took 1.2 GB.
#[test]
fn nested_anchors_are_charged() {
    let mut value = format!("[{}]", vec!["a"; 500_000].join(","));
    for i in 0..60 {
        value = format!("&a{i} [{value}]");
    }
    let run = audit_bytes(format!("version: 1\nx: {value}\n"));
    assert_invalid(&run, "YAML too large to expand safely");
}

/// Many top-level keys are checked in linear time.
#[test]
fn many_top_level_keys() {
    let keys: String = (0..25_000).map(|i| format!("key{i}: 1\n")).collect();
    let run = audit_bytes(format!("version: 1\n{keys}"));
    assert_invalid(&run, "unknown key `key0`");
}

/// Every reference to a large team of people who all left is reported, but
/// the report does not repeat the whole team for each: 2,000 identities held
/// by a team of 5,000 inactive people once made a report of 10 million
/// related locations (and took gigabytes to build).
#[test]
fn many_references_to_a_large_inactive_team() {
    let mut yaml =
        String::from("version: 1\nowners:\n  gone: { kind: team, contact: x, members: [");
    for i in 0..5_000 {
        yaml.push_str(&format!("{}p{i}", if i == 0 { "" } else { ", " }));
    }
    yaml.push_str("] }\n  sec: { kind: team, contact: x }\n");
    for i in 0..5_000 {
        yaml.push_str(&format!("  p{i}: {{ kind: person, status: inactive }}\n"));
    }
    yaml.push_str("identities:\n");
    for i in 0..2_000 {
        yaml.push_str(&format!(
            "  - {{ id: id-{i}, kind: token, owners: {{ policy: sec, technical: gone, revocation: sec }}, rotation: {{ last_rotated: 2026-11-01 }}, last_reviewed: 2026-11-01 }}\n"
        ));
    }
    let ws = Workspace::new();
    ws.write("reg.yaml", yaml);
    let run = bounded(
        ws.dir.path(),
        &["audit", "reg.yaml", "--now", NOW, "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.findings("inactive-owner");
    assert_eq!(findings.len(), 2_000);
    for f in &findings {
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("a team whose 5000 members are all inactive"),
            "{f}"
        );
        assert_eq!(f["related"].as_array().unwrap().len(), 5, "{f}");
    }
}

/// A person in many teams: `owners` lists each team once for them, without
/// searching the teams already listed for each (30,000 one-member teams once
/// took seconds, 60,000 eleven).
#[test]
fn a_person_in_many_teams() {
    let mut yaml = String::from("version: 1\nowners:\n  p: { kind: person }\n");
    for i in 0..30_000 {
        yaml.push_str(&format!(
            "  t{i}: {{ kind: team, contact: x, members: [p, p] }}\n"
        ));
    }
    yaml.push_str(
        "identities:\n  - { id: k, kind: token, owners: { policy: t0, technical: t1, revocation: t2 } }\n",
    );
    let ws = Workspace::new();
    ws.write("reg.yaml", yaml);
    let run = bounded(
        ws.dir.path(),
        &[
            "owners", "reg.yaml", "--now", NOW, "--format", "json", "--owner", "p",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let view = run.json();
    let person = &view["owners"][0];
    assert_eq!(person["id"], "p");
    assert_eq!(person["teams"].as_array().unwrap().len(), 30_000);
}
