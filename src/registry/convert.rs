//! Conversion of located YAML nodes into the typed registry model.
//!
//! Every problem is recorded with its location and conversion carries on, so
//! that one run reports every invalid entry of a file.

use super::time::{parse_date, parse_duration, parse_max_age};
use super::yaml::{DocumentSink, Key, Node, Pos, Value};
use super::{
    Date, Days, Exception, Identity, IdentityKind, IdentityStatus, LoadError, Loc, Located, MaxAge,
    Owner, OwnerKind, OwnerStatus, Policy, Role, RoleRef,
};
use crate::escape::short;
use crate::keyword::{Keyword, did_you_mean, one_of};
use crate::rules::RuleId;

/// Longest text a registry value may hold (ids, names, reasons, descriptions).
/// A value past it is an error: it can only be a mistake or an attack, and
/// it would be copied into every finding and every report.
const MAX_STRING_BYTES: usize = 64 * 1024;

const TOP_LEVEL_KEYS: &[&str] = &["version", "policy", "owners", "identities"];
const OWNER_KEYS: &[&str] = &["kind", "name", "email", "contact", "members", "status"];
const IDENTITY_KEYS: &[&str] = &[
    "id",
    "kind",
    "description",
    "system",
    "environment",
    "tags",
    "status",
    "owners",
    "escalation",
    "privileged",
    "created",
    "rotation",
    "expires",
    "last_reviewed",
    "revoked",
    "exceptions",
];
const ROTATION_KEYS: &[&str] = &["last_rotated", "max_age"];
const EXCEPTION_KEYS: &[&str] = &["rule", "reason", "approved_by", "expires", "ticket"];
const POLICY_KEYS: &[&str] = &[
    "required_owners",
    "rotation",
    "review_interval",
    "privileged_review_interval",
    "warn_within",
    "max_exception",
    "severity",
];
const POLICY_ROTATION_KEYS: &[&str] = &["max_age", "kinds"];

/// What one file contributes to the registry.
#[derive(Default)]
pub struct FileContents {
    pub policy: Option<(Loc, Policy)>,
    pub owners: Vec<Owner>,
    pub identities: Vec<Identity>,
}

/// Converts one file's nodes; implements [`DocumentSink`] so it can be streamed.
pub struct Converter<'src> {
    file: u32,
    path: &'src str,
    pub contents: FileContents,
    pub errors: Vec<LoadError>,
    version_seen: bool,
    first_key: Option<Loc>,
    identities_loc: Option<Loc>,
}

impl<'src> Converter<'src> {
    pub fn new(file: u32, path: &'src str) -> Self {
        Converter {
            file,
            path,
            contents: FileContents::default(),
            errors: Vec::new(),
            version_seen: false,
            first_key: None,
            identities_loc: None,
        }
    }

    pub fn file(&self) -> u32 {
        self.file
    }

    /// Checks made once the whole document has been seen.
    pub fn finish(&mut self) {
        if !self.version_seen {
            let loc = self.first_key.unwrap_or(Loc {
                file: self.file,
                line: 1,
                col: 1,
            });
            self.error(
                loc,
                "registry file has no `version` key".to_owned(),
                Some("add `version: 1` at the top of the file".to_owned()),
            );
        }
    }

    fn loc(&self, pos: Pos) -> Loc {
        Loc {
            file: self.file,
            line: pos.line,
            col: pos.col,
        }
    }

    fn at(&self, node: &Node) -> Loc {
        self.loc(node.pos)
    }

    fn key_at(&self, key: &Key) -> Loc {
        self.loc(key.pos)
    }

    fn error(&mut self, loc: Loc, message: String, help: Option<String>) {
        self.errors.push(LoadError {
            file: Some(self.path.to_owned()),
            line: loc.line,
            col: loc.col,
            message,
            help,
        });
    }

    /// What a value is, for type errors: its text when it is a scalar.
    fn found(&self, node: &Node) -> String {
        node.value.scalar_text().map_or_else(
            || node.value.describe().to_owned(),
            |t| format!("`{}`", short(t)),
        )
    }

