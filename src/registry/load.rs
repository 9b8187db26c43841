//! Reading a registry from disk: walking directories, size limits, UTF-8,
//! YAML parsing with a budget scaled to the input, and merging files.

use super::chunk;
use super::convert::{Converter, FileContents};
use super::yaml::{self, Limits, Root};
use super::{LoadError, LoadErrors, Loc, OwnerKind, Registry, SourceFile};
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Limits that protect the loader from oversized input, and how to use the cores.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Largest registry file accepted, in bytes.
    pub max_file_size: u64,
    /// Threads that read and parse files; 0 means one per available core.
    pub threads: usize,
    /// Whether one large file is split into chunks parsed in parallel.
    pub chunking: Chunking,
    /// Which YAML layer reads the files.
    #[doc(hidden)]
    pub engine: Engine,
}

/// The YAML layer: granit-parser's events (the loader), or serde-saphyr's
/// deserializer (kept for the differential test that shows they agree).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    #[default]
    Events,
    Serde,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: 512 * 1024 * 1024,
            threads: 0,
            chunking: Chunking::Auto,
            engine: Engine::Events,
        }
    }
}

/// How a large registry file is split for parsing (see the `chunk` module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunking {
    /// Split files large enough to keep every thread busy.
    Auto,
    /// Parse every file whole.
    Off,
    /// Split every file that takes the fast path into chunks of about this many bytes.
    Bytes(usize),
}

/// More threads than this only cost memory: `-j` is capped here.
pub const MAX_THREADS: usize = 256;

impl LoadOptions {
    fn threads(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        }
        .min(MAX_THREADS)
    }

    /// Target chunk size given the total input, or `None` not to split.
    fn chunk_bytes(&self, total: usize) -> Option<usize> {
        let threads = self.threads();
        match self.chunking {
            Chunking::Off => None,
            Chunking::Bytes(n) => Some(n.max(1)),
            Chunking::Auto if threads < 2 => None,
            // A few chunks per thread balance the load; below 64 KiB a chunk
            // costs more to set up than it saves.
            Chunking::Auto => Some((total / (threads * 4)).clamp(32 * 1024, 16 * 1024 * 1024)),
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

    /// Whether `path` is one of the files, by canonical path (a symbolic link
    /// to a registry file is that file).
    pub fn contains(&self, path: &Path) -> bool {
        let Ok(target) = std::fs::canonicalize(path) else {
            return false;
        };
        self.files
            .iter()
            .filter(|f| f.as_os_str() != STDIN)
            .any(|f| std::fs::canonicalize(f).is_ok_and(|f| f == target))
    }
}

/// Loads and merges a registry given as files and directories, in the order given.
///
/// Files are read and parsed on all cores, large ones in chunks; the result is
/// the same as parsing each file whole, in order.
/// Every unreadable file and every invalid entry is reported, not only the first.
pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Result<Registry, LoadErrors> {
    load_sources(Sources::resolve(paths), options)
}

/// Loads the files of [`Sources::resolve`].
pub fn load_sources(sources: Sources, options: &LoadOptions) -> Result<Registry, LoadErrors> {
    let Sources { files, errors } = sources;
    let displays: Vec<String> = files.iter().map(|p| display_path(p)).collect();
    let read = |i: usize| read_file(&files[i], &displays[i], options);
    load_read(&displays, read, options, errors)
}

/// Loads a registry held in memory, as [`load`] would load files of these
/// names and contents (after the file-size check): the entry point of the
/// fuzz target.
#[doc(hidden)]
pub fn load_bytes(files: &[(&str, &[u8])], options: &LoadOptions) -> Result<Registry, LoadErrors> {
    let displays: Vec<String> = files
        .iter()
        .map(|(name, _)| display_path(Path::new(name)))
        .collect();
    let read = |i: usize| decode(files[i].1.to_vec(), &displays[i]);
    load_read(&displays, read, options, Vec::new())
}

/// Parses and merges the files that `read(i)` reads, named `displays[i]`,
/// after the `errors` found while listing them.
fn load_read(
    displays: &[String],
    read: impl Fn(usize) -> Result<String, LoadError> + Sync,
    options: &LoadOptions,
    mut errors: Vec<LoadError>,
) -> Result<Registry, LoadErrors> {
    let outcomes = parse_files(displays, read, options, |file, display, doc, whole| {
        let mut converter = Converter::new(file, display);
        parse_document(&mut converter, display, doc, whole, options.engine);
        (converter.contents, converter.errors)
    });
    let mut parsed = Vec::with_capacity(outcomes.len());
    for (index, (display, outcome)) in outcomes.into_iter().enumerate() {
        let (contents, file_errors) = match outcome {
            Outcome::Unreadable(e) => (FileContents::default(), vec![e]),
            Outcome::Parsed { head, chunks, .. } if chunks.is_empty() => head,
            Outcome::Parsed {
                source,
                head,
                chunks,
            } => {
                if std::iter::once(&head)
                    .chain(&chunks)
                    .any(|(_, errors)| !errors.is_empty())
                {
                    // Report exactly what a whole-file parse reports.
                    parse_file(file_id(index), &display, &source, options.engine)
                } else {
                    let (mut contents, errors) = head;
                    for (chunk, _) in chunks {
                        contents.identities.extend(chunk.identities);
                    }
                    (contents, errors)
                }
            }
        };
        errors.extend(file_errors);
        parsed.push((display, contents));
    }
    let registry = merge(parsed, &mut errors);
    // Within a file, report problems top to bottom; files stay in the order given.
    let order: HashMap<&str, usize> = registry
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    errors.sort_by_key(|e| {
        (
            e.file.as_deref().and_then(|f| order.get(f).copied()),
            e.line,
            e.col,
        )
    });
    if errors.is_empty() {
        Ok(registry)
    } else {
        Err(LoadErrors(errors))
    }
}

/// Reads and parses the files as [`load`] does, with the same threads and
/// chunks, but builds nothing: the cost of the YAML layer alone, for benchmarks.
/// Returns the number of bytes parsed.
pub fn parse_only(paths: &[PathBuf], options: &LoadOptions) -> Result<u64, LoadErrors> {
    let mut errors = Vec::new();
    let files = registry_files(paths, &mut errors);
    let displays: Vec<String> = files.iter().map(|p| display_path(p)).collect();
    let read = |i: usize| read_file(&files[i], &displays[i], options);
    let outcomes = parse_files(&displays, read, options, |file, display, doc, _| {
        yaml::scan(doc, Limits::for_len(doc.len()))
            .err()
            .map(|e| yaml_load_error(file, display, e))
    });
    let mut bytes = 0;
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Unreadable(e) => errors.push(e),
            Outcome::Parsed {
                source,
                head,
                chunks,
            } => {
                bytes += source.len() as u64;
                errors.extend(head.into_iter().chain(chunks.into_iter().flatten()));
            }
        }
    }
    if errors.is_empty() {
        Ok(bytes)
    } else {
        Err(LoadErrors(errors))
    }
}

