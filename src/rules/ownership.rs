//! Ownership rules: is every identity held by three accountable, reachable,
//! in-house owners?

use super::{Context, RuleId, Violation};
use crate::keyword::Keyword;
use crate::registry::{Identity, Located, Owner, OwnerKind, OwnerStatus, Registry, Role, RoleRef};

/// Ownership checks of one (non-retired) identity.
pub fn check(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let registry = ctx.registry;
    for &role in &registry.policy.required_owners {
        if let RoleRef::Missing(loc) = identity.owner(role) {
            out.push(Violation::new(
                RuleId::MissingOwner,
                *loc,
                role.as_str(),
                format!("no {role} owner: name who {}", role_duty(role)),
            ));
        }
    }
    for role in [Role::Policy, Role::Technical, Role::Revocation] {
        if let Some(id) = identity.owner(role).id() {
            check_reference(ctx, id, &format_args!("{role} owner"), role.as_str(), out);
        }
    }
    for exception in &identity.exceptions {
        if let Some(approver) = &exception.approved_by {
            let detail = format!("approved_by:{}", exception.rule.value);
            check_reference(
                ctx,
                approver,
                &format_args!("approver of the {} exception", exception.rule.value),
                &detail,
                out,
            );
        }
    }
    for role in [Role::Policy, Role::Revocation] {
        if let Some(id) = identity.owner(role).id()
            && is_vendor(ctx, &id.value)
        {
            out.push(Violation::new(
                RuleId::VendorAccountability,
                id.loc,
                role.as_str(),
                format!(
                    "{role} owner `{}` is a vendor; {} must stay in-house",
                    id.value,
                    if role == Role::Policy {
                        "risk acceptance"
                    } else {
                        "revocation"
                    }
                ),
            ));
        }
    }
    // Risk acceptance stays in-house: a vendor may not approve an exception.
    for exception in &identity.exceptions {
        if let Some(approver) = &exception.approved_by
            && is_vendor(ctx, &approver.value)
        {
            out.push(Violation::new(
                RuleId::VendorAccountability,
                approver.loc,
                format!("approved_by:{}", exception.rule.value),
                format!(
                    "the {} exception is approved by `{}`, a vendor; risk acceptance must stay in-house, so it suppresses nothing",
                    exception.rule.value, approver.value
                ),
            ));
        }
    }
    if let (Some(policy), Some(technical)) = (
        identity.owner(Role::Policy).id(),
        identity.owner(Role::Technical).id(),
    ) && policy.value == technical.value
    {
        out.push(Violation::new(
            RuleId::NoSeparationOfDuties,
            technical.loc,
            "",
            format!(
                "`{}` is both the policy and the technical owner",
                policy.value
            ),
        ));
    }
    if !is_contact(identity.escalation.as_ref()) {
        let problem = match identity.owner(Role::Revocation) {
            RoleRef::Missing(_) => Some("there is no revocation owner".to_owned()),
            RoleRef::Set(id) => match registry.owner(&id.value) {
                None if !registry.has_directory() => Some(format!(
                    "there is no owner directory to give revocation owner `{}` a contact",
                    id.value
                )),
                None => Some(format!(
                    "revocation owner `{}` is not in the owner directory",
                    id.value
                )),
                Some(owner) if !is_contact(owner.contact.as_ref()) => {
                    Some(format!("revocation owner `{}` has no contact", id.value))
                }
                Some(_) => None,
            },
        };
        if let Some(problem) = problem {
            out.push(Violation::new(
                RuleId::MissingEscalation,
                identity.loc,
                "",
                format!("no escalation contact, and {problem}"),
            ));
        }
    }
}

/// A contact is a non-blank string: `escalation: ""` reaches nobody.
fn is_contact(contact: Option<&Located<String>>) -> bool {
    contact.is_some_and(|c| !c.value.trim().is_empty())
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
    id: &Located<String>,
    what: &dyn std::fmt::Display,
    detail: &str,
    out: &mut Vec<Violation>,
) {
    let registry = ctx.registry;
    if !registry.has_directory() {
        return;
    }
    match registry.owner(&id.value) {
        None => out.push(unknown(ctx, id, what, detail)),
        Some(_) => {
            if let Some(reason) = ctx.inactive_reason(&id.value) {
                out.push(Violation::new(
                    RuleId::InactiveOwner,
                    id.loc,
                    detail,
                    format!("{what} `{}` {reason}", id.value),
                ));
            }
        }
    }
}

fn unknown(
    ctx: &Context<'_>,
    id: &Located<String>,
    what: &dyn std::fmt::Display,
    detail: &str,
) -> Violation {
    let suggestion = ctx
        .suggest_owner(&id.value)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Violation::new(
        RuleId::UnknownOwner,
        id.loc,
        detail,
        format!(
            "{what} `{}` is not in the owner directory{suggestion}",
            id.value
        ),
    )
}

/// Why an owner cannot be accountable: it is inactive, or it is a team whose
/// listed members are all inactive. Computed once per owner ([`Context::new`]).
pub(super) fn inactive_reason(registry: &Registry, owner: &Owner) -> Option<String> {
    if owner.status == OwnerStatus::Inactive {
        return Some(format!("is an inactive {}", owner.kind.value));
    }
    if owner.kind.value == OwnerKind::Team && !owner.members.is_empty() {
        let all_inactive = owner.members.iter().all(|m| {
            registry
                .owner(&m.value)
                .is_some_and(|p| p.status == OwnerStatus::Inactive)
        });
        if all_inactive {
            return Some(match owner.members.len() {
                1 => "is a team whose only member is inactive".to_owned(),
                n => format!("is a team whose {n} members are all inactive"),
            });
        }
    }
    None
}

/// An owner that may approve an exception: in the directory, active, not a
/// team of inactive people, and not a vendor (risk acceptance stays in-house).
pub fn may_approve(ctx: &Context<'_>, id: &str) -> bool {
    ctx.registry
        .owner(id)
        .is_some_and(|o| o.kind.value != OwnerKind::Vendor)
        && ctx.inactive_reason(id).is_none()
}

/// Directory checks: team members that name no directory entry.
pub fn check_directory<'r>(ctx: &Context<'r>, out: &mut Vec<(&'r str, Violation)>) {
    for owner in &ctx.registry.owners {
        for member in &owner.members {
            if ctx.registry.owner(&member.value).is_none() {
                out.push((
                    owner.id.value.as_str(),
                    unknown(
                        ctx,
                        member,
                        &"team member",
                        &format!("member:{}", member.value),
                    ),
                ));
            }
        }
    }
}
