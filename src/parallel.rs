//! Work on all cores: `f(0..n)` on a few scoped threads, the results in
//! index order whatever order the threads finish in, so that output never
//! depends on the number of threads.

use std::sync::atomic::{AtomicUsize, Ordering};

/// More threads than this only cost memory: `-j` is capped here.
pub const MAX_THREADS: usize = 256;

/// The threads `-j N` asks for: 0 means one per available core.
pub fn threads(asked: usize) -> usize {
    match asked {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    }
    .min(MAX_THREADS)
}

/// Runs `f(0..n)` on up to `threads` threads (the calling one included) and
/// returns the results in index order.
pub fn parallel_map<R: Send>(n: usize, threads: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
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