    /// The entries of a mapping, or an error naming what was found instead
    /// and showing the right shape.
    fn mapping<'n, 'de>(
        &mut self,
        node: &'n Node<'de>,
        what: &str,
    ) -> Option<&'n [(Key<'de>, Node<'de>)]> {
        match &node.value {
            Value::Map(entries) => Some(entries),
            other => {
                let found = other.describe();
                self.error(
                    self.at(node),
                    format!("{what} must be a mapping, found {found}"),
                    Some(format!("write it as {}", shape(what))),
                );
                None
            }
        }
    }

    /// Reports every key that is not allowed, suggesting the closest valid one.
    fn check_keys(&mut self, entries: &[(Key, Node)], allowed: &[&str], what: &str) {
        for (key, _) in entries {
            if !allowed.contains(&key.text.as_ref()) {
                let help = match did_you_mean(&key.text, allowed.iter().copied()) {
                    Some(best) => format!(
                        "did you mean `{best}`? valid keys: {}",
                        one_of(allowed.iter().copied())
                    ),
                    None => format!("valid keys: {}", one_of(allowed.iter().copied())),
                };
                self.error(
                    self.key_at(key),
                    format!("unknown key `{}` in {what}", short(&key.text)),
                    Some(help),
                );
            }
        }
    }

    /// An optional string: null is absent; any other scalar is read as its text.
    fn string(&mut self, node: Option<&Node>, field: &str) -> Option<Located<String>> {
        let node = node?;
        match &node.value {
            Value::Null => None,
            Value::Seq(_) | Value::Map(_) => {
                let found = node.value.describe();
                self.error(
                    self.at(node),
                    format!("`{field}` must be a string, found {found}"),
                    None,
                );
                None
            }
            _ => {
                // Every scalar, numbers included: `id: 0000…` is text too.
                let text = node.value.scalar_text()?;
                let len = text.len();
                if len > MAX_STRING_BYTES {
                    self.error(
                        self.at(node),
                        format!(
                            "`{field}` is {len} bytes long; a registry value holds at most {} KiB",
                            MAX_STRING_BYTES / 1024
                        ),
                        Some(
                            "keep long documents outside the registry and link to them".to_owned(),
                        ),
                    );
                    return None;
                }
                Some(Located::new(text.to_owned(), self.at(node)))
            }
        }
    }

    /// An owner or identity id (SPEC §1), or an error saying what is wrong with it.
    fn id(&mut self, node: Option<&Node>, field: &str) -> Option<Located<String>> {
        let id = self.string(node, field)?;
        self.checked_id(id, field)
    }

    fn checked_id(&mut self, mut id: Located<String>, field: &str) -> Option<Located<String>> {
        // Canonically equivalent spellings (`é` and `e` + U+0301) are one id.
        if !unicode_normalization::is_nfc(&id.value) {
            id.value =
                unicode_normalization::UnicodeNormalization::nfc(id.value.as_str()).collect();
        }
        let Some(problem) = id_problem(&id.value) else {
            return Some(id);
        };
        self.error(
            id.loc,
            format!(
                "`{field}` `{}` is not a valid id: it {problem}",
                short(&id.value)
            ),
            Some(format!(
                "ids are at most {MAX_ID_BYTES} bytes of visible characters, with no spaces \
                 and no invisible or control characters, such as `team-payments`"
            )),
        );
        None
    }

    /// A `policy.severity` value: a severity, or `off` (`Some(None)`).
    fn level(&mut self, node: &Node) -> Option<Option<crate::catalogue::Severity>> {
        let text = self.string(Some(node), "severity")?;
        match crate::catalogue::parse_level(&text.value) {
            Some(level) => Some(level),
            None => {
                let levels = crate::catalogue::LEVELS;
                let help = match did_you_mean(&text.value, levels) {
                    Some(best) => format!("did you mean `{best}`? expected {}", one_of(levels)),
                    None => format!("expected {}", one_of(levels)),
                };
                self.error(
                    text.loc,
                    format!("unknown severity `{}`", short(&text.value)),
                    Some(help),
                );
                None
            }
        }
    }

    fn keyword<K: Keyword>(&mut self, node: Option<&Node>, field: &str) -> Option<Located<K>> {
        let text = self.string(node, field)?;
        self.keyword_text(text, field)
    }

    /// A word of a closed set, from text that is already located (a value or a key).
    fn keyword_text<K: Keyword>(
        &mut self,
        text: Located<String>,
        field: &str,
    ) -> Option<Located<K>> {
        match K::parse(&text.value) {
            Some(k) => Some(Located::new(k, text.loc)),
            None => {
                let suggestion = did_you_mean(&text.value, K::ALL.iter().map(|k| k.as_str()));
                let help = match suggestion {
                    Some(best) => format!("did you mean `{best}`? expected {}", K::expected()),
                    None => format!("expected {}", K::expected()),
                };
                self.error(
                    text.loc,
                    format!("unknown {field} `{}`", short(&text.value)),
                    Some(help),
                );
                None
            }
        }
    }

    /// A scalar parsed from its text; a parse failure is reported at the value.
    fn parsed<T>(
        &mut self,
        node: Option<&Node>,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Located<T>> {
        let text = self.string(node, field)?;
        match parse(&text.value) {
            Ok(value) => Some(Located::new(value, text.loc)),
            Err(message) => {
                self.error(text.loc, format!("`{field}`: {message}"), None);
                None
            }
        }
    }

    fn date(&mut self, node: Option<&Node>, field: &str) -> Option<Located<Date>> {
        self.parsed(node, field, parse_date)
    }

    fn days(&mut self, node: Option<&Node>, field: &str) -> Option<Days> {
        self.parsed(node, field, parse_duration).map(|d| d.value)
    }

    fn max_age(
        &mut self,
        node: Option<&Node>,
        field: &str,
        never: bool,
    ) -> Option<Located<MaxAge>> {
        self.parsed(node, field, |text| parse_max_age(text, never))
    }

    fn boolean(&mut self, node: Option<&Node>, field: &str) -> Option<bool> {
        let node = node?;
        match node.value {
            Value::Null => None,
            Value::Bool(b, _) => Some(b),
            _ => {
                let found = self.found(node);
                self.error(
                    self.at(node),
                    format!("`{field}` must be `true` or `false`, found {found}"),
                    Some(
                        "YAML 1.2: `yes`, `no`, `on` and `off` are strings, not booleans"
                            .to_owned(),
                    ),
                );
                None
            }
        }
    }

    /// An optional list: null is absent.
    fn list<'n, 'de>(&mut self, node: Option<&'n Node<'de>>, field: &str) -> &'n [Node<'de>] {
        let Some(node) = node else { return &[] };
        match &node.value {
            Value::Null => &[],
            Value::Seq(items) => items,
            other => {
                let found = other.describe();
                self.error(
                    self.at(node),
                    format!("`{field}` must be a list, found {found}"),
                    Some(format!("write it as {}", shape(field))),
                );
                &[]
            }
        }
    }

    fn version(&mut self, node: &Node) {
        // A scalar is read as any value is, so that the size cap applies to it too.
        let text = match &node.value {
            Value::Seq(_) | Value::Map(_) | Value::Null => None,
            _ => Some(self.string(Some(node), "version")),
        };
        match (&node.value, text) {
            (_, Some(None)) => {}
            (Value::Number(_), Some(Some(text))) if text.value == "1" => {}
            (Value::Str(_), Some(Some(text))) if text.value.trim() == "1" => self.error(
                self.at(node),
                "`version` is the text `1`, not the number 1".to_owned(),
                Some("write `version: 1`, without quotes".to_owned()),
            ),
            _ => {
                let found = self.found(node);
                self.error(
                    self.at(node),
                    format!("unsupported `version` {found}: this nhi-own reads version 1"),
                    Some("write `version: 1` (an unquoted integer)".to_owned()),
                );
            }
        }
    }

    fn owners_directory(&mut self, node: &Node) {
        if matches!(node.value, Value::Null) {
            return;
        }
        let Some(entries) = self.mapping(node, "`owners`") else {
            return;
        };
        for (key, entry) in entries {
            if key.text.len() > MAX_STRING_BYTES {
                self.error(
                    self.key_at(key),
                    format!(
                        "owner id is {} bytes long; an id holds at most {} KiB",
                        key.text.len(),
                        MAX_STRING_BYTES / 1024
                    ),
                    None,
                );
                continue;
            }
            let id = Located::new(key.text.to_string(), self.key_at(key));
            let Some(id) = self.checked_id(id, "owner id") else {
                continue;
            };
            if let Some(owner) = self.owner(id, entry) {
                self.contents.owners.push(owner);
            }
        }
    }

    fn owner(&mut self, id: Located<String>, node: &Node) -> Option<Owner> {
        let what = format!("owner `{}`", id.value);
        let entries = self.mapping(node, &what)?;
        self.check_keys(entries, OWNER_KEYS, &what);
        let kind = self.keyword::<OwnerKind>(get(entries, "kind"), "owner kind");
        if get(entries, "kind").is_none() {
            self.error(
                self.at(node),
                format!("{what} has no `kind`"),
                Some(format!("add `kind:` with {}", OwnerKind::expected())),
            );
        }
        let name = self.string(get(entries, "name"), "name");
        let email = self.string(get(entries, "email"), "email");
        let contact = self.string(get(entries, "contact"), "contact");
        let status = self.keyword::<OwnerStatus>(get(entries, "status"), "owner status");
        let mut members = Vec::new();
        for member in self.list(get(entries, "members"), "members") {
            if let Some(m) = self.id(Some(member), "member") {
                members.push(m);
            }
        }
        let kind = kind?;
        if kind.value != OwnerKind::Team
            && let Some(node) = get(entries, "members")
        {
            self.error(
                self.at(node),
                format!("{what} is a {} and cannot have `members`", kind.value),
                Some("only a `team` lists members".to_owned()),
            );
        }
        Some(Owner {
            loc: self.at(node),
            id,
            kind,
            name,
            email,
            contact,
            members,
            status: status.map_or(OwnerStatus::Active, |s| s.value),
        })
    }

    fn convert_identity(&mut self, node: &Node) -> Option<Identity> {
        let loc = self.at(node);
        let entries = self.mapping(node, "an identity entry")?;
        let id = self.id(get(entries, "id"), "id");
        let what = match &id {
            Some(id) => format!("identity `{}`", id.value),
            None => "identity".to_owned(),
        };
        self.check_keys(entries, IDENTITY_KEYS, &what);
        if get(entries, "id").is_none() {
            self.error(
                loc,
                "identity entry has no `id`".to_owned(),
                Some("every identity needs a unique `id`".to_owned()),
            );
        }
        let kind = self.keyword::<IdentityKind>(get(entries, "kind"), "identity kind");
        if get(entries, "kind").is_none() {
            self.error(
                loc,
                format!("{what} has no `kind`"),
                Some(format!("add `kind:` with {}", IdentityKind::expected())),
            );
        }
        let description = self.string(get(entries, "description"), "description");
        let system = self.string(get(entries, "system"), "system");
        let environment = self.string(get(entries, "environment"), "environment");
        let mut tags = Vec::new();
        for tag in self.list(get(entries, "tags"), "tags") {
            if let Some(t) = self.string(Some(tag), "tag") {
                tags.push(t);
            }
        }
        let status = self.keyword::<IdentityStatus>(get(entries, "status"), "identity status");
        let owners = self.roles(get(entries, "owners"), loc, &what);
        let escalation = self.string(get(entries, "escalation"), "escalation");
        let privileged = self.boolean(get(entries, "privileged"), "privileged");
        let created = self.date(get(entries, "created"), "created");
        let rotation = get(entries, "rotation").and_then(|rot| self.mapping(rot, "`rotation`"));
        let (last_rotated, max_age) = match rotation {
            Some(rot_entries) => {
                self.check_keys(rot_entries, ROTATION_KEYS, "`rotation`");
                (
                    self.date(get(rot_entries, "last_rotated"), "rotation.last_rotated"),
                    self.max_age(get(rot_entries, "max_age"), "rotation.max_age", false),
                )
            }
            None => (None, None),
        };
        let expires = self.date(get(entries, "expires"), "expires");
        let last_reviewed = self.date(get(entries, "last_reviewed"), "last_reviewed");
        let revoked = self.date(get(entries, "revoked"), "revoked");
        let mut exceptions = Vec::new();
        for exception in self.list(get(entries, "exceptions"), "exceptions") {
            if let Some(e) = self.exception(exception) {
                exceptions.push(e);
            }
        }
        Some(Identity {
            id: id?,
            loc,
            kind: kind?,
            description,
            system,
            environment,
            tags,
            status: status.map_or(IdentityStatus::Active, |s| s.value),
            owners: owners?,
            escalation,
            privileged: privileged.unwrap_or(false),
            created,
            last_rotated,
            max_age,
            expires,
            last_reviewed,
            revoked,
            exceptions,
        })
    }

    /// The three roles. Absent roles are located at the `owners` mapping (or the
    /// entry when `owners` itself is absent); `null` or `""` at that value.
    fn roles(&mut self, node: Option<&Node>, entry: Loc, what: &str) -> Option<[RoleRef; 3]> {
        let Some(node) = node else {
            return Some(std::array::from_fn(|_| RoleRef::Missing(entry)));
        };
        let owners_loc = self.at(node);
        let entries = self.mapping(node, &format!("`owners` of {what}"))?;
        self.check_keys(
            entries,
            &["policy", "technical", "revocation"],
            &format!("`owners` of {what}"),
        );
        let mut ok = true;
        let roles = [Role::Policy, Role::Technical, Role::Revocation].map(|role| {
            let field = format!("owners.{role}");
            match get_raw(entries, role.as_str()) {
                None => RoleRef::Missing(owners_loc),
                Some(value) => match &value.value {
                    Value::Null => RoleRef::Missing(self.at(value)),
                    Value::Str(s) if s.is_empty() => RoleRef::Missing(self.at(value)),
                    Value::Seq(_) => {
                        self.error(
                            self.at(value),
                            format!("`{field}` must be one owner id, found a list"),
                            Some("name a single accountable owner per role; put several people in a team".to_owned()),
                        );
                        ok = false;
                        RoleRef::Missing(self.at(value))
                    }
                    _ => match self.id(Some(value), &field) {
                        Some(id) => RoleRef::Set(id),
                        None => {
                            ok = false;
                            RoleRef::Missing(self.at(value))
                        }
                    },
                },
            }
        });
        ok.then_some(roles)
    }

    fn exception(&mut self, node: &Node) -> Option<Exception> {
        let entries = self.mapping(node, "an exception")?;
        self.check_keys(entries, EXCEPTION_KEYS, "exception");
        let loc = self.at(node);
        let rule = self.string(get(entries, "rule"), "rule");
        let rule = match rule {
            None => {
                self.error(
                    loc,
                    "exception has no `rule`".to_owned(),
                    Some(
                        "name the rule id this exception accepts, such as `stale-rotation`"
                            .to_owned(),
                    ),
                );
                None
            }
            Some(text) => self.exceptable_rule(text),
        };
        let reason = self.string(get(entries, "reason"), "reason");
        let reason = match reason {
            Some(r) if !r.value.trim().is_empty() => Some(r),
            Some(r) => {
                self.error(
                    r.loc,
                    "exception `reason` is empty".to_owned(),
                    Some("say why the risk is accepted".to_owned()),
                );
                None
            }
            None => {
                self.error(
                    loc,
                    "exception has no `reason`".to_owned(),
                    Some("say why the risk is accepted".to_owned()),
                );
                None
            }
        };
        let approved_by = self.id(get(entries, "approved_by"), "approved_by");
        let expires = self.date(get(entries, "expires"), "expires");
        let ticket = self.string(get(entries, "ticket"), "ticket");
        Some(Exception {
            loc,
            rule: rule?,
            reason: reason?,
            approved_by,
            expires,
            ticket,
        })
    }

    fn exceptable_rule(&mut self, text: Located<String>) -> Option<Located<RuleId>> {
        match RuleId::parse(&text.value) {
            Some(rule) if rule.group().exceptable() => Some(Located::new(rule, text.loc)),
            Some(rule) => {
                self.error(
                    text.loc,
                    format!("rule `{rule}` cannot be excepted"),
                    Some(format!(
                        "only ownership and lifecycle rules take exceptions; `{rule}` is in the {} group",
                        rule.group()
                    )),
                );
                None
            }
            None => {
                self.unknown_rule(&text);
                None
            }
        }
    }

    fn unknown_rule(&mut self, text: &Located<String>) {
        let help = match did_you_mean(&text.value, RuleId::ALL.iter().map(|r| r.as_str())) {
            Some(best) => format!("did you mean `{best}`? `nhi-own rules` lists every rule"),
            None => "`nhi-own rules` lists every rule".to_owned(),
        };
        self.error(
            text.loc,
            format!("unknown rule `{}`", short(&text.value)),
            Some(help),
        );
    }

    fn policy(&mut self, node: &Node) -> Option<Policy> {
        let mut policy = Policy::default();
        if matches!(node.value, Value::Null) {
            return Some(policy);
        }
        let entries = self.mapping(node, "`policy`")?;
        self.check_keys(entries, POLICY_KEYS, "`policy`");
        let errors_before = self.errors.len();
        if let Some(list) = get(entries, "required_owners") {
            let mut roles = Vec::new();
            for item in self.list(Some(list), "policy.required_owners") {
                if let Some(role) = self.keyword::<Role>(Some(item), "role")
                    && !roles.contains(&role.value)
                {
                    roles.push(role.value);
                }
            }
            policy.required_owners = roles;
        }
        if let Some(rot) = get(entries, "rotation")
            && let Some(rot_entries) = self.mapping(rot, "`policy.rotation`")
        {
            self.check_keys(rot_entries, POLICY_ROTATION_KEYS, "`policy.rotation`");
            policy.rotation_max_age =
                self.days(get(rot_entries, "max_age"), "policy.rotation.max_age");
            if let Some(kinds) = get(rot_entries, "kinds")
                && let Some(kind_entries) = self.mapping(kinds, "`policy.rotation.kinds`")
            {
                for (key, value) in kind_entries {
                    let key_text = Located::new(key.text.to_string(), self.key_at(key));
                    let kind = self.keyword_text::<IdentityKind>(key_text, "identity kind");
                    let field = kind.as_ref().map_or_else(
                        || "policy.rotation.kinds".to_owned(),
                        |kind| format!("policy.rotation.kinds.{}", kind.value),
                    );
                    let age = self.max_age(Some(value), &field, true);
                    if let (Some(kind), Some(age)) = (kind, age) {
                        policy.rotation_kinds.insert(kind.value, age.value);
                    }
                }
            }
        }
        for (field, slot) in [
            ("review_interval", &mut policy.review_interval),
            (
                "privileged_review_interval",
                &mut policy.privileged_review_interval,
            ),
            ("warn_within", &mut policy.warn_within),
            ("max_exception", &mut policy.max_exception),
        ] {
            if let Some(days) = self.days(get(entries, field), &format!("policy.{field}")) {
                *slot = days;
            }
        }
        if let Some(sev) = get(entries, "severity")
            && let Some(sev_entries) = self.mapping(sev, "`policy.severity`")
        {
            for (key, value) in sev_entries {
                let rule = match RuleId::parse(&key.text) {
                    Some(rule) => Some(rule),
                    None => {
                        self.unknown_rule(&Located::new(key.text.to_string(), self.key_at(key)));
                        None
                    }
                };
                let level = self.level(value);
                if let (Some(rule), Some(level)) = (rule, level) {
                    policy.severity.insert(rule, level);
                }
            }
        }
        (self.errors.len() == errors_before).then_some(policy)
    }
}

