//! Terminal and file output, for every command: reports written atomically,
//! standard output that tolerates a closed pipe, standard error coloured when
//! it is a terminal, and the decisions behind colour and width.

use crate::cli::ColorArg;
use crate::registry::describe_io;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Where a report goes: `--output FILE`, or standard output (also `-o -`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

impl Destination {
    pub fn from_arg(output: Option<&Path>) -> Self {
        match output {
            None => Destination::Stdout,
            Some(path) if path.as_os_str() == "-" => Destination::Stdout,
            Some(path) => Destination::File(path.to_path_buf()),
        }
    }

    /// Writes the report; a file atomically.
    pub fn write(&self, bytes: &[u8]) -> anyhow::Result<()> {
        self.write_with(|out| out.write_all(bytes))
    }

    /// Writes the report that `write` writes, as it is produced (through a
    /// buffer); a file atomically.
    pub fn write_with(
        &self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        match self {
            Destination::Stdout => Ok(write_stdout_with(write)?),
            Destination::File(path) => write_atomically_with(path, write).map_err(|e| {
                anyhow::anyhow!("cannot write the report to `{}`: {e}", path.display())
            }),
        }
    }
}

/// Writes a temporary file beside the target and renames it over the target,
/// so readers see the old report or the new one, never a partial one.
///
/// - A new file gets the permissions any new file gets (the umask's); a
///   replaced one keeps its own.
/// - A symbolic link is written through: its target is replaced.
/// - A path that is not a regular file (`/dev/null`, a named pipe) is
///   written in place: it cannot be renamed over.
/// - A missing directory is an error that names it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomically_with(path, |out| out.write_all(bytes))
}

/// [`write_atomically`], the bytes written by `write` as it produces them.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), String> {
    let existing = std::fs::metadata(path).ok();
    if let Some(meta) = &existing
        && !meta.is_file()
    {
        if meta.is_dir() {
            return Err("it is a directory".to_owned());
        }
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| {
                let mut out = io::BufWriter::with_capacity(BUFFER, f);
                write(&mut out)?;
                out.flush()
            })
            .map_err(|e| describe_io(&e));
    }
    let target = match &existing {
        Some(_) => std::fs::canonicalize(path).map_err(|e| describe_io(&e))?,
        None => path.to_path_buf(),
    };
    let file = temp_beside(&target, write, existing.as_ref().map(|m| m.permissions()))?;
    file.persist(&target).map_err(|e| describe_io(&e.error))?;
    Ok(())
}

/// What refuses to replace a file without `--force`.
pub const EXISTS: &str = "it already exists; pass --force to replace it";

/// Writes a file a command creates (`init`, `schema --output`): atomically,
/// and, without `force`, never over anything that exists, a symbolic link
/// (even a dangling one) included. The check and the write are one step (a
/// link, which fails when the name is taken), so nothing can slip between.
pub fn write_new(path: &Path, bytes: &[u8], force: bool) -> Result<(), String> {
    if force {
        return write_atomically(path, bytes);
    }
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(EXISTS.to_owned());
    }
    let file = temp_beside(path, |out| out.write_all(bytes), None)?;
    file.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            EXISTS.to_owned()
        } else {
            describe_io(&e.error)
        }
    })?;
    Ok(())
}

/// A temporary file holding what `write` writes, in the directory of
/// `target`, with the permissions of a new file (the umask's) or those given.
fn temp_beside(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    permissions: Option<std::fs::Permissions>,
) -> Result<tempfile::NamedTempFile, String> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!("directory `{}` does not exist", dir.display()));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".nhi-own-write");
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    };
    #[cfg(unix)]
    builder.permissions(mode);
    let mut file = builder.tempfile_in(dir).map_err(|e| describe_io(&e))?;
    {
        let mut out = io::BufWriter::with_capacity(BUFFER, file.as_file_mut());
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| describe_io(&e))?;
    }
    if let Some(permissions) = permissions {
        file.as_file()
            .set_permissions(permissions)
            .map_err(|e| describe_io(&e))?;
    }
    file.as_file().sync_all().map_err(|e| describe_io(&e))?;
    Ok(file)
}

/// Whether to colour a stream, honouring `--color`, NO_COLOR, CLICOLOR_FORCE and TTYs.
pub fn use_color<S: anstream::stream::RawStream>(choice: ColorArg, stream: &S) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => !matches!(
            anstream::AutoStream::choice(stream),
            anstream::ColorChoice::Never
        ),
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    write_stdout_with(|out| out.write_all(bytes))
}

/// Buffer of a report written as it is produced.
const BUFFER: usize = 256 * 1024;

