#!/usr/bin/env python3
"""Checks that nhi-own and the reference script found the same things.

    python3 bench/compare.py PYTHON_JSON NHI_OWN_JSON

The script ignores exceptions, so nhi-own's suppressed findings count too.
Exits 1, naming the rule, when the counts differ.
"""

import collections
import json
import sys

RULES = ("missing-owner", "stale-rotation", "expired-exception")


def main(python_path, nhi_own_path):
    with open(python_path, encoding="utf-8") as handle:
        python = collections.Counter(f["rule"] for f in json.load(handle)["findings"])
    with open(nhi_own_path, encoding="utf-8") as handle:
        report = json.load(handle)
    nhi_own = collections.Counter(
        f["rule"] for f in report["findings"] + report["suppressed"] if f["rule"] in RULES
    )
    for rule in RULES:
        if python[rule] != nhi_own[rule]:
            sys.exit(f"{rule}: the script found {python[rule]}, nhi-own {nhi_own[rule]}")
    print("same findings: " + ", ".join(f"{rule} {python[rule]}" for rule in RULES), file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:3])
