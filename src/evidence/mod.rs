//! The evidence pack of SPEC §7: what an auditor is given to show that every
//! machine credential has an accountable owner, is rotated and reviewed, and
//! that every exception was approved and expires.
//!
//! [`Facts`] computes every figure once, from the registry and its report;
//! the renderers (`html`, `tables`) only lay them out. [`pack`] returns the
//! files of the pack, byte-identical for the same inputs and dates.

mod html;
mod svg;
mod tables;

use crate::catalogue::{Group, RuleId, Severity};
use crate::keyword::Keyword;
use crate::registry::{
    Date, Exception, FileDigest, Identity, IdentityKind, MaxAge, OwnerKind, Registry, Role,
};
use crate::report::{Finding, InventoryCounts, Report};
use crate::rules::Context;
use crate::rules::lifecycle::{Review, Rotation, review_due, rotation_due};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the pack is made from besides the registry and its report.
pub struct Inputs<'a> {
    /// When the pack was made (RFC 3339): the one time in it not derived
    /// from its inputs, fixed by `--now` or `SOURCE_DATE_EPOCH`.
    pub generated_at: &'a str,
    /// Whether inventories were read (the drift rules then ran).
    pub reconciled: bool,
    /// How many of the registry's files are registry files: the others,
    /// after them, are the inventories.
    pub registry_files: usize,
}

/// The files of a pack, in the order they are listed, `SHA256SUMS` last.
pub fn pack(
    registry: &Registry,
    report: &Report<'_>,
    inputs: &Inputs<'_>,
) -> Vec<(String, Vec<u8>)> {
    let facts = Facts::new(registry, report, inputs);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("report.html".to_owned(), html::render(&facts).into_bytes()),
        (
            "findings.json".to_owned(),
            crate::report::json::render(report).into_bytes(),
        ),
        ("controls.csv".to_owned(), tables::controls(&facts)),
        ("exceptions.csv".to_owned(), tables::exceptions(&facts)),
        ("owners.csv".to_owned(), tables::owners(&facts)),
    ];
    let manifest = manifest(&facts, &files);
    files.push(("manifest.json".to_owned(), manifest.into_bytes()));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let sums: String = files
        .iter()
        .map(|(name, bytes)| format!("{}  {name}\n", FileDigest::of(bytes).sha256))
        .collect();
    files.push(("SHA256SUMS".to_owned(), sums.into_bytes()));
    files
}

/// A share: `passing` of `total`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Ratio {
    pub passing: usize,
    pub total: usize,
    /// Of those not passing, how many a valid exception covers.
    pub excepted: usize,
}

impl Ratio {
    /// `87.5%`, or `n/a` when nothing is in scope.
    pub fn percent(&self) -> String {
        if self.total == 0 {
            return "n/a".to_owned();
        }
        // Rounded down, so that 99.95% is never shown as 100%.
        let tenths = self.passing * 1000 / self.total;
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

/// Where an exception stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Valid: it suppresses its rule's findings on its identity.
    Active,
    /// Valid, and expires within the policy's `warn_within`.
    Expiring,
    /// Past its expiry date.
    Expired,
    /// Suppresses nothing (not approved in-house, too long, no reason…).
    Invalid,
    /// On a retired identity: judged no more.
    Retired,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Expiring => "expiring",
            Standing::Expired => "expired",
            Standing::Invalid => "invalid",
            Standing::Retired => "identity retired",
        }
    }
}

/// One entry of the exception register.
pub(crate) struct ExceptionRow<'r> {
    pub identity: &'r Identity,
    pub exception: &'r Exception,
    pub standing: Standing,
    /// Why it suppresses nothing: the messages of its findings.
    pub why: Vec<&'r str>,
    pub file: &'r str,
}

/// An owner as a role shows it.
pub(crate) struct Holder<'r> {
    /// None when the role is missing.
    pub id: Option<&'r str>,
    /// `team`, `person`, `vendor`, or None when not in the directory.
    pub kind: Option<OwnerKind>,
    /// `active`, `inactive`, `not in the directory`, `missing`, or why a
    /// team cannot be held accountable.
    pub status: String,
    /// Held by an active, in-house owner of the directory.
    pub accountable: bool,
}

/// One identity as the accountability table shows it.
pub(crate) struct IdentityRow<'r> {
    pub identity: &'r Identity,
    pub file: &'r str,
    pub holders: [Holder<'r>; 3],
    /// Every required role held by an active in-house owner.
    pub covered: bool,
    pub open: usize,
    pub suppressed: usize,
}

