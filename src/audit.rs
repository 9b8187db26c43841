//! Runs the checks, applies policy severities and exceptions, and builds the
//! [`Report`]. Pure: `today` is passed in, nothing is read or written.

use crate::registry::{Date, Exception, Registry, SeverityLevel};
use crate::report::{Finding, Report, Subject, Suppressed};
use crate::rules::{self, Context, RuleId, Severity, Violation};

/// The effective severity of a rule under the registry's policy; `None` when `off`.
pub fn severity(registry: &Registry, rule: RuleId) -> Option<Severity> {
    match registry.policy.severity.get(&rule) {
        None => Some(rule.info().severity),
        Some(SeverityLevel::Error) => Some(Severity::Error),
        Some(SeverityLevel::Warning) => Some(Severity::Warning),
        Some(SeverityLevel::Info) => Some(Severity::Info),
        Some(SeverityLevel::Off) => None,
    }
}

/// Audits a registry as of `today`.
pub fn audit(registry: &Registry, today: Date) -> Report {
    let ctx = Context { registry, today };
    let mut report = Report::new(registry, today);

    let mut duplicates = rules::integrity::duplicates(&ctx).into_iter().peekable();
    let mut raw = Vec::new();
    for (index, identity) in registry.identities.iter().enumerate() {
        raw.clear();
        rules::integrity::check(&ctx, identity, &mut raw);
        while let Some((_, v)) = duplicates.next_if(|(i, _)| *i == index) {
            raw.push(v);
        }
        let subject = Subject::Identity(identity.id.value.clone());
        if identity.is_retired() {
            // Retired: only three rules apply, and exceptions are ignored.
            rules::lifecycle::check_retired(identity, &mut raw);
            report.extend(registry, &subject, raw.drain(..));
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
        let mut kept = Vec::with_capacity(raw.len());
        for violation in raw.drain(..) {
            let Some(severity) = severity(registry, violation.rule) else {
                continue;
            };
            let rule = violation.rule;
            match valid.iter().position(|e| e.rule.value == rule) {
                Some(first) => {
                    let finding = Finding::new(registry, &subject, violation, severity);
                    report.suppress(Suppressed::new(finding, valid[first]));
                    for (i, e) in valid.iter().enumerate() {
                        used[i] |= e.rule.value == rule;
                    }
                }
                None => kept.push(violation),
            }
        }
        for (exception, used) in valid.iter().zip(&used) {
            if !used {
                kept.push(rules::exceptions::unused(exception));
            }
        }
        report.extend(registry, &subject, kept.into_iter());
    }

    let mut directory: Vec<(&str, Violation)> = Vec::new();
    rules::ownership::check_directory(&ctx, &mut directory);
    directory.extend(rules::integrity::unused_owners(&ctx));
    for (owner, violation) in directory {
        report.extend(
            registry,
            &Subject::Owner(owner.to_owned()),
            std::iter::once(violation),
        );
    }
    report.finish();
    report
}
