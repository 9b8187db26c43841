//! Property tests over generated registries, valid and mutated.
//!
//! Registries are generated as a model (owners, identities, exceptions,
//! policy), written out as YAML (block or flow style), optionally mutated at
//! the YAML level (a key dropped, a value replaced by another type, an entry
//! duplicated), then loaded and audited in process. Properties:
//! - nothing panics, and every load error and finding points inside its file;
//! - naming an owner for a missing role never adds a `missing-owner` finding;
//! - moving "today" forward never makes a stale, expired or overdue identity fresh;
//! - the same registry split across files gives the same findings;
//! - output is deterministic, whatever the threads and chunking;
//! - sharing values through anchors, aliases and merge keys, and a document
//!   wrapped in `%YAML`/`%TAG` directives and markers, change no finding;
//! - any tag but `!!str` makes a registry invalid: no tag can change a value;
//! - ids that only look alike (a Cyrillic letter) are `confusable-id`.
//!
//! `PROPTEST_CASES` sets the case count (default 64 per property); for a long
//! run: `PROPTEST_CASES=5000 cargo test --release --test properties`.

use nhi_own::keyword::Keyword as _;
use nhi_own::registry::time::parse_date;
use nhi_own::registry::{
    Chunking, Date, IdentityKind, LoadErrors, LoadOptions, Registry, load_bytes,
};
use nhi_own::report::{Finding, Format, Report, Style, render};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::collections::BTreeMap;
use std::fmt::Write as _;

// ---------------------------------------------------------------- YAML tree

/// A YAML node as written out; mappings keep their order and may repeat keys.
#[derive(Debug, Clone)]
enum Y {
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
    /// A scalar written plain when that reads back as the same string.
    Str(String),
    /// A scalar written as is (numbers, booleans, null, dates).
    Raw(String),
    /// A node with an anchor (`&name`).
    Anchored(String, Box<Y>),
    /// An alias (`*name`).
    Alias(String),
}

fn s(text: impl Into<String>) -> Y {
    Y::Str(text.into())
}

fn map(entries: Vec<(&str, Y)>) -> Y {
    Y::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Plain when the text is a harmless word, else a JSON string (valid YAML).
fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !matches!(text, "true" | "false" | "null" | "y" | "n");
    if plain {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap()
    }
}

/// A mapping key: `<<` is written plain, so that it is a merge key.
fn key(k: &str) -> String {
    if k == "<<" { k.to_owned() } else { scalar(k) }
}

fn leaf(y: &Y) -> Option<String> {
    match y {
        Y::Str(t) => Some(scalar(t)),
        Y::Raw(t) => Some(t.clone()),
        Y::Alias(name) => Some(format!("*{name}")),
        // An anchored collection is written in flow style on one line.
        Y::Anchored(name, inner) => {
            let mut text = format!("&{name} ");
            flow(inner, &mut text);
            Some(text.replace('\n', " "))
        }
        Y::Map(m) if m.is_empty() => Some("{}".to_owned()),
        Y::Seq(v) if v.is_empty() => Some("[]".to_owned()),
        _ => None,
    }
}

/// Block style, two-space indentation.
fn block(y: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match y {
        Y::Map(entries) => {
            for (k, v) in entries {
                match leaf(v) {
                    Some(text) => {
                        let _ = writeln!(out, "{pad}{}: {text}", key(k));
                    }
                    None => {
                        let _ = writeln!(out, "{pad}{}:", key(k));
                        block(v, indent + 2, out);
                    }
                }
            }
        }
        Y::Seq(items) => {
            for item in items {
                match leaf(item) {
                    Some(text) => {
                        let _ = writeln!(out, "{pad}- {text}");
                    }
                    None => {
                        // The item's first line shares the dash.
                        let mut inner = String::new();
                        block(item, indent + 2, &mut inner);
                        let _ = write!(out, "{pad}- {}", &inner[indent + 2..]);
                    }
                }
            }
        }
        _ => {
            let _ = writeln!(out, "{pad}{}", leaf(y).unwrap());
        }
    }
}

