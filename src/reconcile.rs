//! `reconcile`: the registry against the inventories of the systems that
//! issue its credentials (SPEC §2, the drift group; §6). Pure: the
//! inventories are read before, `today` is passed in.
//!
//! A record matches the identity whose `ref` is its reference or one of its
//! aliases. An unmatched record is `unregistered-identity` (unless it is a
//! person, or `policy.ignore_refs` names it); a matched one is checked
//! against its identity (`rotation-drift`, `unused-credential`,
//! `interactive-login`, `inventory-expiry`); an identity in service whose
//! ref lies in a scope an inventory covers, and that no record matches, is
//! `absent-from-inventory`. Findings on identities pass through their valid
//! exceptions, as in `audit`.

use crate::audit::{record_on_identity, valid_exceptions};
use crate::inventory::{At, Credential, Inventory, Record, Scope};
use crate::registry::{Date, Identity, Loc, Registry};
use crate::report::{InventoryCounts, Report, Subject};
use crate::rules::{Context, RuleId, Severity, Violation, Window};
use crate::wording::{days, plural, until};
use std::collections::{HashMap, HashSet};

/// An inventory, read, and the index of its file in the registry's file
/// table (so findings are located in it).
pub struct Source {
    pub file: u32,
    pub inventory: Inventory,
}

/// How `reconcile` reads its inventories.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Report AWS users that are people (a console password, no key).
    pub include_humans: bool,
}

fn loc(file: u32, at: At) -> Loc {
    Loc {
        file,
        line: at.line,
        col: at.col,
    }
}

/// Whether `reference` lies in `scope`.
pub fn in_scope(reference: &str, scope: &Scope) -> bool {
    match scope {
        Scope::AwsAccount(account) => {
            let mut parts = reference.splitn(6, ':');
            parts.next() == Some("arn")
                && parts.next().is_some()
                && parts.next() == Some("iam")
                && parts.next() == Some("")
                && parts.next() == Some(account.as_str())
        }
        Scope::KubernetesNamespace(namespace) => reference
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(ns, _)| ns == namespace),
        Scope::GcpServiceAccount(account) => {
            reference == account
                || reference
                    .strip_prefix("projects/")
                    .and_then(|rest| rest.split_once("/serviceAccounts/"))
                    .and_then(|(_, rest)| rest.split_once("/keys/"))
                    .is_some_and(|(a, _)| a == account)
        }
        Scope::EntraApplications => crate::inventory::is_guid(reference),
    }
}

fn describe_scope(scope: &Scope) -> String {
    match scope {
        Scope::AwsAccount(a) => format!("AWS account {a}"),
        Scope::KubernetesNamespace(ns) => format!("Kubernetes namespace {ns}"),
        Scope::GcpServiceAccount(a) => format!("the keys of GCP service account {a}"),
        Scope::EntraApplications => "the Entra ID applications".to_owned(),
    }
}

