//! The registry file format: model types, loading, merging, dates and durations.
//!
//! Data enters here: [`load`] reads paths into a typed [`Registry`] where every
//! value knows its `file:line:col`, or returns every problem found at once.

#[doc(hidden)]
pub mod chunk;
mod convert;
mod entries;
mod entry;
mod files;
pub mod format;
mod ids;
mod load;
mod merge;
mod parallel;
pub mod time;
pub mod yaml;

use crate::catalogue::{RuleId, Severity};
use crate::keyword::keyword_enum;
use crate::wording::plural;
pub(crate) use files::read_file;
pub use files::{FileDigest, STDIN, STDIN_DISPLAY, Sources, describe_io, display_path};
pub use load::{
    Chunking, LoadOptions, ParseCache, load, load_bytes, load_cached, load_sources, parse_only,
};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
pub use time::{Date, Days, MaxAge};

/// A position in one of the registry's files (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

/// A value with the location of the YAML node it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T> Located<T> {
    pub fn new(value: T, loc: Loc) -> Self {
        Located { value, loc }
    }
}

keyword_enum! {
    /// What sort of credential or principal an identity is.
    pub enum IdentityKind {
        ServiceAccount => "service_account",
        ApiKey => "api_key",
        Token => "token",
        Certificate => "certificate",
        SshKey => "ssh_key",
        OauthApp => "oauth_app",
        WorkloadIdentity => "workload_identity",
        Secret => "secret",
        Other => "other",
    }
}

impl IdentityKind {
    /// The built-in maximum age when the policy says nothing about this kind.
    pub fn default_max_age(self) -> MaxAge {
        match self {
            IdentityKind::ServiceAccount
            | IdentityKind::ApiKey
            | IdentityKind::Token
            | IdentityKind::Secret
            | IdentityKind::Other => MaxAge::Days(Days::builtin(90)),
            IdentityKind::SshKey | IdentityKind::OauthApp => MaxAge::Days(Days::builtin(180)),
            IdentityKind::Certificate => MaxAge::Days(Days::builtin(398)),
            IdentityKind::WorkloadIdentity => MaxAge::Never,
        }
    }
}

keyword_enum! {
    pub enum IdentityStatus {
        Active => "active",
        Deprecated => "deprecated",
        Retired => "retired",
    }
}

keyword_enum! {
    pub enum OwnerKind {
        Team => "team",
        Person => "person",
        Vendor => "vendor",
    }
}

keyword_enum! {
    pub enum OwnerStatus {
        Active => "active",
        Inactive => "inactive",
    }
}

keyword_enum! {
    /// The three accountable roles every identity names.
    pub enum Role {
        Policy => "policy",
        Technical => "technical",
        Revocation => "revocation",
    }
}

/// One file of the registry, named as the user gave it (relative paths stay relative).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    /// The SHA-256 and size of the bytes read, when the loader was asked for
    /// them ([`LoadOptions::digests`]).
    pub digest: Option<FileDigest>,
}

/// Text that many entries repeat (owner ids, systems, environments): one
/// copy per distinct value of a file, shared.
pub type Shared = std::sync::Arc<str>;

/// An owner reference held by a role: absent (located at the nearest enclosing
/// node, or at an explicit `null`/`""`) or an owner id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRef {
    Missing(Loc),
    Set(Located<Shared>),
}

