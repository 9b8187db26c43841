//! Checks that need data or programs from outside this repository, run by the
//! real clients users run: the official SARIF 2.1.0 schema and the
//! Jenkins/Surefire JUnit schema (`xmllint`), the yaml-test-suite, the real
//! `pre-commit`, `check-jsonschema`, with SchemaStore's schemas for the CI
//! files and with nhi-own's own schema for registries, and
//! `yaml-language-server`, with that schema as an editor applies it; the
//! evidence pack's page in headless Chromium (driven by `playwright-core`),
//! under the `html5lib` parser and the Nu HTML checker, and its checksums
//! under `sha256sum -c`; and `nhi-own lsp` driven by headless Neovim's
//! built-in LSP client.
//!
//! The data comes from `../shared/data` (beside CI checkouts, not in a
//! user's clone); the programs from `.ci/install-clients`, which `.ci/run`
//! calls. A check whose data or program is missing is reported as *ignored*,
//! with what it needs, so that `cargo test` never shows a check that did not
//! run as passed.

// Tests assert by panicking, and report by printing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

/// Unwraps a requirement, or returns the ignore from the check.
macro_rules! need {
    ($requirement:expr) => {
        match $requirement {
            Ok(found) => found,
            Err(ignored) => return Ok(ignored),
        }
    };
}

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/model.rs"]
mod model;

mod calendar;
mod ci_files;
mod editor;
mod evidence;
mod junit;
mod lsp;
mod permissions;
mod pre_commit;
mod sarif;
mod schema;
mod yaml_suite;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::path::PathBuf;

/// What a check needs that may be missing.
pub type Check = fn() -> Result<Completion, Failed>;

fn main() {
    let args = Arguments::from_args();
    // A failed check's panic message is its report: printed once, below.
    std::panic::set_hook(Box::new(|_| {}));
    let mut trials = Vec::new();
    for (name, check) in sarif::CHECKS
        .iter()
        .chain(junit::CHECKS)
        .chain(permissions::CHECKS)
        .chain(yaml_suite::CHECKS)
        .chain(pre_commit::CHECKS)
        .chain(ci_files::CHECKS)
        .chain(calendar::CHECKS)
        .chain(schema::CHECKS)
        .chain(editor::CHECKS)
        .chain(evidence::CHECKS)
        .chain(lsp::CHECKS)
    {
        let check = *check;
        trials.push(Trial::ignorable_test(
            *name,
            move || match std::panic::catch_unwind(check) {
                Ok(outcome) => outcome,
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    Err(message.into())
                }
            },
        ));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// `../shared/data/<rel>`, or the reason the check is ignored.
pub fn shared(rel: &str) -> Result<PathBuf, Completion> {
    let path = common::repo_root()
        .join("..")
        .join("shared")
        .join("data")
        .join(rel);
    if path.exists() {
        Ok(path)
    } else {
        Err(Completion::ignored_with(format!(
            "needs ../shared/data/{rel} (beside CI checkouts only)"
        )))
    }
}

/// A program installed by `.ci/install-clients` (in its virtualenv under the
/// target directory) or on `PATH`, or the reason the check is ignored.
pub fn program(name: &str) -> Result<PathBuf, Completion> {
    let venv = target_dir()
        .join("ci-tools")
        .join("venv")
        .join("bin")
        .join(name);
    if venv.is_file() {
        return Ok(venv);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    on_path.ok_or_else(|| {
        Completion::ignored_with(format!("needs `{name}` (.ci/install-clients installs it)"))
    })
}

/// `${CARGO_TARGET_DIR:-target}`, where `.ci/install-clients` puts the
/// clients (under `ci-tools/`) and checks leave what a person may look at.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| common::repo_root().join("target"), PathBuf::from)
}