/// One control of a framework, and how the registry stands against it.
pub(crate) struct ControlRow {
    pub framework: &'static str,
    pub id: &'static str,
    pub rules: Vec<RuleId>,
    /// Rules that did not run: turned `off` by the policy, or drift rules
    /// without an inventory.
    pub not_assessed: Vec<RuleId>,
    pub in_scope: usize,
    pub passing: usize,
    pub failing: usize,
    pub excepted: usize,
    /// Open findings of its rules, on identities and elsewhere (the owner
    /// directory, inventory records, the registry).
    pub findings: usize,
}

pub(crate) struct Facts<'r> {
    pub registry: &'r Registry,
    pub report: &'r Report<'r>,
    pub generated_at: &'r str,
    pub reconciled: bool,
    pub registry_files: usize,
    pub in_service: usize,
    pub coverage: Ratio,
    pub rotation: Ratio,
    pub review: Ratio,
    pub identities: Vec<IdentityRow<'r>>,
    pub exceptions: Vec<ExceptionRow<'r>>,
    pub controls: Vec<ControlRow>,
    /// In-service identities by credential age as a share of max age:
    /// no date, under half, up to the max, up to twice, over twice.
    pub ages: [usize; 5],
    /// Deadlines: overdue, then each of the next 13 weeks.
    pub deadlines: Vec<(String, usize)>,
    /// Teams of the directory: (id, identities held and covered, held and not).
    pub teams: Vec<(&'r str, usize, usize)>,
}

/// The labels of [`Facts::ages`].
pub(crate) const AGE_BUCKETS: [&str; 5] = [
    "no date, or one in the future",
    "under half the max age",
    "half to the max age",
    "up to twice the max age",
    "over twice the max age",
];

/// How far ahead the deadline chart looks.
const DEADLINE_WEEKS: i64 = 13;

impl<'r> Facts<'r> {
    fn new(registry: &'r Registry, report: &'r Report<'r>, inputs: &Inputs<'r>) -> Self {
        let now = report.now;
        let ctx = Context::new(registry, now);
        // Open and suppressed findings per identity entry.
        let mut open: Vec<Vec<&Finding>> = vec![Vec::new(); registry.identities.len()];
        let mut suppressed: Vec<Vec<&Finding>> = vec![Vec::new(); registry.identities.len()];
        for f in &report.findings {
            if let Some(list) = f.entry().and_then(|e| open.get_mut(e)) {
                list.push(f);
            }
        }
        for s in &report.suppressed {
            if let Some(list) = s.finding.entry().and_then(|e| suppressed.get_mut(e)) {
                list.push(&s.finding);
            }
        }
        let excepted = |entry: usize, rules: &[RuleId]| {
            suppressed[entry].iter().any(|f| rules.contains(&f.rule))
        };

        let mut coverage = Ratio::default();
        let mut rotation = Ratio::default();
        let mut review = Ratio::default();
        let mut ages = [0; 5];
        let mut identities = Vec::with_capacity(registry.identities.len());
        let mut exceptions = Vec::new();
        let mut in_service = 0;
        for (entry, identity) in registry.identities.iter().enumerate() {
            let holders = [Role::Policy, Role::Technical, Role::Revocation]
                .map(|role| holder(&ctx, identity, role));
            // At least one accountable owner, whatever the policy requires:
            // a policy that requires no role makes no identity covered.
            let covered = registry
                .policy
                .required_owners
                .iter()
                .all(|&role| holders[role_index(role)].accountable)
                && holders.iter().any(|h| h.accountable);
            let retired = identity.is_retired();
            if !retired {
                in_service += 1;
                count(&mut coverage, covered, false);
                match rotation_due(&registry.policy, identity) {
                    Rotation::Never => {}
                    Rotation::Undated { .. } => {
                        ages[0] += 1;
                        let why = [RuleId::MissingRotation];
                        count(&mut rotation, false, excepted(entry, &why));
                    }
                    Rotation::Due {
                        due,
                        reference,
                        max,
                        ..
                    } => {
                        let age = (now - reference.value).num_days();
                        let max_days = max.days.max(1);
                        // A date in the future (`date-in-future`) gives no age.
                        ages[match age * 2 / max_days {
                            _ if age < 0 => 0,
                            0 => 1,
                            1 => 2,
                            2 | 3 => 3,
                            _ => 4,
                        }] += 1;
                        // Within its max age by a date that is not in the
                        // future, and no inventory saw an older rotation.
                        let drifted = open[entry].iter().any(|f| f.rule == RuleId::RotationDrift);
                        let passing = due >= now && age >= 0 && !drifted;
                        count(
                            &mut rotation,
                            passing,
                            excepted(entry, &[RuleId::StaleRotation, RuleId::RotationDrift]),
                        );
                    }
                }
                let passing = match review_due(&registry.policy, identity) {
                    Review::Undated { .. } => false,
                    Review::Due { due, from, .. } => due >= now && from.value <= now,
                };
                count(
                    &mut review,
                    passing,
                    excepted(entry, &[RuleId::ReviewOverdue]),
                );
            }
            let file = registry.file(identity.loc);
            let valid = if retired {
                Vec::new()
            } else {
                crate::audit::valid_exceptions(&ctx, identity)
            };
            for (n, exception) in identity.exceptions.iter().enumerate() {
                let expired = exception.expires.as_ref().is_some_and(|e| e.value < now);
                let standing = if retired {
                    Standing::Retired
                } else if valid.iter().any(|v| std::ptr::eq(*v, exception)) {
                    let left = exception
                        .expires
                        .as_ref()
                        .map_or(i64::MAX, |e| (e.value - now).num_days());
                    if left <= registry.policy.warn_within.days {
                        Standing::Expiring
                    } else {
                        Standing::Active
                    }
                } else if expired {
                    Standing::Expired
                } else {
                    Standing::Invalid
                };
                // Its findings lie between it and the next exception.
                let next = identity.exceptions.get(n + 1).map(|e| e.loc);
                let why = open[entry]
                    .iter()
                    .filter(|f| f.rule.group() == Group::Exceptions)
                    .filter(|f| f.file == registry.file(exception.loc))
                    .filter(|f| {
                        (f.line, f.column) >= (exception.loc.line, exception.loc.col)
                            && next.is_none_or(|n| (f.line, f.column) < (n.line, n.col))
                    })
                    .map(|f| f.message.as_str())
                    .collect();
                exceptions.push(ExceptionRow {
                    identity,
                    exception,
                    standing,
                    why,
                    file: registry.file(exception.loc),
                });
            }
            identities.push(IdentityRow {
                identity,
                file,
                holders,
                covered,
                open: open[entry].len(),
                suppressed: suppressed[entry].len(),
            });
        }

        let controls = controls(registry, report, &open, &suppressed, inputs.reconciled);
        let teams = teams(registry, &identities);
        let deadlines = deadlines(registry, now);
        Facts {
            registry,
            report,
            generated_at: inputs.generated_at,
            reconciled: inputs.reconciled,
            registry_files: inputs.registry_files,
            in_service,
            coverage,
            rotation,
            review,
            identities,
            exceptions,
            controls,
            ages,
            deadlines,
            teams,
        }
    }

