//! Inventories (SPEC §6): files exported from the systems that issue
//! credentials, read into one model of records and their credentials, so
//! that `reconcile` and `import` see every provider alike.
//!
//! One file per format; the format is detected from the content
//! ([`detect`]), or forced. Every reader fails closed: anything it cannot
//! read or does not recognise is an [`InventoryError`] naming the file, the
//! line (and column, for JSON and YAML) and what was expected. Within a
//! well-formed record, the providers' special values (`N/A`, a missing
//! field) are read as absent, never as errors.

pub mod aws;
pub mod entra;
pub mod gcp;
pub mod generic;
pub mod kubernetes;

use crate::keyword::keyword_enum;
use crate::registry::{Date, IdentityKind};
use std::fmt;

keyword_enum! {
    /// The inventory formats of SPEC §6.
    pub enum Format {
        AwsCredentialReport => "aws-credential-report",
        Kubernetes => "kubernetes",
        GcpKeys => "gcp-keys",
        EntraApplications => "entra-applications",
        Csv => "csv",
    }
}

/// A 1-based position in an inventory file: a CSV record's line (column 1),
/// or a JSON/YAML node's line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct At {
    pub line: u32,
    pub col: u32,
}

/// What an inventory covers: an identity whose `ref` lies in a scope an
/// inventory covers, and that no record matches, is `absent-from-inventory`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An AWS account id: refs `arn:aws:iam::ACCOUNT:…` (any partition).
    AwsAccount(String),
    /// A Kubernetes namespace the listing shows (its `default` account is
    /// listed even when skipped): refs `system:serviceaccount:NS:…`.
    KubernetesNamespace(String),
    /// A GCP service account whose keys are listed (a key listing covers one
    /// account, `--iam-account`): refs that are its email, or the name of one
    /// of its keys (`projects/P/serviceAccounts/EMAIL/keys/K`).
    GcpServiceAccount(String),
    /// An Entra ID export: refs that are application ids (GUIDs).
    EntraApplications,
}

/// One credential of a record: an access key, a certificate, a key, a
/// client secret, a token Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// How the provider names it: `access key 1`, `key 0123abcd…`,
    /// `client secret "prod" (keyId 5b0c…)`.
    pub name: String,
    pub at: At,
    /// The latest rotation the inventory records (when the credential was
    /// issued or rotated); `None` where it records none.
    pub rotated: Option<Date>,
    pub expires: Option<Date>,
    /// `Some(None)` when the inventory records use and shows none; `None`
    /// when it does not record use at all.
    pub last_used: Option<Option<Date>>,
    /// Disabled or inactive credentials are listed but judged by nothing.
    pub active: bool,
}

/// One record: a principal as the inventory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The identifier a registry identity names as its `ref`.
    pub reference: String,
    /// Other refs that match this record: a GCP key's service-account email.
    pub aliases: Vec<String>,
    pub at: At,
    /// The identity kind an `import` gives it.
    pub kind: IdentityKind,
    /// When the principal was created (not a rotation of its credentials).
    pub created: Option<Date>,
    /// A name to derive an `import`ed id from (`ci-deploy` for an IAM user).
    pub name: String,
    /// What the inventory says about it, for an `import`ed `description`.
    pub description: String,
    pub credentials: Vec<Credential>,
    /// A human way in: `console password enabled, last used 2026-10-01`.
    pub interactive: Option<String>,
    /// A person rather than a non-human identity (an IAM user with a console
    /// password and no active key or certificate): skipped unless
    /// `--include-humans`.
    pub human: bool,
    /// Links shown in the report (`eks.amazonaws.com/role-arn: …`).
    pub links: Vec<String>,
}

/// An inventory file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    pub format: Format,
    pub records: Vec<Record>,
    pub scopes: Vec<Scope>,
    /// Records skipped by the reader itself (Kubernetes `default`
    /// accounts, GCP system-managed keys), counted for the summary.
    pub skipped: usize,
    /// The refs of what the inventory lists but makes no record of: a
    /// namespace's skipped `default` account, an Entra application without
    /// credentials, a GCP service account (listed through its keys, even
    /// when Google manages them all) and its system-managed keys, an AWS
    /// account's root. An identity that names one is in the inventory, so
    /// it is not `absent-from-inventory`.
    pub listed: Vec<String>,
}

