//! GCP service-account keys (SPEC §6): the JSON that
//! `gcloud iam service-accounts keys list --iam-account=SA --format=json`
//! writes, a list of IAM `ServiceAccountKey` resources. One file per account,
//! or several such lists one after another (`>>`).
//!
//! Every user-managed key is a record; system-managed keys are Google's own
//! (rotated by Google within two weeks), so they are skipped and counted. A
//! key's ref is its resource name, `projects/P/serviceAccounts/EMAIL/keys/K`,
//! and the account's email is an alias, so that an identity whose ref is the
//! email matches all of its keys.

use super::{
    At, Credential, Format, Inventory, InventoryError, Node, ReadOptions, Record, Scope, Value, at,
    documents, get, text,
};
use super::{error, string, timestamp as date};
use crate::escape::short;
use crate::registry::IdentityKind;
use chrono::Datelike;
use std::collections::{HashMap, HashSet};

/// The command whose output this reader reads, for messages.
const COMMAND: &str = "`gcloud iam service-accounts keys list --iam-account=SA --format=json`";

/// How many characters of a key id name it (`key 1a0664b1…`).
const KEY_ID_PREFIX: usize = 8;

/// Whether `text` looks like a key listing: a JSON list whose objects carry
/// the `ServiceAccountKey` fields and service-account key names.
pub fn looks_like(text: &str) -> bool {
    let body = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    body.starts_with('[')
        && body.contains("\"keyType\"")
        && body.contains("\"validAfterTime\"")
        && body.contains("/serviceAccounts/")
}

/// Reads one or several key listings.
pub fn read(text: &str, _options: &ReadOptions) -> Result<Inventory, InventoryError> {
    let docs = documents(text)?;
    if docs.is_empty() {
        return Err(InventoryError::new(
            0,
            0,
            format!("the file is empty: expected the JSON list of keys that {COMMAND} writes"),
        ));
    }
    let mut inventory = Inventory {
        format: Format::GcpKeys,
        records: Vec::new(),
        scopes: Vec::new(),
        skipped: 0,
        listed: Vec::new(),
    };
    let mut seen = Seen::default();
    for doc in &docs {
        let Value::Seq(keys) = &doc.value else {
            return Err(error(
                doc,
                format!(
                    "expected the JSON list of service-account keys that {COMMAND} writes, \
                     found {}",
                    found(doc)
                ),
            ));
        };
        for key in keys {
            read_key(key, &mut inventory, &mut seen)?;
        }
    }
    Ok(inventory)
}

/// The parts of a key's resource name.
struct KeyName<'t> {
    project: &'t str,
    account: &'t str,
    key_id: &'t str,
}

/// `projects/P/serviceAccounts/ACCOUNT/keys/KEY_ID`, every part non-empty
/// and the project named (not the API's `-` wildcard).
fn parse_name(name: &str) -> Option<KeyName<'_>> {
    let mut parts = name.split('/');
    let (Some("projects"), Some(project), Some("serviceAccounts"), Some(account)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (Some("keys"), Some(key_id), None) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let named = |part: &str| !part.is_empty() && !part.chars().any(char::is_whitespace);
    (named(project) && project != "-" && named(account) && named(key_id)).then_some(KeyName {
        project,
        account,
        key_id,
    })
}

/// What the keys read so far named: their names (where first listed) and
/// their service accounts.
#[derive(Default)]
struct Seen {
    keys: HashMap<String, At>,
    accounts: HashSet<String>,
}