/// Flow style, one collection per line where it nests.
fn flow(y: &Y, out: &mut String) {
    match y {
        Y::Map(entries) => {
            out.push_str("{\n");
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                if k == "<<" {
                    out.push_str("<<: ");
                } else {
                    let _ = write!(out, "{}: ", serde_json::to_string(k).unwrap());
                }
                flow(v, out);
            }
            out.push_str("\n}");
        }
        Y::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(item, out);
            }
            out.push(']');
        }
        Y::Str(t) => out.push_str(&serde_json::to_string(t).unwrap()),
        Y::Raw(t) => out.push_str(t),
        Y::Alias(name) => {
            let _ = write!(out, "*{name}");
        }
        Y::Anchored(name, inner) => {
            let _ = write!(out, "&{name} ");
            flow(inner, out);
        }
    }
}

fn write_yaml(y: &Y, flow_style: bool) -> String {
    let mut out = String::from("# generated\n");
    if flow_style {
        flow(y, &mut out);
        out.push('\n');
    } else {
        block(y, 0, &mut out);
    }
    out
}

// ---------------------------------------------------------------- the model

const BASE: &str = "2026-01-01";
const EXCEPTABLE: [&str; 7] = [
    "shared-credential",
    "stale-rotation",
    "missing-owner",
    "review-overdue",
    "expired-credential",
    "no-separation-of-duties",
    "missing-escalation",
];
/// Free text, hostile included: every renderer must keep it inert.
const TEXT: [&str; 8] = [
    "Platform",
    "#oncall",
    "pager:sec",
    "\u{1b}[31mred\u{1b}[0m",
    "x\r\n::error::forged",
    "a | b <script>alert(1)</script> ]]>",
    "line\u{2028}sep %0A",
    "\u{202e}txet",
];

fn day(base: Date, offset: i64) -> String {
    (base + chrono::TimeDelta::days(offset)).to_string()
}

#[derive(Debug, Clone)]
struct OwnerM {
    kind: usize, // team, person, vendor
    inactive: bool,
    contact: Option<usize>,
    members: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Ref {
    Known(usize),
    Unknown,
    Empty,
}

#[derive(Debug, Clone)]
struct ExceptionM {
    rule: usize,
    approved_by: Option<Ref>,
    expires: Option<i64>,
}

#[derive(Debug, Clone)]
struct IdentityM {
    id: usize,
    /// Written with a Cyrillic `і` (U+0456): looks like `id-N`, is another id.
    lookalike: bool,
    kind: usize,
    status: usize, // active, deprecated, retired
    roles: [Option<Ref>; 3],
    escalation: Option<usize>,
    privileged: bool,
    created: Option<i64>,
    rotated: Option<i64>,
    max_age: Option<u32>,
    expires: Option<i64>,
    reviewed: Option<i64>,
    revoked: Option<i64>,
    /// Workloads, from a pool of three, repeats included.
    used_by: Vec<usize>,
    exceptions: Vec<ExceptionM>,
}

#[derive(Debug, Clone)]
struct Model {
    policy: Option<(u32, u32, bool)>, // warn_within, max_exception, review-overdue off
    owners: Vec<OwnerM>,
    identities: Vec<IdentityM>,
}

fn owner_id(i: usize) -> String {
    format!("owner-{i}")
}

fn reference(r: &Ref) -> Y {
    match r {
        Ref::Known(i) => s(owner_id(*i)),
        Ref::Unknown => s("nobody-here"),
        Ref::Empty => s(""),
    }
}

fn date(offset: i64) -> Y {
    Y::Raw(day(parse_date(BASE).unwrap(), offset))
}

impl Model {
    fn policy_yaml(&self) -> Option<Y> {
        let (warn, max_exception, review_off) = self.policy?;
        let mut policy = vec![
            ("warn_within", s(format!("{warn}d"))),
            ("max_exception", s(format!("{max_exception}w"))),
        ];
        if review_off {
            policy.push(("severity", map(vec![("review-overdue", s("off"))])));
        }
        Some(map(policy))
    }

