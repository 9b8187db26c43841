//! Parsing on all cores: files, and the head and chunks of a split file, as
//! jobs on a shared queue; results come back in file order, whatever order
//! the threads finish in.

use super::LoadError;
use super::chunk;
use super::files::file_error;
use super::load::LoadOptions;
use std::sync::atomic::{AtomicUsize, Ordering};

pub(super) fn file_id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// What became of one file.
pub(super) enum Outcome<R> {
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
pub(super) fn parse_files<R: Send>(
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
