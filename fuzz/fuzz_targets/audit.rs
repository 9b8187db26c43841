//! Loader + audit + every renderer, on arbitrary bytes: see `oracle.rs`.
#![no_main]

#[path = "../oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracle::check(data));