    fn owners_yaml(&self) -> Y {
        let kinds = ["team", "person", "vendor"];
        Y::Map(
            self.owners
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let mut e = vec![("kind", s(kinds[o.kind]))];
                    if let Some(c) = o.contact {
                        e.push(("contact", s(TEXT[c])));
                    }
                    if o.inactive {
                        e.push(("status", s("inactive")));
                    }
                    // Only people may be members; others are dropped.
                    let members: Vec<Y> = o
                        .members
                        .iter()
                        .filter(|m| self.owners.get(**m).is_none_or(|p| p.kind == 1))
                        .map(|m| s(owner_id(*m)))
                        .collect();
                    if o.kind == 0 && !members.is_empty() {
                        e.push(("members", Y::Seq(members)));
                    }
                    (owner_id(i), map(e))
                })
                .collect(),
        )
    }

    fn identity_yaml(&self, m: &IdentityM) -> Y {
        let id = if m.lookalike {
            format!("\u{456}d-{}", m.id)
        } else {
            format!("id-{}", m.id)
        };
        let mut e = vec![
            ("id", s(id)),
            ("kind", s(IdentityKind::ALL[m.kind].as_str())),
        ];
        if m.status > 0 {
            e.push(("status", s(["active", "deprecated", "retired"][m.status])));
        }
        let roles: Vec<(&str, Y)> = ["policy", "technical", "revocation"]
            .iter()
            .zip(&m.roles)
            .filter_map(|(role, r)| r.as_ref().map(|r| (*role, reference(r))))
            .collect();
        e.push(("owners", map(roles)));
        if let Some(t) = m.escalation {
            e.push(("escalation", s(TEXT[t])));
        }
        if m.privileged {
            e.push(("privileged", Y::Raw("true".to_owned())));
        }
        if let Some(d) = m.created {
            e.push(("created", date(d)));
        }
        let mut rotation = Vec::new();
        if let Some(d) = m.rotated {
            rotation.push(("last_rotated", date(d)));
        }
        if let Some(a) = m.max_age {
            rotation.push(("max_age", s(format!("{a}d"))));
        }
        if !rotation.is_empty() {
            e.push(("rotation", map(rotation)));
        }
        if let Some(d) = m.expires {
            e.push(("expires", date(d)));
        }
        if let Some(d) = m.reviewed {
            e.push(("last_reviewed", date(d)));
        }
        if let Some(d) = m.revoked {
            e.push(("revoked", date(d)));
        }
        if !m.used_by.is_empty() {
            let workloads = m.used_by.iter().map(|w| s(format!("workload-{w}")));
            e.push(("used_by", Y::Seq(workloads.collect())));
        }
        if !m.exceptions.is_empty() {
            let list = m
                .exceptions
                .iter()
                .map(|x| {
                    let mut f = vec![
                        ("rule", s(EXCEPTABLE[x.rule])),
                        ("reason", s(TEXT[x.rule % TEXT.len()])),
                    ];
                    if let Some(r) = &x.approved_by {
                        f.push(("approved_by", reference(r)));
                    }
                    if let Some(d) = x.expires {
                        f.push(("expires", date(d)));
                    }
                    map(f)
                })
                .collect();
            e.push(("exceptions", Y::Seq(list)));
        }
        map(e)
    }

    /// The whole registry as one document.
    fn yaml(&self) -> Y {
        let mut top = vec![("version", Y::Raw("1".to_owned()))];
        if let Some(p) = self.policy_yaml() {
            top.push(("policy", p));
        }
        if !self.owners.is_empty() {
            top.push(("owners", self.owners_yaml()));
        }
        top.push((
            "identities",
            Y::Seq(
                self.identities
                    .iter()
                    .map(|m| self.identity_yaml(m))
                    .collect(),
            ),
        ));
        map(top)
    }

    /// The registry as a directory file and `parts` files of identities, in order.
    fn split(&self, parts: usize) -> Vec<Y> {
        let mut head = vec![("version", Y::Raw("1".to_owned()))];
        if let Some(p) = self.policy_yaml() {
            head.push(("policy", p));
        }
        if !self.owners.is_empty() {
            head.push(("owners", self.owners_yaml()));
        }
        let mut files = vec![map(head)];
        let per = self.identities.len().div_ceil(parts.max(1)).max(1);
        for chunk in self.identities.chunks(per) {
            files.push(map(vec![
                ("version", Y::Raw("1".to_owned())),
                (
                    "identities",
                    Y::Seq(chunk.iter().map(|m| self.identity_yaml(m)).collect()),
                ),
            ]));
        }
        files
    }
}

