//! Kubernetes ServiceAccounts (SPEC §6): the output of
//! `kubectl get serviceaccounts -A -o json` (or `-o yaml`), a `List` of
//! `ServiceAccount` objects, the API's own `ServiceAccountList`, or one
//! `ServiceAccount`; several such documents may follow one another.
//!
//! One record per ServiceAccount, `system:serviceaccount:NS:NAME`. Each
//! namespace's `default` account is skipped (and counted) unless
//! `include_default`, but its namespace is still a scope: every namespace
//! has one, so the namespaces the listing shows are those it covers.
//!
//! Legacy token Secrets (type `kubernetes.io/service-account-token`) listed
//! with the accounts (`kubectl get serviceaccounts,secrets -A -o json`) are
//! their accounts' credentials: issued at the Secret's creation, last used
//! on the date of its `kubernetes.io/legacy-token-last-used` label. The
//! control plane sets that label when the token authenticates a request and
//! leaves it unset when the token has not been used since tracking began
//! (Kubernetes 1.26; always on since 1.28), so a token Secret without it
//! records use and shows none, as Kubernetes' own clean-up of unused tokens
//! reads it. A token Secret marked `kubernetes.io/legacy-token-invalid-since`
//! no longer authenticates: it is listed, inactive. A token Secret whose
//! account the list does not include is an error: the control plane deletes
//! the tokens of a deleted account, so the listing is incomplete (a label
//! selector, a filter, two exports mixed), and a token the reader could not
//! attach would go unaudited. Other Secrets are not credentials of an
//! account and are ignored; any other kind of object is an error.

use super::error;
use super::{
    At, Credential, Format, Inventory, InventoryError, Node, ReadOptions, Record, Scope, Value, at,
    documents, get, text,
};
use crate::escape::short;
use crate::registry::time::parse_date;
use crate::registry::{Date, IdentityKind};
use std::collections::{HashMap, HashSet};

/// The command that exports what this reader reads.
const EXPORT: &str = "`kubectl get serviceaccounts -A -o json`";
/// The command that exports the accounts with their token Secrets.
const EXPORT_WITH_TOKENS: &str = "`kubectl get serviceaccounts,secrets -A -o json`";
const TOKEN_TYPE: &str = "kubernetes.io/service-account-token";
const ACCOUNT_ANNOTATION: &str = "kubernetes.io/service-account.name";
const LAST_USED_LABEL: &str = "kubernetes.io/legacy-token-last-used";
const INVALID_SINCE_LABEL: &str = "kubernetes.io/legacy-token-invalid-since";
/// Annotations binding an account to a cloud identity (EKS IRSA, GKE
/// Workload Identity, Azure Workload Identity), shown as links.
const LINK_ANNOTATIONS: [&str; 3] = [
    "eks.amazonaws.com/role-arn",
    "iam.gke.io/gcp-service-account",
    "azure.workload.identity/client-id",
];

/// Whether `text` looks like Kubernetes objects: JSON or YAML with an
/// `apiVersion` and a `kind` of `List`, `ServiceAccountList` or
/// `ServiceAccount` (a `List` of other objects is still detected, so that
/// reading it says a ServiceAccount list was expected).
pub fn looks_like(text: &str) -> bool {
    let body = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if body.starts_with('[') {
        // kubectl never writes a bare array; GCP and Entra exports do.
        return false;
    }
    if body.starts_with('{') {
        return json_key(body, "apiVersion", None)
            && json_key(
                body,
                "kind",
                Some(&["List", "ServiceAccountList", "ServiceAccount"]),
            );
    }
    // YAML: top-level keys start their line.
    let mut api_version = false;
    let mut kind = false;
    for line in body.lines() {
        let line = line.trim_end();
        if let Some(value) = line.strip_prefix("apiVersion:") {
            api_version |= !value.trim().is_empty();
        } else if let Some(value) = line.strip_prefix("kind:") {
            let value = value.split(" #").next().unwrap_or_default().trim();
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            kind |= matches!(value, "List" | "ServiceAccountList" | "ServiceAccount");
        }
        if api_version && kind {
            return true;
        }
    }
    false
}

/// Whether JSON `text` has the key `"key"` (with a string value among
/// `values`, when given) anywhere.
fn json_key(text: &str, key: &str, values: Option<&[&str]>) -> bool {
    let quoted = format!("\"{key}\"");
    text.match_indices(&quoted).any(|(i, _)| {
        let rest = text[i + quoted.len()..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            return false;
        };
        let rest = rest.trim_start();
        match values {
            None => rest.starts_with('"'),
            Some(values) => values.iter().any(|v| {
                rest.strip_prefix('"')
                    .and_then(|r| r.strip_prefix(v))
                    .is_some_and(|r| r.starts_with('"'))
            }),
        }
    })
}

/// What a listed object is to this reader.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ServiceAccount,
    Secret,
}

