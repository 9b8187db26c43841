//! Conversion of located YAML nodes into the typed registry model: the
//! converter, which receives a streamed document, and the readers of one
//! value each (text, ids, dates, durations, words of a closed set, lists).
//! Each entry kind is read in `entries`, through its table in `format`.
//!
//! Every problem is recorded with its location and conversion carries on, so
//! that one run reports every invalid entry of a file.

use super::entry::Entry;
use super::format::{FILE, Table};
use super::ids::{MAX_ID_BYTES, id_problem};
use super::time::{parse_date, parse_duration, parse_max_age};
use super::yaml::{DocumentSink, Key, Node, Pos, Value};
use super::{Date, Days, Identity, LoadError, Loc, Located, MaxAge, Owner, Policy, Shared};
use crate::escape::short;
use crate::keyword::{Keyword, did_you_mean, one_of, suggestion};

/// Longest text a registry value may hold (ids, names, reasons, descriptions).
/// A value past it is an error: it can only be a mistake or an attack, and
/// it would be copied into every finding and every report.
pub(super) const MAX_STRING_BYTES: usize = 64 * 1024;

/// What one file contributes to the registry.
#[derive(Default, Clone)]
pub struct FileContents {
    pub policy: Option<(Loc, Policy)>,
    pub owners: Vec<Owner>,
    pub identities: Vec<Identity>,
}

/// Converts one file's nodes; implements [`DocumentSink`] so it can be streamed.
pub struct Converter<'src> {
    file: u32,
    path: &'src str,
    pub contents: FileContents,
    pub errors: Vec<LoadError>,
    version_seen: bool,
    first_key: Option<Loc>,
    identities_loc: Option<Loc>,
    /// One copy of each repeated value (see [`Shared`]).
    shared: std::collections::HashSet<Shared>,
}

impl<'src> Converter<'src> {
    pub fn new(file: u32, path: &'src str) -> Self {
        Converter {
            file,
            path,
            contents: FileContents::default(),
            errors: Vec::new(),
            version_seen: false,
            first_key: None,
            identities_loc: None,
            shared: std::collections::HashSet::new(),
        }
    }

    pub fn file(&self) -> u32 {
        self.file
    }

    /// Checks made once the whole document has been seen.
    pub fn finish(&mut self) {
        if !self.version_seen {
            let loc = self.first_key.unwrap_or(Loc {
                file: self.file,
                line: 1,
                col: 1,
            });
            self.error(
                loc,
                "registry file has no `version` key".to_owned(),
                Some("add `version: 1` at the top of the file".to_owned()),
            );
        }
    }

    pub(super) fn loc(&self, pos: Pos) -> Loc {
        Loc {
            file: self.file,
            line: pos.line,
            col: pos.col,
        }
    }

    pub(super) fn at(&self, node: &Node) -> Loc {
        self.loc(node.pos)
    }

    pub(super) fn key_at(&self, key: &Key) -> Loc {
        self.loc(key.pos)
    }

    pub(super) fn error(&mut self, loc: Loc, message: String, help: Option<String>) {
        self.errors.push(LoadError {
            file: Some(self.path.to_owned()),
            line: loc.line,
            col: loc.col,
            message,
            help,
        });
    }

    /// What a value is, for type errors: its text when it is a scalar.
    pub(super) fn found(&self, node: &Node) -> String {
        node.value.scalar_text().map_or_else(
            || node.value.describe().to_owned(),
            |t| format!("`{}`", short(t)),
        )
    }

    /// A mapping read through its table, or an error naming what was found
    /// instead and showing the table's shape.
    pub(super) fn open<'n, 'de>(
        &mut self,
        node: &'n Node<'de>,
        table: &'static Table,
        what: impl Into<String>,
    ) -> Option<Entry<'n, 'de>> {
        let what = what.into();
        match &node.value {
            Value::Map(entries) => Some(Entry::new(entries, table, what)),
            other => {
                let found = other.describe();
                self.error(
                    self.at(node),
                    format!("{what} must be a mapping, found {found}"),
                    Some(format!("write it as {}", table.shape)),
                );
                None
            }
        }
    }

    /// Reports the keys of an entry that nobody read.
    pub(super) fn close(&mut self, entry: Entry<'_, '_>) {
        for unknown in entry.finish() {
            let loc = self.loc(unknown.at);
            self.error(loc, unknown.message, Some(unknown.help));
        }
    }

