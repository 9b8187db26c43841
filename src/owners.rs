//! The accountability view (`nhi-own owners`): for each owner, the identities
//! it holds and in which roles, and the open findings it must act on, routed
//! as SPEC §5 defines `route`; findings nobody can be routed to are listed on
//! their own.

use crate::escape::escape;
use crate::keyword::Keyword;
use crate::registry::{Date, IdentityKind, IdentityStatus, OwnerKind, OwnerStatus, Registry, Role};
use crate::report::markdown::{code, code_span};
use crate::report::{Finding, Report, Subject};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

#[derive(Debug, Serialize)]
pub struct View<'r> {
    pub version: u32,
    pub tool: crate::report::json::Tool,
    pub now: String,
    pub owners: Vec<OwnerView<'r>>,
    /// Open findings with nobody to route them to: the role that must act is
    /// missing, or the finding is about the registry as a whole.
    pub unrouted: Vec<&'r Finding>,
}

#[derive(Debug, Serialize)]
pub struct OwnerView<'r> {
    pub id: &'r str,
    /// Null for an id that identities name but the directory does not list.
    pub kind: Option<OwnerKind>,
    pub status: Option<OwnerStatus>,
    pub name: Option<&'r str>,
    pub contact: Option<&'r str>,
    pub in_directory: bool,
    /// A team's members.
    pub members: Vec<&'r str>,
    /// The teams a person is a member of.
    pub teams: Vec<&'r str>,
    pub identities: Vec<Holding<'r>>,
    /// Open findings this owner must act on, and directory findings about it.
    pub findings: Vec<&'r Finding>,
}

/// An identity an owner holds, and in which roles.
#[derive(Debug, Serialize)]
pub struct Holding<'r> {
    pub id: &'r str,
    pub kind: IdentityKind,
    pub status: IdentityStatus,
    pub privileged: bool,
    pub roles: Vec<Role>,
}

/// Every owner: the directory in its order, then ids that identities name but
/// the directory lacks, in the order they are first named.
pub fn view<'r>(registry: &'r Registry, report: &'r Report<'_>, now: Date) -> View<'r> {
    let mut owners: Vec<OwnerView<'r>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for owner in &registry.owners {
        index.insert(&owner.id.value, owners.len());
        owners.push(OwnerView {
            id: &owner.id.value,
            kind: Some(owner.kind.value),
            status: Some(owner.status),
            name: owner.name.as_ref().map(|n| n.value.as_str()),
            contact: owner.contact.as_ref().map(|c| c.value.as_str()),
            in_directory: true,
            members: owner.members.iter().map(|m| m.value.as_ref()).collect(),
            teams: Vec::new(),
            identities: Vec::new(),
            findings: Vec::new(),
        });
    }
    for team in &registry.owners {
        for member in &team.members {
            // Teams are visited once each, in order: a member listed twice
            // in one team is that team's last entry already.
            if let Some(&i) = index.get(member.value.as_ref())
                && owners[i].teams.last() != Some(&team.id.value.as_str())
            {
                owners[i].teams.push(&team.id.value);
            }
        }
    }
    for identity in &registry.identities {
        let mut held: Vec<(&str, Role)> = Vec::new();
        for role in [Role::Policy, Role::Technical, Role::Revocation] {
            if let Some(id) = identity.owner(role).id() {
                held.push((&id.value, role));
            }
        }
        for (id, role) in &held {
            let i = entry(&mut owners, &mut index, id);
            let holdings = &mut owners[i].identities;
            match holdings.last_mut() {
                // The same entry, in another role.
                Some(last) if std::ptr::eq(last.id, identity.id.value.as_str()) => {
                    last.roles.push(*role);
                }
                _ => holdings.push(Holding {
                    id: &identity.id.value,
                    kind: identity.kind.value,
                    status: identity.status,
                    privileged: identity.privileged,
                    roles: vec![*role],
                }),
            }
        }
    }
    let mut unrouted = Vec::new();
    for finding in &report.findings {
        let to = match (&finding.subject, &finding.route) {
            (Subject::Owner(id), _) => Some(id.as_str()),
            (_, Some(Some(route))) => Some(route.as_ref()),
            _ => None,
        };
        // An approver who holds no role is an owner too, with duties.
        match to {
            Some(id) => {
                let i = entry(&mut owners, &mut index, id);
                owners[i].findings.push(finding);
            }
            None => unrouted.push(finding),
        }
    }
    View {
        version: 1,
        tool: crate::report::json::TOOL,
        now: now.to_string(),
        owners,
        unrouted,
    }
}

/// The index of owner `id` in the view, added (as not in the directory) if
/// it is not there yet.
fn entry<'r>(
    owners: &mut Vec<OwnerView<'r>>,
    index: &mut HashMap<&'r str, usize>,
    id: &'r str,
) -> usize {
    *index.entry(id).or_insert_with(|| {
        owners.push(OwnerView {
            id,
            kind: None,
            status: None,
            name: None,
            contact: None,
            in_directory: false,
            members: Vec::new(),
            teams: Vec::new(),
            identities: Vec::new(),
            findings: Vec::new(),
        });
        owners.len() - 1
    })
}

