//! Quick fixes for the diagnostics under the cursor: the did-you-mean
//! replacement, the missing role key, and an exception stub.

use super::analysis::{Diag, Snapshot};
use super::text::{Encoding, Text, token_end};
use crate::catalogue::RuleId;
use crate::keyword::Keyword;
use crate::registry::{Registry, Role};
use crate::rules::lifecycle::due_after;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Position, Range, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// The quick fixes for the diagnostics of a file that touch `range`.
pub fn code_actions(
    snapshot: &Snapshot,
    file: usize,
    range: Range,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let Some(diags) = snapshot.diagnostics.get(file) else {
        return Vec::new();
    };
    let text = &snapshot.files[file].text;
    let uri = &snapshot.files[file].uri;
    let mut actions = Vec::new();
    for diag in diags.iter().filter(|d| touches(d.diagnostic.range, range)) {
        let mut add = |title: String, edit: TextEdit, preferred: bool| {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diag.diagnostic.clone()]),
                edit: Some(workspace_edit(uri, edit)),
                is_preferred: preferred.then_some(true),
                ..CodeAction::default()
            }));
        };
        if let Some(word) = &diag.origin.suggestion {
            let range = diag.diagnostic.range;
            let (line, start) = diag.origin.at;
            let written: String = text.line(line).chars().skip(start).collect();
            let new = quoted_like(written.chars().next(), word);
            add(
                format!("Replace with `{word}`"),
                TextEdit::new(range, new),
                true,
            );
        }
        let Some(registry) = &snapshot.registry else {
            continue;
        };
        if let Some(edit) = missing_role(diag, text, registry) {
            let title = format!(
                "Add the `{}` role (then name its owner)",
                diag.origin.detail
            );
            add(title, edit, false);
        }
        if let Some((title, edit)) = exception_stub(snapshot, diag, file, registry, encoding) {
            add(title, edit, false);
        }
    }
    actions
}

fn touches(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn workspace_edit(uri: &Uri, edit: TextEdit) -> WorkspaceEdit {
    WorkspaceEdit::new(HashMap::from([(uri.clone(), vec![edit])]))
}

/// `word` as a YAML scalar written like the one it replaces: in the same
/// quotes, else plain when plain is safe, else double-quoted.
pub fn quoted_like(first: Option<char>, word: &str) -> String {
    let double = || format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\""));
    match first {
        Some('"') => double(),
        Some('\'') => format!("'{}'", word.replace('\'', "''")),
        _ if !word.is_empty()
            && word.starts_with(|c: char| c.is_ascii_alphanumeric())
            && word.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '@' | '+')
            }) =>
        {
            word.to_owned()
        }
        _ => double(),
    }
}

/// The spaces before a character index, when only spaces precede it.
fn indent_before(line: &str, at: usize) -> Option<usize> {
    line.chars().take(at).all(|c| c == ' ').then_some(at)
}

/// A role absent from an identity's `owners` mapping: a line `role: ` above
/// the mapping's first key, indented as it is.
fn missing_role(diag: &Diag, text: &Text, registry: &Registry) -> Option<TextEdit> {
    if diag.origin.rule != Some(RuleId::MissingOwner) || diag.origin.suppressed {
        return None;
    }
    let role = Role::parse(&diag.origin.detail)?;
    let identity = registry.identities.get(diag.origin.entry?)?;
    let (line, at) = diag.origin.at;
    // Located at the `owners` mapping (not at a `null` value, not at the
    // entry when `owners` is missing): its first key, a role, starts here.
    let line_text = text.line(line);
    let rest: String = line_text.chars().skip(at).collect();
    let key_end = token_end(line_text, at);
    let key: String = line_text.chars().skip(at).take(key_end - at).collect();
    let is_role_key = Role::parse(&key).is_some() && rest[key.len()..].starts_with(':');
    if !is_role_key || identity.loc.line as usize == line + 1 {
        return None;
    }
    let indent = indent_before(line_text, at)?;
    let position = Position::new(line as u32, 0);
    Some(TextEdit::new(
        Range::new(position, position),
        format!("{}{role}: \n", " ".repeat(indent)),
    ))
}

