//! The YAML layer: a located node tree built straight from granit-parser's
//! events, with the registry format's reading of YAML (SPEC §1).
//!
//! - Scalars resolve by the YAML 1.2 core schema: `true`/`false` (also
//!   `True`/`TRUE`, `False`/`FALSE`) are booleans; `null`, `Null`, `NULL`, `~`
//!   and the empty scalar are null; the core integer and float forms are
//!   numbers; everything else, and every quoted or block scalar, is text.
//! - Explicit tags are not part of the format: `!!str` (and `!!map`/`!!seq` on
//!   a mapping/sequence) are accepted, in any spelling that resolves to them;
//!   every other tag is an error, so no tag can turn visible text into null,
//!   a number or a boolean.
//! - Duplicate keys are errors, a repeated merge key `<<` included, and name
//!   both places. Merge keys follow the YAML merge rules: explicit keys win,
//!   and among merged mappings the earlier wins.
//! - Anchors and aliases are expanded under a budget charged before a value
//!   is copied: values, text and nesting scale with the file's size.
//!
//! The document is streamed: top-level keys are handed to a [`DocumentSink`]
//! one at a time, and each entry of `identities` is built, handed over and
//! dropped, so a registry of a million identities never exists as one tree.
//! Problems that leave the tree readable (a tag, a duplicate key) are
//! collected and parsing goes on; a syntax error or a budget breach ends it.

mod budget;
mod mapping;
mod scalar;
mod scan;
pub mod syntax;
mod tree;

pub use scan::scan;

use granit_parser::Span;
use std::borrow::Cow;

/// A 1-based position in the source (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub(super) fn of(span: &Span) -> Pos {
        Pos::at(span.start.line(), span.start.col())
    }

    /// From a 1-based line and a 0-based column.
    pub(super) fn at(line: usize, col0: usize) -> Pos {
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX).max(1),
            col: u32::try_from(col0.saturating_add(1)).unwrap_or(u32::MAX),
        }
    }
}

/// A value with the position where it is written (for a value reached
/// through an alias: where the alias is written).
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub value: Value<'a>,
    pub pos: Pos,
}

/// A mapping key: always text.
#[derive(Debug, Clone, PartialEq)]
pub struct Key<'a> {
    pub text: Cow<'a, str>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    /// A core-schema boolean, with its spelling.
    Bool(bool, Cow<'a, str>),
    /// A core-schema integer or float, as written.
    Number(Cow<'a, str>),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    Map(Vec<(Key<'a>, Node<'a>)>),
}

impl Value<'_> {
    /// "a mapping", "a list", … — for type errors.
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(..) => "a boolean",
            Value::Number(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The text of a scalar as written; `None` for null and collections.
    pub fn scalar_text(&self) -> Option<&str> {
        match self {
            Value::Bool(_, text) | Value::Number(text) | Value::Str(text) => Some(text),
            _ => None,
        }
    }
}

/// A problem in the YAML itself, at a position of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
}

impl YamlError {
    pub(super) fn new(pos: Pos, message: String, help: Option<&str>) -> Self {
        YamlError {
            pos,
            message,
            help: help.map(str::to_owned),
        }
    }
}

