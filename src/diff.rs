//! `nhi-own diff`: what a change to a registry does to accountability.
//!
//! Two registries and their audits at the same day go in; a [`Diff`] comes
//! out: identities added, removed and changed (matched by id, and by
//! occurrence for an id declared twice), policy settings and owner entries
//! changed, and the findings the change introduces and resolves (matched by
//! fingerprint). A change that makes the gate more lenient — a longer max
//! age, a rule turned `off`, a new exception — is marked `weakens`; an owner
//! entry a reviewer must look at (removed while still referenced, marked
//! inactive, turned into a vendor) is marked `flagged`. The renderers below
//! only format a `Diff`.

use crate::catalogue::{RuleId, Severity};
use crate::escape::escape;
use crate::keyword::Keyword;
use crate::registry::{
    Days, Exception, Identity, IdentityKind, IdentityStatus, MaxAge, Owner, OwnerKind, OwnerStatus,
    Policy, Registry, Role,
};
use crate::report::markdown::{code, findings_table};
use crate::report::{Finding, Owners, Report, Suppressed, paint};
use crate::wording::plural;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// The difference between two registries, as of one day.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub version: u32,
    pub tool: crate::report::json::Tool,
    pub now: String,
    pub summary: Summary,
    pub identities: Identities,
    /// Policy settings whose effective value changed.
    pub policy: Vec<Change>,
    /// Owner entries added, removed or changed.
    pub owners: Vec<OwnerChange>,
    pub findings: Findings,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub identities_added: usize,
    pub identities_removed: usize,
    pub identities_changed: usize,
    pub policy_changes: usize,
    pub owner_changes: usize,
    /// Findings of NEW that OLD did not have open.
    pub introduced: usize,
    pub introduced_errors: usize,
    pub introduced_warnings: usize,
    pub introduced_info: usize,
    /// Findings of OLD that NEW has neither open nor suppressed.
    pub resolved: usize,
    /// Findings NEW suppresses by an exception that OLD did not suppress.
    pub newly_suppressed: usize,
    /// Changes marked `weakens` (identities and policy).
    pub weakening: usize,
    /// Owner changes marked `flagged`.
    pub flagged_owners: usize,
    /// A change weakens the gate, or an exception newly hides a finding.
    pub weakens: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Identities {
    /// In NEW: privileged identities first, then in registry order.
    pub added: Vec<IdentityEntry>,
    /// In OLD's registry order.
    pub removed: Vec<IdentityEntry>,
    /// Privileged identities (in NEW) first, then in NEW's registry order.
    pub changed: Vec<IdentityEntry>,
}

/// An identity entry: as NEW declares it (added, changed), or as OLD did (removed).
#[derive(Debug, Serialize)]
pub struct IdentityEntry {
    pub id: String,
    /// 1 for the first entry with this id, 2 for the next, …
    pub occurrence: u32,
    pub kind: IdentityKind,
    pub status: IdentityStatus,
    pub privileged: bool,
    pub owners: Owners,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// What changed (only on changed identities).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

/// One changed value: of an identity, the policy or an owner entry.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// As written in the registry: `owners.technical`, `rotation.max_age`,
    /// `exceptions`, `rotation.kinds.token`, `severity.review-overdue`, …
    pub field: String,
    /// For list entries (exceptions, `ignore_refs`, `required_owners`,
    /// members): `added`, `removed`, `extended`, `shortened`, `re-approved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<&'static str>,
    /// The value before and after; null where it is not set.
    pub old: Option<String>,
    pub new: Option<String>,
    /// On an owner role: the new owner as NEW's directory lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerState>,
    /// On an exception: the exception (as NEW declares it; as OLD did when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionState>,
    /// The change makes the gate more lenient or accountability weaker.
    pub weakens: bool,
    /// Why it weakens, in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl Change {
    fn new(field: impl Into<String>, old: Option<String>, new: Option<String>) -> Self {
        Change {
            field: field.into(),
            change: None,
            old,
            new,
            owner: None,
            exception: None,
            weakens: false,
            why: None,
        }
    }

    fn weakening(mut self, why: Option<String>) -> Self {
        self.weakens = why.is_some();
        self.why = why;
        self
    }

    fn kind(mut self, change: &'static str) -> Self {
        self.change = Some(change);
        self
    }
}

/// An owner id as a directory lists it.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerState {
    pub in_directory: bool,
    pub kind: Option<OwnerKind>,
    pub status: Option<OwnerStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptionState {
    pub rule: RuleId,
    /// 1 for the identity's first exception for this rule, 2 for the next, …
    pub nth: u32,
    pub reason: String,
    pub approved_by: Option<String>,
    pub expires: Option<String>,
    pub ticket: Option<String>,
}

