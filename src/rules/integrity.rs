//! Integrity rules: is the registry itself consistent?

use super::{Context, RuleId, Target, Violation};
use crate::wording::{days, plural};

use crate::registry::{Date, Identity, Loc, Located};
use std::collections::{HashMap, HashSet};

/// `date-in-future`: a date of the identity (retired ones included) after today.
pub fn dates_in_future(ctx: &Context<'_>, identity: &Identity, out: &mut Vec<Violation>) {
    let fields: [(&str, &Option<Located<Date>>); 4] = [
        ("created", &identity.created),
        ("rotation.last_rotated", &identity.last_rotated),
        ("last_reviewed", &identity.last_reviewed),
        ("revoked", &identity.revoked),
    ];
    for (field, date) in fields {
        if let Some(date) = date {
            let ahead = -ctx.days_since(date.value);
            if ahead > 0 {
                out.push(
                    Violation::new(
                        RuleId::DateInFuture,
                        date.loc,
                        format!(
                            "`{field}` {} is {} after today ({})",
                            date.value,
                            days(ahead),
                            ctx.today
                        ),
                    )
                    .detail(field),
                );
            }
        }
    }
}

/// `duplicate-identity`: every later entry with an id already used, related
/// to the first.
pub fn duplicates<'r>(ctx: &Context<'r>) -> Vec<(Target<'r>, Violation)> {
    let registry = ctx.registry;
    // First occurrence and how many times the id has been seen.
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut out = Vec::new();
    for (index, identity) in registry.identities.iter().enumerate() {
        let entry = seen.entry(identity.id.value.as_str()).or_insert((index, 0));
        entry.1 += 1;
        let (earlier, occurrence) = *entry;
        if occurrence > 1 {
            let at = registry.identities[earlier].id.loc;
            let violation = Violation::new(
                RuleId::DuplicateIdentity,
                identity.id.loc,
                format!(
                    "id `{}` is already used at {}",
                    identity.id.value,
                    registry.position(at)
                ),
            )
            .detail(format!("occurrence {occurrence}"))
            .related(at, format!("`{}` first used here", identity.id.value));
            out.push((Target::Identity(index), violation));
        }
    }
    out
}

/// `duplicate-ref`: every later identity in service with a `ref` an earlier
/// one in service has, related to the first.
pub fn duplicate_refs<'r>(ctx: &Context<'r>) -> Vec<(Target<'r>, Violation)> {
    let registry = ctx.registry;
    let mut seen: HashMap<&str, (Loc, u32)> = HashMap::new();
    let mut out = Vec::new();
    for (index, identity) in registry.identities.iter().enumerate() {
        let Some(reference) = identity
            .reference
            .as_ref()
            .filter(|_| !identity.is_retired())
        else {
            continue;
        };
        let entry = seen
            .entry(reference.value.as_str())
            .or_insert((reference.loc, 0));
        entry.1 += 1;
        let (first, occurrence) = *entry;
        if occurrence > 1 {
            out.push((
                Target::Identity(index),
                Violation::new(
                    RuleId::DuplicateRef,
                    reference.loc,
                    format!(
                        "ref `{}` is already used at {}",
                        reference.value,
                        registry.position(first)
                    ),
                )
                .nth(occurrence)
                .related(first, format!("`{}` first used here", reference.value)),
            ));
        }
    }
    out
}

/// `confusable-id`: ids that differ but share a UTS #39 confusable skeleton.
/// Each id after the first of its look-alike group is reported (owners come
/// first, in directory order, then identities), related to the first, except
/// retired identities, which only three rules check.
pub fn confusables<'r>(ctx: &Context<'r>) -> Vec<(Target<'r>, Violation)> {
    let registry = ctx.registry;
    let ids: Vec<(Target<'r>, &'r Located<String>)> = registry
        .owners
        .iter()
        .map(|o| (Target::Owner(o.id.value.as_str()), &o.id))
        .chain(
            registry
                .identities
                .iter()
                .enumerate()
                .map(|(i, identity)| (Target::Identity(i), &identity.id)),
        )
        .collect();
    // The first id of each skeleton, found through a hash of the skeleton
    // (no skeleton is kept): the first id with a hash is the first with its
    // skeleton unless two skeletons share the hash, and those, which do not
    // occur by chance, are kept whole in `collided`.
    let mut first: HashMap<u64, usize> = HashMap::with_capacity(ids.len());
    let mut collided: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (n, (target, id)) in ids.iter().enumerate() {
        let earlier = match first.entry(skeleton_hash(&id.value)) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(n);
                continue;
            }
            std::collections::hash_map::Entry::Occupied(slot) => *slot.get(),
        };
        let (_, earlier_id) = ids[earlier];
        if earlier_id.value == id.value {
            continue;
        }
        let earlier = if skeleton(&earlier_id.value) == skeleton(&id.value) {
            earlier_id
        } else {
            let k = *collided.entry(skeleton(&id.value)).or_insert(n);
            ids[k].1
        };
        if earlier.value == id.value {
            continue;
        }
        if let Target::Identity(i) = target
            && registry.identities[*i].is_retired()
        {
            continue;
        }
        let (at, earlier) = (earlier.loc, earlier.value.as_str());
        let violation = Violation::new(
            RuleId::ConfusableId,
            id.loc,
            format!(
                "id `{}` looks like `{earlier}` at {}; {}",
                id.value,
                registry.position(at),
                difference(&id.value, earlier)
            ),
        )
        .detail(format!("looks-like:{earlier}"))
        .related(at, format!("the look-alike `{earlier}`"));
        out.push((*target, violation));
    }
    out
}

