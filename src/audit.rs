//! Runs the checks of [`rules::CHECKS`], applies policy severities and
//! exceptions, and builds the [`Report`]. Pure: `today` is passed in, nothing
//! is read or written.

use crate::registry::{Date, Exception, Identity, Registry};
use crate::report::{Finding, Report, Subject, Suppressed};
use crate::rules::{CHECKS, Check, Context, Group, RuleId, Run, Severity, Target, Violation};

/// The effective severity of a rule under the registry's policy; `None` when `off`.
pub fn severity(registry: &Registry, rule: RuleId) -> Option<Severity> {
    match registry.policy.severity.get(&rule) {
        None => Some(rule.info().severity),
        Some(set) => *set,
    }
}

/// Audits a registry as of `today`, on all cores.
pub fn audit(registry: &Registry, today: Date) -> Report<'_> {
    audit_with(registry, today, 0)
}

/// Audits a registry as of `today` on `threads` threads (0: one per core).
/// The report is the same whatever the number of threads.
pub fn audit_with(registry: &Registry, today: Date, threads: usize) -> Report<'_> {
    let threads = crate::parallel::threads(threads);
    // A few blocks per thread balance the load; a block under a few hundred
    // identities costs more to hand over than it saves.
    let block = if threads <= 1 {
        registry.identities.len()
    } else {
        (registry.identities.len() / (threads * 8)).max(256)
    };
    audit_in_blocks(registry, today, threads, block)
}

/// [`audit_with`], the identities handed to the threads in blocks of `block`
/// consecutive entries (tests show the report does not depend on it).
#[doc(hidden)]
pub fn audit_in_blocks(
    registry: &Registry,
    today: Date,
    threads: usize,
    block: usize,
) -> Report<'_> {
    let block = block.max(1);
    let ctx = Context::new(registry, today);
    let mut report = Report::new(registry, today);

    // Registry-wide checks first: what they find on an identity joins that
    // identity's findings (and its exceptions), the rest is recorded here.
    let mut on_identities: Vec<(usize, Violation)> = Vec::new();
    for check in CHECKS {
        let Run::Registry(run) = check.run else {
            continue;
        };
        for (target, violation) in run(&ctx) {
            debug_assert!(reports(check, &violation));
            match target {
                Target::Identity(index) => on_identities.push((index, violation)),
                Target::Owner(id) => {
                    record(
                        &mut report,
                        registry,
                        Subject::Owner(id.to_owned()),
                        violation,
                    );
                }
                Target::Registry => record(&mut report, registry, Subject::Registry, violation),
            }
        }
    }
    on_identities.sort_by_key(|(index, _)| *index);

    // Then each identity, in blocks of consecutive entries on all threads;
    // the blocks' findings are joined in registry order.
    let identities = registry.identities.len();
    let occurrences = Subject::occurrences(registry);
    let parts = crate::parallel::parallel_map(identities.div_ceil(block), threads, |b| {
        let entries = b * block..((b + 1) * block).min(identities);
        // What the registry-wide checks found on these entries, each cloned once.
        let from = on_identities.partition_point(|(i, _)| *i < entries.start);
        let to = on_identities.partition_point(|(i, _)| *i < entries.end);
        let found = on_identities[from..to].to_vec();
        let mut part = Report::part(today);
        audit_identities(&ctx, &mut part, entries, found, &occurrences);
        part
    });
    for part in parts {
        report.findings.extend(part.findings);
        report.suppressed.extend(part.suppressed);
    }
    report.finish();
    report
}

