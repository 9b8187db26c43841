//! Stub: filled in by its reader.
