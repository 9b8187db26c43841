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
use chrono::{NaiveTime, TimeZone, Utc};
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
    out
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
    if let Some(next) = d.due.succ_opt() {
        event.ends(next);
    }
    if d.owner.is_some() {
        event.categories([escape(owner(d))]);
    }
    event.done()
}
