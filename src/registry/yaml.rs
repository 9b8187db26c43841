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

use granit_parser::{Event, Parser, ScalarStyle, Span, Tag};
use std::borrow::Cow;
use std::collections::HashMap;

/// A 1-based position in the source (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    fn of(span: &Span) -> Pos {
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

const EXPANSION_HELP: &str =
    "anchors and aliases may share values, not multiply them; expand them or split the file";
const KEY_HELP: &str = "every key of a registry is a string, such as `id` or an owner id";
const TAG_HELP: &str = "remove the tag: registry values are written plainly (quote a value to keep it text), \
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
    let mut builder = Builder::new(source, limits, mode);
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

/// Parses one document and builds nothing: the cost of the event stream
/// alone, for benchmarks. Aliases are charged what they would copy, so the
/// same budget applies.
pub fn scan(source: &str, limits: Limits) -> Result<(), YamlError> {
    let mut parser = Parser::new_from_str_with_options(source, parser_options(limits));
    // Open anchored collections: anchor id, and the counts when it opened.
    let mut open: Vec<(usize, usize, usize)> = Vec::new();
    let mut costs: Vec<(usize, usize)> = Vec::new();
    let (mut nodes, mut bytes, mut depth) = (0usize, 0usize, 0usize);
    let record = |costs: &mut Vec<(usize, usize)>, id: usize, cost: (usize, usize)| {
        if costs.len() <= id {
            costs.resize(id + 1, (0, 0));
        }
        costs[id] = cost;
    };
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| super::syntax::explain(source, &e))?;
        let pos = Pos::of(&span);
        let (more_nodes, more_bytes) = match event {
            Event::Scalar(text, _, anchor, _) => {
                if anchor != 0 {
                    record(&mut costs, anchor, (1, text.len()));
                }
                (1, text.len())
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(too_deep(pos, depth));
                }
                open.push((anchor, nodes, bytes));
                (1, 0)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                depth = depth.saturating_sub(1);
                if let Some((anchor, n, b)) = open.pop()
                    && anchor != 0
                {
                    record(&mut costs, anchor, (nodes - n, bytes - b));
                }
                (0, 0)
            }
            Event::Alias(id) => costs.get(id).copied().unwrap_or_default(),
            _ => (0, 0),
        };
        nodes = nodes.saturating_add(more_nodes);
        bytes = bytes.saturating_add(more_bytes);
        if let Some(breach) = breach(limits, nodes, bytes) {
            return Err(breach_error(pos, &breach));
        }
    }
    Ok(())
}

/// Which limit of the budget the counts are over, in words.
fn breach(limits: Limits, nodes: usize, bytes: usize) -> Option<String> {
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

fn breach_error(pos: Pos, breach: &str) -> YamlError {
    YamlError::new(
        pos,
        format!("YAML too large to expand safely: {breach}"),
        Some(EXPANSION_HELP),
    )
}

fn too_deep(pos: Pos, depth: usize) -> YamlError {
    YamlError::new(
        pos,
        format!("YAML nested too deeply: {depth} levels"),
        Some("a registry needs a handful of levels; flatten the structure"),
    )
}

fn parser_options(limits: Limits) -> granit_parser::Options {
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

type Fatal = Box<YamlError>;

/// What copying an anchored value costs.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    nodes: usize,
    bytes: usize,
    height: usize,
}

struct Anchored<'a> {
    node: Node<'a>,
    cost: Cost,
}

struct Builder<'a> {
    source: &'a str,
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    limits: Limits,
    mode: Mode,
    nodes: usize,
    bytes: usize,
    depth: usize,
    /// Indexed by granit's anchor id (ids start at 1).
    anchors: Vec<Option<Anchored<'a>>>,
    errors: Vec<YamlError>,
    /// Where the last event ended: errors without a position point there.
    last: Pos,
}

impl<'a> Builder<'a> {
    fn new(source: &'a str, limits: Limits, mode: Mode) -> Self {
        Builder {
            source,
            parser: Parser::new_from_str_with_options(source, parser_options(limits)),
            limits,
            mode,
            nodes: 0,
            bytes: 0,
            depth: 0,
            anchors: Vec::new(),
            errors: Vec::new(),
            last: Pos { line: 1, col: 1 },
        }
    }