/// Reads a ServiceAccount listing. Fails closed: anything unrecognised or
/// malformed is an error with its line and column.
pub fn read(input: &str, options: &ReadOptions) -> Result<Inventory, InventoryError> {
    let docs = documents(input)?;
    let mut items = Vec::new();
    for doc in &docs {
        collect(doc, &mut items)?;
    }
    if items.is_empty() && !docs.iter().any(|d| get(d, "kind").is_some()) {
        return Err(InventoryError::new(
            0,
            0,
            format!("empty file: expected a Kubernetes ServiceAccount list ({EXPORT})"),
        ));
    }

    if !items.iter().any(|&(_, kind)| kind == Kind::ServiceAccount)
        && let Some(&(secret, _)) = items.first()
    {
        // Every namespace has its `default` account: a listing of Secrets
        // alone was exported without the accounts.
        return Err(error(
            get(secret, "kind").unwrap_or(secret),
            format!(
                "expected ServiceAccounts: this list has Secrets and no ServiceAccount \
                 (list the accounts with their token Secrets: {EXPORT_WITH_TOKENS})"
            ),
        ));
    }

    let mut inventory = Inventory {
        format: Format::Kubernetes,
        records: Vec::new(),
        scopes: Vec::new(),
        skipped: 0,
        listed: Vec::new(),
    };
    // (namespace, name) → the record's index, or `None` for a skipped
    // `default` account; and where the account is listed.
    let mut accounts: HashMap<(String, String), (Option<usize>, At)> = HashMap::new();
    let mut seen = HashSet::new();
    for &(item, kind) in &items {
        if kind != Kind::ServiceAccount {
            continue;
        }
        let meta = metadata(item, "ServiceAccount")?;
        let name = required(meta, "name", "ServiceAccount", Name::Object)?;
        let namespace = required(meta, "namespace", "ServiceAccount", Name::Namespace)?;
        let key = (namespace.to_owned(), name.to_owned());
        if let Some((_, first)) = accounts.get(&key) {
            return Err(error(
                item,
                format!(
                    "ServiceAccount {}/{} is listed twice (first at line {}, column {}): \
                     expected each account once",
                    short(namespace),
                    short(name),
                    first.line,
                    first.col
                ),
            ));
        }
        if seen.insert(namespace) {
            inventory
                .scopes
                .push(Scope::KubernetesNamespace(namespace.to_owned()));
        }
        let created = date(meta, "creationTimestamp")?;
        if name == "default" && !options.include_default {
            inventory.skipped += 1;
            inventory
                .listed
                .push(format!("system:serviceaccount:{namespace}:{name}"));
            accounts.insert(key, (None, at(item)));
            continue;
        }
        let mut links = Vec::new();
        if let Some(annotations) = mapping(meta, "annotations")? {
            for annotation in LINK_ANNOTATIONS {
                if let Some(value) = scalar(annotations, annotation)? {
                    links.push(format!("{annotation}: {value}"));
                }
            }
        }
        accounts.insert(key, (Some(inventory.records.len()), at(item)));
        inventory.records.push(Record {
            reference: format!("system:serviceaccount:{namespace}:{name}"),
            aliases: Vec::new(),
            at: at(item),
            kind: IdentityKind::ServiceAccount,
            created,
            name: if namespace == "default" {
                name.to_owned()
            } else {
                format!("{namespace}-{name}")
            },
            description: format!("Kubernetes service account {name} in namespace {namespace}"),
            credentials: Vec::new(),
            interactive: None,
            human: false,
            links,
        });
    }

    let mut secrets: HashMap<(String, String), At> = HashMap::new();
    for &(item, kind) in &items {
        if kind != Kind::Secret || scalar(item, "type")? != Some(TOKEN_TYPE) {
            continue;
        }
        let meta = metadata(item, "token Secret")?;
        let name = required(meta, "name", "token Secret", Name::Object)?;
        let namespace = required(meta, "namespace", "token Secret", Name::Namespace)?;
        if let Some(first) = secrets.insert((namespace.to_owned(), name.to_owned()), at(item)) {
            return Err(error(
                item,
                format!(
                    "Secret {}/{} is listed twice (first at line {}, column {}): \
                     expected each Secret once",
                    short(namespace),
                    short(name),
                    first.line,
                    first.col
                ),
            ));
        }
        let annotations = mapping(meta, "annotations")?;
        let account = annotations.and_then(|a| get(a, ACCOUNT_ANNOTATION));
        let Some(account_name) = account
            .and_then(|a| text(Some(a)))
            .filter(|a| !a.is_empty())
        else {
            return Err(error(
                account.or(annotations).unwrap_or(meta),
                format!(
                    "expected the annotation `{ACCOUNT_ANNOTATION}` on a Secret of type \
                     `{TOKEN_TYPE}`: the name of the ServiceAccount the token belongs to"
                ),
            ));
        };
        let owner = accounts.get(&(namespace.to_owned(), account_name.to_owned()));
        let Some(&(index, _)) = owner else {
            return Err(error(
                account.unwrap_or(meta),
                format!(
                    "token Secret {ns}/{name} belongs to ServiceAccount {ns}/{account}, which \
                     the list does not include: expected the accounts and their token Secrets \
                     listed together ({EXPORT_WITH_TOKENS})",
                    ns = short(namespace),
                    name = short(name),
                    account = short(account_name),
                ),
            ));
        };
        let rotated = date(meta, "creationTimestamp")?;
        let labels = mapping(meta, "labels")?;
        let last_used = match labels {
            Some(labels) => date(labels, LAST_USED_LABEL)?,
            None => None,
        };
        let invalid_since = match labels {
            Some(labels) => date(labels, INVALID_SINCE_LABEL)?,
            None => None,
        };
        // The account is listed but skipped (a `default` account): its
        // tokens go with it.
        let Some(record) = index.and_then(|i| inventory.records.get_mut(i)) else {
            continue;
        };
        record.credentials.push(Credential {
            name: format!("token Secret {name}"),
            at: at(item),
            rotated,
            expires: None,
            last_used: Some(last_used),
            active: invalid_since.is_none(),
        });
    }
    Ok(inventory)
}

