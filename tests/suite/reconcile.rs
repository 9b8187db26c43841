//! `reconcile` and `import`: the registry against the inventories exported
//! from the systems that issue its credentials (SPEC §2 drift group, §6).
//! Every test runs the binary and asserts what a user sees: exit codes, rule
//! ids, locations, messages and the JSON report's fields.

use crate::common::{NOW, Run, Workspace, repo_root};
use nhi_own::escape::needs_escape;
use serde_json::{Value, json};

const CI_DEPLOY: &str = "arn:aws:iam::123456789012:user/ci/ci-deploy-bot";
const REPORTING_EXPORTER: &str = "arn:aws:iam::123456789012:user/reporting-exporter";
const ALICE: &str = "arn:aws:iam::123456789012:user/people/alice.martin";
const LEGACY_BATCH: &str = "arn:aws:iam::123456789012:user/legacy-batch";
const ONBOARDING: &str = "arn:aws:iam::123456789012:user/onboarding-svc";
const SOAP_SIGNER: &str = "arn:aws:iam::123456789012:user/soap-signer";

const REPORTING_SA: &str = "reporting@example-analytics-prod.iam.gserviceaccount.com";
const CI_DEPLOYER_SA: &str = "ci-deployer@example-analytics-prod.iam.gserviceaccount.com";

/// The Entra applications of `entra/graph-applications.json`.
const CI_PIPELINE_APP: &str = "63af73dd-5c27-59ca-a5ea-dc74b7738afe";
const INVOICE_SYNC_APP: &str = "5f42edaa-3dfa-5849-a795-dd311280489a";
/// Listed, with no credential (so no record).
const LEGACY_PORTAL_APP: &str = "3329e18f-795c-5792-acd0-1ad8ee3af729";

fn gcp_key(account: &str, key: &str) -> String {
    format!("projects/example-analytics-prod/serviceAccounts/{account}/keys/{key}")
}

/// Copies `tests/fixtures/inventory/<rel>` into the workspace as `name`.
fn inventory(ws: &Workspace, rel: &str, name: &str) {
    let path = repo_root().join("tests/fixtures/inventory").join(rel);
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ws.write(name, text);
}

/// One identity entry with owners (`sec` accepts risk, `ops` operates and
/// revokes); `extra` lines are indented four spaces.
fn identity(id: &str, reference: &str, extra: &str) -> String {
    format!(
        "  - id: {id}\n    kind: service_account\n    ref: {reference}\n    \
         owners: {{ policy: sec, technical: ops, revocation: ops }}\n{extra}"
    )
}

fn registry(policy: &str, identities: &[String]) -> String {
    format!(
        "version: 1\n{policy}owners:\n  sec: {{ kind: team, contact: x }}\n  \
         ops: {{ kind: team, contact: y }}\nidentities:\n{}",
        identities.concat()
    )
}

/// `reconcile reg.yaml --now NOW --format json` with `extra`.
fn reconcile(ws: &Workspace, extra: &[&str]) -> Run {
    let mut args = vec!["reconcile", "reg.yaml", "--now", NOW, "--format", "json"];
    args.extend_from_slice(extra);
    let run = ws.run(&args);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}:\n{}{}",
        run.code,
        run.stdout,
        run.stderr
    );
    run
}

/// (file, line, column) of a finding or related location.
fn location(v: &Value) -> (String, u64, u64) {
    (
        v["file"].as_str().unwrap().to_owned(),
        v["line"].as_u64().unwrap(),
        v["column"].as_u64().unwrap(),
    )
}

/// Where `needle` starts in `text`, 1-based (line, column).
fn position(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in\n{text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line as u64, col as u64)
}

/// The `ref`s of findings, in report order.
fn refs(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["ref"].as_str().unwrap())
        .collect()
}

/// The identities of findings, in report order.
fn ids(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["identity"].as_str().unwrap())
        .collect()
}

fn message(f: &Value) -> &str {
    f["message"].as_str().unwrap()
}

// --- unregistered-identity ------------------------------------------------

#[test]
fn unregistered_identity_is_each_unowned_record_at_its_line() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    ws.write(
        "reg.yaml",
        registry("", &[identity("ci-deploy", CI_DEPLOY, "")]),
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let found = run.findings("unregistered-identity");
    // Not the root row, not the person (alice: a console password, no key).
    assert_eq!(
        refs(&found),
        [REPORTING_EXPORTER, LEGACY_BATCH, ONBOARDING, SOAP_SIGNER]
    );
    let lines: Vec<u64> = found.iter().map(|f| location(f).1).collect();
    assert_eq!(lines, [4, 6, 7, 8]);
    for f in &found {
        assert_eq!(f["severity"], "error");
        assert_eq!(f["file"], "aws.csv");
        assert_eq!(f["column"], 1);
        assert_eq!(f["identity"], Value::Null);
        assert_eq!(f["owner"], Value::Null);
        let r = f["ref"].as_str().unwrap();
        assert!(message(f).contains(&format!("`ref: {r}`")), "{f}");
        assert!(message(f).contains("nobody owns it"), "{f}");
    }
    assert!(
        message(&found[0]).starts_with(
            "IAM user reporting-exporter in account 123456789012, with 1 active credential"
        ),
        "{}",
        found[0]
    );
    assert_eq!(
        run.json()["summary"]["inventory"],
        json!({"records": 7, "matched": 1, "people": 1, "ignored": 0, "skipped": 1})
    );

    // `--include-humans` lists the person too.
    let run = reconcile(&ws, &["--inventory", "aws.csv", "--include-humans"]);
    let found = run.findings("unregistered-identity");
    assert_eq!(
        refs(&found),
        [
            REPORTING_EXPORTER,
            ALICE,
            LEGACY_BATCH,
            ONBOARDING,
            SOAP_SIGNER
        ]
    );
    assert_eq!(location(&found[1]), ("aws.csv".to_owned(), 5, 1));
    assert_eq!(run.json()["summary"]["inventory"]["people"], 0);

    // The table's summary counts what was skipped.
    let table = ws.run(&[
        "reconcile",
        "reg.yaml",
        "--inventory",
        "aws.csv",
        "--now",
        NOW,
        "--color",
        "never",
    ]);
    assert_eq!(table.code, 1);
    assert!(
        table
            .stdout
            .contains("in 1 identity and 7 inventory records (2 skipped: 1 person, 1 by design;"),
        "{}",
        table.stdout
    );
}

