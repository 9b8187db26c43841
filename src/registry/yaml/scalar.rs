//! Scalars and tags: the YAML 1.2 core schema, and the tags the format allows.

use super::tree::Builder;
use super::{Pos, TAG_HELP, Value, YamlError};
use granit_parser::{Span, Tag};
use std::borrow::Cow;

impl Builder<'_> {
    /// Reports a tag the format does not allow; returns whether a scalar is
    /// tagged `!!str` (and so is text whatever it looks like).
    pub(super) fn check_tag(&mut self, tag: Option<&Tag>, span: &Span, expect: Expect) -> bool {
        let Some(tag) = tag else { return false };
        let allowed = match expect {
            Expect::Scalar => "str",
            Expect::Seq => "seq",
            Expect::Map => "map",
        };
        if tag.is_yaml_core_schema_tag(allowed) {
            return true;
        }
        let pos = span
            .tag_start()
            .map_or_else(|| Pos::of(span), |m| Pos::at(m.line(), m.col()));
        self.errors.push(YamlError::new(
            pos,
            format!(
                "unsupported YAML: the tag `{}` is not part of the registry format",
                crate::escape::short(&tag.original())
            ),
            Some(TAG_HELP),
        ));
        false
    }
}

#[derive(Clone, Copy)]
pub(super) enum Expect {
    Scalar,
    Seq,
    Map,
}

/// A plain scalar under the YAML 1.2 core schema.
pub(super) fn resolve(text: Cow<'_, str>) -> Value<'_> {
    match text.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true, text),
        "false" | "False" | "FALSE" => Value::Bool(false, text),
        t if is_core_number(t) => Value::Number(text),
        _ => Value::Str(text),
    }
}

/// The core schema's integers (decimal, `0o`, `0x`) and floats (`.inf`, `.nan` included).
fn is_core_number(text: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(octal) = text.strip_prefix("0o") {
        return digits(octal, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return digits(hex, 16);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // [0-9]+ | (\.[0-9]+ | [0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        None => digits(mantissa, 10),
        Some(("", fraction)) => digits(fraction, 10),
        Some((whole, fraction)) => {
            digits(whole, 10) && fraction.chars().all(|c| c.is_ascii_digit())
        }
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_numbers() {
        for number in [
            "0", "-12", "+7", "0o17", "0x1F", "1.5", ".5", "1.", "1e3", "-1.5E-3", ".inf", "-.Inf",
            "+.INF", ".nan", ".NaN",
        ] {
            assert!(is_core_number(number), "{number}");
        }
        for text in [
            "", "-", "+", ".", "1_000", "0b101", "0o", "0x", "0o8", "1e", "e3", "1.2.3", "-.nan",
            "12abc", "٣", "0x1g", "1e+", "inf",
        ] {
            assert!(!is_core_number(text), "{text}");
        }
    }
}
