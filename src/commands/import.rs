//! `nhi-own import`: a registry skeleton from inventories, one identity per
//! record, with its owners left for a person to fill in.

use super::Exit;
use crate::cli::{ColorArg, ImportArgs, RegistryArgs};
use crate::inventory::{Format, Record};
use crate::output::{write_new, write_stderr, write_stdout};
use crate::registry::{Registry, Sources};
use std::collections::HashSet;
use std::fmt::Write as _;

pub fn run(args: &ImportArgs, color: ColorArg) -> anyhow::Result<Exit> {
    let registry_args = RegistryArgs {
        paths: args.merge.clone(),
        now: args.now.clone(),
        max_file_size: crate::cli::MAX_FILE_SIZE_MIB,
        threads: 0,
    };
    let Some(today) = super::today(&registry_args, color) else {
        return Ok(Exit::Invalid);
    };
    let path = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    // The output holds the missing identities only: written over a registry
    // it merges into, or over an inventory, it would lose that input.
    if let Some(path) = path {
        let inputs: Vec<_> = args
            .merge
            .iter()
            .chain(&args.inventories.files)
            .cloned()
            .collect();
        if Sources::resolve(&inputs).contains(path) {
            write_stderr(
                &format!(
                    "error: --output `{}` is one of the inputs (--merge or --inventory); \
                     refusing to overwrite it\n  help: write the new identities to a file \
                     of their own, such as `--output imported.yaml`, and add it to the \
                     registry\n",
                    crate::escape::escape(&path.display().to_string())
                ),
                color,
            );
            return Ok(Exit::Invalid);
        }
    }
    // The registry merged into, read exactly as `audit` reads it.
    let mut registry = if args.merge.is_empty() {
        Registry::default()
    } else {
        match super::load(&registry_args, crate::report::Format::Table, color)? {
            Some((registry, _)) => registry,
            None => return Ok(Exit::Invalid),
        }
    };
    let max = super::load_options(&registry_args).max_file_size;
    let sources = match super::reconcile::read_inventories(&args.inventories, max) {
        Ok(read) => super::reconcile::attach(&mut registry, read),
        Err(errors) => {
            write_stderr(
                &format!(
                    "{errors}\nerror: {}; nothing was imported\n",
                    crate::wording::plural(
                        errors.0.len(),
                        "inventory could not be read",
                        "inventories could not be read"
                    )
                ),
                color,
            );
            return Ok(Exit::Invalid);
        }
    };
    let mut known_refs: HashSet<&str> = registry
        .identities
        .iter()
        .filter_map(|i| i.reference.as_ref().map(|r| r.value.as_str()))
        .collect();
    let mut ids: HashSet<String> = registry
        .identities
        .iter()
        .map(|i| i.id.value.clone())
        .collect();
    let (mut people, mut ignored, mut known) = (0, 0, 0);
    let mut entries = String::new();
    let mut added = 0;
    for source in &sources {
        for record in &source.inventory.records {
            let refs = std::iter::once(&record.reference).chain(&record.aliases);
            if refs.clone().any(|r| known_refs.contains(r.as_str())) {
                known += 1;
                continue;
            }
            if record.human && !args.include_humans {
                people += 1;
                continue;
            }
            if registry
                .policy
                .ignore_refs
                .matching(&record.reference)
                .is_some()
            {
                ignored += 1;
                continue;
            }
            known_refs.insert(record.reference.as_str());
            let id = unique_id(&mut ids, source.inventory.format, &record.name);
            entry(&mut entries, &id, record);
            added += 1;
        }
    }
    let schema = path.map_or_else(
        crate::commands::init::published_schema,
        crate::commands::init::schema_reference,
    );
    let text = document(&schema, today, &entries);
    match path {
        None => write_stdout(text.as_bytes())?,
        Some(path) => {
            if let Err(e) = write_new(path, text.as_bytes(), args.force) {
                write_stderr(
                    &format!(
                        "error: cannot write `{}`: {e}\n",
                        crate::escape::escape(&path.display().to_string())
                    ),
                    color,
                );
                return Ok(Exit::Invalid);
            }
        }
    }
    let mut said = format!(
        "imported {}",
        crate::wording::plural(added, "identity", "identities")
    );
    let skipped: Vec<String> = [
        (known, format!("{known} already in the registry")),
        (
            people,
            format!(
                "{} (--include-humans imports them)",
                crate::wording::plural(people, "person", "people")
            ),
        ),
        (ignored, format!("{ignored} named by policy.ignore_refs")),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(_, said)| said)
    .collect();
    if !skipped.is_empty() {
        let _ = write!(said, "; skipped {}", skipped.join(", "));
    }
    said.push_str(": give each its owners, then `nhi-own audit`\n");
    write_stderr(&said, color);
    Ok(Exit::Pass)
}

