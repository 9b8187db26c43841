#!/usr/bin/env python3
"""Checks that nhi-own and the reference script (or a peer) found the same things.

    python3 bench/compare.py FINDINGS_JSON NHI_OWN_JSON [NAME]

FINDINGS_JSON is {"findings": [...]} as bench/reference_audit.py prints it, or
the same document as the value of an OPA-style query result (regorus eval).
NAME names that side in messages ("the script" unless given). The script and
the peers ignore exceptions, so nhi-own's suppressed findings count too. Exits
1, naming the rule, when the counts differ, and naming identities when the
counts agree but the identities do not.
"""

import collections
import json
import sys

RULES = ("missing-owner", "stale-rotation", "expired-exception")


def findings(document):
    """The findings list, unwrapping `{"result": [{"expressions": [{"value": ...}]}]}`."""
    if "result" in document:
        (result,) = document["result"]
        (expression,) = result["expressions"]
        document = expression["value"]
    return document["findings"]


def main(other_path, nhi_own_path, name="the script"):
    with open(other_path, encoding="utf-8") as handle:
        other = collections.Counter((f["rule"], f["identity"]) for f in findings(json.load(handle)))
    with open(nhi_own_path, encoding="utf-8") as handle:
        report = json.load(handle)
    nhi_own = collections.Counter(
        (f["rule"], f["identity"]) for f in report["findings"] + report["suppressed"] if f["rule"] in RULES
    )
    counts = {
        side: collections.Counter(rule for rule, _ in found.elements())
        for side, found in (("other", other), ("nhi-own", nhi_own))
    }
    for rule in RULES:
        if counts["other"][rule] != counts["nhi-own"][rule]:
            sys.exit(f"{rule}: {name} found {counts['other'][rule]}, nhi-own {counts['nhi-own'][rule]}")
    if other != nhi_own:
        only = sorted((other - nhi_own).elements())[:5], sorted((nhi_own - other).elements())[:5]
        sys.exit(f"same counts, other identities: only {name}: {only[0]}; only nhi-own: {only[1]}")
    print(
        f"same findings ({name}): " + ", ".join(f"{rule} {counts['other'][rule]}" for rule in RULES),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
