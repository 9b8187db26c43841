//! Lifecycle rules: rotation, expiry, review and revocation dates.

use super::{Context, RuleId, Violation, Window};
use crate::registry::{Date, Days, Identity, IdentityKind, Located, MaxAge, Policy};
use crate::wording::{days, until};
use chrono::NaiveDate;

/// When a dated thing falls due: `days` after `from`, a registry date.
/// Durations are bounded (SPEC §3) so that this never leaves the calendar
/// for a date the loader accepts; past its end, the last day stands in.
pub fn due_after(from: Date, days: &Days) -> Date {
    u64::try_from(days.days)
        .ok()
        .and_then(|n| from.checked_add_days(chrono::Days::new(n)))
        .unwrap_or(NaiveDate::MAX)
}

/// An identity's next rotation, by the policy.
pub enum Rotation<'a> {
    /// Its kind (or the identity itself) is never rotated.
    Never,
    /// Rotated, but with no date to count its age from.
    Undated { max: Days },
    /// Due on `due`: `max` after `reference`.
    Due {
        due: Date,
        reference: &'a Located<Date>,
        /// `last rotated` or `created`.
        what: &'static str,
        max: Days,
    },
}

/// When `identity` is due for rotation: its max age after its last rotation,
/// else after its creation. What `stale-rotation` and `rotation-due` judge
/// and what `forecast` lists.
pub fn rotation_due<'a>(policy: &Policy, identity: &'a Identity) -> Rotation<'a> {
    let max = match policy.max_age(identity) {
        MaxAge::Never => return Rotation::Never,
        MaxAge::Days(max) => max,
    };
    let (reference, what) = match (&identity.last_rotated, &identity.created) {
        (Some(rotated), _) => (rotated, "last rotated"),
        (None, Some(created)) => (created, "created"),
        (None, None) => return Rotation::Undated { max },
    };
    Rotation::Due {
        due: due_after(reference.value, &max),
        reference,
        what,
        max,
    }
}

/// An identity's next review, by the policy.
pub enum Review<'a> {
    /// Never reviewed, and no creation date to count from.
    Undated {
        interval: &'a Days,
        which: &'static str,
    },
    /// Due on `due`: `interval` after `from`.
    Due {
        due: Date,
        from: &'a Located<Date>,
        /// `last reviewed` or `created`.
        what: &'static str,
        interval: &'a Days,
        /// `review interval` or `privileged review interval`.
        which: &'static str,
    },
}

/// When `identity` is due for review: one review interval (the privileged
/// one for a privileged identity) after its last review; for an identity
/// never reviewed, one interval after it was created. What `review-overdue`
/// judges and what `forecast` lists.
pub fn review_due<'a>(policy: &'a Policy, identity: &'a Identity) -> Review<'a> {
    let (interval, which) = if identity.privileged {
        (
            &policy.privileged_review_interval,
            "privileged review interval",
        )
    } else {
        (&policy.review_interval, "review interval")
    };
    let from = identity
        .last_reviewed
        .as_ref()
        .map(|d| (d, "last reviewed"))
        .or_else(|| identity.created.as_ref().map(|d| (d, "created")));
    match from {
        None => Review::Undated { interval, which },
        Some((from, what)) => Review::Due {
            due: due_after(from.value, interval),
            from,
            what,
            interval,
            which,
        },
    }
}

/// `missing-rotation`, `stale-rotation` and `rotation-due`: the credential's
/// age (since its last rotation, else its creation) against the policy's
/// max age for its kind.
pub fn rotation(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let (due, reference, what, max) = match rotation_due(&ctx.registry.policy, identity) {
        Rotation::Never => return,
        Rotation::Undated { max } => {
            out.push(Violation::new(
                RuleId::MissingRotation,
                identity.loc,
                format!(
                    "no `rotation.last_rotated` or `created` date, so its age is unknown; max age {max}"
                ),
            ));
            return;
        }
        Rotation::Due {
            due,
            reference,
            what,
            max,
        } => (due, reference, what, max),
    };
    let age = ctx.days_since(reference.value);
    let never = if what == "created" {
        " (never rotated)"
    } else {
        ""
    };
    let (rule, message) = match ctx.window(ctx.days_until(due)) {
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
    let (rule, message) = match ctx.window(ctx.days_until(expires.value)) {
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

/// `review-overdue`: the review is past its due date ([`review_due`]).
pub fn review(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    match review_due(&ctx.registry.policy, identity) {
        Review::Undated { interval, which } => out.push(Violation::new(
            RuleId::ReviewOverdue,
            identity.loc,
            format!("never reviewed, and no `created` date; {which} {interval}"),
        )),
        Review::Due {
            due,
            from,
            what,
            interval,
            which,
        } => {
            let overdue = -ctx.days_until(due);
            if overdue > 0 {
                let never = if what == "created" {
                    " and never reviewed"
                } else {
                    ""
                };
                out.push(Violation::new(
                    RuleId::ReviewOverdue,
                    from.loc,
                    format!(
                        "{what} {}, {} ago{never}; {which} {interval} ({} overdue)",
                        from.value,
                        days(ctx.days_since(from.value)),
                        days(overdue)
                    ),
                ));
            }
        }
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
