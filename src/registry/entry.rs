//! Reading one mapping through its [`Table`]: each key read is marked, and
//! [`Entry::finish`] reports the keys nobody read as unknown, with the
//! closest key of the table. The keys a mapping may hold are exactly the
//! keys the loader reads.

use super::format::Table;
use super::yaml::{Key, Node, Value};
use crate::escape::short;
use crate::keyword::{did_you_mean, one_of, suggestion};

/// One mapping of the registry, as its entry kind reads it.
pub struct Entry<'n, 'de> {
    entries: &'n [(Key<'de>, Node<'de>)],
    table: &'static Table,
    used: Vec<bool>,
    /// How the mapping is named in messages: "identity `k`", "`policy`".
    pub what: String,
}

/// An unknown key: where it is, the message and the help.
pub struct Unknown {
    pub at: super::yaml::Pos,
    pub message: String,
    pub help: String,
}

impl<'n, 'de> Entry<'n, 'de> {
    pub fn new(
        entries: &'n [(Key<'de>, Node<'de>)],
        table: &'static Table,
        what: impl Into<String>,
    ) -> Self {
        Entry {
            entries,
            table,
            used: vec![false; entries.len()],
            what: what.into(),
        }
    }

    /// A key's value; `null` is absent (SPEC §1: an optional field set to
    /// null is absent).
    pub fn get(&mut self, key: &str) -> Option<&'n Node<'de>> {
        self.get_raw(key)
            .filter(|v| !matches!(v.value, Value::Null))
    }

    /// A key's value, `null` included (a role set to null is located there).
    pub fn get_raw(&mut self, key: &str) -> Option<&'n Node<'de>> {
        debug_assert!(
            self.table.field(key).is_some(),
            "`{key}` is read but not described in the `{}` table",
            self.table.name
        );
        let i = self.entries.iter().position(|(k, _)| k.text == key)?;
        self.used[i] = true;
        Some(&self.entries[i].1)
    }

    /// The keys nobody read: unknown, with the closest key of the table.
    pub fn finish(self) -> Vec<Unknown> {
        let table = self.table;
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|((key, _), _)| unknown(key, table, &self.what))
            .collect()
    }
}

/// The error for a key that `table` does not hold.
pub fn unknown(key: &Key<'_>, table: &'static Table, what: &str) -> Unknown {
    let valid = one_of(table.keys());
    let help = match did_you_mean(&key.text, table.keys()) {
        Some(best) => format!("{} valid keys: {valid}", suggestion(best)),
        None => format!("valid keys: {valid}"),
    };
    Unknown {
        at: key.pos,
        message: format!("unknown key `{}` in {what}", short(&key.text)),
        help,
    }
}