/// The confusable skeleton of UTS #39 (what an id looks like).
fn skeleton(id: &str) -> String {
    match ascii_skeleton(id) {
        Some(parts) => parts.collect(),
        None => unicode_security::confusable_detection::skeleton(id).collect(),
    }
}

/// A hash of [`skeleton`], computed without building it.
fn skeleton_hash(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::hash::DefaultHasher::new();
    match ascii_skeleton(id) {
        Some(parts) => parts.for_each(|part| hasher.write(part.as_bytes())),
        None => {
            for c in unicode_security::confusable_detection::skeleton(id) {
                let mut buffer = [0; 4];
                hasher.write(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    hasher.finish()
}

/// The skeleton of an ASCII id whose every character has an ASCII skeleton,
/// as those skeletons laid end to end (there is then nothing for
/// normalisation to reorder); `None` for any other id.
fn ascii_skeleton(id: &str) -> Option<impl Iterator<Item = &'static str>> {
    let table = ascii_skeletons();
    let parts = |b: u8| table.get(usize::from(b)).and_then(Option::as_deref);
    id.bytes()
        .all(|b| parts(b).is_some())
        .then(move || id.bytes().filter_map(parts))
}

/// The skeleton of each ASCII character, where it is ASCII text.
fn ascii_skeletons() -> &'static [Option<String>] {
    static TABLE: std::sync::OnceLock<Vec<Option<String>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0u8..128)
            .map(|b| {
                let one = char::from(b).to_string();
                let text: String = unicode_security::confusable_detection::skeleton(&one).collect();
                text.is_ascii().then_some(text)
            })
            .collect()
    })
}

/// Where two look-alike ids differ, in code points a reader can check.
fn difference(a: &str, b: &str) -> String {
    let at = a.chars().zip(b.chars()).position(|(x, y)| x != y);
    match at.map(|i| (i, a.chars().nth(i), b.chars().nth(i))) {
        Some((i, Some(x), Some(y))) if a.chars().count() == b.chars().count() => format!(
            "character {} is U+{:04X} here and U+{:04X} there",
            i + 1,
            x as u32,
            y as u32
        ),
        _ => format!(
            "they are {} and {} characters long",
            a.chars().count(),
            b.chars().count()
        ),
    }
}

/// `empty-registry`: no identity entry at all, located at the first file's
/// first line.
pub fn empty<'r>(ctx: &Context<'r>) -> Vec<(Target<'r>, Violation)> {
    let registry = ctx.registry;
    if !registry.identities.is_empty() || registry.files.is_empty() {
        return Vec::new();
    }
    let start = Loc {
        file: 0,
        line: 1,
        col: 1,
    };
    let message = format!(
        "the registry holds no identity entry ({} read); an audit of nothing passes nothing",
        plural(registry.files.len(), "file", "files")
    );
    vec![(
        Target::Registry,
        Violation::new(RuleId::EmptyRegistry, start, message),
    )]
}

/// `unused-owner`: directory entries nothing references.
pub fn unused_owners<'r>(ctx: &Context<'r>) -> Vec<(Target<'r>, Violation)> {
    let registry = ctx.registry;
    let mut referenced: HashSet<&str> = HashSet::new();
    for identity in &registry.identities {
        referenced.extend(
            identity
                .owners
                .iter()
                .filter_map(|r| r.id())
                .map(|id| id.value.as_ref()),
        );
        referenced.extend(
            identity
                .exceptions
                .iter()
                .filter_map(|e| e.approved_by.as_ref())
                .map(|id| id.value.as_ref()),
        );
    }
    for owner in &registry.owners {
        referenced.extend(owner.members.iter().map(|m| m.value.as_ref()));
    }
    registry
        .owners
        .iter()
        .filter(|o| !referenced.contains(o.id.value.as_str()))
        .map(|o| {
            let violation = Violation::new(
                RuleId::UnusedOwner,
                o.id.loc,
                format!(
                    "owner `{}` is referenced by no identity, team or exception",
                    o.id.value
                ),
            );
            (Target::Owner(o.id.value.as_str()), violation)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{ascii_skeleton, skeleton, skeleton_hash};

    /// The ASCII table is taken, and gives what the general path gives.
    #[test]
    fn ascii_skeletons_are_the_skeletons() {
        // Every character an id is usually made of takes the table.
        let usual: String = ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .chain("-_.:/@".chars())
            .collect();
        assert!(ascii_skeleton(&usual).is_some());
        let general =
            |s: &str| -> String { unicode_security::confusable_detection::skeleton(s).collect() };
        let mut ids: Vec<String> = (0u8..128).map(|b| char::from(b).to_string()).collect();
        ids.extend(
            [
                "team-payl",
                "team-pay1",
                "rn-svc",
                "m-svc",
                "0O0",
                "a|b",
                "",
            ]
            .map(String::from),
        );
        ids.push((0u8..128).map(char::from).collect());
        for id in &ids {
            assert_eq!(skeleton(id), general(id), "{id:?}");
        }
        assert_eq!(skeleton("team-payl"), skeleton("team-pay1"));
        assert_eq!(skeleton_hash("team-payl"), skeleton_hash("team-pay1"));
        // The hash of a non-ASCII id is that of its skeleton, as for ASCII.
        assert_eq!(skeleton_hash("tеam"), skeleton_hash("team"));
        assert_ne!(skeleton_hash("team"), skeleton_hash("tram"));
    }
}