impl DocumentSink for Converter<'_> {
    fn top_level(&mut self, key: Key, value: Node) {
        let key_loc = self.key_at(&key);
        self.first_key.get_or_insert(key_loc);
        match key.text.as_ref() {
            "version" => {
                self.version_seen = true;
                self.version(&value);
            }
            "policy" => {
                if let Some(policy) = self.policy(&value) {
                    self.contents.policy = Some((key_loc, policy));
                }
            }
            "owners" => self.owners_directory(&value),
            _ => self.check_keys(&[(key, value)], TOP_LEVEL_KEYS, "the registry file"),
        }
    }

    fn identities_key(&mut self, key: &Key) {
        let loc = self.key_at(key);
        self.first_key.get_or_insert(loc);
        self.identities_loc = Some(loc);
    }

    fn identity(&mut self, entry: Node) {
        if let Some(identity) = self.convert_identity(&entry) {
            self.contents.identities.push(identity);
        }
    }

    fn identities_not_list(&mut self, found: &'static str) {
        let loc = self.identities_loc.unwrap_or(Loc {
            file: self.file,
            line: 1,
            col: 1,
        });
        self.error(
            loc,
            format!("`identities` must be a list, found {found}"),
            Some("write each identity as a list item starting with `- id:`".to_owned()),
        );
    }
}

