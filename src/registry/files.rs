//! Reading files: the paths a registry names (directories walked, repeats
//! dropped, standard input), how paths are shown, the size limit, UTF-8, and
//! I/O errors in words.

use super::LoadError;
use std::collections::HashSet;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The SHA-256 and the size of a file's bytes, as read: what an evidence
/// pack's manifest records of its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// Lower-case hexadecimal.
    pub sha256: String,
    pub size: u64,
}

impl FileDigest {
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        FileDigest {
            sha256: crate::report::hex(&Sha256::digest(bytes)),
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        }
    }
}

/// The path that stands for standard input.
pub const STDIN: &str = "-";
/// How standard input is shown in locations.
pub const STDIN_DISPLAY: &str = "<stdin>";

/// The files a registry's paths name: directories walked, repeats dropped,
/// and the problems met on the way (missing paths, empty directories).
pub struct Sources {
    /// Files in the order they are merged; [`STDIN`] for standard input.
    pub files: Vec<PathBuf>,
    errors: Vec<LoadError>,
}

impl Sources {
    /// Lists the files that `paths` name, as [`load`] reads them.
    pub fn resolve(paths: &[PathBuf]) -> Sources {
        let mut errors = Vec::new();
        let files = registry_files(paths, &mut errors);
        Sources { files, errors }
    }

    /// The problems met while listing the files (missing paths, unreadable
    /// directories, empty ones).
    pub fn errors(&self) -> &[LoadError] {
        &self.errors
    }

    /// The files, and the problems met while listing them.
    pub(super) fn into_parts(self) -> (Vec<PathBuf>, Vec<LoadError>) {
        (self.files, self.errors)
    }

    /// Whether `path` is one of the files: the same file by device and inode
    /// on Unix (a symbolic or hard link to a registry file is that file, and
    /// so is the file standard input reads, for `-`), by canonical path
    /// elsewhere.
    pub fn contains(&self, path: &Path) -> bool {
        let Ok(target) = std::fs::metadata(path) else {
            return false;
        };
        self.files.iter().any(|f| {
            if f.as_os_str() == STDIN {
                stdin_metadata().is_some_and(|stdin| same_file(&stdin, &target, None))
            } else {
                std::fs::metadata(f).is_ok_and(|m| same_file(&m, &target, Some((f, path))))
            }
        })
    }
}

/// What standard input reads from (a file, for `nhi-own audit - < r.yaml`).
#[cfg(unix)]
fn stdin_metadata() -> Option<std::fs::Metadata> {
    use std::os::fd::AsFd;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    std::fs::File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stdin_metadata() -> Option<std::fs::Metadata> {
    None
}

/// Whether two files are one: by device and inode on Unix; elsewhere by the
/// canonical forms of their paths, when known.
#[cfg_attr(unix, allow(unused_variables))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata, paths: Option<(&Path, &Path)>) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        paths.is_some_and(|(a, b)| {
            matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
        })
    }
}

pub(super) fn file_error(display: &str, message: &str, help: &str) -> LoadError {
    LoadError {
        file: Some(display.to_owned()),
        line: 0,
        col: 0,
        message: message.to_owned(),
        help: Some(help.to_owned()),
    }
}

/// The lines of a YAML text: a line ends at LF, CRLF or a lone CR (the
/// line breaks of YAML and of editors), so positions match what users see.
fn yaml_lines(source: &str) -> impl Iterator<Item = &str> {
    source
        .split("\r\n")
        .flat_map(|part| part.split(['\r', '\n']))
}

/// The position of the first line that is neither blank, a comment nor a directive.
pub(super) fn first_content(source: &str) -> (u32, u32) {
    for (i, line) in yaml_lines(source).enumerate() {
        let trimmed = line.trim_start_matches('\u{feff}').trim_start();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with('%')
            || trimmed == "---"
        {
            continue;
        }
        let col = line.chars().count() - trimmed.chars().count() + 1;
        return (
            u32::try_from(i + 1).unwrap_or(u32::MAX),
            u32::try_from(col).unwrap_or(u32::MAX),
        );
    }
    (1, 1)
}

/// The position just past the last character of `source`.
pub(crate) fn end_position(source: &str) -> (u32, u32) {
    let (mut line, mut col) = (0, 0);
    for text in yaml_lines(source) {
        line += 1;
        col = text.chars().count() + 1;
    }
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// How a path is shown in every message and report: as the user gave it,
/// normalised (`.` components and repeated separators dropped, so `.//r.yaml`
/// is `r.yaml`; `/` on every platform), and starting with a letter, a digit,
/// `.`, `_`, `-`, `~` or `/`. Printed at the start of a line, a name that
/// starts otherwise (`:`, `#`, whitespace, which CI runners skip) could be
/// read as a CI log command (`::error::…`), so it is shown as `./name`.
pub fn display_path(path: &Path) -> String {
    use std::path::Component;
    if path.as_os_str() == STDIN {
        return STDIN_DISPLAY.to_owned();
    }
    let mut text = String::new();
    for component in path.components() {
        let part = match component {
            Component::Prefix(prefix) => {
                text.push_str(&prefix.as_os_str().to_string_lossy());
                continue;
            }
            Component::RootDir => {
                text.push('/');
                continue;
            }
            Component::CurDir => continue,
            Component::ParentDir => std::borrow::Cow::Borrowed(".."),
            Component::Normal(name) => name.to_string_lossy(),
        };
        if !text.is_empty() && !text.ends_with('/') {
            text.push('/');
        }
        text.push_str(&part);
    }
    if text.is_empty() {
        text.push('.');
    }
    if std::path::MAIN_SEPARATOR == '\\' {
        text = text.replace('\\', "/");
    }
    if !text
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '~' | '/'))
    {
        text.insert_str(0, "./");
    }
    text
}

