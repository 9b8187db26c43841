//! `nhi-own owners`: who holds what, and who must act on which finding.

use super::Exit;
use crate::cli::{ColorArg, OwnersArgs, OwnersFormat};
use crate::output::{terminal_width, use_color, write_stderr, write_stdout};
use crate::report::Format;
use unicode_normalization::UnicodeNormalization;

pub fn run(args: &OwnersArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let errors_as = match args.format {
        OwnersFormat::Table => Format::Table,
        OwnersFormat::Json => Format::Json,
        OwnersFormat::Markdown => Format::Markdown,
    };
    let Some((registry, today)) = super::load(&args.registry, errors_as, color)? else {
        return Ok(Exit::Invalid);
    };
    let report = crate::audit::audit_with(&registry, today, args.registry.threads);
    let mut view = crate::owners::view(&registry, &report, today);
    if let Some(id) = &args.owner {
        let known: Vec<&str> = view.ids().collect();
        // An id that differs only in letter case, or in how its letters are
        // composed (`é` as one character or as `e` and an accent), looks the
        // same when printed: say so.
        let folded = |text: &str| -> String { text.nfc().flat_map(char::to_lowercase).collect() };
        let alike = known.iter().find(|k| folded(k) == folded(id)).map(|k| {
            format!(
                "\n  help: did you mean `{}`? It differs in letter case or in how its letters are composed",
                crate::escape::escape(k)
            )
        });
        let suggestion = alike
            .or_else(|| {
                crate::keyword::did_you_mean(id, known.iter().copied())
                    .map(|s| format!("\n  help: did you mean `{}`?", crate::escape::escape(s)))
            })
            .unwrap_or_default();
        let Some(only) = view.only(id) else {
            write_stderr(
                &format!(
                    "error: --owner `{}` is not an owner of this registry{suggestion}\n",
                    crate::escape::escape(id)
                ),
                color,
            );
            return Ok(Exit::Invalid);
        };
        view = only;
    }
    let text = match args.format {
        OwnersFormat::Table => crate::owners::table(
            &view,
            terminal_width(),
            use_color(color, &std::io::stdout()),
        ),
        OwnersFormat::Json => crate::owners::json(&view),
        OwnersFormat::Markdown => crate::owners::markdown(&view),
    };
    write_stdout(text.as_bytes())?;
    Ok(Exit::Pass)
}