fn file_id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// What became of one file.
enum Outcome<R> {
    Unreadable(LoadError),
    /// `head` is the whole file's result when `chunks` is empty.
    Parsed {
        source: String,
        head: R,
        chunks: Vec<R>,
    },
}

/// One document to parse: a whole file, the head of a split file, or a chunk.
enum Doc<'a> {
    Whole(&'a str),
    Chunk(&'a chunk::Chunk<'a>),
}

/// Reads every file (`read(i)` reads the one named `displays[i]`) and runs
/// `parse(file, display, document, whole)` over each file, or over the head and
/// chunks of a file that is split, on all threads.
/// `whole` is false for chunks, which hold only `identities` entries.
/// Results come back in file order, whatever order the threads finish in.
fn parse_files<R: Send>(
    displays: &[String],
    read: impl Fn(usize) -> Result<String, LoadError> + Sync,
    options: &LoadOptions,
    parse: impl Fn(u32, &str, &str, bool) -> R + Sync,
) -> Vec<(String, Outcome<R>)> {
    let threads = options.threads();
    let sources = parallel_map(displays.len(), threads, read);
    let total = sources.iter().flatten().map(String::len).sum();
    let chunk_bytes = options.chunk_bytes(total);
    let plans: Vec<Option<chunk::Plan<'_>>> = sources
        .iter()
        .map(|s| {
            let source = s.as_ref().ok()?;
            chunk::plan(source, chunk_bytes?)
        })
        .collect();
    // One job per readable file, or one per head and chunk of a split file.
    let mut jobs: Vec<(usize, Doc<'_>)> = Vec::new();
    for (i, (source, plan)) in sources.iter().zip(&plans).enumerate() {
        match (source, plan) {
            (Err(_), _) => {}
            (Ok(source), None) => jobs.push((i, Doc::Whole(source))),
            (Ok(_), Some(plan)) => {
                jobs.push((i, Doc::Whole(&plan.head)));
                jobs.extend(plan.chunks.iter().map(|c| (i, Doc::Chunk(c))));
            }
        }
    }
    let results = parallel_map(jobs.len(), threads, |j| {
        let (i, doc) = &jobs[j];
        let display = displays[*i].as_str();
        match doc {
            Doc::Whole(text) => parse(file_id(*i), display, text, true),
            Doc::Chunk(chunk) => parse(file_id(*i), display, &chunk.document(), false),
        }
    });
    let chunk_counts: Vec<usize> = plans
        .iter()
        .map(|p| p.as_ref().map_or(0, |p| p.chunks.len()))
        .collect();
    drop(jobs);
    drop(plans);
    let mut results = results.into_iter();
    displays
        .iter()
        .cloned()
        .zip(sources)
        .zip(chunk_counts)
        .map(|((display, source), chunks)| {
            let outcome = match source {
                Err(e) => Outcome::Unreadable(e),
                Ok(source) => {
                    let mut mine = results.by_ref().take(1 + chunks);
                    match mine.next() {
                        Some(head) => Outcome::Parsed {
                            source,
                            head,
                            chunks: mine.collect(),
                        },
                        // Every readable file has a job; fail closed all the same.
                        None => Outcome::Unreadable(file_error(
                            &display,
                            "internal error: the file was read but not parsed",
                            "please report this",
                        )),
                    }
                }
            };
            (display, outcome)
        })
        .collect()
}

/// Runs `f(0..n)` on up to `threads` threads (the calling one included) and
/// returns the results in index order.
fn parallel_map<R: Send>(n: usize, threads: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let threads = threads.min(n);
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return done;
            }
            done.push((i, f(i)));
        }
    };
    let mut done = std::thread::scope(|scope| {
        // A thread the system refuses is one helper fewer, never a failure:
        // the calling thread does whatever work is left.
        let helpers: Vec<_> = (1..threads)
            .map_while(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        let mut done = work();
        for helper in helpers {
            match helper.join() {
                Ok(part) => done.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Parses one file's text whole: the fallback that reports a split file's
/// problems exactly as a whole-file parse does.
fn parse_file(
    file: u32,
    display: &str,
    source: &str,
    engine: Engine,
) -> (FileContents, Vec<LoadError>) {
    let mut converter = Converter::new(file, display);
    parse_document(&mut converter, display, source, true, engine);
    (converter.contents, converter.errors)
}

/// Streams one document into `converter`. A `whole` document is a registry
/// file (or a head); otherwise it is a chunk of `identities` entries.
fn parse_document(
    converter: &mut Converter<'_>,
    display: &str,
    source: &str,
    whole: bool,
    engine: Engine,
) {
    let mode = if whole {
        yaml::Mode::Whole
    } else {
        yaml::Mode::Chunk
    };
    let parsed = match engine {
        Engine::Events => yaml::parse(source, Limits::for_len(source.len()), mode, converter),
        Engine::Serde => super::legacy::parse(source, converter),
    };
    let file = converter.file();
    // A syntax error ends the parse; the entries after it are read on their
    // own, so that their problems are reported too.
    let syntax_error = match (&parsed.root, parsed.errors.last()) {
        (None, Some(e)) if whole && e.message.starts_with("invalid YAML") => Some(e.pos.line),
        _ => None,
    };
    converter.errors.extend(
        parsed
            .errors
            .into_iter()
            .map(|e| yaml_load_error(file, display, e)),
    );
    if let (Some(line), Engine::Events) = (syntax_error, engine) {
        recover_entries_after(converter, display, source, line);
    }
    match parsed.root {
        None => {}
        Some(Root::Mapping) if whole => converter.finish(),
        Some(Root::Mapping) => {}
        Some(Root::Empty) => converter.errors.push(LoadError {
            file: Some(display.to_owned()),
            line: 1,
            col: 1,
            message: "registry file is empty".to_owned(),
            help: Some("a registry file starts with `version: 1`".to_owned()),
        }),
        Some(Root::Other(found)) => {
            let (line, col) = first_content(source);
            converter.errors.push(LoadError {
                file: Some(display.to_owned()),
                line,
                col,
                message: format!("a registry file must be a mapping, found {found}"),
                help: Some(
                    "the top level holds `version`, `policy`, `owners` and `identities`".to_owned(),
                ),
            });
        }
    }
}

/// Reads every `identities` entry that starts after `line` on its own, as a
/// chunk, into `converter`: their problems are reported with the error that
/// stopped the parse. Nothing read here is audited (the file is invalid).
fn recover_entries_after(converter: &mut Converter<'_>, display: &str, source: &str, line: u32) {
    let Some(entries) = chunk::entries(source) else {
        return;
    };
    let file = converter.file();
    for entry in entries.iter().filter(|e| e.first_line > line as usize) {
        let doc = entry.document();
        let parsed = yaml::parse(
            &doc,
            Limits::for_len(doc.len()),
            yaml::Mode::Chunk,
            converter,
        );
        converter.errors.extend(
            parsed
                .errors
                .into_iter()
                .map(|e| yaml_load_error(file, display, e)),
        );
    }
}

fn yaml_load_error(_file: u32, display: &str, e: yaml::YamlError) -> LoadError {
    LoadError {
        file: Some(display.to_owned()),
        line: e.pos.line,
        col: e.pos.col,
        message: e.message,
        help: e.help,
    }
}

fn file_error(display: &str, message: &str, help: &str) -> LoadError {
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
fn first_content(source: &str) -> (u32, u32) {
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
pub(super) fn end_position(source: &str) -> (u32, u32) {
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

fn describe_io(e: &io::Error) -> String {
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
fn read_file(path: &Path, display: &str, options: &LoadOptions) -> Result<String, LoadError> {
    let io = |e: io::Error| io_error(display, &e, path);
    let max = options.max_file_size;
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
fn decode(bytes: Vec<u8>, display: &str) -> Result<String, LoadError> {
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

/// Merges files in order: one policy at most, owner directories united without
/// repeats, identity lists concatenated.
fn merge(parsed: Vec<(String, FileContents)>, errors: &mut Vec<LoadError>) -> Registry {
    let mut registry = Registry::default();
    let mut policy_at: Option<Loc> = None;
    for (path, contents) in parsed {
        registry.files.push(SourceFile { path });
        if let Some((loc, policy)) = contents.policy {
            match policy_at {
                None => {
                    policy_at = Some(loc);
                    registry.policy = policy;
                }
                Some(first) => errors.push(located_error(
                    &registry,
                    loc,
                    "a second `policy`: at most one file of a registry may set the policy"
                        .to_owned(),
                    Some(format!(
                        "the policy is already set at {}",
                        describe_loc(&registry, first)
                    )),
                )),
            }
        }
        for owner in contents.owners {
            if let Some(&first) = registry.owner_index.get(&owner.id.value) {
                let first_loc = registry.owners[first].id.loc;
                errors.push(located_error(
                    &registry,
                    owner.id.loc,
                    format!("owner `{}` is declared twice", owner.id.value),
                    Some(format!(
                        "first declared at {}",
                        describe_loc(&registry, first_loc)
                    )),
                ));
                continue;
            }
            registry
                .owner_index
                .insert(owner.id.value.clone(), registry.owners.len());
            registry.owners.push(owner);
        }
        registry.identities.extend(contents.identities);
    }
    check_members(&registry, errors);
    registry
}

/// Team members are people: naming a team or a vendor is invalid. Unknown
/// members are findings (`unknown-owner`), not load errors.
fn check_members(registry: &Registry, errors: &mut Vec<LoadError>) {
    let kinds: HashMap<&str, OwnerKind> = registry
        .owners
        .iter()
        .map(|o| (o.id.value.as_str(), o.kind.value))
        .collect();
    for owner in &registry.owners {
        for member in &owner.members {
            if let Some(kind) = kinds
                .get(member.value.as_str())
                .filter(|k| **k != OwnerKind::Person)
            {
                errors.push(located_error(
                    registry,
                    member.loc,
                    format!(
                        "team `{}` lists `{}` as a member, but it is a {kind}",
                        owner.id.value, member.value
                    ),
                    Some("team members are `person` entries".to_owned()),
                ));
            }
        }
    }
}

fn located_error(
    registry: &Registry,
    loc: Loc,
    message: String,
    help: Option<String>,
) -> LoadError {
    LoadError {
        file: Some(registry.file(loc).to_owned()),
        line: loc.line,
        col: loc.col,
        message,
        help,
    }
}

fn describe_loc(registry: &Registry, loc: Loc) -> String {
    format!("{}:{}:{}", registry.file(loc), loc.line, loc.col)
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
