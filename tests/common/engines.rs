//! The two YAML layers side by side: what each makes of one input, and
//! whether they agree. Shared by the engines check of the `clients` suite
//! (`yaml_suite.rs`) and the `engines` fuzz target.

use nhi_own::registry::{Engine, LoadOptions, load_bytes};

pub fn options(engine: Engine) -> LoadOptions {
    LoadOptions {
        engine,
        threads: 1,
        ..LoadOptions::default()
    }
}

/// What a load gives: the whole registry, or the errors (position, message).
pub fn outcome(name: &str, text: &[u8], engine: Engine) -> Result<String, Vec<(u32, u32, String)>> {
    match load_bytes(&[(name, text)], &options(engine)) {
        Ok(registry) => Ok(format!("{registry:?}")),
        Err(errors) => Err(errors
            .0
            .into_iter()
            .map(|e| (e.line, e.col, e.message))
            .collect()),
    }
}

/// Whether the event layer's outcome agrees with the serde layer's.
pub fn agree(
    events: &Result<String, Vec<(u32, u32, String)>>,
    serde: &Result<String, Vec<(u32, u32, String)>>,
) -> bool {
    const SECOND_DOCUMENT: &str = "file holds more than one YAML document";
    // The serde layer stopped at these; the event layer goes on past them,
    // and may then stop at a syntax error further on.
    let goes_on = |m: &str| {
        m.starts_with("unsupported YAML: a mapping key") || m.starts_with("duplicate key")
    };
    let syntax = |errors: &[(u32, u32, String)]| {
        errors.iter().any(|(_, _, m)| m.starts_with("invalid YAML"))
    };
    match (events, serde) {
        (Ok(a), Ok(b)) => a == b,
        (Err(events), Err(serde)) => serde.iter().all(|(line, col, message)| {
            goes_on(message)
                // The event layer found the YAML unreadable: it reports the
                // syntax error alone, not what had been read of the entries
                // before it (the serde layer may have stopped at one of
                // those, before the syntax error).
                || (syntax(events) && !message.starts_with("invalid YAML"))
                || events.iter().any(|(l, c, m)| {
                    (l, c) == (line, col)
                        || (m == SECOND_DOCUMENT && message == SECOND_DOCUMENT)
                        // The same parser stopped both; the event layer
                        // moves a syntax error to the mistake (the tab,
                        // the unclosed bracket) and explains it.
                        || (m.starts_with("invalid YAML") && message.starts_with("invalid YAML"))
                })
        }),
        _ => false,
    }
}

/// Inputs the serde layer reads wrongly: any tag, a repeated merge key, and
/// characters YAML does not allow in a stream (C0 controls but tab, line
/// feed and carriage return, DEL, C1 controls but NEL: YAML 1.2 §5.1), which
/// the serde layer let through in plain scalars.
pub fn uses_a_fixed_feature(text: &str) -> bool {
    let unprintable = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}'))
            || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    text.contains('!') || text.matches("<<").count() > 1 || text.contains(unprintable)
}