#[test]
fn ignore_refs_globs_skip_records_star_within_a_segment_double_star_across() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    let unrelated = identity("vault-token", "vault:kv/ci/token", "");
    // `*` stops at `/`: the nested `ci/ci-deploy-bot` is still reported.
    ws.write(
        "reg.yaml",
        registry(
            "policy:\n  ignore_refs: [\"arn:aws:iam::*:user/*\"]\n",
            std::slice::from_ref(&unrelated),
        ),
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    assert_eq!(refs(&run.findings("unregistered-identity")), [CI_DEPLOY]);
    assert_eq!(
        run.json()["summary"]["inventory"],
        json!({"records": 7, "matched": 0, "people": 1, "ignored": 4, "skipped": 1})
    );
    // `**` crosses segments; people are still counted as people.
    ws.write(
        "reg.yaml",
        registry(
            "policy:\n  ignore_refs: [\"arn:aws:iam::123456789012:user/**\"]\n",
            std::slice::from_ref(&unrelated),
        ),
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.findings("unregistered-identity").is_empty());
    assert_eq!(run.json()["summary"]["inventory"]["ignored"], 5);
    assert_eq!(run.json()["summary"]["inventory"]["people"], 1);
    // With --include-humans, the person is a record like any other, and
    // the glob skips it too.
    let run = reconcile(&ws, &["--inventory", "aws.csv", "--include-humans"]);
    assert!(run.findings("unregistered-identity").is_empty());
    assert_eq!(run.json()["summary"]["inventory"]["ignored"], 6);
    // A glob for another account skips nothing here.
    ws.write(
        "reg.yaml",
        registry(
            "policy:\n  ignore_refs: [\"arn:aws:iam::999999999999:**\"]\n",
            std::slice::from_ref(&unrelated),
        ),
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    assert_eq!(run.findings("unregistered-identity").len(), 5);
    // A registered identity is judged even when a glob names its ref.
    ws.write(
        "reg.yaml",
        registry(
            "policy:\n  ignore_refs: [\"arn:aws:iam::*:user/**\"]\n",
            &[identity("legacy", LEGACY_BATCH, "")],
        ),
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    assert_eq!(ids(&run.findings("interactive-login")), ["legacy"]);
    assert_eq!(run.json()["summary"]["inventory"]["matched"], 1);
}

// --- absent-from-inventory ------------------------------------------------

#[test]
fn absent_from_inventory_in_a_covered_aws_account_only() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    let yaml = registry(
        "",
        &[
            identity("ci-deploy", CI_DEPLOY, ""),
            identity("ghost", "arn:aws:iam::123456789012:user/ghost", ""),
            identity("elsewhere", "arn:aws:iam::999999999999:user/ghost", ""),
            identity(
                "old",
                "arn:aws:iam::123456789012:user/old",
                "    status: retired\n    revoked: 2026-01-01\n",
            ),
            "  - id: no-ref\n    kind: token\n".to_owned(),
        ],
    );
    ws.write("reg.yaml", &yaml);
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    let absent = run.findings("absent-from-inventory");
    assert_eq!(ids(&absent), ["ghost"]);
    let f = &absent[0];
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["ref"], "arn:aws:iam::123456789012:user/ghost");
    // At the identity's `ref`, with the inventory that covers it.
    let (line, col) = position(&yaml, "arn:aws:iam::123456789012:user/ghost");
    assert_eq!(location(f), ("reg.yaml".to_owned(), line, col));
    assert_eq!(location(&f["related"][0]), ("aws.csv".to_owned(), 1, 1));
    assert!(message(f).contains("AWS account 123456789012"), "{f}");
    assert!(message(f).contains("aws.csv"), "{f}");
    assert_eq!(f["route"], "ops");
}

/// `kubectl get serviceaccounts -A -o yaml` of two namespaces: `quiet` has
/// only its `default` account, `busy` one more.
const TWO_NAMESPACES: &str = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: default
    namespace: quiet
    creationTimestamp: \"2024-01-01T00:00:00Z\"
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: default
    namespace: busy
    creationTimestamp: \"2024-01-01T00:00:00Z\"
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: worker
    namespace: busy
    creationTimestamp: \"2024-01-01T00:00:00Z\"
";

#[test]
fn absent_from_inventory_in_a_listed_kubernetes_namespace() {
    let ws = Workspace::new();
    ws.write("k8s.yaml", TWO_NAMESPACES);
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                identity("busy-worker", "system:serviceaccount:busy:worker", ""),
                identity("busy-gone", "system:serviceaccount:busy:gone", ""),
                // `quiet` is listed only through its skipped `default` account.
                identity("quiet-gone", "system:serviceaccount:quiet:gone", ""),
                identity("elsewhere", "system:serviceaccount:elsewhere:x", ""),
            ],
        ),
    );
    let run = reconcile(&ws, &["--inventory", "k8s.yaml"]);
    let absent = run.findings("absent-from-inventory");
    assert_eq!(ids(&absent), ["busy-gone", "quiet-gone"]);
    assert!(
        message(&absent[1]).contains("Kubernetes namespace quiet"),
        "{}",
        absent[1]
    );
    assert!(run.findings("unregistered-identity").is_empty());
    assert_eq!(
        run.json()["summary"]["inventory"],
        json!({"records": 3, "matched": 1, "people": 0, "ignored": 0, "skipped": 2})
    );
}

#[test]
fn a_registered_default_account_is_not_absent_when_it_is_listed() {
    // The listing shows `ci/default` (skipped without --include-default, as
    // noise): an identity that names it is in the inventory, not absent.
    let ws = Workspace::new();
    inventory(&ws, "kubernetes/serviceaccounts-secrets.yaml", "k8s.yaml");
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                identity("ci-default", "system:serviceaccount:ci:default", ""),
                identity("ci-gone", "system:serviceaccount:ci:gone", ""),
            ],
        ),
    );
    let run = reconcile(&ws, &["--inventory", "k8s.yaml"]);
    assert_eq!(ids(&run.findings("absent-from-inventory")), ["ci-gone"]);
    // With --include-default it is a record, and matched.
    let run = reconcile(&ws, &["--inventory", "k8s.yaml", "--include-default"]);
    assert_eq!(ids(&run.findings("absent-from-inventory")), ["ci-gone"]);
    let unregistered = run.findings("unregistered-identity");
    assert!(
        !refs(&unregistered).contains(&"system:serviceaccount:ci:default"),
        "{unregistered:?}"
    );
    assert!(refs(&unregistered).contains(&"system:serviceaccount:payments:default"));
}

/// A listing of an account whose only key is Google's own.
const SYSTEM_KEYS_ONLY: &str = r#"[
  {
    "keyAlgorithm": "KEY_ALG_RSA_2048",
    "keyOrigin": "GOOGLE_PROVIDED",
    "keyType": "SYSTEM_MANAGED",
    "name": "projects/example-analytics-prod/serviceAccounts/sysonly@example-analytics-prod.iam.gserviceaccount.com/keys/0011223344556677",
    "validAfterTime": "2026-11-14T03:07:51Z",
    "validBeforeTime": "2026-11-30T03:07:51Z"
  }
]
"#;

#[test]
fn absent_from_inventory_per_gcp_service_account() {
    let ws = Workspace::new();
    inventory(&ws, "gcp/keys-ci-deployer.json", "ci-keys.json");
    ws.write("sys-keys.json", SYSTEM_KEYS_ONLY);
    let sysonly = "sysonly@example-analytics-prod.iam.gserviceaccount.com";
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                identity(
                    "ci-key",
                    &gcp_key(CI_DEPLOYER_SA, "1a0664b165bff2a76212895e2711f9bf6f97a95a"),
                    "",
                ),
                identity("ci-deleted-key", &gcp_key(CI_DEPLOYER_SA, "deadbeef"), ""),
                // Same project, an account whose keys were not listed.
                identity("reporting", REPORTING_SA, ""),
                // Listed, with no user-managed key: the account exists.
                identity("sysonly", sysonly, ""),
                identity("sysonly-deleted-key", &gcp_key(sysonly, "cafe"), ""),
            ],
        ),
    );
    let run = reconcile(
        &ws,
        &[
            "--inventory",
            "ci-keys.json",
            "--inventory",
            "sys-keys.json",
        ],
    );
    let absent = run.findings("absent-from-inventory");
    assert_eq!(ids(&absent), ["ci-deleted-key", "sysonly-deleted-key"]);
    assert!(
        message(&absent[0]).contains(&format!("the keys of GCP service account {CI_DEPLOYER_SA}")),
        "{}",
        absent[0]
    );
    assert_eq!(location(&absent[0]["related"][0]).0, "ci-keys.json");
    assert_eq!(location(&absent[1]["related"][0]).0, "sys-keys.json");
    // The disabled key is unowned; the system-managed ones are skipped.
    assert_eq!(
        refs(&run.findings("unregistered-identity")),
        [gcp_key(
            CI_DEPLOYER_SA,
            "70d468e69ac341f3bfb159afc8f246d1491ebc6c"
        )]
    );
    assert_eq!(
        run.json()["summary"]["inventory"],
        json!({"records": 4, "matched": 1, "people": 0, "ignored": 0, "skipped": 2})
    );
}

