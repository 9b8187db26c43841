//! The language server's document-change path on arbitrary edits: see
//! `lsp_oracle.rs`.
#![no_main]

#[path = "../lsp_oracle.rs"]
mod lsp_oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| lsp_oracle::check(data));
