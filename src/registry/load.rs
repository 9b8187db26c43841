//! The loader's entry points: paths (or bytes) in, a merged registry or every
//! problem out. Reading files is `files`, running parses on all cores
//! `parallel`, splitting a file `chunk`, the YAML `yaml`, conversion
//! `convert`, and merging `merge`.

use super::chunk;
use super::convert::{Converter, FileContents};
use super::files::{Sources, display_path, first_content, read_file};
use super::parallel::{Outcome, file_id, parse_files};
use super::yaml::{self, Limits, Root};
use super::{LoadError, LoadErrors, Registry};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Limits that protect the loader from oversized input, and how to use the cores.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Largest registry file accepted, in bytes.
    pub max_file_size: u64,
    /// Threads that read and parse files; 0 means one per available core.
    pub threads: usize,
    /// Whether one large file is split into chunks parsed in parallel.
    pub chunking: Chunking,
    /// Whether each file's [`FileDigest`](super::FileDigest) is kept.
    pub digests: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: 512 * 1024 * 1024,
            threads: 0,
            chunking: Chunking::Auto,
            digests: false,
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

impl LoadOptions {
    pub(super) fn threads(&self) -> usize {
        crate::parallel::threads(self.threads)
    }

    /// Target chunk size given the total input, or `None` not to split.
    pub(super) fn chunk_bytes(&self, total: usize) -> Option<usize> {
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
    let (files, errors) = sources.into_parts();
    let displays: Vec<String> = files.iter().map(|p| display_path(p)).collect();
    let read = |i: usize| read_file(&files[i], &displays[i], options.max_file_size);
    load_read(&displays, read, |i| rereadable(&files[i]), options, errors)
}

/// Whether a file can be read a second time with the same result: a regular
/// file, not standard input or a pipe.
fn rereadable(path: &Path) -> bool {
    path.as_os_str() != super::files::STDIN && std::fs::metadata(path).is_ok_and(|m| m.is_file())
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
    let read = |i: usize| super::files::decode(files[i].1.to_vec(), &displays[i]);
    load_read(&displays, read, |_| true, options, Vec::new())
}

/// Parsed documents kept from one load to the next (the language
/// server's): a file, or a head or chunk of a split file, whose name, place
/// and text are unchanged is not parsed again. Large files are split into
/// chunks of a fixed size, so that an edit within a line leaves the other
/// chunks as they were. A document's parse is kept from the second load
/// that finds it unchanged: the one being edited changes at every load, and
/// copying its parse each time would cost more than it saves. Documents a
/// load did not use are dropped.
#[derive(Default)]
pub struct ParseCache {
    docs: std::sync::Mutex<HashMap<u64, Vec<CachedDoc>>>,
}

/// One document, and its parse once kept.
struct CachedDoc {
    file: u32,
    whole: bool,
    display: String,
    doc: String,
    parse: Option<std::sync::Arc<(FileContents, Vec<LoadError>)>>,
    used: bool,
}

impl ParseCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Vec<CachedDoc>>> {
        self.docs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The parse of one document: kept, or made (and kept if seen before).
    fn parse(
        &self,
        file: u32,
        display: &str,
        doc: &str,
        whole: bool,
    ) -> (FileContents, Vec<LoadError>) {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (file, whole, display, doc).hash(&mut hasher);
        let key = hasher.finish();
        let same = |c: &CachedDoc| {
            c.file == file && c.whole == whole && c.display == display && c.doc == doc
        };
        let kept = {
            let mut docs = self.lock();
            let slot = docs.entry(key).or_default();
            match slot.iter_mut().find(|c| same(c)) {
                Some(cached) => {
                    cached.used = true;
                    Some(cached.parse.clone())
                }
                None => None,
            }
        };
        if let Some(Some(parse)) = &kept {
            return (parse.0.clone(), parse.1.clone());
        }
        let mut converter = Converter::new(file, display);
        parse_document(&mut converter, display, doc, whole);
        let parse = (converter.contents, converter.errors);
        let mut docs = self.lock();
        let slot = docs.entry(key).or_default();
        match slot.iter_mut().find(|c| same(c)) {
            // Seen unchanged before: keep its parse from now on.
            Some(cached) => {
                cached.parse = Some(std::sync::Arc::new((parse.0.clone(), parse.1.clone())))
            }
            None => slot.push(CachedDoc {
                file,
                whole,
                display: display.to_owned(),
                doc: doc.to_owned(),
                parse: None,
                used: true,
            }),
        }
        parse
    }