/// An owner entry added, removed or changed.
#[derive(Debug, Serialize)]
pub struct OwnerChange {
    pub id: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// As NEW lists it (as OLD did when removed).
    pub kind: OwnerKind,
    pub status: OwnerStatus,
    /// References to this id in NEW: identity roles, team members, approvers.
    pub references: usize,
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// A reviewer must look at it: removed while still referenced, marked
    /// inactive, or now a vendor while it holds a role.
    pub flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Findings {
    /// Open in NEW, not open in OLD; located in NEW's files. Only these
    /// count against `--fail-on`.
    pub introduced: Vec<Finding>,
    /// Open in OLD, neither open nor suppressed in NEW; located in OLD's files.
    pub resolved: Vec<Finding>,
    /// Suppressed in NEW by an exception, not suppressed in OLD: a finding a
    /// new or extended exception hides (it is not resolved).
    pub newly_suppressed: Vec<Suppressed>,
}

/// Compares OLD with NEW, each with its audit at the same day.
pub fn diff(old: &Registry, old_report: &Report, new: &Registry, new_report: &Report) -> Diff {
    let mut identities = compare_identities(old, new);
    identities.added.sort_by_key(|e| !e.privileged);
    identities.changed.sort_by_key(|e| !e.privileged);
    let policy = compare_policy(old, new);
    let owners = compare_owners(old, new);
    let findings = compare_findings(old_report, new_report);

    let weakening = identities
        .changed
        .iter()
        .flat_map(|e| &e.changes)
        .chain(&policy)
        .filter(|c| c.weakens)
        .count();
    let introduced = |s: Severity| {
        findings
            .introduced
            .iter()
            .filter(|f| f.severity == s)
            .count()
    };
    let summary = Summary {
        identities_added: identities.added.len(),
        identities_removed: identities.removed.len(),
        identities_changed: identities.changed.len(),
        policy_changes: policy.len(),
        owner_changes: owners.len(),
        introduced: findings.introduced.len(),
        introduced_errors: introduced(Severity::Error),
        introduced_warnings: introduced(Severity::Warning),
        introduced_info: introduced(Severity::Info),
        resolved: findings.resolved.len(),
        newly_suppressed: findings.newly_suppressed.len(),
        weakening,
        flagged_owners: owners.iter().filter(|o| o.flagged).count(),
        weakens: weakening > 0 || !findings.newly_suppressed.is_empty(),
    };
    Diff {
        version: 1,
        tool: crate::report::json::TOOL,
        now: new_report.now.to_string(),
        summary,
        identities,
        policy,
        owners,
        findings,
    }
}

impl Diff {
    /// Whether a finding the change introduces is at or above the threshold.
    pub fn fails(&self, fail_on: crate::report::FailOn) -> bool {
        self.findings
            .introduced
            .iter()
            .any(|f| fail_on.fails(f.severity))
    }

    /// Nothing changed and no finding moved.
    pub fn is_empty(&self) -> bool {
        let s = &self.summary;
        s.identities_added
            + s.identities_removed
            + s.identities_changed
            + s.policy_changes
            + s.owner_changes
            + s.introduced
            + s.resolved
            + s.newly_suppressed
            == 0
    }