fn reference_strategy(owners: usize) -> impl Strategy<Value = Ref> {
    prop_oneof![
        6 => (0..owners.max(1)).prop_map(Ref::Known),
        1 => Just(Ref::Unknown),
        1 => Just(Ref::Empty),
    ]
}

fn offset() -> impl Strategy<Value = i64> {
    -900i64..400
}

fn exception_strategy(owners: usize) -> impl Strategy<Value = ExceptionM> {
    (
        0..EXCEPTABLE.len(),
        // An empty `approved_by` is a load error, not a finding.
        prop::option::weighted(
            0.8,
            prop_oneof![
                6 => (0..owners.max(1)).prop_map(Ref::Known),
                1 => Just(Ref::Unknown),
            ],
        ),
        prop::option::weighted(0.8, offset()),
    )
        .prop_map(|(rule, approved_by, expires)| ExceptionM {
            rule,
            approved_by,
            expires,
        })
}

fn identity_strategy(owners: usize) -> impl Strategy<Value = IdentityM> {
    let role = move || prop::option::weighted(0.8, reference_strategy(owners));
    let date = || prop::option::weighted(0.7, offset());
    (
        (
            0usize..12,
            prop::bool::weighted(0.1),
            0..IdentityKind::ALL.len(),
            prop::sample::select(vec![0, 0, 0, 1, 2]),
        ),
        [role(), role(), role()],
        (prop::option::of(0..TEXT.len()), any::<bool>()),
        (date(), date(), prop::option::weighted(0.2, 1u32..400)),
        (
            date(),
            date(),
            prop::option::weighted(0.2, offset()),
            prop::collection::vec(0usize..3, 0..3),
        ),
        prop::collection::vec(exception_strategy(owners), 0..3),
    )
        .prop_map(
            |(
                (id, lookalike, kind, status),
                roles,
                (escalation, privileged),
                (created, rotated, max_age),
                (expires, reviewed, revoked, used_by),
                exceptions,
            )| IdentityM {
                id,
                lookalike,
                kind,
                status,
                roles,
                escalation,
                privileged,
                created,
                rotated,
                max_age,
                expires,
                reviewed,
                revoked,
                used_by,
                exceptions,
            },
        )
}

fn model() -> impl Strategy<Value = Model> {
    (0usize..7)
        .prop_flat_map(|owners| {
            (
                prop::option::of((1u32..60, 1u32..30, any::<bool>())),
                prop::collection::vec(
                    (
                        0usize..3,
                        prop::bool::weighted(0.2),
                        prop::option::of(0..TEXT.len()),
                        prop::collection::vec(0..owners + 1, 0..3),
                    )
                        .prop_map(|(kind, inactive, contact, members)| {
                            OwnerM {
                                kind,
                                inactive,
                                contact,
                                members,
                            }
                        }),
                    owners,
                ),
                prop::collection::vec(identity_strategy(owners), 0..10),
            )
        })
        .prop_map(|(policy, owners, identities)| Model {
            policy,
            owners,
            identities,
        })
}

// ---------------------------------------------------------------- mutations

#[derive(Debug, Clone)]
enum Mutation {
    DropKey(usize),
    Replace(usize, usize),
    DuplicateEntry(usize),
    ShiftDate(usize, i64),
    /// A forbidden tag on a scalar.
    Tag(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropKey),
        (any::<usize>(), 0usize..REPLACEMENTS.len()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        any::<usize>().prop_map(Mutation::DuplicateEntry),
        (any::<usize>(), -4000i64..4000).prop_map(|(a, b)| Mutation::ShiftDate(a, b)),
        (any::<usize>(), 0usize..FORBIDDEN_TAGS.len()).prop_map(|(a, b)| Mutation::Tag(a, b)),
    ]
}

/// Values of every other type, and of no type, and tagged values.
const REPLACEMENTS: [&str; 15] = [
    "null",
    "42",
    "true",
    "[]",
    "{}",
    "[a, b]",
    "{x: 1}",
    "\"\"",
    "2026-13-45",
    "-1d",
    "!!null inactive",
    "!x retired",
    "!<tag:yaml.org,2002:bool> true",
    "!!int 7",
    "!!str 2026-01-01",
];

