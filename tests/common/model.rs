//! Generated registries for property tests: a model of owners, identities,
//! exceptions and policy, written out as YAML (block or flow style), and
//! mutations at the YAML level. Shared by the property tests and by the
//! differential test of the JSON Schema against the loader.
#![allow(dead_code)]

use nhi_own::keyword::Keyword as _;
use nhi_own::registry::Date;
use nhi_own::registry::IdentityKind;
use nhi_own::registry::time::parse_date;
use proptest::prelude::*;
use std::fmt::Write as _;

// ---------------------------------------------------------------- YAML tree

/// A YAML node as written out; mappings keep their order and may repeat keys.
#[derive(Debug, Clone)]
pub enum Y {
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

pub fn s(text: impl Into<String>) -> Y {
    Y::Str(text.into())
}

pub fn map(entries: Vec<(&str, Y)>) -> Y {
    Y::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Plain when the text is a harmless word, else a JSON string (valid YAML).
pub fn scalar(text: &str) -> String {
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
pub fn key(k: &str) -> String {
    if k == "<<" { k.to_owned() } else { scalar(k) }
}

pub fn leaf(y: &Y) -> Option<String> {
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
pub fn block(y: &Y, indent: usize, out: &mut String) {
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
pub fn flow(y: &Y, out: &mut String) {
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

pub fn write_yaml(y: &Y, flow_style: bool) -> String {
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

pub const BASE: &str = "2026-01-01";
pub const EXCEPTABLE: [&str; 7] = [
    "shared-credential",
    "stale-rotation",
    "missing-owner",
    "review-overdue",
    "expired-credential",
    "no-separation-of-duties",
    "missing-escalation",
];
/// Free text, hostile included: every renderer must keep it inert.
pub const TEXT: [&str; 8] = [
    "Platform",
    "#oncall",
    "pager:sec",
    "\u{1b}[31mred\u{1b}[0m",
    "x\r\n::error::forged",
    "a | b <script>alert(1)</script> ]]>",
    "line\u{2028}sep %0A",
    "\u{202e}txet",
];

pub fn day(base: Date, offset: i64) -> String {
    (base + chrono::TimeDelta::days(offset)).to_string()
}

#[derive(Debug, Clone)]
pub struct OwnerM {
    pub kind: usize, // team, person, vendor
    pub inactive: bool,
    pub contact: Option<usize>,
    pub members: Vec<usize>,
}

#[derive(Debug, Clone)]
pub enum Ref {
    Known(usize),
    Unknown,
    Empty,
}

#[derive(Debug, Clone)]
pub struct ExceptionM {
    pub rule: usize,
    pub approved_by: Option<Ref>,
    pub expires: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct IdentityM {
    pub id: usize,
    /// Written with a Cyrillic `і` (U+0456): looks like `id-N`, is another id.
    pub lookalike: bool,
    pub kind: usize,
    pub status: usize, // active, deprecated, retired
    pub roles: [Option<Ref>; 3],
    pub escalation: Option<usize>,
    pub privileged: bool,
    pub created: Option<i64>,
    pub rotated: Option<i64>,
    pub max_age: Option<u32>,
    pub expires: Option<i64>,
    pub reviewed: Option<i64>,
    pub revoked: Option<i64>,
    /// Workloads, from a pool of three, repeats included.
    pub used_by: Vec<usize>,
    /// `ref`, from a pool of four (so some repeat).
    pub reference: Option<usize>,
    pub exceptions: Vec<ExceptionM>,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub policy: Option<(u32, u32, bool)>, // warn_within, max_exception, review-overdue off
    pub owners: Vec<OwnerM>,
    pub identities: Vec<IdentityM>,
}

pub fn owner_id(i: usize) -> String {
    format!("owner-{i}")
}

pub fn reference(r: &Ref) -> Y {
    match r {
        Ref::Known(i) => s(owner_id(*i)),
        Ref::Unknown => s("nobody-here"),
        Ref::Empty => s(""),
    }
}

pub fn date(offset: i64) -> Y {
    Y::Raw(day(parse_date(BASE).unwrap(), offset))
}

impl Model {
    pub fn policy_yaml(&self) -> Option<Y> {
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

    pub fn owners_yaml(&self) -> Y {
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

    pub fn identity_yaml(&self, m: &IdentityM) -> Y {
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
        if let Some(r) = m.reference {
            e.push(("ref", s(format!("arn:aws:iam::123456789012:user/ref-{r}"))));
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
    pub fn yaml(&self) -> Y {
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
    pub fn split(&self, parts: usize) -> Vec<Y> {
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

pub fn reference_strategy(owners: usize) -> impl Strategy<Value = Ref> {
    prop_oneof![
        6 => (0..owners.max(1)).prop_map(Ref::Known),
        1 => Just(Ref::Unknown),
        1 => Just(Ref::Empty),
    ]
}

pub fn offset() -> impl Strategy<Value = i64> {
    -900i64..400
}

pub fn exception_strategy(owners: usize) -> impl Strategy<Value = ExceptionM> {
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

pub fn identity_strategy(owners: usize) -> impl Strategy<Value = IdentityM> {
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
        (
            prop::option::of(0..TEXT.len()),
            any::<bool>(),
            prop::option::weighted(0.3, 0usize..4),
        ),
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
                (escalation, privileged, reference),
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
                reference,
                exceptions,
            },
        )
}

pub fn model() -> impl Strategy<Value = Model> {
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
pub enum Mutation {
    DropKey(usize),
    Replace(usize, usize),
    DuplicateEntry(usize),
    ShiftDate(usize, i64),
    /// A forbidden tag on a scalar.
    Tag(usize, usize),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropKey),
        (any::<usize>(), 0usize..REPLACEMENTS.len()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        any::<usize>().prop_map(Mutation::DuplicateEntry),
        (any::<usize>(), -4000i64..4000).prop_map(|(a, b)| Mutation::ShiftDate(a, b)),
        (any::<usize>(), 0usize..FORBIDDEN_TAGS.len()).prop_map(|(a, b)| Mutation::Tag(a, b)),
    ]
}

/// Values of every other type, and of no type, and tagged values.
pub const REPLACEMENTS: [&str; 15] = [
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
pub const FORBIDDEN_TAGS: [&str; 7] = [
    "!!null",
    "!!bool",
    "!!int",
    "!x",
    "!",
    "!<tag:yaml.org,2002:null>",
    "!<tag:example.com,2026:x>",
];

/// Counts the nodes of `y` (pre-order) and applies `f` to the `n`th one.
pub fn visit(y: &mut Y, n: &mut usize, f: &mut dyn FnMut(&mut Y) -> bool) -> bool {
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

pub fn count(y: &Y) -> usize {
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
pub fn share(y: &mut Y) {
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

pub fn mutate(y: &mut Y, m: &Mutation) {
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
