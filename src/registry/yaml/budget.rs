//! The budget: anchors kept, aliases copied, and what each costs, charged
//! before anything is copied.

use super::tree::{Builder, Fatal};
use super::{Node, Pos, Value, YamlError, breach, breach_error, too_deep};
use granit_parser::Span;

/// What copying an anchored value costs.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Cost {
    nodes: usize,
    bytes: usize,
    height: usize,
}

pub(super) struct Anchored<'a> {
    pub(super) node: Node<'a>,
    pub(super) cost: Cost,
}

impl<'a> Builder<'a> {
    /// A copy of an anchored value, located at the alias, charged first.
    pub(super) fn alias(&mut self, id: usize, pos: Pos) -> Result<Node<'a>, Fatal> {
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
    pub(super) fn remember(&mut self, anchor: usize, node: &Node<'a>) -> Result<(), Fatal> {
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
    pub(super) fn charge(&mut self, pos: Pos, nodes: usize, bytes: usize) -> Result<(), Fatal> {
        self.nodes = self.nodes.saturating_add(nodes);
        self.bytes = self.bytes.saturating_add(bytes);
        match breach(self.limits, self.nodes, self.bytes) {
            None => Ok(()),
            Some(breach) => Err(Box::new(breach_error(pos, &breach))),
        }
    }

    pub(super) fn enter(&mut self, span: &Span) -> Result<(), Fatal> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(Box::new(too_deep(Pos::of(span), self.depth)));
        }
        Ok(())
    }
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
