//! What is under the cursor, and where it leads: go to an owner's entry,
//! find every identity and exception that names an owner, and hovers.

use super::analysis::Snapshot;
use super::text::{Encoding, token_end};
use crate::catalogue::RuleId;
use crate::escape::escape;
use crate::keyword::Keyword;
use crate::registry::{Date, Loc, Located, Registry, Role, Shared};
use crate::wording::days;
use lsp_types::{Hover, HoverContents, Location, MarkupContent, MarkupKind, Position, Range};
use std::fmt::Write as _;

/// A located value of the registry that the editor can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    /// An owner's id where its entry declares it.
    OwnerEntry(String),
    /// An owner id named by a role, a team's `members` or an `approved_by`.
    OwnerRef(String),
    /// A rule id, in an exception or a `policy.severity`.
    Rule(RuleId),
    /// A date of an identity entry (its index), or of one of its exceptions.
    Date { entry: usize, date: Date },
}

/// Where a symbol is: its location and the range it covers.
pub struct Found {
    pub symbol: Symbol,
    pub range: Range,
}

/// Every owner reference of the registry, with what names it: `(id, what)`.
pub fn owner_refs(registry: &Registry) -> impl Iterator<Item = (&Located<Shared>, String)> {
    let identities = registry.identities.iter().flat_map(|identity| {
        let roles = Role::ALL.iter().filter_map(move |&role| {
            let id = identity.owner(role).id()?;
            Some((id, format!("{role} owner of `{}`", identity.id.value)))
        });
        let approvers = identity.exceptions.iter().filter_map(move |e| {
            let by = e.approved_by.as_ref()?;
            Some((
                by,
                format!(
                    "approver of the `{}` exception of `{}`",
                    e.rule.value, identity.id.value
                ),
            ))
        });
        roles.chain(approvers)
    });
    let members = registry.owners.iter().flat_map(|owner| {
        owner
            .members
            .iter()
            .map(move |m| (m, format!("member of `{}`", owner.id.value)))
    });
    identities.chain(members)
}

/// The symbol at a position of a file of the snapshot.
pub fn symbol_at(
    snapshot: &Snapshot,
    file: usize,
    position: Position,
    encoding: Encoding,
) -> Option<Found> {
    let text = &snapshot.files.get(file)?.text;
    let (line, at) = text.char_at(position, encoding);
    let line_text = text.line(line);
    let on = |loc: Loc| -> Option<Range> {
        if snapshot
            .registry
            .as_ref()
            .and_then(|r| snapshot.file_of(r, loc.file))
            != Some(file)
            || loc.line as usize != line + 1
        {
            return None;
        }
        let start = loc.col.saturating_sub(1) as usize;
        let end = token_end(line_text, start);
        (start <= at && at <= end).then(|| text.range(line, start, end, encoding))
    };
    if let Some(registry) = &snapshot.registry {
        let found = |symbol, range| Some(Found { symbol, range });
        for owner in &registry.owners {
            if let Some(range) = on(owner.id.loc) {
                return found(Symbol::OwnerEntry(owner.id.value.clone()), range);
            }
        }
        for (id, _) in owner_refs(registry) {
            if let Some(range) = on(id.loc) {
                return found(Symbol::OwnerRef(id.value.to_string()), range);
            }
        }
        for (entry, identity) in registry.identities.iter().enumerate() {
            let dates = [
                &identity.created,
                &identity.last_rotated,
                &identity.expires,
                &identity.last_reviewed,
                &identity.revoked,
            ];
            let exception_dates = identity.exceptions.iter().map(|e| &e.expires);
            for date in dates.into_iter().chain(exception_dates).flatten() {
                if let Some(range) = on(date.loc) {
                    let date = date.value;
                    return found(Symbol::Date { entry, date }, range);
                }
            }
            for exception in &identity.exceptions {
                if let Some(range) = on(exception.rule.loc) {
                    return found(Symbol::Rule(exception.rule.value), range);
                }
            }
        }
    }
    // A rule id anywhere else (a `policy.severity` key), even in a registry
    // that does not load.
    let chars: Vec<char> = line_text.chars().collect();
    let word = |c: &char| c.is_ascii_alphanumeric() || *c == '-';
    let start = chars[..at.min(chars.len())]
        .iter()
        .rposition(|c| !word(c))
        .map_or(0, |i| i + 1);
    let end = chars[start..]
        .iter()
        .position(|c| !word(c))
        .map_or(chars.len(), |i| start + i);
    let rule = RuleId::parse(&chars[start..end].iter().collect::<String>())?;
    Some(Found {
        symbol: Symbol::Rule(rule),
        range: text.range(line, start, end, encoding),
    })
}

/// The location of a registry location's scalar.
fn location(
    snapshot: &Snapshot,
    registry: &Registry,
    loc: Loc,
    encoding: Encoding,
) -> Option<Location> {
    let file = snapshot.file_of(registry, loc.file)?;
    Some(Location::new(
        snapshot.files[file].uri.clone(),
        snapshot.token_range(file, loc.line, loc.col, encoding),
    ))
}

/// Go to definition: an owner reference leads to the owner's entry.
pub fn definition(snapshot: &Snapshot, symbol: &Symbol, encoding: Encoding) -> Option<Location> {
    let registry = snapshot.registry.as_ref()?;
    let (Symbol::OwnerRef(id) | Symbol::OwnerEntry(id)) = symbol else {
        return None;
    };
    let owner = registry.owner(id)?;
    location(snapshot, registry, owner.id.loc, encoding)
}

