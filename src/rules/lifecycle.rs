//! Lifecycle rules: rotation, expiry, review and revocation dates.

use super::{Context, RuleId, Violation, days, until};
use crate::registry::{Identity, IdentityKind, MaxAge};

/// Lifecycle checks of one non-retired identity.
pub fn check(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let policy = &ctx.registry.policy;
    rotation(ctx, identity, out);

    let warn = policy.warn_within.days;
    if let Some(expires) = &identity.expires {
        let left = (expires.value - ctx.today).num_days();
        if left < 0 {
            out.push(Violation::new(
                RuleId::ExpiredCredential,
                expires.loc,
                "",
                format!("expired {}, {} ago", expires.value, days(-left)),
            ));
        } else if left <= warn {
            let when = until(left);
            out.push(Violation::new(
                RuleId::ExpiringCredential,
                expires.loc,
                "",
                format!(
                    "expires {}, {when}; warning window {}",
                    expires.value, policy.warn_within
                ),
            ));
        }
    } else if identity.kind.value == IdentityKind::Certificate {
        out.push(Violation::new(
            RuleId::MissingExpiry,
            identity.loc,
            "",
            "certificate has no `expires` date (its notAfter)".to_owned(),
        ));
    }

    let (interval, which) = if identity.privileged {
        (
            &policy.privileged_review_interval,
            "privileged review interval",
        )
    } else {
        (&policy.review_interval, "review interval")
    };
    // Due one interval after the last review; a new identity one interval
    // after it was created.
    let reviewed = identity
        .last_reviewed
        .as_ref()
        .map(|d| (d, "last reviewed"))
        .or_else(|| identity.created.as_ref().map(|d| (d, "created")));
    match reviewed {
        None => out.push(Violation::new(
            RuleId::ReviewOverdue,
            identity.loc,
            "",
            format!("never reviewed, and no `created` date; {which} {interval}"),
        )),
        Some((date, what)) => {
            let age = ctx.days_since(date.value);
            if age > interval.days {
                let never = if what == "created" {
                    " and never reviewed"
                } else {
                    ""
                };
                out.push(Violation::new(
                    RuleId::ReviewOverdue,
                    date.loc,
                    "",
                    format!(
                        "{what} {}, {} ago{never}; {which} {interval} ({} overdue)",
                        date.value,
                        days(age),
                        days(age - interval.days)
                    ),
                ));
            }
        }
    }
}

fn rotation(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let max = match ctx.registry.policy.max_age(identity) {
        MaxAge::Never => return,
        MaxAge::Days(max) => max,
    };
    let (reference, what) = match (&identity.last_rotated, &identity.created) {
        (Some(rotated), _) => (rotated, "last rotated"),
        (None, Some(created)) => (created, "created"),
        (None, None) => {
            out.push(Violation::new(
                RuleId::MissingRotation,
                identity.loc,
                "",
                format!("no `rotation.last_rotated` or `created` date, so its age is unknown; max age {max}"),
            ));
            return;
        }
    };
    let age = ctx.days_since(reference.value);
    let left = max.days - age;
    let never = if what == "created" {
        " (never rotated)"
    } else {
        ""
    };
    if left < 0 {
        out.push(Violation::new(
            RuleId::StaleRotation,
            reference.loc,
            "",
            format!(
                "{what} {}, {} ago{never}; max age {max} ({} overdue)",
                reference.value,
                days(age),
                days(-left)
            ),
        ));
    } else if left <= ctx.registry.policy.warn_within.days {
        let when = until(left);
        out.push(Violation::new(
            RuleId::RotationDue,
            reference.loc,
            "",
            format!(
                "rotation due {when}: {what} {}, {} ago{never}; max age {max}",
                reference.value,
                days(age)
            ),
        ));
    }
}

/// The one lifecycle check of a retired identity.
pub fn check_retired(identity: &Identity, out: &mut Vec<Violation>) {
    if identity.revoked.is_none() {
        out.push(Violation::new(
            RuleId::RetiredNotRevoked,
            identity.loc,
            "",
            "retired, but no `revoked` date: the credential may still work".to_owned(),
        ));
    }
}