    /// The one-line summary every format starts with.
    pub fn line(&self) -> String {
        let s = &self.summary;
        if self.is_empty() {
            return format!(
                "no change to identities, policy or owners; no finding introduced or resolved as of {}",
                self.now
            );
        }
        let mut line = format!(
            "{} added, {} removed, {} changed; {} introduced, {} resolved",
            plural(s.identities_added, "identity", "identities"),
            s.identities_removed,
            s.identities_changed,
            plural(s.introduced, "finding", "findings"),
            s.resolved
        );
        if s.newly_suppressed > 0 {
            let _ = write!(line, ", {} newly suppressed", s.newly_suppressed);
        }
        if s.policy_changes + s.owner_changes > 0 {
            let _ = write!(
                line,
                "; {}, {}",
                plural(s.policy_changes, "policy change", "policy changes"),
                plural(s.owner_changes, "owner change", "owner changes")
            );
        }
        if s.weakens {
            let what = match (s.weakening, s.newly_suppressed) {
                (0, n) => plural(n, "finding newly suppressed", "findings newly suppressed"),
                (n, _) => plural(n, "weakening change", "weakening changes"),
            };
            let _ = write!(line, "; the change weakens the gate ({what})");
        }
        let _ = write!(line, " as of {}", self.now);
        line
    }
}

// ---------------------------------------------------------------- identities

/// Each identity entry with its occurrence number (2 for an id's second entry).
fn occurrences(registry: &Registry) -> Vec<((&str, u32), &Identity)> {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    registry
        .identities
        .iter()
        .map(|identity| {
            let n = seen.entry(identity.id.value.as_str()).or_insert(0);
            *n += 1;
            ((identity.id.value.as_str(), *n), identity)
        })
        .collect()
}

fn entry(registry: &Registry, identity: &Identity, occurrence: u32) -> IdentityEntry {
    IdentityEntry {
        id: identity.id.value.clone(),
        occurrence,
        kind: identity.kind.value,
        status: identity.status,
        privileged: identity.privileged,
        owners: Owners::of(identity),
        file: registry.file(identity.loc).to_owned(),
        line: identity.loc.line,
        column: identity.loc.col,
        changes: Vec::new(),
    }
}

fn compare_identities(old: &Registry, new: &Registry) -> Identities {
    let old_entries = occurrences(old);
    let new_entries = occurrences(new);
    let old_index: HashMap<(&str, u32), &Identity> = old_entries.iter().copied().collect();
    let new_keys: HashSet<(&str, u32)> = new_entries.iter().map(|(k, _)| *k).collect();
    let mut out = Identities::default();
    for &((_, n), after) in &new_entries {
        let key = (after.id.value.as_str(), n);
        match old_index.get(&key) {
            None => out.added.push(entry(new, after, n)),
            Some(before) => {
                let changes = identity_changes(old, before, new, after);
                if !changes.is_empty() {
                    let mut e = entry(new, after, n);
                    e.changes = changes;
                    out.changed.push(e);
                }
            }
        }
    }
    for &(key, before) in &old_entries {
        if !new_keys.contains(&key) {
            out.removed.push(entry(old, before, key.1));
        }
    }
    out
}

fn text<T: ToString>(value: Option<&crate::registry::Located<T>>) -> Option<String> {
    value.map(|v| v.value.to_string())
}

fn max_age_text(age: &MaxAge) -> String {
    match age {
        MaxAge::Days(days) => days.text.clone(),
        MaxAge::Never => "never".to_owned(),
    }
}

/// Days, with `never` longer than any.
fn max_age_days(age: &MaxAge) -> i64 {
    match age {
        MaxAge::Days(days) => days.days,
        MaxAge::Never => i64::MAX,
    }
}

fn identity_changes(
    old: &Registry,
    before: &Identity,
    new: &Registry,
    after: &Identity,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for role in Role::ALL.iter().copied() {
        let was = before.owner(role).id().map(|id| id.value.to_string());
        let now = after.owner(role).id().map(|id| id.value.to_string());
        if was == now {
            continue;
        }
        let state = now.as_deref().map(|id| owner_state(new, id));
        let why = match (&now, &state) {
            (None, _) => Some(format!("the {role} role is left without an owner")),
            (Some(_), Some(state)) if new.has_directory() && !state.in_directory => {
                Some("the new owner is not in the owner directory".to_owned())
            }
            (Some(_), Some(state)) if state.status == Some(OwnerStatus::Inactive) => {
                Some("the new owner is inactive".to_owned())
            }
            (Some(_), Some(state))
                if state.kind == Some(OwnerKind::Vendor) && role != Role::Technical =>
            {
                Some(format!(
                    "a vendor now holds the {role} role, which stays in-house"
                ))
            }
            _ => None,
        };
        let mut change = Change::new(format!("owners.{role}"), was, now).weakening(why);
        change.owner = state;
        changes.push(change);
    }
    if before.privileged != after.privileged {
        let why = (before.privileged && !after.privileged).then(|| {
            format!(
                "no longer privileged: reviewed every {} instead of every {}",
                new.policy.review_interval, old.policy.privileged_review_interval
            )
        });
        changes.push(
            Change::new(
                "privileged",
                Some(before.privileged.to_string()),
                Some(after.privileged.to_string()),
            )
            .weakening(why),
        );
    }
    for (field, was, now) in [
        (
            "kind",
            Some(before.kind.value.to_string()),
            Some(after.kind.value.to_string()),
        ),
        (
            "status",
            Some(before.status.to_string()),
            Some(after.status.to_string()),
        ),
    ] {
        if was != now {
            changes.push(Change::new(field, was, now));
        }
    }
    let declared = |i: &Identity| i.max_age.as_ref().map(|a| max_age_days(&a.value));
    if declared(before) != declared(after) {
        let (was, now) = (old.policy.max_age(before), new.policy.max_age(after));
        let why = (max_age_days(&now) > max_age_days(&was)).then(|| {
            format!(
                "the credential may now go unrotated for {} instead of {}",
                max_age_text(&now),
                max_age_text(&was)
            )
        });
        changes.push(
            Change::new(
                "rotation.max_age",
                before.max_age.as_ref().map(|a| max_age_text(&a.value)),
                after.max_age.as_ref().map(|a| max_age_text(&a.value)),
            )
            .weakening(why),
        );
    }
    for (field, was, now) in [
        (
            "rotation.last_rotated",
            text(before.last_rotated.as_ref()),
            text(after.last_rotated.as_ref()),
        ),
        (
            "expires",
            text(before.expires.as_ref()),
            text(after.expires.as_ref()),
        ),
        (
            "last_reviewed",
            text(before.last_reviewed.as_ref()),
            text(after.last_reviewed.as_ref()),
        ),
        (
            "created",
            text(before.created.as_ref()),
            text(after.created.as_ref()),
        ),
        (
            "revoked",
            text(before.revoked.as_ref()),
            text(after.revoked.as_ref()),
        ),
        (
            "escalation",
            text(before.escalation.as_ref()),
            text(after.escalation.as_ref()),
        ),
        (
            "ref",
            text(before.reference.as_ref()),
            text(after.reference.as_ref()),
        ),
    ] {
        if was != now {
            changes.push(Change::new(field, was, now));
        }
    }
    changes.extend(exception_changes(before, after));
    changes
}

fn exception_state(e: &Exception) -> ExceptionState {
    ExceptionState {
        rule: e.rule.value,
        nth: e.nth,
        reason: e.reason.value.clone(),
        approved_by: text(e.approved_by.as_ref()),
        expires: text(e.expires.as_ref()),
        ticket: text(e.ticket.as_ref()),
    }
}

/// Exceptions matched by rule (and which one of several for a rule).
fn exception_changes(before: &Identity, after: &Identity) -> Vec<Change> {
    let key = |e: &Exception| (e.rule.value, e.nth);
    let old: HashMap<(RuleId, u32), &Exception> =
        before.exceptions.iter().map(|e| (key(e), e)).collect();
    let new_keys: HashSet<(RuleId, u32)> = after.exceptions.iter().map(key).collect();
    let mut changes = Vec::new();
    let with = |mut change: Change, e: &Exception| {
        change.exception = Some(exception_state(e));
        change
    };
    for e in &after.exceptions {
        let rule = e.rule.value;
        let expires = e.expires.as_ref().map(|d| d.value);
        let Some(was) = old.get(&key(e)) else {
            let why = format!(
                "accepts the risk of {rule} until {}",
                expires.map_or("no date".to_owned(), |d| d.to_string())
            );
            changes.push(with(
                Change::new("exceptions", None, expires.map(|d| d.to_string()))
                    .kind("added")
                    .weakening(Some(why)),
                e,
            ));
            continue;
        };
        let was_expires = was.expires.as_ref().map(|d| d.value);
        if was_expires != expires {
            // An exception without an expiry suppresses nothing: dropping
            // the date ends it rather than extending it.
            let (change, why) = match (was_expires, expires) {
                (Some(a), Some(b)) if b > a => (
                    "extended",
                    Some(format!(
                        "accepts the risk of {rule} {} longer",
                        crate::wording::days((b - a).num_days())
                    )),
                ),
                (None, Some(_)) => (
                    "extended",
                    Some(format!("the exception for {rule} now applies")),
                ),
                _ => ("shortened", None),
            };
            changes.push(with(
                Change::new(
                    "exceptions",
                    was_expires.map(|d| d.to_string()),
                    expires.map(|d| d.to_string()),
                )
                .kind(change)
                .weakening(why),
                e,
            ));
        }
        let approver = |x: &Exception| text(x.approved_by.as_ref());
        if approver(was) != approver(e) {
            changes.push(with(
                Change::new("exceptions", approver(was), approver(e)).kind("re-approved"),
                e,
            ));
        }
    }
    for e in &before.exceptions {
        if !new_keys.contains(&key(e)) {
            changes.push(with(
                Change::new("exceptions", text(e.expires.as_ref()), None).kind("removed"),
                e,
            ));
        }
    }
    changes
}

fn owner_state(registry: &Registry, id: &str) -> OwnerState {
    match registry.owner(id) {
        Some(owner) => OwnerState {
            in_directory: true,
            kind: Some(owner.kind.value),
            status: Some(owner.status),
        },
        None => OwnerState {
            in_directory: false,
            kind: None,
            status: None,
        },
    }
}

// -------------------------------------------------------------------- policy

/// The policy's max age for a kind: its own, else the general one, else the built-in.
fn kind_max_age(policy: &Policy, kind: IdentityKind) -> MaxAge {
    if let Some(age) = policy.rotation_kinds.get(&kind) {
        return age.clone();
    }
    match &policy.rotation_max_age {
        Some(days) => MaxAge::Days(days.clone()),
        None => kind.default_max_age(),
    }
}

/// Rank of a policy severity: higher is more lenient, `off` most.
fn leniency(severity: Option<Severity>) -> u8 {
    match severity {
        Some(Severity::Error) => 0,
        Some(Severity::Warning) => 1,
        Some(Severity::Info) => 2,
        None => 3,
    }
}

fn compare_policy(old_registry: &Registry, new_registry: &Registry) -> Vec<Change> {
    let (old, new) = (&old_registry.policy, &new_registry.policy);
    let mut changes = Vec::new();
    for role in Role::ALL {
        match (
            old.required_owners.contains(role),
            new.required_owners.contains(role),
        ) {
            (true, false) => changes.push(
                Change::new("required_owners", Some(role.to_string()), None)
                    .kind("removed")
                    .weakening(Some(format!(
                        "an identity without a {role} owner no longer fails"
                    ))),
            ),
            (false, true) => changes
                .push(Change::new("required_owners", None, Some(role.to_string())).kind("added")),
            _ => {}
        }
    }
    // Max ages: a change is judged by the kinds it governs.
    let raised = |kinds: &mut dyn Iterator<Item = IdentityKind>| -> Vec<String> {
        kinds
            .filter(|&k| max_age_days(&kind_max_age(new, k)) > max_age_days(&kind_max_age(old, k)))
            .map(|k| {
                format!(
                    "{k} {} → {}",
                    max_age_text(&kind_max_age(old, k)),
                    max_age_text(&kind_max_age(new, k))
                )
            })
            .collect()
    };
    let days = |d: &Option<Days>| d.as_ref().map(|d| d.days);
    if days(&old.rotation_max_age) != days(&new.rotation_max_age) {
        let governed = IdentityKind::ALL
            .iter()
            .copied()
            .filter(|k| !old.rotation_kinds.contains_key(k) || !new.rotation_kinds.contains_key(k));
        let raised = raised(&mut governed.into_iter());
        changes.push(
            Change::new(
                "rotation.max_age",
                old.rotation_max_age.as_ref().map(ToString::to_string),
                new.rotation_max_age.as_ref().map(ToString::to_string),
            )
            .weakening(max_ages_raised(&raised)),
        );
    }
    for kind in IdentityKind::ALL.iter().copied() {
        let (was, now) = (old.rotation_kinds.get(&kind), new.rotation_kinds.get(&kind));
        if was.map(max_age_days) != now.map(max_age_days) {
            let raised = raised(&mut std::iter::once(kind));
            changes.push(
                Change::new(
                    format!("rotation.kinds.{kind}"),
                    was.map(max_age_text),
                    now.map(max_age_text),
                )
                .weakening(max_ages_raised(&raised)),
            );
        }
    }
    // (field, old, new, whether a larger value is the more lenient one, what it does)
    let intervals: [(&str, &Days, &Days, bool, &str); 5] = [
        (
            "review_interval",
            &old.review_interval,
            &new.review_interval,
            true,
            "access reviews fall due later",
        ),
        (
            "privileged_review_interval",
            &old.privileged_review_interval,
            &new.privileged_review_interval,
            true,
            "privileged identities' reviews fall due later",
        ),
        (
            "warn_within",
            &old.warn_within,
            &new.warn_within,
            false,
            "deadlines are warned about later",
        ),
        (
            "max_exception",
            &old.max_exception,
            &new.max_exception,
            true,
            "exceptions may run longer",
        ),
        (
            "unused_after",
            &old.unused_after,
            &new.unused_after,
            true,
            "unused credentials are reported later",
        ),
    ];
    for (field, was, now, larger_is_lenient, does) in intervals {
        if was.days != now.days {
            let lenient = (now.days > was.days) == larger_is_lenient;
            changes.push(
                Change::new(field, Some(was.to_string()), Some(now.to_string()))
                    .weakening(lenient.then(|| does.to_owned())),
            );
        }
    }
    for rule in RuleId::ALL.iter().copied() {
        let (was, now) = (
            crate::audit::severity(old_registry, rule),
            crate::audit::severity(new_registry, rule),
        );
        if was != now {
            let word = |s: Option<Severity>| s.map_or("off", Severity::as_str).to_owned();
            let why = (leniency(now) > leniency(was)).then(|| match now {
                None => format!("{rule} is no longer reported"),
                Some(s) => format!("{rule} is reported as {s} instead of {}", word(was)),
            });
            changes.push(
                Change::new(format!("severity.{rule}"), Some(word(was)), Some(word(now)))
                    .weakening(why),
            );
        }
    }
    let globs = |p: &Policy| -> Vec<String> {
        p.ignore_refs
            .globs
            .iter()
            .map(|g| g.value.clone())
            .collect()
    };
    let (was, now) = (globs(old), globs(new));
    for glob in &now {
        if !was.contains(glob) {
            changes.push(
                Change::new("ignore_refs", None, Some(glob.clone()))
                    .kind("added")
                    .weakening(Some(
                        "inventory records it matches are no longer reported".to_owned(),
                    )),
            );
        }
    }
    for glob in &was {
        if !now.contains(glob) {
            changes.push(Change::new("ignore_refs", Some(glob.clone()), None).kind("removed"));
        }
    }
    changes
}

fn max_ages_raised(raised: &[String]) -> Option<String> {
    (!raised.is_empty()).then(|| format!("max age raised: {}", raised.join(", ")))
}

// -------------------------------------------------------------------- owners

/// How often each owner id is referenced: identity roles (retired ones
/// included), team members, exception approvers.
fn references(registry: &Registry) -> HashMap<&str, usize> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let ids = registry
        .identities
        .iter()
        .flat_map(|i| {
            i.owners
                .iter()
                .filter_map(|r| r.id())
                .chain(i.exceptions.iter().filter_map(|e| e.approved_by.as_ref()))
        })
        .chain(registry.owners.iter().flat_map(|o| o.members.iter()));
    for id in ids {
        *counts.entry(id.value.as_ref()).or_insert(0) += 1;
    }
    counts
}

