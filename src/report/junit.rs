//! `junit`: JUnit XML for GitLab and Jenkins test reports.
//!
//! One test suite per registry file, one test case per identity entry (a
//! duplicated id's later entries are cases of their own, named `id #2`…), and
//! one per owner-directory entry with findings. A case fails only for findings
//! at or above `--fail-on`, so a green gate shows no failed tests; findings
//! below it are listed in the case's `system-out`. quick-junit models one
//! failure per test case, so a case with several failing findings has one
//! `<failure>` whose message names them all and whose text lists each on its
//! own line.

use super::{FailOn, Finding, Report};
use crate::escape::escape;
use crate::keyword::Keyword;
use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

/// One test case: its name and its findings.
struct Case<'f> {
    name: String,
    findings: Vec<&'f Finding>,
}

pub fn render(report: &Report, fail_on: FailOn) -> String {
    let files = report.files.len();
    let mut suites: Vec<Vec<Case>> = (0..files).map(|_| Vec::new()).collect();
    // Identity entries in registry order: case index by entry.
    let mut by_entry: Vec<Option<(usize, usize)>> = Vec::with_capacity(report.identities.len());
    let mut occurrences: BTreeMap<&str, u32> = BTreeMap::new();
    for identity in report.identities {
        let (file, id) = (identity.loc.file as usize, identity.id.value.as_str());
        let occurrence = occurrences.entry(id).or_insert(0);
        *occurrence += 1;
        if file >= files {
            by_entry.push(None);
            continue;
        }
        let name = if *occurrence > 1 {
            format!("{id} #{occurrence}")
        } else {
            (*id).to_owned()
        };
        by_entry.push(Some((file, suites[file].len())));
        suites[file].push(Case {
            name,
            findings: Vec::new(),
        });
    }
    // Owner-directory findings: one case per owner and file.
    let mut by_owner: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for f in &report.findings {
        let slot = match f.entry().and_then(|e| by_entry.get(e).copied().flatten()) {
            Some(slot) => slot,
            None => {
                let file = f.file_index as usize;
                if file >= files {
                    continue;
                }
                let name = f.subject();
                let index = *by_owner.entry((file, name.clone())).or_insert_with(|| {
                    suites[file].push(Case {
                        name,
                        findings: Vec::new(),
                    });
                    suites[file].len() - 1
                });
                (file, index)
            }
        };
        suites[slot.0][slot.1].findings.push(f);
    }

    let mut junit = JunitReport::new("nhi-own");
    for (file, cases) in report.files.iter().zip(suites) {
        let file = escape(file);
        let mut suite = TestSuite::new(file.as_ref());
        for case in cases {
            suite.add_test_case(test_case(&case, &file, fail_on));
        }
        junit.add_test_suite(suite);
    }
    let xml = junit.to_string().unwrap_or_default();
    without_root_skipped(xml)
}

fn test_case(case: &Case, file: &str, fail_on: FailOn) -> TestCase {
    let (failing, passing): (Vec<&Finding>, Vec<&Finding>) = case
        .findings
        .iter()
        .partition(|f| fail_on.fails(f.severity));
    let status = if failing.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let worst = failing
            .iter()
            .map(|f| f.severity)
            .min()
            .unwrap_or(crate::rules::Severity::Error);
        status.set_type(worst.as_str());
        status.set_message(if let [only] = failing.as_slice() {
            escape(&only.message).into_owned()
        } else {
            let rules: Vec<&str> = failing.iter().map(|f| f.rule.as_str()).collect();
            format!("{} findings: {}", failing.len(), rules.join(", "))
        });
        status.set_description(lines(&failing));
        status
    };
    let mut test_case = TestCase::new(escape(&case.name).as_ref(), status);
    test_case.set_classname(file);
    if !passing.is_empty() {
        test_case.set_system_out(lines(&passing));
    }
    test_case
}

/// An invalid registry: one suite per file with errors, holding one failing
/// test case (`registry`) that lists them, so the test report shows why
/// nothing was audited.
pub fn render_errors(errors: &crate::registry::LoadErrors) -> String {
    let mut junit = JunitReport::new("nhi-own");
    let files = errors.files();
    let unfiled = errors.0.iter().any(|e| e.file.is_none());
    let suites = files
        .iter()
        .map(|f| Some(*f))
        .chain(unfiled.then_some(None));
    for file in suites {
        let mine: Vec<&crate::registry::LoadError> = errors
            .0
            .iter()
            .filter(|e| e.file.as_deref() == file)
            .collect();
        let name = escape(file.unwrap_or("nhi-own"));
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_type(super::INVALID_REGISTRY);
        status.set_message(match mine.as_slice() {
            [only] => escape(&only.message).into_owned(),
            all => format!("{} problems; nothing was audited", all.len()),
        });
        let mut text = String::new();
        for e in &mine {
            text.push_str(&e.to_string());
            text.push('\n');
        }
        status.set_description(text);
        let mut case = TestCase::new("registry", status);
        case.set_classname(name.as_ref());
        let mut suite = TestSuite::new(name.as_ref());
        suite.add_test_case(case);
        junit.add_test_suite(suite);
    }
    without_root_skipped(junit.to_string().unwrap_or_default())
}

/// Findings in compiler style, one per line.
fn lines(findings: &[&Finding]) -> String {
    let mut text = String::new();
    for f in findings {
        text.push_str(&super::text::line(f, false));
        text.push('\n');
    }
    text
}

/// The Surefire/Jenkins schema has no `skipped` attribute on `<testsuites>`
/// (Jenkins' xUnit plugin rejects the file), but quick-junit always writes it
/// there. Nothing is ever skipped here, so the root's count carries nothing.
fn without_root_skipped(xml: String) -> String {
    let Some(start) = xml.find("<testsuites") else {
        return xml;
    };
    let end = xml[start..].find('>').map_or(xml.len(), |e| start + e);
    let root = &xml[start..end];
    let Some(attr) = root.find(" skipped=\"") else {
        return xml;
    };
    let value_end = root[attr + 10..]
        .find('"')
        .map_or(root.len(), |e| attr + 10 + e + 1);
    format!(
        "{}{}{}",
        &xml[..start + attr],
        &root[value_end..],
        &xml[end..]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_skipped_attribute_is_dropped() {
        let xml = "<?xml?>\n<testsuites name=\"n\" tests=\"1\" skipped=\"0\" failures=\"0\">\n<testsuite skipped=\"0\"/>".to_owned();
        assert_eq!(
            super::without_root_skipped(xml),
            "<?xml?>\n<testsuites name=\"n\" tests=\"1\" failures=\"0\">\n<testsuite skipped=\"0\"/>"
        );
    }
}