fn read_key(
    key: &Node<'_>,
    inventory: &mut Inventory,
    seen: &mut Seen,
) -> Result<(), InventoryError> {
    let (Some(name_node), Some(key_type_node)) = (get(key, "name"), get(key, "keyType")) else {
        return Err(not_a_key(key));
    };
    let reference = string(name_node, "name")?.unwrap_or_default();
    let Some(parsed) = parse_name(reference) else {
        return Err(error(
            name_node,
            format!(
                "key name `{}` is not projects/PROJECT/serviceAccounts/EMAIL/keys/KEY_ID, \
                 as {COMMAND} writes it",
                short(reference)
            ),
        ));
    };
    // A listing covers the account it lists (`--iam-account`), not its
    // project: every account has system-managed keys, so an account with no
    // user-managed key is still seen.
    if seen.accounts.insert(parsed.account.to_string()) {
        inventory
            .scopes
            .push(Scope::GcpServiceAccount(parsed.account.to_string()));
        // The account exists, whatever keys it has.
        inventory.listed.push(parsed.account.to_string());
    }
    let user_managed = match text(Some(key_type_node)) {
        Some("USER_MANAGED") => true,
        Some("SYSTEM_MANAGED") => false,
        other => {
            return Err(error(
                key_type_node,
                format!(
                    "`keyType` is {}: expected USER_MANAGED or SYSTEM_MANAGED",
                    other.map_or_else(
                        || key_type_node.value.describe().to_string(),
                        |t| format!("`{}`", short(t))
                    )
                ),
            ));
        }
    };
    let valid_after = date(key, "validAfterTime")?;
    // The API writes 9999-12-31T23:59:59Z for a key that never expires.
    let valid_before = date(key, "validBeforeTime")?.filter(|d| d.year() != 9999);
    let disabled = boolean(key, "disabled")?;
    if !user_managed {
        inventory.skipped += 1;
        inventory.listed.push(reference.to_string());
        return Ok(());
    }
    let here = at(key);
    if let Some(first) = seen.keys.insert(reference.to_string(), here) {
        return Err(error(
            name_node,
            format!(
                "key `{}` of `{}` is listed twice (first at line {}, column {})",
                short(parsed.key_id),
                short(parsed.account),
                first.line,
                first.col
            ),
        ));
    }
    let prefix: String = parsed.key_id.chars().take(KEY_ID_PREFIX).collect();
    let ellipsis = if parsed.key_id.chars().count() > KEY_ID_PREFIX {
        "…"
    } else {
        ""
    };
    let local = parsed.account.split('@').next().unwrap_or(parsed.account);
    let mut description = format!(
        "GCP service-account key {prefix}{ellipsis} of {} in project {}",
        parsed.account, parsed.project
    );
    if disabled {
        description.push_str(" (disabled)");
    }
    inventory.records.push(Record {
        reference: reference.to_string(),
        aliases: vec![parsed.account.to_string()],
        at: here,
        kind: IdentityKind::ServiceAccount,
        created: valid_after,
        name: format!("{local}-{prefix}"),
        description,
        credentials: vec![Credential {
            name: format!("key {prefix}{ellipsis}"),
            at: here,
            rotated: valid_after,
            expires: valid_before,
            last_used: None,
            active: !disabled,
        }],
        interactive: None,
        human: false,
        links: Vec::new(),
    });
    Ok(())
}

/// An entry of a listing that is no key.
fn not_a_key(node: &Node<'_>) -> InventoryError {
    let missing = match (&node.value, get(node, "name"), get(node, "keyType")) {
        (Value::Map(_), None, _) => "an object without `name`",
        (Value::Map(_), _, None) => "an object without `keyType`",
        _ => "",
    };
    let what = match found(node) {
        plain if plain == "a JSON object" => missing.to_string(),
        specific => specific,
    };
    error(
        node,
        format!(
            "expected a service-account key (an object with `name` and `keyType`), \
             as {COMMAND} lists them, found {what}"
        ),
    )
}