    /// Exceptions in each standing.
    pub fn standing(&self, standing: Standing) -> usize {
        self.exceptions
            .iter()
            .filter(|e| e.standing == standing)
            .count()
    }

    /// Open findings per rule, in catalogue order, rules without any left out.
    pub fn per_rule(&self) -> Vec<(RuleId, Severity, usize)> {
        let mut counts: BTreeMap<RuleId, (Severity, usize)> = BTreeMap::new();
        for f in &self.report.findings {
            let entry = counts.entry(f.rule).or_insert((f.severity, 0));
            // The most severe comes first.
            entry.0 = entry.0.min(f.severity);
            entry.1 += 1;
        }
        RuleId::ALL
            .iter()
            .filter_map(|r| counts.get(r).map(|(s, n)| (*r, *s, *n)))
            .collect()
    }

    /// Open findings of each drift rule, in catalogue order.
    pub fn drift(&self) -> impl Iterator<Item = (RuleId, usize)> + '_ {
        RuleId::ALL
            .iter()
            .filter(|r| r.group() == Group::Drift)
            .map(|&rule| {
                let n = self
                    .report
                    .findings
                    .iter()
                    .filter(|f| f.rule == rule)
                    .count();
                (rule, n)
            })
    }

    /// What the inventories gave, when there were any.
    pub fn inventory(&self) -> Option<InventoryCounts> {
        self.report.summary.inventory
    }
}

fn count(ratio: &mut Ratio, passing: bool, excepted: bool) {
    ratio.total += 1;
    if passing {
        ratio.passing += 1;
    } else if excepted {
        ratio.excepted += 1;
    }
}

pub(crate) fn role_index(role: Role) -> usize {
    Role::ALL.iter().position(|r| *r == role).unwrap_or(0)
}

