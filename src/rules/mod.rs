//! The rules: the catalogue and the checks, grouped as in SPEC §2.
//!
//! Checks are pure: they receive the registry, the policy and `today` and
//! return findings. To add a rule, add it to the catalogue and to its group's
//! file.

pub mod exceptions;
pub mod integrity;
pub mod lifecycle;
pub mod ownership;

pub use crate::catalogue::{Group, RuleId, RuleInfo, Severity};

use crate::keyword::Suggester;
use crate::registry::{Date, Loc, Registry};
use std::collections::{HashMap, HashSet};

/// One rule's verdict on one place, before policy severities and exceptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: RuleId,
    pub loc: Loc,
    pub message: String,
    /// What distinguishes this violation from others of its rule on the same
    /// identity (a role, a field); stable across line moves.
    pub detail: String,
}

impl Violation {
    pub fn new(rule: RuleId, loc: Loc, detail: impl Into<String>, message: String) -> Self {
        Violation {
            rule,
            loc,
            message,
            detail: detail.into(),
        }
    }
}

/// What every check may look at: the registry and the day of the audit, and
/// what is derived from the owner directory once, so that checking a
/// reference costs the same whatever the size of the directory or a team.
pub struct Context<'r> {
    pub registry: &'r Registry,
    pub today: Date,
    /// Why each directory entry (by index) cannot be held accountable, if it cannot.
    inactive: Vec<Option<String>>,
    /// (team, member) pairs of the directory.
    members: HashSet<(&'r str, &'r str)>,
    /// "Did you mean" for the owner references that name no directory entry.
    suggestions: HashMap<&'r str, &'r str>,
}

/// Unknown owner ids given a "did you mean", at most: past this many, a
/// registry is not mistyped but broken, and suggestions would cost more than
/// they help (each looks at up to [`Suggester::MAX_COMPARED`] candidates).
pub const MAX_SUGGESTIONS: usize = 1_000;

/// A suggestion for each distinct unknown owner reference, the first
/// [`MAX_SUGGESTIONS`] of them in registry order (so the result is the same
/// however the checks are run).
fn suggestions(registry: &Registry) -> HashMap<&str, &str> {
    let mut out = HashMap::new();
    if !registry.has_directory() {
        return out;
    }
    let suggester = Suggester::new(registry.owners.iter().map(|o| o.id.value.as_str()));
    let members = registry.owners.iter().flat_map(|o| &o.members);
    let from_identities = registry.identities.iter().flat_map(|identity| {
        identity.owners.iter().filter_map(|r| r.id()).chain(
            identity
                .exceptions
                .iter()
                .filter_map(|e| e.approved_by.as_ref()),
        )
    });
    let mut tried: HashSet<&str> = HashSet::new();
    for reference in members.chain(from_identities) {
        let id = reference.value.as_str();
        if registry.owner(id).is_some() || !tried.insert(id) {
            continue;
        }
        if tried.len() > MAX_SUGGESTIONS {
            break;
        }
        if let Some(best) = suggester.suggest(id) {
            out.insert(id, best);
        }
    }
    out
}

impl<'r> Context<'r> {
    pub fn new(registry: &'r Registry, today: Date) -> Self {
        let members = registry
            .owners
            .iter()
            .flat_map(|team| {
                team.members
                    .iter()
                    .map(|m| (team.id.value.as_str(), m.value.as_str()))
            })
            .collect();
        Context {
            registry,
            today,
            inactive: registry
                .owners
                .iter()
                .map(|owner| ownership::inactive_reason(registry, owner))
                .collect(),
            members,
            suggestions: suggestions(registry),
        }
    }

    /// Why the owner `id` cannot be held accountable (inactive, or a team whose
    /// members are all inactive); `None` when it can, or is not in the directory.
    pub fn inactive_reason(&self, id: &str) -> Option<&str> {
        let index = self.registry.owner_index(id)?;
        self.inactive.get(index)?.as_deref()
    }

    /// Whether `member` is listed in team `team`.
    pub fn is_member(&self, team: &str, member: &str) -> bool {
        self.members.contains(&(team, member))
    }

    /// The directory entry an unknown owner id was probably meant to be.
    pub fn suggest_owner(&self, unknown: &str) -> Option<&'r str> {
        self.suggestions.get(unknown).copied()
    }

    /// Whole days from `date` to today (negative when `date` is in the future).
    pub fn days_since(&self, date: Date) -> i64 {
        (self.today - date).num_days()
    }
}

/// "1 day", "12 days".
pub fn days(n: i64) -> String {
    if n.abs() == 1 {
        format!("{n} day")
    } else {
        format!("{n} days")
    }
}

/// "today", "in 1 day", "in 12 days".
pub fn until(n: i64) -> String {
    if n == 0 {
        "today".to_owned()
    } else {
        format!("in {}", days(n))
    }
}
