#!/usr/bin/env python3
"""Generates a matching AWS IAM credential report and registry for the reconcile benchmark.

    python3 bench/gen_inventory.py N REGISTRY_OUT INVENTORY_OUT

Deterministic (a fixed seed, and only `random.random()`, whose sequence is the same on
every Python 3). The inventory is the credential report of one account (SPEC §6: 22
columns, the `<root_account>` row first, then N IAM users); the registry has N identities
of `kind: service_account` whose `ref` is an IAM user's ARN, and a directory of a few
teams. As of 2026-11-01 (the `--now` of bench/run.sh):

- IAM users: ~94% machine users with one or two active access keys (30% have two, 2% a
  signing certificate too), ~3% people (a console password, no key: never registered,
  skipped by reconcile and counted as people), ~3% machine users with a console
  password too.
- ~95% of the users are registered (98% of the machine users); the unregistered
  machine users (~2%) are `unregistered-identity`.
- ~2% of the registry's identities name users of this account that the report does not
  list (`absent-from-inventory`); the rest of the registry that matches no user
  (~3%) names users of another account, which this report does not cover (no finding).
- ~6% of the registered machine users' registry `rotation.last_rotated` is later than
  the report's latest rotation of their active keys (`rotation-drift`); the others
  claim the report's date.
- ~8% of the machine users have their active keys unused for more than 90 days, or
  never used (`unused-credential`, one per key); registered machine users with a
  console password are `interactive-login`.

Prints the expected count of each finding to stderr.
"""

import datetime
import random
import sys

NOW = datetime.datetime(2026, 11, 1, 9, 0, 0)
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
TEAMS = ["platform", "payments", "data", "identity", "search", "mobile", "billing", "ml"]
PATHS = ["", "svc/", "ci/", "batch/", "apps/"]
WORDS = ["deploy", "exporter", "sync", "ingest", "backup", "report", "scanner", "worker",
         "indexer", "mailer", "notifier", "etl", "gateway", "scheduler", "uploader"]
REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "us-west-2", "ap-southeast-2"]
SERVICES = ["s3", "sts", "ecr", "dynamodb", "sqs", "kms", "lambda", "secretsmanager"]
HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


class Rng:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def below(self, n):
        return int(self.r.random() * n)

    def percent(self, p):
        return self.r.random() * 100 < p

    def pick(self, items):
        return items[self.below(len(items))]

    def before(self, days_min, days_max, start=NOW):
        """A timestamp between days_min and days_max days before `start`."""
        seconds = self.below(86400)
        return start - datetime.timedelta(days=days_min + self.below(days_max - days_min + 1),
                                          seconds=seconds)


def ts(t):
    return "N/A" if t is None else t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def day(t):
    return t.strftime("%Y-%m-%d")


def key_columns(rng, key):
    """The five columns of an access key: None (no key) or a dict."""
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    if not key["active"]:
        return ["false", ts(key["rotated"]), "N/A", "N/A", "N/A"]
    used = key["used"]
    return [
        "true",
        ts(key["rotated"]),
        ts(used),
        "N/A" if used is None else rng.pick(REGIONS),
        "N/A" if used is None else rng.pick(SERVICES),
    ]


def user(rng, i):
    """One IAM user: its report row and what the registry needs to know of it."""
    kind = rng.below(100)
    person = kind < 3
    console = person or kind >= 97
    created = rng.before(60, 2200)
    if person:
        name = f"person.{i:06d}"
        arn = f"arn:aws:iam::{ACCOUNT}:user/people/{name}"
    else:
        name = f"{rng.pick(TEAMS)}-{rng.pick(WORDS)}-{i:06d}"
        arn = f"arn:aws:iam::{ACCOUNT}:user/{rng.pick(PATHS)}{name}"
    keys = [None, None]
    unused = False
    if not person:
        # Rotated within the 90 days a service account is allowed, or (15%) long ago.
        stale = rng.percent(15)
        rotated = rng.before(100, 900) if stale else rng.before(1, 85)
        rotated = max(rotated, created + datetime.timedelta(minutes=5))
        unused = rng.percent(8)
        if unused:
            used = None if rng.percent(40) else rng.before(95, 400)
            if used is not None and used < rotated:
                used = None
            if used is None and rotated > NOW - datetime.timedelta(days=95):
                rotated = rng.before(120, 400)
                created = min(created, rotated - datetime.timedelta(days=1))
        else:
            used = rng.before(0, 30)
            if used < rotated:
                used = rotated + datetime.timedelta(hours=1)
        keys[0] = {"active": True, "rotated": rotated, "used": used}
        second = rng.below(100)
        if second < 30:
            # A second active key, rotated a little later (a rotation under way), used.
            later = min(rotated + datetime.timedelta(days=rng.below(20) + 1),
                        NOW - datetime.timedelta(hours=2))
            keys[1] = {"active": True, "rotated": later,
                       "used": max(rng.before(0, 30), later + datetime.timedelta(hours=1))}
            if unused:
                keys[1]["used"] = keys[0]["used"]
                keys[1]["rotated"] = keys[0]["rotated"]
        elif second < 45:
            keys[1] = {"active": False, "rotated": rng.before(400, 1200), "used": None}
    cert = not person and rng.percent(2)
    cert_rotated = rng.before(1, 80) if cert else None
    if console:
        pw_changed = rng.before(1, 400)
        pw_used = None if rng.percent(10) else rng.before(0, 60)
        pw = ["true", ts(pw_used), ts(pw_changed), ts(pw_changed + datetime.timedelta(days=365))]
    else:
        pw = ["false", "N/A", "N/A", "N/A"]
    row = [name, arn, ts(created), *pw, "true" if console and rng.percent(70) else "false"]
    row += key_columns(rng, keys[0])
    row += key_columns(rng, keys[1])
    row += ["true", ts(cert_rotated)] if cert else ["false", "N/A"]
    row += ["false", "N/A"]
    rotations = [k["rotated"] for k in keys if k and k["active"]]
    if cert:
        rotations.append(cert_rotated)
    return {
        "row": ",".join(row),
        "name": name,
        "arn": arn,
        "person": person,
        "console": console,
        "created": created,
        "latest": max(rotations) if rotations else None,
        "unused": sum(1 for k in keys if k and k["active"]) if unused else 0,
    }


