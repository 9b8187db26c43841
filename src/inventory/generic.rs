//! The generic CSV inventory (SPEC §6), for any system without a reader of
//! its own: one row per credential, its `ref` and whatever dates it has.
//!
//! ```text
//! ref,kind,created,last_rotated,expires,last_used
//! vault:kv/ci/github-token,token,2025-03-01,2026-09-01,2027-03-01,2026-11-20
//! ```
//!
//! Only `ref` is required, and it comes first (that is how the format is
//! detected); the other columns are optional, in any order, mapped by name.
//! Dates are registry dates (SPEC §1). An empty field is absent.
//!
//! The generic CSV has no scope: it does not say which refs it covers, so
//! `absent-from-inventory` never comes from it (its `scopes` are empty).
//!
//! This module also holds the CSV layer the AWS credential report shares
//! (`Rows`): RFC 4180 quoting by the `csv` crate, a UTF-8 BOM tolerated,
//! and every record held to the header's number of fields.

use super::{At, Credential, Format, Inventory, InventoryError, ReadOptions, Record};
use crate::escape::short;
use crate::keyword::{Keyword, did_you_mean, one_of};
use crate::registry::IdentityKind;
use crate::registry::time::{Date, parse_date};

/// The columns of the format, `ref` first.
const COLUMNS: [&str; 6] = [
    "ref",
    "kind",
    "created",
    "last_rotated",
    "expires",
    "last_used",
];

/// Whether `text` looks like a generic CSV: its header row's first field is
/// `ref` (quoted or not).
pub fn looks_like(text: &str) -> bool {
    let line = first_line(text);
    ["ref", "\"ref\""]
        .iter()
        .any(|f| line == *f || line.strip_prefix(f).is_some_and(|r| r.starts_with(',')))
}

/// Reads a generic CSV. Each row is one record (line of the row, column 1)
/// with one credential, `credential`, that carries the row's
/// `last_rotated`, `expires` and `last_used`. Errors carry the 1-based line
/// and column 0.
pub fn read(text: &str, _options: &ReadOptions) -> Result<Inventory, InventoryError> {
    let mut rows = Rows::new(text);
    let Some((line, header)) = rows.next_row()? else {
        return Err(InventoryError::new(
            0,
            0,
            format!(
                "empty file: expected a generic CSV inventory, a header row `{}` and one row per credential",
                COLUMNS.join(",")
            ),
        ));
    };
    let columns = Columns::of(line, &header)?;
    let mut records = Vec::new();
    while let Some((line, row)) = rows.next_row()? {
        records.push(columns.record(line, &row)?);
    }
    Ok(Inventory {
        format: Format::Csv,
        records,
        scopes: Vec::new(),
        skipped: 0,
        listed: Vec::new(),
    })
}

/// Where each optional column is, if the header has it.
struct Columns {
    kind: Option<usize>,
    created: Option<usize>,
    last_rotated: Option<usize>,
    expires: Option<usize>,
    last_used: Option<usize>,
}

impl Columns {
    fn of(line: u32, header: &csv::StringRecord) -> Result<Self, InventoryError> {
        let error = |message: String| InventoryError::new(line, 0, message);
        let first = header.get(0).unwrap_or_default();
        if first != "ref" {
            return Err(error(format!(
                "the first column must be `ref`, found `{}`: a generic CSV inventory has the header \
                 `{}` (the columns after `ref` are optional, in any order)",
                short(first),
                COLUMNS.join(",")
            )));
        }
        let mut columns = Columns {
            kind: None,
            created: None,
            last_rotated: None,
            expires: None,
            last_used: None,
        };
        for (index, name) in header.iter().enumerate().skip(1) {
            let slot = match name {
                "kind" => &mut columns.kind,
                "created" => &mut columns.created,
                "last_rotated" => &mut columns.last_rotated,
                "expires" => &mut columns.expires,
                "last_used" => &mut columns.last_used,
                "ref" => return Err(error("column `ref` appears twice".to_owned())),
                other => {
                    let valid = one_of(COLUMNS);
                    let help = match did_you_mean(other, COLUMNS) {
                        Some(best) => format!("did you mean `{best}`? The columns are {valid}"),
                        None => format!("the columns are {valid}"),
                    };
                    return Err(error(format!("unknown column `{}`: {help}", short(other))));
                }
            };
            if slot.replace(index).is_some() {
                return Err(error(format!("column `{name}` appears twice")));
            }
        }
        Ok(columns)
    }