fn owner_change(
    registry: &Registry,
    owner: &Owner,
    change: &'static str,
    references: usize,
) -> OwnerChange {
    OwnerChange {
        id: owner.id.value.clone(),
        change,
        kind: owner.kind.value,
        status: owner.status,
        references,
        file: registry.file(owner.loc).to_owned(),
        line: owner.loc.line,
        column: owner.loc.col,
        changes: Vec::new(),
        flagged: false,
        why: None,
    }
}

fn compare_owners(old: &Registry, new: &Registry) -> Vec<OwnerChange> {
    let refs = references(new);
    let count = |id: &str| refs.get(id).copied().unwrap_or(0);
    let mut out = Vec::new();
    for after in &new.owners {
        let id = after.id.value.as_str();
        let Some(before) = old.owner(id) else {
            out.push(owner_change(new, after, "added", count(id)));
            continue;
        };
        let mut changes = Vec::new();
        let mut why = None;
        if before.kind.value != after.kind.value {
            changes.push(Change::new(
                "kind",
                Some(before.kind.value.to_string()),
                Some(after.kind.value.to_string()),
            ));
            if after.kind.value == OwnerKind::Vendor && count(id) > 0 {
                why = Some(format!(
                    "now a vendor, still referenced {}",
                    plural(count(id), "time", "times")
                ));
            }
        }
        if before.status != after.status {
            changes.push(Change::new(
                "status",
                Some(before.status.to_string()),
                Some(after.status.to_string()),
            ));
            if after.status == OwnerStatus::Inactive {
                why = Some(format!(
                    "marked inactive, still referenced {}",
                    plural(count(id), "time", "times")
                ));
            }
        }
        let field = |o: &Owner| text(o.contact.as_ref());
        if field(before) != field(after) {
            changes.push(Change::new("contact", field(before), field(after)));
        }
        let field = |o: &Owner| text(o.name.as_ref());
        if field(before) != field(after) {
            changes.push(Change::new("name", field(before), field(after)));
        }
        let members =
            |o: &Owner| -> Vec<String> { o.members.iter().map(|m| m.value.to_string()).collect() };
        let (was, now) = (members(before), members(after));
        for m in now.iter().filter(|m| !was.contains(m)) {
            changes.push(Change::new("members", None, Some(m.clone())).kind("added"));
        }
        for m in was.iter().filter(|m| !now.contains(m)) {
            changes.push(Change::new("members", Some(m.clone()), None).kind("removed"));
        }
        if !changes.is_empty() {
            let mut change = owner_change(new, after, "changed", count(id));
            change.changes = changes;
            change.flagged = why.is_some();
            change.why = why;
            out.push(change);
        }
    }
    for before in &old.owners {
        let id = before.id.value.as_str();
        if new.owner(id).is_none() {
            let mut change = owner_change(old, before, "removed", count(id));
            if count(id) > 0 {
                change.flagged = true;
                change.why = Some(format!(
                    "removed while still referenced {}",
                    plural(count(id), "time", "times")
                ));
            }
            out.push(change);
        }
    }
    out
}

