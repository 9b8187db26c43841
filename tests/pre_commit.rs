//! The shipped pre-commit hook, run by the real `pre-commit` framework (from
//! PyPI, in a virtualenv cached under `target/`): a commit of a registry with
//! an unowned identity is blocked with readable `file:line:col` output, and
//! the fixed registry commits. Skips, with the reason, only without Python.

// Tests assert by panicking, and report by printing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn python() -> Option<&'static str> {
    ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// A virtualenv with pre-commit, created once per target directory.
fn pre_commit(python: &str) -> PathBuf {
    let venv = common::repo_root().join("target").join("pre-commit-venv");
    let exe = venv.join("bin").join("pre-commit");
    if !exe.exists() {
        let status = Command::new(python)
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap();
        assert!(status.success(), "python -m venv failed");
        let pip = Command::new(venv.join("bin").join("pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "pre-commit",
            ])
            .output()
            .unwrap();
        assert!(
            pip.status.success(),
            "pip install pre-commit failed (PyPI must be reachable):\n{}",
            String::from_utf8_lossy(&pip.stderr)
        );
    }
    exe
}

fn run(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str], home: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap()
}

/// The repository's own hook definition, turned into a `repo: local` hook
/// that runs the binary under test.
fn local_config() -> String {
    let hooks: Vec<Value> = serde_saphyr::from_str(
        &std::fs::read_to_string(common::repo_root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "nhi-own");
    assert_eq!(hook["language"], "rust");
    let entry =
        hook["entry"]
            .as_str()
            .unwrap()
            .replacen("nhi-own", env!("CARGO_BIN_EXE_nhi-own"), 1);
    format!(
        "repos:\n  - repo: local\n    hooks:\n      - id: nhi-own\n        name: {}\n        entry: {entry} --now 2026-11-22\n        language: system\n        files: '{}'\n        pass_filenames: {}\n        require_serial: true\n",
        hook["name"].as_str().unwrap(),
        hook["files"].as_str().unwrap(),
        hook["pass_filenames"],
    )
}

const UNOWNED: &str = "version: 1
identities:
  - id: deploy-key
    kind: ssh_key
    owners: { policy: team-sec, technical: team-platform }
    escalation: \"#platform\"
    rotation: { last_rotated: 2026-11-01 }
    last_reviewed: 2026-11-01
";

#[test]
fn real_pre_commit_blocks_an_unowned_identity() {
    let Some(python) = python() else {
        eprintln!("skipping: Python is not installed, so the pre-commit framework cannot run");
        return;
    };
    let pre_commit = pre_commit(python);
    let ws = common::Workspace::new();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("gitconfig"),
        "[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let repo = ws.dir.path();
    assert!(
        run(repo, "git", &["init", "-q"], home.path())
            .status
            .success()
    );
    ws.write(".pre-commit-config.yaml", local_config());
    let install = run(repo, &pre_commit, &["install"], home.path());
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );

    ws.write("ownership.yaml", UNOWNED);
    run(repo, "git", &["add", "."], home.path());
    let blocked = run(
        repo,
        "git",
        &["commit", "-q", "-m", "add deploy key"],
        home.path(),
    );
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&blocked.stdout),
        String::from_utf8_lossy(&blocked.stderr)
    );
    assert!(
        !blocked.status.success(),
        "the commit went through:\n{output}"
    );
    assert!(
        output
            .contains("ownership.yaml:5:13: error[missing-owner] deploy-key: no revocation owner"),
        "unreadable hook output:\n{output}"
    );
    assert!(
        !run(
            repo,
            "git",
            &["rev-parse", "-q", "--verify", "HEAD"],
            home.path()
        )
        .status
        .success()
    );

    ws.write(
        "ownership.yaml",
        UNOWNED.replace(
            "technical: team-platform }",
            "technical: team-platform, revocation: team-platform }",
        ),
    );
    run(repo, "git", &["add", "."], home.path());
    let passed = run(
        repo,
        "git",
        &["commit", "-q", "-m", "add deploy key with owners"],
        home.path(),
    );
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
    assert!(
        passed.status.success(),
        "the fixed registry was blocked:\n{output}"
    );
    assert!(
        output.contains("nhi-own ownership audit") && output.contains("Passed"),
        "{output}"
    );
}