/// What makes an inventory file unreadable (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryError {
    /// 0 when the problem is the file as a whole.
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl InventoryError {
    pub fn new(line: u32, col: u32, message: impl Into<String>) -> Self {
        InventoryError {
            line,
            col,
            message: message.into(),
        }
    }
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.col) {
            (0, _) => write!(f, "{}", self.message),
            (line, 0) => write!(f, "{line}: {}", self.message),
            (line, col) => write!(f, "{line}:{col}: {}", self.message),
        }
    }
}

/// How a reader is asked to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Keep Kubernetes namespaces' `default` service accounts.
    pub include_default: bool,
}

/// A located JSON or YAML tree (the registry's YAML layer reads both: JSON
/// is YAML).
pub type Node<'a> = crate::registry::yaml::Node<'a>;
pub use crate::registry::yaml::Value;

/// The documents of a JSON or YAML inventory, each a located tree: one JSON
/// value, or several written one after another (paged exports, `>>`), or
/// the documents of a YAML stream.
pub fn documents(text: &str) -> Result<Vec<Node<'_>>, InventoryError> {
    // A byte-order mark is no part of the document (editors on Windows
    // write one).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let yaml_error =
        |e: crate::registry::yaml::YamlError| InventoryError::new(e.pos.line, e.pos.col, e.message);
    let first = text.trim_start_matches([' ', '\t', '\r', '\n']);
    if !(first.starts_with('[') || first.starts_with('{')) {
        return crate::registry::yaml::parse_documents(text).map_err(yaml_error);
    }
    // JSON: find where each value ends, then read each as a located tree.
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(value) = values.next() {
        value.map_err(|e| {
            InventoryError::new(
                u32::try_from(e.line()).unwrap_or(u32::MAX),
                u32::try_from(e.column().max(1)).unwrap_or(u32::MAX),
                format!("invalid JSON: {e}"),
            )
        })?;
        let end = values.byte_offset();
        let slice = &text[start..end];
        let mut nodes = crate::registry::yaml::parse_documents(slice).map_err(|e| {
            let (line, col) = shifted(text, start, e.pos.line, e.pos.col);
            InventoryError::new(line, col, e.message)
        })?;
        for node in &mut nodes {
            shift(node, text, start);
        }
        out.extend(nodes);
        start = end;
    }
    Ok(out)
}

/// A position within `text[start..]` as a position within `text`.
fn shifted(text: &str, start: usize, line: u32, col: u32) -> (u32, u32) {
    let before = &text[..start];
    let lines = u32::try_from(before.matches('\n').count()).unwrap_or(u32::MAX);
    if line == 1 {
        let cols = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
        (
            1 + lines,
            col.saturating_add(u32::try_from(cols).unwrap_or(u32::MAX)),
        )
    } else {
        (line.saturating_add(lines), col)
    }
}

fn shift(node: &mut Node<'_>, text: &str, start: usize) {
    if start == 0 {
        return;
    }
    let (line, col) = shifted(text, start, node.pos.line, node.pos.col);
    node.pos.line = line;
    node.pos.col = col;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, text, start)),
        Value::Map(entries) => {
            for (key, value) in entries {
                let (line, col) = shifted(text, start, key.pos.line, key.pos.col);
                key.pos.line = line;
                key.pos.col = col;
                shift(value, text, start);
            }
        }
        _ => {}
    }
}

/// The value of `key` in a mapping node.
pub fn get<'n, 'a>(node: &'n Node<'a>, key: &str) -> Option<&'n Node<'a>> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v),
        _ => None,
    }
}

/// The text of a scalar node (a string, or a number or boolean as written).
pub fn text<'n>(node: Option<&'n Node<'_>>) -> Option<&'n str> {
    node.and_then(|n| n.value.scalar_text())
}

/// Where a node is.
pub fn at(node: &Node<'_>) -> At {
    At {
        line: node.pos.line,
        col: node.pos.col,
    }
}