// ------------------------------------------------------------------ findings

fn compare_findings(old: &Report, new: &Report) -> Findings {
    let fingerprints = |findings: &mut dyn Iterator<Item = &Finding>| -> HashSet<String> {
        findings.map(|f| f.fingerprint.clone()).collect()
    };
    let old_open = fingerprints(&mut old.findings.iter());
    let old_suppressed = fingerprints(&mut old.suppressed.iter().map(|s| &s.finding));
    let new_open = fingerprints(&mut new.findings.iter());
    let new_suppressed = fingerprints(&mut new.suppressed.iter().map(|s| &s.finding));
    Findings {
        introduced: new
            .findings
            .iter()
            .filter(|f| !old_open.contains(&f.fingerprint))
            .cloned()
            .collect(),
        resolved: old
            .findings
            .iter()
            .filter(|f| {
                !new_open.contains(&f.fingerprint) && !new_suppressed.contains(&f.fingerprint)
            })
            .cloned()
            .collect(),
        newly_suppressed: new
            .suppressed
            .iter()
            .filter(|s| !old_suppressed.contains(&s.finding.fingerprint))
            .cloned()
            .collect(),
    }
}

// ----------------------------------------------------------------- renderers

/// The diff as JSON (findings exactly as `audit --format json` writes them).
pub fn json(diff: &Diff) -> String {
    crate::report::json::to_safe_json(diff)
}