#[test]
fn absent_from_inventory_among_entra_application_ids() {
    let ws = Workspace::new();
    inventory(&ws, "entra/graph-applications.json", "entra.json");
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                identity("ci-pipeline", CI_PIPELINE_APP, ""),
                // Listed, with no credential.
                identity("legacy-portal", LEGACY_PORTAL_APP, ""),
                identity("deleted-app", "0a1b2c3d-0000-4000-8000-00000000abcd", ""),
                identity("not-an-app", "vault:kv/ci/token", ""),
            ],
        ),
    );
    let run = reconcile(&ws, &["--inventory", "entra.json"]);
    let absent = run.findings("absent-from-inventory");
    assert_eq!(ids(&absent), ["deleted-app"]);
    assert!(
        message(&absent[0]).contains("the Entra ID applications"),
        "{}",
        absent[0]
    );
    assert_eq!(
        refs(&run.findings("unregistered-identity")),
        [INVOICE_SYNC_APP]
    );
    // Entra records no use of credentials.
    assert!(run.findings("unused-credential").is_empty());
}

// --- rotation-drift -------------------------------------------------------

#[test]
fn rotation_drift_when_the_registry_claims_a_later_rotation() {
    // ci-deploy-bot's active keys were rotated 2026-09-15 and 2026-11-02.
    for (claimed, fires) in [
        ("2026-11-10", true),
        ("2026-11-03", true),
        ("2026-11-02", false),
        ("2026-11-02T23:59:00Z", false),
        ("2026-10-01", false),
    ] {
        let ws = Workspace::new();
        inventory(&ws, "aws/credential-report.csv", "aws.csv");
        let yaml = registry(
            "",
            &[identity(
                "ci-deploy",
                CI_DEPLOY,
                &format!("    rotation: {{ last_rotated: {claimed} }}\n"),
            )],
        );
        ws.write("reg.yaml", &yaml);
        let run = reconcile(&ws, &["--inventory", "aws.csv"]);
        let drift = run.findings("rotation-drift");
        if !fires {
            assert!(drift.is_empty(), "{claimed}: {drift:?}");
            continue;
        }
        assert_eq!(drift.len(), 1, "{claimed}: {drift:?}");
        let f = &drift[0];
        assert_eq!(f["severity"], "error");
        assert_eq!(f["identity"], "ci-deploy");
        assert_eq!(f["ref"], CI_DEPLOY);
        assert_eq!(location(f), ("aws.csv".to_owned(), 3, 1));
        assert!(message(f).contains(claimed), "{f}");
        assert!(message(f).contains("2026-11-02"), "{f}");
        let (line, col) = position(&yaml, claimed);
        assert_eq!(
            location(&f["related"][0]),
            ("reg.yaml".to_owned(), line, col)
        );
        assert_eq!(run.code, 1);
    }
}

#[test]
fn rotation_drift_reads_each_inventorys_rotations() {
    let ws = Workspace::new();
    inventory(&ws, "kubernetes/serviceaccounts-secrets.yaml", "k8s.yaml");
    inventory(&ws, "entra/graph-applications.json", "entra.json");
    inventory(&ws, "csv/generic.csv", "other.csv");
    let rotated = |day: &str| format!("    rotation: {{ last_rotated: {day} }}\n");
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                // Its token Secret was created 2022-03-08.
                identity(
                    "deploy-bot",
                    "system:serviceaccount:ci:deploy-bot",
                    &rotated("2026-01-01"),
                ),
                // No token Secret: the account's creation is no rotation.
                identity(
                    "report-builder",
                    "system:serviceaccount:default:report-builder",
                    &rotated("2026-01-01"),
                ),
                // Newest client secret from 2026-06-08.
                identity("ci-pipeline", CI_PIPELINE_APP, &rotated("2026-07-01")),
                identity("invoice-sync", INVOICE_SYNC_APP, &rotated("2025-11-03")),
                // The CSV's `last_rotated` is 2026-09-01.
                identity(
                    "github-token",
                    "vault:kv/ci/github-token",
                    &rotated("2026-10-01"),
                ),
            ],
        ),
    );
    let run = reconcile(
        &ws,
        &[
            "--inventory",
            "k8s.yaml",
            "--inventory",
            "entra.json",
            "--inventory",
            "other.csv",
        ],
    );
    let drift = run.findings("rotation-drift");
    assert_eq!(ids(&drift), ["ci-pipeline", "deploy-bot", "github-token"]);
    let by = |id: &str| drift.iter().find(|f| f["identity"] == id).unwrap();
    let f = by("deploy-bot");
    assert_eq!(f["file"], "k8s.yaml");
    assert!(message(f).contains("2022-03-08"), "{f}");
    assert!(
        message(f).contains("token Secret deploy-bot-token-x7k2p"),
        "{f}"
    );
    let f = by("ci-pipeline");
    assert_eq!(f["file"], "entra.json");
    assert!(
        message(f).contains("2026-07-01") && message(f).contains("2026-06-08"),
        "{f}"
    );
    assert!(message(f).contains("github-actions-2026"), "{f}");
    let f = by("github-token");
    assert_eq!(location(f), ("other.csv".to_owned(), 2, 1));
    assert!(message(f).contains("2026-09-01"), "{f}");
}

#[test]
fn rotation_drift_of_a_gcp_account_compares_its_newest_key() {
    // reporting@ has keys from 2024-10-31, 2025-12-10 and 2026-08-03: a
    // rotation on 2026-08-03 happened, whatever the older keys say.
    let ws = Workspace::new();
    inventory(&ws, "gcp/keys-reporting.json", "keys.json");
    let run_with = |claimed: &str| {
        ws.write(
            "reg.yaml",
            registry(
                "",
                &[identity(
                    "reporting",
                    REPORTING_SA,
                    &format!("    rotation: {{ last_rotated: {claimed} }}\n"),
                )],
            ),
        );
        reconcile(&ws, &["--inventory", "keys.json"])
    };
    let run = run_with("2026-08-03");
    assert!(
        run.findings("rotation-drift").is_empty(),
        "{:?}",
        run.findings("rotation-drift")
    );
    let run = run_with("2026-09-01");
    let drift = run.findings("rotation-drift");
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert!(message(&drift[0]).contains("2026-08-03"), "{}", drift[0]);
    assert!(message(&drift[0]).contains("b514e864"), "{}", drift[0]);
    assert_eq!(location(&drift[0]).0, "keys.json");
}

// --- unused-credential ----------------------------------------------------

