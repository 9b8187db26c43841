//! The AWS IAM credential report (SPEC §6): one CSV row per IAM user, as
//! `aws iam get-credential-report --output text --query Content | base64 -d`
//! writes it, or the JSON that `aws iam get-credential-report` prints, whose
//! `Content` is that CSV in base64.
//!
//! The report's 22 columns (IAM User Guide, "Getting credential reports for
//! your AWS account") are `user, arn, user_creation_time, password_enabled,
//! password_last_used, password_last_changed, password_next_rotation,
//! mfa_active`, then for N = 1, 2 `access_key_N_active,
//! access_key_N_last_rotated, access_key_N_last_used_date,
//! access_key_N_last_used_region, access_key_N_last_used_service`, then
//! `cert_1_active, cert_1_last_rotated, cert_2_active, cert_2_last_rotated`.
//! They are mapped by name, in any order: reports from before IAM tracked
//! access-key use (2015) have no `access_key_N_last_used_*` columns, and a
//! column AWS adds later is ignored. Only `user` and `arn` are required.
//!
//! Values: `N/A`, `no_information` and `not_supported`, and an empty field,
//! are absent; booleans are `true`/`false` in any case (the docs write `TRUE`,
//! reports write `true`); dates are ISO 8601 timestamps with an offset
//! (`2026-03-01T10:00:00+00:00`), read as their UTC day. Anything else in a
//! boolean or date column is an error at the record's line.
//!
//! The `<root_account>` row is not a record (it is counted in `skipped`),
//! but its ARN names the account like every other row's: each account id
//! is a [`Scope::AwsAccount`].

use super::generic::{Rows, first_line};
use super::{
    At, Credential, Format, Inventory, InventoryError, ReadOptions, Record, Scope, Value, at,
    documents, get,
};
use crate::escape::short;
use crate::registry::IdentityKind;
use crate::registry::time::{Date, parse_date};
use base64::Engine as _;

/// The columns of a current report, in AWS's order.
const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// The `user` of the account's root row.
const ROOT: &str = "<root_account>";

/// Whether `text` looks like a credential report: a CSV whose first line
/// (after a BOM) starts `user,arn,` as AWS writes it, or whose header has
/// `user`, `arn` and `user_creation_time` in another order (a report
/// re-saved by a spreadsheet); or a JSON object with the `Content` and
/// `ReportFormat` keys of `aws iam get-credential-report`.
pub fn looks_like(text: &str) -> bool {
    let line = first_line(text);
    if line.starts_with("user,arn,") {
        return true;
    }
    if json_start(text).starts_with('{') {
        return has_key(text, "Content") && has_key(text, "ReportFormat");
    }
    ["user", "arn", "user_creation_time"]
        .iter()
        .all(|c| line.split(',').any(|field| field == *c))
}

/// Reads a credential report, CSV or the JSON wrapper. Records are at the
/// line of their row (column 1), and errors carry the line with column 0.
///
/// For the JSON wrapper, lines are those of the CSV decoded from `Content`
/// (in the JSON, the whole report is one base64 string): errors in the decoded
/// report say so (`in the report decoded from \`Content\`: …`), while errors
/// in the JSON itself (not JSON, no `Content`, not base64) point at the JSON
/// line and column.
pub fn read(text: &str, _options: &ReadOptions) -> Result<Inventory, InventoryError> {
    if json_start(text).starts_with('{') {
        let report = decode_wrapper(text)?;
        return read_csv(&report).map_err(|e| InventoryError {
            message: format!("in the report decoded from `Content`: {}", e.message),
            ..e
        });
    }
    read_csv(text)
}

/// `text` from its first character that is not a BOM or blank.
fn json_start(text: &str) -> &str {
    text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
}

