//! The event stream alone, for `--parse-only`.

use super::{Limits, Pos, YamlError, breach, breach_error, parser_options, too_deep};
use granit_parser::{Event, Parser};

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