def directory():
    out = ["version: 1", "owners:"]
    for team in TEAMS:
        out += [
            f"  team-{team}:",
            "    kind: team",
            f"    name: Team {team.capitalize()}",
            f'    contact: "#{team}-oncall"',
            f"    members: [{team}.lead, {team}.engineer]",
            f"  {team}.lead: {{ kind: person, name: {team.capitalize()} Lead, email: {team}.lead@example.com }}",
            f"  {team}.engineer: {{ kind: person, name: {team.capitalize()} Engineer, email: {team}.engineer@example.com }}",
        ]
    out.append('  security: { kind: team, name: Security, contact: "pager:security" }')
    return "\n".join(out) + "\n"


def identity(rng, index, name, arn, created, rotated):
    team = rng.pick(TEAMS)
    reviewed = rng.before(0, 170)
    lines = [
        f"  - id: aws-{name}",
        "    kind: service_account",
        f"    ref: {arn}",
        f"    description: IAM user {name}",
        "    system: aws",
        "    environment: " + ("staging" if index % 4 == 0 else "production"),
        f"    owners: {{ policy: security, technical: team-{team}, revocation: team-{team} }}",
        f'    escalation: "#{team}-oncall"',
        f"    created: {day(created)}",
    ]
    if rotated is not None:
        lines.append(f"    rotation: {{ last_rotated: {day(rotated)} }}")
    lines.append(f"    last_reviewed: {day(reviewed)}")
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 3 or not argv[0].isdigit():
        sys.exit("usage: gen_inventory.py N REGISTRY_OUT INVENTORY_OUT")
    n = int(argv[0])
    registry_out, inventory_out = argv[1], argv[2]
    rng = Rng(20261101)
    users = [user(rng, i) for i in range(n)]
    with open(inventory_out, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADER + "\n")
        f.write(
            f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-03-14T09:12:44+00:00,not_supported,"
            "2026-10-02T17:45:10+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,"
            "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        )
        for u in users:
            f.write(u["row"] + "\n")

    expected = {"unregistered-identity": 0, "people (unregistered, skipped)": 0,
                "absent-from-inventory": 0, "rotation-drift": 0, "unused-credential": 0,
                "interactive-login": 0}
    # Exactly N identities: the registered ~95% of users, ~2% absent from the report
    # (this account), the rest in another account.
    # People are never registered; 98% of the machine users are.
    registered = [not u["person"] and rng.percent(98) for u in users]
    matched = sum(registered)
    absent = min(round(n * 0.02), n - matched)
    elsewhere = n - matched - absent
    extra = ["absent"] * absent + ["elsewhere"] * elsewhere
    # Spread the unmatched identities through the list.
    slots = sorted(rng.below(matched + 1) for _ in extra)
    with open(registry_out, "w", encoding="utf-8", newline="\n") as f:
        f.write(directory())
        f.write("identities:\n")

        def unmatched(s, index):
            kind = extra[s]
            account = ACCOUNT if kind == "absent" else OTHER_ACCOUNT
            name = f"{kind}-{rng.pick(WORDS)}-{s:06d}"
            f.write(identity(rng, index, name, f"arn:aws:iam::{account}:user/{name}",
                             rng.before(100, 1500), rng.before(1, 85)))
            expected["absent-from-inventory"] += kind == "absent"

        done, s = 0, 0
        for u, reg in zip(users, registered):
            while s < len(extra) and slots[s] <= done:
                unmatched(s, done)
                s += 1
            if not reg:
                if u["person"]:
                    expected["people (unregistered, skipped)"] += 1
                else:
                    expected["unregistered-identity"] += 1
                continue
            latest = u["latest"]
            claimed = latest
            if latest is not None and rng.percent(6):
                claimed = min(latest + datetime.timedelta(days=1 + rng.below(60)), NOW)
                if claimed.date() > latest.date():
                    expected["rotation-drift"] += 1
            f.write(identity(rng, done, u["name"], u["arn"], u["created"], claimed))
            expected["unused-credential"] += u["unused"]
            expected["interactive-login"] += u["console"]
            done += 1
        for s in range(s, len(extra)):  # the slots after the last matched identity
            unmatched(s, done)
    print(f"{n} users, {n} identities; expected: "
          + ", ".join(f"{k} {v}" for k, v in expected.items()), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
