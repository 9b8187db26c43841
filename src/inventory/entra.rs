//! Entra ID applications (SPEC §6): the application objects that Microsoft
//! Graph `GET /applications` returns in pages (`{"@odata.context": …,
//! "value": […]}`, each page a file or the pages one after another in one
//! file), or that `az ad app list --all` writes as a bare list.
//!
//! Every application with at least one credential is a record (the others
//! are skipped and counted); its ref is the `appId` (the client id). Its
//! credentials are its client secrets (`passwordCredentials`) and its
//! certificates (`keyCredentials`); Graph records no use of either.

use super::{
    At, Credential, Format, Inventory, InventoryError, Node, ReadOptions, Record, Scope, Value, at,
    documents, get, text,
};
use super::{error, is_guid, string, timestamp as date};
use crate::escape::short;
use crate::registry::IdentityKind;
use std::collections::HashMap;

/// What this reader reads, for messages.
const EXPECTED: &str = "the applications that Microsoft Graph `GET /applications` \
                        ({\"value\": [...]}) or `az ad app list --all` (a list) writes";

/// How many characters of a key id name a credential (`keyId 4874de3c…`).
const KEY_ID_PREFIX: usize = 8;

/// Whether `text` looks like a listing of applications: JSON whose objects
/// carry an `appId` and the credential collections of an application, or a
/// Graph page of the application collection, and that is no Kubernetes
/// object.
pub fn looks_like(text: &str) -> bool {
    let body = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let applications = body.contains("\"appId\"")
        && (body.contains("\"passwordCredentials\"") || body.contains("\"keyCredentials\""));
    // An empty page still names its collection.
    let page = body.contains("/$metadata#applications");
    (body.starts_with('{') || body.starts_with('['))
        && (applications || page)
        && !body.contains("\"apiVersion\"")
}

/// Reads Graph pages and `az ad app list` output, in any number and mix.
pub fn read(text: &str, _options: &ReadOptions) -> Result<Inventory, InventoryError> {
    let docs = documents(text)?;
    if docs.is_empty() {
        return Err(InventoryError::new(
            0,
            0,
            format!("the file is empty: expected {EXPECTED}"),
        ));
    }
    let mut inventory = Inventory {
        format: Format::EntraApplications,
        records: Vec::new(),
        scopes: vec![Scope::EntraApplications],
        skipped: 0,
        listed: Vec::new(),
    };
    let mut seen: HashMap<String, At> = HashMap::new();
    for doc in &docs {
        for app in applications(doc)? {
            read_application(app, &mut inventory, &mut seen)?;
        }
    }
    Ok(inventory)
}

/// The application objects of one document: a bare list, or a Graph page.
fn applications<'n, 'a>(doc: &'n Node<'a>) -> Result<&'n [Node<'a>], InventoryError> {
    let entries = match &doc.value {
        Value::Seq(items) => return Ok(items),
        Value::Map(entries) => entries,
        other => {
            return Err(error(
                doc,
                format!("expected {EXPECTED}, found {}", other.describe()),
            ));
        }
    };
    let Some(value) = get(doc, "value") else {
        return Err(error(
            doc,
            format!("expected {EXPECTED}, found {}", found(doc)),
        ));
    };
    // A page holds `value` and OData annotations (`@odata.context`,
    // `@odata.nextLink`, `@odata.count`); anything else is another response.
    if let Some((key, _)) = entries
        .iter()
        .find(|(key, _)| key.text != "value" && !key.text.starts_with('@'))
    {
        return Err(InventoryError::new(
            key.pos.line,
            key.pos.col,
            format!(
                "unexpected `{}` beside `value`: expected a page of Microsoft Graph \
                 `GET /applications`",
                short(&key.text)
            ),
        ));
    }
    if let Some(context) = get(doc, "@odata.context") {
        let listed = text(Some(context)).unwrap_or_default();
        if !lists_applications(listed) {
            return Err(error(
                context,
                format!(
                    "`@odata.context` is `{}`: expected a page of Microsoft Graph \
                     `GET /applications` (…/$metadata#applications)",
                    short(listed)
                ),
            ));
        }
    }
    match &value.value {
        Value::Seq(items) => Ok(items),
        other => Err(error(
            value,
            format!(
                "`value` is {}: expected the list of applications of a Microsoft Graph page",
                other.describe()
            ),
        )),
    }
}