/// Expands directories (depth first, sorted by name, hidden entries skipped)
/// and drops files given twice, keeping the first occurrence.
fn registry_files(paths: &[PathBuf], errors: &mut Vec<LoadError>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |path: PathBuf, files: &mut Vec<PathBuf>| {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            files.push(path);
        }
    };
    for path in paths {
        if path.as_os_str() == STDIN {
            push(path.clone(), &mut files);
            continue;
        }
        let display = display_path(path);
        match std::fs::metadata(path) {
            Err(e) => errors.push(io_error(&display, &e, path)),
            Ok(meta) if meta.is_dir() => {
                let errors_before = errors.len();
                let mut found = false;
                let walker = walkdir::WalkDir::new(path)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
                for entry in walker {
                    match entry {
                        Ok(entry) if entry.file_type().is_file() && is_yaml(entry.path()) => {
                            found = true;
                            push(entry.into_path(), &mut files);
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let at = e.path().map_or_else(|| display.clone(), display_path);
                            let message = if e.loop_ancestor().is_some() {
                                "symbolic link loop".to_owned()
                            } else {
                                e.io_error().map_or_else(|| e.to_string(), describe_io)
                            };
                            errors.push(LoadError {
                                file: Some(at),
                                line: 0,
                                col: 0,
                                message: format!("cannot read: {message}"),
                                help: None,
                            });
                        }
                    }
                }
                // A walk that failed has said why; an empty one has not. (A
                // walk that found only files already read is not empty.)
                if !found && errors.len() == errors_before {
                    errors.push(file_error(
                        &display,
                        "directory holds no registry file (`*.yaml` or `*.yml`, hidden ones skipped)",
                        "point nhi-own at the registry files or at a directory that holds them",
                    ));
                }
            }
            Ok(_) => push(path.clone(), &mut files),
        }
    }
    files
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// `*.yaml` and `*.yml`, in any letter case (`owners.YAML` is a registry file too).
fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// An I/O error in the words of the rest of the messages.
pub fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        _ => {
            // The OS's words, lower-cased to read as the rest of the message.
            let text = e.to_string();
            let text = text
                .find(" (os error")
                .map_or(text.as_str(), |i| &text[..i]);
            let mut chars = text.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_lowercase().chain(chars).collect()
            })
        }
    }
}

fn io_error(display: &str, e: &io::Error, path: &Path) -> LoadError {
    let help = (e.kind() == io::ErrorKind::NotFound).then(|| {
        if path == Path::new(crate::DEFAULT_REGISTRY) {
            "no registry given and `ownership.yaml` is not in this directory: \
             pass the registry's path, such as `nhi-own audit registry/`"
                .to_owned()
        } else {
            "check the path; a registry is a YAML file or a directory of them".to_owned()
        }
    });
    LoadError {
        file: Some(display.to_owned()),
        line: 0,
        col: 0,
        message: format!("cannot read: {}", describe_io(e)),
        help,
    }
}

/// Reads one file, opened once: the size is checked on the open handle before
/// reading, and the read stops past the limit even if the file grows meanwhile.
pub(crate) fn read_file(path: &Path, display: &str, max: u64) -> Result<String, LoadError> {
    let io = |e: io::Error| io_error(display, &e, path);
    let too_large = |size: u64| {
        file_error(
            display,
            &format!(
                "file is {size} bytes, over the {} MiB limit for one registry file",
                max / (1024 * 1024)
            ),
            "split the registry into several files in a directory (`nhi-own audit DIR` merges them), \
             or raise the limit with `--max-file-size`",
        )
    };
    let mut bytes = Vec::new();
    if path.as_os_str() == STDIN {
        io::stdin()
            .lock()
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
    } else {
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len > max {
            return Err(too_large(len));
        }
        bytes.reserve(usize::try_from(len).unwrap_or(0));
        file.take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    // The file grew after its size was checked: report what was read.
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > max {
        return Err(too_large(read));
    }
    decode(bytes, display)
}

/// Registry files are UTF-8; anything else is reported where it stops being UTF-8.
pub(super) fn decode(bytes: Vec<u8>, display: &str) -> Result<String, LoadError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(LoadError {
            file: Some(display.to_owned()),
            line: 1,
            col: 1,
            message: "file is UTF-16; registry files must be UTF-8".to_owned(),
            help: Some("re-save the file as UTF-8".to_owned()),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // `valid` is valid UTF-8 by construction.
        let (line, col) = end_position(std::str::from_utf8(valid).unwrap_or_default());
        LoadError {
            file: Some(display.to_owned()),
            line,
            col,
            message: "invalid UTF-8: registry files must be UTF-8 text".to_owned(),
            help: Some("re-save the file as UTF-8".to_owned()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_in_either_byte_order_is_named() {
        for bom in [[0xFF, 0xFE], [0xFE, 0xFF]] {
            let mut bytes = bom.to_vec();
            bytes.extend("v\0".as_bytes());
            let error = decode(bytes, "r.yaml").unwrap_err();
            assert_eq!(
                error.message,
                "file is UTF-16; registry files must be UTF-8"
            );
            assert_eq!((error.line, error.col), (1, 1));
        }
    }

    /// Invalid UTF-8 is placed at its first bad byte, lines counted as YAML does.
    #[test]
    fn invalid_utf8_is_placed_at_the_first_bad_byte() {
        let error = decode(b"ab\r\ncd\r\xC3\xA9\xFF".to_vec(), "r.yaml").unwrap_err();
        assert_eq!(
            error.message,
            "invalid UTF-8: registry files must be UTF-8 text"
        );
        assert_eq!((error.line, error.col), (3, 2));
    }
}
