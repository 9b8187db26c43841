//! Exception rules: is every accepted risk approved, bounded and still needed?
//!
//! An exception is *valid* when it is complete, unexpired and (where a
//! directory exists) approved by an owner that resolves, is active and is not
//! a vendor. Only valid exceptions suppress findings; anything else fails closed.

use super::{Context, RuleId, Violation, days};
use crate::keyword::Keyword;
use crate::registry::{Exception, Identity, Role, RoleRef};

/// The verdict on one exception of a non-retired identity.
pub struct Assessment {
    pub valid: bool,
    pub violations: Vec<Violation>,
}

pub fn assess(ctx: &Context<'_>, identity: &Identity, exception: &Exception) -> Assessment {
    let mut violations = Vec::new();
    let rule = exception.rule.value;
    let detail = rule.as_str();

    let missing: Vec<&str> = [
        exception.approved_by.is_none().then_some("`approved_by`"),
        exception.expires.is_none().then_some("`expires`"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        violations.push(Violation::new(
            RuleId::IncompleteException,
            exception.loc,
            detail,
            format!(
                "exception for {rule} has no {}; it suppresses nothing",
                missing.join(" and no ")
            ),
        ));
    }
    let mut expired = false;
    if let Some(expires) = &exception.expires {
        let left = (expires.value - ctx.today).num_days();
        if left < 0 {
            expired = true;
            violations.push(Violation::new(
                RuleId::ExpiredException,
                expires.loc,
                detail,
                format!(
                    "exception for {rule} expired {}, {} ago; it suppresses nothing",
                    expires.value,
                    days(-left)
                ),
            ));
        }
    }
    let approver_ok = match &exception.approved_by {
        None => false,
        Some(approver) => {
            !ctx.registry.has_directory() || super::ownership::may_approve(ctx, &approver.value)
        }
    };
    let valid = missing.is_empty() && !expired && approver_ok;
    if valid {
        let max = &ctx.registry.policy.max_exception;
        let warn = &ctx.registry.policy.warn_within;
        if let Some(expires) = &exception.expires {
            let left = (expires.value - ctx.today).num_days();
            if left <= warn.days {
                violations.push(Violation::new(
                    RuleId::ExpiringException,
                    expires.loc,
                    detail,
                    format!(
                        "exception for {rule} runs out {}, {}: from the day after, it suppresses nothing; warning window {warn}",
                        expires.value,
                        super::until(left)
                    ),
                ));
            }
            if left > max.days {
                violations.push(Violation::new(
                    RuleId::ExceptionTooLong,
                    expires.loc,
                    detail,
                    format!(
                        "exception for {rule} runs until {}, {} from today; max exception {max}",
                        expires.value,
                        days(left)
                    ),
                ));
            }
        }
        if let Some(approver) = &exception.approved_by
            && let Some(how) = self_approval(ctx, identity, &approver.value)
        {
            violations.push(Violation::new(
                RuleId::SelfApprovedException,
                approver.loc,
                detail,
                format!(
                    "exception for {rule} is approved by `{}`, {how}",
                    approver.value
                ),
            ));
        }
    }
    Assessment { valid, violations }
}

/// Whether the approver is the technical owner, or a member of that team.
fn self_approval(ctx: &Context<'_>, identity: &Identity, approver: &str) -> Option<String> {
    let RoleRef::Set(technical) = identity.owner(Role::Technical) else {
        return None;
    };
    if technical.value == approver {
        return Some("the technical owner".to_owned());
    }
    ctx.is_member(&technical.value, approver)
        .then(|| format!("a member of technical owner `{}`", technical.value))
}

/// `unused-exception`: a valid exception whose rule reported nothing.
pub fn unused(exception: &Exception) -> Violation {
    let rule = exception.rule.value;
    Violation::new(
        RuleId::UnusedException,
        exception.rule.loc,
        rule.as_str(),
        format!("exception for {rule} matches no finding on this identity; remove it"),
    )
}