/// Whether an `@odata.context` names the application collection, whole or
/// with `$select`ed properties (not one entity, a delta, deleted items).
fn lists_applications(context: &str) -> bool {
    match context.rsplit_once("$metadata#") {
        Some((_, "applications")) => true,
        Some((_, rest)) => rest.starts_with("applications(") && rest.ends_with(')'),
        None => false,
    }
}

fn read_application(
    app: &Node<'_>,
    inventory: &mut Inventory,
    seen: &mut HashMap<String, At>,
) -> Result<(), InventoryError> {
    if get(app, "servicePrincipalType").is_some() || get(app, "servicePrincipalNames").is_some() {
        return Err(error(
            app,
            format!(
                "expected {EXPECTED}, found a service principal (as `GET /servicePrincipals` \
                 or `az ad sp list` writes)"
            ),
        ));
    }
    let Some(app_id_node) = get(app, "appId") else {
        return Err(error(
            app,
            format!(
                "expected an application (an object with `appId`) of {EXPECTED}, found {}",
                found(app)
            ),
        ));
    };
    let app_id = string(app_id_node, "appId")?.unwrap_or_default();
    if !is_guid(app_id) {
        return Err(error(
            app_id_node,
            format!(
                "`appId` `{}` is not an application id: expected a GUID such as \
                 63af73dd-5c27-59ca-a5ea-dc74b7738afe",
                short(app_id)
            ),
        ));
    }
    if let Some(deleted) = get(app, "deletedDateTime").filter(|d| !matches!(d.value, Value::Null)) {
        return Err(error(
            deleted,
            format!(
                "application `{app_id}` is deleted: expected the live applications of \
                 `GET /applications`, not deleted items"
            ),
        ));
    }
    let here = at(app);
    if let Some(first) = seen.insert(app_id.to_string(), here) {
        return Err(error(
            app_id_node,
            format!(
                "application `{app_id}` is listed twice (first at line {}, column {})",
                first.line, first.col
            ),
        ));
    }
    let secrets = collection(app, "passwordCredentials", app_id)?;
    let certificates = collection(app, "keyCredentials", app_id)?;
    let display_name = field(app, "displayName")?;
    let about = field(app, "description")?;
    let created = date(app, "createdDateTime")?;
    // An application Microsoft disabled (abuse, a violated agreement) gets no
    // tokens: its credentials are listed but inactive.
    let disabled = field(app, "disabledByMicrosoftStatus")?;
    let mut credentials = Vec::new();
    for secret in secrets {
        credentials.push(credential(secret, "client secret", disabled.is_none())?);
    }
    for certificate in certificates {
        let label = match field(certificate, "type")? {
            Some("AsymmetricX509Cert" | "X509CertAndPassword") => "certificate",
            _ => "key credential",
        };
        credentials.push(credential(certificate, label, disabled.is_none())?);
    }
    // In the order the file lists them, whichever collection comes first.
    credentials.sort_by_key(|c| c.at);
    if credentials.is_empty() {
        inventory.skipped += 1;
        inventory.listed.push(app_id.to_string());
        return Ok(());
    }
    let name = display_name.unwrap_or(app_id);
    let mut description = format!("Entra ID application {name} (appId {app_id})");
    if let Some(about) = about {
        description.push_str(": ");
        description.push_str(about);
    }
    if let Some(status) = disabled {
        description.push_str(&format!(" (disabled by Microsoft: {status})"));
    }
    inventory.records.push(Record {
        reference: app_id.to_string(),
        aliases: Vec::new(),
        at: here,
        kind: IdentityKind::OauthApp,
        created,
        name: name.to_string(),
        description,
        credentials,
        interactive: None,
        human: false,
        links: Vec::new(),
    });
    Ok(())
}