/// Find references: every role, member and approver naming the owner, and
/// its entry when the client asks for the declaration too.
pub fn references(
    snapshot: &Snapshot,
    symbol: &Symbol,
    declaration: bool,
    encoding: Encoding,
) -> Vec<Location> {
    let Some(registry) = &snapshot.registry else {
        return Vec::new();
    };
    let (Symbol::OwnerRef(id) | Symbol::OwnerEntry(id)) = symbol else {
        return Vec::new();
    };
    let entry = registry
        .owner(id)
        .filter(|_| declaration)
        .map(|owner| owner.id.loc);
    let refs = owner_refs(registry)
        .filter(|(r, _)| &*r.value == id.as_str())
        .map(|(r, _)| r.loc);
    entry
        .into_iter()
        .chain(refs)
        .filter_map(|loc| location(snapshot, registry, loc, encoding))
        .collect()
}

/// Registry text as a Markdown code span, which holds no markup: escaped
/// (control characters), between backtick fences longer than any run of
/// backticks inside it (CommonMark's rule), padded with spaces.
fn code(text: &str) -> String {
    let text = escape(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

/// Registry text as Markdown prose: escaped, and every ASCII punctuation
/// character backslash-escaped (CommonMark allows it for all of them), so
/// that no link, image, emphasis or HTML can be made of it.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in escape(text).chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The hover text of a symbol.
pub fn hover(snapshot: &Snapshot, found: &Found) -> Option<Hover> {
    let markdown = match &found.symbol {
        Symbol::Rule(rule) => rule_hover(*rule),
        Symbol::OwnerRef(id) | Symbol::OwnerEntry(id) => owner_hover(snapshot, id)?,
        Symbol::Date { entry, date } => date_hover(snapshot, *entry, *date)?,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(found.range),
    })
}

fn rule_hover(rule: RuleId) -> String {
    let info = rule.info();
    let mut out = format!(
        "**{rule}** ({} rule, {} by default)\n\n{}.\n\n**Why it matters.** {}\n\n**How to fix it.** {}\n",
        info.group, info.severity, info.summary, info.why, info.fix
    );
    let _ = write!(
        out,
        "\nReported:\n```yaml\n{}\n```\nFixed:\n```yaml\n{}\n```\n",
        info.example.trim_end(),
        info.fixed.trim_end()
    );
    if info.group.exceptable() {
        out.push_str("\nIt can be excepted on one identity with an `exceptions:` entry.\n");
    }
    out
}

fn owner_hover(snapshot: &Snapshot, id: &str) -> Option<String> {
    let registry = snapshot.registry.as_ref()?;
    let Some(owner) = registry.owner(id) else {
        return Some(format!("{} is not in the owner directory", code(id)));
    };
    let mut out = format!(
        "**{}**: {} · {}",
        code(id),
        owner.kind.value.as_str(),
        owner.status.as_str()
    );
    if let Some(name) = &owner.name {
        let _ = write!(out, " · {}", code(&name.value));
    }
    out.push('\n');
    for (label, value) in [("email", &owner.email), ("contact", &owner.contact)] {
        if let Some(value) = value {
            let _ = write!(out, "\n- {label}: {}", code(&value.value));
        }
    }
    if !owner.members.is_empty() {
        let members: Vec<String> = owner
            .members
            .iter()
            .map(|m| {
                let status = registry
                    .owner(&m.value)
                    .map_or("not in the directory", |o| o.status.as_str());
                format!("{} ({status})", code(&m.value))
            })
            .collect();
        let _ = write!(out, "\n- members: {}", members.join(", "));
    }
    let held = owner_refs(registry)
        .filter(|(r, _)| &*r.value == id)
        .count();
    let _ = write!(out, "\n- named {held} times in the registry");
    Some(out)
}

fn date_hover(snapshot: &Snapshot, entry: usize, date: Date) -> Option<String> {
    let registry = snapshot.registry.as_ref()?;
    let identity = registry.identities.get(entry)?;
    let age = (snapshot.today - date).num_days();
    let when = if age >= 0 {
        format!("{} ago", days(age))
    } else {
        format!("in {}", days(-age))
    };
    let mut out = format!(
        "{date}: {when} (as of {}). What falls due for {}:\n",
        snapshot.today,
        code(&identity.id.value)
    );
    let deadlines: Vec<_> = snapshot
        .forecast()?
        .deadlines
        .iter()
        .filter(|d| d.entry == entry)
        .collect();
    if deadlines.is_empty() {
        out.push_str("\nnothing: no rotation, expiry, review or exception deadline\n");
    }
    for d in deadlines {
        let _ = write!(
            out,
            "\n- {}: {} ({})",
            d.due,
            prose(&d.message),
            crate::forecast::when(d)
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{code, prose};
    use pulldown_cmark::{Event, Parser, Tag};

    /// Whether Markdown renders any link, image or HTML.
    fn has_markup(markdown: &str) -> bool {
        Parser::new(markdown).any(|e| {
            matches!(
                e,
                Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::Emphasis | Tag::Strong)
                    | Event::Html(_)
                    | Event::InlineHtml(_)
            )
        })
    }

    #[test]
    fn registry_text_makes_no_markup() {
        let forged = [
            "x``[pwn](https://evil.example/?q)![i](https://evil.example/i.png)``y",
            "[pwn](https://evil.example)",
            "<img src=x onerror=alert(1)>",
            "**bold** _em_ `tick` ```fence```",
            "a\u{1b}[31m\u{202e}b\nc",
        ];
        for text in forged {
            for markdown in [
                code(text),
                prose(text),
                format!("- {}: {}", code(text), prose(text)),
            ] {
                assert!(!has_markup(&markdown), "{markdown}");
                assert!(
                    !markdown.contains(['\u{1b}', '\u{202e}', '\n']),
                    "{markdown}"
                );
            }
        }
        assert_eq!(code("team-a"), "` team-a `");
        assert_eq!(code("a``b"), "``` a``b ```");
    }
}
