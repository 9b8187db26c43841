//! Exception rules: is every accepted risk approved, bounded and still needed?
//!
//! An exception is *valid* when it is complete, unexpired and (where a
//! directory exists) approved by an owner that resolves, is active and is not
//! a vendor. Only valid exceptions suppress findings; anything else fails closed.

use super::{Context, RuleId, Violation, Window};
use crate::keyword::Keyword;
use crate::registry::{Exception, Identity, Role, RoleRef};
use crate::wording::{days, until};

/// The verdict on one exception of a non-retired identity.
pub struct Assessment {
    pub valid: bool,
    pub violations: Vec<Violation>,
}

pub fn assess(ctx: &Context<'_>, identity: &Identity, exception: &Exception) -> Assessment {
    let mut violations = Vec::new();
    let rule = exception.rule.value;
    let detail = rule.as_str();
    let flag = |violations: &mut Vec<Violation>, id, loc, message| {
        violations.push(
            Violation::new(id, loc, message)
                .detail(detail)
                .nth(exception.nth)
                .on_exception(exception),
        );
    };

    let missing: Vec<&str> = [
        exception.approved_by.is_none().then_some("`approved_by`"),
        exception.expires.is_none().then_some("`expires`"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        flag(
            &mut violations,
            RuleId::IncompleteException,
            exception.loc,
            format!(
                "exception for {rule} has no {}; it suppresses nothing",
                missing.join(" and no ")
            ),
        );
    }
    let window = exception
        .expires
        .as_ref()
        .map(|expires| (expires, ctx.window(ctx.days_until(expires.value))));
    if let Some((expires, Window::Passed(ago))) = window {
        flag(
            &mut violations,
            RuleId::ExpiredException,
            expires.loc,
            format!(
                "exception for {rule} expired {}, {} ago; it suppresses nothing",
                expires.value,
                days(ago)
            ),
        );
    }
    let expired = matches!(window, Some((_, Window::Passed(_))));
    let approver_ok = match &exception.approved_by {
        None => false,
        Some(approver) => {
            !ctx.registry.has_directory() || super::ownership::may_approve(ctx, &approver.value)
        }
    };
    let valid = missing.is_empty() && !expired && approver_ok;
    if !valid {
        return Assessment { valid, violations };
    }
    let policy = &ctx.registry.policy;
    if let Some((expires, Window::Within(left) | Window::Beyond(left))) = window {
        if matches!(window, Some((_, Window::Within(_)))) {
            flag(
                &mut violations,
                RuleId::ExpiringException,
                expires.loc,
                format!(
                    "exception for {rule} runs out {}, {}: from the day after, it suppresses nothing; warning window {}",
                    expires.value,
                    until(left),
                    policy.warn_within
                ),
            );
        }
        if left > policy.max_exception.days {
            flag(
                &mut violations,
                RuleId::ExceptionTooLong,
                expires.loc,
                format!(
                    "exception for {rule} runs until {}, {} from today; max exception {}",
                    expires.value,
                    days(left),
                    policy.max_exception
                ),
            );
        }
    }
    if let Some(approver) = &exception.approved_by
        && let Some(how) = self_approval(ctx, identity, &approver.value)
    {
        flag(
            &mut violations,
            RuleId::SelfApprovedException,
            approver.loc,
            format!(
                "exception for {rule} is approved by `{}`, {how}",
                approver.value
            ),
        );
    }
    Assessment { valid, violations }
}

/// Whether the approver is the technical owner, or a member of that team.
fn self_approval(ctx: &Context<'_>, identity: &Identity, approver: &str) -> Option<String> {
    let RoleRef::Set(technical) = identity.owner(Role::Technical) else {
        return None;
    };
    if &*technical.value == approver {
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
        format!("exception for {rule} matches no finding on this identity; remove it"),
    )
    .detail(rule.as_str())
    .nth(exception.nth)
    .on_exception(exception)
}
