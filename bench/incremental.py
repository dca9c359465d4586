#!/usr/bin/env python3
"""Incremental builds and bundles on the shared workload (docs/performance.md,
"Incremental builds, bundles and cold start").

Usage: python3 bench/incremental.py --mcfg target/release/mcfg \
           [--jrsonnet /work/jrsonnet-bin/bin/jrsonnet] [--n 5000] [--runs 7]

Generates bench/work/N<n>/ with bench/workload/ (a copy of the shared
generator) unless present, on this machine's disk (bench/work, not /tmp).
Times, as medians of --runs whole-process runs:
  full     `mcfg build` into a fresh folder (the old one removed, untimed);
  rebuild  `mcfg build` into the previous build after one model's value
           changed (alternating between two values, so every run changes
           exactly one value and three artifacts, one per environment);
  bundle   `mcfg build --bundle` of all environments into a fresh folder;
  jrsonnet `jrsonnet -o OUT main.jsonnet` (same workload, one document),
side by side in the same sitting.

With --against OTHER_MCFG, times only `--bundle` builds instead, interleaved
round by round (--runs rounds): OTHER_MCFG, --mcfg, `mcfg check` with
--mcfg, and jrsonnet when given, each after os.sync(); medians, minima and
maxima.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, cwd=None):
    # Each timed command starts with no dirty pages left by the previous one
    # (a rebuild right after a full build otherwise pays for its writeback).
    os.sync()
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mcfg", required=True)
    ap.add_argument("--jrsonnet")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--against", help="interleave --bundle builds with this other mcfg binary")
    a = ap.parse_args()
    mcfg = os.path.abspath(a.mcfg)
    work = os.path.join(HERE, "work")
    d = os.path.join(work, f"N{a.n}")
    if not os.path.exists(os.path.join(d, "mcfg", "main.mcfg")):
        for gen in ("gen.py", "gen_mcfg.py"):
            subprocess.run([sys.executable, os.path.join(HERE, "workload", gen), "--out", work, str(a.n)],
                           check=True, stdout=subprocess.DEVNULL)
    if a.against:
        interleaved(a, mcfg, d)
        return
    src = os.path.join(d, "mcfg-inc")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(os.path.join(d, "mcfg"), src)
    main_mcfg = os.path.join(src, "main.mcfg")
    with open(main_mcfg, encoding="utf-8") as fh:
        text = fh.read()
    # One model's value: the first `hyperparameters.seed = ` of the first
    # model (not the abstract `base`, which every model extends: changing it
    # rewrites most artifacts). Three artifacts change, one per environment.
    at = text.index("hyperparameters.seed = ", text.index("config model_"))
    end = text.index("\n", at)
    old_line = text[at:end]
    variants = [text, text[:at] + "hyperparameters.seed = 977" + text[end:]]
    assert old_line != "hyperparameters.seed = 977"
    out = os.path.join(d, "out-inc")
    full, rebuild, bundle, jr = [], [], [], []
    for i in range(a.runs):
        with open(main_mcfg, "w", encoding="utf-8") as fh:
            fh.write(variants[0])
        shutil.rmtree(out, ignore_errors=True)
        full.append(run([mcfg, "build", src, "-o", out]))
        with open(main_mcfg, "w", encoding="utf-8") as fh:
            fh.write(variants[1])
        rebuild.append(run([mcfg, "build", src, "-o", out]))
        bout = out + "-bundle"
        shutil.rmtree(bout, ignore_errors=True)
        bundle.append(run([mcfg, "build", "--bundle", src, "-o", bout]))
        if a.jrsonnet:
            jout = out + ".json"
            jr.append(run([os.path.abspath(a.jrsonnet), "-o", jout, os.path.join(d, "jsonnet", "main.jsonnet")]))
            os.remove(jout)
    subprocess.run([mcfg, "verify", out], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([mcfg, "verify", out + "-bundle"], check=True, stdout=subprocess.DEVNULL)
    med = statistics.median
    print(f"N={a.n}, {a.runs} runs, medians (whole process, wall):")
    print(f"  full build            {med(full) * 1000:8.1f} ms")
    print(f"  rebuild, one change   {med(rebuild) * 1000:8.1f} ms  ({med(rebuild) / med(full):.2f}x full)")
    print(f"  --bundle, all envs    {med(bundle) * 1000:8.1f} ms")
    if jr:
        print(f"  jrsonnet              {med(jr) * 1000:8.1f} ms  (--bundle = {med(bundle) / med(jr):.3f}x jrsonnet)")


def interleaved(a, mcfg, d):
    tools = [("other --bundle", os.path.abspath(a.against)), ("mcfg --bundle", mcfg)]
    times = {name: [] for name, _ in tools}
    times["mcfg check"] = []
    times["jrsonnet"] = []
    src = os.path.join(d, "mcfg")
    for _ in range(a.runs):
        for name, binary in tools:
            out = os.path.join(d, "out-ab")
            shutil.rmtree(out, ignore_errors=True)
            times[name].append(run([binary, "build", "--bundle", src, "-o", out]))
        times["mcfg check"].append(run([mcfg, "check", src, "-q"]))
        if a.jrsonnet:
            jout = os.path.join(d, "out-ab.json")
            times["jrsonnet"].append(run([os.path.abspath(a.jrsonnet), "-o", jout, os.path.join(d, "jsonnet", "main.jsonnet")]))
            os.remove(jout)
    med = statistics.median
    print(f"N={a.n}, {a.runs} interleaved rounds (whole process, wall):")
    for name, ts in times.items():
        if not ts:
            continue
        line = f"  {name:16s} median {med(ts) * 1000:8.1f} ms  min {min(ts) * 1000:8.1f}  max {max(ts) * 1000:8.1f}"
        if times["jrsonnet"] and name != "jrsonnet":
            line += f"  ({med(ts) / med(times['jrsonnet']):.3f}x jrsonnet)"
        print(line)


if __name__ == "__main__":
    main()