impl RoleRef {
    pub fn id(&self) -> Option<&Located<Shared>> {
        match self {
            RoleRef::Set(id) => Some(id),
            RoleRef::Missing(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub id: Located<String>,
    /// The identity's entry (its mapping in `identities`).
    pub loc: Loc,
    pub kind: Located<IdentityKind>,
    pub description: Option<Located<String>>,
    pub system: Option<Located<Shared>>,
    pub environment: Option<Located<Shared>>,
    pub tags: Box<[Located<String>]>,
    pub status: IdentityStatus,
    /// Indexed by `Role as usize`: policy, technical, revocation.
    pub owners: [RoleRef; 3],
    pub escalation: Option<Located<Shared>>,
    pub privileged: bool,
    pub created: Option<Located<Date>>,
    pub last_rotated: Option<Located<Date>>,
    /// Boxed: most identities have none, and each is a few dozen bytes.
    pub max_age: Option<Box<Located<MaxAge>>>,
    pub expires: Option<Located<Date>>,
    pub last_reviewed: Option<Located<Date>>,
    pub revoked: Option<Located<Date>>,
    /// `ref`: the identity's identifier in the system that issued it.
    pub reference: Option<Located<String>>,
    /// The workloads, services or pipelines that use this credential.
    pub used_by: Box<[Located<String>]>,
    pub exceptions: Box<[Exception]>,
}

impl Identity {
    pub fn owner(&self, role: Role) -> &RoleRef {
        &self.owners[role as usize]
    }

    pub fn is_retired(&self) -> bool {
        self.status == IdentityStatus::Retired
    }
}

/// An accepted risk: lets one rule's findings on one identity pass until it expires.
#[derive(Debug, Clone)]
pub struct Exception {
    pub loc: Loc,
    pub rule: Located<RuleId>,
    pub reason: Located<String>,
    pub approved_by: Option<Located<Shared>>,
    pub expires: Option<Located<Date>>,
    pub ticket: Option<Located<String>>,
    /// 1 for the identity's first exception for this rule, 2 for the next,
    /// …: which one a finding is about, in its fingerprint.
    pub nth: u32,
}

#[derive(Debug, Clone)]
pub struct Owner {
    pub id: Located<String>,
    /// The owner's entry (its mapping).
    pub loc: Loc,
    pub kind: Located<OwnerKind>,
    pub name: Option<Located<String>>,
    pub email: Option<Located<String>>,
    pub contact: Option<Located<String>>,
    pub members: Vec<Located<Shared>>,
    pub status: OwnerStatus,
}

/// `policy.ignore_refs`: the globs as written, and compiled.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRefs {
    pub globs: Vec<Located<String>>,
    set: globset::GlobSet,
}

impl IgnoreRefs {
    /// Compiles the globs: `*` and `?` stay within a `/`-separated segment,
    /// `**` crosses them. The first glob that does not compile is returned.
    pub fn new(globs: Vec<Located<String>>) -> Result<Self, (Loc, String)> {
        let mut set = globset::GlobSetBuilder::new();
        for glob in &globs {
            let compiled = globset::GlobBuilder::new(&glob.value)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| (glob.loc, e.kind().to_string()))?;
            set.add(compiled);
        }
        let set = set.build().map_err(|e| {
            (
                globs.first().map_or(
                    Loc {
                        file: 0,
                        line: 1,
                        col: 1,
                    },
                    |g| g.loc,
                ),
                e.to_string(),
            )
        })?;
        Ok(IgnoreRefs { globs, set })
    }

    /// The first glob `reference` matches, if any.
    pub fn matching(&self, reference: &str) -> Option<&Located<String>> {
        self.set
            .matches(reference)
            .first()
            .and_then(|&i| self.globs.get(i))
    }
}

/// The `policy` block, with the defaults of SPEC §3 filled in.
#[derive(Debug, Clone)]
pub struct Policy {
    pub required_owners: Vec<Role>,
    pub rotation_max_age: Option<Days>,
    pub rotation_kinds: BTreeMap<IdentityKind, MaxAge>,
    pub review_interval: Days,
    pub privileged_review_interval: Days,
    pub warn_within: Days,
    pub max_exception: Days,
    /// Drift: an active credential with no use within this is unused.
    pub unused_after: Days,
    /// Drift: inventory records whose ref matches one of these are never
    /// reported (globs: `*` within a `/`-separated segment, `**` across).
    pub ignore_refs: IgnoreRefs,
    /// Severities set by the policy; `None` is `off`.
    pub severity: BTreeMap<RuleId, Option<Severity>>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            required_owners: Role::ALL.to_vec(),
            rotation_max_age: None,
            rotation_kinds: BTreeMap::new(),
            review_interval: Days::builtin(180),
            privileged_review_interval: Days::builtin(90),
            warn_within: Days::builtin(30),
            max_exception: Days::builtin(90),
            unused_after: Days::builtin(90),
            ignore_refs: IgnoreRefs::default(),
            severity: BTreeMap::new(),
        }
    }
}

