//! The builder: events into located nodes, the document streamed into a
//! [`DocumentSink`].

use super::budget::Anchored;
use super::scalar::{Expect, resolve};
use super::{
    DocumentSink, Key, Limits, Mode, Node, Pos, Root, Value, YamlError,
    mapping::{duplicate, is_merge_key, merged_entries},
    parser_options,
};
use granit_parser::{Event, Parser, ScalarStyle, Span};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

pub(super) type Fatal = Box<YamlError>;

pub(super) struct Builder<'a> {
    pub(super) source: &'a str,
    pub(super) parser: Parser<'a, granit_parser::StrInput<'a>>,
    pub(super) limits: Limits,
    pub(super) mode: Mode,
    pub(super) nodes: usize,
    pub(super) bytes: usize,
    pub(super) depth: usize,
    /// Indexed by granit's anchor id (ids start at 1).
    pub(super) anchors: Vec<Option<Anchored<'a>>>,
    pub(super) errors: Vec<YamlError>,
    /// Where the last event ended: errors without a position point there.
    pub(super) last: Pos,
}

impl<'a> Builder<'a> {
    pub(super) fn new(source: &'a str, limits: Limits, mode: Mode) -> Self {
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

    pub(super) fn next(&mut self) -> Result<(Event<'a>, Span), Fatal> {
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
    pub(super) fn document(&mut self, sink: &mut dyn DocumentSink) -> Result<Root, Fatal> {
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
                        let second = YamlError::new(
                            Pos::of(&span),
                            "file holds more than one YAML document".to_owned(),
                            Some(
                                "a registry file is one document: split it into several files in a directory",
                            ),
                        );
                        // The rest is still read, for a syntax error further
                        // on (nothing of it is built).
                        while let Some(next) = self.parser.next_event() {
                            if let Err(e) = next {
                                self.errors.push(second);
                                return Err(Box::new(super::syntax::explain(self.source, &e)));
                            }
                        }
                        return Err(Box::new(second));
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

    /// The top-level mapping, key by key; `identities` entry by entry. The
    /// keys a merge key `<<` brings in are handed over at the end (explicit
    /// keys win, as in every mapping).
    fn root_mapping(&mut self, sink: &mut dyn DocumentSink) -> Result<(), Fatal> {
        let mut seen: HashMap<Cow<'a, str>, Pos> = HashMap::new();
        let mut merge: Option<(Pos, Vec<Node<'a>>)> = None;
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let is_merge = is_merge_key(&event);
            let key_node = self.node(event, span)?;
            if is_merge {
                let (event, span) = self.next()?;
                let value = self.node(event, span)?;
                self.merge_key(&mut merge, key_node.pos, value);
                continue;
            }
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
        if let Some((_, sources)) = merge {
            let mut present: HashSet<Cow<'a, str>> = seen.into_keys().collect();
            let merged = merged_entries(sources, &mut present);
            self.hand_over(merged, sink);
        }
        Ok(())
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

    /// Every document of the stream, each built whole.
    pub(super) fn documents(&mut self) -> Result<Vec<Node<'a>>, Fatal> {
        let mut out = Vec::new();
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentStart(..) | Event::DocumentEnd => {}
                Event::StreamEnd => return Ok(out),
                other => out.push(self.node(other, span)?),
            }
        }
    }

    /// One node and everything under it.
    pub(super) fn node(&mut self, event: Event<'a>, span: Span) -> Result<Node<'a>, Fatal> {
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
