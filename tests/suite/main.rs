//! The integration suite, one binary with a module per area (one link
//! instead of one per file). The hostile-input tests, which time every run,
//! have a binary of their own (`tests/hostile`), and so do the checks by
//! outside clients (`tests/clients`, its own harness).

// Tests assert by panicking, and report by printing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

#[path = "../common/mod.rs"]
mod common;
#[allow(dead_code)] // its `main` is the example's
#[path = "../../examples/gen_registry.rs"]
mod gen_registry;
#[path = "../common/model.rs"]
mod model;

mod baseline;
mod budget;
mod chunking;
mod ci_formats;
mod cli;
mod diff;
mod evidence;
mod fixtures;
mod forecast;
mod format;
mod fuzz_regressions;
mod injection;
mod load_errors;
mod lsp;
mod lsp_changes;
mod owners;
mod properties;
mod reconcile;
mod rules;
mod snapshots;
mod starter;