    fn record(&self, line: u32, row: &csv::StringRecord) -> Result<Record, InventoryError> {
        let field = |column: Option<usize>| column.and_then(|i| row.get(i)).unwrap_or_default();
        let date = |column: Option<usize>, name: &str| -> Result<Option<Date>, InventoryError> {
            match field(column) {
                "" => Ok(None),
                value => parse_date(value)
                    .map(Some)
                    .map_err(|e| InventoryError::new(line, 0, format!("`{name}`: {e}"))),
            }
        };
        let reference = row.get(0).unwrap_or_default();
        if reference.is_empty() {
            return Err(InventoryError::new(
                line,
                0,
                "empty `ref`: every row names the credential's identifier in the system that issued it",
            ));
        }
        let kind = match field(self.kind) {
            "" => IdentityKind::Other,
            word => IdentityKind::parse(word).ok_or_else(|| {
                let words = IdentityKind::ALL.iter().map(|k| k.as_str());
                let expected = one_of(words.clone());
                let help = match did_you_mean(word, words) {
                    Some(best) => format!("did you mean `{best}`? expected {expected}"),
                    None => format!("expected {expected}"),
                };
                InventoryError::new(
                    line,
                    0,
                    format!("`kind`: unknown identity kind `{}`: {help}", short(word)),
                )
            })?,
        };
        let created = date(self.created, "created")?;
        let rotated = date(self.last_rotated, "last_rotated")?;
        let expires = date(self.expires, "expires")?;
        // A `last_used` column records use: empty there means none seen.
        let last_used = match self.last_used {
            Some(_) => Some(date(self.last_used, "last_used")?),
            None => None,
        };
        let at = At { line, col: 1 };
        Ok(Record {
            reference: reference.to_owned(),
            aliases: Vec::new(),
            at,
            kind,
            created,
            name: reference.to_owned(),
            description: format!("{kind} listed in a generic CSV inventory"),
            credentials: vec![Credential {
                name: "credential".to_owned(),
                at,
                rotated,
                expires,
                last_used,
                active: true,
            }],
            interactive: None,
            human: false,
            links: Vec::new(),
        })
    }
}

/// The first line of `text`, without a UTF-8 BOM or a line end.
pub(super) fn first_line(text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = text.split('\n').next().unwrap_or_default();
    line.strip_suffix('\r').unwrap_or(line)
}

/// The records of a CSV inventory, each with the 1-based line it starts on
/// (a quoted field may span lines). Every record must have as many fields as
/// the first one, the header: a record with more or fewer is an error at its
/// line. A UTF-8 BOM at the start is ignored; lines end in LF or CRLF (or
/// CR); blank lines are skipped.
pub(super) struct Rows<'t> {
    text: &'t [u8],
    reader: csv::Reader<&'t [u8]>,
    /// Lines are counted up to this byte, which is on line `line`.
    counted: usize,
    line: u32,
}

