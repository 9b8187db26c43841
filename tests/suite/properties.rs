//! Property tests over generated registries, valid and mutated.
//!
//! Registries are generated as a model (owners, identities, exceptions,
//! policy), written out as YAML (block or flow style), optionally mutated at
//! the YAML level (a key dropped, a value replaced by another type, an entry
//! duplicated), then loaded and audited in process. Properties:
//! - nothing panics, and every load error and finding points inside its file;
//! - no two findings share a fingerprint (a baseline entry is one finding);
//! - naming an owner for a missing role never adds a `missing-owner` finding;
//! - moving "today" forward never makes a stale, expired or overdue identity fresh;
//! - the same registry split across files gives the same findings;
//! - output is deterministic, whatever the threads and chunking;
//! - sharing values through anchors, aliases and merge keys, and a document
//!   wrapped in `%YAML`/`%TAG` directives and markers, change no finding;
//! - any tag but `!!str` makes a registry invalid: no tag can change a value;
//! - ids that only look alike (a Cyrillic letter) are `confusable-id`;
//! - the forecast's passed deadlines are the audit's stale, expired and
//!   overdue findings, its near ones the audit's warnings.
//!
//! `PROPTEST_CASES` sets the case count (default 64 per property); for a long
//! run: `PROPTEST_CASES=5000 cargo test --release --test properties`.

use crate::model::*;
use nhi_own::keyword::Keyword as _;
use nhi_own::registry::time::parse_date;
use nhi_own::registry::{Chunking, Date, LoadErrors, LoadOptions, Registry, load_bytes};
use nhi_own::report::{Finding, Format, Report, Style, render};
use nhi_own::rules::RuleId;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- running

fn options(threads: usize, chunking: Chunking) -> LoadOptions {
    LoadOptions {
        threads,
        chunking,
        ..LoadOptions::default()
    }
}

fn load(files: &[(&str, &str)], options: &LoadOptions) -> Result<Registry, LoadErrors> {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    load_bytes(&bytes, options)
}

fn today(offset: i64) -> Date {
    parse_date(&day(parse_date(BASE).unwrap(), offset)).unwrap()
}

fn render_all(report: &Report) -> Vec<String> {
    Format::all()
        .iter()
        .map(|f| {
            render(
                report,
                *f,
                Style {
                    color: false,
                    width: Some(120),
                    ..Style::default()
                },
            )
        })
        .collect()
}

/// `line:col` is a position of `source` (or just past a line's end).
fn inside(source: &str, line: u32, col: u32) -> bool {
    let lines: Vec<&str> = source.split('\n').collect();
    let Some(text) = (line as usize).checked_sub(1).and_then(|i| lines.get(i)) else {
        return false;
    };
    col >= 1 && col as usize <= text.chars().count() + 1
}

/// What a finding says, leaving out where it is written.
type Said = (String, String, Option<String>, Option<String>, String);

fn said(f: &Finding) -> Said {
    (
        f.rule.as_str().to_owned(),
        f.severity.as_str().to_owned(),
        f.identity().map(str::to_owned),
        f.owner().map(str::to_owned),
        f.detail.clone(),
    )
}

/// Every finding, suppressed ones included, as a sorted multiset.
fn everything_said(report: &Report) -> Vec<Said> {
    let mut all: Vec<Said> = report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding))
        .map(said)
        .collect();
    all.sort();
    all
}

