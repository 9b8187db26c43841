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
use crate::registry::{Date, Exception, Identity, Loc, Registry};
use std::collections::{HashMap, HashSet};

/// One rule's verdict on one place, before policy severities and exceptions:
/// built with its location and message, then what distinguishes it and the
/// places that explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: RuleId,
    pub loc: Loc,
    pub message: String,
    /// What distinguishes this violation from others of its rule on the same
    /// subject (a role, a field); stable across line moves: part of the
    /// fingerprint.
    pub detail: String,
    /// Which of several like entries it is about (2 for the identity's
    /// second exception for a rule, or a member listed a second time); 1
    /// for most. Part of the fingerprint, apart from `detail`, so that no
    /// text in a detail can pass for another entry.
    pub nth: u32,
    /// Other places that explain it: where a duplicated id was first used,
    /// the inactive members of a team.
    pub related: Vec<Related>,
    /// For a finding on an exception: who approved it, who must act on it.
    pub approver: Option<String>,
    /// The most severe the finding may be, whatever its rule's severity
    /// (`inventory-expiry` within the warning window is a warning).
    pub at_most: Option<Severity>,
}

/// A place that explains a violation, with what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub loc: Loc,
    pub message: String,
}

impl Violation {
    pub fn new(rule: RuleId, loc: Loc, message: String) -> Self {
        Violation {
            rule,
            loc,
            message,
            detail: String::new(),
            nth: 1,
            related: Vec::new(),
            approver: None,
            at_most: None,
        }
    }

    /// The exception the violation is about, whose approver must act on it.
    #[must_use]
    pub fn on_exception(mut self, exception: &Exception) -> Self {
        self.approver = exception.approved_by.as_ref().map(|a| a.value.to_string());
        self
    }

    /// What tells it apart from others of its rule on the same subject.
    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Which of several like entries it is about (see [`Violation::nth`]).
    #[must_use]
    pub fn nth(mut self, nth: u32) -> Self {
        self.nth = nth;
        self
    }

    /// Another place that explains it.
    #[must_use]
    pub fn related(mut self, loc: Loc, message: impl Into<String>) -> Self {
        self.related.push(Related {
            loc,
            message: message.into(),
        });
        self
    }
}

/// Why an owner cannot be held accountable, and the places that show it.
pub struct Inactive {
    /// "is an inactive person", "is a team whose 2 members are all inactive".
    pub reason: String,
    /// The inactive members' directory entries, for a team.
    pub related: Vec<Related>,
}

/// What every check may look at: the registry and the day of the audit, and
/// what is derived from the owner directory once, so that checking a
/// reference costs the same whatever the size of the directory or a team.
pub struct Context<'r> {
    pub registry: &'r Registry,
    pub today: Date,
    /// Why each directory entry (by index) cannot be held accountable, if it cannot.
    inactive: Vec<Option<Inactive>>,
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
        let id = reference.value.as_ref();
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
                    .map(|m| (team.id.value.as_str(), m.value.as_ref()))
            })
            .collect();
        Context {
            registry,
            today,
            inactive: registry
                .owners
                .iter()
                .map(|owner| ownership::inactive(registry, owner))
                .collect(),
            members,
            suggestions: suggestions(registry),
        }
    }

    /// Why the owner `id` cannot be held accountable (inactive, or a team whose
    /// members are all inactive); `None` when it can, or is not in the directory.
    pub fn inactive(&self, id: &str) -> Option<&Inactive> {
        let index = self.registry.owner_index(id)?;
        self.inactive.get(index)?.as_ref()
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

    /// Whole days from today to `date` (negative when `date` has passed).
    pub fn days_until(&self, date: Date) -> i64 {
        (date - self.today).num_days()
    }

    /// Where a deadline `left` days away (negative: passed) stands against
    /// `policy.warn_within`: the one place that draws the warning window's
    /// boundaries, for credentials, rotations and exceptions alike.
    pub fn window(&self, left: i64) -> Window {
        if left < 0 {
            Window::Passed(-left)
        } else if left <= self.registry.policy.warn_within.days {
            Window::Within(left)
        } else {
            Window::Beyond(left)
        }
    }
}

/// Where a deadline stands today ([`Context::window`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Passed this many days ago (at least 1).
    Passed(i64),
    /// Falls today or within the warning window: this many days left.
    Within(i64),
    /// Further away: this many days left.
    Beyond(i64),
}

/// What a registry-wide check's violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'r> {
    /// The identity entry with this index.
    Identity(usize),
    /// The owner directory entry with this id.
    Owner(&'r str),
    /// The registry as a whole.
    Registry,
}