    fn next(&mut self) -> Result<(Event<'a>, Span), Fatal> {
        loop {
            match self.parser.next_event() {
                None => {
                    return Err(Box::new(YamlError::new(
                        self.last,
                        "invalid YAML: unexpected end of input".to_owned(),
                        None,
                    )));
                }
                Some(Err(e)) => return Err(Box::new(super::syntax::explain(self.source, &e))),
                Some(Ok((event, span))) => {
                    self.last = Pos::of(&span);
                    if matches!(event, Event::Anchor(..)) {
                        continue;
                    }
                    if self.mode == Mode::Chunk && needs_the_whole_file(&event) {
                        return Err(Box::new(YamlError::new(
                            Pos::of(&span),
                            "anchors, aliases and tags are read with the whole file".to_owned(),
                            None,
                        )));
                    }
                    return Ok((event, span));
                }
            }
        }
    }

    /// The whole stream: one document at most, streamed into `sink`.
    fn document(&mut self, sink: &mut dyn DocumentSink) -> Result<Root, Fatal> {
        let mut root = Root::Empty;
        let mut documents = 0;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd => {}
                Event::StreamEnd => return Ok(root),
                Event::DocumentStart(..) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(Box::new(YamlError::new(
                            Pos::of(&span),
                            "file holds more than one YAML document".to_owned(),
                            Some(
                                "a registry file is one document: split it into several files in a directory",
                            ),
                        )));
                    }
                }
                Event::MappingStart(_, 0, tag) => {
                    self.check_tag(tag.as_deref(), &span, Expect::Map);
                    self.enter(&span)?;
                    self.charge(Pos::of(&span), 1, 0)?;
                    self.root_mapping(sink)?;
                    self.depth -= 1;
                    root = Root::Mapping;
                }
                other => {
                    let node = self.node(other, span)?;
                    root = match node.value {
                        Value::Null => Root::Empty,
                        Value::Map(entries) => {
                            // An anchored or aliased root: hand it over whole.
                            self.hand_over(entries, sink);
                            Root::Mapping
                        }
                        other => Root::Other(other.describe()),
                    };
                }
            }
        }
    }

    /// The top-level mapping, key by key; `identities` entry by entry.
    fn root_mapping(&mut self, sink: &mut dyn DocumentSink) -> Result<(), Fatal> {
        let mut seen: HashMap<Cow<'a, str>, Pos> = HashMap::new();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                return Ok(());
            }
            let key_node = self.node(event, span)?;
            let key = self.key(key_node);
            let (event, span) = self.next()?;
            let Some(key) = key else {
                self.node(event, span)?;
                continue;
            };
            if let Some(&first) = seen.get(&key.text) {
                self.errors.push(duplicate(&key, first));
                self.node(event, span)?;
                continue;
            }
            seen.insert(key.text.clone(), key.pos);
            if key.text == "identities" {
                sink.identities_key(&key);
                self.identities(event, span, sink)?;
            } else {
                let value = self.node(event, span)?;
                sink.top_level(key, value);
            }
        }
    }

    /// The value of `identities`: a block or flow list streamed entry by entry.
    fn identities(
        &mut self,
        event: Event<'a>,
        span: Span,
        sink: &mut dyn DocumentSink,
    ) -> Result<(), Fatal> {
        match event {
            Event::SequenceStart(_, 0, tag) => {
                self.check_tag(tag.as_deref(), &span, Expect::Seq);
                self.enter(&span)?;
                self.charge(Pos::of(&span), 1, 0)?;
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let entry = self.node(event, span)?;
                    sink.identity(entry);
                }
                self.depth -= 1;
            }
            other => {
                let value = self.node(other, span)?;
                match value.value {
                    Value::Null => {}
                    Value::Seq(items) => items.into_iter().for_each(|i| sink.identity(i)),
                    other => sink.identities_not_list(other.describe()),
                }
            }
        }
        Ok(())
    }

    /// Hands a root mapping that was built whole (anchored or aliased) to the sink.
    fn hand_over(&mut self, entries: Vec<(Key<'a>, Node<'a>)>, sink: &mut dyn DocumentSink) {
        for (key, value) in entries {
            if key.text == "identities" {
                sink.identities_key(&key);
                match value.value {
                    Value::Null => {}
                    Value::Seq(items) => items.into_iter().for_each(|i| sink.identity(i)),
                    other => sink.identities_not_list(other.describe()),
                }
            } else {
                sink.top_level(key, value);
            }
        }
    }

    /// One node and everything under it.
    fn node(&mut self, event: Event<'a>, span: Span) -> Result<Node<'a>, Fatal> {
        let pos = Pos::of(&span);
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let forced_text = self.check_tag(tag.as_deref(), &span, Expect::Scalar);
                self.charge(pos, 1, text.len())?;
                let value = if forced_text || style != ScalarStyle::Plain {
                    Value::Str(text)
                } else {
                    resolve(text)
                };
                (Node { value, pos }, anchor)
            }
            Event::SequenceStart(_, anchor, tag) => {
                self.check_tag(tag.as_deref(), &span, Expect::Seq);
                self.enter(&span)?;
                self.charge(pos, 1, 0)?;
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(event, span)?);
                }
                self.depth -= 1;
                (
                    Node {
                        value: Value::Seq(items),
                        pos,
                    },
                    anchor,
                )
            }
            Event::MappingStart(_, anchor, tag) => {
                self.check_tag(tag.as_deref(), &span, Expect::Map);
                self.enter(&span)?;
                self.charge(pos, 1, 0)?;
                let entries = self.mapping()?;
                self.depth -= 1;
                (
                    Node {
                        value: Value::Map(entries),
                        pos,
                    },
                    anchor,
                )
            }
            Event::Alias(id) => return self.alias(id, pos),
            _ => {
                return Err(Box::new(YamlError::new(
                    pos,
                    "invalid YAML: unexpected event".to_owned(),
                    None,
                )));
            }
        };
        if anchor != 0 {
            self.remember(anchor, &node)?;
        }
        Ok(node)
    }

    /// The entries of a mapping whose start was just read, merge keys applied.
    fn mapping(&mut self) -> Result<Vec<(Key<'a>, Node<'a>)>, Fatal> {
        let mut entries: Vec<(Key<'a>, Node<'a>)> = Vec::new();
        let mut index: Option<HashMap<Cow<'a, str>, Pos>> = None;
        let mut merge: Option<(Pos, Vec<Node<'a>>)> = None;
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let is_merge = matches!(
                &event,
                Event::Scalar(text, ScalarStyle::Plain, 0, None) if text == "<<"
            );
            let key_node = self.node(event, span)?;
            let (event, span) = self.next()?;
            let value = self.node(event, span)?;
            if is_merge {
                if let Some((first, _)) = &merge {
                    self.errors.push(YamlError::new(
                        key_node.pos,
                        "duplicate merge key `<<`".to_owned(),
                        Some(&format!(
                            "this mapping already merges at {}:{}; merge several mappings with one key: `<<: [*a, *b]`",
                            first.line, first.col
                        )),
                    ));
                    continue;
                }
                let sources = self.merge_sources(value);
                merge = Some((key_node.pos, sources));
                continue;
            }
            let Some(key) = self.key(key_node) else {
                continue;
            };
            let first = match &index {
                Some(index) => index.get(&key.text).copied(),
                None => entries
                    .iter()
                    .find(|(k, _)| k.text == key.text)
                    .map(|(k, _)| k.pos),
            };
            if let Some(first) = first {
                self.errors.push(duplicate(&key, first));
                continue;
            }
            if let Some(index) = &mut index {
                index.insert(key.text.clone(), key.pos);
            } else if entries.len() >= 16 {
                let mut map: HashMap<Cow<'a, str>, Pos> = entries
                    .iter()
                    .map(|(k, _)| (k.text.clone(), k.pos))
                    .collect();
                map.insert(key.text.clone(), key.pos);
                index = Some(map);
            }
            entries.push((key, value));
        }
        if let Some((_, sources)) = merge {
            // Explicit keys win; among merged mappings, the earlier wins.
            let mut present: std::collections::HashSet<Cow<'a, str>> =
                entries.iter().map(|(k, _)| k.text.clone()).collect();
            for source in sources {
                let Value::Map(merged) = source.value else {
                    continue;
                };
                for (key, value) in merged {
                    if present.insert(key.text.clone()) {
                        entries.push((key, value));
                    }
                }
            }
        }
        Ok(entries)
    }

    /// The mappings a merge key names: one mapping, or a list of them.
    fn merge_sources(&mut self, value: Node<'a>) -> Vec<Node<'a>> {
        let pos = value.pos;
        match value.value {
            Value::Map(_) => vec![value],
            Value::Seq(items) if items.iter().all(|i| matches!(i.value, Value::Map(_))) => items,
            _ => {
                self.errors.push(YamlError::new(
                    pos,
                    "unsupported YAML: a merge key `<<` must name a mapping or a list of mappings"
                        .to_owned(),
                    Some("write `<<: *anchor` where `&anchor` marks a mapping"),
                ));
                Vec::new()
            }
        }
    }

    /// A key node as text; null and collection keys are reported and dropped.
    fn key(&mut self, node: Node<'a>) -> Option<Key<'a>> {
        let pos = node.pos;
        let text = match node.value {
            Value::Bool(_, text) | Value::Number(text) | Value::Str(text) => text,
            Value::Null => {
                self.errors.push(YamlError::new(
                    pos,
                    "unsupported YAML: a mapping key is null".to_owned(),
                    Some(KEY_HELP),
                ));
                return None;
            }
            Value::Seq(_) | Value::Map(_) => {
                self.errors.push(YamlError::new(
                    pos,
                    "unsupported YAML: a mapping key is a list or a mapping".to_owned(),
                    Some(KEY_HELP),
                ));
                return None;
            }
        };
        Some(Key { text, pos })
    }

    /// A copy of an anchored value, located at the alias, charged first.
    fn alias(&mut self, id: usize, pos: Pos) -> Result<Node<'a>, Fatal> {
        let Some(Some(anchored)) = self.anchors.get(id) else {
            return Err(Box::new(YamlError::new(
                pos,
                "invalid YAML: alias references unknown anchor".to_owned(),
                Some("define the anchor (`&name`) before the alias (`*name`) that uses it"),
            )));
        };
        let cost = anchored.cost;
        if self.depth + cost.height > self.limits.max_depth {
            return Err(Box::new(too_deep(pos, self.depth + cost.height)));
        }
        self.charge(pos, cost.nodes, cost.bytes)?;
        let mut node = self.anchors[id]
            .as_ref()
            .map(|a| a.node.clone())
            .unwrap_or(Node {
                value: Value::Null,
                pos,
            });
        relocate(&mut node, pos);
        Ok(node)
    }

    /// Keeps a copy of an anchored value for its aliases. The copy's values
    /// are charged to the budget like any others, so nested anchors cannot
    /// multiply memory unseen (its text is shared with the source, not copied).
    fn remember(&mut self, anchor: usize, node: &Node<'a>) -> Result<(), Fatal> {
        let cost = cost(node);
        self.charge(node.pos, cost.nodes, 0)?;
        if self.anchors.len() <= anchor {
            self.anchors.resize_with(anchor + 1, || None);
        }
        self.anchors[anchor] = Some(Anchored {
            node: node.clone(),
            cost,
        });
        Ok(())
    }

    /// Counts values and text against the budget.
    fn charge(&mut self, pos: Pos, nodes: usize, bytes: usize) -> Result<(), Fatal> {
        self.nodes = self.nodes.saturating_add(nodes);
        self.bytes = self.bytes.saturating_add(bytes);
        match breach(self.limits, self.nodes, self.bytes) {
            None => Ok(()),
            Some(breach) => Err(Box::new(breach_error(pos, &breach))),
        }
    }

    fn enter(&mut self, span: &Span) -> Result<(), Fatal> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(Box::new(too_deep(Pos::of(span), self.depth)));
        }
        Ok(())
    }

    /// Reports a tag the format does not allow; returns whether a scalar is
    /// tagged `!!str` (and so is text whatever it looks like).
    fn check_tag(&mut self, tag: Option<&Tag>, span: &Span, expect: Expect) -> bool {
        let Some(tag) = tag else { return false };
        let allowed = match expect {
            Expect::Scalar => "str",
            Expect::Seq => "seq",
            Expect::Map => "map",
        };
        if tag.is_yaml_core_schema_tag(allowed) {
            return true;
        }
        let pos = span
            .tag_start()
            .map_or_else(|| Pos::of(span), |m| Pos::at(m.line(), m.col()));
        self.errors.push(YamlError::new(
            pos,
            format!(
                "unsupported YAML: the tag `{}` is not part of the registry format",
                crate::escape::short(&tag.original())
            ),
            Some(TAG_HELP),
        ));
        false
    }
}