impl<'t> Rows<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes();
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(text);
        Rows {
            text,
            reader,
            counted: 0,
            line: 1,
        }
    }

    /// The next record and its line, or `None` at the end.
    pub(super) fn next_row(&mut self) -> Result<Option<(u32, csv::StringRecord)>, InventoryError> {
        let mut record = csv::StringRecord::new();
        match self.reader.read_record(&mut record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.line_of(record.position());
                Ok(Some((line, record)))
            }
            Err(e) => {
                let line = self.line_of(e.position());
                Err(csv_error(line, &e))
            }
        }
    }

    /// The line a record starts on. The `csv` crate's own position is where
    /// the previous record's line end began: after a CRLF or a blank line
    /// its line number lags, so the line is counted here, past the line
    /// ends, from the text itself.
    fn line_of(&mut self, position: Option<&csv::Position>) -> u32 {
        let Some(position) = position else {
            return 0;
        };
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.counted {
            self.counted = 0;
            self.line = 1;
        }
        let span = self.text.get(self.counted..start).unwrap_or_default();
        // A line ends in LF, CRLF or a lone CR. The span ends before a
        // character that is neither, so no CRLF is split across spans.
        let breaks = span
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && span.get(i + 1) != Some(&b'\n')))
            .count();
        self.line = self
            .line
            .saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
        self.counted = start;
        self.line
    }
}