/// Tags a registry may not hold, in every spelling: a value tagged with one
/// makes the registry invalid.
const FORBIDDEN_TAGS: [&str; 7] = [
    "!!null",
    "!!bool",
    "!!int",
    "!x",
    "!",
    "!<tag:yaml.org,2002:null>",
    "!<tag:example.com,2026:x>",
];

/// Counts the nodes of `y` (pre-order) and applies `f` to the `n`th one.
fn visit(y: &mut Y, n: &mut usize, f: &mut dyn FnMut(&mut Y) -> bool) -> bool {
    if *n == 0 {
        return f(y);
    }
    *n -= 1;
    match y {
        Y::Map(entries) => entries.iter_mut().any(|(_, v)| visit(v, n, f)),
        Y::Seq(items) => items.iter_mut().any(|v| visit(v, n, f)),
        _ => false,
    }
}

fn count(y: &Y) -> usize {
    1 + match y {
        Y::Map(entries) => entries.iter().map(|(_, v)| count(v)).sum(),
        Y::Seq(items) => items.iter().map(count).sum(),
        Y::Anchored(_, inner) => count(inner),
        _ => 0,
    }
}

/// The registry with values shared the YAML way: the first identity with a
/// given `owners` mapping anchors it, and later ones with the same mapping
/// alias it (`owners: *o0`) or merge it (`owners: { <<: *o0 }`), in turn.
fn share(y: &mut Y) {
    let Y::Map(top) = y else { return };
    let Some((_, Y::Seq(identities))) = top.iter_mut().find(|(k, _)| k == "identities") else {
        return;
    };
    let mut anchors: Vec<(String, String)> = Vec::new(); // (owners as written, anchor)
    let mut uses = 0;
    for identity in identities {
        let Y::Map(entries) = identity else { continue };
        let Some((_, owners)) = entries.iter_mut().find(|(k, _)| k == "owners") else {
            continue;
        };
        if matches!(owners, Y::Map(m) if m.is_empty()) {
            continue;
        }
        let written = format!("{owners:?}");
        match anchors.iter().find(|(w, _)| *w == written) {
            Some((_, name)) => {
                uses += 1;
                *owners = if uses % 2 == 0 {
                    Y::Alias(name.clone())
                } else {
                    Y::Map(vec![("<<".to_owned(), Y::Alias(name.clone()))])
                };
            }
            None => {
                let name = format!("o{}", anchors.len());
                anchors.push((written, name.clone()));
                *owners = Y::Anchored(name, Box::new(owners.clone()));
            }
        }
    }
}

fn mutate(y: &mut Y, m: &Mutation) {
    let total = count(y);
    match m {
        Mutation::DropKey(at) => {
            let mut n = at % total;
            visit(y, &mut n, &mut |node| match node {
                Y::Map(entries) if !entries.is_empty() => {
                    let i = at % entries.len();
                    entries.remove(i);
                    true
                }
                _ => false,
            });
        }
        Mutation::Replace(at, with) => {
            let mut n = at % total;
            visit(y, &mut n, &mut |node| {
                *node = Y::Raw(REPLACEMENTS[*with].to_owned());
                true
            });
        }
        Mutation::Tag(at, tag) => {
            let mut n = at % total;
            visit(y, &mut n, &mut |node| match node {
                Y::Str(text) => {
                    *node = Y::Raw(format!(
                        "{} {}",
                        FORBIDDEN_TAGS[*tag],
                        serde_json::to_string(text).unwrap()
                    ));
                    true
                }
                Y::Raw(text) if !text.starts_with('!') => {
                    *node = Y::Raw(format!("{} {text}", FORBIDDEN_TAGS[*tag]));
                    true
                }
                _ => false,
            });
        }
        Mutation::DuplicateEntry(at) => {
            let mut n = at % total;
            visit(y, &mut n, &mut |node| match node {
                Y::Seq(items) if !items.is_empty() => {
                    let copy = items[at % items.len()].clone();
                    items.push(copy);
                    true
                }
                // Duplicate keys are invalid YAML for a registry: exit 2.
                Y::Map(entries) if !entries.is_empty() => {
                    let copy = entries[at % entries.len()].clone();
                    entries.push(copy);
                    true
                }
                _ => false,
            });
        }
        Mutation::ShiftDate(at, days) => {
            let mut n = at % total;
            visit(y, &mut n, &mut |node| match node {
                Y::Raw(text) => match parse_date(text) {
                    Ok(d) => {
                        *text = day(d, *days);
                        true
                    }
                    Err(_) => false,
                },
                _ => false,
            });
        }
    }
}