/// One client secret or certificate.
fn credential(node: &Node<'_>, label: &str, active: bool) -> Result<Credential, InventoryError> {
    let key_id = get(node, "keyId")
        .map(|id| string(id, "keyId"))
        .transpose()?
        .flatten();
    let Some(key_id) = key_id else {
        let what = match &node.value {
            Value::Map(_) => "an object without `keyId`",
            other => other.describe(),
        };
        return Err(error(
            node,
            format!("expected a {label} (an object with `keyId`), found {what}"),
        ));
    };
    // Azure CLI 2.36 and earlier wrote Azure AD Graph's `startDate` and
    // `endDate`: read as Microsoft Graph's, its dates would all be absent.
    let legacy = ["startDate", "endDate"]
        .into_iter()
        .filter_map(|old| get(node, old))
        .min_by_key(|old| old.pos);
    if let Some(old) = legacy
        && get(node, "startDateTime").is_none()
        && get(node, "endDateTime").is_none()
    {
        return Err(error(
            old,
            "`startDate`/`endDate` are Azure AD Graph's, as Azure CLI 2.36 and earlier \
             wrote them: expected Microsoft Graph's `startDateTime`/`endDateTime` (export \
             again with `az ad app list --all` from Azure CLI 2.37 or later)",
        ));
    }
    let prefix: String = key_id.chars().take(KEY_ID_PREFIX).collect();
    let ellipsis = if key_id.chars().count() > KEY_ID_PREFIX {
        "…"
    } else {
        ""
    };
    let name = match field(node, "displayName")? {
        Some(shown) => format!("{label} \"{shown}\" (keyId {prefix}{ellipsis})"),
        None => format!("{label} (keyId {prefix}{ellipsis})"),
    };
    Ok(Credential {
        name,
        at: at(node),
        rotated: date(node, "startDateTime")?,
        expires: date(node, "endDateTime")?,
        last_used: None,
        active,
    })
}

/// `passwordCredentials` or `keyCredentials`: a list Graph always writes
/// (`[]` when empty). Without it, an export (a `$select` that left it out)
/// cannot tell an application without credentials from one with some.
fn collection<'n, 'a>(
    app: &'n Node<'a>,
    key: &str,
    app_id: &str,
) -> Result<&'n [Node<'a>], InventoryError> {
    match get(app, key).map(|node| (node, &node.value)) {
        Some((_, Value::Seq(items))) => Ok(items),
        Some((node, other)) => Err(error(
            node,
            format!("`{key}` is {}: expected a list", other.describe()),
        )),
        None => Err(error(
            app,
            format!(
                "application `{app_id}` has no `{key}`: expected both `passwordCredentials` and \
                 `keyCredentials` (a `$select` must name them)"
            ),
        )),
    }
}

/// What a node that is no application listing is, as far as it can be told.
fn found(node: &Node<'_>) -> String {
    if !matches!(node.value, Value::Map(_)) {
        return node.value.describe().to_string();
    }
    if let (Some(kind), Some(_)) = (text(get(node, "kind")), get(node, "apiVersion")) {
        return format!("a Kubernetes `{}`", short(kind));
    }
    if let Some(problem) = get(node, "error") {
        let code = text(get(problem, "code")).unwrap_or("no code");
        let message = text(get(problem, "message")).unwrap_or("no message");
        return format!(
            "a Microsoft Graph error response ({}: {})",
            short(code),
            short(message)
        );
    }
    if get(node, "appId").is_some() {
        return "one application (as `az ad app show` or `GET /applications/{id}` writes), \
                not a list"
            .to_string();
    }
    if get(node, "keyType").is_some() && get(node, "validAfterTime").is_some() {
        return "a GCP service-account key (read it as gcp-keys)".to_string();
    }
    "a JSON object without `value`".to_string()
}

/// A text field: `None` when absent, null or empty.
fn field<'n>(node: &'n Node<'_>, key: &str) -> Result<Option<&'n str>, InventoryError> {
    get(node, key)
        .map(|value| string(value, key))
        .transpose()
        .map(Option::flatten)
}

#[cfg(test)]
mod tests {
    use super::{is_guid, lists_applications, looks_like, read};
    use crate::inventory::{At, Credential, Format, Inventory, InventoryError, ReadOptions, Scope};
    use crate::registry::{Date, IdentityKind};

