//! Ownership rules: is every identity held by three accountable, reachable,
//! in-house owners?

use super::{Context, Inactive, Related, RuleId, Target, Violation};
use crate::keyword::Keyword;
use crate::registry::{
    Identity, Located, Owner, OwnerKind, OwnerStatus, Registry, Role, RoleRef, Shared,
};
use std::collections::HashMap;

/// `missing-owner`: each role `policy.required_owners` names must be set.
pub fn required_owners(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    for &role in &ctx.registry.policy.required_owners {
        if let RoleRef::Missing(loc) = identity.owner(role) {
            out.push(
                Violation::new(
                    RuleId::MissingOwner,
                    *loc,
                    format!("no {role} owner: name who {}", role_duty(role)),
                )
                .detail(role.as_str()),
            );
        }
    }
}

/// `unknown-owner` and `inactive-owner`: the owners and exception approvers
/// an identity names must be in the directory, and accountable.
pub fn references(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    for role in [Role::Policy, Role::Technical, Role::Revocation] {
        if let Some(id) = identity.owner(role).id() {
            check_reference(
                ctx,
                id,
                &format_args!("{role} owner"),
                (role.as_str(), 1),
                out,
            );
        }
    }
    for exception in &identity.exceptions {
        if let Some(approver) = &exception.approved_by {
            let detail = format!("approved_by:{}", exception.rule.value);
            check_reference(
                ctx,
                approver,
                &format_args!("approver of the {} exception", exception.rule.value),
                (&detail, exception.nth),
                out,
            );
        }
    }
}

/// `vendor-accountability`: risk acceptance and revocation stay in-house, so
/// a vendor may be neither the policy nor the revocation owner, nor approve
/// an exception.
pub fn vendors(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    for role in [Role::Policy, Role::Revocation] {
        if let Some(id) = identity.owner(role).id()
            && is_vendor(ctx, &id.value)
        {
            let duty = if role == Role::Policy {
                "risk acceptance"
            } else {
                "revocation"
            };
            out.push(
                Violation::new(
                    RuleId::VendorAccountability,
                    id.loc,
                    format!(
                        "{role} owner `{}` is a vendor; {duty} must stay in-house",
                        id.value
                    ),
                )
                .detail(role.as_str()),
            );
        }
    }
    for exception in &identity.exceptions {
        if let Some(approver) = &exception.approved_by
            && is_vendor(ctx, &approver.value)
        {
            out.push(
                Violation::new(
                    RuleId::VendorAccountability,
                    approver.loc,
                    format!(
                        "the {} exception is approved by `{}`, a vendor; risk acceptance must stay in-house, so it suppresses nothing",
                        exception.rule.value, approver.value
                    ),
                )
                .detail(format!("approved_by:{}", exception.rule.value))
                .nth(exception.nth),
            );
        }
    }
}

/// `no-separation-of-duties`: the owner who accepts the risk is not the one
/// who operates the credential.
pub fn separation_of_duties(_: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    if let (Some(policy), Some(technical)) = (
        identity.owner(Role::Policy).id(),
        identity.owner(Role::Technical).id(),
    ) && policy.value == technical.value
    {
        out.push(Violation::new(
            RuleId::NoSeparationOfDuties,
            technical.loc,
            format!(
                "`{}` is both the policy and the technical owner",
                policy.value
            ),
        ));
    }
}

/// `missing-escalation`: someone can be reached to revoke the credential,
/// through the identity's `escalation` or its revocation owner's `contact`.
pub fn escalation(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    if is_contact(identity.escalation.as_ref()) {
        return;
    }
    let registry = ctx.registry;
    let problem = match identity.owner(Role::Revocation) {
        RoleRef::Missing(_) => "there is no revocation owner".to_owned(),
        RoleRef::Set(id) => match registry.owner(&id.value) {
            None if !registry.has_directory() => format!(
                "there is no owner directory to give revocation owner `{}` a contact",
                id.value
            ),
            None => format!(
                "revocation owner `{}` is not in the owner directory",
                id.value
            ),
            Some(owner) if !is_contact(owner.contact.as_ref()) => {
                format!("revocation owner `{}` has no contact", id.value)
            }
            Some(_) => return,
        },
    };
    out.push(Violation::new(
        RuleId::MissingEscalation,
        identity.loc,
        format!("no escalation contact, and {problem}"),
    ));
}

/// `shared-credential`: `used_by` names more than one workload. Located at
/// the first, with the others as related locations.
pub fn shared_credential(_: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let mut distinct: Vec<&Located<String>> = Vec::new();
    for workload in &identity.used_by {
        if !distinct.iter().any(|w| w.value == workload.value) {
            distinct.push(workload);
        }
    }
    let [first, rest @ ..] = distinct.as_slice() else {
        return;
    };
    if rest.is_empty() {
        return;
    }
    let others = match rest {
        [one] => format!("`{}`", one.value),
        _ => format!("{} other workloads", rest.len()),
    };
    let mut violation = Violation::new(
        RuleId::SharedCredential,
        first.loc,
        format!(
            "used by `{}` and {others}: no rotation or revocation is safe for one without breaking the others; issue each workload its own credential",
            first.value
        ),
    );
    for other in rest {
        violation = violation.related(other.loc, format!("also used by `{}`", other.value));
    }
    out.push(violation);
}

