//! `nhi-own reconcile`: the registry against inventories (SPEC §6).

use super::Exit;
use crate::cli::{ColorArg, InventoryArgs, ReconcileArgs, RegistryArgs};
use crate::inventory::{Inventory, ReadOptions};
use crate::output::{terminal_width, use_color, write_stderr, write_stdout};
use crate::registry::{
    Date, FileDigest, LoadErrors, LoadOptions, Registry, STDIN, SourceFile, display_path,
};
use crate::report::{Format, Style, render, render_errors};

pub fn run(args: &ReconcileArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let options = super::load_options(&args.registry);
    let Some((registry, today, sources)) = load_with_inventories(
        &args.registry,
        &options,
        &args.inventories,
        args.format,
        color,
    )?
    else {
        return Ok(Exit::Invalid);
    };
    let options = crate::reconcile::Options {
        include_humans: args.include_humans,
    };
    let report = crate::reconcile::reconcile(&registry, &sources, today, options);
    let style = Style {
        color: use_color(color, &std::io::stdout()),
        width: terminal_width(),
        fail_on: args.fail_on,
    };
    write_stdout(render(&report, args.format, style).as_bytes())?;
    let exit = if report.fails(args.fail_on) {
        Exit::Fail
    } else {
        Exit::Pass
    };
    // The process ends next: freeing a large registry entry by entry would
    // only delay the exit.
    std::mem::forget(report);
    std::mem::forget(sources);
    std::mem::forget(registry);
    Ok(exit)
}

/// The registry, read as `audit` reads it, and the inventories, read while
/// it loads and added to its file table (after the registry's own files).
/// What cannot be read is reported on standard error and, for a machine
/// format, in that format on standard output; then `None` (exit 2).
pub(crate) fn load_with_inventories(
    registry_args: &RegistryArgs,
    options: &LoadOptions,
    inventories: &InventoryArgs,
    errors_as: Format,
    color: ColorArg,
) -> anyhow::Result<Option<(Registry, Date, Vec<crate::reconcile::Source>)>> {
    let stdin = |paths: &[std::path::PathBuf]| paths.iter().any(|p| p.as_os_str() == STDIN);
    if stdin(&registry_args.paths) && stdin(&inventories.files) {
        write_stderr(
            "error: the registry and an inventory cannot both be standard input (`-`)\n",
            color,
        );
        return Ok(None);
    }
    let (loaded, read) = std::thread::scope(|scope| {
        let read = scope.spawn(|| read_inventories(inventories, options.max_file_size));
        let loaded = super::load_with(registry_args, options, errors_as, color);
        let read = read.join().unwrap_or_else(|_| Err(LoadErrors(Vec::new())));
        (loaded, read)
    });
    let Some((mut registry, today)) = loaded? else {
        return Ok(None);
    };
    match read {
        Ok(read) => {
            let sources = attach(&mut registry, read);
            Ok(Some((registry, today, sources)))
        }
        Err(errors) => {
            write_stderr(
                &format!(
                    "{errors}\nerror: {}; nothing was reconciled\n",
                    crate::wording::plural(
                        errors.0.len(),
                        "inventory could not be read",
                        "inventories could not be read"
                    )
                ),
                color,
            );
            if let Some(report) = render_errors(&errors, errors_as, today) {
                write_stdout(report.as_bytes())?;
            }
            Ok(None)
        }
    }
}

/// An inventory as read: the path it is shown as, and the digest of its bytes.
pub(crate) struct Read {
    pub display: String,
    pub inventory: Inventory,
    pub digest: FileDigest,
}

/// Reads every inventory (all of them, so every unreadable one is reported
/// at once).
pub(crate) fn read_inventories(
    args: &InventoryArgs,
    max_bytes: u64,
) -> Result<Vec<Read>, LoadErrors> {
    let options = ReadOptions {
        include_default: args.include_default,
    };
    let format = args.inventory_format.map(|f| f.format());
    let mut read = Vec::new();
    let mut errors = Vec::new();
    // An inventory named twice is read once, as a registry file is.
    let mut seen: Vec<std::path::PathBuf> = Vec::new();
    for path in &args.files {
        if path.as_os_str() != STDIN {
            let same = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            if seen.contains(&same) {
                continue;
            }
            seen.push(same);
        }
        let display = display_path(path);
        match crate::inventory::read_file(path, &display, format, &options, max_bytes) {
            Ok((inventory, digest)) => read.push(Read {
                display,
                inventory,
                digest,
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(read)
    } else {
        Err(LoadErrors(errors))
    }
}

/// Adds each inventory file to the registry's file table, so that findings
/// are located in it.
pub(crate) fn attach(registry: &mut Registry, read: Vec<Read>) -> Vec<crate::reconcile::Source> {
    read.into_iter()
        .map(
            |Read {
                 display,
                 inventory,
                 digest,
             }| {
                let file = u32::try_from(registry.files.len()).unwrap_or(u32::MAX);
                registry.files.push(SourceFile {
                    path: display,
                    digest: Some(digest),
                });
                crate::reconcile::Source { file, inventory }
            },
        )
        .collect()
}