// ---------------------------------------------------------------- running

fn options(threads: usize, chunking: Chunking) -> LoadOptions {
    LoadOptions {
        threads,
        chunking,
        ..LoadOptions::default()
    }
}

fn load(files: &[(&str, &str)], options: &LoadOptions) -> Result<Registry, LoadErrors> {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    load_bytes(&bytes, options)
}

fn today(offset: i64) -> Date {
    parse_date(&day(parse_date(BASE).unwrap(), offset)).unwrap()
}

fn render_all(report: &Report) -> Vec<String> {
    Format::all()
        .iter()
        .map(|f| {
            render(
                report,
                *f,
                Style {
                    color: false,
                    width: Some(120),
                    ..Style::default()
                },
            )
        })
        .collect()
}

/// `line:col` is a position of `source` (or just past a line's end).
fn inside(source: &str, line: u32, col: u32) -> bool {
    let lines: Vec<&str> = source.split('\n').collect();
    let Some(text) = (line as usize).checked_sub(1).and_then(|i| lines.get(i)) else {
        return false;
    };
    col >= 1 && col as usize <= text.chars().count() + 1
}

/// What a finding says, leaving out where it is written.
type Said = (String, String, Option<String>, Option<String>, String);

fn said(f: &Finding) -> Said {
    (
        f.rule.as_str().to_owned(),
        f.severity.as_str().to_owned(),
        f.identity().map(str::to_owned),
        f.owner().map(str::to_owned),
        f.detail.clone(),
    )
}

/// Every finding, suppressed ones included, as a sorted multiset.
fn everything_said(report: &Report) -> Vec<Said> {
    let mut all: Vec<Said> = report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding))
        .map(said)
        .collect();
    all.sort();
    all
}