#[test]
fn unused_credential_after_policy_unused_after() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    let identities = [
        // Key 1 used yesterday; key 2 (N/A) rotated 20 days ago.
        identity("ci-deploy", CI_DEPLOY, ""),
        // Last used 2026-05-02.
        identity("legacy", LEGACY_BATCH, ""),
        // An active key (N/A: never used) since 2025-06-30.
        identity("reporting", REPORTING_EXPORTER, ""),
    ];
    ws.write("reg.yaml", registry("", &identities));
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    let unused = run.findings("unused-credential");
    assert_eq!(ids(&unused), ["reporting", "legacy"]);
    assert_eq!(location(&unused[0]), ("aws.csv".to_owned(), 4, 1));
    assert_eq!(
        message(&unused[0]),
        "access key 1 never used since 2025-06-30, 510 days ago; unused after 90d"
    );
    assert_eq!(
        message(&unused[1]),
        "access key 1 last used 2026-05-02, 204 days ago; unused after 90d"
    );
    assert!(unused.iter().all(|f| f["severity"] == "warning"));

    ws.write(
        "reg.yaml",
        registry("policy:\n  unused_after: 365d\n", &identities),
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    assert_eq!(ids(&run.findings("unused-credential")), ["reporting"]);
    ws.write(
        "reg.yaml",
        registry("policy:\n  unused_after: 75w\n", &identities),
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    assert!(run.findings("unused-credential").is_empty());
}

#[test]
fn unused_credential_of_kubernetes_legacy_tokens() {
    let ws = Workspace::new();
    inventory(&ws, "kubernetes/serviceaccounts-secrets.yaml", "k8s.yaml");
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                // Token last used 2026-05-14.
                identity("deploy-bot", "system:serviceaccount:ci:deploy-bot", ""),
                // Token without the last-used label: never used.
                identity("ledger", "system:serviceaccount:payments:ledger-sync", ""),
                // Its only token is invalidated: judged by nothing.
                identity("etl", "system:serviceaccount:analytics:etl-runner", ""),
                // No token Secret: no use recorded.
                identity("api", "system:serviceaccount:payments:payments-api", ""),
            ],
        ),
    );
    let run = reconcile(&ws, &["--inventory", "k8s.yaml"]);
    let unused = run.findings("unused-credential");
    assert_eq!(ids(&unused), ["deploy-bot", "ledger"]);
    assert!(
        message(&unused[0]).contains("last used 2026-05-14"),
        "{}",
        unused[0]
    );
    assert!(
        message(&unused[1]).contains("never used since 2024-09-30"),
        "{}",
        unused[1]
    );
}

// --- interactive-login ----------------------------------------------------

#[test]
fn interactive_login_on_registered_iam_users_with_a_console_password() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                identity("ci-deploy", CI_DEPLOY, ""),
                identity("legacy", LEGACY_BATCH, ""),
                identity("onboarding", ONBOARDING, ""),
                // A person registered as an identity is matched, and judged.
                identity("alice", ALICE, ""),
                identity("signer", SOAP_SIGNER, ""),
            ],
        ),
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    let logins = run.findings("interactive-login");
    assert_eq!(ids(&logins), ["alice", "legacy", "onboarding"]);
    assert_eq!(location(&logins[1]), ("aws.csv".to_owned(), 6, 1));
    assert_eq!(
        message(&logins[1]),
        "console password enabled, last used 2026-06-11: a person can sign in as this \
         non-human identity"
    );
    assert!(message(&logins[2]).starts_with("console password enabled, never used"));
    assert!(logins.iter().all(|f| f["severity"] == "warning"));
    assert_eq!(run.json()["summary"]["inventory"]["people"], 0);
    assert_eq!(run.json()["summary"]["inventory"]["matched"], 5);
}

// --- inventory-expiry -----------------------------------------------------

#[test]
fn inventory_expiry_error_when_passed_warning_within_warn_within() {
    let ws = Workspace::new();
    inventory(&ws, "entra/graph-applications.json", "entra.json");
    let identities = [
        // Secrets ending 2026-12-05 and 2026-09-30.
        identity("ci-pipeline", CI_PIPELINE_APP, ""),
        // A certificate ending 2027-11-03.
        identity("invoice-sync", INVOICE_SYNC_APP, ""),
    ];
    ws.write("reg.yaml", registry("", &identities));
    let run = reconcile(&ws, &["--inventory", "entra.json"]);
    let expiry = run.findings("inventory-expiry");
    let summary: Vec<(&str, &str, u64)> = expiry
        .iter()
        .map(|f| {
            (
                f["identity"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("ci-pipeline", "warning", 18), ("ci-pipeline", "error", 27)]
    );
    assert_eq!(
        message(&expiry[0]),
        "client secret \"github-actions-2026\" (keyId 4874de3c…) expires 2026-12-05, in 13 days; \
         warning window 30d"
    );
    assert_eq!(
        message(&expiry[1]),
        "client secret \"github-actions-2025\" (keyId 117f8625…) expired 2026-09-30, 53 days ago"
    );
    assert_eq!(run.code, 1);
    // A shorter window leaves the secret of 2026-12-05 alone.
    ws.write(
        "reg.yaml",
        registry("policy:\n  warn_within: 7d\n", &identities),
    );
    let run = reconcile(&ws, &["--inventory", "entra.json"]);
    let expiry = run.findings("inventory-expiry");
    assert_eq!(expiry.len(), 1);
    assert_eq!(expiry[0]["severity"], "error");
    // The registry's own `expires` changes nothing.
    ws.write(
        "reg.yaml",
        registry(
            "policy:\n  warn_within: 7d\n",
            &[identity(
                "ci-pipeline",
                CI_PIPELINE_APP,
                "    expires: 2030-01-01\n",
            )],
        ),
    );
    let run = reconcile(&ws, &["--inventory", "entra.json"]);
    assert_eq!(run.findings("inventory-expiry").len(), 1);
}

#[test]
fn inventory_expiry_of_gcp_keys() {
    // reporting@: a key ending 2026-12-10, one that ended 2026-10-31, one
    // without expiry (9999).
    let ws = Workspace::new();
    inventory(&ws, "gcp/keys-reporting.json", "keys.json");
    ws.write(
        "reg.yaml",
        registry("", &[identity("reporting", REPORTING_SA, "")]),
    );
    let run = reconcile(&ws, &["--inventory", "keys.json"]);
    let expiry = run.findings("inventory-expiry");
    let seen: Vec<(&str, u64)> = expiry
        .iter()
        .map(|f| (f["severity"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(seen, [("warning", 2), ("error", 18)]);
    // One identity matched by all three keys.
    assert_eq!(run.json()["summary"]["inventory"]["matched"], 3);
    assert!(run.findings("unregistered-identity").is_empty());
    assert!(run.findings("unused-credential").is_empty());
}

// --- exceptions -----------------------------------------------------------

#[test]
fn drift_exceptions_suppress_and_are_judged_by_reconcile_only() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    let yaml = registry(
        "",
        &[identity(
            "ci-deploy",
            CI_DEPLOY,
            "    rotation: { last_rotated: 2026-11-10 }
    last_reviewed: 2026-11-01
    escalation: \"#ops\"
    exceptions:
      - rule: rotation-drift
        reason: rotated out of band, report lags
        approved_by: sec
        expires: 2026-12-31
        ticket: OPS-1
      - rule: interactive-login
        reason: break-glass console access
        approved_by: sec
        expires: 2026-12-31
",
        )],
    );
    ws.write("reg.yaml", &yaml);
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    assert!(run.findings("rotation-drift").is_empty());
    let suppressed = run.suppressed("rotation-drift");
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["identity"], "ci-deploy");
    assert_eq!(
        suppressed[0]["exception"],
        json!({
            "reason": "rotated out of band, report lags",
            "approved_by": "sec",
            "expires": "2026-12-31",
            "ticket": "OPS-1"
        })
    );
    assert_eq!(run.json()["summary"]["suppressed"], 1);
    // The interactive-login exception suppresses nothing here.
    let unused = run.findings("unused-exception");
    assert_eq!(ids(&unused), ["ci-deploy"]);
    assert_eq!(unused[0]["severity"], "warning");
    let (line, _) = position(&yaml, "- rule: interactive-login");
    assert_eq!(unused[0]["file"], "reg.yaml");
    assert_eq!(unused[0]["line"], line);
    assert!(
        message(&unused[0]).contains("interactive-login"),
        "{}",
        unused[0]
    );

    // `audit` runs no drift rule, so it judges no drift exception.
    let audit = ws.run(&[
        "audit",
        "reg.yaml",
        "--now",
        NOW,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert!(
        audit.findings("unused-exception").is_empty(),
        "{:?}",
        audit.findings("unused-exception")
    );
    assert!(
        audit.rules().iter().all(|r| r != "rotation-drift"),
        "{:?}",
        audit.rules()
    );
}

// --- several inventories and refs ----------------------------------------

#[test]
fn two_aws_accounts_from_two_reports() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "prod.csv");
    inventory(
        &ws,
        "aws/credential-report-second-account.csv",
        "second.csv",
    );
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                identity("ci-deploy", CI_DEPLOY, ""),
                identity(
                    "second-ci",
                    "arn:aws:iam::210987654321:user/ci/ci-deploy-bot",
                    "",
                ),
                identity("second-gone", "arn:aws:iam::210987654321:user/gone", ""),
                identity("prod-gone", "arn:aws:iam::123456789012:user/gone", ""),
            ],
        ),
    );
    let run = reconcile(
        &ws,
        &["--inventory", "prod.csv", "--inventory", "second.csv"],
    );
    let absent = run.findings("absent-from-inventory");
    assert_eq!(ids(&absent), ["second-gone", "prod-gone"]);
    assert_eq!(location(&absent[0]["related"][0]).0, "second.csv");
    assert!(
        message(&absent[0]).contains("AWS account 210987654321"),
        "{}",
        absent[0]
    );
    assert_eq!(location(&absent[1]["related"][0]).0, "prod.csv");
    let unregistered = run.findings("unregistered-identity");
    let second: Vec<(String, u64, u64)> = unregistered
        .iter()
        .filter(|f| f["file"] == "second.csv")
        .map(location)
        .collect();
    assert_eq!(second, [("second.csv".to_owned(), 4, 1)]);
    assert!(
        refs(&unregistered).contains(&"arn:aws:iam::210987654321:user/metrics-pusher"),
        "{unregistered:?}"
    );
    assert_eq!(
        run.json()["summary"]["inventory"],
        json!({"records": 10, "matched": 2, "people": 1, "ignored": 0, "skipped": 2})
    );
}