/// Reconciles the registry with the inventories as of `today`.
pub fn reconcile<'r>(
    registry: &'r Registry,
    sources: &[Source],
    today: Date,
    options: Options,
) -> Report<'r> {
    let ctx = Context::new(registry, today);
    let mut report = Report::new(registry, today);
    let subjects: Vec<(&Identity, Subject)> = Subject::identities(registry).collect();
    // Each ref names its first identity in service (a second is `duplicate-ref`).
    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for (index, identity) in registry.identities.iter().enumerate() {
        if let Some(r) = &identity.reference {
            by_ref.entry(r.value.as_str()).or_insert(index);
        }
    }
    let mut counts = InventoryCounts::default();
    let mut on_identity: Vec<Vec<Violation>> = vec![Vec::new(); registry.identities.len()];
    let mut matched = vec![false; registry.identities.len()];
    // The newest rotation the inventories record of each identity's active
    // credentials, over every record it matches (a GCP service account's
    // keys are records of their own), and where.
    let mut newest: Vec<Option<(Date, u32, &Credential)>> = vec![None; registry.identities.len()];
    // What the inventories list without a record: not absent.
    let listed: HashSet<&str> = sources
        .iter()
        .flat_map(|s| &s.inventory.listed)
        .map(String::as_str)
        .collect();
    // How often each ref was listed so far: the same ref in two inventories
    // (two clusters' `kube-system:coredns`), or on two rows of a generic CSV
    // (two credentials), gives findings of their own, told apart by `nth`.
    let mut listings: HashMap<&str, u32> = HashMap::new();
    for source in sources {
        counts.records += source.inventory.records.len() + source.inventory.skipped;
        counts.skipped += source.inventory.skipped;
        for record in &source.inventory.records {
            let nth = listings.entry(record.reference.as_str()).or_insert(0);
            *nth += 1;
            let nth = *nth;
            let found = std::iter::once(&record.reference)
                .chain(&record.aliases)
                .find_map(|r| by_ref.get(r.as_str()).copied());
            match found {
                Some(index) => {
                    counts.matched += 1;
                    matched[index] = true;
                    let identity = &registry.identities[index];
                    if !identity.is_retired() {
                        drift(&ctx, source.file, record, nth, &mut on_identity[index]);
                        let latest = record
                            .credentials
                            .iter()
                            .filter(|c| c.active)
                            .filter_map(|c| c.rotated.map(|d| (d, source.file, c)))
                            .max_by_key(|(d, _, _)| *d);
                        if let Some(latest) = latest
                            && newest[index].is_none_or(|(d, _, _)| latest.0 >= d)
                        {
                            newest[index] = Some(latest);
                        }
                    }
                }
                None if record.human && !options.include_humans => counts.people += 1,
                None => {
                    if registry
                        .policy
                        .ignore_refs
                        .matching(&record.reference)
                        .is_some()
                    {
                        counts.ignored += 1;
                        continue;
                    }
                    if let Some(severity) =
                        crate::audit::severity(registry, RuleId::UnregisteredIdentity)
                    {
                        report.push(crate::report::Finding::new(
                            registry,
                            Subject::Record(record.reference.clone()),
                            unregistered(source.file, record).nth(nth),
                            severity,
                        ));
                    }
                }
            }
        }
    }
    for (index, (identity, subject)) in subjects.iter().enumerate() {
        if identity.is_retired() {
            continue;
        }
        let mut violations = std::mem::take(&mut on_identity[index]);
        if let (Some(claimed), Some(reference), Some((seen, file, credential))) =
            (&identity.last_rotated, &identity.reference, newest[index])
            && seen < claimed.value
        {
            violations.push(rotation_drift(
                file,
                credential,
                seen,
                claimed,
                &reference.value,
            ));
        }
        let covering = identity.reference.as_ref().and_then(|r| {
            sources.iter().find_map(|s| {
                s.inventory
                    .scopes
                    .iter()
                    .find(|scope| in_scope(&r.value, scope))
                    .map(|scope| (r, s.file, scope))
            })
        });
        if !matched[index]
            && let Some((reference, file, scope)) = covering
            && !listed.contains(reference.value.as_str())
        {
            violations.push(
                Violation::new(
                    RuleId::AbsentFromInventory,
                    reference.loc,
                    format!(
                        "ref `{}` is in {}, which {} lists, but no record there has it",
                        reference.value,
                        describe_scope(scope),
                        registry.file(Loc {
                            file,
                            line: 1,
                            col: 1
                        })
                    ),
                )
                .related(
                    Loc {
                        file,
                        line: 1,
                        col: 1,
                    },
                    "the inventory that covers it",
                ),
            );
        }
        // Drift exceptions are judged where the identity is seen: matched,
        // or in the scope of an inventory.
        if !matched[index] && covering.is_none() {
            continue;
        }
        let valid: Vec<_> = valid_exceptions(&ctx, identity)
            .into_iter()
            .filter(|e| e.rule.value.group() == crate::rules::Group::Drift)
            .collect();
        record_on_identity(
            &mut report,
            registry,
            subject,
            violations.into_iter(),
            &valid,
        );
    }
    report.summary.inventory = Some(counts);
    report.finish();
    report
}