/// The format of an inventory, told from its content; `None` when it is
/// none of them.
pub fn detect(text: &str) -> Option<Format> {
    if aws::looks_like(text) {
        Some(Format::AwsCredentialReport)
    } else if generic::looks_like(text) {
        Some(Format::Csv)
    } else if kubernetes::looks_like(text) {
        Some(Format::Kubernetes)
    } else if gcp::looks_like(text) {
        Some(Format::GcpKeys)
    } else if entra::looks_like(text) {
        Some(Format::EntraApplications)
    } else {
        None
    }
}

/// Reads an inventory's text in `format`, or in the format its content shows.
pub fn read_text(
    text: &str,
    format: Option<Format>,
    options: &ReadOptions,
) -> Result<Inventory, InventoryError> {
    let Some(format) = format.or_else(|| detect(text)) else {
        return Err(InventoryError::new(
            1,
            1,
            "not an inventory nhi-own reads: expected an AWS IAM credential report, \
             `kubectl get serviceaccounts -A -o json`, `gcloud iam service-accounts keys list \
             --format=json`, Microsoft Graph `GET /applications` or `az ad app list`, or a CSV \
             with the header `ref,kind,created,last_rotated,expires,last_used` \
             (`--inventory-format` names one)",
        ));
    };
    match format {
        Format::AwsCredentialReport => aws::read(text, options),
        Format::Kubernetes => kubernetes::read(text, options),
        Format::GcpKeys => gcp::read(text, options),
        Format::EntraApplications => entra::read(text, options),
        Format::Csv => generic::read(text, options),
    }
}

/// Reads the inventory file at `path` (shown as `display`), at most
/// `max_bytes` long, with the digest of the bytes read; a problem is a load
/// error located in it.
pub fn read_file(
    path: &std::path::Path,
    display: &str,
    format: Option<Format>,
    options: &ReadOptions,
    max_bytes: u64,
) -> Result<(Inventory, crate::registry::FileDigest), crate::registry::LoadError> {
    let text = crate::registry::read_file(path, display, max_bytes)?;
    let digest = crate::registry::FileDigest::of(text.as_bytes());
    read_text(&text, format, options)
        .map(|inventory| (inventory, digest))
        .map_err(|e| crate::registry::LoadError {
            file: Some(display.to_owned()),
            line: e.line,
            // A CSV error has a line and no column (0): located, like a CSV
            // record, at the line's column 1, as `FILE:LINE:COL` and every
            // report format count columns from 1.
            col: if e.line > 0 { e.col.max(1) } else { 0 },
            message: e.message,
            help: None,
        })
}

/// An error at a node of a JSON or YAML inventory.
pub(crate) fn error(node: &Node<'_>, message: impl Into<String>) -> InventoryError {
    InventoryError::new(node.pos.line, node.pos.col, message)
}

/// The text of a scalar node: `None` when null or empty; an error for a list
/// or an object.
pub(crate) fn string<'n>(node: &'n Node<'_>, key: &str) -> Result<Option<&'n str>, InventoryError> {
    match &node.value {
        Value::Null => Ok(None),
        Value::Seq(_) | Value::Map(_) => Err(error(
            node,
            format!("`{key}` is {}: expected a string", node.value.describe()),
        )),
        _ => Ok(text(Some(node)).filter(|t| !t.is_empty())),
    }
}

/// The timestamp at `key` of an object: `None` when absent, null or empty;
/// an error when it is no RFC 3339 timestamp (fractional seconds, up to the
/// seven digits Microsoft Graph writes, are read).
pub(crate) fn timestamp(node: &Node<'_>, key: &str) -> Result<Option<Date>, InventoryError> {
    let Some(value) = get(node, key) else {
        return Ok(None);
    };
    match &value.value {
        Value::Str(stamp) if !stamp.is_empty() => crate::registry::time::parse_date(stamp)
            .map(Some)
            .map_err(|e| error(value, format!("`{key}`: {e}"))),
        Value::Str(_) | Value::Null => Ok(None),
        other => Err(error(
            value,
            format!(
                "`{key}` is {}: expected an RFC 3339 timestamp such as 2026-12-05T10:15:42Z",
                other.describe()
            ),
        )),
    }
}

/// `7d1c6e2a-…`: 8-4-4-4-12 hexadecimal digits (an Entra application id).
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}