/// An id from the record's name, readable and stable (`aws-ci-deploy`,
/// `k8s-payments-api`), made unique with `-2`, `-3`, … against the ids in
/// use.
fn unique_id(ids: &mut HashSet<String>, format: Format, name: &str) -> String {
    let prefix = match format {
        Format::AwsCredentialReport => "aws",
        Format::Kubernetes => "k8s",
        Format::GcpKeys => "gcp",
        Format::EntraApplications => "entra",
        Format::Csv => "csv",
    };
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(120).collect();
    let base = if slug.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}-{}", slug.trim_end_matches('-'))
    };
    let mut id = base.clone();
    let mut n = 1;
    while ids.contains(&id) {
        n += 1;
        id = format!("{base}-{n}");
    }
    ids.insert(id.clone());
    id
}

/// A YAML double-quoted scalar that the loader reads back as `text`, with
/// nothing raw that YAML forbids (DEL, C1 controls, noncharacters) or that
/// would hide or reorder text for a person reading the file (format
/// characters such as bidi controls, line and paragraph separators): every
/// character `escape` would escape in a report is a `\uXXXX` or
/// `\UXXXXXXXX` escape here. (JSON's string syntax escapes C0 controls
/// only, and spells characters beyond U+FFFF as surrogate pairs, which YAML
/// does not read.)
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if crate::escape::needs_escape(c) => {
                let code = u32::from(c);
                let _ = if code <= 0xFFFF {
                    write!(out, "\\u{code:04X}")
                } else {
                    write!(out, "\\U{code:08X}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One identity entry, owners left for a person.
fn entry(out: &mut String, id: &str, record: &Record) {
    let _ = writeln!(out, "  - id: {id}");
    let _ = writeln!(
        out,
        "    kind: {}",
        crate::keyword::Keyword::as_str(record.kind)
    );
    let _ = writeln!(out, "    ref: {}", quoted(&record.reference));
    let _ = writeln!(out, "    description: {}", quoted(&record.description));
    out.push_str(
        "    # owners: { policy: WHO-ACCEPTS-ITS-RISK, technical: WHO-OPERATES-IT, revocation: WHO-CAN-REVOKE-IT }\n",
    );
    if let Some(created) = record.created {
        let _ = writeln!(out, "    created: {created}");
    }
    let active: Vec<_> = record.credentials.iter().filter(|c| c.active).collect();
    if let Some(rotated) = active.iter().filter_map(|c| c.rotated).max() {
        let _ = writeln!(out, "    rotation: {{ last_rotated: {rotated} }}");
    }
    if let Some(expires) = active.iter().filter_map(|c| c.expires).min() {
        let _ = writeln!(out, "    expires: {expires}");
    }
}

fn document(schema: &str, today: crate::registry::Date, entries: &str) -> String {
    let identities = if entries.is_empty() {
        "identities: []\n".to_owned()
    } else {
        format!("identities:\n{entries}")
    };
    format!(
        "# yaml-language-server: $schema={schema}\n\
         # Imported by `nhi-own import` on {today}: one identity per inventory record.\n\
         # Give each its owners (the commented `owners:` line), then `nhi-own audit`:\n\
         # until then it reports `missing-owner` for every one of them.\n\
         version: 1\n\n{identities}"
    )
}