/// Loads one file, checks that errors and findings are located inside it and
/// that every format renders; returns the report's findings on success.
/// An invalid registry fails the case unless `may_be_invalid`.
fn check_one(text: &str, now: Date, may_be_invalid: bool) -> Result<Vec<Said>, TestCaseError> {
    let files = [("reg.yaml", text)];
    match load(&files, &options(1, Chunking::Off)) {
        Err(errors) => {
            prop_assert!(!errors.0.is_empty());
            for e in &errors.0 {
                prop_assert!(
                    inside(text, e.line, e.col),
                    "error outside the file: {e}\n{text}"
                );
            }
            if may_be_invalid {
                Err(TestCaseError::reject("invalid registry"))
            } else {
                Err(TestCaseError::fail(format!(
                    "a generated registry did not load:\n{text}\n{errors}"
                )))
            }
        }
        Ok(registry) => {
            let report = nhi_own::audit::audit(&registry, now);
            prop_assert!(
                report.fingerprints_are_unique(),
                "two findings share a fingerprint:\n{text}"
            );
            for f in &report.findings {
                prop_assert!(
                    inside(text, f.line, f.column),
                    "finding outside the file: {f:?}\n{text}"
                );
            }
            for out in render_all(&report) {
                prop_assert!(!out.is_empty() || report.findings.is_empty());
            }
            Ok(everything_said(&report))
        }
    }
}

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(64),
        // Mutated registries are often invalid; that is the point.
        max_global_rejects: 100_000,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Generated registries load (they are valid by construction), and
    /// everything is located inside the file, in both styles.
    #[test]
    fn valid_registries_load_and_findings_are_located(m in model(), flow_style in any::<bool>(), now in 0i64..400) {
        let text = write_yaml(&m.yaml(), flow_style);
        check_one(&text, today(now), false)?;
    }

    /// The forecast and the audit date things alike: a deadline has passed
    /// exactly when the audit reports the finding it becomes (same
    /// fingerprint and place, suppressed findings included), and a rotation
    /// or expiry inside the warning window is exactly a `rotation-due` or
    /// `expiring-credential` finding (an exception's, when the exception is
    /// valid, `expiring-exception`).
    #[test]
    fn forecast_deadlines_are_what_the_lifecycle_rules_report(m in model(), now in 0i64..400) {
        let text = write_yaml(&m.yaml(), false);
        let registry = load(&[("reg.yaml", &text)], &options(1, Chunking::Off))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let now = today(now);
        let report = nhi_own::audit::audit(&registry, now);
        let forecast = nhi_own::forecast::forecast(&registry, now, &registry.policy.warn_within);
        let on = |rule: &str| {
            let rule = RuleId::parse(rule).unwrap();
            nhi_own::audit::severity(&registry, rule).is_some().then_some(rule)
        };
        let found = |rules: &[&str]| {
            let rules: Vec<RuleId> = rules.iter().filter_map(|r| on(r)).collect();
            let mut all: Vec<(String, String, u32, u32)> = report
                .findings
                .iter()
                .chain(report.suppressed.iter().map(|s| &s.finding))
                .filter(|f| rules.contains(&f.rule))
                // A review with no date to count from is overdue with no due date.
                .filter(|f| {
                    let identity = &registry.identities[f.entry().unwrap()];
                    f.rule != RuleId::ReviewOverdue
                        || identity.last_reviewed.is_some()
                        || identity.created.is_some()
                })
                .map(|f| (f.rule.as_str().to_owned(), f.fingerprint.clone(), f.line, f.column))
                .collect();
            all.sort();
            all
        };
        let listed = |pick: &dyn Fn(&nhi_own::forecast::Deadline) -> Option<&'static str>| {
            let mut all: Vec<(String, u32, u32)> = forecast
                .deadlines
                .iter()
                .filter_map(|d| pick(d).and_then(on).map(|rule| (rule.as_str().to_owned(), d.line, d.column)))
                .collect();
            all.sort();
            all
        };
        use nhi_own::forecast::What;
        let passed_rule = |d: &nhi_own::forecast::Deadline| {
            d.overdue.then_some(match d.what {
                What::Rotation => "stale-rotation",
                What::Expiry => "expired-credential",
                What::Review => "review-overdue",
                What::Exception => "expired-exception",
            })
        };
        let overdue: Vec<(String, String, u32, u32)> = {
            let mut all: Vec<_> = forecast
                .deadlines
                .iter()
                .filter_map(|d| passed_rule(d).and_then(on).map(|r| (r.as_str().to_owned(), d.fingerprint.clone(), d.line, d.column)))
                .collect();
            all.sort();
            all
        };
        prop_assert_eq!(
            &overdue,
            &found(&["stale-rotation", "expired-credential", "review-overdue", "expired-exception"]),
            "{}", text
        );
        let warn = registry.policy.warn_within.days;
        let soon = |d: &nhi_own::forecast::Deadline| (0..=warn).contains(&d.days_left);
        let within = listed(&|d| match d.what {
            What::Rotation if soon(d) => Some("rotation-due"),
            What::Expiry if soon(d) => Some("expiring-credential"),
            _ => None,
        });
        // Sorted by place, as `within` is (`found` sorts by fingerprint first).
        let mut reported: Vec<(String, u32, u32)> = found(&["rotation-due", "expiring-credential"])
            .into_iter()
            .map(|(rule, _, line, column)| (rule, line, column))
            .collect();
        reported.sort();
        prop_assert_eq!(&within, &reported, "{}", text);
        let expiring_exceptions = listed(&|d| (d.what == What::Exception && soon(d)).then_some("expiring-exception"));
        for f in found(&["expiring-exception"]) {
            prop_assert!(
                expiring_exceptions.contains(&(f.0.clone(), f.2, f.3)),
                "expiring-exception at {}:{} is not forecast:\n{}", f.2, f.3, text
            );
        }
    }

    /// Mutated registries never panic: they load and audit, or fail with
    /// errors located inside the file.
    #[test]
    fn mutated_registries_never_panic(
        m in model(),
        mutations in prop::collection::vec(mutation(), 1..4),
        flow_style in any::<bool>(),
        now in 0i64..400,
    ) {
        let mut y = m.yaml();
        for mutation in &mutations {
            mutate(&mut y, mutation);
        }
        let text = write_yaml(&y, flow_style);
        match check_one(&text, today(now), true) {
            Ok(_) => {}
            Err(TestCaseError::Reject(_)) => {}
            Err(e) => return Err(e),
        }
    }

    /// Naming an owner for a missing role never adds a `missing-owner` finding.
    #[test]
    fn adding_a_missing_owner_never_adds_a_missing_owner_finding(
        m in model(),
        pick in any::<usize>(),
        role in 0usize..3,
        fill in prop_oneof![Just(Ref::Unknown), (0usize..8).prop_map(Ref::Known)],
        now in 0i64..400,
    ) {
        prop_assume!(!m.identities.is_empty());
        let before = check_one(&write_yaml(&m.yaml(), false), today(now), false)?;
        let mut after_model = m.clone();
        let i = pick % after_model.identities.len();
        prop_assume!(matches!(after_model.identities[i].roles[role], None | Some(Ref::Empty)));
        after_model.identities[i].roles[role] = Some(fill);
        let after = check_one(&write_yaml(&after_model.yaml(), false), today(now), false)?;
        let missing = |all: &[Said]| all.iter().filter(|s| s.0 == "missing-owner").cloned().collect::<Vec<_>>();
        let (before, after) = (missing(&before), missing(&after));
        for finding in &after {
            prop_assert!(before.contains(finding), "new finding {finding:?}");
        }
        prop_assert!(after.len() <= before.len());
    }

    /// Moving today forward never makes a stale, expired or overdue identity
    /// fresh (suppressed findings count: an exception only expires).
    #[test]
    fn later_days_never_make_an_identity_fresh(m in model(), now in 0i64..400, later in 0i64..800) {
        let text = write_yaml(&m.yaml(), false);
        let early = check_one(&text, today(now), false)?;
        let late = check_one(&text, today(now + later), false)?;
        for rule in ["stale-rotation", "expired-credential", "review-overdue", "missing-rotation", "expired-exception"] {
            let of = |all: &[Said]| all.iter().filter(|s| s.0 == rule).map(|s| (s.2.clone(), s.4.clone())).collect::<Vec<_>>();
            let (early, late) = (of(&early), of(&late));
            for finding in &early {
                prop_assert!(late.contains(finding), "{rule} {finding:?} went away {later} days later\n{text}");
            }
        }
    }

    /// The same registry in one file or split across several gives the same
    /// findings, whatever the threads and chunking.
    #[test]
    fn splitting_across_files_gives_the_same_findings(m in model(), parts in 1usize..4, now in 0i64..400) {
        let one = check_one(&write_yaml(&m.yaml(), false), today(now), false)?;
        let texts: Vec<String> = m.split(parts).iter().enumerate().map(|(i, y)| write_yaml(y, i % 2 == 1)).collect();
        let names: Vec<String> = (0..texts.len()).map(|i| format!("part-{i}.yaml")).collect();
        let files: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(texts.iter().map(String::as_str)).collect();
        let registry = load(&files, &options(2, Chunking::Bytes(64)));
        let registry = match registry {
            Ok(r) => r,
            Err(e) => return Err(TestCaseError::fail(format!("split registry failed to load: {e}"))),
        };
        let report = nhi_own::audit::audit(&registry, today(now));
        for f in &report.findings {
            let text = &texts[names.iter().position(|n| *n == f.file).unwrap()];
            prop_assert!(inside(text, f.line, f.column), "finding outside {}: {f:?}", f.file);
        }
        prop_assert_eq!(everything_said(&report), one);
    }

    /// Anchors, aliases and merge keys that share one `owners` mapping among
    /// identities change no finding (only where values are located).
    #[test]
    fn sharing_values_changes_no_finding(m in model(), flow_style in any::<bool>(), now in 0i64..400) {
        let plain = check_one(&write_yaml(&m.yaml(), false), today(now), false)?;
        let mut y = m.yaml();
        share(&mut y);
        let shared = write_yaml(&y, flow_style);
        prop_assert_eq!(check_one(&shared, today(now), false)?, plain, "{}", shared);
    }

    /// `%YAML` and `%TAG` directives and the document markers around the
    /// registry change no finding, whole or chunked.
    #[test]
    fn directives_and_markers_change_no_finding(m in model(), now in 0i64..400) {
        let text = write_yaml(&m.yaml(), false);
        let plain = check_one(&text, today(now), false)?;
        let wrapped = format!("%YAML 1.2\n%TAG !e! tag:example.com,2026:\n---\n{text}...\n");
        prop_assert_eq!(check_one(&wrapped, today(now), false)?, plain.clone());
        let files = [("reg.yaml", wrapped.as_str())];
        let registry = load(&files, &options(2, Chunking::Bytes(40))).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(everything_said(&nhi_own::audit::audit(&registry, today(now))), plain);
    }

    /// A forbidden tag anywhere makes the registry invalid, at the tag: no tag
    /// can turn text into null, a number or a boolean and pass the audit.
    #[test]
    fn forbidden_tags_always_fail_closed(m in model(), at in any::<usize>(), tag in 0usize..FORBIDDEN_TAGS.len(), flow_style in any::<bool>()) {
        let mut y = m.yaml();
        let before = format!("{y:?}");
        mutate(&mut y, &Mutation::Tag(at, tag));
        prop_assume!(format!("{y:?}") != before);
        let text = write_yaml(&y, flow_style);
        match load(&[("reg.yaml", text.as_str())], &options(1, Chunking::Off)) {
            Ok(_) => return Err(TestCaseError::fail(format!("a tagged registry loaded:\n{text}"))),
            Err(errors) => prop_assert!(
                errors.0.iter().any(|e| e.message.contains("is not part of the registry format")),
                "{errors}\n{text}"
            ),
        }
    }

    /// Output is deterministic: loading and rendering twice, on one thread and
    /// on several, whole and chunked, gives byte-identical reports.
    #[test]
    fn output_is_deterministic(m in model(), now in 0i64..400) {
        let text = write_yaml(&m.yaml(), false);
        let files = [("reg.yaml", text.as_str())];
        let mut outputs = Vec::new();
        for opts in [options(1, Chunking::Off), options(2, Chunking::Bytes(40)), options(4, Chunking::Auto), options(1, Chunking::Off)] {
            let registry = load(&files, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
            outputs.push(render_all(&nhi_own::audit::audit(&registry, today(now))));
        }
        for other in &outputs[1..] {
            prop_assert_eq!(other, &outputs[0]);
        }
    }

    /// The audit is the same report whatever the threads and however the
    /// identities are handed to them (here down to one identity a block).
    #[test]
    fn audit_in_parallel_is_the_audit(m in model(), now in 0i64..400) {
        let text = write_yaml(&m.yaml(), false);
        let registry = load(&[("reg.yaml", text.as_str())], &options(1, Chunking::Off))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let one = render_all(&nhi_own::audit::audit_in_blocks(&registry, today(now), 1, usize::MAX));
        for (threads, block) in [(2, 1), (3, 2), (4, 3)] {
            let parallel = nhi_own::audit::audit_in_blocks(&registry, today(now), threads, block);
            prop_assert_eq!(render_all(&parallel), one.clone());
        }
    }
}