#[test]
fn gcp_email_ref_matches_every_key_and_a_key_name_one() {
    let ws = Workspace::new();
    inventory(&ws, "gcp/keys-reporting.json", "reporting.json");
    inventory(&ws, "gcp/keys-ci-deployer.json", "ci.json");
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[
                identity("reporting", REPORTING_SA, ""),
                identity(
                    "ci-key",
                    &gcp_key(CI_DEPLOYER_SA, "1a0664b165bff2a76212895e2711f9bf6f97a95a"),
                    "",
                ),
            ],
        ),
    );
    let run = reconcile(
        &ws,
        &["--inventory", "reporting.json", "--inventory", "ci.json"],
    );
    // Every reporting@ key is owned; of ci-deployer@'s, only the named one.
    assert_eq!(
        refs(&run.findings("unregistered-identity")),
        [gcp_key(
            CI_DEPLOYER_SA,
            "70d468e69ac341f3bfb159afc8f246d1491ebc6c"
        )]
    );
    assert!(run.findings("absent-from-inventory").is_empty());
    let inventory = &run.json()["summary"]["inventory"];
    assert_eq!(inventory["matched"], 4);
    // 5 user-managed keys, and ci-deployer@'s system-managed one.
    assert_eq!(inventory["records"], 6);
    assert_eq!(inventory["skipped"], 1);
    // Findings on the account's keys carry its ref and are located at each key.
    let expiry = run.findings("inventory-expiry");
    assert_eq!(ids(&expiry), ["reporting", "reporting"]);
    assert!(expiry.iter().all(|f| f["ref"] == REPORTING_SA));
    assert!(expiry.iter().all(|f| f["file"] == "reporting.json"));
}

/// Every fingerprint of a report once: what a baseline or SARIF matches on.
fn assert_fingerprints_unique(run: &Run) {
    let json = run.json();
    let mut seen = std::collections::HashSet::new();
    for f in json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["suppressed"].as_array().unwrap())
    {
        assert!(
            seen.insert(f["fingerprint"].as_str().unwrap().to_owned()),
            "two findings share a fingerprint: {f}"
        );
    }
}

#[test]
fn the_same_ref_in_two_inventories_is_two_findings() {
    // Two clusters have the same namespaces and accounts: a ref names no
    // cluster, so each listing reports its own.
    let ws = Workspace::new();
    inventory(
        &ws,
        "kubernetes/serviceaccounts-secrets.yaml",
        "cluster-a.yaml",
    );
    inventory(
        &ws,
        "kubernetes/serviceaccounts-secrets.yaml",
        "cluster-b.yaml",
    );
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[identity(
                "ledger",
                "system:serviceaccount:payments:ledger-sync",
                "",
            )],
        ),
    );
    let run = reconcile(
        &ws,
        &[
            "--inventory",
            "cluster-a.yaml",
            "--inventory",
            "cluster-b.yaml",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_fingerprints_unique(&run);
    let coredns: Vec<String> = run
        .findings("unregistered-identity")
        .iter()
        .filter(|f| f["ref"] == "system:serviceaccount:kube-system:coredns")
        .map(|f| location(f).0)
        .collect();
    assert_eq!(coredns, ["cluster-a.yaml", "cluster-b.yaml"]);
    let unused: Vec<String> = run
        .findings("unused-credential")
        .iter()
        .map(|f| location(f).0)
        .collect();
    assert_eq!(unused, ["cluster-a.yaml", "cluster-b.yaml"]);

    // A generic CSV lists one row per credential: two rows may share a ref.
    ws.write(
        "other.csv",
        "ref,last_used\nvault:kv/shared,2025-01-01\nvault:kv/shared,2025-02-01\n",
    );
    let run = reconcile(&ws, &["--inventory", "other.csv"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_fingerprints_unique(&run);
    let lines: Vec<u64> = run
        .findings("unregistered-identity")
        .iter()
        .map(|f| location(f).1)
        .collect();
    assert_eq!(lines, [2, 3]);
    ws.write(
        "reg.yaml",
        registry("", &[identity("shared", "vault:kv/shared", "")]),
    );
    let run = reconcile(&ws, &["--inventory", "other.csv"]);
    assert_fingerprints_unique(&run);
    assert_eq!(run.findings("unused-credential").len(), 2);
}

// --- JSON shape -----------------------------------------------------------

#[test]
fn json_shape_of_record_and_identity_findings() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    ws.write(
        "reg.yaml",
        "version: 1
owners:
  sec: { kind: team, contact: x }
  ops: { kind: team, contact: y }
identities:
  - id: legacy
    kind: service_account
    ref: arn:aws:iam::123456789012:user/legacy-batch
    owners: { policy: sec, technical: ops }
  - id: nobody-operates
    kind: service_account
    ref: arn:aws:iam::123456789012:user/onboarding-svc
    owners: { policy: sec }
",
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv"]);
    let json = run.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["now"], NOW);
    assert_eq!(json["summary"]["identities"], 2);
    let record = &run.findings("unregistered-identity")[0];
    assert_eq!(record["identity"], Value::Null);
    assert_eq!(record["owner"], Value::Null);
    assert_eq!(record["ref"], CI_DEPLOY);
    assert!(record["fingerprint"].is_string());
    assert!(record.get("route").is_none_or(Value::is_null), "{record}");
    assert!(record.get("owners").is_none_or(Value::is_null), "{record}");
    let drift = &run.findings("unused-credential")[0];
    assert_eq!(drift["identity"], "legacy");
    assert_eq!(drift["ref"], LEGACY_BATCH);
    assert_eq!(
        drift["owners"],
        json!({"policy": "sec", "technical": "ops", "revocation": null})
    );
    // The technical owner acts on drift.
    assert_eq!(drift["route"], "ops");
    let orphan = &run.findings("interactive-login");
    let orphan = orphan
        .iter()
        .find(|f| f["identity"] == "nobody-operates")
        .unwrap();
    assert_eq!(orphan["route"], Value::Null);
    assert_eq!(orphan["ref"], ONBOARDING);
    // Reconcile reports drift only: no ownership finding.
    assert!(run.findings("missing-owner").is_empty());
}

#[test]
fn exit_codes_follow_fail_on_in_every_format() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    // Warnings only: interactive-login and unused-credential.
    ws.write(
        "reg.yaml",
        registry(
            "policy:\n  ignore_refs: [\"**\"]\n",
            &[identity("legacy", LEGACY_BATCH, "")],
        ),
    );
    for format in ["table", "json", "sarif", "github", "junit", "gitlab"] {
        let args = |fail_on: &str| {
            ws.run(&[
                "reconcile",
                "reg.yaml",
                "--inventory",
                "aws.csv",
                "--now",
                NOW,
                "--format",
                format,
                "--fail-on",
                fail_on,
            ])
        };
        assert_eq!(args("error").code, 0, "{format}");
        assert_eq!(args("warning").code, 1, "{format}");
        assert_eq!(args("never").code, 0, "{format}");
    }
    // An error (rotation-drift) fails by default, not with `never`.
    ws.write(
        "reg.yaml",
        registry(
            "policy:\n  ignore_refs: [\"**\"]\n",
            &[identity(
                "ci-deploy",
                CI_DEPLOY,
                "    rotation: { last_rotated: 2026-11-20 }\n",
            )],
        ),
    );
    let run = ws.run(&[
        "reconcile",
        "reg.yaml",
        "--inventory",
        "aws.csv",
        "--now",
        NOW,
        "--format",
        "sarif",
    ]);
    assert_eq!(run.code, 1);
    let sarif = run.json();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "rotation-drift");
    assert_eq!(
        result["locations"][0]["physicalLocation"],
        json!({"artifactLocation": {"uri": "aws.csv"}, "region": {"startLine": 3, "startColumn": 1}})
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "reg.yaml"
    );
    let run = reconcile(&ws, &["--inventory", "aws.csv", "--fail-on", "never"]);
    assert_eq!(run.code, 0);
}

