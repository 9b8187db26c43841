//! The CI files users copy and GitHub runs, against SchemaStore's schemas as
//! `check-jsonschema` vendors them: the example GitHub workflow and the
//! release workflow, the composite action, and the example GitLab CI file.

use crate::{Check, common, program};
use libtest_mimic::{Completion, Failed};

pub const CHECKS: &[(&str, Check)] = &[(
    "ci_files::workflows_action_and_gitlab_ci_match_their_schemas",
    ci_files_match_their_schemas,
)];

fn ci_files_match_their_schemas() -> Result<Completion, Failed> {
    let check_jsonschema = need!(program("check-jsonschema"));
    let root = common::repo_root();
    for (schema, file) in [
        ("vendor.github-workflows", "examples/ci/github-actions.yml"),
        (
            "vendor.github-workflows",
            "examples/ci/github-reconcile.yml",
        ),
        ("vendor.github-workflows", "examples/ci/github-evidence.yml"),
        ("vendor.github-workflows", ".github/workflows/release.yml"),
        ("vendor.github-actions", "action.yml"),
        ("vendor.gitlab-ci", "examples/ci/gitlab-ci.yml"),
    ] {
        // --no-cache: builtin schemas need no download, and nothing is
        // written outside the target directory.
        let out = std::process::Command::new(&check_jsonschema)
            .args(["--no-cache", "--builtin-schema", schema])
            .arg(root.join(file))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file} does not match {schema}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(Completion::Completed)
}
