//! Dates and durations of the registry format.
//!
//! Dates are `YYYY-MM-DD` or RFC 3339 timestamps; every comparison is by UTC
//! calendar day, so a timestamp is reduced to its UTC date. Durations are a
//! positive integer followed by `d` (days) or `w` (weeks).

use crate::escape::short;
use chrono::{DateTime, NaiveDate};
use std::fmt;

/// A calendar day (UTC).
pub type Date = NaiveDate;

/// Parses a registry date: exactly `YYYY-MM-DD`, or an RFC 3339 timestamp with
/// `T` and an offset; nothing around it, not even spaces.
pub fn parse_date(text: &str) -> Result<Date, String> {
    if text.len() == 10 {
        return strict_ymd(text).ok_or_else(|| date_error(text, None));
    }
    if text.trim() != text {
        return Err(date_error(text, Some("remove the spaces around it")));
    }
    let separator = text.as_bytes().get(10).copied();
    let day = text.get(..10).and_then(strict_ymd);
    // RFC 3339 proper: `T` separator required (chrono also accepts a space).
    if !matches!(separator, Some(b'T' | b't')) {
        let hint = (day.is_some() && separator == Some(b' '))
            .then_some("write `T` between the day and the time (RFC 3339)");
        return Err(date_error(text, hint));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|dt| dt.naive_utc().date())
        .map_err(|_| {
            let no_offset =
                day.is_some() && DateTime::parse_from_rfc3339(&format!("{text}Z")).is_ok();
            date_error(
                text,
                no_offset.then_some(
                    "a timestamp needs its offset from UTC: add `Z` (UTC) or one such as `+02:00`",
                ),
            )
        })
}

fn strict_ymd(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    let number =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let year = i32::try_from(number(0..4)).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7), number(8..10))
}

fn date_error(text: &str, hint: Option<&str>) -> String {
    match hint {
        Some(hint) => format!("invalid date `{}`: {hint}", short(text)),
        None => format!(
            "invalid date `{}`: expected a real calendar day as YYYY-MM-DD (2026-12-10) \
             or an RFC 3339 timestamp (2026-12-10T00:00:00Z)",
            short(text)
        ),
    }
}

/// A positive number of days, remembered with the spelling the user wrote (`12w`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Days {
    pub days: i64,
    pub text: String,
}

impl Days {
    pub fn builtin(days: i64) -> Self {
        Days {
            days,
            text: format!("{days}d"),
        }
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A maximum credential age: a duration, or `never` (the kind is not rotated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaxAge {
    Days(Days),
    Never,
}

/// Parses `90d` or `12w`: a positive integer and a unit, nothing else.
pub fn parse_duration(text: &str) -> Result<Days, String> {
    let bad = || {
        format!(
            "invalid duration `{}`: expected a positive whole number of days or weeks, \
             such as `90d` or `12w`",
            short(text)
        )
    };
    let (number, factor) = if let Some(number) = text.strip_suffix('d') {
        (number, 1)
    } else if let Some(number) = text.strip_suffix('w') {
        (number, 7)
    } else {
        return Err(bad());
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Bounded so that date arithmetic can never overflow (about 27,000 years).
    let n: i64 = number.parse().map_err(|_| bad())?;
    let days = n
        .checked_mul(factor)
        .filter(|d| (1..=10_000_000).contains(d));
    match days {
        Some(days) => Ok(Days {
            days,
            text: text.to_owned(),
        }),
        None if n == 0 => Err(format!(
            "invalid duration `{}`: a duration must be positive",
            short(text)
        )),
        None => Err(format!("invalid duration `{}`: too long", short(text))),
    }
}

/// Parses a max age: a duration or, where allowed, `never`.
pub fn parse_max_age(text: &str, never_allowed: bool) -> Result<MaxAge, String> {
    if text == "never" {
        if never_allowed {
            return Ok(MaxAge::Never);
        }
        return Err(
            "`never` is only allowed in `policy.rotation.kinds`; give a duration such as `90d`"
                .to_owned(),
        );
    }
    parse_duration(text).map(MaxAge::Days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-02-28").unwrap().to_string(), "2026-02-28");
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-2-3").is_err());
        assert!(parse_date("26-02-03xx").is_err());
        assert!(
            parse_date("2026-12-10 00:00:00Z")
                .unwrap_err()
                .contains("write `T` between the day and the time")
        );
        assert!(
            parse_date("2026-12-10T00:00:00")
                .unwrap_err()
                .contains("needs its offset from UTC")
        );
        // Exactly the date: no spaces around it, whatever the quoting.
        for spaced in [
            " 2026-12-10",
            "2026-12-10 ",
            "\t2026-12-10",
            " 2026-12-10T00:00:00Z",
        ] {
            assert!(
                parse_date(spaced)
                    .unwrap_err()
                    .contains("remove the spaces around it"),
                "{spaced:?}"
            );
        }
        assert!(parse_date("2026-12-1 ").is_err());
        // Ten characters, each part wrong in turn.
        for bad in [
            "2026/02/03",
            "2026-02/03",
            "20x6-02-03",
            "2026-0x-03",
            "2026-02-0x",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} must be rejected");
        }
        // 23:30 at -02:00 is the next UTC day.
        assert_eq!(
            parse_date("2026-12-10T23:30:00-02:00").unwrap().to_string(),
            "2026-12-11"
        );
        assert_eq!(
            parse_date("2026-12-10T00:00:00Z").unwrap().to_string(),
            "2026-12-10"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90d").unwrap().days, 90);
        assert_eq!(parse_duration("12w").unwrap().days, 84);
        for bad in [
            "",
            "d",
            "0d",
            "-5d",
            "+5d",
            "5",
            "5m",
            "5 d",
            "1.5w",
            "99999999999d",
            // A multi-byte last character once split a string mid-character.
            "6Р",
            "é",
            "90дн",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} must be rejected");
        }
        assert!(
            parse_duration("0d")
                .unwrap_err()
                .contains("must be positive")
        );
        assert!(
            parse_duration("99999999999d")
                .unwrap_err()
                .contains("too long")
        );
        assert!(
            parse_duration("10000001d")
                .unwrap_err()
                .contains("too long")
        );
        assert_eq!(parse_duration("10000000d").unwrap().days, 10_000_000);
        assert_eq!(parse_max_age("never", true).unwrap(), MaxAge::Never);
        assert!(parse_max_age("never", false).is_err());
    }
}
