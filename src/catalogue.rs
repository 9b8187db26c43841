//! The rule vocabulary and catalogue: every rule's id, group, default
//! severity, summary, explanation, fix, the example it reports and the same
//! example fixed, and framework references, written once. A leaf: it uses
//! nothing of the registry, the rules or the reports, which all use it.
//!
//! `nhi-own rules`, `nhi-own explain`, report rule descriptors, the JSON
//! Schema's rule ids and the README's rule table all come from here.

use crate::keyword::keyword_enum;

keyword_enum! {
    /// The groups of SPEC §2.
    pub enum Group {
        Ownership => "ownership",
        Lifecycle => "lifecycle",
        Integrity => "integrity",
        Exceptions => "exceptions",
        Drift => "drift",
    }
}

impl Group {
    /// Whether an exception may name the group's rules (SPEC §1: ownership,
    /// lifecycle and drift); exception and integrity rules cannot be excepted.
    pub fn exceptable(self) -> bool {
        matches!(self, Group::Ownership | Group::Lifecycle | Group::Drift)
    }
}

keyword_enum! {
    /// The severity of a finding, most severe first.
    pub enum Severity {
        Error => "error",
        Warning => "warning",
        Info => "info",
    }
}

/// The spellings `policy.severity` takes: a severity, or `off`.
pub const LEVELS: [&str; 4] = ["error", "warning", "info", "off"];

/// A `policy.severity` value: `Some(Some(severity))`, `Some(None)` for
/// `off`; `None` for anything else.
pub fn parse_level(text: &str) -> Option<Option<Severity>> {
    use crate::keyword::Keyword;
    match text {
        "off" => Some(None),
        _ => Severity::parse(text).map(Some),
    }
}

/// Everything known about one rule.
#[derive(Debug)]
pub struct RuleInfo {
    pub id: RuleId,
    pub group: Group,
    pub severity: Severity,
    /// One line: when the rule fires.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// A registry fragment that triggers it.
    pub example: &'static str,
    /// The same fragment, fixed ("use instead").
    pub fixed: &'static str,
    /// OWASP Non-Human Identities Top 10 (2025).
    pub owasp: &'static [&'static str],
    /// NIST CSF 2.0 subcategories.
    pub nist: &'static [&'static str],
}

impl RuleInfo {
    /// The framework references, one framework per line.
    pub fn references(&self) -> String {
        format!(
            "OWASP Non-Human Identities Top 10 (2025): {}\nNIST CSF 2.0: {}",
            join_references(self.owasp, "none"),
            join_references(self.nist, "none")
        )
    }
}

/// References as `a, b`, or `none` when there are none.
pub fn join_references(refs: &[&str], none: &str) -> String {
    if refs.is_empty() {
        none.to_owned()
    } else {
        refs.join(", ")
    }
}

impl RuleId {
    pub fn group(self) -> Group {
        self.info().group
    }
}

macro_rules! catalogue {
    ($($variant:ident => $id:literal {
        group: $group:ident, severity: $severity:ident,
        summary: $summary:literal,
        why: $why:literal,
        fix: $fix:literal,
        example: $example:literal,
        fixed: $fixed:literal,
        owasp: [$($owasp:literal),*], nist: [$($nist:literal),*] $(,)?
    }),+ $(,)?) => {
        keyword_enum! {
            /// A rule id, in catalogue order.
            pub enum RuleId { $($variant => $id),+ }
        }

        impl RuleId {
            pub fn info(self) -> &'static RuleInfo {
                match self {
                    $(RuleId::$variant => &RuleInfo {
                        id: RuleId::$variant,
                        group: Group::$group,
                        severity: Severity::$severity,
                        summary: $summary,
                        why: $why,
                        fix: $fix,
                        example: $example,
                        fixed: $fixed,
                        owasp: &[$($owasp),*],
                        nist: &[$($nist),*],
                    }),+
                }
            }
        }
    };
}