use crate::keyword::Keyword;

impl Policy {
    /// Max age for an identity: its own, else the policy's for its kind, else the
    /// policy's general one, else the built-in default for its kind.
    pub fn max_age(&self, identity: &Identity) -> MaxAge {
        if let Some(own) = &identity.max_age {
            return own.value.clone();
        }
        if let Some(for_kind) = self.rotation_kinds.get(&identity.kind.value) {
            return for_kind.clone();
        }
        if let Some(general) = &self.rotation_max_age {
            return MaxAge::Days(general.clone());
        }
        identity.kind.value.default_max_age()
    }
}

/// A loaded, merged, validated registry.
#[derive(Clone, Default)]
pub struct Registry {
    pub files: Vec<SourceFile>,
    pub policy: Policy,
    /// The owner directory, in declaration order.
    pub owners: Vec<Owner>,
    pub identities: Vec<Identity>,
    owner_index: HashMap<String, usize>,
}

/// Everything but the owner index, which is derived and unordered.
impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("files", &self.files)
            .field("policy", &self.policy)
            .field("owners", &self.owners)
            .field("identities", &self.identities)
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// True when at least one owner entry is declared anywhere (SPEC §1).
    pub fn has_directory(&self) -> bool {
        !self.owners.is_empty()
    }

    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.owner_index.get(id).map(|&i| &self.owners[i])
    }

    /// The index of an owner's entry in [`Registry::owners`].
    pub fn owner_index(&self, id: &str) -> Option<usize> {
        self.owner_index.get(id).copied()
    }

    pub fn file(&self, loc: Loc) -> &str {
        self.files
            .get(loc.file as usize)
            .map_or("<unknown>", |f| f.path.as_str())
    }

    /// `file:line:col`, as messages cite another place.
    pub fn position(&self, loc: Loc) -> String {
        format!("{}:{}:{}", self.file(loc), loc.line, loc.col)
    }
}

/// One problem that makes a registry unreadable or invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// `None` for problems that concern no file (no path given).
    pub file: Option<String>,
    pub line: u32,
    pub col: u32,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = crate::escape::escape(&self.message);
        match &self.file {
            Some(file) if self.line > 0 => write!(
                f,
                "{}:{}:{}: error: {message}",
                crate::escape::escape(file),
                self.line,
                self.col
            )?,
            Some(file) => write!(f, "{}: error: {message}", crate::escape::escape(file))?,
            None => write!(f, "error: {message}")?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", crate::escape::escape(help))?;
        }
        Ok(())
    }
}

/// Every problem found while loading; the registry is invalid (exit 2).
#[derive(Debug, Clone, thiserror::Error)]
pub struct LoadErrors(pub Vec<LoadError>);

impl LoadErrors {
    /// The files the errors are in, in order of first appearance.
    pub fn files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = Vec::new();
        for file in self.0.iter().filter_map(|e| e.file.as_deref()) {
            if !files.contains(&file) {
                files.push(file);
            }
        }
        files
    }

    /// "the registry is invalid: 2 problems in 1 file", or, when nothing
    /// could be read, what was missing.
    pub fn summary(&self) -> String {
        let problems = self.0.len();
        let files = self.files().len();
        let unreadable = self.0.iter().all(|e| e.message.starts_with("cannot read"));
        if unreadable {
            return "the registry could not be read".to_owned();
        }
        format!(
            "the registry is invalid: {} in {}",
            plural(problems, "problem", "problems"),
            plural(files, "file", "files")
        )
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
