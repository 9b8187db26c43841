//! A finding: a rule's violation on its subject, at its severity, located in
//! a file, with the places that explain it and a fingerprint computed once
//! (SARIF, Code Quality and baselines match on it).

use crate::catalogue::{Group, RuleId, Severity};
use crate::keyword::Keyword;
use crate::registry::{Identity, Loc, Registry, Role, Shared};
use crate::rules::Violation;
use serde::Serialize;
use serde::ser::SerializeMap;
use std::collections::HashMap;

/// What a finding is about (SPEC §5): an identity entry, an entry of the
/// owner directory, or the registry as a whole.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    Identity {
        id: String,
        /// The entry's index in the registry's identity list.
        entry: usize,
        /// 1 for the first entry with this id, 2 for the next, …
        occurrence: u32,
    },
    Owner(String),
    /// The registry as a whole (`empty-registry`).
    Registry,
    /// An inventory record no identity names (`unregistered-identity`): its ref.
    Record(String),
}

impl Subject {
    /// Every identity entry of the registry in order, with its subject: the
    /// second entry with an id is its occurrence 2.
    pub fn identities(registry: &Registry) -> impl Iterator<Item = (&Identity, Subject)> {
        let occurrences = Subject::occurrences(registry);
        registry.identities.iter().enumerate().zip(occurrences).map(
            |((entry, identity), occurrence)| {
                (identity, Subject::identity(identity, entry, occurrence))
            },
        )
    }

    /// The subject of the identity entry `entry`, the `occurrence`th with its id.
    pub fn identity(identity: &Identity, entry: usize, occurrence: u32) -> Subject {
        Subject::Identity {
            id: identity.id.value.clone(),
            entry,
            occurrence,
        }
    }

    /// For each identity entry in order: 1 for the first entry with its id,
    /// 2 for the next, …
    pub fn occurrences(registry: &Registry) -> Vec<u32> {
        let mut seen: HashMap<&str, u32> = HashMap::with_capacity(registry.identities.len());
        registry
            .identities
            .iter()
            .map(|identity| {
                let occurrence = seen.entry(identity.id.value.as_str()).or_insert(0);
                *occurrence += 1;
                *occurrence
            })
            .collect()
    }
}

/// The fingerprint of a finding of `rule` on `subject`: the rule, the
/// subject (and which entry of a duplicated id), what distinguishes the
/// finding from others of its rule on that subject, and which of several
/// like entries it is about (the second exception for a rule, a member
/// listed twice); never a line number.
pub fn fingerprint(rule: RuleId, subject: &Subject, detail: &str, nth: u32) -> String {
    let (kind, id, occurrence) = match subject {
        Subject::Identity { id, occurrence, .. } => ("identity", id.as_str(), *occurrence),
        Subject::Owner(id) => ("owner", id.as_str(), 1),
        Subject::Registry => ("registry", "", 1),
        Subject::Record(reference) => ("record", reference.as_str(), 1),
    };
    hash(&[
        rule.as_str(),
        kind,
        id,
        &occurrence.to_string(),
        detail,
        &nth.to_string(),
    ])
}

/// In JSON: `identity` and `owner`, each an id or null.
impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        let (identity, owner) = match self {
            Subject::Identity { id, .. } => (Some(id.as_str()), None),
            Subject::Owner(id) => (None, Some(id.as_str())),
            Subject::Registry | Subject::Record(_) => (None, None),
        };
        map.serialize_entry("identity", &identity)?;
        map.serialize_entry("owner", &owner)?;
        map.end()
    }
}

/// An identity's owners, as named (null where missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owners {
    pub policy: Option<Shared>,
    pub technical: Option<Shared>,
    pub revocation: Option<Shared>,
}

impl Owners {
    pub fn of(identity: &Identity) -> Self {
        let id = |role| identity.owner(role).id().map(|id| id.value.clone());
        Owners {
            policy: id(Role::Policy),
            technical: id(Role::Technical),
            revocation: id(Role::Revocation),
        }
    }
}

/// The owner who must act on a finding of `rule` about an identity with
/// these owners: the technical owner for lifecycle and drift findings and
/// `shared-credential`; the exception's approver, else the policy owner, for
/// exception findings; the policy owner for the rest. `None` when that role
/// is missing.
pub fn route(rule: RuleId, owners: &Owners, approver: Option<&str>) -> Option<Shared> {
    match rule.group() {
        Group::Lifecycle | Group::Drift => owners.technical.clone(),
        Group::Ownership if rule == RuleId::SharedCredential => owners.technical.clone(),
        Group::Exceptions => approver.map(Shared::from).or_else(|| owners.policy.clone()),
        Group::Ownership | Group::Integrity => owners.policy.clone(),
    }
}

