//! `nhi-own reconcile`: the registry against inventories (SPEC §6).

use super::Exit;
use crate::cli::{ColorArg, InventoryArgs, ReconcileArgs};
use crate::inventory::ReadOptions;
use crate::output::{terminal_width, use_color, write_stderr, write_stdout};
use crate::registry::{LoadErrors, Registry, SourceFile, display_path};
use crate::report::{Style, render, render_errors};

pub fn run(args: &ReconcileArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let Some((mut registry, today)) = super::load(&args.registry, args.format, color)? else {
        return Ok(Exit::Invalid);
    };
    let max = super::load_options(&args.registry).max_file_size;
    let sources = match read_inventories(&mut registry, &args.inventories, max) {
        Ok(sources) => sources,
        Err(errors) => {
            write_stderr(
                &format!(
                    "{errors}\nerror: {}; nothing was reconciled\n",
                    errors.summary()
                ),
                color,
            );
            if let Some(report) = render_errors(&errors, args.format, today) {
                write_stdout(report.as_bytes())?;
            }
            return Ok(Exit::Invalid);
        }
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
    Ok(if report.fails(args.fail_on) {
        Exit::Fail
    } else {
        Exit::Pass
    })
}

/// Reads every inventory (all of them, so every unreadable one is reported
/// at once), adding each file to the registry's file table so that findings
/// are located in it.
pub(crate) fn read_inventories(
    registry: &mut Registry,
    args: &InventoryArgs,
    max_bytes: u64,
) -> Result<Vec<crate::reconcile::Source>, LoadErrors> {
    let options = ReadOptions {
        include_default: args.include_default,
    };
    let format = args.inventory_format.map(|f| f.format());
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in &args.files {
        let display = display_path(path);
        match crate::inventory::read_file(path, &display, format, &options, max_bytes) {
            Ok(inventory) => {
                let file = u32::try_from(registry.files.len()).unwrap_or(u32::MAX);
                registry.files.push(SourceFile { path: display });
                sources.push(crate::reconcile::Source { file, inventory });
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(LoadErrors(errors))
    }
}
