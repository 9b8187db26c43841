//! `nhi-own audit`: load, audit, render, write, exit.

use super::Exit;
use crate::cli::{AuditArgs, ColorArg};
use crate::output::{Destination, terminal_width, use_color, write_stderr};
use crate::registry::{Chunking, Sources, load_sources, parse_only};
use crate::report::{Style, render_errors};

pub fn run(args: &AuditArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let Some(today) = super::today(&args.registry, color) else {
        return Ok(Exit::Invalid);
    };
    let mut options = super::load_options(&args.registry);
    if args.no_chunking {
        options.chunking = Chunking::Off;
    }
    if args.parse_only {
        return Ok(match parse_only(&args.registry.paths, &options) {
            Ok(bytes) => {
                write_stderr(&format!("parsed {bytes} bytes\n"), color);
                Exit::Pass
            }
            Err(errors) => {
                write_stderr(&format!("{errors}\n"), color);
                Exit::Invalid
            }
        });
    }
    let destination = Destination::from_arg(args.output.as_deref());
    let sources = Sources::resolve(&args.registry.paths);
    let writes = [
        (
            "--output",
            args.output.as_deref().filter(|p| p.as_os_str() != "-"),
            "nhi-own-report.json",
        ),
        (
            "--write-baseline",
            args.write_baseline.as_deref(),
            "nhi-own-baseline.json",
        ),
    ];
    for (flag, path, instead) in writes {
        if let Some(path) = path
            && sources.contains(path)
        {
            write_stderr(
                &format!(
                    "error: {flag} `{}` is one of the registry's files; refusing to overwrite it\n  help: write it elsewhere, such as `{flag} {instead}`\n",
                    crate::escape::escape(&path.display().to_string())
                ),
                color,
            );
            return Ok(Exit::Invalid);
        }
    }
    if let [(_, Some(report), _), (_, Some(baseline), _)] = writes
        && same_path(report, baseline)
    {
        write_stderr(
            &format!(
                "error: --output and --write-baseline both name `{}`; one would overwrite the other\n",
                crate::escape::escape(&baseline.display().to_string())
            ),
            color,
        );
        return Ok(Exit::Invalid);
    }
    let registry = match load_sources(sources, &options) {
        Ok(registry) => registry,
        Err(errors) => {
            // People read the errors on standard error; a CI job also gets
            // them in the format it asked for, where it shows findings.
            let text = format!(
                "{errors}\nerror: {}; nothing was audited\n",
                errors.summary()
            );
            write_stderr(&text, color);
            match render_errors(&errors, args.format, today) {
                Some(report) => destination.write(report.as_bytes())?,
                // `table` and `text` report errors on standard error; a report
                // file gets the same lines, so it never holds a stale report.
                None if destination != Destination::Stdout => destination.write(text.as_bytes())?,
                None => {}
            }
            return Ok(Exit::Invalid);
        }
    };
    let mut report = crate::audit::audit_with(&registry, today, options.threads);
    if let Some(path) = &args.baseline {
        let known = match crate::baseline::read(path, options.max_file_size) {
            Ok(known) => known,
            Err(message) => {
                write_stderr(&format!("error: --baseline: {message}\n"), color);
                return Ok(Exit::Invalid);
            }
        };
        let fixed = report.apply_baseline(&known);
        if fixed > 0 {
            write_stderr(
                &format!(
                    "info: {} fixed: regenerate the baseline with `--write-baseline {}`\n",
                    crate::wording::plural(fixed, "baselined finding is", "baselined findings are"),
                    crate::escape::escape(&path.display().to_string())
                ),
                color,
            );
        }
    }
    if let Some(path) = &args.write_baseline {
        let text = crate::baseline::render(&report);
        if let Err(e) = crate::output::write_atomically(path, text.as_bytes()) {
            write_stderr(
                &format!(
                    "error: cannot write the baseline to `{}`: {e}\n",
                    crate::escape::escape(&path.display().to_string())
                ),
                color,
            );
            return Ok(Exit::Invalid);
        }
        let all = crate::baseline::fingerprints(&report);
        write_stderr(
            &format!(
                "wrote {} to {}: they no longer fail; gate with `--baseline {}`\n",
                crate::wording::plural(all.len(), "finding", "findings"),
                crate::escape::escape(&path.display().to_string()),
                crate::escape::escape(&path.display().to_string())
            ),
            color,
        );
        report.apply_baseline(&all);
    }
    // A report written to a file is plain, whatever the terminal.
    let to_stdout = destination == Destination::Stdout;
    let style = Style {
        color: to_stdout && use_color(color, &std::io::stdout()),
        width: if to_stdout { terminal_width() } else { None },
        fail_on: args.fail_on,
    };
    destination.write_with(|out| crate::report::write(&report, args.format, style, out))?;
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

/// Whether two paths name one file, existing or not.
fn same_path(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => std::path::absolute(a).ok() == std::path::absolute(b).ok(),
    }
}