impl<'r> View<'r> {
    /// Only `id`, and for a person the teams they are a member of; `None`
    /// when no owner has that id.
    pub fn only(mut self, id: &str) -> Option<Self> {
        let owner = self.owners.iter().find(|o| o.id == id)?;
        let teams: std::collections::HashSet<&str> = owner.teams.iter().copied().collect();
        self.owners.retain(|o| o.id == id || teams.contains(o.id));
        self.unrouted.clear();
        Some(self)
    }

    pub fn ids(&self) -> impl Iterator<Item = &'r str> + '_ {
        self.owners.iter().map(|o| o.id)
    }
}

pub fn json(view: &View) -> String {
    crate::report::json::to_safe_json(view)
}

/// What an owner is, in words: `team, 2 members (alex, sam), contact #x`.
fn describe(owner: &OwnerView) -> String {
    let mut parts = Vec::new();
    match owner.kind {
        Some(kind) => parts.push(kind.as_str().to_owned()),
        None => parts.push("not in the owner directory".to_owned()),
    }
    if owner.status == Some(OwnerStatus::Inactive) {
        parts.push("inactive".to_owned());
    }
    if let Some(name) = owner.name {
        parts.push(name.to_owned());
    }
    if !owner.members.is_empty() {
        parts.push(format!("members: {}", owner.members.join(", ")));
    }
    if !owner.teams.is_empty() {
        parts.push(format!("in {}", owner.teams.join(", ")));
    }
    if let Some(contact) = owner.contact {
        parts.push(format!("contact {contact}"));
    }
    parts.join("; ")
}

fn identity_label(h: &Holding) -> String {
    let mut label = format!("{} ({}", h.id, h.kind.as_str());
    if h.privileged {
        label.push_str(", privileged");
    }
    if h.status != IdentityStatus::Active {
        let _ = write!(label, ", {}", h.status.as_str());
    }
    label.push(')');
    label
}

fn roles(h: &Holding) -> String {
    h.roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn findings_line(n: usize) -> String {
    crate::wording::plural(n, "open finding", "open findings")
}

/// For people at a terminal: each owner, its identities and its findings.
pub fn table(view: &View, width: Option<u16>, color: bool) -> String {
    let mut out = String::new();
    for owner in &view.owners {
        // A line never begins with a registry string (`::error::` would be a
        // command to a CI runner).
        let _ = writeln!(
            out,
            "owner {} — {}",
            escape(owner.id),
            escape(&describe(owner))
        );
        if owner.identities.is_empty() {
            out.push_str("  holds no identity\n");
        } else {
            let mut table = crate::report::table::new_table(width);
            table.set_header(["identity", "roles"]);
            for h in &owner.identities {
                table.add_row([escape(&identity_label(h)).into_owned(), roles(h)]);
            }
            for line in table.to_string().lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        if !owner.findings.is_empty() {
            let _ = writeln!(
                out,
                "  must act on {}:",
                findings_line(owner.findings.len())
            );
            for f in &owner.findings {
                let _ = writeln!(out, "    {}", crate::report::text::line(f, color));
            }
        }
        out.push('\n');
    }
    if !view.unrouted.is_empty() {
        let _ = writeln!(
            out,
            "Nobody to route to ({}: the role that must act is missing):",
            findings_line(view.unrouted.len())
        );
        for f in &view.unrouted {
            let _ = writeln!(out, "    {}", crate::report::text::line(f, color));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} as of {}",
        crate::wording::plural(view.owners.len(), "owner", "owners"),
        view.now
    );
    out
}

/// For PR comments and wikis: a section per owner.
pub fn markdown(view: &View) -> String {
    let mut out = format!("## nhi-own: accountability as of {}\n\n", view.now);
    for owner in &view.owners {
        let _ = writeln!(
            out,
            "### {}\n\n{}\n",
            code_span(owner.id),
            code_span(&describe(owner))
        );
        if !owner.identities.is_empty() {
            out.push_str("| identity | roles |\n|---|---|\n");
            for h in &owner.identities {
                let _ = writeln!(out, "| {} | {} |", code(&identity_label(h)), roles(h));
            }
            out.push('\n');
        }
        findings_table(&mut out, &owner.findings);
    }
    if !view.unrouted.is_empty() {
        out.push_str("### Nobody to route to\n\n");
        findings_table(&mut out, &view.unrouted);
    }
    out
}

fn findings_table(out: &mut String, findings: &[&Finding]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "Must act on {}:\n", findings_line(findings.len()));
    out.push_str("| severity | rule | identity | message | location |\n|---|---|---|---|---|\n");
    for f in findings {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            f.severity.as_str(),
            f.rule.as_str(),
            code(&f.subject()),
            code(&f.message),
            code(&format!("{}:{}:{}", f.file, f.line, f.column)),
        );
    }
    out.push('\n');
}
