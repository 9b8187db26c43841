//! Runs the checks, applies policy severities and exceptions, and builds the
//! [`Report`]. Pure: `today` is passed in, nothing is read or written.

use crate::registry::{Date, Exception, Registry};
use crate::report::{Finding, Report, Subject, Suppressed};
use crate::rules::{self, Context, RuleId, Severity, Violation};

/// The effective severity of a rule under the registry's policy; `None` when `off`.
pub fn severity(registry: &Registry, rule: RuleId) -> Option<Severity> {
    match registry.policy.severity.get(&rule) {
        None => Some(rule.info().severity),
        Some(set) => *set,
    }
}

/// Records a violation as a finding at its effective severity (`off` drops it).
fn record(report: &mut Report<'_>, registry: &Registry, subject: Subject<'_>, v: Violation) {
    if let Some(severity) = severity(registry, v.rule) {
        report.push(Finding::new(registry, subject, v, severity));
    }
}

/// Audits a registry as of `today`.
pub fn audit(registry: &Registry, today: Date) -> Report<'_> {
    let ctx = Context::new(registry, today);
    let mut report = Report::new(registry, today);

    let mut duplicates = rules::integrity::duplicates(&ctx).into_iter().peekable();
    let (confusable_identities, confusable_owners) = rules::integrity::confusables(&ctx);
    let mut confusable_identities = confusable_identities.into_iter().peekable();
    let mut raw = Vec::new();
    let mut occurrences: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for (index, identity) in registry.identities.iter().enumerate() {
        raw.clear();
        let occurrence = occurrences.entry(identity.id.value.as_str()).or_insert(0);
        *occurrence += 1;
        rules::integrity::check(&ctx, identity, &mut raw);
        while let Some((_, v)) = duplicates.next_if(|(i, _)| *i == index) {
            raw.push(v);
        }
        while let Some((_, v)) = confusable_identities.next_if(|(i, _)| *i == index) {
            raw.push(v);
        }
        let subject = Subject::Identity {
            id: &identity.id.value,
            entry: index,
            occurrence: *occurrence,
        };
        if identity.is_retired() {
            // Retired: only three rules apply, and exceptions are ignored.
            rules::lifecycle::check_retired(identity, &mut raw);
            for v in raw.drain(..) {
                record(&mut report, registry, subject, v);
            }
            continue;
        }
        rules::ownership::check(&ctx, identity, &mut raw);
        rules::lifecycle::check(&ctx, identity, &mut raw);

        let mut valid: Vec<&Exception> = Vec::new();
        for exception in &identity.exceptions {
            let assessment = rules::exceptions::assess(&ctx, identity, exception);
            raw.extend(assessment.violations);
            if assessment.valid {
                valid.push(exception);
            }
        }
        let mut used = vec![false; valid.len()];
        for violation in raw.drain(..) {
            let Some(severity) = severity(registry, violation.rule) else {
                continue;
            };
            let rule = violation.rule;
            let finding = Finding::new(registry, subject, violation, severity);
            match valid.iter().position(|e| e.rule.value == rule) {
                Some(first) => {
                    report.suppress(Suppressed::new(finding, valid[first]));
                    for (i, e) in valid.iter().enumerate() {
                        used[i] |= e.rule.value == rule;
                    }
                }
                None => report.push(finding),
            }
        }
        for (exception, used) in valid.iter().zip(&used) {
            if !used {
                record(
                    &mut report,
                    registry,
                    subject,
                    rules::exceptions::unused(exception),
                );
            }
        }
    }

    let mut directory: Vec<(&str, Violation)> = Vec::new();
    rules::ownership::check_directory(&ctx, &mut directory);
    directory.extend(rules::integrity::unused_owners(&ctx));
    directory.extend(confusable_owners);
    for (owner, violation) in directory {
        record(&mut report, registry, Subject::Owner(owner), violation);
    }
    if let Some(v) = rules::integrity::empty(&ctx) {
        record(&mut report, registry, Subject::Registry, v);
    }
    report.finish();
    report
}
