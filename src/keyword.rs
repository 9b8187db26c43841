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
}
