//! `nhi-own audit`: load, audit, render, write, exit.

use super::{Exit, terminal_width, use_color, write_stderr, write_stdout};
use crate::cli::AuditArgs;
use crate::registry::{Chunking, LoadOptions, load, parse_only, time::parse_date};
use crate::report::{Style, render};
use anyhow::Context as _;
use std::io::Write;
use std::path::Path;

pub fn run(args: &AuditArgs) -> anyhow::Result<Exit> {
    let today = match &args.now {
        Some(text) => match parse_date(text) {
            Ok(date) => date,
            Err(message) => {
                // The argument is echoed in the message: escaped like any input.
                write_stderr(
                    &format!("error: --now: {}\n", crate::escape::escape(&message)),
                    args.color,
                );
                return Ok(Exit::Invalid);
            }
        },
        None => chrono::Utc::now().date_naive(),
    };
    let options = LoadOptions {
        max_file_size: args.max_file_size.saturating_mul(1024 * 1024),
        threads: args.threads,
        chunking: if args.no_chunking {
            Chunking::Off
        } else {
            Chunking::Auto
        },
        ..LoadOptions::default()
    };
    if args.parse_only {
        return Ok(match parse_only(&args.paths, &options) {
            Ok(bytes) => {
                write_stderr(&format!("parsed {bytes} bytes\n"), args.color);
                Exit::Pass
            }
            Err(errors) => {
                write_stderr(&format!("{errors}\n"), args.color);
                Exit::Invalid
            }
        });
    }
    let registry = match load(&args.paths, &options) {
        Ok(registry) => registry,
        Err(errors) => {
            let files: std::collections::BTreeSet<_> =
                errors.0.iter().filter_map(|e| e.file.as_deref()).collect();
            let problems = errors.0.len();
            write_stderr(
                &format!(
                    "{errors}\nerror: the registry is invalid: {problems} problem{} in {} file{}; nothing was audited\n",
                    if problems == 1 { "" } else { "s" },
                    files.len(),
                    if files.len() == 1 { "" } else { "s" },
                ),
                args.color,
            );
            return Ok(Exit::Invalid);
        }
    };
    let report = crate::audit::audit(&registry, today);
    let style = match &args.output {
        Some(_) => Style {
            fail_on: args.fail_on,
            ..Style::default()
        },
        None => Style {
            color: use_color(args.color, &std::io::stdout()),
            width: terminal_width(),
            fail_on: args.fail_on,
        },
    };
    let rendered = render(&report, args.format, style);
    match &args.output {
        Some(path) => write_atomically(path, rendered.as_bytes())
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => write_stdout(rendered.as_bytes())?,
    }
    let exit = if report.fails(args.fail_on) {
        Exit::Fail
    } else {
        Exit::Pass
    };
    // The process ends next: freeing a million identities one by one would only
    // delay the exit (by a tenth of the run at 100k identities).
    std::mem::forget(report);
    std::mem::forget(registry);
    Ok(exit)
}

/// Writes a temporary file beside the target and renames it over the target,
/// so readers see the old report or the new one, never a partial one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".nhi-own-report")
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