fn or_unset(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "unset".to_owned())
}

/// How a change reads: `owners.technical: team-a → acme (vendor, active)`.
/// Not escaped: each renderer escapes or quotes what it prints.
fn describe(change: &Change) -> (String, String, String) {
    let what = match (change.change, &change.exception) {
        (Some(kind), Some(e)) if e.nth > 1 => format!("exception {} #{} {kind}", e.rule, e.nth),
        (Some(kind), Some(e)) => format!("exception {} {kind}", e.rule),
        (Some(kind), None) => format!("{} {kind}", change.field),
        (None, _) => change.field.clone(),
    };
    (what, or_unset(&change.old), or_unset(&change.new))
}

/// The new owner's kind and status: `vendor, active`, or `not in the directory`.
fn owner_note(change: &Change) -> Option<String> {
    let state = change.owner.as_ref()?;
    Some(match (state.kind, state.status) {
        (Some(kind), Some(status)) => format!("{kind}, {status}"),
        _ => "not in the directory".to_owned(),
    })
}

fn owners_text(owners: &Owners) -> String {
    let role = |name: &str, id: &Option<crate::registry::Shared>| {
        format!("{name}: {}", id.as_deref().unwrap_or("missing"))
    };
    [
        role("policy", &owners.policy),
        role("technical", &owners.technical),
        role("revocation", &owners.revocation),
    ]
    .join(", ")
}

fn label(e: &IdentityEntry) -> String {
    let mut label = e.id.clone();
    if e.occurrence > 1 {
        let _ = write!(label, " (entry {})", e.occurrence);
    }
    label
}

fn traits(e: &IdentityEntry) -> String {
    let mut traits = vec![e.kind.to_string()];
    if e.privileged {
        traits.push("privileged".to_owned());
    }
    if e.status != IdentityStatus::Active {
        traits.push(e.status.to_string());
    }
    traits.join(", ")
}