/// Checks one identity entry, adding its violations.
pub type IdentityCheck = fn(&Context<'_>, &Identity, &mut Vec<Violation>);

/// How a check runs, and on what: its scope.
#[derive(Clone, Copy)]
pub enum Run {
    /// Every identity entry, retired ones included.
    AnyIdentity(IdentityCheck),
    /// Identities in service; their valid exceptions may suppress the findings.
    Identity(IdentityCheck),
    /// Retired identities only (exceptions are ignored on them).
    RetiredIdentity(IdentityCheck),
    /// Each exception of an identity in service: whether it is valid (may
    /// suppress findings), and what is wrong with it.
    Exception(fn(&Context<'_>, &Identity, &Exception) -> exceptions::Assessment),
    /// A valid exception that suppressed nothing.
    UnusedException(fn(&Exception) -> Violation),
    /// The registry as a whole: the owner directory, or what only shows
    /// across entries (duplicates, look-alikes).
    Registry(for<'r> fn(&Context<'r>) -> Vec<(Target<'r>, Violation)>),
}

/// One row of [`CHECKS`]: the rules a function reports, and its scope.
pub struct Check {
    pub rules: &'static [RuleId],
    pub run: Run,
}

/// Every check `audit` runs: each rule of the catalogue is reported by at
/// least one row, and a row reports only the rules it names.
pub static CHECKS: &[Check] = &[
    // Ownership.
    Check {
        rules: &[RuleId::MissingOwner],
        run: Run::Identity(ownership::required_owners),
    },
    Check {
        rules: &[RuleId::UnknownOwner, RuleId::InactiveOwner],
        run: Run::Identity(ownership::references),
    },
    Check {
        rules: &[RuleId::VendorAccountability],
        run: Run::Identity(ownership::vendors),
    },
    Check {
        rules: &[RuleId::NoSeparationOfDuties],
        run: Run::Identity(ownership::separation_of_duties),
    },
    Check {
        rules: &[RuleId::MissingEscalation],
        run: Run::Identity(ownership::escalation),
    },
    Check {
        rules: &[RuleId::SharedCredential],
        run: Run::Identity(ownership::shared_credential),
    },
    // Lifecycle.
    Check {
        rules: &[
            RuleId::MissingRotation,
            RuleId::StaleRotation,
            RuleId::RotationDue,
        ],
        run: Run::Identity(lifecycle::rotation),
    },
    Check {
        rules: &[
            RuleId::ExpiredCredential,
            RuleId::ExpiringCredential,
            RuleId::MissingExpiry,
        ],
        run: Run::Identity(lifecycle::expiry),
    },
    Check {
        rules: &[RuleId::ReviewOverdue],
        run: Run::Identity(lifecycle::review),
    },
    Check {
        rules: &[RuleId::RetiredNotRevoked],
        run: Run::RetiredIdentity(lifecycle::retired_not_revoked),
    },
    // Integrity.
    Check {
        rules: &[RuleId::DateInFuture],
        run: Run::AnyIdentity(integrity::dates_in_future),
    },
    Check {
        rules: &[RuleId::DuplicateIdentity],
        run: Run::Registry(integrity::duplicates),
    },
    Check {
        rules: &[RuleId::DuplicateRef],
        run: Run::Registry(integrity::duplicate_refs),
    },
    Check {
        rules: &[RuleId::ConfusableId],
        run: Run::Registry(integrity::confusables),
    },
    Check {
        rules: &[RuleId::UnknownOwner],
        run: Run::Registry(ownership::unknown_members),
    },
    Check {
        rules: &[RuleId::UnusedOwner],
        run: Run::Registry(integrity::unused_owners),
    },
    Check {
        rules: &[RuleId::EmptyRegistry],
        run: Run::Registry(integrity::empty),
    },
    // Exceptions.
    Check {
        rules: &[
            RuleId::IncompleteException,
            RuleId::ExpiredException,
            RuleId::ExpiringException,
            RuleId::ExceptionTooLong,
            RuleId::SelfApprovedException,
        ],
        run: Run::Exception(exceptions::assess),
    },
    Check {
        rules: &[RuleId::UnusedException],
        run: Run::UnusedException(exceptions::unused),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyword::Keyword;

    #[test]
    fn every_rule_has_a_check() {
        // Drift rules are checked by `reconcile`, against inventories.
        for &rule in RuleId::ALL.iter().filter(|r| r.group() != Group::Drift) {
            assert!(
                CHECKS.iter().any(|c| c.rules.contains(&rule)),
                "{rule} has no check"
            );
        }
    }
}
