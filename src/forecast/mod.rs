//! `forecast`: every deadline ahead (rotations, credential expiries,
//! reviews, exception expiries), with the owner who must act on it.
//!
//! The dates come from the functions the rules judge with
//! ([`lifecycle::rotation_due`], [`lifecycle::review_due`], the `expires`
//! fields), so a deadline listed as passed is one `audit` reports.

pub mod ics;

use crate::audit::severity;
use crate::catalogue::RuleId;
use crate::escape::escape;
use crate::keyword::Keyword;
use crate::registry::{Date, Days, Exception, Loc, Located, Registry};
use crate::report::{Owners, Subject, fingerprint, route};
use crate::rules::lifecycle::{self, Review, Rotation};
use crate::wording::{days, plural, until};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt::Write as _;

/// What falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    Rotation,
    Expiry,
    Review,
    Exception,
}

impl What {
    /// The rule that reports the deadline once it has passed: its finding's
    /// fingerprint is the deadline's (a calendar's `UID`).
    fn rule(self) -> RuleId {
        match self {
            What::Rotation => RuleId::StaleRotation,
            What::Expiry => RuleId::ExpiredCredential,
            What::Review => RuleId::ReviewOverdue,
            What::Exception => RuleId::ExpiredException,
        }
    }

    /// The rules that judge it, [`What::rule`] and its warning: a deadline
    /// whose rules the policy turned `off` is not forecast.
    fn rules(self) -> &'static [RuleId] {
        match self {
            What::Rotation => &[RuleId::StaleRotation, RuleId::RotationDue],
            What::Expiry => &[RuleId::ExpiredCredential, RuleId::ExpiringCredential],
            What::Review => &[RuleId::ReviewOverdue],
            What::Exception => &[RuleId::ExpiredException, RuleId::ExpiringException],
        }
    }
}

/// One deadline.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    pub identity: String,
    pub what: What,
    /// For an exception: the rule it excepts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleId>,
    #[serde(serialize_with = "as_text")]
    pub due: Date,
    /// Days from the forecast's day to the deadline; negative once passed.
    pub days_left: i64,
    pub overdue: bool,
    /// What falls due, in words: `rotation due: last rotated 2026-09-01; max age 90d`.
    pub message: String,
    /// The owner who must act (SPEC §5): the technical owner for
    /// rotations, expiries and reviews; the exception's approver, else the
    /// policy owner, for exceptions; null when that role is missing.
    pub owner: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// The fingerprint of the finding the deadline becomes once passed.
    pub fingerprint: String,
    #[serde(skip)]
    pub(crate) entry: usize,
}

/// `YYYY-MM-DD`.
fn as_text<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(date)
}

/// The deadlines of a registry up to a day.
#[derive(Debug)]
pub struct Forecast {
    pub now: Date,
    pub within: Days,
    /// The last day of the window (never past the end of year 9999, the
    /// last day a calendar date can name).
    pub until: Date,
    /// Overdue first, then by date.
    pub deadlines: Vec<Deadline>,
}

impl Forecast {
    pub fn overdue(&self) -> usize {
        self.deadlines.iter().filter(|d| d.overdue).count()
    }
}