    const AZ_LIST: &str = include_str!("../../tests/fixtures/inventory/entra/az-ad-app-list.json");
    const PAGE_1: &str =
        include_str!("../../tests/fixtures/inventory/entra/graph-applications.json");
    const PAGE_2: &str =
        include_str!("../../tests/fixtures/inventory/entra/graph-applications-page2.json");
    const CONCATENATED: &str =
        include_str!("../../tests/fixtures/inventory/entra/graph-applications-concatenated.json");

    fn day(text: &str) -> Date {
        crate::registry::time::parse_date(text).unwrap()
    }

    fn ok(text: &str) -> Inventory {
        read(text, &ReadOptions::default()).unwrap()
    }

    fn err(text: &str) -> InventoryError {
        read(text, &ReadOptions::default()).unwrap_err()
    }

    /// A credential as (name, line, rotated, expires, active).
    fn brief(c: &Credential) -> (&str, u32, Option<Date>, Option<Date>, bool) {
        assert_eq!(c.last_used, None, "Graph records no use");
        (c.name.as_str(), c.at.line, c.rotated, c.expires, c.active)
    }

    #[test]
    fn reads_az_ad_app_list() {
        let inventory = ok(AZ_LIST);
        assert_eq!(inventory.format, Format::EntraApplications);
        assert_eq!(inventory.scopes, [Scope::EntraApplications]);
        // legacy-reporting-portal has neither a secret nor a certificate.
        assert_eq!(inventory.skipped, 1);
        let refs: Vec<_> = inventory
            .records
            .iter()
            .map(|r| (r.reference.as_str(), r.name.as_str(), r.at))
            .collect();
        assert_eq!(
            refs,
            [
                (
                    "63af73dd-5c27-59ca-a5ea-dc74b7738afe",
                    "ci-pipeline-deployer",
                    At { line: 2, col: 3 }
                ),
                (
                    "5f42edaa-3dfa-5849-a795-dd311280489a",
                    "invoice-sync",
                    At { line: 35, col: 3 }
                ),
                (
                    "25273860-e5bf-521c-a136-02d628907f41",
                    "hr-connector",
                    At { line: 74, col: 3 }
                ),
                (
                    "68315a35-15a5-58d7-9f14-cb03ed27cedb",
                    "marketing-webhook",
                    At { line: 109, col: 3 }
                ),
            ]
        );
        let deployer = &inventory.records[0];
        assert_eq!(deployer.kind, IdentityKind::OauthApp);
        assert!(deployer.aliases.is_empty());
        assert_eq!(deployer.created, Some(day("2023-04-12")));
        assert_eq!(
            deployer.description,
            "Entra ID application ci-pipeline-deployer (appId 63af73dd-5c27-59ca-a5ea-dc74b7738afe): \
             Deploys from GitHub Actions"
        );
        assert_eq!(
            (deployer.interactive.as_deref(), deployer.human),
            (None, false)
        );
        assert!(deployer.links.is_empty());
        let secrets: Vec<_> = deployer.credentials.iter().map(brief).collect();
        assert_eq!(
            secrets,
            [
                // 2026-06-08T10:15:42.6139321Z: seven fractional digits.
                (
                    "client secret \"github-actions-2026\" (keyId 4874de3c…)",
                    15,
                    Some(day("2026-06-08")),
                    Some(day("2026-12-05")),
                    true,
                ),
                (
                    "client secret \"github-actions-2025\" (keyId 117f8625…)",
                    24,
                    Some(day("2025-09-30")),
                    Some(day("2026-09-30")),
                    true,
                ),
            ]
        );
        let invoice = &inventory.records[1];
        assert_eq!(invoice.created, Some(day("2022-01-18")));
        assert_eq!(
            invoice.description,
            "Entra ID application invoice-sync (appId 5f42edaa-3dfa-5849-a795-dd311280489a)"
        );
        assert_eq!(
            invoice.credentials.iter().map(brief).collect::<Vec<_>>(),
            [(
                "certificate \"CN=invoice-sync.example.com\" (keyId 3a5b0acc…)",
                47,
                Some(day("2025-11-03")),
                Some(day("2027-11-03")),
                true,
            )]
        );
        // A certificate and a secret without a display name, in file order.
        let hr = &inventory.records[2];
        assert_eq!(
            hr.credentials.iter().map(brief).collect::<Vec<_>>(),
            [
                (
                    "certificate \"CN=hr-connector\" (keyId 3169c0d9…)",
                    86,
                    Some(day("2025-12-01")),
                    Some(day("2026-12-01")),
                    true,
                ),
                (
                    "client secret (keyId bf8e028f…)",
                    98,
                    Some(day("2024-08-14")),
                    Some(day("2025-08-14")),
                    true,
                ),
            ]
        );
        assert_eq!(
            inventory.records[3].credentials[0].expires,
            Some(day("2028-02-29"))
        );
    }

