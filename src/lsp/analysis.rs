//! One analysis of a registry as the editor holds it: its files (open ones
//! from the editor's text, the others from disk), loaded and audited, and
//! every finding and load error as a diagnostic on its file.

use super::text::{Encoding, Text, token_end};
use crate::catalogue::{RuleId, Severity};
use crate::escape::escape;
use crate::forecast::Forecast;
use crate::keyword::suggested_in;
use crate::registry::{
    Date, Days, LoadError, LoadOptions, ParseCache, Registry, display_path, load_cached,
};
use crate::report::{FailOn, Finding};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range,
    Uri,
};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The source every diagnostic names.
pub const SOURCE: &str = "nhi-own";

/// One file of a registry, with the text it was analysed with.
#[derive(Debug, Clone)]
pub struct File {
    pub uri: Uri,
    /// How the loader names it in messages.
    pub name: String,
    pub text: Arc<Text>,
    /// The editor's version of the text, for an open document.
    pub version: Option<i32>,
}

/// A file to analyse: its text, or why it could not be read.
pub struct Input {
    pub uri: Uri,
    pub name: String,
    pub text: Result<Arc<Text>, LoadError>,
    pub version: Option<i32>,
}

/// What a diagnostic came from, for the code actions that fix it.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The finding's rule; `None` for a load error.
    pub rule: Option<RuleId>,
    /// Where it is located (0-based line, character).
    pub at: (usize, usize),
    /// A replacement the message suggests ("did you mean `x`?").
    pub suggestion: Option<String>,
    /// The identity entry a finding is about.
    pub entry: Option<usize>,
    /// What distinguishes the finding (the role of a `missing-owner`).
    pub detail: String,
    /// Whether an exception suppresses it (shown as a hint).
    pub suppressed: bool,
}

/// A diagnostic and where it came from.
#[derive(Debug, Clone)]
pub struct Diag {
    pub diagnostic: Diagnostic,
    pub origin: Origin,
}

/// The result of one analysis.
pub struct Snapshot {
    pub files: Vec<File>,
    /// The loaded registry; `None` when it is invalid.
    pub registry: Option<Registry>,
    /// For each file, its diagnostics.
    pub diagnostics: Vec<Vec<Diag>>,
    pub today: Date,
    /// Problems that concern no file of the registry.
    pub general: Vec<String>,
    forecast: OnceLock<Forecast>,
}

