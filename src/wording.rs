//! How counts and day spans are said, in one place for every message.

use std::fmt::Display;

/// "1 file", "2 files", "-1 day": the singular for one (or minus one).
pub fn plural<N>(n: N, one: &str, many: &str) -> String
where
    N: Display + Copy + TryInto<i64>,
{
    let single = n.try_into().is_ok_and(|n: i64| n.abs() == 1);
    format!("{n} {}", if single { one } else { many })
}

/// "1 day", "12 days".
pub fn days(n: i64) -> String {
    plural(n, "day", "days")
}

/// "today", "in 1 day", "in 12 days".
pub fn until(n: i64) -> String {
    if n == 0 {
        "today".to_owned()
    } else {
        format!("in {}", days(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(plural(1_usize, "file", "files"), "1 file");
        assert_eq!(plural(0_usize, "file", "files"), "0 files");
        assert_eq!(days(-1), "-1 day");
        assert_eq!(days(2), "2 days");
        assert_eq!(until(0), "today");
        assert_eq!(until(1), "in 1 day");
    }
}