/// The last day a four-digit year can name: what RFC 5545 dates and the
/// registry's dates can hold.
fn last_day() -> Date {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Every deadline of the identities in service that falls on or before
/// `now + within`; those already passed are overdue.
pub fn forecast(registry: &Registry, now: Date, within: &Days) -> Forecast {
    let last = lifecycle::due_after(now, within).min(last_day());
    let policy = &registry.policy;
    let mut deadlines = Vec::new();
    for (identity, subject) in Subject::identities(registry) {
        if identity.is_retired() {
            continue;
        }
        let Subject::Identity { entry, .. } = subject else {
            continue;
        };
        let owners = Owners::of(identity);
        let mut add =
            |what: What, date: &Located<Date>, message: String, exception: Option<&Exception>| {
                let days_left = (date.value - now).num_days();
                // Forecast while a rule judges it: once passed, the rule that
                // then reports it (a passed deadline is a finding of `audit`);
                // before, that rule or its warning.
                let judged = if days_left < 0 {
                    severity(registry, what.rule()).is_some()
                } else {
                    what.rules()
                        .iter()
                        .any(|&r| severity(registry, r).is_some())
                };
                if date.value > last || !judged {
                    return;
                }
                let rule = exception.map(|e| e.rule.value);
                let approver = exception
                    .and_then(|e| e.approved_by.as_ref())
                    .map(|a| a.value.as_ref());
                deadlines.push(Deadline {
                    identity: identity.id.value.clone(),
                    what,
                    rule,
                    due: date.value,
                    days_left,
                    overdue: days_left < 0,
                    message,
                    owner: route(what.rule(), &owners, approver).map(|o| o.to_string()),
                    file: registry.file(date.loc).to_owned(),
                    line: date.loc.line,
                    column: date.loc.col,
                    fingerprint: fingerprint(
                        what.rule(),
                        &subject,
                        rule.map_or("", |r| r.as_str()),
                        exception.map_or(1, |e| e.nth),
                    ),
                    entry,
                });
            };
        if let Rotation::Due {
            due,
            reference,
            what,
            max,
        } = lifecycle::rotation_due(policy, identity)
        {
            let never = if what == "created" {
                ", never rotated"
            } else {
                ""
            };
            add(
                What::Rotation,
                &at(due, reference.loc),
                format!(
                    "rotation due: {what} {}{never}; max age {max}",
                    reference.value
                ),
                None,
            );
        }
        if let Some(expires) = &identity.expires {
            add(What::Expiry, expires, "credential expires".to_owned(), None);
        }
        if let Review::Due {
            due,
            from,
            what,
            interval,
            which,
        } = lifecycle::review_due(policy, identity)
        {
            add(
                What::Review,
                &at(due, from.loc),
                format!("review due: {what} {}; {which} {interval}", from.value),
                None,
            );
        }
        for exception in &identity.exceptions {
            let Some(expires) = &exception.expires else {
                continue;
            };
            let rule = exception.rule.value;
            let approver = exception.approved_by.as_ref().map(|a| a.value.as_ref());
            let by = approver.map_or_else(
                || " (no `approved_by`)".to_owned(),
                |a| format!(" (approved by {a})"),
            );
            add(
                What::Exception,
                expires,
                format!("exception for {rule} expires{by}"),
                Some(exception),
            );
        }
    }
    deadlines.sort_by(|a, b| {
        (a.due, a.entry, a.what, a.line, a.column).cmp(&(b.due, b.entry, b.what, b.line, b.column))
    });
    Forecast {
        now,
        within: within.clone(),
        until: last,
        deadlines,
    }
}

/// A computed date, located at the field it follows from.
fn at(value: Date, loc: Loc) -> Located<Date> {
    Located { value, loc }
}

/// When, from the forecast's day: `3 days overdue`, `today`, `in 5 days`.
pub fn when(d: &Deadline) -> String {
    if d.overdue {
        format!("{} overdue", days(-d.days_left))
    } else {
        until(d.days_left)
    }
}

/// `3 deadlines within 30d (by 2026-12-31), 1 overdue, as of 2026-12-01`.
pub fn summary(f: &Forecast) -> String {
    let overdue = f.overdue();
    let counted = if f.deadlines.is_empty() {
        "no deadlines".to_owned()
    } else {
        plural(f.deadlines.len(), "deadline", "deadlines")
    };
    let overdue = if overdue > 0 {
        format!(", {overdue} overdue,")
    } else {
        String::new()
    };
    format!(
        "{counted} within {} (by {}){overdue} as of {}",
        f.within, f.until, f.now
    )
}

/// The owner cell: the owner, or `nobody` when the role that must act is missing.
fn owner(d: &Deadline) -> &str {
    d.owner.as_deref().unwrap_or("nobody")
}

/// For people at a terminal.
pub fn table(f: &Forecast, width: Option<u16>) -> String {
    let mut out = String::new();
    if !f.deadlines.is_empty() {
        let mut table = crate::report::table::new_table(width);
        table.set_header([
            "due",
            "when",
            "identity",
            "what falls due",
            "owner",
            "location",
        ]);
        for d in &f.deadlines {
            table.add_row([
                d.due.to_string(),
                when(d),
                escape(&d.identity).into_owned(),
                escape(&d.message).into_owned(),
                escape(owner(d)).into_owned(),
                format!("{}:{}:{}", escape(&d.file), d.line, d.column),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    let _ = writeln!(out, "{}", summary(f));
    out
}

#[derive(Serialize)]
struct Document<'f> {
    version: u32,
    tool: crate::report::json::Tool,
    now: String,
    within: String,
    until: String,
    summary: Summary,
    deadlines: &'f [Deadline],
}

#[derive(Serialize)]
struct Summary {
    deadlines: usize,
    overdue: usize,
}

/// For scripts: every deadline, with its date, owner and fingerprint.
pub fn json(f: &Forecast) -> String {
    crate::report::json::to_safe_json(&Document {
        version: 1,
        tool: crate::report::json::TOOL,
        now: f.now.to_string(),
        within: f.within.to_string(),
        until: f.until.to_string(),
        summary: Summary {
            deadlines: f.deadlines.len(),
            overdue: f.overdue(),
        },
        deadlines: &f.deadlines,
    })
}