/// How findings map to the editor's severities: a finding that fails the
/// gate at `fail_on` is an error; the others are warnings and information.
pub fn severity(severity: Severity, fail_on: FailOn) -> DiagnosticSeverity {
    if fail_on.fails(severity) {
        return DiagnosticSeverity::ERROR;
    }
    match severity {
        Severity::Error | Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// Settings that every analysis uses.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub today: Date,
    pub fail_on: FailOn,
    pub encoding: Encoding,
}

/// Loads and audits the files, parsing again only those that changed since
/// the last analysis with `cache`; `None` when `cancelled` says a newer
/// change has made the work useless. `listing` holds the problems met while
/// listing the registry's files: they make it invalid, as they do `audit`.
pub fn analyze(
    inputs: Vec<Input>,
    listing: Vec<LoadError>,
    settings: Settings,
    cache: &mut ParseCache,
    cancelled: &dyn Fn() -> bool,
) -> Option<Snapshot> {
    let mut unreadable = listing;
    let mut readable = Vec::with_capacity(inputs.len());
    let mut files = Vec::with_capacity(inputs.len());
    for input in inputs {
        let name = display_path(std::path::Path::new(&input.name));
        match input.text {
            Ok(text) => {
                readable.push(files.len());
                files.push(File {
                    uri: input.uri,
                    name,
                    text,
                    version: input.version,
                });
            }
            Err(e) => {
                unreadable.push(e);
                files.push(File {
                    uri: input.uri,
                    name,
                    text: Arc::new(Text::default()),
                    version: input.version,
                });
            }
        }
    }
    // A file that could not be read is reported, not loaded as empty.
    let sources: Vec<(&str, &str)> = readable
        .iter()
        .map(|&i| (files[i].name.as_str(), files[i].text.text.as_str()))
        .collect();
    let loaded = load_cached(&sources, &LoadOptions::default(), cache);
    if cancelled() {
        return None;
    }
    let mut snapshot = Snapshot {
        diagnostics: vec![Vec::new(); files.len()],
        files,
        registry: None,
        today: settings.today,
        general: Vec::new(),
        forecast: OnceLock::new(),
    };
    let index: HashMap<String, usize> = snapshot
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.clone(), i))
        .collect();
    // Problems met reading files, then the loader's: any of them, and
    // nothing is audited.
    let (registry, load_errors) = match loaded {
        Ok(registry) => (Some(registry), Vec::new()),
        Err(errors) => (None, errors.0),
    };
    let errors: Vec<&LoadError> = unreadable.iter().chain(&load_errors).collect();
    match registry {
        _ if !errors.is_empty() => {
            for e in &errors {
                snapshot.add_error(&index, e, settings.encoding);
            }
            snapshot.not_audited(&errors);
        }
        None => {}
        Some(registry) => {
            let report = crate::audit::audit(&registry, settings.today);
            if cancelled() {
                return None;
            }
            for finding in &report.findings {
                snapshot.add_finding(&registry, &index, finding, None, settings);
            }
            for suppressed in &report.suppressed {
                let e = &suppressed.exception;
                let mut why = format!("suppressed by an exception: {}", e.reason);
                if let Some(by) = &e.approved_by {
                    why.push_str(&format!("; approved by {by}"));
                }
                if let Some(expires) = &e.expires {
                    why.push_str(&format!("; expires {expires}"));
                }
                snapshot.add_finding(&registry, &index, &suppressed.finding, Some(why), settings);
            }
            drop(report);
            snapshot.registry = Some(registry);
        }
    }
    for diagnostics in &mut snapshot.diagnostics {
        diagnostics.sort_by_key(|d| (d.diagnostic.range.start, d.diagnostic.range.end));
    }
    Some(snapshot)
}

impl Snapshot {
    /// The index of the file with this URI.
    pub fn file(&self, uri: &Uri) -> Option<usize> {
        self.file_by_str(uri.as_str())
    }

    /// The index of the file with this URI, spelled as text.
    pub fn file_by_str(&self, uri: &str) -> Option<usize> {
        self.files.iter().position(|f| f.uri.as_str() == uri)
    }

    /// On every file with no error of its own, an error saying that the
    /// registry is invalid and was not audited: a file whose findings are
    /// gone must not look clean.
    fn not_audited(&mut self, errors: &[&LoadError]) {
        let summary = crate::registry::LoadErrors(errors.iter().map(|&e| e.clone()).collect());
        let first = errors.first().map(|e| match &e.file {
            Some(file) if e.line > 0 => format!(" (first: {}:{}:{})", escape(file), e.line, e.col),
            Some(file) => format!(" (first: {})", escape(file)),
            None => String::new(),
        });
        let message = format!(
            "{}; nothing was audited{}",
            summary.summary(),
            first.unwrap_or_default()
        );
        for diagnostics in &mut self.diagnostics {
            if diagnostics.iter().any(|d| d.origin.rule.is_none()) {
                continue;
            }
            diagnostics.push(Diag {
                diagnostic: Diagnostic {
                    range: Range::default(),
                    severity: Some(DiagnosticSeverity::ERROR),
                    code: Some(NumberOrString::String(
                        crate::report::INVALID_REGISTRY.to_owned(),
                    )),
                    source: Some(SOURCE.to_owned()),
                    message: message.clone(),
                    ..Diagnostic::default()
                },
                origin: Origin {
                    rule: None,
                    at: (0, 0),
                    suggestion: None,
                    entry: None,
                    detail: String::new(),
                    suppressed: false,
                },
            });
        }
    }

    /// The file a registry location is in.
    pub fn file_of(&self, registry: &Registry, file: u32) -> Option<usize> {
        let name = &registry.files.get(file as usize)?.path;
        self.files.iter().position(|f| &f.name == name)
    }