/// A CSV reading error at its record's line.
fn csv_error(line: u32, e: &csv::Error) -> InventoryError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => InventoryError::new(
            line,
            0,
            format!(
                "this record has {len} field{}, the header has {expected_len}: \
                 every record needs one field per column (is the file cut off, or a comma unquoted?)",
                if *len == 1 { "" } else { "s" }
            ),
        ),
        _ => InventoryError::new(line, 0, format!("unreadable CSV: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const GENERIC: &str = include_str!("../../tests/fixtures/inventory/csv/generic.csv");
    const REF_ONLY: &str = include_str!("../../tests/fixtures/inventory/csv/generic-ref-only.csv");

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

    #[test]
    fn reads_every_column() {
        let inventory = read_text(GENERIC).unwrap();
        assert_eq!(inventory.format, Format::Csv);
        assert!(inventory.scopes.is_empty());
        assert_eq!(inventory.skipped, 0);
        let refs: Vec<&str> = inventory
            .records
            .iter()
            .map(|r| r.reference.as_str())
            .collect();
        assert_eq!(
            refs,
            [
                "vault:kv/ci/github-token",
                "datadog:api-key/prod-agents",
                "tls:api.example.com",
                "ssh:deploy@bastion.example.com",
                "pagerduty:integration/Example Ops, EU",
            ]
        );
        let vault = &inventory.records[0];
        assert_eq!(vault.at, At { line: 2, col: 1 });
        assert_eq!(vault.kind, IdentityKind::Token);
        assert_eq!(vault.created, Some(day(2025, 3, 1)));
        assert_eq!(vault.name, "vault:kv/ci/github-token");
        assert_eq!(vault.description, "token listed in a generic CSV inventory");
        assert_eq!(
            vault.credentials,
            [Credential {
                name: "credential".to_owned(),
                at: At { line: 2, col: 1 },
                rotated: Some(day(2026, 9, 1)),
                expires: Some(day(2027, 3, 1)),
                last_used: Some(Some(day(2026, 11, 20))),
                active: true,
            }]
        );
        assert!(!vault.human);
        assert_eq!(vault.interactive, None);

        // Empty optional fields are absent; an empty `last_used` records no use.
        let datadog = &inventory.records[1].credentials[0];
        assert_eq!((datadog.rotated, datadog.expires), (None, None));
        assert_eq!(datadog.last_used, Some(Some(day(2026, 4, 1))));
        let tls = &inventory.records[2];
        assert_eq!(tls.kind, IdentityKind::Certificate);
        assert_eq!(tls.credentials[0].expires, Some(day(2026, 12, 1)));
        assert_eq!(tls.credentials[0].last_used, Some(None));
        // `+01:00`: 07:30 on the 21st there is 06:30 UTC, the same day.
        let pagerduty = &inventory.records[4];
        assert_eq!(pagerduty.at.line, 6);
        assert_eq!(
            pagerduty.credentials[0].last_used,
            Some(Some(day(2026, 11, 21)))
        );
    }

    #[test]
    fn ref_only() {
        let inventory = read_text(REF_ONLY).unwrap();
        assert_eq!(inventory.records.len(), 3);
        let loader = &inventory.records[2];
        assert_eq!(loader.reference, "snowflake:user/SVC_LOADER");
        assert_eq!(loader.kind, IdentityKind::Other);
        assert_eq!(loader.created, None);
        // No `last_used` column: the inventory does not record use.
        let credential = &loader.credentials[0];
        assert_eq!(
            (credential.rotated, credential.expires, credential.last_used),
            (None, None, None)
        );
    }

    #[test]
    fn columns_by_name_in_any_order() {
        let inventory =
            read_text("ref,last_used,kind\r\na,,api_key\r\nb,2026-01-02T23:30:00-02:00,\r\n")
                .unwrap();
        let [a, b] = inventory.records.as_slice() else {
            panic!("two records")
        };
        assert_eq!(a.kind, IdentityKind::ApiKey);
        assert_eq!(a.credentials[0].last_used, Some(None));
        assert_eq!(b.kind, IdentityKind::Other);
        // A timestamp is its UTC day.
        assert_eq!(b.credentials[0].last_used, Some(Some(day(2026, 1, 3))));
        assert_eq!(b.at.line, 3);
    }

    #[test]
    fn bom_and_quoted_header() {
        let inventory = read_text("\u{feff}\"ref\",\"kind\"\n\"x\",token\n").unwrap();
        assert_eq!(inventory.records[0].reference, "x");
        assert!(looks_like("\u{feff}\"ref\",\"kind\"\n"));
    }

    #[test]
    fn quoted_field_over_two_lines_is_at_its_first_line() {
        let inventory = read_text("ref,kind\n\"a\nb\",token\nc,token\n").unwrap();
        assert_eq!(inventory.records[0].reference, "a\nb");
        assert_eq!(inventory.records[0].at.line, 2);
        assert_eq!(inventory.records[1].at.line, 4);
    }

    #[test]
    fn lines_are_counted_past_crlf_and_blank_lines() {
        let lines = |text: &str| -> Vec<u32> {
            read_text(text)
                .unwrap()
                .records
                .iter()
                .map(|r| r.at.line)
                .collect()
        };
        assert_eq!(lines("ref\na\nb\nc\n"), [2, 3, 4]);
        assert_eq!(lines("ref\r\na\r\nb\r\nc"), [2, 3, 4]);
        assert_eq!(lines("\u{feff}ref\r\n\r\na\r\n\r\n\r\nb\r\n"), [3, 6]);
        assert_eq!(lines("\nref\n\na\n\"b\r\nc\"\nd\n"), [4, 5, 7]);
        assert_eq!(lines("ref\ra\rb\r"), [2, 3]);
        assert_eq!(
            error("ref,kind\r\na,token\r\n\r\nb\r\n").0,
            4,
            "an error's line is counted the same way"
        );
    }

    #[test]
    fn header_only_is_empty() {
        assert!(read_text("ref,kind\n").unwrap().records.is_empty());
    }

    #[test]
    fn every_cut_reads_or_fails_at_a_line() {
        for (cut, _) in GENERIC.char_indices() {
            match read_text(&GENERIC[..cut]) {
                // A cut inside the quoted ref leaves an open quote: read to the end.
                Ok(inventory) => assert!(inventory.records.len() <= 5),
                Err(e) => assert!(e.line <= 6 && !e.message.is_empty(), "{cut}: {e}"),
            }
        }
    }

    #[test]
    fn detection() {
        assert!(looks_like(GENERIC));
        assert!(looks_like(REF_ONLY));
        assert!(looks_like("ref"));
        assert!(looks_like("ref\r\nx\r\n"));
        assert!(!looks_like("refs,kind\n"));
        assert!(!looks_like("kind,ref\n"));
        assert!(!looks_like("user,arn,user_creation_time\n"));
        assert!(!looks_like(
            "{\"kind\": \"List\", \"apiVersion\": \"v1\", \"items\": []}"
        ));
        assert!(!looks_like(
            "[{\"name\": \"projects/p/serviceAccounts/a/keys/k\"}]"
        ));
        assert!(!looks_like("{\"value\": [{\"appId\": \"ref\"}]}"));
        assert!(!looks_like("apiVersion: v1\nkind: ServiceAccount\n"));
        assert!(!looks_like(""));
    }

    #[test]
    fn wrong_headers() {
        assert_eq!(
            error("kind,ref\ntoken,a\n"),
            (
                1,
                0,
                "the first column must be `ref`, found `kind`: a generic CSV inventory has the header \
                 `ref,kind,created,last_rotated,expires,last_used` (the columns after `ref` are \
                 optional, in any order)"
                    .to_owned()
            )
        );
        assert_eq!(
            error("\u{feff}ref,kind,rotated\na,token,2026-01-01\n"),
            (
                1,
                0,
                "unknown column `rotated`: the columns are `ref`, `kind`, `created`, `last_rotated`, \
                 `expires` or `last_used`"
                    .to_owned()
            )
        );
        assert_eq!(
            error("ref,expiry\n").2,
            "unknown column `expiry`: did you mean `expires`? The columns are `ref`, `kind`, \
             `created`, `last_rotated`, `expires` or `last_used`"
        );
        assert_eq!(
            error("ref,kind,kind\n"),
            (1, 0, "column `kind` appears twice".to_owned())
        );
        assert_eq!(
            error("ref,ref\n"),
            (1, 0, "column `ref` appears twice".to_owned())
        );
        let wrong = include_str!("../../tests/fixtures/inventory/malformed/wrong-header.csv");
        assert_eq!(error(wrong).0, 1);
        assert!(
            error(wrong)
                .2
                .starts_with("the first column must be `ref`, found `username`")
        );
    }

    #[test]
    fn empty_file() {
        for text in ["", "\u{feff}"] {
            let (line, col, message) = error(text);
            assert_eq!((line, col), (0, 0));
            assert!(
                message.starts_with("empty file: expected a generic CSV inventory"),
                "{message}"
            );
        }
    }

    #[test]
    fn truncated_and_overlong_rows() {
        assert_eq!(
            error("ref,kind,created\na,token,2026-01-01\nb,token\n"),
            (
                3,
                0,
                "this record has 2 fields, the header has 3: every record needs one field per \
                 column (is the file cut off, or a comma unquoted?)"
                    .to_owned()
            )
        );
        assert_eq!(error("ref,kind\na,token,extra\n").0, 2);
        assert_eq!(
            error("ref,kind\r\na,token\r\nb\r\n").2,
            "this record has 1 field, the header has 2: every record needs one field per column \
             (is the file cut off, or a comma unquoted?)"
        );
    }

    #[test]
    fn bad_values() {
        assert_eq!(
            error("ref,kind\na,tokn\n"),
            (
                2,
                0,
                "`kind`: unknown identity kind `tokn`: did you mean `token`? expected \
                 `service_account`, `api_key`, `token`, `certificate`, `ssh_key`, `oauth_app`, \
                 `workload_identity`, `secret` or `other`"
                    .to_owned()
            )
        );
        assert_eq!(
            error("ref,created\na,2026-02-30\n"),
            (
                2,
                0,
                "`created`: invalid date `2026-02-30`: expected a real calendar day as YYYY-MM-DD \
                 (2026-12-10) or an RFC 3339 timestamp (2026-12-10T00:00:00Z)"
                    .to_owned()
            )
        );
        assert_eq!(
            error("ref,last_rotated,expires\na,,2026-12-10T00:00:00\n").2,
            "`expires`: invalid date `2026-12-10T00:00:00`: a timestamp needs its offset from UTC: \
             add `Z` (UTC) or one such as `+02:00`"
        );
        assert_eq!(error("ref,last_used\na,N/A\n").0, 2);
        assert_eq!(
            error("ref,kind\nok,token\n,token\n"),
            (
                3,
                0,
                "empty `ref`: every row names the credential's identifier in the system that issued it"
                    .to_owned()
            )
        );
    }
}
