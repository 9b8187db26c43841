//! `forecast --format ics`: an RFC 5545 calendar with one all-day event per
//! deadline, for a calendar to subscribe to.
//!
//! - `UID` is the deadline's fingerprint (that of the finding it becomes
//!   once passed), so a calendar that reloads the file moves an event
//!   instead of adding another when a rotation is done and its next due
//!   date comes.
//! - `DTSTAMP` is the forecast's day at midnight UTC, so the same registry
//!   on the same `--now` gives the same bytes.
//! - Text is escaped twice over: control characters as in every human
//!   format (nothing from the registry reaches a calendar raw), then the
//!   RFC's own escapes and line folding, by the `icalendar` crate.

use super::{Deadline, Forecast, What, owner};
use crate::escape::escape;
use chrono::{Datelike, NaiveTime, TimeZone, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

/// The calendar's name, as calendar applications show it.
const NAME: &str = "nhi-own deadlines";

pub fn render(f: &Forecast) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property((
            "PRODID",
            concat!("-//nhi-own//nhi-own ", env!("CARGO_PKG_VERSION"), "//EN"),
        ))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", "PUBLISH"))
        .name(NAME);
    // The calendar's properties, then each event as it is built: a large
    // registry's calendar is never held as a tree of events.
    let empty = calendar.to_string();
    let mut out = empty
        .strip_suffix(END)
        .map_or_else(|| empty.clone(), str::to_owned);
    let stamp = Utc.from_utc_datetime(&f.now.and_time(NaiveTime::MIN));
    for d in &f.deadlines {
        // Writing into a String cannot fail.
        let _ = event(d, stamp).fmt_write(&mut out);
    }
    out.push_str(END);
    refold(&out)
}

/// The calendar folded again, each content line at 75 octets on a character
/// boundary (RFC 5545 §3.1) as `icalendar` folds them, but never where the
/// continuation line would begin with `:` or a space: a CI log that shows
/// the calendar reads a line that begins, after its spaces, with `::` as a
/// command, and a registry id may hold `::error::`.
fn refold(calendar: &str) -> String {
    let mut out = String::with_capacity(calendar.len() + calendar.len() / 64);
    let mut logical = String::new();
    for line in calendar.split_terminator("\r\n") {
        if let Some(continued) = line.strip_prefix(' ') {
            logical.push_str(continued);
            continue;
        }
        if !logical.is_empty() {
            fold(&logical, &mut out);
        }
        logical.clear();
        logical.push_str(line);
    }
    if !logical.is_empty() {
        fold(&logical, &mut out);
    }
    out
}

/// Folds one content line (see [`refold`]).
fn fold(line: &str, out: &mut String) {
    let starts_badly = |rest: &str| rest.starts_with(|c: char| c == ':' || c.is_whitespace());
    let back = |text: &str, mut at: usize| {
        at -= 1;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let mut rest = line;
    // The first line holds 75 octets; a continuation, its space and 74.
    let mut room = 75;
    while rest.len() > room {
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut safe = cut;
        while safe > 1 && starts_badly(&rest[safe..]) {
            safe = back(rest, safe);
        }
        // Past a run of colons longer than a line, no cut avoids one; such a
        // line names no command (its name would be empty).
        if !starts_badly(&rest[safe..]) {
            cut = safe;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// The calendar's last line.
const END: &str = "END:VCALENDAR\r\n";

/// `deploy-bot: rotation due`.
fn summary(d: &Deadline) -> String {
    let what = match (d.what, d.rule) {
        (What::Rotation, _) => "rotation due".to_owned(),
        (What::Expiry, _) => "credential expires".to_owned(),
        (What::Review, _) => "review due".to_owned(),
        (What::Exception, Some(rule)) => format!("exception for {rule} expires"),
        (What::Exception, None) => "exception expires".to_owned(),
    };
    format!("{}: {what}", escape(&d.identity))
}

fn event(d: &Deadline, stamp: chrono::DateTime<Utc>) -> Event {
    let mut event = Event::new();
    event
        .uid(&format!("{}@nhi-own", d.fingerprint))
        .timestamp(stamp)
        .starts(d.due)
        .summary(&summary(d))
        .description(&format!(
            "{}.\nOwner who must act: {}.\nIn {}:{}:{}.",
            escape(&d.message),
            match &d.owner {
                Some(owner) => escape(owner),
                None => "nobody: the role that must act is missing".into(),
            },
            escape(&d.file),
            d.line,
            d.column
        ))
        // A reminder, not a meeting: it blocks no time.
        .add_property("TRANSP", "TRANSPARENT");
    // The day after, but never past the last day a calendar date can name
    // (a deadline on 9999-12-31 has no end; RFC 5545 then takes one day).
    if let Some(next) = d.due.succ_opt().filter(|next| next.year() <= 9999) {
        event.ends(next);
    }
    if d.owner.is_some() {
        event.categories([escape(owner(d))]);
    }
    event.done()
}