    #[test]
    fn graph_pages_read_like_the_az_list() {
        let az = ok(AZ_LIST);
        let page_1 = ok(PAGE_1);
        let page_2 = ok(PAGE_2);
        assert_eq!((page_1.skipped, page_2.skipped), (1, 0));
        assert_eq!(page_1.scopes, [Scope::EntraApplications]);
        let strip = |records: &[crate::inventory::Record]| {
            records
                .iter()
                .map(|r| {
                    let credentials: Vec<_> = r
                        .credentials
                        .iter()
                        .map(|c| (c.name.clone(), c.rotated, c.expires, c.active))
                        .collect();
                    (
                        r.reference.clone(),
                        r.name.clone(),
                        r.created,
                        r.description.clone(),
                        credentials,
                    )
                })
                .collect::<Vec<_>>()
        };
        let mut pages = strip(&page_1.records);
        pages.extend(strip(&page_2.records));
        assert_eq!(pages, strip(&az.records));
        assert_eq!(page_1.records[0].at, At { line: 5, col: 5 });
        assert_eq!(page_2.records[0].credentials[1].at, At { line: 28, col: 9 });
        // The two pages written one after the other into one file.
        let both = ok(&format!("{PAGE_1}{PAGE_2}"));
        assert_eq!(strip(&both.records), strip(&az.records));
        assert_eq!(both.skipped, 1);
        assert_eq!(both.scopes, [Scope::EntraApplications]);
        assert_eq!(both.records[2].at, At { line: 82, col: 5 });
    }

    #[test]
    fn reads_concatenated_pages_seven_digit_fractions_and_disabled_apps() {
        let inventory = ok(CONCATENATED);
        assert_eq!(inventory.skipped, 1, "erp-legacy-bridge has no credentials");
        let [payroll, mailer] = &inventory.records[..] else {
            panic!("two records expected: {:?}", inventory.records);
        };
        assert_eq!(payroll.reference, "9b1c4e27-6a3d-5f80-b2c1-4d5e6f708192");
        // 2024-04-01T10:58:37.0000000Z
        assert_eq!(payroll.created, Some(day("2024-04-01")));
        assert_eq!(
            payroll.credentials.iter().map(brief).collect::<Vec<_>>(),
            [
                (
                    "certificate \"CN=payroll-export\" (keyId d41f6a2b…)",
                    20,
                    Some(day("2025-04-01")),
                    Some(day("2027-04-01")),
                    true,
                ),
                (
                    "client secret \"bootstrap\" (keyId 7a6b5c4d…)",
                    32,
                    Some(day("2024-04-01")),
                    Some(day("2024-10-01")),
                    true,
                ),
            ]
        );
        assert_eq!(mailer.at, At { line: 65, col: 5 });
        assert_eq!(mailer.created, Some(day("2023-11-20")));
        assert_eq!(
            mailer.description,
            "Entra ID application bulk-mailer (appId e7f8a9b0-c1d2-5e3f-8a4b-5c6d7e8f9a0b) \
             (disabled by Microsoft: DisabledDueToViolationOfServicesAgreement)"
        );
        assert_eq!(
            mailer.credentials.iter().map(brief).collect::<Vec<_>>(),
            [(
                "client secret \"send\" (keyId 0b1c2d3e…)",
                81,
                Some(day("2023-11-20")),
                Some(day("2025-11-20")),
                false,
            )]
        );
    }