    /// Every deadline ahead, computed once.
    pub fn forecast(&self) -> Option<&Forecast> {
        let registry = self.registry.as_ref()?;
        Some(self.forecast.get_or_init(|| {
            crate::forecast::forecast(registry, self.today, &Days::builtin(4_000_000))
        }))
    }

    /// The range of the scalar at a 1-based line and column of a file.
    pub fn token_range(&self, file: usize, line: u32, col: u32, encoding: Encoding) -> Range {
        let text = &self.files[file].text;
        let line = line.saturating_sub(1) as usize;
        let start = col.saturating_sub(1) as usize;
        let end = token_end(text.line(line), start).max(start);
        text.range(line, start, end, encoding)
    }

    fn add_error(&mut self, index: &HashMap<String, usize>, e: &LoadError, encoding: Encoding) {
        // A problem of no file of the registry (a broken link met while
        // listing them) is shown on its first file, naming where it is.
        let own = e.file.as_ref().and_then(|name| index.get(name)).copied();
        let Some(file) = own.or((!self.files.is_empty()).then_some(0)) else {
            self.general.push(e.to_string());
            return;
        };
        let range = match own {
            Some(_) if e.line > 0 => self.token_range(file, e.line, e.col, encoding),
            _ => Range::default(),
        };
        // Registry text reaches the editor escaped, as in every human format.
        let mut message = match (&e.file, own) {
            (Some(elsewhere), None) => format!("{}: ", escape(elsewhere)),
            _ => String::new(),
        };
        message.push_str(&escape(&e.message));
        if let Some(help) = &e.help {
            message.push_str("\nhelp: ");
            message.push_str(&escape(help));
        }
        let origin = Origin {
            rule: None,
            at: (range.start.line as usize, e.col.saturating_sub(1) as usize),
            suggestion: e.help.as_deref().and_then(suggested_in).map(str::to_owned),
            entry: None,
            detail: String::new(),
            suppressed: false,
        };
        self.diagnostics[file].push(Diag {
            diagnostic: Diagnostic {
                range,
                severity: Some(DiagnosticSeverity::ERROR),
                code: Some(NumberOrString::String(
                    crate::report::INVALID_REGISTRY.to_owned(),
                )),
                source: Some(SOURCE.to_owned()),
                message,
                ..Diagnostic::default()
            },
            origin,
        });
    }

    fn add_finding(
        &mut self,
        registry: &Registry,
        index: &HashMap<String, usize>,
        finding: &Finding,
        suppressed: Option<String>,
        settings: Settings,
    ) {
        let Some(&file) = index.get(&finding.file) else {
            self.general.push(finding.message.clone());
            return;
        };
        let encoding = settings.encoding;
        let range = self.token_range(file, finding.line, finding.column, encoding);
        let related = finding
            .related
            .iter()
            .filter_map(|r| {
                let at = *index.get(&r.file)?;
                Some(DiagnosticRelatedInformation {
                    location: Location::new(
                        self.files[at].uri.clone(),
                        self.token_range(at, r.line, r.column, encoding),
                    ),
                    message: escape(&r.message).into_owned(),
                })
            })
            .collect::<Vec<_>>();
        let mut message = format!(
            "{}: {}",
            escape(&finding.subject()),
            escape(&finding.message)
        );
        let severity = match &suppressed {
            Some(why) => {
                message.push_str(&format!(" ({})", escape(why)));
                DiagnosticSeverity::HINT
            }
            None => self::severity(finding.severity, settings.fail_on),
        };
        let origin = Origin {
            rule: Some(finding.rule),
            at: (
                finding.line.saturating_sub(1) as usize,
                finding.column.saturating_sub(1) as usize,
            ),
            suggestion: suggested_in(&finding.message).map(str::to_owned),
            entry: finding.entry().filter(|&e| e < registry.identities.len()),
            detail: finding.detail.clone(),
            suppressed: suppressed.is_some(),
        };
        self.diagnostics[file].push(Diag {
            diagnostic: Diagnostic {
                range,
                severity: Some(severity),
                code: Some(NumberOrString::String(finding.rule.to_string())),
                source: Some(SOURCE.to_owned()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..Diagnostic::default()
            },
            origin,
        });
    }
}
