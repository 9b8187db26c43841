//! Merging files: one policy at most, owner directories united without
//! repeats, identity lists concatenated; then the checks across entries
//! (team members are people).

use super::convert::FileContents;
use super::{LoadError, Loc, OwnerKind, Registry, SourceFile};
use std::collections::HashMap;

/// Merges files in order: one policy at most, owner directories united without
/// repeats, identity lists concatenated.
pub(super) fn merge(parsed: Vec<(String, FileContents)>, errors: &mut Vec<LoadError>) -> Registry {
    let mut registry = Registry::default();
    // The identities are moved, never copied: a million of them take
    // hundreds of megabytes.
    let total: usize = parsed.iter().map(|(_, c)| c.identities.len()).sum();
    let mut policy_at: Option<Loc> = None;
    for (path, contents) in parsed {
        registry.files.push(SourceFile { path, digest: None });
        if let Some((loc, policy)) = contents.policy {
            match policy_at {
                None => {
                    policy_at = Some(loc);
                    registry.policy = policy;
                }
                Some(first) => errors.push(located_error(
                    &registry,
                    loc,
                    "a second `policy`: at most one file of a registry may set the policy"
                        .to_owned(),
                    Some(format!(
                        "the policy is already set at {}",
                        registry.position(first)
                    )),
                )),
            }
        }
        for owner in contents.owners {
            if let Some(&first) = registry.owner_index.get(&owner.id.value) {
                let first_loc = registry.owners[first].id.loc;
                errors.push(located_error(
                    &registry,
                    owner.id.loc,
                    format!("owner `{}` is declared twice", owner.id.value),
                    Some(format!(
                        "first declared at {}",
                        registry.position(first_loc)
                    )),
                ));
                continue;
            }
            registry
                .owner_index
                .insert(owner.id.value.clone(), registry.owners.len());
            registry.owners.push(owner);
        }
        if registry.identities.is_empty() {
            registry.identities = contents.identities;
            registry
                .identities
                .reserve_exact(total - registry.identities.len());
        } else {
            registry.identities.extend(contents.identities);
        }
    }
    check_members(&registry, errors);
    registry
}

/// Team members are people: naming a team or a vendor is invalid. Unknown
/// members are findings (`unknown-owner`), not load errors.
fn check_members(registry: &Registry, errors: &mut Vec<LoadError>) {
    let kinds: HashMap<&str, OwnerKind> = registry
        .owners
        .iter()
        .map(|o| (o.id.value.as_str(), o.kind.value))
        .collect();
    for owner in &registry.owners {
        for member in &owner.members {
            if let Some(kind) = kinds
                .get(member.value.as_ref())
                .filter(|k| **k != OwnerKind::Person)
            {
                errors.push(located_error(
                    registry,
                    member.loc,
                    format!(
                        "team `{}` lists `{}` as a member, but it is a {kind}",
                        owner.id.value, member.value
                    ),
                    Some("team members are `person` entries".to_owned()),
                ));
            }
        }
    }
}

fn located_error(
    registry: &Registry,
    loc: Loc,
    message: String,
    help: Option<String>,
) -> LoadError {
    LoadError {
        file: Some(registry.file(loc).to_owned()),
        line: loc.line,
        col: loc.col,
        message,
        help,
    }
}