    #[test]
    fn absent_values_and_names() {
        let inventory = ok(
            "{\"value\": [{\"appId\": \"00000000-0000-0000-0000-0000000000AB\", \
             \"displayName\": null, \"createdDateTime\": null, \"keyCredentials\": \
             [{\"keyId\": \"k1\", \"displayName\": \"\", \"type\": \"Symmetric\", \
             \"startDateTime\": \"\", \"endDateTime\": null}], \"passwordCredentials\": []}]}",
        );
        let [app] = &inventory.records[..] else {
            panic!("one record expected");
        };
        assert_eq!(app.name, "00000000-0000-0000-0000-0000000000AB");
        assert_eq!(app.created, None);
        assert_eq!(
            app.credentials.iter().map(brief).collect::<Vec<_>>(),
            [("key credential (keyId k1)", 1, None, None, true)]
        );
        let empty = ok("[]");
        assert!(empty.records.is_empty());
        assert_eq!(
            (empty.skipped, &empty.scopes[..]),
            (0, &[Scope::EntraApplications][..])
        );
    }

    #[test]
    fn detects_application_listings_only() {
        for mine in [AZ_LIST, PAGE_1, PAGE_2, CONCATENATED] {
            assert!(looks_like(mine));
        }
        assert!(looks_like(&format!("\u{feff}{PAGE_2}")));
        // An empty tenant's page.
        assert!(looks_like(
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#applications\", \"value\": []}"
        ));
        let others = [
            include_str!("../../tests/fixtures/inventory/gcp/keys-ci-deployer.json"),
            include_str!("../../tests/fixtures/inventory/gcp/keys-reporting.json"),
            include_str!("../../tests/fixtures/inventory/entra/kubernetes-list.json"),
            include_str!("../../tests/fixtures/inventory/entra/graph-error.json"),
            "user,arn,user_creation_time,password_enabled\n<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported\n",
            "ref,kind,created\n63af73dd-5c27-59ca-a5ea-dc74b7738afe,oauth_app,2026-01-01\n",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"metadata\": {\"annotations\": {\"x\": \"{\\\"appId\\\": 1, \\\"passwordCredentials\\\": []}\"}}}]}",
            "{\"value\": []}",
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals\", \"value\": []}",
            "",
        ];
        for other in others {
            assert!(!looks_like(other), "{other}");
        }
    }

    #[test]
    fn contexts_and_guids() {
        for good in [
            "https://graph.microsoft.com/v1.0/$metadata#applications",
            "https://graph.microsoft.com/beta/$metadata#applications",
            "https://graph.microsoft.com/v1.0/$metadata#applications(appId,displayName,passwordCredentials,keyCredentials)",
        ] {
            assert!(lists_applications(good), "{good}");
        }
        for bad in [
            "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
            "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals",
            "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.application",
            "https://graph.microsoft.com/v1.0/$metadata#applications/delta",
            "https://graph.microsoft.com/v1.0/$metadata#applications(appId",
            "",
        ] {
            assert!(!lists_applications(bad), "{bad}");
        }
        assert!(is_guid("63af73dd-5c27-59ca-a5ea-dc74b7738afe"));
        assert!(is_guid("63AF73DD-5C27-59CA-A5EA-DC74B7738AFE"));
        for bad in [
            "",
            "63af73dd5c2759caa5eadc74b7738afe",
            "63af73dd-5c27-59ca-a5ea-dc74b7738af",
            "63af73dd-5c27-59ca-a5ea-dc74b7738afe-",
            "g3af73dd-5c27-59ca-a5ea-dc74b7738afe",
            "{63af73dd-5c27-59ca-a5ea-dc74b7738afe}",
            "63af73dd-5c27-59ca-a5ea-dc74b7738aﬀ",
        ] {
            assert!(!is_guid(bad), "{bad}");
        }
    }