/// Receives a registry document piece by piece.
pub trait DocumentSink {
    /// A top-level key other than `identities`, with its value.
    fn top_level(&mut self, key: Key<'_>, value: Node<'_>);
    /// The `identities` key itself (before its entries).
    fn identities_key(&mut self, key: &Key<'_>);
    /// One entry of `identities`.
    fn identity(&mut self, entry: Node<'_>);
    /// `identities` is not a list (`found` says what it is instead).
    fn identities_not_list(&mut self, found: &'static str);
}

/// What the document turned out to be at its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Mapping,
    /// Empty document (only comments, or nothing at all).
    Empty,
    Other(&'static str),
}

/// The result of parsing one document: its root when the parse ran to the
/// end, and every problem found.
pub struct Parsed {
    pub root: Option<Root>,
    pub errors: Vec<YamlError>,
}

/// How far one document may expand and nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Values (scalars, keys, lists, mappings), aliases' copies included.
    pub max_nodes: usize,
    /// Bytes of scalar text, aliases' copies included.
    pub max_scalar_bytes: usize,
    /// Nested lists and mappings.
    pub max_depth: usize,
}

/// Values that aliases may expand to in a file of any size.
const MIN_NODES: usize = 250_000;
/// Text that aliases may expand to in a file of any size: a few shared
/// descriptions, not a bomb.
const MIN_SCALAR_BYTES: usize = 8 * 1024 * 1024;
/// A registry needs a handful of levels.
pub const MAX_DEPTH: usize = 64;

impl Limits {
    /// What aliases expand is capped by the input's size. Without aliases a
    /// value takes at least two bytes of input (`a,`) and its text no more
    /// than its own bytes; aliases may expand a file to about four times
    /// that, which honest sharing (one owners block for many identities,
    /// merge keys) never reaches and a bomb, which multiplies, soon does.
    /// The floors serve small files.
    pub fn for_len(len: usize) -> Limits {
        Limits {
            max_nodes: MIN_NODES.max(len.saturating_mul(2)),
            max_scalar_bytes: MIN_SCALAR_BYTES.max(len.saturating_mul(4)),
            max_depth: MAX_DEPTH,
        }
    }
}

pub(super) const EXPANSION_HELP: &str =
    "anchors and aliases may share values, not multiply them; expand them or split the file";
pub(super) const KEY_HELP: &str =
    "every key of a registry is a string, such as `id` or an owner id";
pub(super) const TAG_HELP: &str = "remove the tag: registry values are written plainly (quote a value to keep it text), \
                        and no tag may turn text into null, a number or a boolean";

/// How a document is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A file (or the head of a split file).
    Whole,
    /// A chunk of a split file's entries: it cannot see the rest of the file,
    /// so an anchor, alias or tag in it is an error, and the caller parses the
    /// whole file instead (the file's budget then applies to the aliases).
    Chunk,
}

/// Parses one document into `sink`.
pub fn parse(source: &str, limits: Limits, mode: Mode, sink: &mut dyn DocumentSink) -> Parsed {
    let mut builder = tree::Builder::new(source, limits, mode);
    let root = builder.document(sink);
    let mut errors = builder.errors;
    let root = match root {
        Ok(root) => Some(root),
        Err(fatal) => {
            errors.push(*fatal);
            None
        }
    };
    Parsed { root, errors }
}

/// Parses every document of `source` whole, by the same reading of YAML as
/// a registry's (core schema, tags, duplicate keys, the budget): for files
/// that are not registries, such as inventories. The first problem ends it.
pub fn parse_documents(source: &str) -> Result<Vec<Node<'_>>, YamlError> {
    let mut builder = tree::Builder::new(source, Limits::for_len(source.len()), Mode::Whole);
    let documents = builder.documents().map_err(|e| *e)?;
    match builder.errors.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(documents),
    }
}

/// Which limit of the budget the counts are over, in words.
pub(super) fn breach(limits: Limits, nodes: usize, bytes: usize) -> Option<String> {
    if nodes > limits.max_nodes {
        Some(format!(
            "aliases expand it to over {} values",
            limits.max_nodes
        ))
    } else if bytes > limits.max_scalar_bytes {
        Some(format!(
            "aliases expand it to {} MiB of text or more",
            limits.max_scalar_bytes / (1024 * 1024)
        ))
    } else {
        None
    }
}

pub(super) fn breach_error(pos: Pos, breach: &str) -> YamlError {
    YamlError::new(
        pos,
        format!("YAML too large to expand safely: {breach}"),
        Some(EXPANSION_HELP),
    )
}

pub(super) fn too_deep(pos: Pos, depth: usize) -> YamlError {
    YamlError::new(
        pos,
        format!("YAML nested too deeply: {depth} levels"),
        Some("a registry needs a handful of levels; flatten the structure"),
    )
}

pub(super) fn parser_options(limits: Limits) -> granit_parser::Options {
    let mut options = granit_parser::Options::default();
    // YAML 1.2 proper: under-indented flow collections and scalars are errors.
    options.strict_indentation = true;
    options.emit_comments = false;
    // The parser's own nesting limits stay above ours, so that ours fires
    // first, with its own message.
    options.flow_nesting_limit = options.flow_nesting_limit.max(limits.max_depth * 2);
    options.block_nesting_limit = options.block_nesting_limit.max(limits.max_depth * 2);
    options
}