fn location(file: &str, line: u32, column: u32) -> String {
    format!("{file}:{line}:{column}")
}

/// For people at a terminal: every registry string escaped, and no line
/// begins with one (a CI log would read `::error::` there as a command).
pub fn table(diff: &Diff, color: bool) -> String {
    let mut out = String::new();
    let marker = |text: &str| paint(text, Severity::Warning, color);
    let _ = writeln!(out, "nhi-own diff: {}", escape(&diff.line()));
    let ids = &diff.identities;
    if !ids.added.is_empty() {
        let _ = writeln!(out, "\nIdentities added ({}):", ids.added.len());
        for e in &ids.added {
            let _ = writeln!(
                out,
                "  + {} ({}) at {}\n      {}",
                escape(&label(e)),
                traits(e),
                escape(&location(&e.file, e.line, e.column)),
                escape(&owners_text(&e.owners))
            );
        }
    }
    if !ids.removed.is_empty() {
        let _ = writeln!(out, "\nIdentities removed ({}):", ids.removed.len());
        for e in &ids.removed {
            let _ = writeln!(
                out,
                "  - {} ({}) was at {}",
                escape(&label(e)),
                traits(e),
                escape(&location(&e.file, e.line, e.column))
            );
        }
    }
    let change_line = |out: &mut String, indent: &str, c: &Change| {
        let (what, was, now) = describe(c);
        let mut line = format!(
            "{indent}{}: {} → {}",
            escape(&what),
            escape(&was),
            escape(&now)
        );
        if let Some(note) = owner_note(c) {
            let _ = write!(line, " ({note})");
        }
        if let Some(why) = &c.why {
            let _ = write!(line, "  {} {}", marker("weakens:"), escape(why));
        }
        let _ = writeln!(out, "{line}");
    };
    if !ids.changed.is_empty() {
        let _ = writeln!(out, "\nIdentities changed ({}):", ids.changed.len());
        for e in &ids.changed {
            let _ = writeln!(
                out,
                "  ~ {} ({}) at {}",
                escape(&label(e)),
                traits(e),
                escape(&location(&e.file, e.line, e.column))
            );
            for c in &e.changes {
                change_line(&mut out, "      ", c);
            }
        }
    }
    if !diff.policy.is_empty() {
        let _ = writeln!(out, "\nPolicy ({}):", diff.policy.len());
        for c in &diff.policy {
            change_line(&mut out, "  ~ ", c);
        }
    }
    if !diff.owners.is_empty() {
        let _ = writeln!(out, "\nOwners ({}):", diff.owners.len());
        for o in &diff.owners {
            let sign = match o.change {
                "added" => "+",
                "removed" => "-",
                _ => "~",
            };
            let mut line = format!(
                "  {sign} owner {} ({}, {}) {}",
                escape(&o.id),
                o.kind,
                o.status,
                o.change
            );
            if let Some(why) = &o.why {
                let _ = write!(line, "  {} {}", marker("flagged:"), escape(why));
            }
            let _ = writeln!(out, "{line}");
            for c in &o.changes {
                change_line(&mut out, "      ", c);
            }
        }
    }
    let finding_line = |out: &mut String, f: &Finding| {
        let _ = writeln!(
            out,
            "  {}[{}] {}: {} ({})",
            paint(f.severity.as_str(), f.severity, color),
            f.rule,
            escape(&f.subject()),
            escape(&f.message),
            escape(&location(&f.file, f.line, f.column))
        );
    };
    let found = &diff.findings;
    for (title, findings) in [
        ("Findings introduced", &found.introduced),
        ("Findings resolved", &found.resolved),
    ] {
        if !findings.is_empty() {
            let _ = writeln!(out, "\n{title} ({}):", findings.len());
            for f in findings {
                finding_line(&mut out, f);
            }
        }
    }
    if !found.newly_suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\nNewly suppressed by exceptions ({}):",
            found.newly_suppressed.len()
        );
        for s in &found.newly_suppressed {
            finding_line(&mut out, &s.finding);
            let _ = writeln!(
                out,
                "      excepted: {}",
                escape(&exception_text(&s.exception))
            );
        }
    }
    out
}

fn exception_text(e: &crate::report::ExceptionInfo) -> String {
    format!(
        "{}; approved by {}, until {}",
        e.reason,
        e.approved_by.as_deref().unwrap_or("nobody"),
        e.expires.as_deref().unwrap_or("no date")
    )
}

/// A value cell: the registry string as code, or a dash when unset.
fn cell(value: &Option<String>) -> String {
    match value.as_deref() {
        Some(v) if !v.is_empty() => code(v),
        _ => "—".to_owned(),
    }
}