/// An anchor, alias or tag: what a chunk cannot read on its own.
fn needs_the_whole_file(event: &Event<'_>) -> bool {
    match event {
        Event::Alias(_) => true,
        Event::Scalar(_, _, anchor, tag)
        | Event::SequenceStart(_, anchor, tag)
        | Event::MappingStart(_, anchor, tag) => *anchor != 0 || tag.is_some(),
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Expect {
    Scalar,
    Seq,
    Map,
}

fn duplicate(key: &Key<'_>, first: Pos) -> YamlError {
    YamlError::new(
        key.pos,
        format!("duplicate key `{}`", crate::escape::short(&key.text)),
        Some(&format!(
            "`{}` is already a key of this mapping at {}:{}; a key may appear only once: merge the two entries",
            crate::escape::short(&key.text),
            first.line,
            first.col
        )),
    )
}

/// Values, text and height of a subtree.
fn cost(node: &Node<'_>) -> Cost {
    match &node.value {
        Value::Null => Cost {
            nodes: 1,
            bytes: 0,
            height: 0,
        },
        Value::Bool(_, t) | Value::Number(t) | Value::Str(t) => Cost {
            nodes: 1,
            bytes: t.len(),
            height: 0,
        },
        Value::Seq(items) => items.iter().map(cost).fold(
            Cost {
                nodes: 1,
                bytes: 0,
                height: 1,
            },
            |acc, c| Cost {
                nodes: acc.nodes + c.nodes,
                bytes: acc.bytes + c.bytes,
                height: acc.height.max(c.height + 1),
            },
        ),
        Value::Map(entries) => entries.iter().fold(
            Cost {
                nodes: 1,
                bytes: 0,
                height: 1,
            },
            |acc, (k, v)| {
                let c = cost(v);
                Cost {
                    nodes: acc.nodes + 1 + c.nodes,
                    bytes: acc.bytes + k.text.len() + c.bytes,
                    height: acc.height.max(c.height + 1),
                }
            },
        ),
    }
}

/// Places a copied subtree where the alias is written.
fn relocate(node: &mut Node<'_>, pos: Pos) {
    node.pos = pos;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|i| relocate(i, pos)),
        Value::Map(entries) => {
            for (k, v) in entries {
                k.pos = pos;
                relocate(v, pos);
            }
        }
        _ => {}
    }
}