fn holder<'r>(ctx: &Context<'r>, identity: &'r Identity, role: Role) -> Holder<'r> {
    let Some(id) = identity.owner(role).id() else {
        return Holder {
            id: None,
            kind: None,
            status: "missing".to_owned(),
            accountable: false,
        };
    };
    let Some(owner) = ctx.registry.owner(&id.value) else {
        return Holder {
            id: Some(&id.value),
            kind: None,
            status: "not in the directory".to_owned(),
            accountable: false,
        };
    };
    let (status, active) = match ctx.inactive(&id.value) {
        None => (owner.status.as_str().to_owned(), true),
        Some(_) if owner.status == crate::registry::OwnerStatus::Inactive => {
            ("inactive".to_owned(), false)
        }
        Some(why) => (why.reason.trim_start_matches("is ").to_owned(), false),
    };
    Holder {
        id: Some(&id.value),
        kind: Some(owner.kind.value),
        status,
        accountable: active && owner.kind.value != OwnerKind::Vendor,
    }
}

/// Every control the catalogue names, OWASP's in their numeric order, then
/// NIST CSF 2.0's in alphabetical order.
fn controls(
    registry: &Registry,
    report: &Report<'_>,
    open: &[Vec<&Finding>],
    suppressed: &[Vec<&Finding>],
    reconciled: bool,
) -> Vec<ControlRow> {
    let mut by_control: BTreeMap<(u8, u32, &'static str), Vec<RuleId>> = BTreeMap::new();
    for &rule in RuleId::ALL {
        let info = rule.info();
        for id in info.owasp {
            let number = id
                .trim_start_matches("NHI")
                .split(':')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(u32::MAX);
            by_control.entry((0, number, id)).or_default().push(rule);
        }
        for id in info.nist {
            by_control.entry((1, 0, id)).or_default().push(rule);
        }
    }
    by_control
        .into_iter()
        .map(|((framework, _, id), rules)| {
            let not_assessed = rules
                .iter()
                .copied()
                .filter(|r| {
                    crate::audit::severity(registry, *r).is_none()
                        || (r.group() == Group::Drift && !reconciled)
                })
                .collect();
            let mut row = ControlRow {
                framework: if framework == 0 {
                    "OWASP NHI Top 10 2025"
                } else {
                    "NIST CSF 2.0"
                },
                id,
                rules,
                not_assessed,
                in_scope: 0,
                passing: 0,
                failing: 0,
                excepted: 0,
                findings: 0,
            };
            // A control none of whose rules ran was not assessed: no
            // identity passes it.
            if row.not_assessed.len() == row.rules.len() {
                return row;
            }
            row.in_scope = registry.identities.len();
            for entry in 0..registry.identities.len() {
                if open[entry].iter().any(|f| row.rules.contains(&f.rule)) {
                    row.failing += 1;
                } else if suppressed[entry]
                    .iter()
                    .any(|f| row.rules.contains(&f.rule))
                {
                    row.excepted += 1;
                } else {
                    row.passing += 1;
                }
            }
            row.findings = report
                .findings
                .iter()
                .filter(|f| row.rules.contains(&f.rule))
                .count();
            row
        })
        .collect()
}

/// Each team of the directory with the identities in service it holds in
/// any role: covered and not. Largest first.
fn teams<'r>(registry: &'r Registry, rows: &[IdentityRow<'r>]) -> Vec<(&'r str, usize, usize)> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut teams: Vec<(&'r str, usize, usize)> = Vec::new();
    for owner in &registry.owners {
        if owner.kind.value == OwnerKind::Team {
            index.insert(&owner.id.value, teams.len());
            teams.push((&owner.id.value, 0, 0));
        }
    }
    for row in rows.iter().filter(|r| !r.identity.is_retired()) {
        let mut held: Vec<usize> = row
            .holders
            .iter()
            .filter_map(|h| h.id.and_then(|id| index.get(id).copied()))
            .collect();
        held.sort_unstable();
        held.dedup();
        for team in held {
            if row.covered {
                teams[team].1 += 1;
            } else {
                teams[team].2 += 1;
            }
        }
    }
    teams.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then(a.0.cmp(b.0)));
    teams
}