    /// An optional string: null is absent; any other scalar is read as its text.
    pub(super) fn string(&mut self, node: Option<&Node>, field: &str) -> Option<Located<String>> {
        let node = node?;
        match &node.value {
            Value::Null => None,
            Value::Seq(_) | Value::Map(_) => {
                let found = node.value.describe();
                self.error(
                    self.at(node),
                    format!("`{field}` must be a string, found {found}"),
                    None,
                );
                None
            }
            _ => {
                // Every scalar, numbers included: `id: 0000…` is text too.
                let text = node.value.scalar_text()?;
                let len = text.len();
                if len > MAX_STRING_BYTES {
                    self.error(
                        self.at(node),
                        format!(
                            "`{field}` is {len} bytes long; a registry value holds at most {} KiB",
                            MAX_STRING_BYTES / 1024
                        ),
                        Some(
                            "keep long documents outside the registry and link to them".to_owned(),
                        ),
                    );
                    return None;
                }
                Some(Located::new(text.to_owned(), self.at(node)))
            }
        }
    }

    /// An owner or identity id (SPEC §1), or an error saying what is wrong with it.
    /// A string that many entries repeat, shared (see [`Shared`]).
    pub(super) fn shared(&mut self, node: Option<&Node>, field: &str) -> Option<Located<Shared>> {
        let text = self.string(node, field)?;
        Some(self.intern(text))
    }

    /// The shared copy of a value.
    pub(super) fn intern(&mut self, text: Located<String>) -> Located<Shared> {
        let value = match self.shared.get(text.value.as_str()) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Shared = text.value.into();
                self.shared.insert(shared.clone());
                shared
            }
        };
        Located::new(value, text.loc)
    }

    pub(super) fn id(&mut self, node: Option<&Node>, field: &str) -> Option<Located<String>> {
        let id = self.string(node, field)?;
        self.checked_id(id, field)
    }

    pub(super) fn checked_id(
        &mut self,
        mut id: Located<String>,
        field: &str,
    ) -> Option<Located<String>> {
        // Canonically equivalent spellings (`é` and `e` + U+0301) are one id.
        if !unicode_normalization::is_nfc(&id.value) {
            id.value =
                unicode_normalization::UnicodeNormalization::nfc(id.value.as_str()).collect();
        }
        let Some(problem) = id_problem(&id.value) else {
            return Some(id);
        };
        self.error(
            id.loc,
            format!(
                "`{field}` `{}` is not a valid id: it {problem}",
                short(&id.value)
            ),
            Some(format!(
                "ids are at most {MAX_ID_BYTES} bytes of visible characters, with no spaces \
                 and no invisible or control characters, such as `team-payments`"
            )),
        );
        None
    }

    /// A `policy.severity` value: a severity, or `off` (`Some(None)`).
    pub(super) fn level(&mut self, node: &Node) -> Option<Option<crate::catalogue::Severity>> {
        let text = self.string(Some(node), "severity")?;
        match crate::catalogue::parse_level(&text.value) {
            Some(level) => Some(level),
            None => {
                self.unknown_word(&text, "severity", &crate::catalogue::LEVELS);
                None
            }
        }
    }

    pub(super) fn keyword<K: Keyword>(
        &mut self,
        node: Option<&Node>,
        field: &str,
    ) -> Option<Located<K>> {
        let text = self.string(node, field)?;
        self.keyword_text(text, field)
    }

    /// A word of a closed set, from text that is already located (a value or a key).
    pub(super) fn keyword_text<K: Keyword>(
        &mut self,
        text: Located<String>,
        field: &str,
    ) -> Option<Located<K>> {
        match K::parse(&text.value) {
            Some(k) => Some(Located::new(k, text.loc)),
            None => {
                let words: Vec<&str> = K::ALL.iter().map(|k| k.as_str()).collect();
                self.unknown_word(&text, field, &words);
                None
            }
        }
    }

    /// `unknown kind `tokn``, with the closest word and every word.
    fn unknown_word(&mut self, text: &Located<String>, field: &str, words: &[&str]) {
        let help = match did_you_mean(&text.value, words.iter().copied()) {
            Some(best) => format!(
                "{} expected {}",
                suggestion(best),
                one_of(words.iter().copied())
            ),
            None => format!("expected {}", one_of(words.iter().copied())),
        };
        self.error(
            text.loc,
            format!("unknown {field} `{}`", short(&text.value)),
            Some(help),
        );
    }

    /// A scalar parsed from its text; a parse failure is reported at the value.
    fn parsed<T>(
        &mut self,
        node: Option<&Node>,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Located<T>> {
        let text = self.string(node, field)?;
        match parse(&text.value) {
            Ok(value) => Some(Located::new(value, text.loc)),
            Err(message) => {
                self.error(text.loc, format!("`{field}`: {message}"), None);
                None
            }
        }
    }

    pub(super) fn date(&mut self, node: Option<&Node>, field: &str) -> Option<Located<Date>> {
        self.parsed(node, field, parse_date)
    }

    pub(super) fn days(&mut self, node: Option<&Node>, field: &str) -> Option<Days> {
        self.parsed(node, field, parse_duration).map(|d| d.value)
    }

    pub(super) fn max_age(
        &mut self,
        node: Option<&Node>,
        field: &str,
        never: bool,
    ) -> Option<Located<MaxAge>> {
        self.parsed(node, field, |text| parse_max_age(text, never))
    }

    pub(super) fn boolean(&mut self, node: Option<&Node>, field: &str) -> Option<bool> {
        let node = node?;
        match node.value {
            Value::Null => None,
            Value::Bool(b, _) => Some(b),
            _ => {
                let found = self.found(node);
                self.error(
                    self.at(node),
                    format!("`{field}` must be `true` or `false`, found {found}"),
                    Some(
                        "YAML 1.2: `yes`, `no`, `on` and `off` are strings, not booleans"
                            .to_owned(),
                    ),
                );
                None
            }
        }
    }

    /// An optional list: null is absent; `shape` shows how it is written.
    pub(super) fn list<'n, 'de>(
        &mut self,
        node: Option<&'n Node<'de>>,
        field: &str,
        shape: &str,
    ) -> &'n [Node<'de>] {
        let Some(node) = node else { return &[] };
        match &node.value {
            Value::Null => &[],
            Value::Seq(items) => items,
            other => {
                let found = other.describe();
                self.error(
                    self.at(node),
                    format!("`{field}` must be a list, found {found}"),
                    Some(format!("write it as {shape}")),
                );
                &[]
            }
        }
    }

    /// A list of strings: `tags`, `used_by`.
    pub(super) fn strings(
        &mut self,
        node: Option<&Node>,
        field: &str,
        item: &str,
        shape: &str,
    ) -> Vec<Located<String>> {
        let items = self.list(node, field, shape);
        items
            .iter()
            .filter_map(|node| self.string(Some(node), item))
            .collect()
    }

    fn version(&mut self, node: &Node) {
        // A scalar is read as any value is, so that the size cap applies to it too.
        let text = match &node.value {
            Value::Seq(_) | Value::Map(_) | Value::Null => None,
            _ => Some(self.string(Some(node), "version")),
        };
        match (&node.value, text) {
            (_, Some(None)) => {}
            (Value::Number(_), Some(Some(text))) if text.value == "1" => {}
            (Value::Str(_), Some(Some(text))) if text.value.trim() == "1" => self.error(
                self.at(node),
                "`version` is the text `1`, not the number 1".to_owned(),
                Some("write `version: 1`, without quotes".to_owned()),
            ),
            _ => {
                let found = self.found(node);
                self.error(
                    self.at(node),
                    format!("unsupported `version` {found}: this nhi-own reads version 1"),
                    Some("write `version: 1` (an unquoted integer)".to_owned()),
                );
            }
        }
    }
}