/// An exception for a finding on an identity: its rule, a reason to write,
/// the policy owner as approver, and an expiry at `policy.max_exception`.
fn exception_stub(
    snapshot: &Snapshot,
    diag: &Diag,
    file: usize,
    registry: &Registry,
    encoding: Encoding,
) -> Option<(String, TextEdit)> {
    let rule = diag.origin.rule?;
    if !rule.group().exceptable() || diag.origin.suppressed {
        return None;
    }
    let identity = registry.identities.get(diag.origin.entry?)?;
    // The stub goes into the identity's own file.
    if snapshot.file_of(registry, identity.loc.file) != Some(file) {
        return None;
    }
    let text = &snapshot.files[file].text;
    let expires = due_after(snapshot.today, &registry.policy.max_exception);
    // The approver: the policy owner, when its approval would count (an
    // active owner of the directory, not a vendor, not the technical
    // owner); else the line is left for the user to write.
    let technical = identity.owner(Role::Technical).id().map(|t| &*t.value);
    let approver = identity
        .owner(Role::Policy)
        .id()
        .map(|id| &*id.value)
        .filter(|&id| {
            Some(id) != technical
                && registry.owner(id).is_some_and(|o| {
                    o.status == crate::registry::OwnerStatus::Active
                        && o.kind.value != crate::registry::OwnerKind::Vendor
                })
        });
    let item = |dash: usize| stub(approver, rule, expires, dash);
    let (position, insert) = match identity.exceptions.first() {
        Some(first) => {
            // Before the first exception, as a block sequence item like it.
            let line = first.loc.line.saturating_sub(1) as usize;
            let col = first.loc.col.saturating_sub(1) as usize;
            let line_text = text.line(line);
            let dash = col.checked_sub(2)?;
            let prefix: String = line_text.chars().take(col).collect();
            if indent_before(line_text, dash).is_none() || prefix[dash..].trim_end() != "-" {
                return None;
            }
            (Position::new(line as u32, 0), item(dash))
        }
        None => {
            // After the entry's first line, when that line is one whole
            // `key: value` of a block mapping.
            let line = identity.loc.line.saturating_sub(1) as usize;
            let col = identity.loc.col.saturating_sub(1) as usize;
            let line_text = text.line(line);
            let prefix: String = line_text.chars().take(col).collect();
            // An entry in flow style (`- { id: x, ... }`) takes no block key.
            let block = line_text
                .chars()
                .nth(col)
                .is_some_and(|c| !matches!(c, '{' | '['));
            if !block || !(prefix.trim() == "-" || prefix.trim().is_empty()) {
                return None;
            }
            let key_end = token_end(line_text, col);
            let after: String = line_text.chars().skip(key_end).collect();
            let value = after.strip_prefix(':')?.trim();
            let closed = |quote: char| {
                let end = token_end(value, 0);
                end > 1 && value.chars().nth(end - 1) == Some(quote)
            };
            let value_ok = match value.chars().next() {
                None | Some('|' | '>' | '[' | '{' | '&' | '*' | '!') => false,
                Some(quote @ ('"' | '\'')) => closed(quote),
                Some(_) => true,
            };
            if !value_ok {
                return None;
            }
            // At the end of that line, so that a last line without a line
            // break gets one.
            let end = text.range(line, 0, line_text.chars().count(), encoding).end;
            let keys = " ".repeat(col);
            let item = item(col + 2);
            (
                end,
                format!("\n{keys}exceptions:\n{}", item.trim_end_matches('\n')),
            )
        }
    };
    Some((
        format!(
            "Add an exception for `{rule}` on `{}` (expires {expires})",
            crate::escape::escape(&identity.id.value)
        ),
        TextEdit::new(Range::new(position, position), insert),
    ))
}

/// The lines of an exception entry whose dash is at column `dash`.
fn stub(
    approver: Option<&str>,
    rule: RuleId,
    expires: crate::registry::Date,
    dash: usize,
) -> String {
    let pad = " ".repeat(dash);
    let mut out = format!("{pad}- rule: {rule}\n");
    out.push_str(&format!(
        "{pad}  reason: \"TODO: why this risk is accepted, and what ends it\"\n"
    ));
    if let Some(approver) = approver {
        out.push_str(&format!(
            "{pad}  approved_by: {}\n",
            quoted_like(None, approver)
        ));
    }
    out.push_str(&format!("{pad}  expires: {expires}\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::analysis::{Input, Settings, analyze};
    use crate::registry::time::parse_date;
    use crate::report::FailOn;
    use std::str::FromStr;
    use std::sync::Arc;

    /// The titles of the quick fixes for the first `unknown-owner` of a
    /// one-file registry.
    fn fixes(yaml: &str) -> Vec<String> {
        let Ok(uri) = Uri::from_str("file:///work/r.yaml") else {
            return Vec::new();
        };
        let Ok(today) = parse_date("2026-12-01") else {
            return Vec::new();
        };
        let input = Input {
            uri,
            name: "r.yaml".to_owned(),
            text: Ok(Arc::new(Text::new(yaml.to_owned()))),
            version: None,
        };
        let settings = Settings {
            today,
            fail_on: FailOn::Error,
            encoding: Encoding::Utf16,
        };
        let Some(snapshot) = analyze(
            vec![input],
            Vec::new(),
            settings,
            &mut crate::registry::ParseCache::default(),
            &|| false,
        ) else {
            return Vec::new();
        };
        let Some(diag) = snapshot.diagnostics[0]
            .iter()
            .find(|d| d.origin.rule == Some(RuleId::UnknownOwner))
        else {
            return Vec::new();
        };
        code_actions(&snapshot, 0, diag.diagnostic.range, Encoding::Utf16)
            .into_iter()
            .filter_map(|action| match action {
                CodeActionOrCommand::CodeAction(action) => Some(action.title),
                CodeActionOrCommand::Command(_) => None,
            })
            .collect()
    }

    const OWNERS: &str = "version: 1\nowners:\n  team-payments: { kind: team }\nidentities:\n";

    #[test]
    fn no_block_exception_stub_after_a_flow_style_identity() {
        let block = format!(
            "{OWNERS}  - id: bot\n    kind: token\n    owners: {{ policy: team-paymnets }}\n"
        );
        let titles = fixes(&block);
        assert!(titles.iter().any(|t| t == "Replace with `team-payments`"));
        assert!(titles.iter().any(|t| t.starts_with("Add an exception")));
        // A block key after `- { ... }` would make the file invalid YAML.
        let flow = format!(
            "{OWNERS}  - {{ id: bot, kind: token, owners: {{ policy: team-paymnets }} }}\n"
        );
        let titles = fixes(&flow);
        assert!(titles.iter().any(|t| t == "Replace with `team-payments`"));
        assert!(
            !titles.iter().any(|t| t.starts_with("Add an exception")),
            "{titles:?}"
        );
    }
}
