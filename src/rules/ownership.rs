//! Ownership rules: is every identity held by three accountable, reachable,
//! in-house owners?

use super::{Context, RuleId, Violation};
use crate::keyword::{Keyword, did_you_mean};
use crate::registry::{Identity, Located, Owner, OwnerKind, OwnerStatus, Role, RoleRef};

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
            && registry
                .owner(&id.value)
                .is_some_and(|o| o.kind.value == OwnerKind::Vendor)
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
    if identity.escalation.is_none() {
        let problem = match identity.owner(Role::Revocation) {
            RoleRef::Missing(_) => Some("there is no revocation owner".to_owned()),
            RoleRef::Set(id) => match registry.owner(&id.value) {
                None => Some(format!(
                    "revocation owner `{}` is not in the owner directory",
                    id.value
                )),
                Some(owner) if owner.contact.is_none() => {
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
        Some(owner) => {
            if let Some(reason) = inactive_reason(ctx, owner) {
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
    let suggestion = did_you_mean(
        &id.value,
        ctx.registry.owners.iter().map(|o| o.id.value.as_str()),
    )
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
/// listed members are all inactive.
fn inactive_reason(ctx: &Context<'_>, owner: &Owner) -> Option<String> {
    if owner.status == OwnerStatus::Inactive {
        return Some(format!("is an inactive {}", owner.kind.value));
    }
    if owner.kind.value == OwnerKind::Team && !owner.members.is_empty() {
        let all_inactive = owner.members.iter().all(|m| {
            ctx.registry
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

/// An owner that can be held accountable: active, and not a team of inactive people.
pub fn is_accountable(ctx: &Context<'_>, owner: &Owner) -> bool {
    inactive_reason(ctx, owner).is_none()
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