/// Adds the objects of one document to `items`.
fn collect<'n, 'a>(
    doc: &'n Node<'a>,
    items: &mut Vec<(&'n Node<'a>, Kind)>,
) -> Result<(), InventoryError> {
    if matches!(doc.value, Value::Null) {
        // An empty document of a YAML stream (a trailing `---`).
        return Ok(());
    }
    let expected = format!(
        "expected a Kubernetes ServiceAccount list ({EXPORT}): a `List`, a \
         `ServiceAccountList` or one `ServiceAccount`"
    );
    if !matches!(doc.value, Value::Map(_)) {
        return Err(error(
            doc,
            format!("{expected}, found {}", doc.value.describe()),
        ));
    }
    let Some(kind) = get(doc, "kind") else {
        return Err(error(
            doc,
            format!("{expected}, found a mapping without `kind`"),
        ));
    };
    match text(Some(kind)) {
        Some("ServiceAccount") => {
            api_version(doc, "ServiceAccount")?;
            items.push((doc, Kind::ServiceAccount));
        }
        Some(list @ ("List" | "ServiceAccountList")) => {
            api_version(doc, list)?;
            let typed = list == "ServiceAccountList";
            let entries = match get(doc, "items") {
                Some(Node {
                    value: Value::Seq(entries),
                    ..
                }) => entries.as_slice(),
                Some(Node {
                    value: Value::Null, ..
                }) => &[],
                Some(other) => {
                    return Err(error(
                        other,
                        format!(
                            "expected `items` to be a list of objects, found {}",
                            other.value.describe()
                        ),
                    ));
                }
                None => {
                    return Err(error(
                        doc,
                        format!("expected `items`: the objects of the {list}"),
                    ));
                }
            };
            for item in entries {
                items.push((item, item_kind(item, typed)?));
            }
        }
        Some(other) => {
            return Err(error(
                kind,
                format!("{expected}, found kind `{}`", short(other)),
            ));
        }
        None => {
            return Err(error(
                kind,
                format!("{expected}, found `kind` {}", kind.value.describe()),
            ));
        }
    }
    Ok(())
}

/// What an item of a `List` (or, `typed`, of a `ServiceAccountList`, whose
/// items the API writes without `kind`) is.
fn item_kind(item: &Node<'_>, typed: bool) -> Result<Kind, InventoryError> {
    let expected = if typed {
        "expected a ServiceAccount in a ServiceAccountList".to_owned()
    } else {
        format!(
            "expected a ServiceAccount (or a ServiceAccount's token Secret) in a \
             ServiceAccount list ({EXPORT})"
        )
    };
    if !matches!(item.value, Value::Map(_)) {
        return Err(error(
            item,
            format!("{expected}, found {}", item.value.describe()),
        ));
    }
    let Some(kind) = get(item, "kind") else {
        if typed {
            return Ok(Kind::ServiceAccount);
        }
        return Err(error(
            item,
            format!("{expected}, found an object without `kind`"),
        ));
    };
    let found = match text(Some(kind)) {
        Some("ServiceAccount") => Kind::ServiceAccount,
        Some("Secret") if !typed => Kind::Secret,
        Some(other) => {
            return Err(error(
                kind,
                format!("{expected}, found a `{}`", short(other)),
            ));
        }
        None => {
            return Err(error(
                kind,
                format!("{expected}, found `kind` {}", kind.value.describe()),
            ));
        }
    };
    let name = match found {
        Kind::ServiceAccount => "ServiceAccount",
        Kind::Secret => "Secret",
    };
    api_version(item, name)?;
    Ok(found)
}

/// An object's `apiVersion`, where written, must be the core `v1`: a
/// `ServiceAccount` of another API group is some other product's object.
fn api_version(object: &Node<'_>, kind: &str) -> Result<(), InventoryError> {
    let Some(version) = get(object, "apiVersion") else {
        return Ok(());
    };
    match text(Some(version)) {
        Some("v1") => Ok(()),
        found => Err(error(
            version,
            format!(
                "expected `apiVersion: v1` for a Kubernetes {kind}, found {}",
                found.map_or_else(
                    || version.value.describe().to_owned(),
                    |f| format!("`{}`", short(f))
                )
            ),
        )),
    }
}

/// An object's `metadata` mapping.
fn metadata<'n, 'a>(object: &'n Node<'a>, what: &str) -> Result<&'n Node<'a>, InventoryError> {
    match mapping(object, "metadata")? {
        Some(meta) => Ok(meta),
        None => Err(error(
            object,
            format!("expected `metadata` (with `name` and `namespace`) on a {what}"),
        )),
    }
}

/// The mapping at `key`; `None` when absent or null.
fn mapping<'n, 'a>(node: &'n Node<'a>, key: &str) -> Result<Option<&'n Node<'a>>, InventoryError> {
    match get(node, key) {
        None
        | Some(Node {
            value: Value::Null, ..
        }) => Ok(None),
        Some(
            value @ Node {
                value: Value::Map(_),
                ..
            },
        ) => Ok(Some(value)),
        Some(value) => Err(error(
            value,
            format!(
                "expected `{key}` to be a mapping, found {}",
                value.value.describe()
            ),
        )),
    }
}

/// The text at `key`; `None` when absent, null or empty.
fn scalar<'n>(node: &'n Node<'_>, key: &str) -> Result<Option<&'n str>, InventoryError> {
    match get(node, key) {
        None => Ok(None),
        Some(value) => match &value.value {
            Value::Null => Ok(None),
            Value::Seq(_) | Value::Map(_) => Err(error(
                value,
                format!(
                    "expected `{key}` to be a string, found {}",
                    value.value.describe()
                ),
            )),
            _ => Ok(text(Some(value)).filter(|t| !t.is_empty())),
        },
    }
}

/// Which rule of Kubernetes names a name follows.
#[derive(Clone, Copy)]
enum Name {
    /// A DNS-1123 subdomain: ServiceAccount and Secret names.
    Object,
    /// A DNS-1123 label: namespace names.
    Namespace,
}

/// The name at `metadata.key`, required and valid.
fn required<'n>(
    meta: &'n Node<'_>,
    key: &str,
    what: &str,
    rule: Name,
) -> Result<&'n str, InventoryError> {
    let Some(value) = scalar(meta, key)? else {
        let role = if key == "name" {
            format!("the {what}'s name")
        } else {
            format!("the {what}'s namespace")
        };
        return Err(error(
            get(meta, key).unwrap_or(meta),
            format!("expected `metadata.{key}`, {role}"),
        ));
    };
    let (max, dots, rule_text) = match rule {
        Name::Object => (
            253,
            true,
            "lowercase letters, digits, `-` and `.`, at most 253 characters",
        ),
        Name::Namespace => (
            63,
            false,
            "lowercase letters, digits and `-`, at most 63 characters",
        ),
    };
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (dots && c == '.');
    let alphanumeric =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let valid = value.len() <= max
        && value.chars().all(allowed)
        && alphanumeric(value.chars().next())
        && alphanumeric(value.chars().next_back());
    if !valid {
        let noun = match rule {
            Name::Object => "name",
            Name::Namespace => "namespace name",
        };
        return Err(error(
            get(meta, key).unwrap_or(meta),
            format!(
                "`{}` is not a Kubernetes {noun}: expected {rule_text}, starting and ending \
                 with a letter or digit",
                short(value)
            ),
        ));
    }
    Ok(value)
}

