//! The shipped hooks, run by the real `pre-commit` framework as a user's
//! repository runs them: `.pre-commit-hooks.yaml` is served from a local hook
//! repository (with the binary under test in place of the `language: rust`
//! build), and `examples/pre-commit-config.yaml` is the user's config, with
//! the registry outside the default path. A commit of a registry with unowned
//! identities is blocked with `file:line:col` output; the fixed registry
//! commits; `nhi-own-always` audits on commits that do not touch it.

use crate::common::Workspace;
use crate::{Check, common, program};
use libtest_mimic::{Completion, Failed};
use std::path::Path;
use std::process::{Command, Output};

pub const CHECKS: &[(&str, Check)] = &[
    (
        "pre_commit::the_hooks_block_an_unowned_identity_outside_the_default_path",
        hooks_block_an_unowned_identity,
    ),
    (
        "pre_commit::the_readme_local_hook_blocks_an_unowned_identity",
        local_hook_blocks_an_unowned_identity,
    ),
];

/// The README's `repo: local` recipe, as written, with the binary under test
/// on `PATH` as a team's installed one would be.
fn local_hook_blocks_an_unowned_identity() -> Result<Completion, Failed> {
    let pre_commit = need!(program("pre-commit"));
    let recipe = common::readme_block("local hook instead");
    assert!(
        recipe.contains("repo: local") && recipe.contains("entry: nhi-own audit"),
        "{recipe}"
    );
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("gitconfig"),
        "[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let ws = Workspace::new();
    let repo = ws.dir.path();
    assert!(
        run(repo, "git", &["init", "-q"], home.path())
            .status
            .success()
    );
    ws.write(".pre-commit-config.yaml", &recipe);
    let install = run(repo, &pre_commit, &["install"], home.path());
    assert!(install.status.success(), "{}", text(&install));
    ws.write(
        "ownership.yaml",
        registry(chrono::Utc::now().date_naive(), false),
    );
    run(repo, "git", &["add", "."], home.path());
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_nhi-own"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let mut commit = Command::new("git");
    commit
        .args(["commit", "-q", "-m", "add deploy key"])
        .current_dir(repo)
        .env("PATH", path);
    git_env(&mut commit, home.path());
    let blocked = commit.output().unwrap();
    let output = text(&blocked);
    assert!(
        !blocked.status.success(),
        "the commit went through:\n{output}"
    );
    assert!(
        output.contains("ownership.yaml:5:13: error[missing-owner] deploy-key"),
        "{output}"
    );
    Ok(Completion::Completed)
}

fn git_env(command: &mut Command, home: &Path) {
    command
        .env("PRE_COMMIT_HOME", home.join("pre-commit-cache"))
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE");
}