/// Deadlines overdue, then in each of the next weeks.
fn deadlines(registry: &Registry, now: Date) -> Vec<(String, usize)> {
    let within = crate::registry::Days {
        days: DEADLINE_WEEKS * 7 - 1,
        text: format!("{}d", DEADLINE_WEEKS * 7 - 1),
    };
    let forecast = crate::forecast::forecast(registry, now, &within);
    let mut weeks = vec![0; usize::try_from(DEADLINE_WEEKS).unwrap_or(0)];
    let mut overdue = 0;
    for d in &forecast.deadlines {
        if d.overdue {
            overdue += 1;
        } else if let Some(week) = usize::try_from(d.days_left / 7)
            .ok()
            .and_then(|w| weeks.get_mut(w))
        {
            *week += 1;
        }
    }
    std::iter::once(("overdue".to_owned(), overdue))
        .chain(weeks.into_iter().enumerate().map(|(w, n)| {
            let start = now + chrono::Days::new(u64::try_from(w).unwrap_or(0) * 7);
            (format!("week of {}", start.format("%Y-%m-%d")), n)
        }))
        .collect()
}

/// The policy in force, with every default filled in: what the manifest and
/// the attestation show.
#[derive(Serialize)]
pub(crate) struct PolicyInForce {
    pub required_owners: Vec<Role>,
    /// The max age of each kind (`never`: not rotated).
    pub max_age: BTreeMap<&'static str, String>,
    pub review_interval: String,
    pub privileged_review_interval: String,
    pub warn_within: String,
    pub max_exception: String,
    pub unused_after: String,
    pub ignore_refs: Vec<String>,
    /// The severity of every rule (`off`: not run).
    pub severity: BTreeMap<&'static str, &'static str>,
}

impl PolicyInForce {
    pub fn of(registry: &Registry) -> Self {
        let policy = &registry.policy;
        let max_age = IdentityKind::ALL
            .iter()
            .map(|&kind| {
                let age = policy
                    .rotation_kinds
                    .get(&kind)
                    .cloned()
                    .or_else(|| policy.rotation_max_age.clone().map(MaxAge::Days))
                    .unwrap_or_else(|| kind.default_max_age());
                let age = match age {
                    MaxAge::Never => "never".to_owned(),
                    MaxAge::Days(days) => days.to_string(),
                };
                (kind.as_str(), age)
            })
            .collect();
        PolicyInForce {
            required_owners: policy.required_owners.clone(),
            max_age,
            review_interval: policy.review_interval.to_string(),
            privileged_review_interval: policy.privileged_review_interval.to_string(),
            warn_within: policy.warn_within.to_string(),
            max_exception: policy.max_exception.to_string(),
            unused_after: policy.unused_after.to_string(),
            ignore_refs: policy
                .ignore_refs
                .globs
                .iter()
                .map(|g| g.value.clone())
                .collect(),
            severity: RuleId::ALL
                .iter()
                .map(|&rule| {
                    let level =
                        crate::audit::severity(registry, rule).map_or("off", |s| s.as_str());
                    (rule.as_str(), level)
                })
                .collect(),
        }
    }
}

/// An input file as the manifest lists it.
#[derive(Serialize)]
pub(crate) struct InputFile<'r> {
    pub path: &'r str,
    /// `registry` or `inventory`.
    pub kind: &'static str,
    pub sha256: Option<&'r str>,
    pub size: Option<u64>,
}

/// The registry files, then the inventories.
pub(crate) fn input_files<'r>(facts: &Facts<'r>) -> Vec<InputFile<'r>> {
    facts
        .registry
        .files
        .iter()
        .enumerate()
        .map(|(i, file)| InputFile {
            path: &file.path,
            kind: if i < facts.registry_files {
                "registry"
            } else {
                "inventory"
            },
            sha256: file.digest.as_ref().map(|d| d.sha256.as_str()),
            size: file.digest.as_ref().map(|d| d.size),
        })
        .collect()
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    tool: crate::report::json::Tool,
    generated_at: &'a str,
    now: String,
    policy: PolicyInForce,
    inputs: Vec<InputFile<'a>>,
    /// Every other file of the pack (`SHA256SUMS` lists this one too).
    files: Vec<PackFile<'a>>,
}

#[derive(Serialize)]
struct PackFile<'a> {
    name: &'a str,
    sha256: String,
    size: usize,
}

fn manifest(facts: &Facts<'_>, files: &[(String, Vec<u8>)]) -> String {
    let mut listed: Vec<PackFile<'_>> = files
        .iter()
        .map(|(name, bytes)| PackFile {
            name,
            sha256: FileDigest::of(bytes).sha256,
            size: bytes.len(),
        })
        .collect();
    listed.sort_by(|a, b| a.name.cmp(b.name));
    crate::report::json::to_safe_json(&Manifest {
        version: 1,
        tool: crate::report::json::TOOL,
        generated_at: facts.generated_at,
        now: facts.report.now.to_string(),
        policy: PolicyInForce::of(facts.registry),
        inputs: input_files(facts),
        files: listed,
    })
}