/// The right shape of a mapping or list, for the help of a type error.
fn shape(what: &str) -> &'static str {
    let what = what.trim_matches('`');
    match what {
        "owners" => {
            "`owners:` with one entry per owner id, such as `team-payments: { kind: team }`"
        }
        "an identity entry" => {
            "a list item with its keys, such as `- { id: deploy-key, kind: ssh_key }`"
        }
        "rotation" => "`rotation: { last_rotated: 2026-11-01, max_age: 90d }`",
        "an exception" => {
            "a list item such as `- { rule: stale-rotation, reason: migration, approved_by: team-sec, expires: 2026-12-31 }`"
        }
        "policy" => "`policy:` with keys such as `warn_within: 30d`",
        "policy.rotation" => "`rotation: { max_age: 60d, kinds: { token: 30d } }`",
        "policy.rotation.kinds" => "`kinds: { token: 60d, workload_identity: never }`",
        "policy.severity" => "`severity: { review-overdue: off }`",
        "tags" => "`tags: [payments, production]`",
        "members" => "`members: [alice, bob]`",
        "exceptions" => "`exceptions:` followed by `- rule: …` items",
        "policy.required_owners" => "`required_owners: [policy, technical, revocation]`",
        w if w.starts_with("owners` of") => {
            "`owners: { policy: team-a, technical: team-b, revocation: team-c }`"
        }
        w if w.starts_with("owner `") => "`team-payments: { kind: team, contact: \"#payments\" }`",
        _ => "shown in the README's registry example",
    }
}