    #[test]
    fn malformed_inputs_are_located_errors() {
        let fixture = |name: &str| match name {
            "truncated" => {
                include_str!("../../tests/fixtures/inventory/entra/malformed-truncated.json")
            }
            "bad-date" => {
                include_str!("../../tests/fixtures/inventory/entra/malformed-bad-date.json")
            }
            "kubernetes" => {
                include_str!("../../tests/fixtures/inventory/entra/kubernetes-list.json")
            }
            "graph-error" => include_str!("../../tests/fixtures/inventory/entra/graph-error.json"),
            "sp-list" => include_str!("../../tests/fixtures/inventory/entra/az-ad-sp-list.json"),
            "legacy" => {
                include_str!("../../tests/fixtures/inventory/entra/az-legacy-aad-graph.json")
            }
            "select" => {
                include_str!("../../tests/fixtures/inventory/entra/graph-application-select.json")
            }
            "show" => include_str!("../../tests/fixtures/inventory/entra/az-ad-app-show.json"),
            "gcp" => include_str!("../../tests/fixtures/inventory/gcp/keys-reporting.json"),
            "shared-truncated" => {
                include_str!("../../tests/fixtures/inventory/malformed/truncated.json")
            }
            _ => unreachable!(),
        };
        let expected = "the applications that Microsoft Graph `GET /applications` \
                        ({\"value\": [...]}) or `az ad app list --all` (a list) writes";
        let cases = [
            ("truncated", 20, 56, "invalid JSON: EOF while parsing an object at line 20 column 56".to_string()),
            ("shared-truncated", 21, 51, "invalid JSON: EOF while parsing a string at line 21 column 51".to_string()),
            (
                "bad-date",
                18,
                24,
                "`endDateTime`: invalid date `2026-09-31T08:00:00Z`: expected a real calendar day \
                 as YYYY-MM-DD (2026-12-10) or an RFC 3339 timestamp (2026-12-10T00:00:00Z)"
                    .to_string(),
            ),
            ("kubernetes", 1, 1, format!("expected {expected}, found a Kubernetes `List`")),
            (
                "graph-error",
                1,
                1,
                format!(
                    "expected {expected}, found a Microsoft Graph error response \
                     (Authorization_RequestDenied: Insufficient privileges to complete the operation.)"
                ),
            ),
            (
                "sp-list",
                2,
                3,
                format!(
                    "expected {expected}, found a service principal (as `GET /servicePrincipals` \
                     or `az ad sp list` writes)"
                ),
            ),
            (
                "legacy",
                13,
                20,
                "`startDate`/`endDate` are Azure AD Graph's, as Azure CLI 2.36 and earlier wrote \
                 them: expected Microsoft Graph's `startDateTime`/`endDateTime` (export again with \
                 `az ad app list --all` from Azure CLI 2.37 or later)"
                    .to_string(),
            ),
            (
                "select",
                4,
                5,
                "application `63af73dd-5c27-59ca-a5ea-dc74b7738afe` has no `keyCredentials`: \
                 expected both `passwordCredentials` and `keyCredentials` (a `$select` must name them)"
                    .to_string(),
            ),
            (
                "show",
                1,
                1,
                format!(
                    "expected {expected}, found one application (as `az ad app show` or \
                     `GET /applications/{{id}}` writes), not a list"
                ),
            ),
            (
                "gcp",
                2,
                3,
                format!(
                    "expected an application (an object with `appId`) of {expected}, found a GCP \
                     service-account key (read it as gcp-keys)"
                ),
            ),
        ];
        for (name, line, col, message) in cases {
            let e = err(fixture(name));
            assert_eq!(
                (e.line, e.col, e.message.as_str()),
                (line, col, message.as_str()),
                "{name}"
            );
        }
    }

