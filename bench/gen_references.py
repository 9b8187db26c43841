#!/usr/bin/env python3
"""Registries whose reference checks grew quadratically once: written for
bench/run.sh, which times them (each must take well under a second).

    gen_references.py unknown-members OUT   # 12,000 unknown team members, 4,000 owners
    gen_references.py big-team OUT          # 20,000 identities held by one 20,001-member team
"""
import sys


def unknown_members(out):
    out.write("version: 1\nowners:\n")
    # 4,000 people with ids of one length, so every lookup has candidates.
    for i in range(4000):
        out.write(f"  person-{i:05d}: {{ kind: person }}\n")
    # 12,000 distinct members that are not in the directory, 100 per team.
    for t in range(120):
        members = ", ".join(f"ghost-{t:03d}-{m:03d}" for m in range(100))
        out.write(f"  team-{t:03d}: {{ kind: team, members: [{members}] }}\n")
    out.write("identities:\n  - id: k\n    kind: token\n")


def big_team(out):
    out.write("version: 1\nowners:\n")
    people = [f"p{i:05d}" for i in range(20001)]
    out.write(f"  big: {{ kind: team, contact: x, members: [{', '.join(people)}] }}\n")
    for p in people:
        out.write(f"  {p}: {{ kind: person, status: inactive }}\n")
    out.write("identities:\n")
    for i in range(20000):
        out.write(
            f"  - id: id-{i}\n    kind: token\n"
            "    owners: { policy: big, technical: big, revocation: big }\n"
            "    exceptions:\n"
            f"      - {{ rule: stale-rotation, reason: r, approved_by: p{i:05d}, expires: 2026-12-01 }}\n"
        )


if __name__ == "__main__":
    case, path = sys.argv[1], sys.argv[2]
    with open(path, "w") as out:
        {"unknown-members": unknown_members, "big-team": big_team}[case](out)