/// What a node that is not a key listing is, as far as it can be told.
fn found(node: &Node<'_>) -> String {
    if !matches!(node.value, Value::Map(_)) {
        return node.value.describe().to_string();
    }
    if let (Some(kind), Some(_)) = (text(get(node, "kind")), get(node, "apiVersion")) {
        return format!("a Kubernetes `{}`", short(kind));
    }
    if get(node, "name").is_some() && get(node, "keyType").is_some() {
        // `--format=yaml` writes each key as a document of its own.
        return "one key, not a list of keys (list them with --format=json)".to_string();
    }
    if get(node, "appId").is_some() {
        return "an Entra ID application (read it as entra-applications)".to_string();
    }
    if get(node, "value").is_some() && get(node, "@odata.context").is_some() {
        return "a Microsoft Graph response (read Entra ID applications as \
                entra-applications)"
            .to_string();
    }
    if get(node, "email").is_some() && get(node, "uniqueId").is_some() {
        return "a service account (as `gcloud iam service-accounts list` writes), \
                not one of its keys"
            .to_string();
    }
    "a JSON object".to_string()
}

/// A boolean field (any case, quoted or not): `false` when absent or null,
/// as the API omits `disabled` on enabled keys.
fn boolean(key: &Node<'_>, field: &str) -> Result<bool, InventoryError> {
    let Some(node) = get(key, field) else {
        return Ok(false);
    };
    match &node.value {
        Value::Null => Ok(false),
        Value::Bool(value, _) => Ok(*value),
        Value::Str(value) if value.eq_ignore_ascii_case("true") => Ok(true),
        Value::Str(value) if value.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(error(
            node,
            format!(
                "`{field}` is {}: expected true or false",
                text(Some(node)).map_or_else(
                    || other.describe().to_string(),
                    |t| format!("`{}`", short(t))
                )
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::{looks_like, parse_name, read};
    use crate::inventory::{At, Format, Inventory, InventoryError, ReadOptions, Scope};
    use crate::registry::{Date, IdentityKind};

    const CI_DEPLOYER: &str =
        include_str!("../../tests/fixtures/inventory/gcp/keys-ci-deployer.json");
    const REPORTING: &str = include_str!("../../tests/fixtures/inventory/gcp/keys-reporting.json");
    const SEVERAL: &str =
        include_str!("../../tests/fixtures/inventory/gcp/keys-several-accounts.json");

    fn day(text: &str) -> Date {
        crate::registry::time::parse_date(text).unwrap()
    }

    fn ok(text: &str) -> Inventory {
        read(text, &ReadOptions::default()).unwrap()
    }

    fn err(text: &str) -> InventoryError {
        read(text, &ReadOptions::default()).unwrap_err()
    }

    #[test]
    fn reads_user_managed_keys_and_skips_system_managed_ones() {
        let inventory = ok(CI_DEPLOYER);
        assert_eq!(inventory.format, Format::GcpKeys);
        assert_eq!(inventory.skipped, 1);
        assert_eq!(
            inventory.scopes,
            [Scope::GcpServiceAccount(
                "ci-deployer@example-analytics-prod.iam.gserviceaccount.com".into()
            )]
        );
        let [current, disabled] = &inventory.records[..] else {
            panic!("two records expected: {:?}", inventory.records);
        };
        let email = "ci-deployer@example-analytics-prod.iam.gserviceaccount.com";
        assert_eq!(
            current.reference,
            format!(
                "projects/example-analytics-prod/serviceAccounts/{email}/keys/1a0664b165bff2a76212895e2711f9bf6f97a95a"
            )
        );
        assert_eq!(current.aliases, [email]);
        assert_eq!(current.at, At { line: 10, col: 3 });
        assert_eq!(current.kind, IdentityKind::ServiceAccount);
        assert_eq!(current.created, Some(day("2025-02-11")));
        assert_eq!(current.name, "ci-deployer-1a0664b1");
        assert_eq!(
            current.description,
            format!(
                "GCP service-account key 1a0664b1… of {email} in project example-analytics-prod"
            )
        );
        let [key] = &current.credentials[..] else {
            panic!("one credential expected");
        };
        assert_eq!(key.name, "key 1a0664b1…");
        assert_eq!(key.at, At { line: 10, col: 3 });
        assert_eq!(key.rotated, Some(day("2025-02-11")));
        // validBeforeTime 9999-12-31T23:59:59Z: no expiry.
        assert_eq!(key.expires, None);
        assert_eq!(key.last_used, None);
        assert!(key.active);
        assert_eq!(
            (current.interactive.as_deref(), current.human),
            (None, false)
        );
        assert!(current.links.is_empty());

        assert_eq!(disabled.name, "ci-deployer-70d468e6");
        assert_eq!(disabled.at, At { line: 18, col: 3 });
        assert!(disabled.description.ends_with(" (disabled)"));
        assert_eq!(disabled.credentials[0].rotated, Some(day("2024-07-01")));
        assert!(!disabled.credentials[0].active);
    }

    #[test]
    fn reads_expiry_and_fractional_seconds() {
        let inventory = ok(REPORTING);
        assert_eq!(inventory.skipped, 0);
        let keys: Vec<_> = inventory
            .records
            .iter()
            .map(|r| {
                let c = &r.credentials[0];
                (r.name.as_str(), r.created, c.expires, c.active, r.at.line)
            })
            .collect();
        assert_eq!(
            keys,
            [
                (
                    "reporting-9c23f51d",
                    Some(day("2025-12-10")),
                    Some(day("2026-12-10")),
                    true,
                    2
                ),
                // 2026-08-03T16:20:11.518Z
                (
                    "reporting-b514e864",
                    Some(day("2026-08-03")),
                    None,
                    true,
                    10
                ),
                (
                    "reporting-52850fc5",
                    Some(day("2024-10-31")),
                    Some(day("2026-10-31")),
                    true,
                    18
                ),
            ]
        );
    }

    #[test]
    fn reads_concatenated_lists_of_several_accounts_and_projects() {
        let inventory = ok(SEVERAL);
        assert_eq!(inventory.skipped, 1);
        assert_eq!(
            inventory.scopes,
            [
                Scope::GcpServiceAccount(
                    "etl-loader@example-data-dev.iam.gserviceaccount.com".into()
                ),
                Scope::GcpServiceAccount(
                    "billing-export@example-analytics-prod.iam.gserviceaccount.com".into()
                ),
            ]
        );
        let summary: Vec<_> = inventory
            .records
            .iter()
            .map(|r| {
                let c = &r.credentials[0];
                (
                    r.aliases[0].as_str(),
                    r.at,
                    c.name.as_str(),
                    c.expires,
                    c.active,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "etl-loader@example-data-dev.iam.gserviceaccount.com",
                    At { line: 10, col: 3 },
                    "key c7b1f0e2…",
                    Some(day("2027-01-15")),
                    // "disabled": false
                    true,
                ),
                (
                    "billing-export@example-analytics-prod.iam.gserviceaccount.com",
                    At { line: 22, col: 3 },
                    "key 5e4d3c2b…",
                    None,
                    // disabled after Google found it exposed
                    false,
                ),
                (
                    "billing-export@example-analytics-prod.iam.gserviceaccount.com",
                    At { line: 38, col: 3 },
                    "key e1d2c3b4…",
                    None,
                    true,
                ),
            ]
        );
        assert_eq!(inventory.records[2].created, Some(day("2026-09-30")));
    }

    #[test]
    fn an_empty_listing_has_no_records_and_an_empty_file_is_an_error() {
        let inventory = ok("[]\n");
        assert!(inventory.records.is_empty() && inventory.scopes.is_empty());
        assert_eq!(inventory.skipped, 0);
        let e = err(" \n");
        assert_eq!((e.line, e.col), (0, 0));
        assert_eq!(
            e.message,
            "the file is empty: expected the JSON list of keys that \
             `gcloud iam service-accounts keys list --iam-account=SA --format=json` writes"
        );
    }

    #[test]
    fn detects_key_listings_only() {
        assert!(looks_like(CI_DEPLOYER));
        assert!(looks_like(REPORTING));
        assert!(looks_like(&format!("\u{feff}\n{SEVERAL}")));
        let others = [
            include_str!("../../tests/fixtures/inventory/entra/az-ad-app-list.json"),
            include_str!("../../tests/fixtures/inventory/entra/graph-applications.json"),
            include_str!("../../tests/fixtures/inventory/gcp/kubernetes-list.json"),
            include_str!("../../tests/fixtures/inventory/gcp/service-accounts-list.json"),
            "user,arn,user_creation_time,password_enabled\n<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported\n",
            "ref,kind,created\nprojects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k,service_account,2026-01-01\n",
            "[]\n",
            "",
        ];
        for other in others {
            assert!(!looks_like(other), "{other}");
        }
    }

    #[test]
    fn key_names_parse_strictly() {
        let name = parse_name("projects/p-1/serviceAccounts/a@p-1.iam.gserviceaccount.com/keys/k1")
            .unwrap();
        assert_eq!(
            (name.project, name.account, name.key_id),
            ("p-1", "a@p-1.iam.gserviceaccount.com", "k1")
        );
        // The numeric unique id the API also accepts in place of the email.
        assert_eq!(
            parse_name("projects/p/serviceAccounts/104271983562049817263/keys/k")
                .map(|n| n.account),
            Some("104271983562049817263")
        );
        for bad in [
            "",
            "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com",
            "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/",
            "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k/extra",
            "projects//serviceAccounts/a/keys/k",
            "projects/-/serviceAccounts/a/keys/k",
            "projects/p/serviceaccounts/a/keys/k",
            "projects/p/serviceAccounts/a b/keys/k",
            "/projects/p/serviceAccounts/a/keys/k",
        ] {
            assert!(parse_name(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn malformed_inputs_are_located_errors() {
        let cases = [
            (
                include_str!("../../tests/fixtures/inventory/gcp/malformed-truncated.json"),
                14,
                110,
                "invalid JSON: EOF while parsing a string at line 14 column 110",
            ),
            (
                include_str!("../../tests/fixtures/inventory/gcp/malformed-key-name.json"),
                14,
                13,
                "key name `projects/-/serviceAccounts/ci-deployer@example-analytics-prod.ia…` \
                 is not projects/PROJECT/serviceAccounts/EMAIL/keys/KEY_ID, as \
                 `gcloud iam service-accounts keys list --iam-account=SA --format=json` writes it",
            ),
            (
                include_str!("../../tests/fixtures/inventory/gcp/malformed-bad-date.json"),
                7,
                23,
                "`validAfterTime`: invalid date `2025-02-30T00:00:00Z`: expected a real calendar \
                 day as YYYY-MM-DD (2026-12-10) or an RFC 3339 timestamp (2026-12-10T00:00:00Z)",
            ),
            (
                include_str!("../../tests/fixtures/inventory/gcp/kubernetes-list.json"),
                1,
                1,
                "expected the JSON list of service-account keys that \
                 `gcloud iam service-accounts keys list --iam-account=SA --format=json` writes, \
                 found a Kubernetes `List`",
            ),
            (
                include_str!("../../tests/fixtures/inventory/gcp/service-accounts-list.json"),
                2,
                3,
                "expected a service-account key (an object with `name` and `keyType`), as \
                 `gcloud iam service-accounts keys list --iam-account=SA --format=json` lists \
                 them, found a service account (as `gcloud iam service-accounts list` writes), \
                 not one of its keys",
            ),
            (
                include_str!("../../tests/fixtures/inventory/entra/az-ad-app-list.json"),
                2,
                3,
                "expected a service-account key (an object with `name` and `keyType`), as \
                 `gcloud iam service-accounts keys list --iam-account=SA --format=json` lists \
                 them, found an Entra ID application (read it as entra-applications)",
            ),
            (
                include_str!("../../tests/fixtures/inventory/entra/graph-applications.json"),
                1,
                1,
                "expected the JSON list of service-account keys that \
                 `gcloud iam service-accounts keys list --iam-account=SA --format=json` writes, \
                 found a Microsoft Graph response (read Entra ID applications as \
                 entra-applications)",
            ),
        ];
        for (text, line, col, message) in cases {
            let e = err(text);
            assert_eq!((e.line, e.col, e.message.as_str()), (line, col, message));
        }
    }

    #[test]
    fn fields_of_the_wrong_shape_are_errors() {
        let key = |fields: &str| {
            format!(
                "[{{\"name\": \"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k\", {fields}}}]"
            )
        };
        let cases = [
            (
                key("\"validAfterTime\": \"2025-01-01T00:00:00Z\""),
                1,
                2,
                "expected a service-account key (an object with `name` and `keyType`), as `gcloud iam service-accounts keys list --iam-account=SA --format=json` lists them, found an object without `keyType`",
            ),
            (
                key("\"keyType\": \"KEY_TYPE_UNSPECIFIED\""),
                1,
                87,
                "`keyType` is `KEY_TYPE_UNSPECIFIED`: expected USER_MANAGED or SYSTEM_MANAGED",
            ),
            (
                key("\"keyType\": null"),
                1,
                87,
                "`keyType` is null: expected USER_MANAGED or SYSTEM_MANAGED",
            ),
            (
                key("\"keyType\": \"USER_MANAGED\", \"disabled\": \"no\""),
                1,
                115,
                "`disabled` is `no`: expected true or false",
            ),
            (
                key("\"keyType\": \"USER_MANAGED\", \"validBeforeTime\": 20270101"),
                1,
                122,
                "`validBeforeTime` is a number: expected an RFC 3339 timestamp such as 2026-12-05T10:15:42Z",
            ),
            (
                key("\"keyType\": \"USER_MANAGED\", \"validAfterTime\": \"2025-01-01 00:00:00Z\""),
                1,
                121,
                "`validAfterTime`: invalid date `2025-01-01 00:00:00Z`: write `T` between the day and the time (RFC 3339)",
            ),
            (
                "---\nkeyType: USER_MANAGED\nname: projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k\nvalidAfterTime: '2025-01-01T00:00:00Z'\n".to_string(),
                2,
                1,
                "expected the JSON list of service-account keys that `gcloud iam service-accounts keys list --iam-account=SA --format=json` writes, found one key, not a list of keys (list them with --format=json)",
            ),
            (
                "[\"projects/p/serviceAccounts/a/keys/k\"]".to_string(),
                1,
                2,
                "expected a service-account key (an object with `name` and `keyType`), as `gcloud iam service-accounts keys list --iam-account=SA --format=json` lists them, found a string",
            ),
            (
                "[{\"name\": [\"x\"], \"keyType\": \"USER_MANAGED\"}]".to_string(),
                1,
                11,
                "`name` is a list: expected a string",
            ),
        ];
        for (text, line, col, message) in cases {
            let e = err(&text);
            assert_eq!(
                (e.line, e.col, e.message.as_str()),
                (line, col, message),
                "{text}"
            );
        }
    }

    #[test]
    fn absent_and_case_insensitive_values() {
        let inventory = ok(
            "[{\"name\": \"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/abc\", \
              \"keyType\": \"USER_MANAGED\", \"disabled\": \"TRUE\", \"validAfterTime\": \"\", \
              \"validBeforeTime\": null}]",
        );
        let record = &inventory.records[0];
        assert_eq!(record.name, "a-abc");
        assert_eq!(record.created, None);
        let key = &record.credentials[0];
        assert_eq!(key.name, "key abc");
        assert_eq!((key.rotated, key.expires, key.active), (None, None, false));
    }

    #[test]
    fn a_key_listed_twice_is_an_error() {
        let twice = format!("{CI_DEPLOYER}{CI_DEPLOYER}");
        let e = err(&twice);
        assert_eq!((e.line, e.col), (42, 13));
        assert_eq!(
            e.message,
            "key `1a0664b165bff2a76212895e2711f9bf6f97a95a` of \
             `ci-deployer@example-analytics-prod.iam.gserviceaccount.com` \
             is listed twice (first at line 10, column 3)"
        );
    }
}