/// The date at `key` (a timestamp or a label's `YYYY-MM-DD`); `None` when
/// absent, null or empty.
fn date(node: &Node<'_>, key: &str) -> Result<Option<Date>, InventoryError> {
    let Some(value) = scalar(node, key)? else {
        return Ok(None);
    };
    parse_date(value).map(Some).map_err(|message| {
        error(
            get(node, key).unwrap_or(node),
            format!("`{key}`: {message}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{looks_like, read};
    use crate::inventory::{At, Credential, Format, Inventory, InventoryError, ReadOptions, Scope};
    use crate::registry::time::parse_date;
    use crate::registry::{Date, IdentityKind};

    const LIST_JSON: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/serviceaccounts-secrets.json");
    const LIST_YAML: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/serviceaccounts-secrets.yaml");
    const ACCOUNTS_ONLY: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/serviceaccounts-only.yaml");
    const ONE: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/one-serviceaccount.json");
    const RAW: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/serviceaccountlist-raw.json");
    const PODS: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/malformed/pods.json");
    const TRUNCATED: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/malformed/truncated.json");
    const MISSING_NAME: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/malformed/missing-name.json");
    const ORPHAN: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/malformed/orphan-token.yaml");
    const BAD_LAST_USED: &str =
        include_str!("../../tests/fixtures/inventory/kubernetes/malformed/bad-last-used.yaml");

    const DEFAULTS: ReadOptions = ReadOptions {
        include_default: false,
    };
    const WITH_DEFAULT: ReadOptions = ReadOptions {
        include_default: true,
    };

    fn day(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn ok(text: &str, options: &ReadOptions) -> Inventory {
        match read(text, options) {
            Ok(inventory) => inventory,
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    fn err(text: &str) -> InventoryError {
        match read(text, &DEFAULTS) {
            Ok(inventory) => panic!("expected an error, read {inventory:?}"),
            Err(e) => e,
        }
    }

    fn refs(inventory: &Inventory) -> Vec<&str> {
        inventory
            .records
            .iter()
            .map(|r| r.reference.as_str())
            .collect()
    }

    fn namespaces(names: &[&str]) -> Vec<Scope> {
        names
            .iter()
            .map(|n| Scope::KubernetesNamespace((*n).to_owned()))
            .collect()
    }

    fn record<'i>(inventory: &'i Inventory, reference: &str) -> &'i crate::inventory::Record {
        match inventory.records.iter().find(|r| r.reference == reference) {
            Some(r) => r,
            None => panic!("no record {reference} in {:?}", refs(inventory)),
        }
    }

    #[test]
    fn a_json_list_gives_one_record_per_account_but_the_default_ones() {
        let inventory = ok(LIST_JSON, &DEFAULTS);
        assert_eq!(inventory.format, Format::Kubernetes);
        assert_eq!(
            refs(&inventory),
            [
                "system:serviceaccount:analytics:etl-runner",
                "system:serviceaccount:ci:deploy-bot",
                "system:serviceaccount:default:report-builder",
                "system:serviceaccount:kube-system:coredns",
                "system:serviceaccount:payments:ledger-sync",
                "system:serviceaccount:payments:payments-api",
            ]
        );
        // The five namespaces' `default` accounts.
        assert_eq!(inventory.skipped, 5);
        assert_eq!(
            inventory.scopes,
            namespaces(&["analytics", "ci", "default", "kube-system", "payments"])
        );
        let names: Vec<&str> = inventory.records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "analytics-etl-runner",
                "ci-deploy-bot",
                "report-builder",
                "kube-system-coredns",
                "payments-ledger-sync",
                "payments-payments-api",
            ]
        );
        let positions: Vec<At> = inventory.records.iter().map(|r| r.at).collect();
        let expected: Vec<At> = [15, 42, 72, 87, 125, 136]
            .into_iter()
            .map(|line| At { line, col: 9 })
            .collect();
        assert_eq!(positions, expected);
        for r in &inventory.records {
            assert_eq!(r.kind, IdentityKind::ServiceAccount);
            assert!(r.aliases.is_empty());
            assert_eq!(r.interactive, None);
            assert!(!r.human);
        }
    }

    #[test]
    fn an_account_has_its_creation_description_and_cloud_links() {
        let inventory = ok(LIST_JSON, &DEFAULTS);
        let api = record(&inventory, "system:serviceaccount:payments:payments-api");
        assert_eq!(api.created, Some(day("2025-03-17")));
        assert_eq!(
            api.description,
            "Kubernetes service account payments-api in namespace payments"
        );
        // The last-applied-configuration annotation, which mentions the role
        // too, is no link.
        assert_eq!(
            api.links,
            ["eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/payments-api-irsa"]
        );
        assert!(api.credentials.is_empty());
        let report = record(&inventory, "system:serviceaccount:default:report-builder");
        assert_eq!(report.created, Some(day("2024-05-20")));
        assert_eq!(
            report.links,
            [
                "iam.gke.io/gcp-service-account: reporting@example-analytics-prod.iam.gserviceaccount.com"
            ]
        );
        let coredns = record(&inventory, "system:serviceaccount:kube-system:coredns");
        assert_eq!(coredns.created, Some(day("2021-06-01")));
        assert!(coredns.links.is_empty());
        assert!(coredns.credentials.is_empty());
    }

    #[test]
    fn token_secrets_are_their_accounts_credentials() {
        let inventory = ok(LIST_JSON, &DEFAULTS);
        let deploy = record(&inventory, "system:serviceaccount:ci:deploy-bot");
        assert_eq!(
            deploy.credentials,
            [Credential {
                name: "token Secret deploy-bot-token-x7k2p".to_owned(),
                at: At { line: 176, col: 9 },
                rotated: Some(day("2022-03-08")),
                expires: None,
                last_used: Some(Some(day("2026-05-14"))),
                active: true,
            }]
        );
        // No `legacy-token-last-used` label: not used since tracking began.
        let ledger = record(&inventory, "system:serviceaccount:payments:ledger-sync");
        assert_eq!(
            ledger.credentials,
            [Credential {
                name: "token Secret ledger-sync-token".to_owned(),
                at: At { line: 255, col: 9 },
                rotated: Some(day("2024-09-30")),
                expires: None,
                last_used: Some(None),
                active: true,
            }]
        );
        // Marked `legacy-token-invalid-since`: it no longer authenticates.
        let etl = record(&inventory, "system:serviceaccount:analytics:etl-runner");
        assert_eq!(
            etl.credentials,
            [Credential {
                name: "token Secret etl-runner-token-7dq2m".to_owned(),
                at: At { line: 151, col: 9 },
                rotated: Some(day("2022-01-20")),
                expires: None,
                last_used: Some(Some(day("2025-01-08"))),
                active: false,
            }]
        );
        // The Opaque, dockerconfigjson and Helm release Secrets are nobody's
        // credentials.
        let all: usize = inventory.records.iter().map(|r| r.credentials.len()).sum();
        assert_eq!(all, 3);
    }

    #[test]
    fn the_yaml_listing_reads_as_the_json_one_at_its_own_positions() {
        let json = ok(LIST_JSON, &DEFAULTS);
        let yaml = ok(LIST_YAML, &DEFAULTS);
        let unlocated = |inventory: &Inventory| {
            let mut records = inventory.records.clone();
            for r in &mut records {
                r.at = At { line: 0, col: 0 };
                for c in &mut r.credentials {
                    c.at = At { line: 0, col: 0 };
                }
            }
            records
        };
        assert_eq!(unlocated(&yaml), unlocated(&json));
        assert_eq!(yaml.scopes, json.scopes);
        assert_eq!(yaml.skipped, 5);
        let positions: Vec<At> = yaml.records.iter().map(|r| r.at).collect();
        let expected: Vec<At> = [11, 29, 49, 60, 86, 94]
            .into_iter()
            .map(|line| At { line, col: 3 })
            .collect();
        assert_eq!(positions, expected);
        let tokens: Vec<At> = yaml
            .records
            .iter()
            .flat_map(|r| r.credentials.iter().map(|c| c.at))
            .collect();
        assert_eq!(
            tokens,
            [
                At { line: 106, col: 3 },
                At { line: 125, col: 3 },
                At { line: 184, col: 3 },
            ]
        );
    }

    #[test]
    fn include_default_keeps_the_default_accounts_and_their_tokens() {
        let inventory = ok(LIST_JSON, &WITH_DEFAULT);
        assert_eq!(inventory.skipped, 0);
        assert_eq!(inventory.records.len(), 11);
        assert_eq!(
            inventory.scopes,
            namespaces(&["analytics", "ci", "default", "kube-system", "payments"])
        );
        let default = record(&inventory, "system:serviceaccount:default:default");
        assert_eq!(default.name, "default");
        assert_eq!(default.created, Some(day("2021-06-01")));
        let payments = record(&inventory, "system:serviceaccount:payments:default");
        assert_eq!(payments.name, "payments-default");
        assert_eq!(payments.at, At { line: 109, col: 9 });
        assert_eq!(
            payments.credentials,
            [Credential {
                name: "token Secret default-token-q8v4w".to_owned(),
                at: At { line: 215, col: 9 },
                rotated: Some(day("2021-06-01")),
                expires: None,
                last_used: Some(Some(day("2024-02-01"))),
                active: true,
            }]
        );
        // Without it, that token went with its skipped account.
        let without = ok(LIST_JSON, &DEFAULTS);
        assert!(without.records.iter().all(|r| {
            r.credentials
                .iter()
                .all(|c| c.name != "token Secret default-token-q8v4w")
        }));
    }

    #[test]
    fn accounts_listed_without_their_secrets_have_no_credentials() {
        let inventory = ok(ACCOUNTS_ONLY, &DEFAULTS);
        assert_eq!(inventory.records.len(), 6);
        assert_eq!(inventory.skipped, 5);
        // deploy-bot's `secrets` names its token, which is not listed.
        let deploy = record(&inventory, "system:serviceaccount:ci:deploy-bot");
        assert!(deploy.credentials.is_empty());
        assert!(inventory.records.iter().all(|r| r.credentials.is_empty()));
    }

    #[test]
    fn one_service_account_is_one_record_with_its_azure_link() {
        let inventory = ok(ONE, &DEFAULTS);
        assert_eq!(
            refs(&inventory),
            ["system:serviceaccount:orders:orders-worker"]
        );
        assert_eq!(inventory.scopes, namespaces(&["orders"]));
        assert_eq!(inventory.skipped, 0);
        let r = &inventory.records[0];
        assert_eq!(r.at, At { line: 1, col: 1 });
        assert_eq!(r.name, "orders-orders-worker");
        assert_eq!(r.created, Some(day("2025-08-04")));
        assert_eq!(
            r.links,
            ["azure.workload.identity/client-id: 0b7c4f9e-2a61-4d38-9e05-7f1a3c6d8b24"]
        );
    }

    #[test]
    fn the_apis_own_service_account_list_has_items_without_kind() {
        let inventory = ok(RAW, &DEFAULTS);
        assert_eq!(refs(&inventory), ["system:serviceaccount:ci:deploy-bot"]);
        assert_eq!(inventory.skipped, 1);
        assert_eq!(inventory.scopes, namespaces(&["ci"]));
        let r = &inventory.records[0];
        assert_eq!(r.created, Some(day("2022-03-08")));
        // The compact JSON is one line: the second item's `{`.
        let col = RAW.find(r#"{"metadata":{"name":"deploy-bot""#).unwrap() + 1;
        assert_eq!(
            r.at,
            At {
                line: 1,
                col: u32::try_from(col).unwrap()
            }
        );
    }

    #[test]
    fn a_pod_list_is_not_a_service_account_list() {
        let e = err(PODS);
        assert_eq!((e.line, e.col), (6, 21));
        assert_eq!(
            e.message,
            "expected a ServiceAccount (or a ServiceAccount's token Secret) in a ServiceAccount \
             list (`kubectl get serviceaccounts -A -o json`), found a `Pod`"
        );
    }

    #[test]
    fn a_truncated_listing_is_invalid_json_where_it_ends() {
        let e = err(TRUNCATED);
        assert_eq!((e.line, e.col), (81, 34));
        assert_eq!(
            e.message,
            "invalid JSON: EOF while parsing a string at line 81 column 34"
        );
    }

    #[test]
    fn an_account_without_a_name_is_an_error_at_its_metadata() {
        let e = err(MISSING_NAME);
        assert_eq!((e.line, e.col), (18, 25));
        assert_eq!(
            e.message,
            "expected `metadata.name`, the ServiceAccount's name"
        );
    }

    #[test]
    fn a_token_secret_whose_account_is_not_listed_is_an_error() {
        let e = err(ORPHAN);
        assert_eq!((e.line, e.col), (21, 43));
        assert_eq!(
            e.message,
            "token Secret payments/ledger-sync-token belongs to ServiceAccount \
             payments/ledger-sync, which the list does not include: expected the accounts and \
             their token Secrets listed together (`kubectl get serviceaccounts,secrets -A -o json`)"
        );
    }

    #[test]
    fn a_last_used_label_that_is_no_date_is_an_error_at_its_value() {
        let e = err(BAD_LAST_USED);
        assert_eq!((e.line, e.col), (27, 45));
        assert_eq!(
            e.message,
            "`kubernetes.io/legacy-token-last-used`: invalid date `2026-02-30`: expected a real \
             calendar day as YYYY-MM-DD (2026-12-10) or an RFC 3339 timestamp (2026-12-10T00:00:00Z)"
        );
    }

    /// A `List` of `items`, given as YAML lines indented under `items:`.
    fn list(items: &str) -> String {
        format!("apiVersion: v1\nkind: List\nitems:\n{items}metadata:\n  resourceVersion: \"\"\n")
    }

    const DEPLOY_BOT: &str = "\
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    creationTimestamp: \"2022-03-08T14:22:09Z\"
    name: deploy-bot
    namespace: ci
";

    #[test]
    fn other_documents_and_kinds_are_errors_at_their_kind() {
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  namespace: ci\n";
        let e = err(secret);
        assert_eq!((e.line, e.col), (2, 7));
        assert_eq!(
            e.message,
            "expected a Kubernetes ServiceAccount list (`kubectl get serviceaccounts -A -o json`): \
             a `List`, a `ServiceAccountList` or one `ServiceAccount`, found kind `Secret`"
        );
        let e = err("[]");
        assert_eq!((e.line, e.col), (1, 1));
        assert!(
            e.message.ends_with("one `ServiceAccount`, found a list"),
            "{}",
            e.message
        );
        let e = err("{\"apiVersion\": \"v1\", \"items\": []}");
        assert_eq!((e.line, e.col), (1, 1));
        assert!(
            e.message.ends_with("found a mapping without `kind`"),
            "{}",
            e.message
        );
        for empty in ["", "---\n", "# nothing\n"] {
            let e = err(empty);
            assert_eq!((e.line, e.col), (0, 0));
            assert_eq!(
                e.message,
                "empty file: expected a Kubernetes ServiceAccount list (`kubectl get serviceaccounts -A -o json`)"
            );
        }
    }

    #[test]
    fn a_service_account_of_another_api_group_is_an_error() {
        let text =
            list(&DEPLOY_BOT.replace("apiVersion: v1", "apiVersion: iam.example.com/v1alpha1"));
        let e = err(&text);
        assert_eq!((e.line, e.col), (4, 15));
        assert_eq!(
            e.message,
            "expected `apiVersion: v1` for a Kubernetes ServiceAccount, found `iam.example.com/v1alpha1`"
        );
    }

    #[test]
    fn list_items_need_a_kind_but_service_account_list_items_do_not() {
        let no_kind = list("- metadata:\n    name: deploy-bot\n    namespace: ci\n");
        let e = err(&no_kind);
        assert_eq!((e.line, e.col), (4, 3));
        assert!(
            e.message.ends_with("found an object without `kind`"),
            "{}",
            e.message
        );
        let typed = no_kind.replace("kind: List", "kind: ServiceAccountList");
        assert_eq!(
            refs(&ok(&typed, &DEFAULTS)),
            ["system:serviceaccount:ci:deploy-bot"]
        );
        // A ServiceAccountList holds ServiceAccounts only.
        let secret = typed.replace("- metadata:", "- kind: Secret\n  metadata:");
        let e = err(&secret);
        assert_eq!((e.line, e.col), (4, 9));
        assert_eq!(
            e.message,
            "expected a ServiceAccount in a ServiceAccountList, found a `Secret`"
        );
        let e = err("apiVersion: v1\nkind: List\nitems: {}\n");
        assert_eq!((e.line, e.col), (3, 8));
        assert_eq!(
            e.message,
            "expected `items` to be a list of objects, found a mapping"
        );
        let e = err("apiVersion: v1\nkind: List\n");
        assert_eq!((e.line, e.col), (1, 1));
        assert_eq!(e.message, "expected `items`: the objects of the List");
    }

    #[test]
    fn a_list_of_secrets_alone_lacks_the_accounts() {
        let text = list(&format!(
            "{}{}",
            token("deploy-bot", "").replace("kubernetes.io/service-account-token", "Opaque"),
            token("deploy-bot", "")
        ));
        let e = err(&text);
        assert_eq!((e.line, e.col), (5, 9));
        assert_eq!(
            e.message,
            "expected ServiceAccounts: this list has Secrets and no ServiceAccount (list the \
             accounts with their token Secrets: `kubectl get serviceaccounts,secrets -A -o json`)"
        );
    }

    #[test]
    fn an_empty_list_covers_nothing() {
        let inventory = ok(
            "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n",
            &DEFAULTS,
        );
        assert!(inventory.records.is_empty());
        assert!(inventory.scopes.is_empty());
        assert_eq!(inventory.skipped, 0);
    }

    #[test]
    fn names_and_namespaces_are_required_and_valid() {
        let e = err(&list(&DEPLOY_BOT.replace("    namespace: ci\n", "")));
        assert_eq!((e.line, e.col), (7, 5));
        assert_eq!(
            e.message,
            "expected `metadata.namespace`, the ServiceAccount's namespace"
        );
        let e = err(&list(&DEPLOY_BOT.replace("name: deploy-bot", "name: \"\"")));
        assert_eq!((e.line, e.col), (8, 11));
        assert_eq!(
            e.message,
            "expected `metadata.name`, the ServiceAccount's name"
        );
        let e = err(&list(
            &DEPLOY_BOT.replace("name: deploy-bot", "name: deploy:bot"),
        ));
        assert_eq!((e.line, e.col), (8, 11));
        assert_eq!(
            e.message,
            "`deploy:bot` is not a Kubernetes name: expected lowercase letters, digits, `-` and \
             `.`, at most 253 characters, starting and ending with a letter or digit"
        );
        let e = err(&list(
            &DEPLOY_BOT.replace("namespace: ci", "namespace: CI.prod"),
        ));
        assert_eq!((e.line, e.col), (9, 16));
        assert_eq!(
            e.message,
            "`CI.prod` is not a Kubernetes namespace name: expected lowercase letters, digits and \
             `-`, at most 63 characters, starting and ending with a letter or digit"
        );
        let e = err(&list("- apiVersion: v1\n  kind: ServiceAccount\n"));
        assert_eq!((e.line, e.col), (4, 3));
        assert_eq!(
            e.message,
            "expected `metadata` (with `name` and `namespace`) on a ServiceAccount"
        );
        let e = err(&list(&DEPLOY_BOT.replace(
            "    namespace: ci\n",
            "    namespace: ci\n    annotations: role\n",
        )));
        assert_eq!((e.line, e.col), (10, 18));
        assert_eq!(
            e.message,
            "expected `annotations` to be a mapping, found a string"
        );
    }

    #[test]
    fn creation_timestamps_are_dates_or_absent() {
        let e = err(&list(
            &DEPLOY_BOT.replace("2022-03-08T14:22:09Z", "2022-03-08 14:22:09"),
        ));
        assert_eq!((e.line, e.col), (7, 24));
        assert_eq!(
            e.message,
            "`creationTimestamp`: invalid date `2022-03-08 14:22:09`: write `T` between the day \
             and the time (RFC 3339)"
        );
        // `kubectl create --dry-run=client -o yaml` writes `null`.
        let null = list(&DEPLOY_BOT.replace("\"2022-03-08T14:22:09Z\"", "null"));
        assert_eq!(ok(&null, &DEFAULTS).records[0].created, None);
        let absent =
            list(&DEPLOY_BOT.replace("    creationTimestamp: \"2022-03-08T14:22:09Z\"\n", ""));
        assert_eq!(ok(&absent, &DEFAULTS).records[0].created, None);
        // A skipped account's timestamp is checked all the same.
        let default = DEPLOY_BOT
            .replace("deploy-bot", "default")
            .replace("2022-03-08T14:22:09Z", "yesterday");
        let e = err(&list(&default));
        assert_eq!((e.line, e.col), (7, 24));
    }

    fn token(account: &str, labels: &str) -> String {
        format!(
            "\
- apiVersion: v1
  kind: Secret
  metadata:
    annotations:
      kubernetes.io/service-account.name: {account}
    creationTimestamp: \"2024-01-02T03:04:05Z\"
{labels}    name: {account}-token
    namespace: ci
  type: kubernetes.io/service-account-token
"
        )
    }

    #[test]
    fn a_token_secret_may_come_before_its_account() {
        let text = list(&format!("{}{DEPLOY_BOT}", token("deploy-bot", "")));
        let inventory = ok(&text, &DEFAULTS);
        let credentials = &inventory.records[0].credentials;
        assert_eq!(credentials.len(), 1);
        assert_eq!(credentials[0].name, "token Secret deploy-bot-token");
        assert_eq!(credentials[0].at, At { line: 4, col: 3 });
        assert_eq!(credentials[0].rotated, Some(day("2024-01-02")));
        assert_eq!(credentials[0].last_used, Some(None));
    }

    #[test]
    fn a_token_secret_names_its_account() {
        let text = list(&format!(
            "{DEPLOY_BOT}{}",
            token("deploy-bot", "").replace(
                "      kubernetes.io/service-account.name: deploy-bot\n",
                "      kubernetes.io/service-account.uid: 81829d02\n"
            )
        ));
        let e = err(&text);
        assert_eq!((e.line, e.col), (14, 7));
        assert_eq!(
            e.message,
            "expected the annotation `kubernetes.io/service-account.name` on a Secret of type \
             `kubernetes.io/service-account-token`: the name of the ServiceAccount the token \
             belongs to"
        );
        // Another namespace's account of the same name is not its account.
        let text = list(&format!(
            "{}{}",
            DEPLOY_BOT.replace("namespace: ci", "namespace: staging"),
            token("deploy-bot", "")
        ));
        let e = err(&text);
        assert_eq!((e.line, e.col), (14, 43));
        assert!(e.message.starts_with("token Secret ci/deploy-bot-token belongs to ServiceAccount ci/deploy-bot, which the list does not include"), "{}", e.message);
        // Any other Secret, whoever it names, is ignored.
        let opaque = token("nobody", "").replace("kubernetes.io/service-account-token", "Opaque");
        let inventory = ok(&list(&format!("{DEPLOY_BOT}{opaque}")), &DEFAULTS);
        assert!(inventory.records[0].credentials.is_empty());
    }

    #[test]
    fn a_token_that_is_invalid_since_a_day_is_inactive() {
        let labels =
            "    labels:\n      kubernetes.io/legacy-token-invalid-since: \"2026-01-10\"\n";
        let inventory = ok(
            &list(&format!("{DEPLOY_BOT}{}", token("deploy-bot", labels))),
            &DEFAULTS,
        );
        let credential = &inventory.records[0].credentials[0];
        assert!(!credential.active);
        // Never used since tracking began, then invalidated.
        assert_eq!(credential.last_used, Some(None));
        let bad = labels.replace("2026-01-10", "soon");
        let e = err(&list(&format!("{DEPLOY_BOT}{}", token("deploy-bot", &bad))));
        assert_eq!((e.line, e.col), (17, 49));
        assert!(
            e.message
                .starts_with("`kubernetes.io/legacy-token-invalid-since`: invalid date `soon`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn accounts_and_secrets_are_listed_once() {
        let e = err(&list(&format!("{DEPLOY_BOT}{DEPLOY_BOT}")));
        assert_eq!((e.line, e.col), (10, 3));
        assert_eq!(
            e.message,
            "ServiceAccount ci/deploy-bot is listed twice (first at line 4, column 3): expected \
             each account once"
        );
        let twice = token("deploy-bot", "");
        let e = err(&list(&format!("{DEPLOY_BOT}{twice}{twice}")));
        assert_eq!((e.line, e.col), (19, 3));
        assert!(
            e.message.starts_with(
                "Secret ci/deploy-bot-token is listed twice (first at line 10, column 3)"
            ),
            "{}",
            e.message
        );
    }

    #[test]
    fn several_documents_are_read_as_one_listing() {
        // Two JSON values one after the other (`>>`), and a YAML stream.
        let one = ok(ONE, &DEFAULTS);
        let both = format!("{ONE}{RAW}");
        let inventory = ok(&both, &DEFAULTS);
        assert_eq!(
            refs(&inventory),
            [
                "system:serviceaccount:orders:orders-worker",
                "system:serviceaccount:ci:deploy-bot",
            ]
        );
        assert_eq!(inventory.scopes, namespaces(&["orders", "ci"]));
        assert_eq!(inventory.skipped, 1);
        assert_eq!(inventory.records[0], one.records[0]);
        let lines = u32::try_from(ONE.lines().count()).unwrap();
        assert_eq!(inventory.records[1].at.line, lines + 1);
        let stream = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: x\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  namespace: y\n---\n";
        let inventory = ok(stream, &DEFAULTS);
        assert_eq!(
            refs(&inventory),
            ["system:serviceaccount:x:a", "system:serviceaccount:y:b"]
        );
        assert_eq!(inventory.records[1].at, At { line: 7, col: 1 });
    }

    #[test]
    fn no_prefix_of_a_listing_panics_or_reads_as_more() {
        for text in [LIST_JSON, LIST_YAML, RAW] {
            let whole = ok(text, &WITH_DEFAULT).records.len();
            let cuts = text.char_indices().map(|(i, _)| i).step_by(5);
            for cut in cuts {
                if let Ok(inventory) = read(&text[..cut], &WITH_DEFAULT) {
                    assert!(inventory.records.len() <= whole, "cut at {cut}");
                }
                looks_like(&text[..cut]);
            }
        }
    }

    #[test]
    fn detects_its_own_formats() {
        for text in [
            LIST_JSON,
            LIST_YAML,
            ACCOUNTS_ONLY,
            ONE,
            RAW,
            ORPHAN,
            BAD_LAST_USED,
        ] {
            assert!(looks_like(text), "{}", &text[..60]);
        }
        // Other Kubernetes lists too, so that reading one says what was expected.
        assert!(looks_like(PODS));
        assert!(looks_like(
            "\u{feff}apiVersion: v1\nkind: \"ServiceAccount\"\nmetadata: {}\n"
        ));
    }

    #[test]
    fn detects_none_of_the_other_formats() {
        let others = [
            // AWS credential report.
            "user,arn,user_creation_time,password_enabled,password_last_used\n\
             ci-bot,arn:aws:iam::123456789012:user/ci-bot,2024-02-05T10:20:30+00:00,false,N/A\n",
            // Generic CSV, even of Kubernetes refs.
            "ref,kind,created\nsystem:serviceaccount:ci:deploy-bot,service_account,2025-03-01\n",
            // GCP keys: gcloud's list and the API's object.
            "[\n  {\n    \"keyType\": \"USER_MANAGED\",\n    \"name\": \"projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com/keys/1a\",\n    \"validAfterTime\": \"2025-02-11T09:30:00Z\"\n  }\n]\n",
            "{\"keys\": [{\"keyType\": \"USER_MANAGED\", \"validAfterTime\": \"2025-02-11T09:30:00Z\"}]}",
            // Entra: Graph's page and az's bare list.
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#applications\", \"value\": [{\"appId\": \"63af73dd\", \"passwordCredentials\": []}]}",
            "[{\"appId\": \"63af73dd\", \"kind\": \"ServiceAccount\", \"passwordCredentials\": []}]",
            // A registry, whose identities have a `kind`.
            "version: 1\nidentities:\n  - id: ci-deploy-bot\n    kind: service_account\n    ref: system:serviceaccount:ci:deploy-bot\n",
            // A ServiceAccount mentioned, not listed: no apiVersion.
            "{\"kind\": \"ServiceAccount\", \"name\": \"deploy-bot\"}",
            "notes:\n  kind: ServiceAccount\n  apiVersion: v1\n",
            "",
        ];
        for text in others {
            assert!(!looks_like(text), "{text}");
        }
    }
}