/// For a pull-request comment or a job summary: the summary line, then
/// each section in a `<details>` block. Every registry string is an inline
/// code span (see [`crate::report::markdown`]); the HTML is the tool's own.
pub fn markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let s = &diff.summary;
    let status = if s.introduced_errors > 0 {
        "❌"
    } else if s.weakens || s.introduced > 0 || s.flagged_owners > 0 {
        "⚠️"
    } else {
        "✅"
    };
    let _ = writeln!(out, "### {status} nhi-own diff\n\n{}\n", diff.line());
    if diff.is_empty() {
        return out;
    }
    let open = |out: &mut String, title: String, expanded: bool| {
        let attr = if expanded { " open" } else { "" };
        let _ = writeln!(out, "<details{attr}><summary>{title}</summary>\n");
    };
    let close = |out: &mut String| out.push_str("\n</details>\n\n");
    let found = &diff.findings;
    if !found.introduced.is_empty() {
        open(
            &mut out,
            format!("Findings introduced ({})", found.introduced.len()),
            true,
        );
        findings_table(&mut out, &found.introduced);
        close(&mut out);
    }
    if !found.newly_suppressed.is_empty() {
        open(
            &mut out,
            format!(
                "Findings newly suppressed by exceptions ({})",
                found.newly_suppressed.len()
            ),
            true,
        );
        out.push_str(
            "| severity | rule | identity | message | reason | approved by | until |\n|---|---|---|---|---|---|---|\n",
        );
        for x in &found.newly_suppressed {
            let f = &x.finding;
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                f.severity,
                f.rule,
                code(&f.subject()),
                code(&f.message),
                code(&x.exception.reason),
                cell(&x.exception.approved_by),
                cell(&x.exception.expires)
            );
        }
        close(&mut out);
    }
    let ids = &diff.identities;
    if !ids.changed.is_empty() {
        open(
            &mut out,
            format!("Identities changed ({})", ids.changed.len()),
            false,
        );
        out.push_str("| identity | change | before | after | |\n|---|---|---|---|---|\n");
        for e in &ids.changed {
            for c in &e.changes {
                let (what, _, _) = describe(c);
                let mut after = cell(&c.new);
                if let Some(note) = owner_note(c) {
                    let _ = write!(after, " ({note})");
                }
                let _ = writeln!(
                    out,
                    "| {}{} | {} | {} | {after} | {} |",
                    code(&label(e)),
                    if e.privileged { " (privileged)" } else { "" },
                    code(&what),
                    cell(&c.old),
                    weakens_cell(c.why.as_deref())
                );
            }
        }
        close(&mut out);
    }
    if !ids.added.is_empty() {
        open(
            &mut out,
            format!("Identities added ({})", ids.added.len()),
            false,
        );
        identities_table(&mut out, &ids.added);
        close(&mut out);
    }
    if !ids.removed.is_empty() {
        open(
            &mut out,
            format!("Identities removed ({})", ids.removed.len()),
            false,
        );
        identities_table(&mut out, &ids.removed);
        close(&mut out);
    }
    if !diff.policy.is_empty() {
        open(
            &mut out,
            format!("Policy changes ({})", diff.policy.len()),
            false,
        );
        out.push_str("| setting | before | after | |\n|---|---|---|---|\n");
        for c in &diff.policy {
            let (what, _, _) = describe(c);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&what),
                cell(&c.old),
                cell(&c.new),
                weakens_cell(c.why.as_deref())
            );
        }
        close(&mut out);
    }
    if !diff.owners.is_empty() {
        open(
            &mut out,
            format!("Owner directory changes ({})", diff.owners.len()),
            false,
        );
        out.push_str("| owner | change | before | after | |\n|---|---|---|---|---|\n");
        for o in &diff.owners {
            let flag = o
                .why
                .as_deref()
                .map(|why| format!("🚩 {why}"))
                .unwrap_or_default();
            if o.changes.is_empty() {
                let _ = writeln!(
                    out,
                    "| {} | {} ({}, {}) | — | — | {flag} |",
                    code(&o.id),
                    o.change,
                    o.kind,
                    o.status
                );
            }
            for (i, c) in o.changes.iter().enumerate() {
                let (what, _, _) = describe(c);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    code(&o.id),
                    code(&what),
                    cell(&c.old),
                    cell(&c.new),
                    if i == 0 { flag.as_str() } else { "" }
                );
            }
        }
        close(&mut out);
    }
    if !found.resolved.is_empty() {
        open(
            &mut out,
            format!("Findings resolved ({})", found.resolved.len()),
            false,
        );
        findings_table(&mut out, &found.resolved);
        close(&mut out);
    }
    let _ = writeln!(
        out,
        "Both registries audited as of {}. `nhi-own explain RULE` tells why a rule matters and how to fix it.",
        diff.now
    );
    out
}

fn weakens_cell(why: Option<&str>) -> String {
    // The tool's own words (rule ids, roles, durations): no registry text.
    why.map(|why| format!("⚠️ weakens: {why}"))
        .unwrap_or_default()
}

fn identities_table(out: &mut String, entries: &[IdentityEntry]) {
    out.push_str(
        "| identity | kind | policy | technical | revocation | location |\n|---|---|---|---|---|---|\n",
    );
    for e in entries {
        let role = |id: &Option<crate::registry::Shared>| match id {
            Some(id) => code(id),
            None => "**missing**".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(&label(e)),
            traits(e),
            role(&e.owners.policy),
            role(&e.owners.technical),
            role(&e.owners.revocation),
            code(&location(&e.file, e.line, e.column))
        );
    }
}