    #[test]
    fn shapes_that_are_no_application_listing_are_errors() {
        let app = |fields: &str| {
            format!(
                "[{{\"appId\": \"63af73dd-5c27-59ca-a5ea-dc74b7738afe\", {fields}\"keyCredentials\": [], \"passwordCredentials\": []}}]"
            )
        };
        let cases = [
            ("{\"value\": {}}".to_string(), 1, 11, "`value` is a mapping: expected the list of applications of a Microsoft Graph page"),
            ("{\"value\": [], \"items\": []}".to_string(), 1, 15, "unexpected `items` beside `value`: expected a page of Microsoft Graph `GET /applications`"),
            ("{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals\", \"value\": []}".to_string(), 1, 20, "`@odata.context` is `https://graph.microsoft.com/v1.0/$metadata#servicePrincipals`: expected a page of Microsoft Graph `GET /applications` (…/$metadata#applications)"),
            ("{\"kind\": \"List\"}".to_string(), 1, 1, "expected the applications that Microsoft Graph `GET /applications` ({\"value\": [...]}) or `az ad app list --all` (a list) writes, found a JSON object without `value`"),
            ("[{\"displayName\": \"x\"}]".to_string(), 1, 2, "expected an application (an object with `appId`) of the applications that Microsoft Graph `GET /applications` ({\"value\": [...]}) or `az ad app list --all` (a list) writes, found a JSON object without `value`"),
            ("[\"63af73dd-5c27-59ca-a5ea-dc74b7738afe\"]".to_string(), 1, 2, "expected an application (an object with `appId`) of the applications that Microsoft Graph `GET /applications` ({\"value\": [...]}) or `az ad app list --all` (a list) writes, found a string"),
            ("[{\"appId\": \"ci-deployer\", \"keyCredentials\": [], \"passwordCredentials\": []}]".to_string(), 1, 12, "`appId` `ci-deployer` is not an application id: expected a GUID such as 63af73dd-5c27-59ca-a5ea-dc74b7738afe"),
            ("[{\"appId\": null, \"keyCredentials\": [], \"passwordCredentials\": []}]".to_string(), 1, 12, "`appId` `` is not an application id: expected a GUID such as 63af73dd-5c27-59ca-a5ea-dc74b7738afe"),
            (app("\"deletedDateTime\": \"2026-10-01T00:00:00Z\", "), 1, 71, "application `63af73dd-5c27-59ca-a5ea-dc74b7738afe` is deleted: expected the live applications of `GET /applications`, not deleted items"),
            (app("\"createdDateTime\": 2023, "), 1, 71, "`createdDateTime` is a number: expected an RFC 3339 timestamp such as 2026-12-05T10:15:42Z"),
            (app("\"displayName\": {\"en\": \"x\"}, "), 1, 67, "`displayName` is a mapping: expected a string"),
            ("[{\"appId\": \"63af73dd-5c27-59ca-a5ea-dc74b7738afe\", \"keyCredentials\": null, \"passwordCredentials\": []}]".to_string(), 1, 70, "`keyCredentials` is null: expected a list"),
            ("[{\"appId\": \"63af73dd-5c27-59ca-a5ea-dc74b7738afe\", \"keyCredentials\": [], \"passwordCredentials\": [{\"displayName\": \"x\"}]}]".to_string(), 1, 98, "expected a client secret (an object with `keyId`), found an object without `keyId`"),
            ("[{\"appId\": \"63af73dd-5c27-59ca-a5ea-dc74b7738afe\", \"keyCredentials\": [\"k\"], \"passwordCredentials\": []}]".to_string(), 1, 71, "expected a key credential (an object with `keyId`), found a string"),
            ("[{\"appId\": \"63af73dd-5c27-59ca-a5ea-dc74b7738afe\", \"keyCredentials\": [], \"passwordCredentials\": [{\"keyId\": \"k\", \"startDateTime\": \"2026-01-01T00:00:00\"}]}]".to_string(), 1, 130, "`startDateTime`: invalid date `2026-01-01T00:00:00`: a timestamp needs its offset from UTC: add `Z` (UTC) or one such as `+02:00`"),
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
    fn an_application_listed_twice_is_an_error() {
        let e = err(&format!("{PAGE_2}{PAGE_2}"));
        assert_eq!((e.line, e.col), (71, 16));
        assert_eq!(
            e.message,
            "application `25273860-e5bf-521c-a136-02d628907f41` is listed twice (first at line 4, column 5)"
        );
        let e = err(" \n");
        assert_eq!((e.line, e.col), (0, 0));
        assert_eq!(
            e.message,
            "the file is empty: expected the applications that Microsoft Graph \
             `GET /applications` ({\"value\": [...]}) or `az ad app list --all` (a list) writes"
        );
    }
}