// --- malformed inventories ------------------------------------------------

/// An inventory that does not read, and where and what `reconcile` says.
struct Malformed {
    fixture: &'static str,
    /// `--inventory-format`, when forced.
    format: Option<&'static str>,
    line: u64,
    col: u64,
    expected: &'static str,
}

#[test]
fn malformed_inventories_exit_2_at_file_line_column() {
    let cases = [
        Malformed {
            fixture: "malformed/truncated.csv",
            format: None,
            line: 4,
            col: 1,
            expected: "this record has 11 fields, the header has 22",
        },
        Malformed {
            fixture: "malformed/wrong-header.csv",
            format: None,
            line: 1,
            col: 1,
            expected: "not an inventory nhi-own reads",
        },
        Malformed {
            fixture: "malformed/wrong-header.csv",
            format: Some("aws-credential-report"),
            line: 1,
            col: 1,
            expected: "missing column `user`",
        },
        Malformed {
            fixture: "malformed/other-kind.json",
            format: None,
            line: 1,
            col: 1,
            expected: "not an inventory nhi-own reads",
        },
        Malformed {
            fixture: "gcp/kubernetes-list.json",
            format: Some("gcp-keys"),
            line: 1,
            col: 1,
            expected: "found a Kubernetes `List`",
        },
        Malformed {
            fixture: "kubernetes/malformed/pods.json",
            format: None,
            line: 6,
            col: 21,
            expected: "found a `Pod`",
        },
        Malformed {
            fixture: "malformed/not-json.json",
            format: None,
            line: 1,
            col: 1,
            expected: "not an inventory nhi-own reads",
        },
        Malformed {
            fixture: "malformed/truncated.json",
            format: None,
            line: 21,
            col: 51,
            expected: "invalid JSON",
        },
    ];
    for Malformed {
        fixture,
        format,
        line,
        col,
        expected,
    } in cases
    {
        let name = if fixture.ends_with(".csv") {
            "in.csv"
        } else {
            "in.json"
        };
        let extra: Vec<&str> = format
            .map(|f| vec!["--inventory-format", f])
            .unwrap_or_default();
        let extra = extra.as_slice();
        let ws = Workspace::new();
        inventory(&ws, fixture, name);
        ws.write(
            "reg.yaml",
            registry("", &[identity("ci-deploy", CI_DEPLOY, "")]),
        );
        let mut args = vec!["reconcile", "reg.yaml", "--inventory", name, "--now", NOW];
        args.extend_from_slice(extra);
        let run = ws.run(&args);
        assert_eq!(run.code, 2, "{fixture}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.is_empty(), "{fixture}: {}", run.stdout);
        let prefix = format!("{name}:{line}:{col}: error: ");
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with(&prefix), "{fixture}: {}", run.stderr);
        assert!(first.contains(expected), "{fixture}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was reconciled"),
            "{}",
            run.stderr
        );

        args.extend_from_slice(&["--format", "json"]);
        let run = ws.run(&args);
        assert_eq!(run.code, 2, "{fixture}");
        let json = run.json();
        let errors = json["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{fixture}: {errors:?}");
        assert_eq!(location(&errors[0]), (name.to_owned(), line, col));
        assert!(
            errors[0]["message"].as_str().unwrap().contains(expected),
            "{fixture}: {errors:?}"
        );
        assert_eq!(json["findings"], json!([]));

        // `import` reads inventories the same way, and writes nothing.
        let mut args = vec!["import", "--inventory", name, "-o", "out.yaml"];
        args.extend_from_slice(extra);
        let run = ws.run(&args);
        assert_eq!(run.code, 2, "{fixture}: {}", run.stderr);
        assert!(run.stderr.starts_with(&prefix), "{fixture}: {}", run.stderr);
        assert!(!ws.dir.path().join("out.yaml").exists());
    }
}

#[test]
fn every_unreadable_inventory_is_reported_at_once() {
    let ws = Workspace::new();
    inventory(&ws, "malformed/truncated.csv", "cut.csv");
    inventory(&ws, "aws/credential-report.csv", "good.csv");
    inventory(&ws, "kubernetes/malformed/pods.json", "pods.json");
    ws.write(
        "reg.yaml",
        registry("", &[identity("ci-deploy", CI_DEPLOY, "")]),
    );
    let run = ws.run(&[
        "reconcile",
        "reg.yaml",
        "--inventory",
        "cut.csv",
        "--inventory",
        "good.csv",
        "--inventory",
        "pods.json",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 2);
    let files: Vec<String> = run.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| location(e).0)
        .collect();
    assert_eq!(files, ["cut.csv", "pods.json"]);
}

// --- injection ------------------------------------------------------------

/// An Entra application and an AWS user whose names try to recolour a
/// terminal, forge a workflow command, inject HTML and reverse text.
const HOSTILE: &str = "evil\u{1b}[31m\n::error::x <script>alert(1)</script> \u{202e}|";

