#!/usr/bin/env python3
"""The script a team writes instead of using a tool: the reference for benchmarks.

    python3 bench/reference_audit.py REGISTRY [--now YYYY-MM-DD] > findings.json

Checks three things, naively: missing owner roles, stale rotation (reference
date older than the maximum age) and expired exceptions. It reads one file or
every *.yaml / *.yml file of a directory with PyYAML (the C loader when PyYAML
was built with libyaml), keeps no line numbers, and prints JSON findings.
"""

import datetime
import json
import pathlib
import re
import sys

import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    Loader = yaml.SafeLoader

DEFAULT_MAX_AGE = {
    "service_account": 90,
    "api_key": 90,
    "token": 90,
    "secret": 90,
    "other": 90,
    "ssh_key": 180,
    "oauth_app": 180,
    "certificate": 398,
    "workload_identity": None,
}


def days(text):
    """`90d`, `12w` or `never` as a number of days (None for never)."""
    if text == "never":
        return None
    match = re.fullmatch(r"(\d+)([dw])", str(text))
    if not match:
        raise ValueError(f"bad duration {text!r}")
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


def as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def load(path):
    path = pathlib.Path(path)
    files = (
        sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        if path.is_dir()
        else [path]
    )
    policy, identities = {}, []
    for file in files:
        with open(file, encoding="utf-8") as handle:
            doc = yaml.load(handle, Loader=Loader) or {}
        policy = doc.get("policy") or policy
        identities.extend(doc.get("identities") or [])
    return policy, identities


def audit(policy, identities, today):
    rotation = policy.get("rotation") or {}
    kinds = rotation.get("kinds") or {}
    findings = []
    for identity in identities:
        ident = identity.get("id")
        if identity.get("status") == "retired":
            continue
        owners = identity.get("owners") or {}
        for role in policy.get("required_owners") or ["policy", "technical", "revocation"]:
            if not owners.get(role):
                findings.append({"rule": "missing-owner", "identity": ident, "role": role})
        kind = identity.get("kind")
        own = (identity.get("rotation") or {}).get("max_age")
        if own is not None:
            max_age = days(own)
        elif kind in kinds:
            max_age = days(kinds[kind])
        elif "max_age" in rotation:
            max_age = days(rotation["max_age"])
        else:
            max_age = DEFAULT_MAX_AGE.get(kind, 90)
        reference = (identity.get("rotation") or {}).get("last_rotated") or identity.get("created")
        if max_age is not None and reference is not None:
            if (today - as_date(reference)).days > max_age:
                findings.append({"rule": "stale-rotation", "identity": ident})
        for exception in identity.get("exceptions") or []:
            expires = exception.get("expires")
            if expires is not None and as_date(expires) < today:
                findings.append(
                    {"rule": "expired-exception", "identity": ident, "exception": exception.get("rule")}
                )
    return findings


def main(argv):
    if not argv:
        sys.exit(__doc__)
    today = datetime.date.today()
    if "--now" in argv:
        today = datetime.date.fromisoformat(argv[argv.index("--now") + 1])
    policy, identities = load(argv[0])
    findings = audit(policy, identities, today)
    json.dump({"findings": findings, "identities": len(identities)}, sys.stdout)
    sys.stdout.write("\n")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
