//! Each entry kind of the format, read through its table: the owner
//! directory and its entries, identities with their roles, rotation and
//! exceptions, and the policy.

use super::convert::{Converter, MAX_STRING_BYTES};
use super::format::{EXCEPTION, IDENTITY, OWNER, POLICY, POLICY_ROTATION, ROLES, ROTATION};
use super::yaml::{Node, Value};
use super::{
    Exception, Identity, IdentityKind, IdentityStatus, Loc, Located, Owner, OwnerKind, OwnerStatus,
    Policy, Role, RoleRef,
};
use crate::catalogue::RuleId;
use crate::escape::short;
use crate::keyword::{Keyword, did_you_mean, suggestion};

impl Converter<'_> {
    pub(super) fn owners_directory(&mut self, node: &Node) {
        let Value::Map(entries) = &node.value else {
            if !matches!(node.value, Value::Null) {
                self.error(
                    self.at(node),
                    format!(
                        "`owners` must be a mapping, found {}",
                        node.value.describe()
                    ),
                    Some(
                        "write it as `owners:` with one entry per owner id, such as \
                         `team-payments: { kind: team }`"
                            .to_owned(),
                    ),
                );
            }
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
        let mut e = self.open(node, &OWNER, &what)?;
        let kind = self.keyword::<OwnerKind>(e.get("kind"), "owner kind");
        if e.get("kind").is_none() {
            self.error(
                self.at(node),
                format!("{what} has no `kind`"),
                Some(format!("add `kind:` with {}", OwnerKind::expected())),
            );
        }
        let name = self.string(e.get("name"), "name");
        let email = self.string(e.get("email"), "email");
        let contact = self.string(e.get("contact"), "contact");
        let status = self.keyword::<OwnerStatus>(e.get("status"), "owner status");
        let member_nodes = self.list(e.get("members"), "members", "`members: [alice, bob]`");
        let members = member_nodes
            .iter()
            .filter_map(|m| {
                let id = self.id(Some(m), "member")?;
                Some(self.intern(id))
            })
            .collect();
        let members_node = e.get("members");
        self.close(e);
        let kind = kind?;
        if kind.value != OwnerKind::Team
            && let Some(node) = members_node
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

    pub(super) fn convert_identity(&mut self, node: &Node) -> Option<Identity> {
        let loc = self.at(node);
        let mut e = self.open(node, &IDENTITY, "an identity entry")?;
        let id = self.id(e.get("id"), "id");
        e.what = match &id {
            Some(id) => format!("identity `{}`", id.value),
            None => "identity".to_owned(),
        };
        if e.get("id").is_none() {
            self.error(
                loc,
                "identity entry has no `id`".to_owned(),
                Some("every identity needs a unique `id`".to_owned()),
            );
        }
        let kind = self.keyword::<IdentityKind>(e.get("kind"), "identity kind");
        if e.get("kind").is_none() {
            self.error(
                loc,
                format!("{} has no `kind`", e.what),
                Some(format!("add `kind:` with {}", IdentityKind::expected())),
            );
        }
        let description = self.string(e.get("description"), "description");
        let system = self.shared(e.get("system"), "system");
        let environment = self.shared(e.get("environment"), "environment");
        let tags = self.strings(
            e.get("tags"),
            "tags",
            "tag",
            "`tags: [payments, production]`",
        );
        let reference = self.string(e.get("ref"), "ref");
        if let Some(r) = &reference
            && r.value.trim().is_empty()
        {
            self.error(
                r.loc,
                "`ref` is blank".to_owned(),
                Some("give the identifier the issuing system uses, or leave `ref` out".to_owned()),
            );
        }
        let used_by = self.strings(
            e.get("used_by"),
            "used_by",
            "workload",
            "`used_by: [billing-api, nightly-export]`",
        );
        let status = self.keyword::<IdentityStatus>(e.get("status"), "identity status");
        let owners = self.roles(e.get("owners"), loc, &e.what);
        let escalation = self.shared(e.get("escalation"), "escalation");
        let privileged = self.boolean(e.get("privileged"), "privileged");
        let created = self.date(e.get("created"), "created");
        let (last_rotated, max_age) = match e.get("rotation") {
            Some(rotation) => self.rotation(rotation),
            None => (None, None),
        };
        let expires = self.date(e.get("expires"), "expires");
        let last_reviewed = self.date(e.get("last_reviewed"), "last_reviewed");
        let revoked = self.date(e.get("revoked"), "revoked");
        let exception_nodes = self.list(
            e.get("exceptions"),
            "exceptions",
            "`exceptions:` followed by `- rule: …` items",
        );
        let mut exceptions: Vec<Exception> = exception_nodes
            .iter()
            .filter_map(|x| self.exception(x))
            .collect();
        let mut per_rule: std::collections::HashMap<RuleId, u32> = std::collections::HashMap::new();
        for exception in &mut exceptions {
            let nth = per_rule.entry(exception.rule.value).or_insert(0);
            *nth += 1;
            exception.nth = *nth;
        }
        self.close(e);
        Some(Identity {
            id: id?,
            loc,
            kind: kind?,
            description,
            system,
            environment,
            tags: tags.into_boxed_slice(),
            status: status.map_or(IdentityStatus::Active, |s| s.value),
            owners: owners?,
            escalation,
            privileged: privileged.unwrap_or(false),
            created,
            last_rotated,
            max_age: max_age.map(Box::new),
            expires,
            last_reviewed,
            revoked,
            reference,
            used_by: used_by.into_boxed_slice(),
            exceptions: exceptions.into_boxed_slice(),
        })
    }

    fn rotation(
        &mut self,
        node: &Node,
    ) -> (Option<Located<super::Date>>, Option<Located<super::MaxAge>>) {
        let Some(mut e) = self.open(node, &ROTATION, "`rotation`") else {
            return (None, None);
        };
        let last_rotated = self.date(e.get("last_rotated"), "rotation.last_rotated");
        let max_age = self.max_age(e.get("max_age"), "rotation.max_age", false);
        self.close(e);
        (last_rotated, max_age)
    }

    /// The three roles. Absent roles are located at the `owners` mapping (or the
    /// entry when `owners` itself is absent); `null` or `""` at that value.
    fn roles(&mut self, node: Option<&Node>, entry: Loc, what: &str) -> Option<[RoleRef; 3]> {
        let Some(node) = node else {
            return Some(std::array::from_fn(|_| RoleRef::Missing(entry)));
        };
        let owners_loc = self.at(node);
        let mut e = self.open(node, &ROLES, format!("`owners` of {what}"))?;
        let mut ok = true;
        let roles = [Role::Policy, Role::Technical, Role::Revocation].map(|role| {
            let field = format!("owners.{role}");
            match e.get_raw(role.as_str()) {
                None => RoleRef::Missing(owners_loc),
                Some(value) => match &value.value {
                    Value::Null => RoleRef::Missing(self.at(value)),
                    Value::Str(s) if s.is_empty() => RoleRef::Missing(self.at(value)),
                    Value::Seq(_) => {
                        self.error(
                            self.at(value),
                            format!("`{field}` must be one owner id, found a list"),
                            Some(
                                "name a single accountable owner per role; put several people in a team"
                                    .to_owned(),
                            ),
                        );
                        ok = false;
                        RoleRef::Missing(self.at(value))
                    }
                    _ => match self.id(Some(value), &field) {
                        Some(id) => RoleRef::Set(self.intern(id)),
                        None => {
                            ok = false;
                            RoleRef::Missing(self.at(value))
                        }
                    },
                },
            }
        });
        self.close(e);
        ok.then_some(roles)
    }

    fn exception(&mut self, node: &Node) -> Option<Exception> {
        let mut e = self.open(node, &EXCEPTION, "an exception")?;
        e.what = "exception".to_owned();
        let loc = self.at(node);
        let rule = match self.string(e.get("rule"), "rule") {
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
        let reason = match self.string(e.get("reason"), "reason") {
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
        let approved_by = self
            .id(e.get("approved_by"), "approved_by")
            .map(|id| self.intern(id));
        let expires = self.date(e.get("expires"), "expires");
        let ticket = self.string(e.get("ticket"), "ticket");
        self.close(e);
        Some(Exception {
            loc,
            rule: rule?,
            reason: reason?,
            approved_by,
            expires,
            ticket,
            nth: 1,
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
            Some(best) => format!("{} `nhi-own rules` lists every rule", suggestion(best)),
            None => "`nhi-own rules` lists every rule".to_owned(),
        };
        self.error(
            text.loc,
            format!("unknown rule `{}`", short(&text.value)),
            Some(help),
        );
    }

    /// The policy; `None` when it holds an error (the defaults are never
    /// applied in its place).
    pub(super) fn policy(&mut self, node: &Node) -> Option<Policy> {
        let mut policy = Policy::default();
        if matches!(node.value, Value::Null) {
            return Some(policy);
        }
        let errors_before = self.errors.len();
        let mut e = self.open(node, &POLICY, "`policy`")?;
        if let Some(list) = e.get("required_owners") {
            let mut roles = Vec::new();
            let items = self.list(
                Some(list),
                "policy.required_owners",
                "`required_owners: [policy, technical, revocation]`",
            );
            for item in items {
                if let Some(role) = self.keyword::<Role>(Some(item), "role")
                    && !roles.contains(&role.value)
                {
                    roles.push(role.value);
                }
            }
            policy.required_owners = roles;
        }
        if let Some(rotation) = e.get("rotation") {
            self.policy_rotation(rotation, &mut policy);
        }
        for (field, slot) in [
            ("review_interval", &mut policy.review_interval),
            (
                "privileged_review_interval",
                &mut policy.privileged_review_interval,
            ),
            ("warn_within", &mut policy.warn_within),
            ("max_exception", &mut policy.max_exception),
            ("unused_after", &mut policy.unused_after),
        ] {
            if let Some(days) = self.days(e.get(field), &format!("policy.{field}")) {
                *slot = days;
            }
        }
        if let Some(severity) = e.get("severity") {
            self.policy_severity(severity, &mut policy);
        }
        let globs = self.strings(
            e.get("ignore_refs"),
            "policy.ignore_refs",
            "glob",
            "`ignore_refs: [\"arn:aws:iam::*:user/people/*\"]`",
        );
        match super::IgnoreRefs::new(globs) {
            Ok(ignore) => policy.ignore_refs = ignore,
            Err((loc, problem)) => self.error(
                loc,
                format!("`policy.ignore_refs` holds a glob that does not compile: {problem}"),
                Some("`*` matches within a `/`-separated segment, `**` across segments".to_owned()),
            ),
        }
        self.close(e);
        (self.errors.len() == errors_before).then_some(policy)
    }

    fn policy_rotation(&mut self, node: &Node, policy: &mut Policy) {
        let Some(mut e) = self.open(node, &POLICY_ROTATION, "`policy.rotation`") else {
            return;
        };
        policy.rotation_max_age = self.days(e.get("max_age"), "policy.rotation.max_age");
        if let Some(kinds) = e.get("kinds") {
            let Value::Map(entries) = &kinds.value else {
                self.error(
                    self.at(kinds),
                    format!(
                        "`policy.rotation.kinds` must be a mapping, found {}",
                        kinds.value.describe()
                    ),
                    Some(
                        "write it as `kinds: { token: 60d, workload_identity: never }`".to_owned(),
                    ),
                );
                self.close(e);
                return;
            };
            for (key, value) in entries {
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
        self.close(e);
    }

    fn policy_severity(&mut self, node: &Node, policy: &mut Policy) {
        let Value::Map(entries) = &node.value else {
            self.error(
                self.at(node),
                format!(
                    "`policy.severity` must be a mapping, found {}",
                    node.value.describe()
                ),
                Some("write it as `severity: { review-overdue: off }`".to_owned()),
            );
            return;
        };
        for (key, value) in entries {
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
}