#[test]
fn inventory_strings_never_reach_human_output_raw() {
    let ws = Workspace::new();
    let q = |s: &str| serde_json::to_string(s).unwrap();
    ws.write(
        "entra.json",
        format!(
            r#"{{"value": [{{
  "appId": "11111111-2222-4333-8444-555555555555",
  "displayName": {name},
  "description": {name},
  "createdDateTime": "2024-01-01T00:00:00Z",
  "keyCredentials": [],
  "passwordCredentials": [{{
    "keyId": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
    "displayName": {name},
    "startDateTime": "2024-01-01T00:00:00Z",
    "endDateTime": "2025-01-01T00:00:00Z"
  }}]
}}]}}
"#,
            name = q(HOSTILE)
        ),
    );
    let csv_field = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    ws.write(
        "aws.csv",
        format!(
            "user,arn,password_enabled,access_key_1_active,access_key_1_last_rotated\n\
             {},{},true,true,2024-01-01T00:00:00+00:00\n",
            csv_field(HOSTILE),
            csv_field(&format!("arn:aws:iam::123456789012:user/{HOSTILE}"))
        ),
    );
    ws.write(
        "reg.yaml",
        registry(
            "",
            &[identity(
                "evil-app",
                "11111111-2222-4333-8444-555555555555",
                "    rotation: { last_rotated: 2024-06-01 }\n",
            )],
        ),
    );
    for format in ["table", "text", "markdown", "github", "junit"] {
        let run = ws.run(&[
            "reconcile",
            "reg.yaml",
            "--inventory",
            "entra.json",
            "--inventory",
            "aws.csv",
            "--now",
            NOW,
            "--format",
            format,
            "--color",
            "never",
        ]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let out = &run.stdout;
        if let Some(c) = out.chars().find(|&c| c != '\n' && needs_escape(c)) {
            panic!("{format}: raw {c:?} in\n{out}");
        }
        for line in out.lines() {
            if let Some(rest) = line.strip_prefix("::") {
                assert_eq!(format, "github", "{format}: a command line: {line}");
                assert!(
                    ["error file=", "warning file=", "notice file="]
                        .iter()
                        .any(|c| rest.starts_with(c)),
                    "{line}"
                );
            }
        }
        if format == "markdown" {
            assert_no_markdown_html(out);
        }
        // The strings are shown, escaped, not dropped.
        assert!(out.contains("\\u{1b}[31m"), "{format}:\n{out}");
        assert!(out.contains("\\u{202e}"), "{format}:\n{out}");
        if format == "junit" {
            assert!(!out.contains("<script>"), "{format}:\n{out}");
        }
    }
    // Every kind of finding with inventory text was produced.
    let run = reconcile(
        &ws,
        &["--inventory", "entra.json", "--inventory", "aws.csv"],
    );
    assert_eq!(ids(&run.findings("rotation-drift")), ["evil-app"]);
    assert_eq!(ids(&run.findings("inventory-expiry")), ["evil-app"]);
    assert_eq!(run.findings("unregistered-identity").len(), 1);
}

/// No raw HTML, block or inline, in a Markdown report: `<script>` is text.
fn assert_no_markdown_html(markdown: &str) {
    use pulldown_cmark::{Event, Options, Parser};
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        assert!(
            !matches!(event, Event::Html(_) | Event::InlineHtml(_)),
            "{event:?} in\n{markdown}"
        );
    }
}

// --- import ---------------------------------------------------------------

/// `import --inventory <inventories> -o r.yaml` in `ws`.
fn import(ws: &Workspace, extra: &[&str]) -> Run {
    let mut args = vec!["import", "--now", NOW];
    args.extend_from_slice(extra);
    ws.run(&args)
}

#[test]
fn import_writes_a_registry_that_audit_and_reconcile_read() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    let run = import(&ws, &["--inventory", "aws.csv", "-o", "r.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "imported 5 identities; skipped 1 person (--include-humans imports them): give each \
         its owners, then `nhi-own audit`\n"
    );
    let audit = ws.run(&["audit", "r.yaml", "--now", NOW, "--format", "json"]);
    assert_eq!(audit.code, 1, "{}{}", audit.stdout, audit.stderr);
    let json = audit.json();
    assert!(json.get("errors").is_none_or(|e| e == &json!([])), "{json}");
    assert_eq!(json["summary"]["identities"], 5);
    let expected_ids = [
        "aws-ci-deploy-bot",
        "aws-reporting-exporter",
        "aws-legacy-batch",
        "aws-onboarding-svc",
        "aws-soap-signer",
    ];
    // Three missing roles on each.
    let missing = audit.findings("missing-owner");
    for id in expected_ids {
        assert_eq!(
            missing.iter().filter(|f| f["identity"] == id).count(),
            3,
            "{id}: {missing:?}"
        );
    }
    assert_eq!(missing.len(), 15);
    // What else audit says is about the credentials themselves.
    let mut rules = audit.rules();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "missing-escalation",
            "missing-owner",
            "review-overdue",
            "stale-rotation"
        ]
    );
    // The dates are the inventory's: stale-rotation where a key is old.
    let stale = audit.findings("stale-rotation");
    assert_eq!(
        ids(&stale),
        [
            "aws-reporting-exporter",
            "aws-legacy-batch",
            "aws-onboarding-svc",
            "aws-soap-signer"
        ]
    );

    let run = ws.run(&[
        "reconcile",
        "r.yaml",
        "--inventory",
        "aws.csv",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "warnings only: {}", run.stdout);
    assert!(run.findings("unregistered-identity").is_empty());
    assert!(run.findings("rotation-drift").is_empty());
    assert!(run.findings("absent-from-inventory").is_empty());
    assert_eq!(run.json()["summary"]["inventory"]["matched"], 5);
}

#[test]
fn import_of_every_format_round_trips_through_reconcile() {
    let forbidden = [
        "date-in-future",
        "duplicate-identity",
        "duplicate-ref",
        "confusable-id",
    ];
    for (fixture, name, count) in [
        ("kubernetes/serviceaccounts-secrets.yaml", "k8s.yaml", 6),
        ("kubernetes/serviceaccounts-secrets.json", "k8s.json", 6),
        ("gcp/keys-several-accounts.json", "gcp.json", 3),
        ("entra/graph-applications.json", "entra.json", 2),
        ("entra/az-ad-app-list.json", "az.json", 0),
        ("csv/generic.csv", "generic.csv", 5),
        ("aws/credential-report-govcloud.csv", "gov.csv", 0),
    ] {
        let ws = Workspace::new();
        inventory(&ws, fixture, name);
        let run = import(&ws, &["--inventory", name, "-o", "r.yaml"]);
        assert_eq!(run.code, 0, "{fixture}: {}", run.stderr);
        let audit = ws.run(&["audit", "r.yaml", "--now", NOW, "--format", "json"]);
        assert_eq!(audit.code, 1, "{fixture}: {}{}", audit.stdout, audit.stderr);
        let identities = audit.json()["summary"]["identities"].as_u64().unwrap();
        if count > 0 {
            assert_eq!(identities, count, "{fixture}");
        }
        assert!(
            audit.findings("missing-owner").len() as u64 == 3 * identities,
            "{fixture}"
        );
        for rule in forbidden {
            assert!(
                audit.findings(rule).is_empty(),
                "{fixture}: {rule}: {:?}",
                audit.findings(rule)
            );
        }
        let run = ws.run(&[
            "reconcile",
            "r.yaml",
            "--inventory",
            name,
            "--now",
            NOW,
            "--format",
            "json",
        ]);
        assert!(run.code <= 1, "{fixture}: {}", run.stderr);
        assert!(
            run.findings("unregistered-identity").is_empty(),
            "{fixture}: {:?}",
            run.findings("unregistered-identity")
        );
        assert!(run.findings("rotation-drift").is_empty(), "{fixture}");
        assert!(
            run.findings("absent-from-inventory").is_empty(),
            "{fixture}"
        );
    }
}