fn run(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str], home: &Path) -> Output {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    git_env(&mut command, home);
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A hook repository with this repository's hook definitions, the binary
/// under test standing in for the build, tagged `v-test`.
fn hook_repository(dir: &Path, home: &Path) {
    let hooks =
        std::fs::read_to_string(common::repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    assert_eq!(hooks.matches("\n  language: rust\n").count(), 2, "{hooks}");
    let hooks = hooks
        .replace("\n  language: rust\n", "\n  language: unsupported\n")
        .replace(
            "entry: nhi-own ",
            &format!("entry: {} ", env!("CARGO_BIN_EXE_nhi-own")),
        );
    std::fs::write(dir.join(".pre-commit-hooks.yaml"), hooks).unwrap();
    for args in [
        &["init", "-q"][..],
        &["add", "."],
        &["commit", "-q", "-m", "hooks"],
        &["tag", "v-test"],
    ] {
        let out = run(dir, "git", args, home);
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
    }
}

fn registry(today: chrono::NaiveDate, revocation: bool) -> String {
    let day = (today - chrono::TimeDelta::days(1)).to_string();
    let revocation = if revocation {
        ", revocation: team-platform"
    } else {
        ""
    };
    format!(
        "version: 1\nidentities:\n  - id: deploy-key\n    kind: ssh_key\n    owners: {{ policy: team-sec, technical: team-platform{revocation} }}\n    escalation: \"#platform\"\n    created: {day}\n    last_reviewed: {day}\n"
    )
}

fn hooks_block_an_unowned_identity() -> Result<Completion, Failed> {
    let pre_commit = need!(program("pre-commit"));
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("gitconfig"),
        "[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let hooks = tempfile::tempdir().unwrap();
    hook_repository(hooks.path(), home.path());

    // The user's repository, configured as the example says.
    let ws = Workspace::new();
    let repo = ws.dir.path();
    assert!(
        run(repo, "git", &["init", "-q"], home.path())
            .status
            .success()
    );
    let example =
        std::fs::read_to_string(common::repo_root().join("examples/pre-commit-config.yaml"))
            .unwrap();
    assert!(
        example.contains("repo: https://github.com/nhi-own/nhi-own"),
        "{example}"
    );
    let config = example
        .replace(
            "repo: https://github.com/nhi-own/nhi-own",
            &format!("repo: {}", hooks.path().display()),
        )
        .replace("rev: v0.1.0", "rev: v-test");
    ws.write(".pre-commit-config.yaml", &config);
    let install = run(repo, &pre_commit, &["install"], home.path());
    assert!(install.status.success(), "{}", text(&install));

    let today = chrono::Utc::now().date_naive();
    ws.write("security/nhi-registry.yaml", registry(today, false));
    run(repo, "git", &["add", "."], home.path());
    let blocked = run(
        repo,
        "git",
        &["commit", "-q", "-m", "add deploy key"],
        home.path(),
    );
    let output = text(&blocked);
    assert!(
        !blocked.status.success(),
        "the commit went through:\n{output}"
    );
    assert!(
        !output.contains("Skipped"),
        "the hook was skipped:\n{output}"
    );
    assert!(
        output.contains(
            "security/nhi-registry.yaml:5:13: error[missing-owner] deploy-key: no revocation owner"
        ),
        "unreadable hook output:\n{output}"
    );

    ws.write("security/nhi-registry.yaml", registry(today, true));
    run(repo, "git", &["add", "."], home.path());
    let passed = run(
        repo,
        "git",
        &["commit", "-q", "-m", "add deploy key with owners"],
        home.path(),
    );
    let output = text(&passed);
    assert!(
        passed.status.success(),
        "the fixed registry was blocked:\n{output}"
    );
    assert!(
        output.contains("nhi-own ownership audit") && output.contains("Passed"),
        "{output}"
    );

    // The always-run variant, from the example's comment: a commit that does
    // not touch the registry is still audited, and a broken registry blocks it.
    let always = config
        .replace("      # - id: nhi-own-always", "      - id: nhi-own-always")
        .replace(
            "      #   args: [security/nhi-registry.yaml, --fail-on, warning]",
            "        args: [security/nhi-registry.yaml, --fail-on, warning]",
        );
    assert_ne!(always, config, "the example lost its nhi-own-always lines");
    ws.write(".pre-commit-config.yaml", &always);
    run(
        repo,
        "git",
        &["add", ".pre-commit-config.yaml"],
        home.path(),
    );
    let enabled = run(
        repo,
        "git",
        &["commit", "-q", "-m", "audit on every commit"],
        home.path(),
    );
    assert!(enabled.status.success(), "{}", text(&enabled));
    // The registry breaks in a commit that skipped the hooks ...
    ws.write("security/nhi-registry.yaml", registry(today, false));
    run(repo, "git", &["add", "."], home.path());
    let skipped = run(
        repo,
        "git",
        &["commit", "-q", "--no-verify", "-m", "oops"],
        home.path(),
    );
    assert!(skipped.status.success(), "{}", text(&skipped));
    // ... and the next commit, which touches only the README, is blocked.
    ws.write("README.md", "unrelated\n");
    run(repo, "git", &["add", "README.md"], home.path());
    let unrelated = run(repo, "git", &["commit", "-q", "-m", "docs"], home.path());
    let output = text(&unrelated);
    assert!(
        !unrelated.status.success(),
        "an unrelated commit went through with a broken registry:\n{output}"
    );
    assert!(
        output.contains("error[missing-owner] deploy-key"),
        "{output}"
    );
    Ok(Completion::Completed)
}