/// Loads one file, checks that errors and findings are located inside it and
/// that every format renders; returns the report's findings on success.
/// An invalid registry fails the case unless `may_be_invalid`.
fn check_one(text: &str, now: Date, may_be_invalid: bool) -> Result<Vec<Said>, TestCaseError> {
    let files = [("reg.yaml", text)];
    match load(&files, &options(1, Chunking::Off)) {
        Err(errors) => {
            prop_assert!(!errors.0.is_empty());
            for e in &errors.0 {
                prop_assert!(
                    inside(text, e.line, e.col),
                    "error outside the file: {e}\n{text}"
                );
            }
            if may_be_invalid {
                Err(TestCaseError::reject("invalid registry"))
            } else {
                Err(TestCaseError::fail(format!(
                    "a generated registry did not load:\n{text}\n{errors}"
                )))
            }
        }
        Ok(registry) => {
            let report = nhi_own::audit::audit(&registry, now);
            for f in &report.findings {
                prop_assert!(
                    inside(text, f.line, f.column),
                    "finding outside the file: {f:?}\n{text}"
                );
            }
            for out in render_all(&report) {
                prop_assert!(!out.is_empty() || report.findings.is_empty());
            }
            Ok(everything_said(&report))
        }
    }
}

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(64),
        // Mutated registries are often invalid; that is the point.
        max_global_rejects: 100_000,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Generated registries load (they are valid by construction), and
    /// everything is located inside the file, in both styles.
    #[test]
    fn valid_registries_load_and_findings_are_located(m in model(), flow_style in any::<bool>(), now in 0i64..400) {
        let text = write_yaml(&m.yaml(), flow_style);
        check_one(&text, today(now), false)?;
    }

    /// Mutated registries never panic: they load and audit, or fail with
    /// errors located inside the file.
    #[test]
    fn mutated_registries_never_panic(
        m in model(),
        mutations in prop::collection::vec(mutation(), 1..4),
        flow_style in any::<bool>(),
        now in 0i64..400,
    ) {
        let mut y = m.yaml();
        for mutation in &mutations {
            mutate(&mut y, mutation);
        }
        let text = write_yaml(&y, flow_style);
        match check_one(&text, today(now), true) {
            Ok(_) => {}
            Err(TestCaseError::Reject(_)) => {}
            Err(e) => return Err(e),
        }
    }

    /// Naming an owner for a missing role never adds a `missing-owner` finding.
    #[test]
    fn adding_a_missing_owner_never_adds_a_missing_owner_finding(
        m in model(),
        pick in any::<usize>(),
        role in 0usize..3,
        fill in prop_oneof![Just(Ref::Unknown), (0usize..8).prop_map(Ref::Known)],
        now in 0i64..400,
    ) {
        prop_assume!(!m.identities.is_empty());
        let before = check_one(&write_yaml(&m.yaml(), false), today(now), false)?;
        let mut after_model = m.clone();
        let i = pick % after_model.identities.len();
        prop_assume!(matches!(after_model.identities[i].roles[role], None | Some(Ref::Empty)));
        after_model.identities[i].roles[role] = Some(fill);
        let after = check_one(&write_yaml(&after_model.yaml(), false), today(now), false)?;
        let missing = |all: &[Said]| all.iter().filter(|s| s.0 == "missing-owner").cloned().collect::<Vec<_>>();
        let (before, after) = (missing(&before), missing(&after));
        for finding in &after {
            prop_assert!(before.contains(finding), "new finding {finding:?}");
        }
        prop_assert!(after.len() <= before.len());
    }

    /// Moving today forward never makes a stale, expired or overdue identity
    /// fresh (suppressed findings count: an exception only expires).
    #[test]
    fn later_days_never_make_an_identity_fresh(m in model(), now in 0i64..400, later in 0i64..800) {
        let text = write_yaml(&m.yaml(), false);
        let early = check_one(&text, today(now), false)?;
        let late = check_one(&text, today(now + later), false)?;
        for rule in ["stale-rotation", "expired-credential", "review-overdue", "missing-rotation", "expired-exception"] {
            let of = |all: &[Said]| all.iter().filter(|s| s.0 == rule).map(|s| (s.2.clone(), s.4.clone())).collect::<Vec<_>>();
            let (early, late) = (of(&early), of(&late));
            for finding in &early {
                prop_assert!(late.contains(finding), "{rule} {finding:?} went away {later} days later\n{text}");
            }
        }
    }

    /// The same registry in one file or split across several gives the same
    /// findings, whatever the threads and chunking.
    #[test]
    fn splitting_across_files_gives_the_same_findings(m in model(), parts in 1usize..4, now in 0i64..400) {
        let one = check_one(&write_yaml(&m.yaml(), false), today(now), false)?;
        let texts: Vec<String> = m.split(parts).iter().enumerate().map(|(i, y)| write_yaml(y, i % 2 == 1)).collect();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("part-{i}.yaml")).collect();
        let files: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(texts.iter().map(String::as_str)).collect();
        let registry = load(&files, &options(2, Chunking::Bytes(64)));
        let registry = match registry {
            Ok(r) => r,
            Err(e) => return Err(TestCaseError::fail(format!("split registry failed to load: {e}"))),
        };
        let report = nhi_own::audit::audit(&registry, today(now));
        for f in &report.findings {
            let text = &texts[names.iter().position(|n| *n == f.file).unwrap()];
            prop_assert!(inside(text, f.line, f.column), "finding outside {}: {f:?}", f.file);
        }
        prop_assert_eq!(everything_said(&report), one);
    }

    /// Anchors, aliases and merge keys that share one `owners` mapping among
    /// identities change no finding (only where values are located).
    #[test]
    fn sharing_values_changes_no_finding(m in model(), flow_style in any::<bool>(), now in 0i64..400) {
        let plain = check_one(&write_yaml(&m.yaml(), false), today(now), false)?;
        let mut y = m.yaml();
        share(&mut y);
        let shared = write_yaml(&y, flow_style);
        prop_assert_eq!(check_one(&shared, today(now), false)?, plain, "{}", shared);
    }

    /// `%YAML` and `%TAG` directives and the document markers around the
    /// registry change no finding, whole or chunked.
    #[test]
    fn directives_and_markers_change_no_finding(m in model(), now in 0i64..400) {
        let text = write_yaml(&m.yaml(), false);
        let plain = check_one(&text, today(now), false)?;
        let wrapped = format!("%YAML 1.2\n%TAG !e! tag:example.com,2026:\n---\n{text}...\n");
        prop_assert_eq!(check_one(&wrapped, today(now), false)?, plain.clone());
        let files = [("reg.yaml", wrapped.as_str())];
        let registry = load(&files, &options(2, Chunking::Bytes(40))).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(everything_said(&nhi_own::audit::audit(&registry, today(now))), plain);
    }

    /// A forbidden tag anywhere makes the registry invalid, at the tag: no tag
    /// can turn text into null, a number or a boolean and pass the audit.
    #[test]
    fn forbidden_tags_always_fail_closed(m in model(), at in any::<usize>(), tag in 0usize..FORBIDDEN_TAGS.len(), flow_style in any::<bool>()) {
        let mut y = m.yaml();
        let before = format!("{y:?}");
        mutate(&mut y, &Mutation::Tag(at, tag));
        prop_assume!(format!("{y:?}") != before);
        let text = write_yaml(&y, flow_style);
        match load(&[("reg.yaml", text.as_str())], &options(1, Chunking::Off)) {
            Ok(_) => return Err(TestCaseError::fail(format!("a tagged registry loaded:\n{text}"))),
            Err(errors) => prop_assert!(
                errors.0.iter().any(|e| e.message.contains("is not part of the registry format")),
                "{errors}\n{text}"
            ),
        }
    }

    /// Output is deterministic: loading and rendering twice, on one thread and
    /// on several, whole and chunked, gives byte-identical reports.
    #[test]
    fn output_is_deterministic(m in model(), now in 0i64..400) {
        let text = write_yaml(&m.yaml(), false);
        let files = [("reg.yaml", text.as_str())];
        let mut outputs = Vec::new();
        for opts in [options(1, Chunking::Off), options(2, Chunking::Bytes(40)), options(4, Chunking::Auto), options(1, Chunking::Off)] {
            let registry = load(&files, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
            outputs.push(render_all(&nhi_own::audit::audit(&registry, today(now))));
        }
        for other in &outputs[1..] {
            prop_assert_eq!(other, &outputs[0]);
        }
    }
}

