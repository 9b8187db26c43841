//! `nhi-own man`: one manual page (roff, from the command-line definitions)
//! with a section per subcommand: its synopsis, description, options and
//! examples.

use clap_mangen::Man;
use roff::{Roff, roman};
use std::io;

pub fn page() -> io::Result<Vec<u8>> {
    let cli = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut cli = cli.disable_help_subcommand(true);
    cli.build();
    let main = Man::new(cli.clone());
    let mut out = Vec::new();
    main.render_title(&mut out)?;
    main.render_name_section(&mut out)?;
    main.render_synopsis_section(&mut out)?;
    main.render_description_section(&mut out)?;
    main.render_options_section(&mut out)?;
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("nhi-own {}", sub.get_name());
        let man = Man::new(sub.clone().bin_name(&name));
        section(&mut out, &format!(".SH \"{}\"", name.to_uppercase()), |w| {
            man.render_synopsis_section(w)
        })?;
        section(&mut out, ".PP", |w| man.render_description_section(w))?;
        section(&mut out, ".SS Options", |w| man.render_options_section(w))?;
        if let Some(examples) = sub.get_after_help() {
            section(&mut out, "", |w| {
                verbatim(w, "Examples", &examples.to_string())
            })?;
        }
    }
    section(&mut out, ".SH \"EXIT STATUS\"", |w| {
        main.render_extra_section(w)
    })?;
    main.render_version_section(&mut out)?;
    Ok(out)
}

/// A section rendered by clap_mangen, under `heading` instead of its own
/// `.SH` line (no heading at all when `heading` is empty).
fn section(
    out: &mut Vec<u8>,
    heading: &str,
    render: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
) -> io::Result<()> {
    let mut rendered = Vec::new();
    render(&mut rendered)?;
    let text = String::from_utf8_lossy(&rendered);
    let mut replaced = false;
    for line in text.lines() {
        // Each rendering repeats the page's preamble (the `Aq` string).
        if line.starts_with(".ie \\n(.g") || line.starts_with(".el .ds Aq") {
            continue;
        }
        if !replaced && line.starts_with(".SH ") {
            replaced = true;
            if !heading.is_empty() {
                out.extend_from_slice(heading.as_bytes());
                out.push(b'\n');
            }
            continue;
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    Ok(())
}

/// A subsection of lines shown as written (the examples of `--help`).
fn verbatim(w: &mut Vec<u8>, title: &str, text: &str) -> io::Result<()> {
    let mut roff = Roff::new();
    roff.control("SH", [title])
        .control("SS", [title])
        .control("nf", []);
    for line in text.lines().filter(|l| l.trim_end() != format!("{title}:")) {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff.to_writer(w)
}