    /// Drops the documents the last load did not use.
    fn sweep(&self) {
        let mut docs = self.lock();
        docs.retain(|_, slot| {
            slot.retain_mut(|c| std::mem::replace(&mut c.used, false));
            !slot.is_empty()
        });
    }
}

/// The chunk size of [`load_cached`]: small enough that an edit re-parses
/// little, large enough that a chunk costs more to parse than to set up.
const CACHED_CHUNK_BYTES: usize = 64 * 1024;

/// Loads a registry held in memory as [`load_bytes`] does, parsing again
/// only the documents that changed since the last load with `cache`.
pub fn load_cached(
    files: &[(&str, &str)],
    options: &LoadOptions,
    cache: &ParseCache,
) -> Result<Registry, LoadErrors> {
    let displays: Vec<String> = files
        .iter()
        .map(|(name, _)| display_path(Path::new(name)))
        .collect();
    let read = |i: usize| super::files::decode(files[i].1.as_bytes().to_vec(), &displays[i]);
    let options = LoadOptions {
        chunking: match options.chunking {
            Chunking::Auto => Chunking::Bytes(CACHED_CHUNK_BYTES),
            other => other,
        },
        ..options.clone()
    };
    let parsed = parse_read_with(
        &displays,
        read,
        |_| true,
        &options,
        |file, display, doc, whole| cache.parse(file, display, doc, whole),
    );
    cache.sweep();
    merge_parsed(parsed, Vec::new())
}

/// Parses and merges the files that `read(i)` reads, named `displays[i]`,
/// after the `errors` found while listing them.
fn load_read(
    displays: &[String],
    read: impl Fn(usize) -> Result<String, LoadError> + Sync,
    rereadable: impl Fn(usize) -> bool,
    options: &LoadOptions,
    errors: Vec<LoadError>,
) -> Result<Registry, LoadErrors> {
    let digests: Vec<std::sync::OnceLock<super::FileDigest>> = displays
        .iter()
        .map(|_| std::sync::OnceLock::new())
        .collect();
    let read = |i: usize| {
        let text = read(i)?;
        if options.digests
            && let Some(slot) = digests.get(i)
        {
            let _ = slot.set(super::FileDigest::of(text.as_bytes()));
        }
        Ok(text)
    };
    let parsed = parse_read(displays, read, rereadable, options);
    let mut registry = merge_parsed(parsed, errors);
    if let Ok(registry) = &mut registry {
        for (file, digest) in registry.files.iter_mut().zip(digests) {
            file.digest = digest.into_inner();
        }
    }
    registry
}

/// Each file's contents and problems, in order.
fn parse_read(
    displays: &[String],
    read: impl Fn(usize) -> Result<String, LoadError> + Sync,
    rereadable: impl Fn(usize) -> bool,
    options: &LoadOptions,
) -> Vec<(String, FileContents, Vec<LoadError>)> {
    parse_read_with(
        displays,
        read,
        rereadable,
        options,
        |file, display, doc, whole| {
            let mut converter = Converter::new(file, display);
            parse_document(&mut converter, display, doc, whole);
            (converter.contents, converter.errors)
        },
    )
}

/// [`parse_read`] with the parse of one document (a file, or a head or
/// chunk of a split file) given.
fn parse_read_with(
    displays: &[String],
    read: impl Fn(usize) -> Result<String, LoadError> + Sync,
    rereadable: impl Fn(usize) -> bool,
    options: &LoadOptions,
    parse: impl Fn(u32, &str, &str, bool) -> (FileContents, Vec<LoadError>) + Sync,
) -> Vec<(String, FileContents, Vec<LoadError>)> {
    // Each file is read once, on whichever worker parses it.
    let outcomes = parse_files(displays, &read, rereadable, options, parse);
    let mut parsed = Vec::with_capacity(outcomes.len());
    for (index, (display, outcome)) in outcomes.into_iter().enumerate() {
        let (contents, file_errors) = match outcome {
            Outcome::Unreadable(e) => (FileContents::default(), vec![e]),
            Outcome::Parsed { head, chunks, .. } if chunks.is_empty() => head,
            Outcome::Parsed {
                source,
                len,
                head,
                chunks,
            } => {
                if std::iter::once(&head)
                    .chain(&chunks)
                    .any(|(_, errors)| !errors.is_empty())
                {
                    // Report exactly what a whole-file parse reports: the
                    // file is read again if its text was let go.
                    match source.map_or_else(|| read(index), Ok) {
                        Ok(source) if source.len() == len => {
                            parse_file(file_id(index), &display, &source)
                        }
                        // Changed since: the parts' own errors stand.
                        _ => {
                            let (mut contents, mut errors) = head;
                            for (chunk, chunk_errors) in chunks {
                                contents.identities.extend(chunk.identities);
                                errors.extend(chunk_errors);
                            }
                            (contents, errors)
                        }
                    }
                } else {
                    let (mut contents, errors) = head;
                    let total: usize = chunks.iter().map(|(c, _)| c.identities.len()).sum();
                    contents.identities.reserve_exact(total);
                    for (chunk, _) in chunks {
                        contents.identities.extend(chunk.identities);
                    }
                    (contents, errors)
                }
            }
        };
        parsed.push((display, contents, file_errors));
    }
    parsed
}

/// Merges parsed files into a registry, or every problem: `errors` (met
/// while listing the files), then each file's, then the merge's.
fn merge_parsed(
    parsed: Vec<(String, FileContents, Vec<LoadError>)>,
    mut errors: Vec<LoadError>,
) -> Result<Registry, LoadErrors> {
    let mut files = Vec::with_capacity(parsed.len());
    for (display, contents, file_errors) in parsed {
        errors.extend(file_errors);
        files.push((display, contents));
    }
    let registry = super::merge::merge(files, &mut errors);
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
    let (files, mut errors) = Sources::resolve(paths).into_parts();
    let displays: Vec<String> = files.iter().map(|p| display_path(p)).collect();
    let read = |i: usize| read_file(&files[i], &displays[i], options.max_file_size);
    let outcomes = parse_files(
        &displays,
        read,
        |i| rereadable(&files[i]),
        options,
        |file, display, doc, _| {
            yaml::scan(doc, Limits::for_len(doc.len()))
                .err()
                .map(|e| yaml_load_error(file, display, e))
        },
    );
    let mut bytes = 0;
    for (_, outcome) in outcomes {
        match outcome {
            Outcome::Unreadable(e) => errors.push(e),
            Outcome::Parsed {
                len, head, chunks, ..
            } => {
                bytes += len as u64;
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

/// Parses one file's text whole: the fallback that reports a split file's
/// problems exactly as a whole-file parse does.
fn parse_file(file: u32, display: &str, source: &str) -> (FileContents, Vec<LoadError>) {
    let mut converter = Converter::new(file, display);
    parse_document(&mut converter, display, source, true);
    (converter.contents, converter.errors)
}

/// Streams one document into `converter`. A `whole` document is a registry
/// file (or a head); otherwise it is a chunk of `identities` entries.
fn parse_document(converter: &mut Converter<'_>, display: &str, source: &str, whole: bool) {
    let mode = if whole {
        yaml::Mode::Whole
    } else {
        yaml::Mode::Chunk
    };
    let parsed = yaml::parse(source, Limits::for_len(source.len()), mode, converter);
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
    if let Some(line) = syntax_error {
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