/// A place that explains a finding (SARIF `relatedLocations`, JSON `related`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl RelatedLocation {
    pub fn new(registry: &Registry, loc: Loc, message: String) -> Self {
        RelatedLocation {
            file: registry.file(loc).to_owned(),
            line: loc.line,
            column: loc.col,
            message,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    #[serde(flatten)]
    pub subject: Subject,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Stable across line moves and runs (see [`Finding::new`]).
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedLocation>,
    /// On a drift finding: the inventory ref it is about (an unregistered
    /// record's, or the identity's `ref`).
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// On an identity finding: the identity's three owners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners: Option<Owners>,
    /// On an identity finding: the owner who must act (SPEC §5), or null
    /// when that role is missing. See [`route`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<Option<Shared>>,
    /// Distinguishes findings of one rule on one subject.
    #[serde(skip)]
    pub detail: String,
    #[serde(skip)]
    pub(crate) file_index: u32,
}

impl Finding {
    /// The finding of a violation, with its [`fingerprint`].
    pub fn new(registry: &Registry, subject: Subject, v: Violation, severity: Severity) -> Self {
        let fingerprint = fingerprint(v.rule, &subject, &v.detail, v.nth);
        let related = v
            .related
            .into_iter()
            .map(|r| RelatedLocation::new(registry, r.loc, r.message))
            .collect();
        let owners = match &subject {
            Subject::Identity { entry, .. } => registry.identities.get(*entry).map(Owners::of),
            _ => None,
        };
        let route = owners
            .as_ref()
            .map(|owners| route(v.rule, owners, v.approver.as_deref()));
        let reference = match &subject {
            Subject::Record(reference) => Some(reference.clone()),
            Subject::Identity { entry, .. } if v.rule.group() == Group::Drift => registry
                .identities
                .get(*entry)
                .and_then(|i| i.reference.as_ref())
                .map(|r| r.value.clone()),
            _ => None,
        };
        Finding {
            rule: v.rule,
            severity,
            subject,
            message: v.message,
            file: registry.file(v.loc).to_owned(),
            line: v.loc.line,
            column: v.loc.col,
            fingerprint,
            related,
            reference,
            owners,
            route,
            detail: v.detail,
            file_index: v.loc.file,
        }
    }

    /// The identity's id, for an identity finding.
    pub fn identity(&self) -> Option<&str> {
        match &self.subject {
            Subject::Identity { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The owner's id, for a finding on the owner directory.
    pub fn owner(&self) -> Option<&str> {
        match &self.subject {
            Subject::Owner(id) => Some(id),
            _ => None,
        }
    }

    /// The identity entry (index in the registry) the finding is about.
    pub fn entry(&self) -> Option<usize> {
        match self.subject {
            Subject::Identity { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// How the subject is shown: the identity id, `owner <id>`, `registry`.
    pub fn subject(&self) -> String {
        match &self.subject {
            Subject::Identity { id, .. } => id.clone(),
            Subject::Owner(id) => format!("owner {id}"),
            Subject::Registry => "registry".to_owned(),
            Subject::Record(reference) => reference.clone(),
        }
    }

    pub(super) fn sort_key(&self) -> (&str, u32, u32, &str, &Subject, &str) {
        (
            &self.file,
            self.line,
            self.column,
            self.rule.as_str(),
            &self.subject,
            &self.message,
        )
    }
}

/// SHA-256 over the parts, each preceded by its length, cut to 128 bits (32
/// hex digits): no two lists of parts share a fingerprint by accident, and
/// none can be made to share one on purpose (a registry entry written to
/// hide behind a finding already baselined).
pub(crate) fn hash(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize()[..16])
}

/// Bytes as lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::{Subject, fingerprint, hash};
    use crate::catalogue::RuleId;

    #[test]
    fn parts_never_run_together() {
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
        assert_ne!(hash(&["a\0", ""]), hash(&["a", "\0"]));
        assert_eq!(hash(&["x", "y"]), hash(&["x", "y"]));
        assert_eq!(hash(&[]).len(), 32);
        // SHA-256 of the empty input: e3b0c442 98fc1c14 9afbf4c8 996fb924 …
        assert_eq!(hash(&[]), "e3b0c44298fc1c149afbf4c8996fb924");
    }

    #[test]
    fn an_id_cannot_pass_for_another_entry() {
        let identity = |id: &str, occurrence| Subject::Identity {
            id: id.to_owned(),
            entry: 0,
            occurrence,
        };
        let rule = RuleId::MissingOwner;
        // `svc#2` is an id of its own, not the second `svc`.
        assert_ne!(
            fingerprint(rule, &identity("svc", 2), "", 1),
            fingerprint(rule, &identity("svc#2", 1), "", 1)
        );
        assert_ne!(
            fingerprint(rule, &identity("x", 1), "member:a", 2),
            fingerprint(rule, &identity("x", 1), "member:a#2", 1)
        );
        assert_ne!(
            fingerprint(rule, &Subject::Owner("x".to_owned()), "", 1),
            fingerprint(rule, &identity("x", 1), "", 1)
        );
    }
}