/// The generator reaches every rule a registry can trigger: a property that
/// only ever sees clean registries would prove little.
#[test]
fn generated_registries_reach_every_rule() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..400 {
        let m = model().new_tree(&mut runner).unwrap().current();
        let text = write_yaml(&m.yaml(), false);
        let registry = load(&[("reg.yaml", &text)], &options(1, Chunking::Off))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let report = nhi_own::audit::audit(&registry, today(200));
        for said in everything_said(&report) {
            *seen.entry(said.0).or_default() += 1;
        }
    }
    let missing: Vec<&str> = nhi_own::rules::RuleId::ALL
        .iter()
        .map(|r| r.as_str())
        .filter(|r| !seen.contains_key(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "never generated: {missing:?}; seen: {seen:?}"
    );
}

/// The sharing writer really writes anchors, aliases and merge keys, in both
/// styles, and the loader reads them as the plain registry.
#[test]
fn shared_registries_use_anchors_aliases_and_merge_keys() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = (false, false);
    for _ in 0..200 {
        let m = model().new_tree(&mut runner).unwrap().current();
        let mut y = m.yaml();
        share(&mut y);
        for flow_style in [false, true] {
            let text = write_yaml(&y, flow_style);
            seen.0 |= text.contains("&o0") && text.contains("*o0");
            seen.1 |= text.contains("<<: *o");
            let shared =
                check_one(&text, today(100), false).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let plain = check_one(&write_yaml(&m.yaml(), false), today(100), false).unwrap();
            assert_eq!(shared, plain, "{text}");
        }
    }
    assert_eq!(seen, (true, true), "no alias or no merge key was written");
}