/// Runs the identity checks on the entries of `range`, with `found`, what
/// the registry-wide checks found on them (sorted by entry).
fn audit_identities(
    ctx: &Context<'_>,
    report: &mut Report<'_>,
    range: std::ops::Range<usize>,
    found: Vec<(usize, Violation)>,
    occurrences: &[u32],
) {
    let registry = ctx.registry;
    let mut found = found.into_iter().peekable();
    let mut raw = Vec::new();
    for index in range {
        let identity = &registry.identities[index];
        let subject = Subject::identity(identity, index, occurrences[index]);
        raw.clear();
        while let Some((_, v)) = found.next_if(|(i, _)| *i == index) {
            raw.push(v);
        }
        let retired = identity.is_retired();
        for check in CHECKS {
            let run = match check.run {
                Run::AnyIdentity(run) => run,
                Run::Identity(run) if !retired => run,
                Run::RetiredIdentity(run) if retired => run,
                _ => continue,
            };
            let before = raw.len();
            run(ctx, identity, &mut raw);
            debug_assert!(raw[before..].iter().all(|v| reports(check, v)));
        }
        if retired {
            // Exceptions are ignored on a retired identity.
            for v in raw.drain(..) {
                record(report, registry, subject.clone(), v);
            }
            continue;
        }
        let valid = assess_exceptions(ctx, identity, &mut raw);
        // Exceptions of drift rules are judged by `reconcile`, where those
        // rules run.
        let judged: Vec<&Exception> = valid
            .iter()
            .copied()
            .filter(|e| e.rule.value.group() != Group::Drift)
            .collect();
        record_on_identity(report, registry, &subject, raw.drain(..), &judged);
    }
}

/// Records a violation as a finding at its rule's severity (none when `off`).
fn record(report: &mut Report<'_>, registry: &Registry, subject: Subject, v: Violation) {
    if let Some(severity) = severity(registry, v.rule) {
        report.push(Finding::new(registry, subject, v, severity));
    }
}

/// Records an identity's violations: each suppressed by the first of the
/// `valid` exceptions for its rule, else a finding; then `unused-exception`
/// for each of them that suppressed nothing.
pub(crate) fn record_on_identity(
    report: &mut Report<'_>,
    registry: &Registry,
    subject: &Subject,
    violations: impl Iterator<Item = Violation>,
    valid: &[&Exception],
) {
    let mut used = vec![false; valid.len()];
    for violation in violations {
        let Some(mut severity) = severity(registry, violation.rule) else {
            continue;
        };
        if let Some(cap) = violation.at_most {
            severity = severity.max(cap);
        }
        let rule = violation.rule;
        let finding = Finding::new(registry, subject.clone(), violation, severity);
        match valid.iter().position(|e| e.rule.value == rule) {
            Some(first) => {
                report.suppress(Suppressed::new(registry, finding, valid[first]));
                for (i, e) in valid.iter().enumerate() {
                    used[i] |= e.rule.value == rule;
                }
            }
            None => report.push(finding),
        }
    }
    for check in CHECKS {
        let Run::UnusedException(run) = check.run else {
            continue;
        };
        for (exception, _) in valid.iter().zip(&used).filter(|(_, used)| !**used) {
            record(report, registry, subject.clone(), run(exception));
        }
    }
}

/// The exceptions of an identity in service that are valid (and may
/// suppress its findings), leaving what is wrong with the others to `audit`.
pub(crate) fn valid_exceptions<'r>(
    ctx: &Context<'_>,
    identity: &'r Identity,
) -> Vec<&'r Exception> {
    assess_exceptions(ctx, identity, &mut Vec::new())
}

/// Runs the exception checks on an identity in service: adds what is wrong
/// with its exceptions to `raw`, and returns the valid ones, which may
/// suppress its findings.
fn assess_exceptions<'r>(
    ctx: &Context<'_>,
    identity: &'r Identity,
    raw: &mut Vec<Violation>,
) -> Vec<&'r Exception> {
    identity
        .exceptions
        .iter()
        .filter(|exception| {
            let mut valid = true;
            for check in CHECKS {
                let Run::Exception(run) = check.run else {
                    continue;
                };
                let assessment = run(ctx, identity, exception);
                debug_assert!(assessment.violations.iter().all(|v| reports(check, v)));
                raw.extend(assessment.violations);
                valid &= assessment.valid;
            }
            valid
        })
        .collect()
}

/// Whether a violation is of a rule its check names.
fn reports(check: &Check, violation: &Violation) -> bool {
    check.rules.contains(&violation.rule)
}