#[test]
fn imported_ids_are_readable_and_unique() {
    let ws = Workspace::new();
    ws.write(
        "aws.csv",
        "user,arn,access_key_1_active\n\
         ci.deploy,arn:aws:iam::123456789012:user/ci.deploy,true\n\
         ci-deploy,arn:aws:iam::123456789012:user/ci-deploy,true\n\
         CI_Deploy,arn:aws:iam::123456789012:user/x/CI_Deploy,true\n\
         ärger,arn:aws:iam::123456789012:user/ärger,true\n",
    );
    let run = import(&ws, &["--inventory", "aws.csv", "-o", "r.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let audit = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    let mut seen: Vec<String> = audit
        .findings("missing-owner")
        .iter()
        .map(|f| f["identity"].as_str().unwrap().to_owned())
        .collect();
    seen.dedup();
    assert_eq!(
        seen,
        [
            "aws-ci-deploy",
            "aws-ci-deploy-2",
            "aws-ci-deploy-3",
            "aws-rger"
        ]
    );
    assert!(audit.findings("duplicate-identity").is_empty());
}

#[test]
fn import_never_replaces_a_file_without_force() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    ws.write("r.yaml", "# mine\n");
    let run = import(&ws, &["--inventory", "aws.csv", "-o", "r.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(ws.dir.path().join("r.yaml")).unwrap(),
        "# mine\n"
    );
    let run = import(&ws, &["--inventory", "aws.csv", "-o", "r.yaml", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(ws.dir.path().join("r.yaml")).unwrap();
    assert!(text.contains("id: aws-ci-deploy-bot"), "{text}");
}

#[test]
fn import_never_writes_onto_one_of_its_inputs() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    let original = registry("", &[identity("ci-deploy", CI_DEPLOY, "")]);
    ws.write("reg.yaml", &original);
    // The output holds only what is missing: over the merged registry, it
    // would drop every identity the registry had.
    let run = import(
        &ws,
        &[
            "--inventory",
            "aws.csv",
            "--merge",
            "reg.yaml",
            "-o",
            "reg.yaml",
            "--force",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("reg.yaml"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(ws.dir.path().join("reg.yaml")).unwrap(),
        original
    );
    let inventory_text = std::fs::read(ws.dir.path().join("aws.csv")).unwrap();
    let run = import(&ws, &["--inventory", "aws.csv", "-o", "aws.csv", "--force"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        std::fs::read(ws.dir.path().join("aws.csv")).unwrap(),
        inventory_text
    );
}

#[test]
fn import_merge_adds_only_the_missing_identities() {
    let ws = Workspace::new();
    inventory(&ws, "aws/credential-report.csv", "aws.csv");
    ws.write(
        "reg.yaml",
        registry(
            "policy:\n  ignore_refs: [\"arn:aws:iam::*:user/soap-*\"]\n",
            &[
                identity("ci-deploy", CI_DEPLOY, ""),
                // An id the import would choose, for another ref.
                identity("aws-legacy-batch", "vault:kv/legacy", ""),
            ],
        ),
    );
    let run = import(
        &ws,
        &[
            "--inventory",
            "aws.csv",
            "--merge",
            "reg.yaml",
            "-o",
            "new.yaml",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "imported 3 identities; skipped 1 already in the registry, 1 person (--include-humans \
         imports them), 1 named by policy.ignore_refs: give each its owners, then `nhi-own audit`\n"
    );
    let text = std::fs::read_to_string(ws.dir.path().join("new.yaml")).unwrap();
    assert!(!text.contains(CI_DEPLOY), "{text}");
    assert!(!text.contains("soap-signer"), "{text}");
    assert!(text.contains("id: aws-legacy-batch-2\n"), "{text}");
    // Registry and skeleton together: every record owned, no id twice.
    let run = ws.run(&[
        "reconcile",
        "reg.yaml",
        "new.yaml",
        "--inventory",
        "aws.csv",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert!(
        run.findings("unregistered-identity").is_empty(),
        "{}",
        run.stdout
    );
    assert_eq!(run.json()["summary"]["identities"], 5);
    let audit = ws.run(&[
        "audit", "reg.yaml", "new.yaml", "--now", NOW, "--format", "json",
    ]);
    assert!(audit.findings("duplicate-identity").is_empty());
    assert!(audit.findings("duplicate-ref").is_empty());

    // Merging everything again adds nothing, and says so.
    let run = import(
        &ws,
        &[
            "--inventory",
            "aws.csv",
            "--merge",
            "reg.yaml",
            "--merge",
            "new.yaml",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("imported 0 identities; skipped 4 already"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("identities: []"), "{}", run.stdout);

    // An invalid registry to merge into is exit 2, as in `audit`.
    ws.write(
        "bad.yaml",
        "version: 1\nidentities:\n  - id: x\n    kind: tokn\n",
    );
    let run = import(&ws, &["--inventory", "aws.csv", "--merge", "bad.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.yaml:4:11"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn imported_strings_round_trip_as_yaml_with_no_raw_control_character() {
    let hostile = [
        "vault:kv/a \"quoted\" \\back\\slash",
        "multi\nline\r\nref",
        "bidi\u{202e}reversed\u{2066}isolate",
        "del\u{7f}c1\u{85}\u{9b}x",
        "line\u{2028}para\u{2029}zw\u{200b}bom\u{feff}",
        "tab\there\u{1b}[31m::error::x",
        "astral\u{1d11e}tag\u{e0041}",
        "# not a comment: {flow} [seq] &anchor *alias !tag %directive",
    ];
    let ws = Workspace::new();
    let mut csv = String::from("ref,kind\n");
    for h in hostile {
        csv.push_str(&format!("\"{}\",token\n", h.replace('"', "\"\"")));
    }
    ws.write("in.csv", &csv);
    let run = import(&ws, &["--inventory", "in.csv", "-o", "r.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(ws.dir.path().join("r.yaml")).unwrap();
    if let Some(c) = text.chars().find(|&c| c != '\n' && needs_escape(c)) {
        panic!("raw {c:?} in\n{text}");
    }
    // The loader reads every ref back exactly: each record matches its
    // identity.
    let run = ws.run(&[
        "reconcile",
        "r.yaml",
        "--inventory",
        "in.csv",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.findings("unregistered-identity").is_empty());
    assert_eq!(run.json()["summary"]["inventory"]["matched"], hostile.len());
    let audit = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert_eq!(audit.json()["summary"]["identities"], hostile.len());
}

#[test]
fn imported_entra_descriptions_with_hostile_names_stay_valid() {
    let ws = Workspace::new();
    ws.write(
        "entra.json",
        format!(
            r#"[{{
  "appId": "11111111-2222-4333-8444-555555555555",
  "displayName": {name},
  "description": {name},
  "keyCredentials": [],
  "passwordCredentials": [{{ "keyId": "k1", "startDateTime": "2026-01-01T00:00:00Z" }}]
}}]
"#,
            name = serde_json::to_string(HOSTILE).unwrap()
        ),
    );
    let run = import(&ws, &["--inventory", "entra.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = &run.stdout;
    if let Some(c) = text.chars().find(|&c| c != '\n' && needs_escape(c)) {
        panic!("raw {c:?} in\n{text}");
    }
    assert!(
        !text.lines().any(|l| l.starts_with("::")),
        "a line of the skeleton starts a workflow command:\n{text}"
    );
    ws.write("r.yaml", text);
    let audit = ws.run(&[
        "audit",
        "r.yaml",
        "--now",
        NOW,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    assert_eq!(audit.json()["summary"]["identities"], 1);
    assert_eq!(
        audit.findings("missing-owner")[0]["identity"],
        "entra-evil-31m-error-x-script-alert-1-script"
    );
}
