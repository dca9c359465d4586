#!/usr/bin/env python3
"""Latency of `mcfg lsp` on one big document (issue 17: didChange -> diagnostics, hover).

Usage: python3 bench/lsp_latency.py [--lines 10000] [--edits 40] [--mcfg target/release/mcfg]

Writes a project of one document with LINES lines (a schema, three
environments, configs of ~10 lines each) to a temporary folder, starts the
server there, opens the document, then sends EDITS full-text `didChange`s —
each changes one value, every other one introduces a type error — and times
each from the write of the change to the `publishDiagnostics` for the
document (checking that the error comes and goes). Then times HOVERS hovers
on a field. Prints p50/p90/min/max in milliseconds. Wall-clock on this
machine: run it on an idle machine, and compare figures from the same run.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HEADER = """environments {
  dev
  staging
  prod
}

schema Serving {
  replicas: int(>= 1, <= 64) = 1
  batch_size: int = 32
  device: "cpu" | "gpu" = "cpu"
  timeout: duration = 100ms
}
"""


def config(i, value):
    return f"""
config svc_{i}: Serving {{
  replicas = 2
  batch_size = {value}
  timeout = 50ms
  env staging {{ replicas = 4 }}
  env prod {{
    replicas = 8
    device = "gpu"
  }}
}}
"""


def document(lines, value):
    parts, n, i = [HEADER], HEADER.count("\n"), 0
    while n < lines:
        c = config(i, value if i == 0 else 16)
        parts.append(c)
        n += c.count("\n")
        i += 1
    return "".join(parts)


class Server:
    def __init__(self, binary, cwd):
        self.proc = subprocess.Popen([binary, "lsp"], cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def recv(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("the server closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            msg = self.recv()
            if msg.get("id") == self.next_id and "method" not in msg:
                return msg.get("result")

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics_for(self, uri):
        while True:
            msg = self.recv()
            if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                return msg["params"]["diagnostics"]


def summary(name, ms):
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    print(f"{name}: p50 {statistics.median(ms):.1f} ms, p90 {p90:.1f} ms, "
          f"min {ms[0]:.1f}, max {ms[-1]:.1f} (n={len(ms)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--hovers", type=int, default=40)
    ap.add_argument("--mcfg", default="target/release/mcfg")
    args = ap.parse_args()
    binary = os.path.abspath(args.mcfg)
    work = tempfile.mkdtemp(prefix="mcfg-lsp-bench-")
    try:
        path = os.path.join(work, "big.mcfg")
        text = document(args.lines, 32)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        uri = "file://" + path
        s = Server(binary, work)
        s.request("initialize", {"processId": None, "rootUri": "file://" + work, "capabilities": {},
                                 "initializationOptions": {"stdCacheDir": os.path.join(work, "cache")}})
        s.notify("initialized", {})
        s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "mcfg",
                                                           "version": 1, "text": text}})
        if s.diagnostics_for(uri):
            raise SystemExit("the generated document has diagnostics")
        change = []
        for k in range(args.edits):
            bad = k % 2 == 0
            new = document(args.lines, '"big"' if bad else 40 + k)
            start = time.perf_counter()
            s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": k + 2},
                                                "contentChanges": [{"text": new}]})
            diags = s.diagnostics_for(uri)
            change.append((time.perf_counter() - start) * 1000)
            if bool(diags) != bad:
                raise SystemExit(f"edit {k}: expected {'an error' if bad else 'no error'}, got {diags}")
        line = text.count("\n", 0, text.index("batch_size = 16"))
        hover = []
        for _ in range(args.hovers):
            start = time.perf_counter()
            h = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": {"line": line, "character": 4}})
            hover.append((time.perf_counter() - start) * 1000)
            if not h or "batch_size" not in h["contents"]["value"]:
                raise SystemExit(f"unexpected hover {h}")
        s.request("shutdown", None)
        s.notify("exit", None)
        s.proc.wait(timeout=10)
        print(f"{binary} lsp, one document of {text.count(chr(10))} lines")
        summary("didChange -> publishDiagnostics", change)
        summary("hover", hover)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
