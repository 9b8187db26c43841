//! nhi-own: audit ownership registries of non-human identities.
//!
//! The flow is one way: [`registry::load`] reads files into a located,
//! validated [`registry::Registry`]; [`audit::audit`] runs the rules of
//! [`rules`] as of a given day into a [`report::Report`]; a renderer of
//! [`report`] formats it. The exit code comes from the report and `--fail-on`.

pub mod audit;
pub mod baseline;
pub mod catalogue;
pub mod cli;
pub mod commands;
pub mod diff;
pub mod escape;
pub mod evidence;
pub mod forecast;
pub mod inventory;
pub mod keyword;
pub mod lsp;
pub mod output;
pub mod owners;
pub(crate) mod parallel;
pub mod reconcile;
pub mod registry;
pub mod report;
pub mod rules;
pub mod schema;
pub mod wording;

/// The registry audited when no path is given.
pub const DEFAULT_REGISTRY: &str = "ownership.yaml";
