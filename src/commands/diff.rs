//! `nhi-own diff`: load both registries, audit both as of one day, compare,
//! render, exit by the findings the change introduces.

use super::Exit;
use crate::cli::{ColorArg, DiffArgs, DiffFormat};
use crate::output::{use_color, write_stderr, write_stdout};
use crate::registry::{LoadErrors, Registry, STDIN, Sources, load_sources};
use crate::report::{Format, render_errors};

pub fn run(args: &DiffArgs, color: ColorArg) -> anyhow::Result<Exit> {
    if args.old.as_os_str() == STDIN && args.new.as_os_str() == STDIN {
        write_stderr(
            "error: OLD and NEW cannot both be standard input (`-`)\n  help: write one side to a file first, such as `git show origin/main:ownership.yaml > base.yaml`\n",
            color,
        );
        return Ok(Exit::Invalid);
    }
    let (old_args, new_args) = (args.side(&args.old), args.side(&args.new));
    let Some(today) = super::today(&new_args, color) else {
        return Ok(Exit::Invalid);
    };
    let load = |side: &crate::cli::RegistryArgs| {
        load_sources(Sources::resolve(&side.paths), &super::load_options(side))
    };
    let (old, new) = match (load(&old_args), load(&new_args)) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            // Every invalid file of both sides, at once.
            let mut all = Vec::new();
            let mut text = String::new();
            for (side, path, result) in [("OLD", &args.old, old), ("NEW", &args.new, new)] {
                if let Err(errors) = result {
                    text.push_str(&format!(
                        "{errors}\nerror: {side} `{}`: {}\n",
                        crate::escape::escape(&crate::registry::display_path(path)),
                        errors.summary()
                    ));
                    all.extend(errors.0);
                }
            }
            text.push_str("error: nothing was compared\n");
            write_stderr(&text, color);
            let errors_as = match args.format {
                DiffFormat::Table => Format::Table,
                DiffFormat::Json => Format::Json,
                DiffFormat::Markdown => Format::Markdown,
            };
            if let Some(report) = render_errors(&LoadErrors(all), errors_as, today) {
                write_stdout(report.as_bytes())?;
            }
            return Ok(Exit::Invalid);
        }
    };
    let exit = compare(args, color, &old, &new, today)?;
    // The process ends next: freeing both registries entry by entry would
    // only delay the exit.
    std::mem::forget(old);
    std::mem::forget(new);
    Ok(exit)
}

fn compare(
    args: &DiffArgs,
    color: ColorArg,
    old: &Registry,
    new: &Registry,
    today: crate::registry::Date,
) -> anyhow::Result<Exit> {
    let (old_report, new_report) = (
        crate::audit::audit_with(old, today, args.threads),
        crate::audit::audit_with(new, today, args.threads),
    );
    let diff = crate::diff::diff(old, &old_report, new, &new_report);
    let text = match args.format {
        DiffFormat::Table => crate::diff::table(&diff, use_color(color, &std::io::stdout())),
        DiffFormat::Json => crate::diff::json(&diff),
        DiffFormat::Markdown => crate::diff::markdown(&diff),
    };
    write_stdout(text.as_bytes())?;
    Ok(if diff.fails(args.fail_on) {
        Exit::Fail
    } else {
        Exit::Pass
    })
}
