//! Parsing on all cores: files, and the head and chunks of a split file, as
//! jobs on a shared queue; results come back in file order, whatever order
//! the threads finish in.

use super::LoadError;
use super::chunk;
use super::files::file_error;
use super::load::LoadOptions;
use crate::parallel::parallel_map;

pub(super) fn file_id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// What became of one file.
pub(super) enum Outcome<R> {
    Unreadable(LoadError),
    /// `head` is the whole file's result when `chunks` is empty.
    Parsed {
        /// The file's text; `None` for a file that was split and can be
        /// read again (its text was let go chunk by chunk, as the chunks
        /// were parsed).
        source: Option<String>,
        /// The file's size in bytes.
        len: usize,
        head: R,
        chunks: Vec<R>,
    },
}

/// One document to parse: a whole file, or the head or a chunk of a split
/// file, which hold their own copy of their text (so that a split file's
/// text is let go as its parts are parsed).
enum Doc<'a> {
    Whole(&'a str),
    Head(String),
    Chunk { first_line: usize, text: String },
}

/// Reads every file (`read(i)` reads the one named `displays[i]`) and runs
/// `parse(file, display, document, whole)` over each file, or over the head and
/// chunks of a file that is split, on all threads.
/// `whole` is false for chunks, which hold only `identities` entries.
/// A split file's text is kept only when `rereadable(i)` is false.
/// Results come back in file order, whatever order the threads finish in.
pub(super) fn parse_files<R: Send>(
    displays: &[String],
    read: impl Fn(usize) -> Result<String, LoadError> + Sync,
    rereadable: impl Fn(usize) -> bool,
    options: &LoadOptions,
    parse: impl Fn(u32, &str, &str, bool) -> R + Sync,
) -> Vec<(String, Outcome<R>)> {
    let threads = options.threads();
    let mut sources = parallel_map(displays.len(), threads, read);
    let lens: Vec<usize> = sources
        .iter()
        .map(|s| s.as_ref().map_or(0, String::len))
        .collect();
    let chunk_bytes = options.chunk_bytes(lens.iter().sum());
    // A split file becomes its head and chunks, each with its own text; the
    // file's own text is let go unless it cannot be read again.
    let mut parts: Vec<Option<Vec<Doc<'static>>>> = Vec::with_capacity(sources.len());
    let mut kept = vec![true; sources.len()];
    for (i, source) in sources.iter_mut().enumerate() {
        let Some(plan) = source
            .as_ref()
            .ok()
            .and_then(|source| chunk::plan(source, chunk_bytes?))
        else {
            parts.push(None);
            continue;
        };
        let mut docs = vec![Doc::Head(plan.head)];
        docs.extend(plan.chunks.iter().map(|c| Doc::Chunk {
            first_line: c.first_line,
            text: c.text.to_owned(),
        }));
        parts.push(Some(docs));
        if rereadable(i)
            && let Ok(text) = source
        {
            *text = String::new();
            kept[i] = false;
        }
    }
    // One job per readable file, or one per head and chunk of a split file.
    let mut jobs: Vec<(usize, std::sync::Mutex<Option<Doc<'_>>>)> = Vec::new();
    let mut counts = vec![0; sources.len()];
    for (i, (source, parts)) in sources.iter().zip(parts).enumerate() {
        let docs = match (source, parts) {
            (Err(_), _) => Vec::new(),
            (Ok(source), None) => vec![Doc::Whole(source)],
            (Ok(_), Some(docs)) => docs,
        };
        counts[i] = docs.len();
        jobs.extend(docs.into_iter().map(|d| (i, Some(d).into())));
    }
    let results = parallel_map(jobs.len(), threads, |j| {
        let (i, doc) = &jobs[j];
        let display = displays[*i].as_str();
        let doc = match doc.lock() {
            Ok(mut doc) => doc.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        match doc {
            Some(Doc::Whole(text)) => parse(file_id(*i), display, text, true),
            Some(Doc::Head(text)) => parse(file_id(*i), display, &text, true),
            Some(Doc::Chunk { first_line, text }) => {
                let document = chunk::document(first_line, &text);
                drop(text);
                parse(file_id(*i), display, &document, false)
            }
            // Each job is taken once; fail closed all the same.
            None => parse(file_id(*i), display, "", true),
        }
    });
    drop(jobs);
    let mut results = results.into_iter();
    displays
        .iter()
        .cloned()
        .zip(sources)
        .enumerate()
        .map(|(i, (display, source))| {
            let outcome = match source {
                Err(e) => Outcome::Unreadable(e),
                Ok(source) => {
                    let mut mine = results.by_ref().take(counts[i]);
                    match mine.next() {
                        Some(head) => Outcome::Parsed {
                            source: kept[i].then_some(source),
                            len: lens[i],
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
