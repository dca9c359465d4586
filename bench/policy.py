#!/usr/bin/env python3
"""Times `mcfg check` and `mcfg test` on a generated project with policy tests
(docs/performance.md "Policy tests"). Usage: python3 bench/policy.py [N] [RUNS]"""
import os, statistics, subprocess, sys, tempfile, time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 21
mcfg = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "mcfg")

lines = ['environments { dev; staging; prod }', 'schema S {', '  replicas: int(>= 1) = 1',
         '  device: "cpu" | "gpu" = "cpu"', '  version: string = "1.0.0"', '}']
for i in range(n):
    lines.append(f'config c{i:04}: S {{\n  replicas = {i % 7 + 1}\n'
                 f'  env prod {{ device = "gpu"; replicas = {i % 7 + 4} }}\n}}')
items = ", ".join(f"c{i:04}" for i in range(n))
lines.append(f'test "prod on gpu" in prod {{\n  assert all(c in [{items}]: c.device == "gpu" and c.replicas >= 4)\n}}')
lines.append(f'test "one version" {{\n  assert len([c for c in [{items}] if c.version != "1.0.0"]) == 0\n}}')
for i in range(0, n, 10):
    lines.append(f'test "c{i:04} scales" in prod {{\n  assert c{i:04}.replicas > c{i:04}.replicas - 1\n}}')

with tempfile.TemporaryDirectory() as work:
    with open(os.path.join(work, "main.mcfg"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    for cmd in ("check", "test"):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run([mcfg, cmd, work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
            assert done.returncode == 0, f"mcfg {cmd} exited {done.returncode}"
        print(f"mcfg {cmd}: median {statistics.median(times) * 1000:.1f} ms over {runs} runs (N = {n})")
