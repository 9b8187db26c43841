//! Lifecycle rules: rotation, expiry, review and revocation dates.

use super::{Context, RuleId, Violation, Window};
use crate::registry::{Identity, IdentityKind, MaxAge};
use crate::wording::{days, until};

/// `missing-rotation`, `stale-rotation` and `rotation-due`: the credential's
/// age (since its last rotation, else its creation) against the policy's
/// max age for its kind.
pub fn rotation(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
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
                format!(
                    "no `rotation.last_rotated` or `created` date, so its age is unknown; max age {max}"
                ),
            ));
            return;
        }
    };
    let age = ctx.days_since(reference.value);
    let never = if what == "created" {
        " (never rotated)"
    } else {
        ""
    };
    let (rule, message) = match ctx.window(max.days - age) {
        Window::Passed(overdue) => (
            RuleId::StaleRotation,
            format!(
                "{what} {}, {} ago{never}; max age {max} ({} overdue)",
                reference.value,
                days(age),
                days(overdue)
            ),
        ),
        Window::Within(left) => (
            RuleId::RotationDue,
            format!(
                "rotation due {}: {what} {}, {} ago{never}; max age {max}",
                until(left),
                reference.value,
                days(age)
            ),
        ),
        Window::Beyond(_) => return,
    };
    out.push(Violation::new(rule, reference.loc, message));
}

/// `expired-credential`, `expiring-credential` and `missing-expiry`.
pub fn expiry(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let Some(expires) = &identity.expires else {
        if identity.kind.value == IdentityKind::Certificate {
            out.push(Violation::new(
                RuleId::MissingExpiry,
                identity.loc,
                "certificate has no `expires` date (its notAfter)".to_owned(),
            ));
        }
        return;
    };
    let (rule, message) = match ctx.window(-ctx.days_since(expires.value)) {
        Window::Passed(ago) => (
            RuleId::ExpiredCredential,
            format!("expired {}, {} ago", expires.value, days(ago)),
        ),
        Window::Within(left) => (
            RuleId::ExpiringCredential,
            format!(
                "expires {}, {}; warning window {}",
                expires.value,
                until(left),
                ctx.registry.policy.warn_within
            ),
        ),
        Window::Beyond(_) => return,
    };
    out.push(Violation::new(rule, expires.loc, message));
}

/// `review-overdue`: due one review interval (the privileged one for a
/// privileged identity) after the last review; for an identity never
/// reviewed, one interval after it was created.
pub fn review(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let policy = &ctx.registry.policy;
    let (interval, which) = if identity.privileged {
        (
            &policy.privileged_review_interval,
            "privileged review interval",
        )
    } else {
        (&policy.review_interval, "review interval")
    };
    let reviewed = identity
        .last_reviewed
        .as_ref()
        .map(|d| (d, "last reviewed"))
        .or_else(|| identity.created.as_ref().map(|d| (d, "created")));
    let Some((date, what)) = reviewed else {
        out.push(Violation::new(
            RuleId::ReviewOverdue,
            identity.loc,
            format!("never reviewed, and no `created` date; {which} {interval}"),
        ));
        return;
    };
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
            format!(
                "{what} {}, {} ago{never}; {which} {interval} ({} overdue)",
                date.value,
                days(age),
                days(age - interval.days)
            ),
        ));
    }
}

/// `retired-not-revoked`: a retired identity says when it was revoked.
pub fn retired_not_revoked(_: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    if identity.revoked.is_none() {
        out.push(Violation::new(
            RuleId::RetiredNotRevoked,
            identity.loc,
            "retired, but no `revoked` date: the credential may still work".to_owned(),
        ));
    }
}
