#!/usr/bin/env python3
"""Turns bench/run.sh's measurements into the Markdown tables of BENCHMARKS.md.

    python3 bench/summarize.py RESULTS_DIR DATA_DIR SIZE...
"""

import json
import os
import pathlib
import platform
import subprocess
import sys


def mean(results, name):
    path = results / f"{name}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["results"][0]["mean"]


def rss(results, name):
    path = results / f"{name}.rss"
    if not path.exists():
        return None
    return int(path.read_text().split()[-1]) / 1024


def mb(value):
    return "–" if value is None else f"{value:.0f} MB"


def ms(seconds):
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def runs(results, name):
    path = results / f"{name}.json"
    if not path.exists():
        return None
    return len(json.loads(path.read_text())["results"][0]["times"])


def ratio(a, b):
    return "–" if a is None or b is None else f"{a / b:.2f}×"


def size(path):
    path = pathlib.Path(path)
    total = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
    return f"{total / 1e6:.1f} MB" if total >= 1e6 else f"{total / 1e3:.0f} KB"


def command(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import yaml

    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"{command('rustc', '--version')}; Python {platform.python_version()}, "
        f"PyYAML {yaml.__version__} ({'C loader' if yaml.__with_libyaml__ else 'pure Python'})"
    )


PEERS = [
    ("regorus", "regorus", "`regorus eval` of `bench/peers/ownership.rego`, the YAML read by regorus"),
    ("yq", "yq + jq", "`yq -f bench/peers/ownership.jq`: PyYAML's C loader, then jq on the JSON"),
]


def peers(results, sizes):
    sizes = [n for n in sizes if int(n) <= 100000]
    if not any(mean(results, f"peer-{key}-file-{n}") is not None for key, _, _ in PEERS for n in sizes):
        return
    print("\nPeers (one file, the three core checks):\n")
    head = "| identities | nhi-own audit |"
    rule = "|---:|---:|"
    for _, shown, _ in PEERS:
        head += f" {shown} | {shown} ÷ nhi-own |"
        rule += "---:|---:|"
    head += " peak RSS |" + "".join(f" {shown} RSS |" for _, shown, _ in PEERS)
    rule += "---:|" * (1 + len(PEERS))
    print(head)
    print(rule)
    fewer = []
    for n in sizes:
        audit = mean(results, f"audit-file-{n}")
        row = f"| {int(n):,} | {ms(audit)} |"
        for key, shown, _ in PEERS:
            took = mean(results, f"peer-{key}-file-{n}")
            row += f" {ms(took)} | {ratio(took, audit)} |"
            count = runs(results, f"peer-{key}-file-{n}")
            if count is not None and count < runs(results, f"audit-file-{n}"):
                fewer.append(f"{shown} at {int(n):,}: {count} run{'s' if count > 1 else ''}")
        row += f" {mb(rss(results, f'audit-file-{n}'))} |"
        row += "".join(f" {mb(rss(results, f'peer-{key}-file-{n}'))} |" for key, _, _ in PEERS)
        print(row)
    versions = []
    for key, shown, what in PEERS:
        path = results / f"peer-{key}.version"
        version = path.read_text().strip() if path.exists() else "not run"
        versions.append(f"{shown} ({version}): {what}")
    print(
        "\nEach peer found the same findings as nhi-own (`bench/compare.py`) before it was timed. "
        + "; ".join(versions)
        + ". yq + jq RSS is the larger of its two processes."
        + (" Fewer runs: " + ", ".join(fewer) + "." if fewer else "")
    )


