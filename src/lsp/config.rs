//! The server's settings, from the editor's `initializationOptions`.

use crate::registry::{Date, LoadOptions, time::parse_date};
use crate::report::FailOn;
use std::path::{Path, PathBuf};

/// What `nhi-own lsp --help` says of the options.
pub const HELP: &str = "\
The editor starts `nhi-own lsp` and speaks the Language Server Protocol to it
on standard input and output. Its `initializationOptions` (all optional):

  registry   a path or a list of paths (files or directories, relative to the
             workspace root): the registry, read as `nhi-own audit PATH...`
             reads it. Files outside it are left alone (no diagnostics).
             Without it, a file belongs to the registry of its directory, walked
             as `nhi-own audit DIR` walks it, when every other YAML file there
             is a registry file (has a top-level `version`); else it is audited
             alone.
  failOn     error|warning|info|never (default error): findings that would fail
             `nhi-own audit --fail-on` at this threshold are shown as errors, the
             others as warnings (error and warning findings) or information.
  now        YYYY-MM-DD: audit as of this day instead of today (reproducible).

Findings suppressed by a valid exception are shown as hints, with the reason.
An unknown option or a bad value makes the server refuse to start, naming it.

Neovim 0.8 to 0.10, in init.lua (0.11 has vim.lsp.config; the README shows it,
and VS Code and Helix):

  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'yaml',
    callback = function()
      vim.lsp.start({
        name = 'nhi-own',
        cmd = { 'nhi-own', 'lsp' },
        root_dir = vim.fs.dirname(vim.fs.find({ 'ownership.yaml', '.git' }, { upward = true })[1]),
        init_options = { registry = { 'ownership.yaml' }, failOn = 'warning' },
      })
    end,
  })

Examples:
  nhi-own lsp        # what the editor runs: LSP on standard input and output";

/// The validated options.
#[derive(Debug, Clone)]
pub struct Config {
    /// The configured registry paths, made absolute; empty when not set.
    pub registry: Vec<PathBuf>,
    pub fail_on: FailOn,
    /// The day to audit as of; `None` for today.
    pub now: Option<Date>,
    pub max_file_size: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            registry: Vec::new(),
            fail_on: FailOn::Error,
            now: None,
            max_file_size: LoadOptions::default().max_file_size,
        }
    }
}

impl Config {
    /// The day an analysis audits as of: `now`, else today (UTC), read at
    /// each analysis so that a server left running passes midnight.
    pub fn today(&self) -> Date {
        self.now.unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// Reads the options; every problem is named (`initializationOptions.failOn: …`).
    pub fn from_options(
        options: Option<&serde_json::Value>,
        root: Option<&Path>,
    ) -> Result<Self, String> {
        let mut config = Config::default();
        let object = match options {
            None | Some(serde_json::Value::Null) => return Ok(config),
            Some(serde_json::Value::Object(object)) => object,
            Some(_) => return Err("initializationOptions: expected an object".to_owned()),
        };
        let base = root
            .map(Path::to_path_buf)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let field = |key: &str| format!("initializationOptions.{key}");
        for (key, value) in object {
            match key.as_str() {
                "registry" => {
                    let paths: Vec<&str> = match value {
                        serde_json::Value::String(path) => vec![path.as_str()],
                        serde_json::Value::Array(items) => items
                            .iter()
                            .map(|item| item.as_str())
                            .collect::<Option<_>>()
                            .ok_or_else(|| {
                                format!("{}: expected a path or a list of paths", field(key))
                            })?,
                        _ => {
                            return Err(format!(
                                "{}: expected a path or a list of paths",
                                field(key)
                            ));
                        }
                    };
                    config.registry = paths
                        .into_iter()
                        .map(|p| {
                            // `./reg` and `reg` are one path: the files
                            // walked from it get the URIs the editor uses.
                            base.join(p)
                                .components()
                                .filter(|c| *c != std::path::Component::CurDir)
                                .collect()
                        })
                        .collect();
                }
                "failOn" => {
                    let text = value.as_str().unwrap_or_default();
                    config.fail_on = match text {
                        "error" => FailOn::Error,
                        "warning" => FailOn::Warning,
                        "info" => FailOn::Info,
                        "never" => FailOn::Never,
                        _ => {
                            return Err(format!(
                                "{}: expected `error`, `warning`, `info` or `never`, found {value}",
                                field(key)
                            ));
                        }
                    };
                }
                "now" => {
                    let text = value
                        .as_str()
                        .ok_or_else(|| format!("{}: expected a date, YYYY-MM-DD", field(key)))?;
                    config.now =
                        Some(parse_date(text).map_err(|e| format!("{}: {e}", field(key)))?);
                }
                other => {
                    let known = ["registry", "failOn", "now"];
                    let hint = crate::keyword::did_you_mean(other, known)
                        .map(|best| format!("; {}", crate::keyword::suggestion(best)))
                        .unwrap_or_default();
                    return Err(format!(
                        "initializationOptions: unknown option `{}`{hint} (options: registry, failOn, now)",
                        crate::escape::escape(other)
                    ));
                }
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_are_read_and_bad_ones_named() {
        let root = Path::new("/work/repo");
        let config = Config::from_options(
            Some(
                &json!({"registry": ["reg", "owners.yaml"], "failOn": "warning", "now": "2026-12-01"}),
            ),
            Some(root),
        );
        let config = config.unwrap_or_default();
        assert_eq!(
            config.registry,
            [root.join("reg"), root.join("owners.yaml")]
        );
        assert_eq!(config.fail_on, FailOn::Warning);
        assert_eq!(
            config.now.map(|d| d.to_string()).as_deref(),
            Some("2026-12-01")
        );
        let single = Config::from_options(Some(&json!({"registry": "r.yaml"})), Some(root));
        assert_eq!(single.map(|c| c.registry), Ok(vec![root.join("r.yaml")]));
        let error = |options| Config::from_options(Some(&options), Some(root)).err();
        assert_eq!(
            error(json!({"failon": "error"})).as_deref(),
            Some(
                "initializationOptions: unknown option `failon`; did you mean `failOn`? (options: registry, failOn, now)"
            )
        );
        assert_eq!(
            error(json!({"failOn": "warn"})).as_deref(),
            Some(
                "initializationOptions.failOn: expected `error`, `warning`, `info` or `never`, found \"warn\""
            )
        );
        assert!(
            error(json!({"now": "tomorrow"}))
                .is_some_and(|e| e.starts_with("initializationOptions.now: "))
        );
        assert!(error(json!({"registry": [1]})).is_some());
        assert!(error(json!([])).is_some());
        assert!(Config::from_options(None, None).is_ok());
    }
}
