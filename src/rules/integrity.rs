//! Integrity rules: is the registry itself consistent?

use super::{Context, RuleId, Violation, days};
use crate::registry::{Date, Identity, Located};
use std::collections::{HashMap, HashSet};

/// `date-in-future` for one identity (retired ones included).
pub fn check(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let fields: [(&str, &Option<Located<Date>>); 4] = [
        ("created", &identity.created),
        ("rotation.last_rotated", &identity.last_rotated),
        ("last_reviewed", &identity.last_reviewed),
        ("revoked", &identity.revoked),
    ];
    for (field, date) in fields {
        if let Some(date) = date {
            let ahead = -ctx.days_since(date.value);
            if ahead > 0 {
                out.push(Violation::new(
                    RuleId::DateInFuture,
                    date.loc,
                    field,
                    format!(
                        "`{field}` {} is {} after today ({})",
                        date.value,
                        days(ahead),
                        ctx.today
                    ),
                ));
            }
        }
    }
}

/// `duplicate-identity`: the index of every later occurrence, with its violation.
pub fn duplicates(ctx: &Context<'_>) -> Vec<(usize, Violation)> {
    let registry = ctx.registry;
    // First occurrence and how many times the id has been seen.
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut out = Vec::new();
    for (index, identity) in registry.identities.iter().enumerate() {
        let entry = seen.entry(identity.id.value.as_str()).or_insert((index, 0));
        entry.1 += 1;
        let (earlier, occurrence) = *entry;
        if occurrence > 1 {
            let at = registry.identities[earlier].id.loc;
            out.push((
                index,
                Violation::new(
                    RuleId::DuplicateIdentity,
                    identity.id.loc,
                    format!("occurrence {occurrence}"),
                    format!(
                        "id `{}` is already used at {}:{}:{}",
                        identity.id.value,
                        registry.file(at),
                        at.line,
                        at.col
                    ),
                ),
            ));
        }
    }
    out
}

/// `unused-owner`: directory entries nothing references.
pub fn unused_owners<'r>(ctx: &Context<'r>) -> Vec<(&'r str, Violation)> {
    let registry = ctx.registry;
    let mut referenced: HashSet<&str> = HashSet::new();
    for identity in &registry.identities {
        referenced.extend(
            identity
                .owners
                .iter()
                .filter_map(|r| r.id())
                .map(|id| id.value.as_str()),
        );
        referenced.extend(
            identity
                .exceptions
                .iter()
                .filter_map(|e| e.approved_by.as_ref())
                .map(|id| id.value.as_str()),
        );
    }
    for owner in &registry.owners {
        referenced.extend(owner.members.iter().map(|m| m.value.as_str()));
    }
    registry
        .owners
        .iter()
        .filter(|o| !referenced.contains(o.id.value.as_str()))
        .map(|o| {
            (
                o.id.value.as_str(),
                Violation::new(
                    RuleId::UnusedOwner,
                    o.id.loc,
                    "",
                    format!(
                        "owner `{}` is referenced by no identity, team or exception",
                        o.id.value
                    ),
                ),
            )
        })
        .collect()
}