def main(results, data, sizes):
    results, data = pathlib.Path(results), pathlib.Path(data)
    print(f"Machine: {machine()}\n")
    print("One file (`audit --format json`, all cores; parse-only is `audit --parse-only`):\n")
    print(
        "| identities | size | parse-only | audit | audit ÷ parse | one thread | chunked speed-up"
        " | Python script | Python ÷ nhi-own | peak RSS | Python RSS |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        parse, audit = mean(results, f"parse-file-{n}"), mean(results, f"audit-file-{n}")
        seq, python = mean(results, f"seq-file-{n}"), mean(results, f"python-file-{n}")
        print(
            f"| {int(n):,} | {size(data / f'r{n}.yaml')} | {ms(parse)} | {ms(audit)} | {ratio(audit, parse)}"
            f" | {ms(seq)} | {ratio(seq, audit)} | {ms(python)} | {ratio(python, audit)}"
            f" | {mb(rss(results, f'audit-file-{n}'))} | {mb(rss(results, f'python-file-{n}'))} |"
        )
    print("\nA directory of 16 identity files plus the owner directory (files parsed in parallel):\n")
    print("| identities | size | parse-only | audit | audit ÷ parse | one thread | parallel speed-up | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        parse, audit = mean(results, f"parse-dir-{n}"), mean(results, f"audit-dir-{n}")
        seq = mean(results, f"seq-dir-{n}")
        print(
            f"| {int(n):,} | {size(data / f'd{n}')} | {ms(parse)} | {ms(audit)} | {ratio(audit, parse)}"
            f" | {ms(seq)} | {ratio(seq, audit)} | {mb(rss(results, f'audit-dir-{n}'))} |"
        )
    peers(results, sizes)
    commands_n = results / "commands-n"
    if commands_n.exists():
        n = int(commands_n.read_text())
        print(f"\nThe other commands on the one file of {n:,} identities (beside `audit` above):\n")
        print("| command | time | ÷ audit | peak RSS |")
        print("|---|---:|---:|---:|")
        audit = mean(results, f"audit-file-{n}")
        for name, shown in [
            ("baseline", "`audit --format json --baseline FILE` (every finding baselined)"),
            ("owners", "`owners --format json`"),
            ("forecast-json", "`forecast --within 90d --format json`"),
            ("forecast-ics", "`forecast --within 90d --format ics`"),
            ("evidence", "`evidence --output DIR --force` (the whole pack)"),
        ]:
            took = mean(results, f"cmd-{name}")
            print(f"| {shown} | {ms(took)} | {ratio(took, audit)} | {mb(rss(results, f'cmd-{name}'))} |")
    reconcile_n = results / "reconcile-n"
    if reconcile_n.exists():
        n = int(reconcile_n.read_text())
        took, peak = mean(results, "cmd-reconcile"), rss(results, "cmd-reconcile")
        print(
            f"\nReconcile (`reconcile --inventory CSV --format json`, `bench/gen_inventory.py`):"
            f" {n:,}-row AWS credential report ({size(data / f'reconcile-i{n}.csv')}) against"
            f" {n:,} identities ({size(data / f'reconcile-r{n}.yaml')}): {ms(took)}, peak RSS {mb(peak)}"
        )
        out = results / "reconcile.out"
        if out.exists():
            report = json.loads(out.read_text())
            rules = {}
            for finding in report["findings"]:
                rules[finding["rule"]] = rules.get(finding["rule"], 0) + 1
            counts = report["summary"].get("inventory") or {}
            print(
                "(findings: "
                + ", ".join(f"{rule} {count:,}" for rule, count in sorted(rules.items()))
                + "; records: "
                + ", ".join(f"{key} {value:,}" for key, value in counts.items())
                + ")"
            )
    lsp = [(what, results / name) for what, name in [
        ("10,000 identities, one file", "lsp-one-file.json"),
        ("10,000 identities in 20 files, one edited", "lsp-files.json"),
    ] if (results / name).exists()]
    if lsp:
        print("\nLanguage server (`bench/lsp_latency.py`: a change sent, its diagnostics received):\n")
        print("| registry | edits | median | 90th percentile | worst | diagnostics |")
        print("|---|---:|---:|---:|---:|---:|")
        for what, path in lsp:
            r = json.loads(path.read_text())
            print(f"| {what} | {r['edits']} | {r['median_ms']} ms | {r['p90_ms']} ms"
                  f" | {r['max_ms']} ms | {r['diagnostics']:,} |")
    print("\nReference checks (`bench/gen_references.py`; each once took over 30 s):\n")
    print("| registry | size | audit |")
    print("|---|---:|---:|")
    for case, what in [
        ("unknown-members", "12,000 unknown team members, 4,000 owners"),
        ("big-team", "20,000 identities held by one 20,001-member team"),
    ]:
        path = data / f"{case}.yaml"
        if path.exists():
            print(f"| {what} | {size(path)} | {ms(mean(results, f'refs-{case}'))} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