catalogue! {
    MissingOwner => "missing-owner" {
        group: Ownership, severity: Error,
        summary: "A required owner role (policy, technical, revocation) is absent or empty",
        why: "An identity without a named owner for each role is an orphan in waiting: nobody \
              accepts its risk, nobody rotates it, and nobody can be paged to revoke it in an \
              incident. Orphaned service accounts and keys are how breaches start and persist.",
        fix: "Name one owner id for each role under `owners:`. Roles can be dropped from the \
              requirement with `policy.required_owners`.",
        example: "- id: ci-deploy-key\n  kind: ssh_key\n  owners:\n    policy: team-platform\n    technical: team-platform\n    # revocation is missing",
        fixed: "- id: ci-deploy-key\n  kind: ssh_key\n  owners:\n    policy: team-platform\n    technical: team-platform\n    revocation: team-secops",
        owasp: ["NHI1:2025"], nist: ["GV.RR-02", "PR.AA-01"],
    },
    UnknownOwner => "unknown-owner" {
        group: Ownership, severity: Error,
        summary: "An owner reference names no entry in the owner directory",
        why: "When the registry keeps an owner directory, a reference that resolves to nothing \
              is as good as no owner: a typo, a renamed team or a person removed from the \
              directory leaves the identity without anyone reachable.",
        fix: "Fix the id, or add the owner to `owners:` with its kind and contact.",
        example: "owners:\n  team-payments: { kind: team }\nidentities:\n  - id: stripe-key\n    kind: api_key\n    owners: { policy: team-paymnets, technical: team-payments, revocation: team-payments }",
        fixed: "owners:\n  team-payments: { kind: team }\nidentities:\n  - id: stripe-key\n    kind: api_key\n    owners: { policy: team-payments, technical: team-payments, revocation: team-payments }",
        owasp: ["NHI1:2025"], nist: ["GV.RR-02", "PR.AA-01"],
    },
    InactiveOwner => "inactive-owner" {
        group: Ownership, severity: Error,
        summary: "A role or an exception's approver is an inactive owner, or a team whose members are all inactive",
        why: "People leave and teams are disbanded, but their credentials stay. An identity held \
              by someone who is gone is orphaned in practice: improper offboarding is the first \
              risk of the OWASP NHI Top 10.",
        fix: "Hand the role to an active owner, or staff the team with active members. If the \
              credential is no longer needed, retire and revoke it.",
        example: "owners:\n  alice: { kind: person, status: inactive }\nidentities:\n  - id: backup-sa\n    kind: service_account\n    owners: { policy: alice, technical: alice, revocation: alice }",
        fixed: "owners:\n  alice: { kind: person, status: inactive }\n  team-backup: { kind: team, members: [bob] }\n  bob: { kind: person }\nidentities:\n  - id: backup-sa\n    kind: service_account\n    owners: { policy: team-backup, technical: team-backup, revocation: team-backup }",
        owasp: ["NHI1:2025"], nist: ["GV.RR-04", "PR.AA-01", "ID.AM-08"],
    },
    VendorAccountability => "vendor-accountability" {
        group: Ownership, severity: Error,
        summary: "The policy or revocation role, or an exception's approver, is a vendor",
        why: "A vendor may operate a credential, but accepting its risk and killing it in an \
              incident must stay in-house: a vendor cannot be made to revoke at 3 a.m., and its \
              contract can end while the key lives on.",
        fix: "Give the policy and revocation roles to an internal team or person; the vendor may \
              remain the technical owner. Have an internal owner approve exceptions: one approved \
              by a vendor suppresses nothing.",
        example: "owners:\n  acme-msp: { kind: vendor }\nidentities:\n  - id: msp-admin\n    kind: service_account\n    owners: { policy: team-it, technical: acme-msp, revocation: acme-msp }",
        fixed: "owners:\n  acme-msp: { kind: vendor }\nidentities:\n  - id: msp-admin\n    kind: service_account\n    owners: { policy: team-it, technical: acme-msp, revocation: team-it }",
        owasp: ["NHI3:2025"], nist: ["GV.SC-02", "GV.RR-02"],
    },
    NoSeparationOfDuties => "no-separation-of-duties" {
        group: Ownership, severity: Warning,
        summary: "The policy owner and the technical owner are the same owner",
        why: "When the owner who sets the rules and accepts risk is also the one who operates the \
              credential, nobody checks that the credential's scope and lifetime match the \
              policy.",
        fix: "Name a different policy owner (often a security or product team) from the \
              technical owner.",
        example: "owners: { policy: team-data, technical: team-data, revocation: team-secops }",
        fixed: "owners: { policy: team-security, technical: team-data, revocation: team-secops }",
        owasp: ["NHI5:2025"], nist: ["PR.AA-05"],
    },
    MissingEscalation => "missing-escalation" {
        group: Ownership, severity: Warning,
        summary: "No escalation contact, and the revocation owner has no contact either",
        why: "In an incident the first question is who can revoke this credential now. Without \
              an `escalation` on the identity or a `contact` on its revocation owner, the answer \
              has to be found while the key is being abused.",
        fix: "Add `escalation:` (pager, channel or phone) to the identity, or a `contact:` to its \
              revocation owner in the directory.",
        example: "owners:\n  team-web: { kind: team }   # no contact\nidentities:\n  - id: cdn-token\n    kind: token\n    owners: { policy: team-sec, technical: team-web, revocation: team-web }",
        fixed: "owners:\n  team-web: { kind: team, contact: \"pager:web-oncall\" }\nidentities:\n  - id: cdn-token\n    kind: token\n    owners: { policy: team-sec, technical: team-web, revocation: team-web }",
        owasp: ["NHI1:2025"], nist: ["GV.RR-02"],
    },
    StaleRotation => "stale-rotation" {
        group: Lifecycle, severity: Error,
        summary: "The credential was last rotated (or created) longer ago than its maximum age",
        why: "Long-lived secrets are the credentials that leak: in old laptops, CI logs, former \
              employees' dotfiles. The longer a secret lives, the more copies of it exist \
              outside your control.",
        fix: "Rotate the credential and record the day in `rotation.last_rotated`. If it cannot \
              be rotated yet, record an exception with an approver and an expiry.",
        example: "- id: legacy-api-key\n  kind: api_key\n  rotation: { last_rotated: 2025-01-10 }   # max age 90d",
        fixed: "- id: legacy-api-key\n  kind: api_key\n  rotation: { last_rotated: 2026-11-20 }   # rotated, and recorded",
        owasp: ["NHI7:2025"], nist: ["PR.AA-01"],
    },
    RotationDue => "rotation-due" {
        group: Lifecycle, severity: Warning,
        summary: "The credential reaches its maximum age within the warning window",
        why: "Rotation planned ahead is routine; rotation forced by an audit failure is an \
              outage risk. This warning gives the technical owner `policy.warn_within` to act.",
        fix: "Schedule the rotation and update `rotation.last_rotated` when done.",
        example: "- id: payments-token\n  kind: token\n  rotation: { last_rotated: 2026-08-30, max_age: 90d }",
        fixed: "- id: payments-token\n  kind: token\n  rotation: { last_rotated: 2026-11-28, max_age: 90d }   # rotated ahead of time",
        owasp: ["NHI7:2025"], nist: ["PR.AA-01"],
    },
    MissingRotation => "missing-rotation" {
        group: Lifecycle, severity: Error,
        summary: "A credential that must be rotated has neither `rotation.last_rotated` nor `created`",
        why: "Without a reference date nobody can tell whether the credential is a week or a \
              decade old, so stale-rotation can never fire: the audit would pass blind.",
        fix: "Record `rotation.last_rotated` (or at least `created`). For kinds that are not \
              rotated, set `policy.rotation.kinds.<kind>: never`.",
        example: "- id: mystery-secret\n  kind: secret\n  owners: { policy: a, technical: b, revocation: c }",
        fixed: "- id: mystery-secret\n  kind: secret\n  owners: { policy: a, technical: b, revocation: c }\n  rotation: { last_rotated: 2026-10-01 }",
        owasp: ["NHI7:2025"], nist: ["PR.AA-01"],
    },
    ExpiredCredential => "expired-credential" {
        group: Lifecycle, severity: Error,
        summary: "The credential's `expires` date has passed",
        why: "An expired certificate or token is either an outage that has already happened or \
              a registry that no longer matches reality. Either way the owner must act.",
        fix: "Renew the credential and update `expires`, or retire the identity and record \
              `revoked`.",
        example: "- id: api-gateway-cert\n  kind: certificate\n  expires: 2026-01-31",
        fixed: "- id: api-gateway-cert\n  kind: certificate\n  expires: 2027-01-31   # renewed",
        owasp: ["NHI7:2025"], nist: ["PR.AA-01", "ID.AM-08"],
    },
    ExpiringCredential => "expiring-credential" {
        group: Lifecycle, severity: Warning,
        summary: "The credential expires within the warning window",
        why: "Certificates and tokens that expire unnoticed take services down. The warning \
              window (`policy.warn_within`) gives the owner time to renew.",
        fix: "Renew the credential and update `expires`.",
        example: "- id: mtls-client-cert\n  kind: certificate\n  expires: 2026-12-01",
        fixed: "- id: mtls-client-cert\n  kind: certificate\n  expires: 2027-12-01   # renewed",
        owasp: ["NHI7:2025"], nist: ["PR.AA-01", "ID.AM-08"],
    },
    MissingExpiry => "missing-expiry" {
        group: Lifecycle, severity: Warning,
        summary: "A certificate has no `expires` date",
        why: "Every certificate has a notAfter date. A registry that does not record it cannot \
              warn before the certificate expires.",
        fix: "Record the certificate's notAfter as `expires`.",
        example: "- id: internal-ca-leaf\n  kind: certificate",
        fixed: "- id: internal-ca-leaf\n  kind: certificate\n  expires: 2027-06-30",
        owasp: ["NHI7:2025"], nist: ["PR.AA-01"],
    },
    ReviewOverdue => "review-overdue" {
        group: Lifecycle, severity: Warning,
        summary: "The last access review (for a new identity, its creation) is older than the review interval, or neither is recorded",
        why: "Permissions drift: scopes are widened for a migration and never narrowed. Regular \
              access reviews, more frequent for privileged identities, catch overprivileged \
              credentials.",
        fix: "Review the identity's permissions and record the day in `last_reviewed`. A new \
              identity is first due one interval after its `created` day.",
        example: "- id: prod-admin-sa\n  kind: service_account\n  privileged: true\n  last_reviewed: 2026-01-15",
        fixed: "- id: prod-admin-sa\n  kind: service_account\n  privileged: true\n  last_reviewed: 2026-11-15",
        owasp: ["NHI5:2025"], nist: ["PR.AA-05"],
    },
    RetiredNotRevoked => "retired-not-revoked" {
        group: Lifecycle, severity: Error,
        summary: "A retired identity has no `revoked` date",
        why: "Retiring an identity in the registry does not disable the credential. Until it is \
              revoked, a retired key still works for whoever holds a copy.",
        fix: "Revoke the credential at its issuer and record the day in `revoked`.",
        example: "- id: old-jenkins-token\n  kind: token\n  status: retired",
        fixed: "- id: old-jenkins-token\n  kind: token\n  status: retired\n  revoked: 2026-10-02",
        owasp: ["NHI1:2025"], nist: ["GV.RR-04", "PR.AA-01", "ID.AM-08"],
    },
    DateInFuture => "date-in-future" {
        group: Integrity, severity: Error,
        summary: "`created`, `rotation.last_rotated`, `last_reviewed` or `revoked` is after today",
        why: "A date in the future is a typo that silences other rules: a rotation recorded for \
              next year makes a stale credential look fresh.",
        fix: "Correct the date. Audits of a past day should pass that day with `--now`.",
        example: "- id: sa-reporting\n  kind: service_account\n  rotation: { last_rotated: 2062-03-01 }",
        fixed: "- id: sa-reporting\n  kind: service_account\n  rotation: { last_rotated: 2026-03-01 }",
        owasp: [], nist: ["ID.AM-08"],
    },
    DuplicateIdentity => "duplicate-identity" {
        group: Integrity, severity: Error,
        summary: "An identity id is already used earlier in the registry",
        why: "Two entries for one identity disagree sooner or later about its owners or dates, \
              and every report about that id becomes ambiguous.",
        fix: "Merge the entries, or give each identity its own id.",
        example: "- id: deploy-key\n  kind: ssh_key\n- id: deploy-key\n  kind: ssh_key",
        fixed: "- id: deploy-key\n  kind: ssh_key\n- id: deploy-key-staging\n  kind: ssh_key",
        owasp: [], nist: ["ID.AM-08"],
    },
    EmptyRegistry => "empty-registry" {
        group: Integrity, severity: Error,
        summary: "The registry holds no identity entry at all",
        why: "A gate that passes because every identity was deleted passes nothing: a change \
              that empties the registry, or drops the one file that holds the identities, \
              would otherwise turn the audit green.",
        fix: "Register the identities again, or point nhi-own at the files that hold them.",
        example: "version: 1\nowners:\n  team-sec: { kind: team }\n# no identities",
        fixed: "version: 1\nowners:\n  team-sec: { kind: team }\nidentities:\n  - id: deploy-key\n    kind: ssh_key\n    owners: { policy: team-sec, technical: team-sec, revocation: team-sec }",
        owasp: [], nist: ["ID.AM-08"],
    },
    ConfusableId => "confusable-id" {
        group: Integrity, severity: Warning,
        summary: "Two different ids (identity or owner) look the same: equal Unicode confusable skeletons",
        why: "`prod-key` and `prod-kеy` (with a Cyrillic `е`) print the same in every report, review \
              and approval, so findings, exceptions and accountability land on the wrong entry, \
              by mistake or on purpose.",
        fix: "Rename one of them with distinct, plain characters.",
        example: "- id: prod-key\n  kind: api_key\n- id: prod-k\u{0435}y   # a Cyrillic е\n  kind: api_key",
        fixed: "- id: prod-key\n  kind: api_key\n- id: prod-key-2\n  kind: api_key",
        owasp: [], nist: ["ID.AM-08"],
    },
    UnusedOwner => "unused-owner" {
        group: Integrity, severity: Info,
        summary: "An owner entry that nothing references",
        why: "Unreferenced directory entries are often the trace of a reorganisation: the \
              identities they held may have been handed to someone else, or forgotten.",
        fix: "Remove the entry, or check that the identities it should hold name it.",
        example: "owners:\n  team-legacy: { kind: team }",
        fixed: "owners:\n  team-legacy: { kind: team }\nidentities:\n  - id: legacy-report-sa\n    kind: service_account\n    owners: { policy: team-legacy, technical: team-legacy, revocation: team-legacy }",
        owasp: ["NHI1:2025"], nist: ["GV.RR-02", "PR.AA-01"],
    },
    ExpiredException => "expired-exception" {
        group: Exceptions, severity: Error,
        summary: "An exception's `expires` date has passed; it suppresses nothing",
        why: "Accepted risks are accepted for a time. An exception that quietly outlives its \
              expiry turns a temporary waiver into a permanent hole.",
        fix: "Fix what the exception covered, or renew the exception with a new approval and \
              expiry.",
        example: "exceptions:\n  - rule: stale-rotation\n    reason: vendor migration\n    approved_by: team-secops\n    expires: 2026-03-31",
        fixed: "exceptions:\n  - rule: stale-rotation\n    reason: vendor migration, extended after review\n    approved_by: team-secops\n    expires: 2027-01-31",
        owasp: [], nist: ["ID.RA-07"],
    },
    IncompleteException => "incomplete-exception" {
        group: Exceptions, severity: Error,
        summary: "An exception without `approved_by` or `expires`; it suppresses nothing",
        why: "An exception nobody approved, or one that never ends, is not risk acceptance: it \
              is a way to silence the audit.",
        fix: "Add who approved the exception and when it ends.",
        example: "exceptions:\n  - rule: missing-owner\n    reason: owner being hired",
        fixed: "exceptions:\n  - rule: missing-owner\n    reason: owner being hired\n    approved_by: team-secops\n    expires: 2027-01-15",
        owasp: [], nist: ["ID.RA-07"],
    },
    ExceptionTooLong => "exception-too-long" {
        group: Exceptions, severity: Warning,
        summary: "A valid exception runs longer than `policy.max_exception` (it still applies)",
        why: "Long exceptions stop being revisited. Keeping them short forces the risk to be \
              looked at again.",
        fix: "Shorten the exception's `expires`, and renew it when the time comes if the risk \
              is still accepted.",
        example: "exceptions:\n  - rule: stale-rotation\n    reason: hardware token\n    approved_by: team-secops\n    expires: 2029-01-01",
        fixed: "exceptions:\n  - rule: stale-rotation\n    reason: hardware token\n    approved_by: team-secops\n    expires: 2027-02-15   # within policy.max_exception",
        owasp: [], nist: ["ID.RA-07"],
    },
    SelfApprovedException => "self-approved-exception" {
        group: Exceptions, severity: Warning,
        summary: "A valid exception approved by the identity's technical owner or one of its members (it still applies)",
        why: "The owner who would have to fix the problem approving its own waiver is a conflict \
              of interest: risk acceptance belongs to someone else.",
        fix: "Have the policy owner or a security owner approve the exception.",
        example: "owners: { policy: team-sec, technical: team-web, revocation: team-sec }\nexceptions:\n  - rule: stale-rotation\n    reason: legacy client\n    approved_by: team-web\n    expires: 2026-12-31",
        fixed: "owners: { policy: team-sec, technical: team-web, revocation: team-sec }\nexceptions:\n  - rule: stale-rotation\n    reason: legacy client\n    approved_by: team-sec\n    expires: 2026-12-31",
        owasp: [], nist: ["ID.RA-07"],
    },
    UnusedException => "unused-exception" {
        group: Exceptions, severity: Warning,
        summary: "A valid exception whose rule reports nothing on that identity",
        why: "An exception that no longer matches anything would silently swallow the next real \
              finding of its rule. Remove it while it is harmless.",
        fix: "Delete the exception.",
        example: "exceptions:\n  - rule: stale-rotation   # but the key was rotated last week\n    reason: migration\n    approved_by: team-secops\n    expires: 2026-12-31",
        fixed: "# the exception is gone: the key was rotated\n- id: billing-key\n  kind: api_key\n  rotation: { last_rotated: 2026-11-24 }",
        owasp: [], nist: ["ID.RA-07"],
    },
    ExpiringException => "expiring-exception" {
        group: Exceptions, severity: Warning,
        summary: "A valid exception expires within the warning window: the gate turns red on that day",
        why: "An exception that ends tomorrow reports nothing today and its findings tomorrow. \
              Warning ahead gives the owner `policy.warn_within` to fix what it covers or renew \
              the approval, instead of a red build with no notice.",
        fix: "Fix what the exception covers before it expires, or renew it with a new approval \
              and expiry.",
        example: "exceptions:\n  - rule: stale-rotation\n    reason: vendor migration\n    approved_by: team-secops\n    expires: 2026-12-02   # today is 2026-12-01",
        fixed: "exceptions:\n  - rule: stale-rotation\n    reason: vendor migration, renewed after review\n    approved_by: team-secops\n    expires: 2027-02-28",
        owasp: [], nist: ["ID.RA-07"],
    },
    SharedCredential => "shared-credential" {
        group: Ownership, severity: Warning,
        summary: "`used_by` names more than one workload: one credential, several consumers",
        why: "A credential shared by several workloads cannot be rotated or revoked for one of \
              them without breaking the others, so in practice it is never rotated, and a leak \
              from any consumer exposes all of them (OWASP NHI9, NHI Reuse).",
        fix: "Issue each workload its own credential, each with its own entry and owners, then \
              revoke the shared one.",
        example: "- id: reporting-db-password\n  kind: secret\n  used_by: [billing-api, nightly-export]",
        fixed: "- id: reporting-db-password-billing\n  kind: secret\n  used_by: [billing-api]\n- id: reporting-db-password-export\n  kind: secret\n  used_by: [nightly-export]",
        owasp: ["NHI9:2025"], nist: ["PR.AA-01"],
    },
    DuplicateRef => "duplicate-ref" {
        group: Integrity, severity: Error,
        summary: "A `ref` is already used by an earlier identity",
        why: "A ref links an entry to one credential in the system that issued it. Two entries \
              with one ref give that credential two sets of owners and dates, and `reconcile` \
              cannot say which entry the inventory's record belongs to.",
        fix: "Keep one entry per credential: merge the entries, or correct the ref of the one \
              that names the wrong credential.",
        example: "- id: ci-deploy\n  kind: api_key\n  ref: arn:aws:iam::123456789012:user/ci-deploy\n- id: ci-deploy-old\n  kind: api_key\n  ref: arn:aws:iam::123456789012:user/ci-deploy",
        fixed: "- id: ci-deploy\n  kind: api_key\n  ref: arn:aws:iam::123456789012:user/ci-deploy",
        owasp: [], nist: ["ID.AM-08"],
    },
    UnregisteredIdentity => "unregistered-identity" {
        group: Drift, severity: Error,
        summary: "An inventory record that no registry identity names by `ref`: the unowned identity",
        why: "A credential the issuing system lists and the registry does not has no policy, \
              technical or revocation owner: nobody rotates it, reviews it or revokes it when \
              its workload goes away, and it is the first thing an attacker who finds it uses.",
        fix: "Register it with its owners (`nhi-own import --merge` writes the entry to fill \
              in), or, if it should not exist, revoke it in the issuing system. Records a team \
              has decided not to register go in `policy.ignore_refs`.",
        example: "# inventory: arn:aws:iam::123456789012:user/ci-deploy, active access key\n# registry: no identity with that ref",
        fixed: "- id: aws-ci-deploy\n  kind: service_account\n  ref: arn:aws:iam::123456789012:user/ci-deploy\n  owners: { policy: team-sec, technical: team-platform, revocation: team-platform }",
        owasp: ["NHI1:2025"], nist: ["ID.AM-08", "GV.RR-02"],
    },
    AbsentFromInventory => "absent-from-inventory" {
        group: Drift, severity: Warning,
        summary: "An identity whose `ref` lies in an inventory's scope is not in that inventory",
        why: "The registry says the credential exists and has owners; the system that would \
              issue it does not list it. Either it was deleted and the entry is stale, or the \
              ref is wrong and the real credential is unregistered.",
        fix: "Retire the entry (`status: retired` with its `revoked` date) if the credential is \
              gone, or correct its ref.",
        example: "- id: old-exporter\n  kind: service_account\n  ref: arn:aws:iam::123456789012:user/old-exporter   # deleted in AWS",
        fixed: "- id: old-exporter\n  kind: service_account\n  ref: arn:aws:iam::123456789012:user/old-exporter\n  status: retired\n  revoked: 2026-11-20",
        owasp: ["NHI1:2025"], nist: ["ID.AM-08", "GV.RR-02"],
    },
    RotationDrift => "rotation-drift" {
        group: Drift, severity: Error,
        summary: "The inventory's latest rotation is older than the registry's `rotation.last_rotated`",
        why: "The registry claims a rotation the issuing system never saw, so every rotation \
              check passes on a date that is not true, and the credential is older than anyone \
              thinks.",
        fix: "Rotate the credential, or correct `rotation.last_rotated` to the date the \
              inventory shows.",
        example: "rotation: { last_rotated: 2026-11-01 }   # the inventory: last rotated 2026-02-10",
        fixed: "rotation: { last_rotated: 2026-02-10 }   # and rotate it: it is overdue",
        owasp: ["NHI7:2025"], nist: ["PR.AA-01"],
    },
    UnusedCredential => "unused-credential" {
        group: Drift, severity: Warning,
        summary: "The inventory shows no use of an active credential within `policy.unused_after`",
        why: "A credential nobody uses still works for whoever holds a copy. Unused credentials \
              are the offboarding that never happened (OWASP NHI1).",
        fix: "Revoke it, retire the entry, or if it is kept on purpose (a break-glass key), \
              record an exception with the reason.",
        example: "# inventory: access key 1 active, last used 2026-03-02 (274 days ago)",
        fixed: "- id: old-exporter\n  kind: service_account\n  status: retired\n  revoked: 2026-12-01",
        owasp: ["NHI1:2025"], nist: ["PR.AA-01"],
    },
    InteractiveLogin => "interactive-login" {
        group: Drift, severity: Warning,
        summary: "The inventory shows a human way in to a non-human identity: a console password",
        why: "A machine identity with a console password is a person's account in disguise, or \
              a way for a person to act as the machine, with none of the controls a person's \
              account has (OWASP NHI10).",
        fix: "Remove the console password (`aws iam delete-login-profile`), and give the person \
              who used it an account of their own.",
        example: "# inventory: ci-deploy, password_enabled true, last used 2026-11-20",
        fixed: "# inventory: ci-deploy, password_enabled false",
        owasp: ["NHI10:2025"], nist: ["PR.AA-01"],
    },
    InventoryExpiry => "inventory-expiry" {
        group: Drift, severity: Error,
        summary: "The inventory's expiry of a credential has passed, or falls within `policy.warn_within` (then a warning)",
        why: "A client secret or key that expires takes its workload down on that day, whatever \
              the registry says; the issuing system's date is the one that counts.",
        fix: "Issue a new credential, deploy it, delete the old one, and record the new dates in \
              the registry.",
        example: "# inventory: client secret \"prod\" of app 7d1c…, endDateTime 2026-12-10",
        fixed: "# inventory: a new client secret, endDateTime 2027-06-10; the old one deleted",
        owasp: ["NHI7:2025"], nist: ["PR.AA-01"],
    },
}