/// A plain scalar under the YAML 1.2 core schema.
fn resolve(text: Cow<'_, str>) -> Value<'_> {
    match text.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true, text),
        "false" | "False" | "FALSE" => Value::Bool(false, text),
        t if is_core_number(t) => Value::Number(text),
        _ => Value::Str(text),
    }
}

/// The core schema's integers (decimal, `0o`, `0x`) and floats (`.inf`, `.nan` included).
fn is_core_number(text: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(octal) = text.strip_prefix("0o") {
        return digits(octal, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return digits(hex, 16);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // [0-9]+ | (\.[0-9]+ | [0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        None => digits(mantissa, 10),
        Some(("", fraction)) => digits(fraction, 10),
        Some((whole, fraction)) => {
            digits(whole, 10) && fraction.chars().all(|c| c.is_ascii_digit())
        }
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_numbers() {
        for number in [
            "0", "-12", "+7", "0o17", "0x1F", "1.5", ".5", "1.", "1e3", "-1.5E-3", ".inf", "-.Inf",
            "+.INF", ".nan", ".NaN",
        ] {
            assert!(is_core_number(number), "{number}");
        }
        for text in [
            "", "-", "+", ".", "1_000", "0b101", "0o", "0x", "0o8", "1e", "e3", "1.2.3", "-.nan",
            "12abc", "٣", "0x1g", "1e+", "inf",
        ] {
            assert!(!is_core_number(text), "{text}");
        }
    }
}
