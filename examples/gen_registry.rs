//! Generates a deterministic, SPEC-valid registry for benchmarks.
//!
//!     cargo run --release --example gen_registry -- N OUT [--files K]
//!
//! N identities of every kind, a directory of teams and people, ~5% missing
//! roles, ~15% stale credentials, some exceptions (valid and expired), some
//! retired identities. With `--files K`, OUT is a directory: the policy and the
//! owner directory in one file, the identities spread over K files.

use std::fmt::Write as _;
use std::io::Write as _;

const KINDS: [&str; 9] = [
    "service_account",
    "api_key",
    "token",
    "certificate",
    "ssh_key",
    "oauth_app",
    "workload_identity",
    "secret",
    "other",
];
const SYSTEMS: [&str; 8] = [
    "aws",
    "gcp",
    "github",
    "stripe",
    "datadog",
    "snowflake",
    "vault",
    "k8s",
];

/// xorshift64*: small, fast, and the same on every platform.
struct Rng(u64);

impl Default for Rng {
    fn default() -> Self {
        Rng(0x9e37_79b9_7f4a_7c15)
    }
}

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

/// A day in 2026 as YYYY-MM-DD, `days` before 2026-11-01.
fn day(days: u64) -> String {
    let mut y = 2026i64;
    let mut doy = 304i64 - days as i64; // 2026-11-01 is day 304 of the year, counting from 0
    while doy < 0 {
        y -= 1;
        doy += if y % 4 == 0 { 366 } else { 365 };
    }
    let leap = y % 4 == 0;
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut m = 0;
    while doy >= months[m] {
        doy -= months[m];
        m += 1;
    }
    format!("{y}-{:02}-{:02}", m + 1, doy + 1)
}

fn directory(teams: usize) -> String {
    let mut out = String::from(
        "version: 1\npolicy:\n  warn_within: 30d\n  max_exception: 90d\n  rotation:\n    kinds: { token: 60d }\nowners:\n",
    );
    for t in 0..teams {
        let _ = writeln!(
            out,
            "  team-{t}:\n    kind: team\n    name: Team {t}\n    contact: \"#team-{t}-oncall\"\n    members: [person-{t}a, person-{t}b]\n  person-{t}a: {{ kind: person, name: Person {t}A, email: p{t}a@example.com }}\n  person-{t}b: {{ kind: person, name: Person {t}B, email: p{t}b@example.com{} }}",
            if t % 17 == 0 {
                ", status: inactive"
            } else {
                ""
            }
        );
    }
    out.push_str("  security: { kind: team, name: Security, contact: \"pager:sec\" }\n");
    out.push_str("  vendor-msp: { kind: vendor, name: MSP Ltd, contact: support@msp.example }\n");
    out
}

fn identity(rng: &mut Rng, i: usize, teams: usize, out: &mut String) {
    let kind = KINDS[i % KINDS.len()];
    let team = rng.below(teams as u64);
    let technical = if rng.percent(3) {
        "vendor-msp".to_owned()
    } else {
        format!("team-{team}")
    };
    let _ = writeln!(out, "  - id: {kind}-{i:07}\n    kind: {kind}");
    let _ = writeln!(
        out,
        "    description: {} credential number {i}",
        SYSTEMS[i % SYSTEMS.len()]
    );
    let _ = writeln!(
        out,
        "    system: {}\n    environment: {}",
        SYSTEMS[i % SYSTEMS.len()],
        if i.is_multiple_of(3) {
            "staging"
        } else {
            "production"
        }
    );
    let retired = rng.percent(2);
    if retired {
        out.push_str("    status: retired\n");
    }
    // ~5% miss a role.
    let revocation = if rng.percent(5) {
        String::new()
    } else {
        format!(", revocation: team-{team}")
    };
    let _ = writeln!(
        out,
        "    owners: {{ policy: security, technical: {technical}{revocation} }}"
    );
    if rng.percent(50) {
        let _ = writeln!(out, "    escalation: \"#oncall-{team}\"");
    }
    if rng.percent(10) {
        out.push_str("    privileged: true\n");
    }
    // ~15% stale: rotated 200–500 days ago; the rest within the last 50 days.
    let age = if rng.percent(15) {
        200 + rng.below(300)
    } else {
        rng.below(50)
    };
    let _ = writeln!(out, "    created: {}", day(age + 400));
    if kind != "workload_identity" {
        let _ = writeln!(out, "    rotation: {{ last_rotated: {} }}", day(age));
    }
    if kind == "certificate" || kind == "token" {
        let _ = writeln!(out, "    expires: {}", day(0).replace("2026", "2027"));
    }
    let _ = writeln!(out, "    last_reviewed: {}", day(rng.below(120)));
    if retired {
        let _ = writeln!(out, "    revoked: {}", day(10));
    }
    if rng.percent(4) {
        let expires = if rng.percent(25) {
            day(20)
        } else {
            day(0).replace("-11-01", "-12-15")
        };
        let _ = writeln!(
            out,
            "    exceptions:\n      - rule: stale-rotation\n        reason: migration in progress\n        approved_by: security\n        expires: {expires}\n        ticket: SEC-{i}"
        );
    }
}

fn teams(n: usize) -> usize {
    (n / 50).clamp(5, 2000)
}

/// A registry of `n` identities in one file.
pub fn registry(n: usize) -> String {
    let teams = teams(n);
    let mut rng = Rng::default();
    let mut text = directory(teams);
    text.push_str("identities:\n");
    for i in 0..n {
        identity(&mut rng, i, teams, &mut text);
    }
    text
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || std::io::Error::other("usage: gen_registry N OUT [--files K]");
    let n: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .ok_or_else(usage)?;
    let out = args.get(1).ok_or_else(usage)?;
    let files: usize = match args.get(2).map(String::as_str) {
        Some("--files") => args
            .get(3)
            .and_then(|k| k.parse().ok())
            .filter(|k| *k > 0)
            .ok_or_else(usage)?,
        None => 0,
        Some(_) => return Err(usage()),
    };
    if files == 0 {
        std::fs::File::create(out)?.write_all(registry(n).as_bytes())?;
    } else {
        let teams = teams(n);
        let mut rng = Rng::default();
        std::fs::create_dir_all(out)?;
        std::fs::write(format!("{out}/00-directory.yaml"), directory(teams))?;
        let per_file = n.div_ceil(files);
        for k in 0..files {
            let mut text = String::from("version: 1\nidentities:\n");
            for i in k * per_file..((k + 1) * per_file).min(n) {
                identity(&mut rng, i, teams, &mut text);
            }
            std::fs::write(format!("{out}/identities-{k:03}.yaml"), text)?;
        }
    }
    Ok(())
}
