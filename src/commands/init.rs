//! `nhi-own init`: a commented starter registry that passes its own audit on
//! the day it is written.

use super::Exit;
use crate::cli::{ColorArg, InitArgs};
use crate::output::{write_new, write_stderr};
use crate::registry::Date;
use chrono::{Days, NaiveDate};
use std::path::Path;

pub fn run(args: &InitArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let today = match &args.now {
        None => chrono::Utc::now().date_naive(),
        Some(text) => match crate::registry::time::parse_date(text) {
            Ok(date) => date,
            Err(message) => {
                write_stderr(
                    &format!("error: --now: {}\n", crate::escape::escape(&message)),
                    color,
                );
                return Ok(Exit::Invalid);
            }
        },
    };
    // The registry's dates have four-digit years: the starter's reach back
    // and ahead must stay within them, or its first audit would fail.
    let first = NaiveDate::from_ymd_opt(1, 1, 1).and_then(|d| d.checked_add_days(Days::new(BACK)));
    let last =
        NaiveDate::from_ymd_opt(9999, 12, 31).and_then(|d| d.checked_sub_days(Days::new(AHEAD)));
    if let (Some(first), Some(last)) = (first, last)
        && !(first..=last).contains(&today)
    {
        write_stderr(
            &format!(
                "error: --now: the starter's dates reach {BACK} days back and {AHEAD} ahead, \
                 past the years a registry date can have (0001 to 9999)\n  \
                 help: give a day from {first} to {last}\n"
            ),
            color,
        );
        return Ok(Exit::Invalid);
    }
    let text = starter(today, &schema_reference(&args.path));
    if let Err(e) = write_new(&args.path, text.as_bytes(), args.force) {
        write_stderr(
            &format!(
                "error: cannot write `{}`: {e}\n",
                crate::escape::escape(&args.path.display().to_string())
            ),
            color,
        );
        return Ok(Exit::Invalid);
    }
    write_stderr(
        &format!(
            "wrote {}: audit it with `nhi-own audit {}`\n",
            crate::escape::escape(&args.path.display().to_string()),
            crate::escape::escape(&args.path.display().to_string())
        ),
        color,
    );
    Ok(Exit::Pass)
}

/// Where the registry's editor finds the schema: the file `schema --output`
/// wrote beside it, else the copy published with this version.
pub fn schema_reference(registry: &Path) -> String {
    let dir = registry.parent().unwrap_or(Path::new(""));
    if dir.join(crate::schema::FILE_NAME).is_file() {
        crate::schema::FILE_NAME.to_owned()
    } else {
        published_schema()
    }
}

/// The schema of this version, as published in the repository.
pub fn published_schema() -> String {
    format!(
        "https://raw.githubusercontent.com/nhi-own/nhi-own/v{}/schema/{}",
        env!("CARGO_PKG_VERSION"),
        crate::schema::FILE_NAME
    )
}

/// The starter registry as of `today`. Every date is relative to it, so the
/// registry has no finding that day: the one stale rotation is covered by a
/// valid exception.
/// How many days the starter's dates reach back from today, and ahead.
const BACK: u64 = 500;
const AHEAD: u64 = 200;

pub fn starter(today: Date, schema: &str) -> String {
    let ago = |days: u64| {
        debug_assert!(days <= BACK);
        today - Days::new(days)
    };
    let ahead = |days: u64| {
        debug_assert!(days <= AHEAD);
        today + Days::new(days)
    };
    format!(
        r##"# yaml-language-server: $schema={schema}
# An ownership registry of non-human identities: for each one, who accepts its
# risk (policy), who operates it (technical) and who can revoke it (revocation).
# Audit it with `nhi-own audit`; `nhi-own explain RULE` explains a finding.
version: 1                              # the format version: the integer 1

# Thresholds and rule severities. Every key is optional; the values below
# are the defaults.
policy:
  required_owners: [policy, technical, revocation]  # roles every identity must name
  rotation:
    max_age: 90d                        # maximum credential age, for kinds not listed below
    kinds: {{ ssh_key: 180d, oauth_app: 180d, certificate: 398d, workload_identity: never }}
  review_interval: 180d                 # how often access is reviewed
  privileged_review_interval: 90d       # how often a privileged identity is reviewed
  warn_within: 30d                      # how far ahead deadlines warn
  max_exception: 90d                    # the longest an exception may run
  unused_after: 90d                     # reconcile: no use within this is an unused credential
  ignore_refs: []                       # reconcile: inventory refs never reported (globs)
  severity: {{ no-separation-of-duties: warning }}  # rule id: error, warning, info or off

# The owner directory: every owner an identity names must be listed here.
owners:
  team-platform:
    kind: team                          # team, person or vendor
    name: Platform Engineering          # display name
    email: platform@example.com
    contact: "#platform-oncall"         # where to escalate: pager, channel, phone or mail
    members: [alex]                     # teams only: the people in the team
  alex:
    kind: person
    name: Alex Example
    email: alex@example.com
    status: active                      # active, or inactive once they leave
  acme-crm:
    kind: vendor                        # a vendor may operate a credential, never accept its risk
    name: Acme CRM Ltd.
    contact: support@acme-crm.example

identities:
  - id: deploy-bot                      # unique across the registry
    kind: service_account               # service_account, api_key, token, certificate, ssh_key,
                                        # oauth_app, workload_identity, secret or other
    description: Deploys the web shop from CI
    system: ci                          # where it lives
    environment: production
    tags: [deploy, production]          # free labels
    status: active                      # active, deprecated or retired
    owners:
      policy: alex                      # accepts its risk, decides its scope and lifetime
      technical: team-platform          # issues, scopes and rotates it
      revocation: team-platform         # revokes it in an incident or at offboarding
    escalation: "#platform-oncall"      # incident contact for this identity
    privileged: false                   # admin or wide scope: reviewed more often
    ref: "arn:aws:iam::123456789012:user/ci/deploy-bot"  # its id where it is issued, for reconcile
    used_by: [release-pipeline]         # the workloads that use it (one each, ideally)
    created: {created}
    rotation:
      last_rotated: {rotated}          # when the credential was last rotated
      max_age: 90d                      # this identity's own maximum age
    expires: {expires}                  # when the credential stops working, if it does
    last_reviewed: {reviewed}           # the last access review
    # revoked: YYYY-MM-DD               # for a retired identity: when it was revoked

  - id: crm-sync-app
    kind: oauth_app
    owners: {{ policy: alex, technical: acme-crm, revocation: team-platform }}
    created: {app_created}
    rotation: {{ last_rotated: {app_rotated} }}   # overdue: the exception below covers it
    last_reviewed: {reviewed}
    exceptions:                         # accepted risks, each until it expires
      - rule: stale-rotation            # the rule whose findings it lets pass
        reason: the vendor rotates the client secret only at contract renewal
        approved_by: alex               # an active, in-house owner other than the technical one
        expires: {exception_expires}             # at most policy.max_exception from today
        ticket: SEC-101                 # where the risk was accepted
"##,
        created = ago(400),
        rotated = ago(10),
        expires = ahead(200),
        reviewed = ago(10),
        app_created = ago(500),
        app_rotated = ago(200),
        exception_expires = ahead(60),
    )
}
