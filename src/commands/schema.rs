//! `nhi-own schema`: the JSON Schema of the registry format.

use super::Exit;
use crate::cli::{ColorArg, SchemaArgs};
use crate::output::{write_new, write_stderr, write_stdout};

pub fn run(args: &SchemaArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let text = crate::schema::text();
    match &args.output {
        None => write_stdout(text.as_bytes())?,
        Some(path) if path.as_os_str() == "-" => write_stdout(text.as_bytes())?,
        Some(path) => {
            if let Err(e) = write_new(path, text.as_bytes(), args.force) {
                write_stderr(
                    &format!(
                        "error: cannot write the schema to `{}`: {e}\n",
                        crate::escape::escape(&path.display().to_string())
                    ),
                    color,
                );
                return Ok(Exit::Invalid);
            }
            let shown = crate::escape::escape(&path.display().to_string()).into_owned();
            write_stderr(
                &format!(
                    "wrote {shown}: name it on a registry's first line, \
                     `# yaml-language-server: $schema={shown}` (`nhi-own init` does)\n"
                ),
                color,
            );
        }
    }
    Ok(Exit::Pass)
}