impl DocumentSink for Converter<'_> {
    fn top_level(&mut self, key: Key, value: Node) {
        let key_loc = self.key_at(&key);
        self.first_key.get_or_insert(key_loc);
        match key.text.as_ref() {
            "version" => {
                self.version_seen = true;
                self.version(&value);
            }
            "policy" => {
                if let Some(policy) = self.policy(&value) {
                    self.contents.policy = Some((key_loc, policy));
                }
            }
            "owners" => self.owners_directory(&value),
            _ => {
                let unknown = super::entry::unknown(&key, &FILE, "the registry file");
                self.error(key_loc, unknown.message, Some(unknown.help));
            }
        }
    }

    fn identities_key(&mut self, key: &Key) {
        let loc = self.key_at(key);
        self.first_key.get_or_insert(loc);
        self.identities_loc = Some(loc);
    }

    fn identity(&mut self, entry: Node) {
        if let Some(identity) = self.convert_identity(&entry) {
            self.contents.identities.push(identity);
        }
    }

    fn identities_not_list(&mut self, found: &'static str) {
        let loc = self.identities_loc.unwrap_or(Loc {
            file: self.file,
            line: 1,
            col: 1,
        });
        self.error(
            loc,
            format!("`identities` must be a list, found {found}"),
            Some("write each identity as a list item starting with `- id:`".to_owned()),
        );
    }
}