/// `unregistered-identity`, at the record.
fn unregistered(file: u32, record: &Record) -> Violation {
    let active = record.credentials.iter().filter(|c| c.active).count();
    let credentials = if record.credentials.is_empty() {
        String::new()
    } else {
        format!(
            ", with {}",
            plural(active, "active credential", "active credentials")
        )
    };
    let mut v = Violation::new(
        RuleId::UnregisteredIdentity,
        loc(file, record.at),
        format!(
            "{}{credentials}: no registry identity has `ref: {}`, so nobody owns it",
            record.description, record.reference
        ),
    );
    for link in &record.links {
        v = v.related(loc(file, record.at), format!("linked: {link}"));
    }
    v
}

/// `rotation-drift`: the registry claims a rotation the inventory never
/// saw. `seen` is the newest rotation of `credential`, the newest of all
/// the identity's active credentials in every inventory.
fn rotation_drift(
    file: u32,
    credential: &Credential,
    seen: Date,
    claimed: &crate::registry::Located<Date>,
    reference: &str,
) -> Violation {
    Violation::new(
        RuleId::RotationDrift,
        loc(file, credential.at),
        format!(
            "the registry says last rotated {}, but the inventory's latest rotation is {} ({}): {} earlier",
            claimed.value,
            seen,
            credential.name,
            days((claimed.value - seen).num_days())
        ),
    )
    .detail(reference)
    .related(claimed.loc, "the registry's `rotation.last_rotated`")
}

/// The drift checks on each credential of a record that matches an
/// identity (`rotation-drift`, over all of them, is the caller's).
/// `nth` tells the record from others with its ref.
fn drift(ctx: &Context<'_>, file: u32, record: &Record, nth: u32, out: &mut Vec<Violation>) {
    let policy = &ctx.registry.policy;
    let start = out.len();
    // unused-credential: active credentials with no use within unused_after.
    for credential in record.credentials.iter().filter(|c| c.active) {
        let Some(used) = credential.last_used else {
            continue;
        };
        let message = match used {
            Some(last) => {
                let ago = ctx.days_since(last);
                (ago > policy.unused_after.days).then(|| {
                    format!(
                        "{} last used {last}, {} ago; unused after {}",
                        credential.name,
                        days(ago),
                        policy.unused_after
                    )
                })
            }
            None => {
                let since = credential.rotated.or(record.created);
                since
                    .filter(|d| ctx.days_since(*d) > policy.unused_after.days)
                    .map(|d| {
                        format!(
                            "{} never used since {d}, {} ago; unused after {}",
                            credential.name,
                            days(ctx.days_since(d)),
                            policy.unused_after
                        )
                    })
            }
        };
        if let Some(message) = message {
            out.push(
                Violation::new(RuleId::UnusedCredential, loc(file, credential.at), message)
                    .detail(format!("{}\u{0}{}", record.reference, credential.name)),
            );
        }
    }
    // interactive-login: a human way in.
    if let Some(how) = &record.interactive {
        out.push(
            Violation::new(
                RuleId::InteractiveLogin,
                loc(file, record.at),
                format!("{how}: a person can sign in as this non-human identity"),
            )
            .detail(record.reference.as_str()),
        );
    }
    // inventory-expiry: the issuing system's expiry.
    for credential in record.credentials.iter().filter(|c| c.active) {
        let Some(expires) = credential.expires else {
            continue;
        };
        let (message, at_most) = match ctx.window(ctx.days_until(expires)) {
            Window::Passed(ago) => (
                format!("{} expired {expires}, {} ago", credential.name, days(ago)),
                None,
            ),
            Window::Within(left) => (
                format!(
                    "{} expires {expires}, {}; warning window {}",
                    credential.name,
                    until(left),
                    policy.warn_within
                ),
                Some(Severity::Warning),
            ),
            Window::Beyond(_) => continue,
        };
        let mut v = Violation::new(RuleId::InventoryExpiry, loc(file, credential.at), message)
            .detail(format!("{}\u{0}{}", record.reference, credential.name));
        v.at_most = at_most;
        out.push(v);
    }
    for v in &mut out[start..] {
        v.nth = nth;
    }
}
