//! `nhi-own rules`: the catalogue as a table or JSON.

use super::Exit;
use crate::catalogue::join_references;
use crate::cli::{RulesArgs, RulesFormat};
use crate::keyword::Keyword;
use crate::output::{terminal_width, write_stdout};
use crate::rules::{Group, RuleId, Severity};
use serde::Serialize;

#[derive(Serialize)]
struct RuleEntry {
    id: RuleId,
    group: Group,
    severity: Severity,
    summary: &'static str,
    references: References,
}

#[derive(Serialize)]
struct References {
    owasp_nhi_top10_2025: &'static [&'static str],
    nist_csf_2_0: &'static [&'static str],
}

pub fn run(args: &RulesArgs) -> anyhow::Result<Exit> {
    let out = match args.format {
        RulesFormat::Json => {
            let entries: Vec<RuleEntry> = RuleId::ALL
                .iter()
                .map(|id| {
                    let info = id.info();
                    RuleEntry {
                        id: *id,
                        group: info.group,
                        severity: info.severity,
                        summary: info.summary,
                        references: References {
                            owasp_nhi_top10_2025: info.owasp,
                            nist_csf_2_0: info.nist,
                        },
                    }
                })
                .collect();
            crate::report::json::to_safe_json(&entries)
        }
        RulesFormat::Markdown => markdown_table(),
        RulesFormat::Table => {
            let mut table = crate::report::table::new_table(terminal_width());
            table.set_header(["rule", "group", "severity", "summary"]);
            for id in RuleId::ALL {
                let info = id.info();
                table.add_row([
                    id.as_str(),
                    info.group.as_str(),
                    info.severity.as_str(),
                    info.summary,
                ]);
            }
            format!("{table}\n")
        }
    };
    write_stdout(out.as_bytes())?;
    Ok(Exit::Pass)
}

/// The rule table of the README, generated from the catalogue.
pub fn markdown_table() -> String {
    let mut out =
        String::from("| rule | group | default | fires when | OWASP NHI | NIST CSF 2.0 |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for id in RuleId::ALL {
        let info = id.info();
        out.push_str(&format!(
            "| `{id}` | {} | {} | {} | {} | {} |\n",
            info.group,
            info.severity,
            info.summary,
            join_references(info.owasp, "—"),
            join_references(info.nist, "—")
        ));
    }
    out
}
