//! The registry file format, described once (SPEC §1): every entry kind's
//! keys, each with its type and a one-line description.
//!
//! The loader reads every mapping through its [`Table`] (see
//! [`super::entry::Entry`]): reading a key marks it, and the keys nobody read
//! are reported as unknown, with the closest key of the table. So the keys a
//! registry may hold are exactly the keys described here, and the JSON Schema
//! (`nhi-own schema`) is generated from the same tables.

use super::{IdentityKind, IdentityStatus, OwnerKind, OwnerStatus, Role};
use crate::catalogue::{LEVELS, RuleId};
use crate::keyword::Keyword;

/// What a key holds.
#[derive(Debug, Clone, Copy)]
pub enum Type {
    /// Any scalar, read as its text.
    Text,
    /// An owner or identity id: visible characters, no spaces, at most 256 bytes.
    Id,
    /// An owner id, which names an entry of the owner directory.
    OwnerRef,
    /// An owner role: an owner id, or null or empty (the role is missing,
    /// which `missing-owner` reports).
    Role,
    /// The integer 1.
    Version,
    Bool,
    /// `YYYY-MM-DD` or an RFC 3339 timestamp.
    Date,
    /// A positive number of days or weeks: `90d`, `12w`.
    Duration,
    /// A duration, or (where `never` is true) `never`.
    MaxAge {
        never: bool,
    },
    /// One word of a closed set.
    OneOf(fn() -> Vec<&'static str>),
    /// A list of values of one type.
    List(&'static Type),
    /// A mapping with the keys of a table.
    Table(&'static Table),
    /// A list of mappings with the keys of a table.
    Tables(&'static Table),
    /// A mapping from keys of one type to values of another.
    Map {
        key: &'static Type,
        value: &'static Type,
    },
}

/// One key of an entry kind.
#[derive(Debug)]
pub struct Field {
    pub key: &'static str,
    pub ty: Type,
    pub required: bool,
    pub description: &'static str,
}

/// An entry kind: the keys its mappings may hold.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub description: &'static str,
    /// How a mapping of this kind is written, for the help of a type error.
    pub shape: &'static str,
    pub fields: &'static [Field],
}

impl Table {
    pub fn keys(&self) -> impl Iterator<Item = &'static str> {
        self.fields.iter().map(|f| f.key)
    }

    pub fn field(&self, key: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

const fn field(key: &'static str, ty: Type, description: &'static str) -> Field {
    Field {
        key,
        ty,
        required: false,
        description,
    }
}

const fn required(key: &'static str, ty: Type, description: &'static str) -> Field {
    Field {
        key,
        ty,
        required: true,
        description,
    }
}

fn words<K: Keyword>() -> Vec<&'static str> {
    K::ALL.iter().map(|k| k.as_str()).collect()
}

/// The rule ids an exception may name (ownership and lifecycle rules).
pub fn exceptable_rules() -> Vec<&'static str> {
    RuleId::ALL
        .iter()
        .filter(|r| r.group().exceptable())
        .map(|r| r.as_str())
        .collect()
}

fn levels() -> Vec<&'static str> {
    LEVELS.to_vec()
}

pub static FILE: Table = Table {
    name: "registry file",
    description: "One file of an NHI ownership registry: the policy, the owner directory and the identities.",
    shape: "a mapping that starts with `version: 1`",
    fields: &[
        required(
            "version",
            Type::Version,
            "The format version: the integer 1.",
        ),
        field(
            "policy",
            Type::Table(&POLICY),
            "Thresholds and rule severities; at most one file of a registry has it.",
        ),
        field(
            "owners",
            Type::Map {
                key: &Type::Id,
                value: &Type::Table(&OWNER),
            },
            "The owner directory: owner id → owner entry. Once any owner is declared, every owner reference must name one.",
        ),
        field(
            "identities",
            Type::Tables(&IDENTITY),
            "The non-human identities: service accounts, API keys, tokens, certificates, SSH keys, OAuth apps, workload identities, secrets.",
        ),
    ],
};

pub static POLICY: Table = Table {
    name: "policy",
    description: "Thresholds and rule severities (every key optional).",
    shape: "`policy:` with keys such as `warn_within: 30d`",
    fields: &[
        field(
            "required_owners",
            Type::List(&Type::OneOf(words::<Role>)),
            "The owner roles every identity must name (default all three).",
        ),
        field(
            "rotation",
            Type::Table(&POLICY_ROTATION),
            "Maximum credential ages.",
        ),
        field(
            "review_interval",
            Type::Duration,
            "How often an identity's access is reviewed (default 180d).",
        ),
        field(
            "privileged_review_interval",
            Type::Duration,
            "How often a privileged identity's access is reviewed (default 90d).",
        ),
        field(
            "warn_within",
            Type::Duration,
            "How far ahead rotations, expiries and exceptions warn (default 30d).",
        ),
        field(
            "max_exception",
            Type::Duration,
            "The longest an exception may run (default 90d).",
        ),
        field(
            "unused_after",
            Type::Duration,
            "Drift: an active credential the inventory shows no use of within this is `unused-credential` (default 90d).",
        ),
        field(
            "ignore_refs",
            Type::List(&Type::Text),
            "Drift: globs of inventory refs never reported, such as the people of an AWS account (`*` within a `/`-separated segment, `**` across).",
        ),
        field(
            "severity",
            Type::Map {
                key: &Type::OneOf(rule_ids),
                value: &Type::OneOf(levels),
            },
            "Rule id → error, warning, info or off.",
        ),
    ],
};

fn rule_ids() -> Vec<&'static str> {
    words::<RuleId>()
}

