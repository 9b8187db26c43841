//! Closed sets of words (kinds, statuses, roles, rule ids) and "did you mean".

/// A closed set of words, each with its spelling in the registry format.
pub trait Keyword: Sized + Copy + Eq + 'static {
    /// Every value, in catalogue order.
    const ALL: &'static [Self];
    /// The spelling used in registries and reports.
    fn as_str(self) -> &'static str;

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == text)
    }

    /// `a`, `b` or `c` — for error messages.
    fn expected() -> String {
        one_of(Self::ALL.iter().map(|k| k.as_str()))
    }
}

/// Declares a `Keyword` enum with its spellings.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $crate::keyword::Keyword for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::keyword::Keyword::as_str(*self))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::keyword::Keyword::as_str(*self))
            }
        }
    };
}
pub(crate) use keyword_enum;

/// The closest candidate to a misspelt word, if one is close enough to be a typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // A typo is short; comparing a huge input would only cost time.
    if input.len() > 64 {
        return None;
    }
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// "did you mean `best`?": how every message suggests a word, and what
/// [`suggested_in`] reads back (the editor's quick fix).
pub fn suggestion(best: &str) -> String {
    format!("did you mean `{best}`?")
}

/// The word a message or help text suggests with [`suggestion`], if any.
pub fn suggested_in(text: &str) -> Option<&str> {
    let start = text.find("did you mean `")? + "did you mean `".len();
    let rest = &text[start..];
    rest.find("`?").map(|end| &rest[..end])
}

/// "Did you mean" over a large set of candidates (owner ids), in time that
/// does not grow with the set: only candidates within two characters of the
/// input's length are compared, at most [`Suggester::MAX_COMPARED`] of them,
/// closest lengths first, in the order given. Deterministic: the same input
/// and candidates give the same suggestion.
pub struct Suggester<'a> {
    by_length: std::collections::HashMap<usize, Vec<&'a str>>,
}

impl<'a> Suggester<'a> {
    /// Candidates compared for one input, at most.
    pub const MAX_COMPARED: usize = 256;

    pub fn new(candidates: impl IntoIterator<Item = &'a str>) -> Self {
        let mut by_length: std::collections::HashMap<usize, Vec<&'a str>> =
            std::collections::HashMap::new();
        for candidate in candidates {
            by_length
                .entry(candidate.chars().count())
                .or_default()
                .push(candidate);
        }
        Suggester { by_length }
    }

    pub fn suggest(&self, input: &str) -> Option<&'a str> {
        if input.len() > 64 {
            return None;
        }
        let length = input.chars().count();
        let lengths = [0, -1, 1, -2, 2]
            .into_iter()
            .filter_map(|d: isize| length.checked_add_signed(d));
        let candidates = lengths
            .filter_map(|l| self.by_length.get(&l))
            .flatten()
            .copied()
            .take(Self::MAX_COMPARED);
        did_you_mean(input, candidates)
    }
}

/// Formats a list of words as "`a`, `b` or `c`".
pub fn one_of<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let words: Vec<String> = words.into_iter().map(|w| format!("`{w}`")).collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("revocaton", ["policy", "technical", "revocation"]),
            Some("revocation")
        );
        assert_eq!(did_you_mean("tokn", ["token", "secret"]), Some("token"));
        assert_eq!(did_you_mean("zzz", ["token", "secret"]), None);
        assert_eq!(one_of(["a", "b", "c"]), "`a`, `b` or `c`");
    }

    #[test]
    fn suggester_compares_close_lengths_only() {
        let owners = ["team-payments", "team-platform", "alice", "team-p"];
        let suggester = Suggester::new(owners);
        assert_eq!(suggester.suggest("team-paymnets"), Some("team-payments"));
        assert_eq!(suggester.suggest("team-platfrom"), Some("team-platform"));
        assert_eq!(suggester.suggest("alise"), Some("alice"));
        assert_eq!(suggester.suggest("zzz"), None);
        // Bounded: a directory of many same-length ids compares at most the cap.
        let many: Vec<String> = (0..10_000).map(|i| format!("person-{i:05}")).collect();
        let suggester = Suggester::new(many.iter().map(String::as_str));
        assert_eq!(suggester.suggest("person-00010x"), Some("person-00010"));
    }
}
