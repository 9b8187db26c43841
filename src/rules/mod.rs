//! The rules: the catalogue and the checks, grouped as in SPEC §2.
//!
//! Checks are pure: they receive the registry, the policy and `today` and
//! return findings. To add a rule, add it to the catalogue and to its group's
//! file.

mod catalogue;
pub mod exceptions;
pub mod integrity;
pub mod lifecycle;
pub mod ownership;

pub use catalogue::{RuleId, RuleInfo};

use crate::keyword::keyword_enum;
use crate::registry::{Date, Loc, Registry};

keyword_enum! {
    /// The four groups of SPEC §2.
    pub enum Group {
        Ownership => "ownership",
        Lifecycle => "lifecycle",
        Integrity => "integrity",
        Exceptions => "exceptions",
    }
}

keyword_enum! {
    /// The severity of a finding, most severe first.
    pub enum Severity {
        Error => "error",
        Warning => "warning",
        Info => "info",
    }
}

impl RuleId {
    pub fn group(self) -> Group {
        self.info().group
    }
}

/// One rule's verdict on one place, before policy severities and exceptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: RuleId,
    pub loc: Loc,
    pub message: String,
    /// What distinguishes this violation from others of its rule on the same
    /// identity (a role, a field); stable across line moves.
    pub detail: String,
}

impl Violation {
    pub fn new(rule: RuleId, loc: Loc, detail: impl Into<String>, message: String) -> Self {
        Violation {
            rule,
            loc,
            message,
            detail: detail.into(),
        }
    }
}

/// What every check may look at: the registry and the day of the audit.
pub struct Context<'r> {
    pub registry: &'r Registry,
    pub today: Date,
}

impl Context<'_> {
    /// Whole days from `date` to today (negative when `date` is in the future).
    pub fn days_since(&self, date: Date) -> i64 {
        (self.today - date).num_days()
    }
}

/// "1 day", "12 days".
pub fn days(n: i64) -> String {
    if n.abs() == 1 {
        format!("{n} day")
    } else {
        format!("{n} days")
    }
}

/// "today", "in 1 day", "in 12 days".
pub fn until(n: i64) -> String {
    if n == 0 {
        "today".to_owned()
    } else {
        format!("in {}", days(n))
    }
}
