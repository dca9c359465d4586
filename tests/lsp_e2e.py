#!/usr/bin/env python3
"""End-to-end test of `mcfg lsp`: a small LSP client over stdio.

Usage: lsp_e2e.py MCFG_BINARY EXAMPLE_DIR

Copies EXAMPLE_DIR (examples/ranking) to a temporary folder, starts the real
binary there, and checks diagnostics (after introducing an error), hover with
per-environment values, go-to-definition and completion. Exits non-zero with a
message on the first failed check.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading


class Client:
    def __init__(self, binary, cwd):
        self.proc = subprocess.Popen([binary, "lsp"], cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.next_id = 0
        self.diags = {}
        self.timer = threading.Timer(60, self.proc.kill)
        self.timer.start()

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def recv(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError("the server closed its output; stderr:\n"
                                     + self.proc.stderr.read().decode(errors="replace"))
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        msg = json.loads(self.proc.stdout.read(length))
        if msg.get("method") == "textDocument/publishDiagnostics":
            self.diags[msg["params"]["uri"]] = msg["params"]["diagnostics"]
        return msg

    def request(self, method, params):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            msg = self.recv()
            if msg.get("id") == rid and "method" not in msg:
                if "error" in msg:
                    raise AssertionError(f"{method} failed: {msg['error']}")
                return msg.get("result")

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def sync(self):
        """A round trip: every notification sent before it has been handled."""
        self.request("textDocument/hover", {"textDocument": {"uri": "file:///nowhere.mcfg"},
                                            "position": {"line": 0, "character": 0}})

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        code = self.proc.wait(timeout=10)
        self.timer.cancel()
        return code


def position(text, needle, shift=0):
    off = text.index(needle) + shift
    line = text.count("\n", 0, off)
    col = off - (text.rfind("\n", 0, off) + 1)
    return {"line": line, "character": col}


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"ok   {what}")


def main():
    binary, example = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="mcfg-lsp-e2e-")
    try:
        root = os.path.join(work, "ranking")
        shutil.copytree(example, root)
        run(binary, root)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(binary, root):
    c = Client(binary, root)
    uri = lambda rel: "file://" + os.path.join(root, rel)
    ranker_uri, serving_uri, model_uri = (uri("models/ranker.mcfg"), uri("schemas/serving.mcfg"),
                                          uri("schemas/model.mcfg"))
    init = c.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + root,
                                    "capabilities": {}})
    check(init["capabilities"]["definitionProvider"] is True, "initialize lists the features")
    c.notify("initialized", {})
    with open(os.path.join(root, "models/ranker.mcfg"), encoding="utf-8") as fh:
        text = fh.read()
    c.notify("textDocument/didOpen", {"textDocument": {"uri": ranker_uri, "languageId": "mcfg",
                                                       "version": 1, "text": text}})
    c.sync()
    check(c.diags.get(ranker_uri) == [], "the example opens without diagnostics")
    check(serving_uri in c.diags, "imported files are published too")

    # Introduce an error: replicas is int(>= 1, <= 64).
    bad = text.replace("env dev { serving.replicas = 1 }", "env dev { serving.replicas = 100 }")
    c.notify("textDocument/didChange", {"textDocument": {"uri": ranker_uri, "version": 2},
                                        "contentChanges": [{"text": bad}]})
    c.sync()
    diags = c.diags[ranker_uri]
    check(len(diags) >= 1 and diags[0]["code"] == "mcfg::constraint"
          and diags[0]["range"]["start"]["line"] == position(bad, "replicas = 100")["line"]
          and diags[0]["source"] == "mcfg",
          f"an out-of-range value is a mcfg::constraint on its line: {diags}")
    c.notify("textDocument/didChange", {"textDocument": {"uri": ranker_uri, "version": 3},
                                        "contentChanges": [{"text": text}]})
    c.sync()
    check(c.diags[ranker_uri] == [], "fixing it clears the diagnostics")

    doc = {"uri": ranker_uri}
    hover = c.request("textDocument/hover", {"textDocument": doc,
                                             "position": position(text, "serving.timeout = 80ms", 10)})
    value = hover["contents"]["value"]
    line80 = position(text, "serving.timeout = 80ms")["line"] + 1
    line50 = position(text, "serving.timeout = 50ms")["line"] + 1
    check(f"- dev: `80ms` — models/ranker.mcfg:{line80}" in value
          and f"- prod: `50ms` — models/ranker.mcfg:{line50}" in value
          and "@runtime" in value, f"hover shows each environment's value and its line:\n{value}")

    loc = c.request("textDocument/definition", {"textDocument": doc,
                                                "position": position(text, "m.RankingModel", 3)})
    check(loc and loc["uri"] == model_uri, f"definition of a schema goes to its file: {loc}")
    loc = c.request("textDocument/definition", {"textDocument": doc,
                                                "position": position(text, "serving.batch_size = 128", 9)})
    check(loc and loc["uri"] == serving_uri, f"definition of an assigned key goes to the field: {loc}")

    typed = text.replace("env prod { serving.timeout = 50ms }", "env prod { serving. }")
    c.notify("textDocument/didChange", {"textDocument": {"uri": ranker_uri, "version": 4},
                                        "contentChanges": [{"text": typed}]})
    items = c.request("textDocument/completion", {"textDocument": doc,
                                                  "position": position(typed, "serving. }", 8)})
    labels = [i["label"] for i in items]
    check("batch_size" in labels and "timeout" in labels, f"completion lists Serving's fields: {labels}")
    items = c.request("textDocument/completion", {"textDocument": doc,
                                                  "position": position(typed, "env dev", 4)})
    check([i["label"] for i in items] == ["dev", "staging", "prod"], "completion lists environments")

    check(c.close() == 0, "shutdown and exit end the server with status 0")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL {e}", file=sys.stderr)
        sys.exit(1)