pub static POLICY_ROTATION: Table = Table {
    name: "policy.rotation",
    description: "Maximum credential ages.",
    shape: "`rotation: { max_age: 60d, kinds: { token: 30d } }`",
    fields: &[
        field(
            "max_age",
            Type::Duration,
            "Replaces the built-in per-kind ages for kinds not listed in `kinds`.",
        ),
        field(
            "kinds",
            Type::Map {
                key: &Type::OneOf(words::<IdentityKind>),
                value: &Type::MaxAge { never: true },
            },
            "Identity kind → maximum age, or `never` (the kind is not rotated).",
        ),
    ],
};

pub static OWNER: Table = Table {
    name: "owner",
    description: "An entry of the owner directory: a team, a person or a vendor.",
    shape: "`team-payments: { kind: team, contact: \"#payments\" }`",
    fields: &[
        required(
            "kind",
            Type::OneOf(words::<OwnerKind>),
            "team, person or vendor.",
        ),
        field("name", Type::Text, "Display name."),
        field("email", Type::Text, "Email address."),
        field(
            "contact",
            Type::Text,
            "Escalation contact: pager, channel, phone or mail.",
        ),
        field(
            "members",
            Type::List(&Type::OwnerRef),
            "Teams only: the people (`person` entries) in the team.",
        ),
        field(
            "status",
            Type::OneOf(words::<OwnerStatus>),
            "active (default) or inactive: the person left, the team was disbanded, the vendor's contract ended.",
        ),
    ],
};

pub static IDENTITY: Table = Table {
    name: "identity",
    description: "A non-human identity and its three accountable owners.",
    shape: "a list item with its keys, such as `- { id: deploy-key, kind: ssh_key }`",
    fields: &[
        required("id", Type::Id, "Unique across the whole registry."),
        required(
            "kind",
            Type::OneOf(words::<IdentityKind>),
            "What sort of credential or principal it is.",
        ),
        field("description", Type::Text, "What it does."),
        field("system", Type::Text, "Where it lives."),
        field("environment", Type::Text, "Production, staging, …"),
        field("tags", Type::List(&Type::Text), "Free labels."),
        field(
            "status",
            Type::OneOf(words::<IdentityStatus>),
            "active (default), deprecated (retirement planned; audited like active) or retired.",
        ),
        field(
            "owners",
            Type::Table(&ROLES),
            "The policy, technical and revocation owners: one owner id each.",
        ),
        field(
            "escalation",
            Type::Text,
            "Incident contact for this identity.",
        ),
        field(
            "privileged",
            Type::Bool,
            "An admin or wide-scope credential (reviewed more often); default false.",
        ),
        field("created", Type::Date, "When it was created."),
        field(
            "rotation",
            Type::Table(&ROTATION),
            "When it was last rotated, and its own maximum age.",
        ),
        field(
            "expires",
            Type::Date,
            "Credential expiry: a certificate's notAfter, a token's expiry.",
        ),
        field("last_reviewed", Type::Date, "The last access review."),
        field(
            "revoked",
            Type::Date,
            "When a retired identity's credentials were revoked.",
        ),
        field(
            "ref",
            Type::Text,
            "The identity's identifier in the system that issued it, which `reconcile` matches inventories on: an AWS IAM ARN, `system:serviceaccount:NS:NAME`, a GCP service-account email or key name, an Entra application's appId, any string for a generic CSV. Unique across the registry.",
        ),
        field(
            "used_by",
            Type::List(&Type::Text),
            "The workloads, services or pipelines that use this credential.",
        ),
        field(
            "exceptions",
            Type::Tables(&EXCEPTION),
            "Accepted risks: each lets one rule's findings on this identity pass until it expires.",
        ),
    ],
};

pub static ROLES: Table = Table {
    name: "owners",
    description: "The three accountable roles; a role that is absent, null or empty is missing.",
    shape: "`owners: { policy: team-a, technical: team-b, revocation: team-c }`",
    fields: &[
        field(
            "policy",
            Type::Role,
            "Accepts the identity's risk, decides its scope and lifetime.",
        ),
        field(
            "technical",
            Type::Role,
            "Operates the credential: issues, scopes and rotates it.",
        ),
        field(
            "revocation",
            Type::Role,
            "Can revoke it in an incident, at offboarding or at contract end.",
        ),
    ],
};

pub static ROTATION: Table = Table {
    name: "rotation",
    description: "Rotation of the credential.",
    shape: "`rotation: { last_rotated: 2026-11-01, max_age: 90d }`",
    fields: &[
        field(
            "last_rotated",
            Type::Date,
            "When the credential was last rotated.",
        ),
        field(
            "max_age",
            Type::MaxAge { never: false },
            "This identity's maximum age, over the policy's.",
        ),
    ],
};

pub static EXCEPTION: Table = Table {
    name: "exception",
    description: "An accepted risk: lets one rule's findings on this identity pass until it expires.",
    shape: "a list item such as `- { rule: stale-rotation, reason: migration, approved_by: team-sec, expires: 2026-12-31 }`",
    fields: &[
        required(
            "rule",
            Type::OneOf(exceptable_rules),
            "The rule accepted: an ownership or lifecycle rule.",
        ),
        required("reason", Type::Text, "Why the risk is accepted."),
        field(
            "approved_by",
            Type::OwnerRef,
            "Who accepted it: an active, in-house owner.",
        ),
        field("expires", Type::Date, "When it ends."),
        field("ticket", Type::Text, "Where it was decided."),
    ],
};

/// Every table, for the schema and for tests.
pub static TABLES: [&Table; 8] = [
    &FILE,
    &POLICY,
    &POLICY_ROTATION,
    &OWNER,
    &IDENTITY,
    &ROLES,
    &ROTATION,
    &EXCEPTION,
];