/// Whether `text` has `"key"` followed by a colon: a JSON object key.
fn has_key(text: &str, key: &str) -> bool {
    let quoted = format!("\"{key}\"");
    text.match_indices(&quoted).any(|(i, _)| {
        text.get(i + quoted.len()..)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// The CSV report inside `aws iam get-credential-report`'s JSON:
/// `{"Content": "<base64>", "ReportFormat": "text/csv", "GeneratedTime": …}`.
fn decode_wrapper(text: &str) -> Result<String, InventoryError> {
    let expected = "expected the JSON that `aws iam get-credential-report` prints, \
                    `{\"Content\": \"<base64 CSV>\", \"ReportFormat\": \"text/csv\", …}`";
    let error_at = |node: &super::Node<'_>, message: String| {
        let At { line, col } = at(node);
        InventoryError::new(line, col, message)
    };
    // `documents` hands JSON to serde_json, which refuses a BOM.
    let docs = documents(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let doc = match docs.as_slice() {
        [doc] => doc,
        [] => return Err(InventoryError::new(0, 0, format!("empty file: {expected}"))),
        [_, second, ..] => {
            return Err(error_at(
                second,
                "a second JSON document: write each credential report to a file of its own"
                    .to_owned(),
            ));
        }
    };
    if !matches!(doc.value, Value::Map(_)) {
        return Err(error_at(
            doc,
            format!("found {}: {expected}", doc.value.describe()),
        ));
    }
    let Some(format) = get(doc, "ReportFormat") else {
        return Err(error_at(doc, format!("no `ReportFormat`: {expected}")));
    };
    match &format.value {
        Value::Str(f) if f == "text/csv" => {}
        other => {
            let found = other.scalar_text().map_or_else(
                || other.describe().to_owned(),
                |t| format!("`{}`", short(t)),
            );
            return Err(error_at(
                format,
                format!("`ReportFormat` is {found}: only `text/csv` reports can be read"),
            ));
        }
    }
    let Some(content) = get(doc, "Content") else {
        return Err(error_at(
            doc,
            format!(
                "no `Content`: {expected} (or write the CSV itself: \
                 `aws iam get-credential-report --output text --query Content | base64 -d`)"
            ),
        ));
    };
    let Value::Str(encoded) = &content.value else {
        return Err(error_at(
            content,
            format!(
                "`Content` is {}: expected the report as a base64 string",
                content.value.describe()
            ),
        ));
    };
    // Line breaks in base64 are harmless (`base64 -d` skips them too).
    let encoded: String = encoded
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.as_bytes())
        .map_err(|e| error_at(content, format!("`Content` is not valid base64: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        error_at(
            content,
            format!("`Content` does not decode to UTF-8 text: {e}"),
        )
    })
}

fn read_csv(text: &str) -> Result<Inventory, InventoryError> {
    let mut rows = Rows::new(text);
    let Some((line, header)) = rows.next_row()? else {
        return Err(InventoryError::new(
            0,
            0,
            "empty file: expected an AWS IAM credential report, a CSV whose header starts \
             `user,arn,user_creation_time,…`",
        ));
    };
    let columns = Columns::of(line, &header)?;
    let mut inventory = Inventory {
        format: Format::AwsCredentialReport,
        records: Vec::new(),
        scopes: Vec::new(),
        skipped: 0,
        listed: Vec::new(),
    };
    while let Some((line, row)) = rows.next_row()? {
        let (scope, record) = columns.row(line, &row)?;
        if !inventory.scopes.contains(&scope) {
            inventory.scopes.push(scope);
        }
        match record {
            Some(record) => inventory.records.push(record),
            None => {
                inventory.skipped += 1;
                if let Some(arn) = row.get(columns.arn)
                    && !inventory.listed.iter().any(|listed| listed == arn)
                {
                    inventory.listed.push(arn.to_owned());
                }
            }
        }
    }
    Ok(inventory)
}

/// Where an access key's columns are.
struct KeyColumns {
    active: Option<usize>,
    last_rotated: Option<usize>,
    last_used_date: Option<usize>,
}

/// Where a signing certificate's columns are.
struct CertColumns {
    active: Option<usize>,
    last_rotated: Option<usize>,
}

/// Where each known column is, if the header has it.
struct Columns {
    user: usize,
    arn: usize,
    user_creation_time: Option<usize>,
    password_enabled: Option<usize>,
    password_last_used: Option<usize>,
    /// `password_last_changed`, `password_next_rotation`: read only to
    /// check them, as no rule uses them.
    other_dates: Vec<(usize, &'static str)>,
    /// `mfa_active`: the same.
    other_booleans: Vec<(usize, &'static str)>,
    keys: [KeyColumns; 2],
    certs: [CertColumns; 2],
}

impl Columns {
    fn of(line: u32, header: &csv::StringRecord) -> Result<Self, InventoryError> {
        let error = |message: String| InventoryError::new(line, 0, message);
        let mut found: [Option<usize>; COLUMNS.len()] = [None; COLUMNS.len()];
        for (index, name) in header.iter().enumerate() {
            let slot = COLUMNS
                .iter()
                .position(|c| *c == name)
                .and_then(|known| found.get_mut(known));
            if let Some(slot) = slot
                && slot.replace(index).is_some()
            {
                return Err(error(format!("column `{name}` appears twice")));
            }
        }
        let find = |name: &str| {
            COLUMNS
                .iter()
                .position(|c| *c == name)
                .and_then(|i| found.get(i).copied().flatten())
        };
        let required = |name: &str| {
            find(name).ok_or_else(|| {
                error(format!(
                    "missing column `{name}`: an AWS IAM credential report's header is `{}` \
                     (older reports have fewer columns, but always `user` and `arn`)",
                    COLUMNS.join(",")
                ))
            })
        };
        let user = required("user")?;
        let arn = required("arn")?;
        // A credential's columns without its `_active` column would be read
        // as no credential: refuse rather than drop it.
        for prefix in ["access_key_1", "access_key_2", "cert_1", "cert_2"] {
            let active = format!("{prefix}_active");
            let orphan = COLUMNS
                .iter()
                .find(|c| c.starts_with(&format!("{prefix}_")) && find(c).is_some());
            if let Some(other) = orphan
                && find(&active).is_none()
            {
                return Err(error(format!(
                    "column `{other}` without `{active}`: the report cannot say whether \
                     that credential is active"
                )));
            }
        }
        let key = |n: u8| KeyColumns {
            active: find(&format!("access_key_{n}_active")),
            last_rotated: find(&format!("access_key_{n}_last_rotated")),
            last_used_date: find(&format!("access_key_{n}_last_used_date")),
        };
        let cert = |n: u8| CertColumns {
            active: find(&format!("cert_{n}_active")),
            last_rotated: find(&format!("cert_{n}_last_rotated")),
        };
        let some = |names: &[&'static str]| -> Vec<(usize, &'static str)> {
            names
                .iter()
                .filter_map(|name| find(name).map(|i| (i, *name)))
                .collect()
        };
        Ok(Columns {
            user,
            arn,
            user_creation_time: find("user_creation_time"),
            password_enabled: find("password_enabled"),
            password_last_used: find("password_last_used"),
            other_dates: some(&["password_last_changed", "password_next_rotation"]),
            other_booleans: some(&["mfa_active"]),
            keys: [key(1), key(2)],
            certs: [cert(1), cert(2)],
        })
    }

    /// One row: the account it names, and its record (`None` for the root
    /// row, which is skipped).
    fn row(
        &self,
        line: u32,
        row: &csv::StringRecord,
    ) -> Result<(Scope, Option<Record>), InventoryError> {
        let cell = Cell { line, row };
        let user = row.get(self.user).unwrap_or_default();
        let arn = row.get(self.arn).unwrap_or_default();
        if user.is_empty() {
            return Err(InventoryError::new(
                line,
                0,
                "empty `user`: expected the IAM user's name",
            ));
        }
        let root = user == ROOT;
        let account = account(arn, root).ok_or_else(|| {
            let expected = if root {
                "the root ARN `arn:PARTITION:iam::ACCOUNT:root`"
            } else {
                "an IAM user ARN `arn:PARTITION:iam::ACCOUNT:user/NAME`"
            };
            InventoryError::new(
                line,
                0,
                format!("`arn`: expected {expected}, found `{}`", short(arn)),
            )
        })?;
        let scope = Scope::AwsAccount(account.to_owned());

        // Every value is checked, even where it is not used, so that a
        // damaged report fails whole rather than reads half.
        let created = cell.date(self.user_creation_time, "user_creation_time")?;
        let password_enabled = cell
            .boolean(self.password_enabled, "password_enabled")?
            .unwrap_or(false);
        let password_last_used = cell.date(self.password_last_used, "password_last_used")?;
        for &(index, name) in &self.other_dates {
            cell.date(Some(index), name)?;
        }
        for &(index, name) in &self.other_booleans {
            cell.boolean(Some(index), name)?;
        }
        let at = At { line, col: 1 };
        let mut credentials = Vec::new();
        for (n, key) in (1..).zip(&self.keys) {
            let active = cell.boolean(key.active, &format!("access_key_{n}_active"))?;
            let rotated = cell.date(key.last_rotated, &format!("access_key_{n}_last_rotated"))?;
            // The column records use: `N/A` there means never used (or not
            // since IAM began tracking it, on 2015-04-22).
            let last_used = match key.last_used_date {
                Some(_) => Some(cell.date(
                    key.last_used_date,
                    &format!("access_key_{n}_last_used_date"),
                )?),
                None => None,
            };
            // An inactive key is not listed: the report writes `false` for
            // a key that does not exist too, so it cannot tell the two apart.
            if active == Some(true) {
                credentials.push(Credential {
                    name: format!("access key {n}"),
                    at,
                    rotated,
                    expires: None,
                    last_used,
                    active: true,
                });
            }
        }
        for (n, cert) in (1..).zip(&self.certs) {
            let active = cell.boolean(cert.active, &format!("cert_{n}_active"))?;
            let rotated = cell.date(cert.last_rotated, &format!("cert_{n}_last_rotated"))?;
            if active == Some(true) {
                credentials.push(Credential {
                    name: format!("signing certificate {n}"),
                    at,
                    rotated,
                    expires: None,
                    // The report records no use of certificates.
                    last_used: None,
                    active: true,
                });
            }
        }
        if root {
            return Ok((scope, None));
        }
        let interactive = match (password_enabled, password_last_used) {
            (true, Some(day)) => Some(format!("console password enabled, last used {day}")),
            (true, None) => Some("console password enabled, never used".to_owned()),
            (false, Some(day)) => {
                Some(format!("console password last used {day}, not enabled now"))
            }
            (false, None) => None,
        };
        let human = interactive.is_some() && credentials.is_empty();
        let record = Record {
            reference: arn.to_owned(),
            aliases: Vec::new(),
            at,
            kind: IdentityKind::ServiceAccount,
            created,
            name: user.to_owned(),
            description: format!("IAM user {user} in account {account}"),
            credentials,
            interactive,
            human,
            links: Vec::new(),
        };
        Ok((scope, Some(record)))
    }
}

/// The account id of an IAM ARN, `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME`
/// (or `…:root` for the root row), in any partition (`aws`, `aws-cn`,
/// `aws-us-gov`).
fn account(arn: &str, root: bool) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (prefix, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let partition_ok = !partition.is_empty()
        && partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let resource_ok = if root {
        resource == "root"
    } else {
        resource
            .strip_prefix("user/")
            .is_some_and(|path| !path.is_empty() && !path.ends_with('/'))
    };
    (prefix == "arn"
        && partition_ok
        && service == "iam"
        && region.is_empty()
        && account_ok
        && resource_ok)
        .then_some(account)
}

/// The fields of one row, read by column.
struct Cell<'r> {
    line: u32,
    row: &'r csv::StringRecord,
}

impl Cell<'_> {
    /// The value of a column, `None` where the column is missing or the
    /// report writes one of its "absent" values.
    fn value(&self, column: Option<usize>) -> Option<&str> {
        column
            .and_then(|i| self.row.get(i))
            .filter(|v| !matches!(*v, "" | "N/A" | "no_information" | "not_supported"))
    }

    fn boolean(&self, column: Option<usize>, name: &str) -> Result<Option<bool>, InventoryError> {
        match self.value(column) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(InventoryError::new(
                self.line,
                0,
                format!(
                    "`{name}`: expected `true` or `false` (or `N/A`), found `{}`",
                    short(v)
                ),
            )),
        }
    }

    fn date(&self, column: Option<usize>, name: &str) -> Result<Option<Date>, InventoryError> {
        self.value(column)
            .map(|v| {
                parse_date(v)
                    .map_err(|e| InventoryError::new(self.line, 0, format!("`{name}`: {e}")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const REPORT: &str = include_str!("../../tests/fixtures/inventory/aws/credential-report.csv");
    const JSON: &str =
        include_str!("../../tests/fixtures/inventory/aws/get-credential-report.json");
    const BOM_CRLF: &str =
        include_str!("../../tests/fixtures/inventory/aws/credential-report-bom-crlf.csv");
    const OLD: &str = include_str!("../../tests/fixtures/inventory/aws/credential-report-old.csv");
    const REORDERED: &str =
        include_str!("../../tests/fixtures/inventory/aws/credential-report-reordered.csv");
    const SECOND: &str =
        include_str!("../../tests/fixtures/inventory/aws/credential-report-second-account.csv");
    const GOVCLOUD: &str =
        include_str!("../../tests/fixtures/inventory/aws/credential-report-govcloud.csv");
    const TRUNCATED: &str = include_str!("../../tests/fixtures/inventory/malformed/truncated.csv");
    const WRONG_HEADER: &str =
        include_str!("../../tests/fixtures/inventory/malformed/wrong-header.csv");

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,\
        password_last_changed,password_next_rotation,mfa_active,access_key_1_active,\
        access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,\
        access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
        access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,\
        cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    fn day(y: i32, m: u32, d: u32) -> Date {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn read_text(text: &str) -> Result<Inventory, InventoryError> {
        read(text, &ReadOptions::default())
    }

    fn error(text: &str) -> (u32, u32, String) {
        let e = read_text(text).unwrap_err();
        (e.line, e.col, e.message)
    }

    fn record<'i>(inventory: &'i Inventory, name: &str) -> &'i Record {
        inventory.records.iter().find(|r| r.name == name).unwrap()
    }

    fn key(n: u8, line: u32, rotated: Date, last_used: Option<Option<Date>>) -> Credential {
        Credential {
            name: format!("access key {n}"),
            at: At { line, col: 1 },
            rotated: Some(rotated),
            expires: None,
            last_used,
            active: true,
        }
    }

    /// A one-user report: the header and `row`.
    fn one_row(row: &str) -> String {
        format!("{HEADER}\n{row}\n")
    }

    const QUIET: &str = "quiet,arn:aws:iam::123456789012:user/quiet,2024-01-01T00:00:00+00:00,\
        false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";

    #[test]
    fn reads_the_report() {
        let inventory = read_text(REPORT).unwrap();
        assert_eq!(inventory.format, Format::AwsCredentialReport);
        assert_eq!(inventory.skipped, 1, "the root row");
        assert_eq!(
            inventory.scopes,
            [Scope::AwsAccount("123456789012".to_owned())]
        );
        let names: Vec<&str> = inventory.records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "ci-deploy-bot",
                "reporting-exporter",
                "alice.martin",
                "legacy-batch",
                "onboarding-svc",
                "soap-signer"
            ]
        );

        let bot = record(&inventory, "ci-deploy-bot");
        assert_eq!(
            bot.reference,
            "arn:aws:iam::123456789012:user/ci/ci-deploy-bot"
        );
        assert_eq!(bot.at, At { line: 3, col: 1 });
        assert_eq!(bot.kind, IdentityKind::ServiceAccount);
        assert_eq!(bot.created, Some(day(2024, 2, 5)));
        assert_eq!(
            bot.description,
            "IAM user ci-deploy-bot in account 123456789012"
        );
        assert!(bot.aliases.is_empty() && bot.links.is_empty());
        assert_eq!(
            bot.credentials,
            [
                key(1, 3, day(2026, 9, 15), Some(Some(day(2026, 11, 21)))),
                // `N/A` last used: the report records use, and saw none.
                key(2, 3, day(2026, 11, 2), Some(None)),
            ]
        );
        assert_eq!((bot.interactive.as_deref(), bot.human), (None, false));

        let exporter = record(&inventory, "reporting-exporter");
        assert_eq!(
            exporter.credentials,
            [key(1, 4, day(2025, 6, 30), Some(None))]
        );

        // A console password and no key: a person.
        let alice = record(&inventory, "alice.martin");
        assert!(alice.credentials.is_empty());
        assert_eq!(
            alice.interactive.as_deref(),
            Some("console password enabled, last used 2026-11-20")
        );
        assert!(alice.human);

        // A password and a key: interactive, but not a person.
        let batch = record(&inventory, "legacy-batch");
        assert_eq!(
            batch.interactive.as_deref(),
            Some("console password enabled, last used 2026-06-11")
        );
        assert!(!batch.human);
        assert_eq!(
            batch.credentials,
            [key(1, 6, day(2023, 1, 9), Some(Some(day(2026, 5, 2))))]
        );

        // `no_information`: a password never used.
        let onboarding = record(&inventory, "onboarding-svc");
        assert_eq!(
            onboarding.interactive.as_deref(),
            Some("console password enabled, never used")
        );
        assert!(!onboarding.human);

        // A certificate only: rotation known, use not recorded.
        let signer = record(&inventory, "soap-signer");
        assert_eq!(signer.at.line, 8);
        assert_eq!(
            signer.credentials,
            [Credential {
                name: "signing certificate 1".to_owned(),
                at: At { line: 8, col: 1 },
                rotated: Some(day(2025, 1, 20)),
                expires: None,
                last_used: None,
                active: true,
            }]
        );
        assert!(!signer.human && signer.interactive.is_none());
    }

    #[test]
    fn json_wrapper_reads_as_its_content() {
        // Lines are those of the decoded CSV.
        assert_eq!(read_text(JSON).unwrap(), read_text(REPORT).unwrap());
    }

    #[test]
    fn bom_and_crlf_read_the_same() {
        assert_eq!(read_text(BOM_CRLF).unwrap(), read_text(REPORT).unwrap());
        let json = format!("\u{feff}{}", JSON.replace('\n', "\r\n"));
        assert_eq!(read_text(&json).unwrap(), read_text(REPORT).unwrap());
    }

    #[test]
    fn columns_are_mapped_by_name() {
        let reordered = read_text(REORDERED).unwrap();
        let report = read_text(REPORT).unwrap();
        assert_eq!(reordered.skipped, 1);
        assert_eq!(reordered.scopes, report.scopes);
        assert_eq!(reordered.records.len(), 3);
        for r in reordered.records {
            let mut same = record(&report, &r.name).clone();
            // Only the lines differ.
            same.at = r.at;
            for c in &mut same.credentials {
                c.at = r.at;
            }
            assert_eq!(r, same);
        }
    }

    #[test]
    fn old_report_without_last_used_columns() {
        let inventory = read_text(OLD).unwrap();
        assert_eq!(inventory.skipped, 1);
        let agent = record(&inventory, "build-agent");
        // No `last_used` columns: the report does not record use.
        assert_eq!(agent.credentials, [key(1, 3, day(2014, 1, 15), None)]);
        let jenkins = record(&inventory, "jenkins-legacy");
        assert_eq!(
            jenkins.credentials,
            [
                key(1, 4, day(2014, 6, 1), None),
                key(2, 4, day(2015, 2, 1), None)
            ]
        );
        assert_eq!(
            jenkins.interactive.as_deref(),
            Some("console password enabled, never used")
        );
        assert!(!jenkins.human);
        let carol = record(&inventory, "carol.ops");
        assert!(carol.human);
        assert_eq!(
            carol.interactive.as_deref(),
            Some("console password enabled, last used 2015-04-01")
        );
    }

    #[test]
    fn second_account() {
        let inventory = read_text(SECOND).unwrap();
        assert_eq!(
            inventory.scopes,
            [Scope::AwsAccount("210987654321".to_owned())]
        );
        let bot = record(&inventory, "ci-deploy-bot");
        assert_eq!(
            bot.reference,
            "arn:aws:iam::210987654321:user/ci/ci-deploy-bot"
        );
        assert_eq!(
            bot.description,
            "IAM user ci-deploy-bot in account 210987654321"
        );
        // The file has no newline after its last row.
        assert_eq!(record(&inventory, "metrics-pusher").at.line, 4);
    }

    #[test]
    fn govcloud_report_with_the_docs_spelling() {
        let inventory = read_text(GOVCLOUD).unwrap();
        assert_eq!(inventory.skipped, 1);
        assert_eq!(
            inventory.scopes,
            [Scope::AwsAccount("123456789012".to_owned())]
        );
        let deploy = record(&inventory, "deploy+etl@payments");
        assert_eq!(
            deploy.reference,
            "arn:aws-us-gov:iam::123456789012:user/service/payments/deploy+etl@payments"
        );
        let names: Vec<&str> = deploy.credentials.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "access key 1",
                "access key 2",
                "signing certificate 1",
                "signing certificate 2"
            ]
        );
        assert_eq!(deploy.credentials[1].last_used, Some(None));
        assert_eq!(deploy.credentials[3].rotated, Some(day(2026, 6, 1)));
        // An inactive key is not listed, even with a last use.
        let retired = record(&inventory, "retired-key-user");
        assert!(retired.credentials.is_empty());
        assert!(!retired.human && retired.interactive.is_none());
        let cert_two = record(&inventory, "cert-two-only");
        assert_eq!(cert_two.credentials[0].name, "signing certificate 2");
        let operator = record(&inventory, "gov-operator");
        assert!(operator.human);
    }

    #[test]
    fn special_values_and_empty_fields_are_absent() {
        let inventory = read_text(&one_row(
            "blank,arn:aws:iam::123456789012:user/blank,,,,,,,TRUE,,,,,not_supported,,,,,,,,",
        ))
        .unwrap();
        let blank = &inventory.records[0];
        assert_eq!(blank.created, None);
        assert_eq!(blank.interactive, None);
        assert_eq!(
            blank.credentials,
            [Credential {
                name: "access key 1".to_owned(),
                at: At { line: 2, col: 1 },
                rotated: None,
                expires: None,
                last_used: Some(None),
                active: true,
            }]
        );
    }

    #[test]
    fn a_password_used_but_no_longer_enabled_is_interactive() {
        let row = QUIET.replacen("false,N/A", "false,2024-07-19T16:00:00+00:00", 1);
        let inventory = read_text(&one_row(&row)).unwrap();
        let quiet = &inventory.records[0];
        assert_eq!(
            quiet.interactive.as_deref(),
            Some("console password last used 2024-07-19, not enabled now")
        );
        assert!(quiet.human);
    }

    #[test]
    fn unknown_columns_are_ignored_and_only_user_and_arn_required() {
        let inventory = read_text(
            "user,arn,some_future_column\nsvc,arn:aws-cn:iam::123456789012:user/svc,whatever\n",
        )
        .unwrap();
        let svc = &inventory.records[0];
        assert_eq!(svc.reference, "arn:aws-cn:iam::123456789012:user/svc");
        assert!(svc.credentials.is_empty());
        assert!(!svc.human);
        assert!(read_text("user,arn\n").unwrap().records.is_empty());
    }

    #[test]
    fn root_row_names_the_account_even_alone() {
        let inventory = read_text(&format!(
            "user,arn,password_enabled\n{ROOT},arn:aws:iam::345678901234:root,not_supported\n"
        ))
        .unwrap();
        assert!(inventory.records.is_empty());
        assert_eq!(inventory.skipped, 1);
        assert_eq!(
            inventory.scopes,
            [Scope::AwsAccount("345678901234".to_owned())]
        );
    }

    #[test]
    fn scopes_are_deduplicated_in_order() {
        let inventory = read_text(
            "user,arn\na,arn:aws:iam::222222222222:user/a\nb,arn:aws:iam::111111111111:user/b\n\
             c,arn:aws:iam::222222222222:user/c\n",
        )
        .unwrap();
        assert_eq!(
            inventory.scopes,
            [
                Scope::AwsAccount("222222222222".to_owned()),
                Scope::AwsAccount("111111111111".to_owned())
            ]
        );
    }

    #[test]
    fn truncated_report() {
        assert_eq!(
            error(TRUNCATED),
            (
                4,
                0,
                "this record has 11 fields, the header has 22: every record needs one field per \
                 column (is the file cut off, or a comma unquoted?)"
                    .to_owned()
            )
        );
    }

    #[test]
    fn wrong_headers() {
        let (line, col, message) = error(WRONG_HEADER);
        assert_eq!((line, col), (1, 0));
        assert!(message.starts_with("missing column `user`: an AWS IAM credential report's header is `user,arn,user_creation_time,"), "{message}");
        let (line, _, message) = error("user,user_creation_time\nx,N/A\n");
        assert_eq!(line, 1);
        assert!(message.starts_with("missing column `arn`"), "{message}");
        assert_eq!(
            error("user,arn,mfa_active,mfa_active\n"),
            (1, 0, "column `mfa_active` appears twice".to_owned())
        );
        assert_eq!(
            error("user,arn,access_key_1_last_rotated\n"),
            (
                1,
                0,
                "column `access_key_1_last_rotated` without `access_key_1_active`: the report \
                 cannot say whether that credential is active"
                    .to_owned()
            )
        );
        let (line, col, message) = error("");
        assert_eq!((line, col), (0, 0));
        assert!(message.starts_with("empty file: expected an AWS IAM credential report"));
    }

    #[test]
    fn bad_values_name_their_column_and_line() {
        let report = format!(
            "{HEADER}\n{QUIET}\n{}\n",
            QUIET.replace(",false,false,N/A", ",false,yes,N/A")
        );
        assert_eq!(
            error(&report),
            (
                3,
                0,
                "`access_key_1_active`: expected `true` or `false` (or `N/A`), found `yes`"
                    .to_owned()
            )
        );
        let row = QUIET.replace("2024-01-01T00:00:00+00:00", "2024-01-01 00:00:00");
        assert_eq!(
            error(&one_row(&row)),
            (
                2,
                0,
                "`user_creation_time`: invalid date `2024-01-01 00:00:00`: write `T` between the \
                 day and the time (RFC 3339)"
                    .to_owned()
            )
        );
        // An unused column is checked too.
        let row = QUIET.replacen("N/A,N/A,false,false", "N/A,someday,false,false", 1);
        assert_eq!(
            error(&one_row(&row)).2.split(':').next(),
            Some("`password_next_rotation`")
        );
        assert_eq!(
            error("user,arn\n,arn:aws:iam::123456789012:user/x\n"),
            (
                2,
                0,
                "empty `user`: expected the IAM user's name".to_owned()
            )
        );
    }

    #[test]
    fn arns_that_do_not_parse() {
        for arn in [
            "",
            "ci-deploy-bot",
            "arn:aws:iam::123456789012:role/deploy",
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::12345678901:user/short-account",
            "arn:aws:iam:us-east-1:123456789012:user/regional",
            "arn:aws:sts::123456789012:user/x",
            "arn:aws:iam::123456789012:user/",
            "arn:aws:iam::123456789012:user/path/",
            "arn::iam::123456789012:user/x",
        ] {
            let (line, col, message) = error(&format!("user,arn\nx,\"{arn}\"\n"));
            assert_eq!((line, col), (2, 0));
            assert_eq!(
                message,
                format!(
                    "`arn`: expected an IAM user ARN `arn:PARTITION:iam::ACCOUNT:user/NAME`, found `{arn}`"
                )
            );
        }
        assert_eq!(
            error(&format!(
                "user,arn\n{ROOT},arn:aws:iam::123456789012:user/root\n"
            ))
            .2,
            "`arn`: expected the root ARN `arn:PARTITION:iam::ACCOUNT:root`, found \
             `arn:aws:iam::123456789012:user/root`"
        );
    }

    fn wrapper(content: &str) -> String {
        format!(
            "{{\n  \"Content\": \"{content}\",\n  \"ReportFormat\": \"text/csv\",\n  \
             \"GeneratedTime\": \"2026-11-22T06:00:00+00:00\"\n}}\n"
        )
    }

    fn encode(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn errors_in_the_decoded_report_are_at_its_lines() {
        let report = format!("{HEADER}\n{QUIET}\nbroken,arn:aws:iam::123456789012:user/broken\n");
        let (line, col, message) = error(&wrapper(&encode(&report)));
        assert_eq!((line, col), (3, 0));
        assert_eq!(
            message,
            "in the report decoded from `Content`: this record has 2 fields, the header has 22: \
             every record needs one field per column (is the file cut off, or a comma unquoted?)"
        );
        // Positions of records are those of the decoded CSV too.
        let inventory = read_text(&wrapper(&encode(&format!("{HEADER}\n\n{QUIET}\n")))).unwrap();
        assert_eq!(inventory.records[0].at.line, 3);
        // Base64 wrapped over lines decodes as `base64 -d` would.
        let wrapped = encode(REPORT)
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\\n");
        assert_eq!(
            read_text(&wrapper(&wrapped)).unwrap(),
            read_text(REPORT).unwrap()
        );
    }

    #[test]
    fn errors_in_the_json_wrapper_are_at_its_line_and_column() {
        assert_eq!(
            error(&wrapper("not base64!")),
            (
                2,
                14,
                "`Content` is not valid base64: Invalid symbol 32, offset 3.".to_owned()
            )
        );
        assert_eq!(
            error(&wrapper("/w==")),
            (
                2,
                14,
                "`Content` does not decode to UTF-8 text: invalid utf-8 sequence of 1 bytes from index 0"
                    .to_owned()
            )
        );
        assert_eq!(
            error("{\"ReportFormat\": \"text/csv\", \"Content\": 42}"),
            (
                1,
                41,
                "`Content` is a number: expected the report as a base64 string".to_owned()
            )
        );
        assert_eq!(
            error("{\"ReportFormat\": \"application/pdf\", \"Content\": \"\"}"),
            (
                1,
                18,
                "`ReportFormat` is `application/pdf`: only `text/csv` reports can be read"
                    .to_owned()
            )
        );
        let (line, col, message) = error(
            "{\n  \"GeneratedTime\": \"2015-06-17T19:11:50Z\",\n  \"ReportFormat\": \"text/csv\"\n}",
        );
        assert_eq!((line, col), (1, 1));
        assert!(
            message.starts_with(
                "no `Content`: expected the JSON that `aws iam get-credential-report` prints"
            ),
            "{message}"
        );
        let (line, col, message) = error("{\"Content\": \"\"}");
        assert_eq!((line, col), (1, 1));
        assert!(message.starts_with("no `ReportFormat`"), "{message}");
        let (line, col, _) = error("{\"Content\": \"dXNlcg==\",\n \"ReportFormat\": \"text/csv\"");
        assert_eq!((line, col), (2, 27), "cut-off JSON");
        let (line, col, message) =
            error(&format!("{}{}", wrapper("dXNlcg=="), wrapper("dXNlcg==")));
        assert_eq!((line, col), (6, 1));
        assert!(message.starts_with("a second JSON document"), "{message}");
        // An empty report inside.
        let (line, _, message) = error(&wrapper(""));
        assert_eq!(line, 0);
        assert!(
            message.starts_with("in the report decoded from `Content`: empty file"),
            "{message}"
        );
    }

    #[test]
    fn every_cut_of_a_report_reads_or_fails_at_a_line() {
        for text in [REPORT, BOM_CRLF, OLD, JSON] {
            for (cut, _) in text.char_indices() {
                let prefix = &text[..cut];
                if let Err(e) = read_text(prefix) {
                    assert!(!e.message.is_empty());
                    assert!(e.line <= 8, "{cut}: {e}");
                }
            }
        }
    }

    #[test]
    fn detection() {
        for text in [
            REPORT, JSON, BOM_CRLF, OLD, REORDERED, SECOND, GOVCLOUD, TRUNCATED,
        ] {
            assert!(looks_like(text), "{}", first_line(text));
        }
        assert!(looks_like(
            "{\"ReportFormat\" : \"text/csv\", \"Content\":\"\"}"
        ));
        // Other formats of SPEC §6.
        for text in [
            include_str!("../../tests/fixtures/inventory/csv/generic.csv"),
            include_str!("../../tests/fixtures/inventory/csv/generic-ref-only.csv"),
            WRONG_HEADER,
            "ref,kind\nuser,arn\n",
            "username,arn,created\n",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}",
            "[{\"name\": \"projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com/keys/k\", \"keyType\": \"USER_MANAGED\"}]",
            "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#applications\", \"value\": [{\"displayName\": \"Content\", \"notes\": \"ReportFormat\"}]}",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: Content\n",
            "[]",
            "",
        ] {
            assert!(!looks_like(text), "{text}");
        }
    }
}