/// A key's value; `null` is absent (SPEC §1: an optional field set to null is absent).
fn get<'n, 'de>(entries: &'n [(Key<'de>, Node<'de>)], key: &str) -> Option<&'n Node<'de>> {
    get_raw(entries, key).filter(|v| !matches!(v.value, Value::Null))
}

/// A key's value, `null` included (a role set to null is located at that value).
fn get_raw<'n, 'de>(entries: &'n [(Key<'de>, Node<'de>)], key: &str) -> Option<&'n Node<'de>> {
    entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v)
}

/// A character with no visible glyph that is not a space or a format
/// character: a default-ignorable code point (Hangul fillers, variation
/// selectors, the combining grapheme joiner: the UTS #39 skeleton drops it),
/// or U+2800 BRAILLE PATTERN BLANK.
fn prints_as_nothing(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut one = [0u8; 4];
    c == '\u{2800}'
        || unicode_security::confusable_detection::skeleton(c.encode_utf8(&mut one))
            .next()
            .is_none()
}

/// Longest id, in bytes (SPEC §1).
pub const MAX_ID_BYTES: usize = 256;

/// What makes `id` invalid, if anything: ids are non-empty, at most 256
/// bytes, without whitespace, control or format characters (Unicode Z*, Cc,
/// Cf: no zero-width spaces, no bidi controls), and without characters that
/// print as nothing (default-ignorable code points, which confusable
/// skeletons drop, and the blank U+2800), so that two ids that print the
/// same are the same id. (Canonically equivalent ids are made equal before:
/// ids are read in Unicode NFC.)
pub fn id_problem(id: &str) -> Option<String> {
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
    if id.is_empty() {
        return Some("is empty".to_owned());
    }
    if id.len() > MAX_ID_BYTES {
        return Some(format!("is {} bytes long, over {MAX_ID_BYTES}", id.len()));
    }
    let invisible = |c: char| {
        if c.is_ascii() {
            return c.is_ascii_whitespace() || c.is_ascii_control() || c == ' ';
        }
        c.is_whitespace()
            || c.general_category_group() == GeneralCategoryGroup::Separator
            || matches!(
                c.general_category(),
                GeneralCategory::Control | GeneralCategory::Format
            )
            || prints_as_nothing(c)
    };
    let (at, c) = id.char_indices().find(|&(_, c)| invisible(c))?;
    let what = if c.is_whitespace() || c.general_category_group() == GeneralCategoryGroup::Separator
    {
        "whitespace"
    } else if c.general_category() == GeneralCategory::Control {
        "a control character"
    } else if c.general_category() == GeneralCategory::Format {
        "an invisible format character"
    } else {
        "a character that prints as nothing"
    };
    Some(format!(
        "contains {what} (U+{:04X}) at character {}",
        c as u32,
        id[..at].chars().count() + 1
    ))
}