/// [`write_stdout`], the bytes written by `write` as it produces them.
pub fn write_stdout_with(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut stdout = io::BufWriter::with_capacity(BUFFER, io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Diagnostics on standard error. `text` is already escaped (every message
/// that echoes input escapes it where it is built); a line's leading
/// `error:`/`warning:` word (after a location, if any) is coloured when
/// standard error is a terminal or `--color always`.
pub fn write_stderr(text: &str, color: ColorArg) {
    let colored = use_color(color, &io::stderr());
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(&if colored {
            paint_line(line)
        } else {
            line.to_owned()
        });
    }
    let _ = io::stderr().lock().write_all(out.as_bytes());
}

/// Colours the severity word of one diagnostic line.
fn paint_line(line: &str) -> String {
    use crate::rules::Severity;
    for (word, severity) in [("error", Severity::Error), ("warning", Severity::Warning)] {
        let label = format!("{word}:");
        let at = if line.starts_with(&label) {
            Some(0)
        } else {
            line.find(&format!(": {label}")).map(|i| i + 2)
        };
        if let Some(at) = at {
            let painted = crate::report::paint(word, severity, true);
            return format!("{}{painted}{}", &line[..at], &line[at + word.len()..]);
        }
    }
    line.to_owned()
}

/// Terminal width for tables, when standard output is a terminal.
pub fn terminal_width() -> Option<u16> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| w.0)
}

/// What refuses to replace a non-empty directory without `--force`.
pub const NOT_EMPTY: &str = "it is a directory that is not empty; pass --force to replace it";

/// Writes `files` as the directory `path`, atomically: into a temporary
/// directory beside it, renamed into place once every file is written and
/// synced, so that the directory holds all of them or does not change.
/// An empty directory is replaced; a non-empty one only with `force` (the
/// old one is moved aside first and removed once the new one is in place);
/// anything else at `path` (a file, a symbolic link) never. The directory
/// and its files get the permissions the umask gives new ones. Returns a
/// warning when the pack is in place but the old directory, moved aside,
/// could not all be removed.
pub fn write_directory(
    path: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
) -> Result<Option<String>, String> {
    let existing = std::fs::symlink_metadata(path).ok();
    if let Some(meta) = &existing {
        if !meta.is_dir() {
            return Err("it exists and is not a directory".to_owned());
        }
        if !force && !is_empty_dir(path)? {
            return Err(NOT_EMPTY.to_owned());
        }
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(format!("directory `{}` does not exist", parent.display()));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".nhi-own-pack");
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o777)
    };
    #[cfg(unix)]
    builder.permissions(mode);
    let temp = builder.tempdir_in(parent).map_err(|e| describe_io(&e))?;
    for (name, bytes) in files {
        let mut file =
            std::fs::File::create(temp.path().join(name)).map_err(|e| describe_io(&e))?;
        file.write_all(bytes).map_err(|e| describe_io(&e))?;
        file.sync_all().map_err(|e| describe_io(&e))?;
    }
    let replaced = match &existing {
        Some(_) if !is_empty_dir(path)? => {
            // Moved aside, so that the new directory takes the name in one step.
            let aside = tempfile::Builder::new()
                .prefix(".nhi-own-old")
                .tempdir_in(parent)
                .map_err(|e| describe_io(&e))?;
            let aside_path = aside.path().to_path_buf();
            // The placeholder directory goes; the old pack takes its name.
            std::fs::remove_dir(&aside_path).map_err(|e| describe_io(&e))?;
            std::mem::forget(aside);
            std::fs::rename(path, &aside_path).map_err(|e| describe_io(&e))?;
            Some(aside_path)
        }
        _ => None,
    };
    let moved = std::fs::rename(temp.path(), path).or_else(|e| {
        // Where a directory cannot be renamed over an empty one (Windows).
        if replaced.is_none() && path.is_dir() && is_empty_dir(path).unwrap_or(false) {
            std::fs::remove_dir(path).and_then(|()| std::fs::rename(temp.path(), path))
        } else {
            Err(e)
        }
    });
    match moved {
        Ok(()) => {
            // Renamed away: nothing left for the guard to remove.
            let _ = temp.keep();
            Ok(replaced.and_then(|old| {
                std::fs::remove_dir_all(&old).err().map(|e| {
                    format!(
                        "the directory it replaced, moved to `{}`, could not all be removed: {}",
                        old.display(),
                        describe_io(&e)
                    )
                })
            }))
        }
        Err(e) => {
            if let Some(old) = replaced {
                let _ = std::fs::rename(&old, path);
            }
            Err(if e.kind() == io::ErrorKind::DirectoryNotEmpty {
                NOT_EMPTY.to_owned()
            } else {
                describe_io(&e)
            })
        }
    }
}

fn is_empty_dir(path: &Path) -> Result<bool, String> {
    std::fs::read_dir(path)
        .map(|mut entries| entries.next().is_none())
        .map_err(|e| describe_io(&e))
}

#[cfg(test)]
mod tests {
    use super::paint_line;

    #[test]
    fn only_the_severity_word_is_coloured() {
        let red = crate::report::paint("error", crate::rules::Severity::Error, true);
        assert_eq!(paint_line("error: boom\n"), format!("{red}: boom\n"));
        assert_eq!(
            paint_line("r.yaml:1:2: error: x: error: y"),
            format!("r.yaml:1:2: {red}: x: error: y")
        );
        assert_eq!(paint_line("  help: fix it"), "  help: fix it");
    }
}