/// A contact is a non-blank string: `escalation: ""` reaches nobody.
fn is_contact<T: AsRef<str>>(contact: Option<&Located<T>>) -> bool {
    contact.is_some_and(|c| !c.value.as_ref().trim().is_empty())
}

fn is_vendor(ctx: &Context<'_>, id: &str) -> bool {
    ctx.registry
        .owner(id)
        .is_some_and(|o| o.kind.value == OwnerKind::Vendor)
}

fn role_duty(role: Role) -> &'static str {
    match role {
        Role::Policy => "accepts this identity's risk",
        Role::Technical => "operates and rotates this credential",
        Role::Revocation => "can revoke this credential in an incident",
    }
}

/// `unknown-owner` and `inactive-owner` for one reference from an identity.
fn check_reference(
    ctx: &Context<'_>,
    id: &Located<Shared>,
    what: &dyn std::fmt::Display,
    (detail, nth): (&str, u32),
    out: &mut Vec<Violation>,
) {
    let registry = ctx.registry;
    if !registry.has_directory() {
        return;
    }
    match registry.owner(&id.value) {
        None => out.push(unknown(ctx, id, what, (detail, nth))),
        Some(_) => {
            if let Some(inactive) = ctx.inactive(&id.value) {
                let mut violation = Violation::new(
                    RuleId::InactiveOwner,
                    id.loc,
                    format!("{what} `{}` {}", id.value, inactive.reason),
                )
                .detail(detail)
                .nth(nth);
                violation.related.extend(inactive.related.iter().cloned());
                out.push(violation);
            }
        }
    }
}

fn unknown(
    ctx: &Context<'_>,
    id: &Located<Shared>,
    what: &dyn std::fmt::Display,
    (detail, nth): (&str, u32),
) -> Violation {
    let suggestion = ctx
        .suggest_owner(&id.value)
        .map(|s| format!(" ({})", crate::keyword::suggestion(s)))
        .unwrap_or_default();
    Violation::new(
        RuleId::UnknownOwner,
        id.loc,
        format!(
            "{what} `{}` is not in the owner directory{suggestion}",
            id.value
        ),
    )
    .detail(detail)
    .nth(nth)
}

/// The inactive members a finding on their team shows, at most: every
/// reference to the team repeats them, and the message gives the count.
pub const MAX_RELATED_MEMBERS: usize = 5;

/// Why an owner cannot be accountable: it is inactive, or it is a team whose
/// listed members are all inactive (then the members' entries explain it).
/// Computed once per owner ([`Context::new`]).
pub(super) fn inactive(registry: &Registry, owner: &Owner) -> Option<Inactive> {
    if owner.status == OwnerStatus::Inactive {
        return Some(Inactive {
            reason: format!("is an inactive {}", owner.kind.value),
            related: Vec::new(),
        });
    }
    if owner.kind.value != OwnerKind::Team || owner.members.is_empty() {
        return None;
    }
    let mut related = Vec::new();
    for member in &owner.members {
        let entry = registry
            .owner(&member.value)
            .filter(|p| p.status == OwnerStatus::Inactive)?;
        if related.len() < MAX_RELATED_MEMBERS {
            related.push(Related {
                loc: entry.id.loc,
                message: format!("member `{}` is inactive", member.value),
            });
        }
    }
    let reason = match owner.members.len() {
        1 => "is a team whose only member is inactive".to_owned(),
        n => format!("is a team whose {n} members are all inactive"),
    };
    Some(Inactive { reason, related })
}

/// An owner that may approve an exception: in the directory, active, not a
/// team of inactive people, and not a vendor (risk acceptance stays in-house).
pub fn may_approve(ctx: &Context<'_>, id: &str) -> bool {
    ctx.registry
        .owner(id)
        .is_some_and(|o| o.kind.value != OwnerKind::Vendor)
        && ctx.inactive(id).is_none()
}

/// `unknown-owner` in the directory: team members that name no entry.
pub fn unknown_members<'r>(ctx: &Context<'r>) -> Vec<(Target<'r>, Violation)> {
    let mut out = Vec::new();
    for owner in &ctx.registry.owners {
        // A member listed twice is two references, with findings of their own.
        let mut listed: HashMap<&str, u32> = HashMap::new();
        for member in &owner.members {
            let nth = listed.entry(member.value.as_ref()).or_insert(0);
            *nth += 1;
            if ctx.registry.owner(&member.value).is_none() {
                let detail = format!("member:{}", member.value);
                out.push((
                    Target::Owner(owner.id.value.as_str()),
                    unknown(ctx, member, &"team member", (&detail, *nth)),
                ));
            }
        }
    }
    out
}
