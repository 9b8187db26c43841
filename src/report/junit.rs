//! `junit`: JUnit XML for GitLab and Jenkins test reports.
//!
//! One test suite per registry file, one test case per identity (and per
//! owner-directory entry with findings). quick-junit models one failure per
//! test case, so an identity with several findings has one `<failure>` whose
//! message names them all and whose text lists each on its own line.

use super::{Finding, Report};
use crate::escape::escape;
use crate::keyword::Keyword;
use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

pub fn render(report: &Report) -> String {
    // Per file: test case name → its findings, in registry order for identities.
    let mut suites: Vec<Vec<(String, Vec<&Finding>)>> = vec![Vec::new(); report.files.len()];
    let mut index: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); report.files.len()];
    for (file, id) in &report.identities {
        let file = *file as usize;
        if file < suites.len() && !index[file].contains_key(*id) {
            index[file].insert((*id).to_owned(), suites[file].len());
            suites[file].push(((*id).to_owned(), Vec::new()));
        }
    }
    for f in &report.findings {
        let file = f.file_index as usize;
        if file >= suites.len() {
            continue;
        }
        let name = f.subject();
        let slot = match index[file].get(&name) {
            Some(&slot) => slot,
            None => {
                index[file].insert(name.clone(), suites[file].len());
                suites[file].push((name, Vec::new()));
                suites[file].len() - 1
            }
        };
        suites[file][slot].1.push(f);
    }

    let mut junit = JunitReport::new("nhi-own");
    for (file, cases) in report.files.iter().zip(suites) {
        let file = escape(file);
        let mut suite = TestSuite::new(file.as_ref());
        for (name, findings) in cases {
            let status = if findings.is_empty() {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
                let worst = findings
                    .iter()
                    .map(|f| f.severity)
                    .min()
                    .unwrap_or(crate::rules::Severity::Error);
                status.set_type(worst.as_str());
                status.set_message(if findings.len() == 1 {
                    escape(&findings[0].message).into_owned()
                } else {
                    format!("{} findings: {}", findings.len(), rules.join(", "))
                });
                let mut text = String::new();
                for f in &findings {
                    text.push_str(&super::text::line(f, false));
                    text.push('\n');
                }
                status.set_description(text);
                status
            };
            let mut case = TestCase::new(escape(&name).as_ref(), status);
            case.set_classname(file.as_ref());
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    let xml = junit.to_string().unwrap_or_default();
    without_root_skipped(xml)
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
