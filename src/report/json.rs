//! `json`: the machine-readable report of SPEC §5.
//!
//! Besides JSON's own escapes, DEL, C1 controls, line separators and bidi
//! controls are written as `\uXXXX` so the report is safe to print.

use super::{Finding, Report, Summary, Suppressed};
use crate::registry::LoadErrors;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io;

#[derive(Serialize)]
struct Document<'r> {
    version: u32,
    tool: Tool,
    now: String,
    summary: &'r Summary,
    findings: &'r [Finding],
    suppressed: &'r [Suppressed],
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<&'r [Finding]>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    name: &'static str,
    version: &'static str,
}

pub const TOOL: Tool = Tool {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
};

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `out` as it is serialised: a large report is never
/// held whole in memory.
pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let document = Document {
        version: 1,
        tool: TOOL,
        now: report.now.to_string(),
        summary: &report.summary,
        findings: &report.findings,
        suppressed: &report.suppressed,
        baselined: report.baselined.as_deref(),
    };
    write_safe_json(&document, out)
}

/// An invalid registry: every error, located, and no findings.
#[derive(Serialize)]
struct ErrorDocument<'e> {
    version: u32,
    tool: Tool,
    now: String,
    summary: Summary,
    errors: Vec<ErrorEntry<'e>>,
    findings: [(); 0],
    suppressed: [(); 0],
}

#[derive(Serialize)]
struct ErrorEntry<'e> {
    file: Option<&'e str>,
    /// `null` for a problem with the file as a whole (unreadable, too large).
    line: Option<u32>,
    column: Option<u32>,
    message: &'e str,
    help: Option<&'e str>,
}

pub fn render_errors(errors: &LoadErrors, now: crate::registry::Date) -> String {
    let document = ErrorDocument {
        version: 1,
        tool: TOOL,
        now: now.to_string(),
        summary: Summary::default(),
        errors: errors
            .0
            .iter()
            .map(|e| ErrorEntry {
                file: e.file.as_deref(),
                line: (e.line > 0).then_some(e.line),
                column: (e.line > 0).then_some(e.col),
                message: &e.message,
                help: e.help.as_deref(),
            })
            .collect(),
        findings: [],
        suppressed: [],
    };
    to_safe_json(&document)
}

/// Serialises pretty-printed JSON with terminal-unsafe characters escaped.
pub fn to_safe_json<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    if write_safe_json(value, &mut out).is_err() {
        // Serialising plain data to memory cannot fail; keep the output valid regardless.
        return "null\n".to_owned();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Writes pretty-printed JSON, terminal-unsafe characters escaped, and a
/// final newline.
pub fn write_safe_json<T: Serialize>(value: &T, out: &mut dyn io::Write) -> io::Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(&mut *out, SafeFormatter(PrettyFormatter::new()));
    // An I/O error comes back as it was (a closed pipe stays one).
    value.serialize(&mut ser).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

struct SafeFormatter<'a>(PrettyFormatter<'a>);

impl Formatter for SafeFormatter<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let legacy_command = c == '[' && fragment[..i].ends_with("##");
            if crate::escape::needs_escape(c) || legacy_command {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}