/// The generator reaches every rule a registry can trigger: a property that
/// only ever sees clean registries would prove little.
#[test]
fn generated_registries_reach_every_rule() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..400 {
        let m = model().new_tree(&mut runner).unwrap().current();
        let text = write_yaml(&m.yaml(), false);
        let registry = load(&[("reg.yaml", &text)], &options(1, Chunking::Off))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let report = nhi_own::audit::audit(&registry, today(200));
        for said in everything_said(&report) {
            *seen.entry(said.0).or_default() += 1;
        }
    }
    // Drift rules need inventories: `reconcile` is tested on its own.
    let missing: Vec<&str> = nhi_own::rules::RuleId::ALL
        .iter()
        .filter(|r| r.group() != nhi_own::rules::Group::Drift)
        .map(|r| r.as_str())
        .filter(|r| !seen.contains_key(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "never generated: {missing:?}; seen: {seen:?}"
    );
}

/// The sharing writer really writes anchors, aliases and merge keys, in both
/// styles, and the loader reads them as the plain registry.
#[test]
fn shared_registries_use_anchors_aliases_and_merge_keys() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = (false, false);
    for _ in 0..200 {
        let m = model().new_tree(&mut runner).unwrap().current();
        let mut y = m.yaml();
        share(&mut y);
        for flow_style in [false, true] {
            let text = write_yaml(&y, flow_style);
            seen.0 |= text.contains("&o0") && text.contains("*o0");
            seen.1 |= text.contains("<<: *o");
            let shared =
                check_one(&text, today(100), false).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let plain = check_one(&write_yaml(&m.yaml(), false), today(100), false).unwrap();
            assert_eq!(shared, plain, "{text}");
        }
    }
    assert_eq!(seen, (true, true), "no alias or no merge key was written");
}
