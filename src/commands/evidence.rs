//! `nhi-own evidence`: the evidence pack of SPEC §7, written atomically.

use super::Exit;
use crate::cli::{ColorArg, EvidenceArgs, InventoryArgs};
use crate::escape::escape;
use crate::output::{write_directory, write_stderr};
use crate::registry::{STDIN, Sources};
use crate::report::Format;
use std::path::{Path, PathBuf};

pub fn run(args: &EvidenceArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let fail = |message: String| {
        write_stderr(&format!("error: {message}\n"), color);
        Ok(Exit::Invalid)
    };
    let shown = escape(&args.output.display().to_string()).into_owned();
    // What would stop the write is told before anything is read.
    if let Some(message) = refusal(&args.output, args.force) {
        return fail(format!(
            "cannot write the evidence pack to `{shown}`: {message}"
        ));
    }
    if let Some(input) = input_inside(args) {
        return fail(format!(
            "`{}` is an input and lies inside `{shown}`: the pack would replace it; \
             write the pack somewhere else",
            escape(&input.display().to_string())
        ));
    }
    let generated_at = match generated_at(args) {
        Ok(at) => at,
        Err(message) => return fail(message),
    };
    let mut options = super::load_options(&args.registry);
    options.digests = true;
    let loaded = if args.inventories.is_empty() {
        super::load_with(&args.registry, &options, Format::Table, color)?
            .map(|(registry, today)| (registry, today, Vec::new()))
    } else {
        let inventories = InventoryArgs {
            files: args.inventories.clone(),
            inventory_format: args.inventory_format,
            include_default: args.include_default,
        };
        super::reconcile::load_with_inventories(
            &args.registry,
            &options,
            &inventories,
            Format::Table,
            color,
        )?
    };
    let Some((registry, today, sources)) = loaded else {
        return Ok(Exit::Invalid);
    };
    let mut report = crate::audit::audit_with(&registry, today, options.threads);
    if !sources.is_empty() {
        let drift = crate::reconcile::reconcile(
            &registry,
            &sources,
            today,
            crate::reconcile::Options::default(),
        );
        report.findings.extend(drift.findings);
        report.suppressed.extend(drift.suppressed);
        report.summary.inventory = drift.summary.inventory;
        report.finish();
    }
    let inputs = crate::evidence::Inputs {
        generated_at: &generated_at,
        reconciled: !sources.is_empty(),
        registry_files: registry.files.len() - sources.len(),
    };
    let files = crate::evidence::pack(&registry, &report, &inputs);
    match write_directory(&args.output, &files, args.force) {
        Err(message) => {
            return fail(format!(
                "cannot write the evidence pack to `{shown}`: {message}"
            ));
        }
        Ok(Some(warning)) => write_stderr(&format!("warning: {}\n", escape(&warning)), color),
        Ok(None) => {}
    }
    write_stderr(
        &format!(
            "wrote the evidence pack `{shown}` ({} files): {}\n  \
             verify it with `sha256sum -c SHA256SUMS` in that directory\n",
            files.len(),
            report.summary.line(today)
        ),
        color,
    );
    Ok(Exit::Pass)
}

/// Why the pack cannot be written to `dir`, if it cannot (checked again,
/// atomically, when it is written).
fn refusal(dir: &Path, force: bool) -> Option<String> {
    let meta = std::fs::symlink_metadata(dir).ok()?;
    if !meta.is_dir() {
        return Some("it exists and is not a directory".to_owned());
    }
    let empty = std::fs::read_dir(dir).ok()?.next().is_none();
    (!empty && !force).then(|| crate::output::NOT_EMPTY.to_owned())
}

/// An input file (a registry file or an inventory) that lies inside the
/// pack's directory, which the pack replaces.
fn input_inside(args: &EvidenceArgs) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(&args.output).ok()?;
    Sources::resolve(&args.registry.paths)
        .files
        .into_iter()
        .chain(args.inventories.iter().cloned())
        .filter(|p| p.as_os_str() != STDIN)
        .find(|p| {
            // The file itself, and the name given for it (a symbolic link in
            // the directory is replaced with it, wherever it points).
            let named = p
                .parent()
                .map(|parent| {
                    if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    }
                })
                .and_then(|parent| std::fs::canonicalize(parent).ok())
                .zip(p.file_name())
                .map(|(parent, name)| parent.join(name));
            std::fs::canonicalize(p)
                .into_iter()
                .chain(named)
                .any(|p| p.starts_with(&dir))
        })
}

/// When the pack was made: `SOURCE_DATE_EPOCH` (seconds since 1970, the
/// reproducible-builds convention), else midnight UTC of `--now`, else now.
fn generated_at(args: &EvidenceArgs) -> Result<String, String> {
    const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
    // Set but empty is unset, as build tools read it.
    if let Some(epoch) = std::env::var_os("SOURCE_DATE_EPOCH").filter(|e| !e.is_empty()) {
        let text = epoch.to_string_lossy();
        return text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            // RFC 3339 has four-digit years.
            .filter(|at| (0..=9999).contains(&chrono::Datelike::year(at)))
            .map(|at| at.format(FORMAT).to_string())
            .ok_or_else(|| {
                format!(
                    "SOURCE_DATE_EPOCH `{}` is not a number of seconds since 1970-01-01",
                    escape(&text)
                )
            });
    }
    if let Some(now) = &args.registry.now {
        let day = crate::registry::time::parse_date(now).map_err(|m| format!("--now: {m}"))?;
        return Ok(format!("{day}T00:00:00Z"));
    }
    Ok(chrono::Utc::now().format(FORMAT).to_string())
}
