#!/usr/bin/env python3
"""Latency of `nhi-own lsp`: from a change sent to the diagnostics of that
version received, as an editor sees it (over stdio, JSON-RPC framing).

    python3 bench/lsp_latency.py NHI_OWN FILE [EDITS]

Opens FILE (its registry is its directory, as the server resolves it), then
makes EDITS changes (default 30), each a one-character edit of a value in the
file's middle, alternating so that the findings change: every change is
answered by a full analysis. Prints one JSON line: the median, 90th
percentile and worst latency in milliseconds, and the diagnostics count.
"""
import json
import os
import statistics
import subprocess
import sys
import time


def main():
    binary, path = sys.argv[1], os.path.abspath(sys.argv[2])
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    uri = "file://" + path
    server = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(message):
        body = json.dumps(message).encode()
        server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        server.stdin.flush()

    def receive():
        length = None
        while True:
            line = server.stdout.readline()
            if not line:
                sys.exit("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            key, value = line.decode().split(":", 1)
            if key.lower() == "content-length":
                length = int(value)
        return json.loads(server.stdout.read(length))

    def diagnostics(version):
        while True:
            m = receive()
            p = m.get("params") or {}
            if m.get("method") == "textDocument/publishDiagnostics" and p.get("uri") == uri \
                    and p.get("version") == version:
                return p["diagnostics"]

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": "file://" + os.path.dirname(path),
        "capabilities": {}, "initializationOptions": {"now": "2026-12-01"}}})
    while receive().get("id") != 1:
        pass
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    diagnostics(1)
    # A `last_reviewed` date in the middle of the file: its day flips between
    # two values, so the review findings change at every edit.
    middle = len(lines) // 2
    target = next(i for i in range(middle, len(lines)) if "last_reviewed: 20" in lines[i])
    column = lines[target].index("last_reviewed: ") + len("last_reviewed: 2026-0")
    times = []
    count = 0
    for n in range(edits):
        version = n + 2
        digit = "1" if n % 2 == 0 else "9"
        start = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": target, "character": column},
                                          "end": {"line": target, "character": column + 1}},
                                "text": digit}]}})
        count = len(diagnostics(version))
        times.append((time.perf_counter() - start) * 1000)
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    while receive().get("id") != 2:
        pass
    send({"jsonrpc": "2.0", "method": "exit"})
    server.wait(timeout=10)
    times.sort()
    print(json.dumps({
        "file": os.path.basename(path), "edits": edits,
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(len(times) * 0.9) - 1], 1),
        "max_ms": round(times[-1], 1), "diagnostics": count}))


if __name__ == "__main__":
    main()
