#!/usr/bin/env python3
"""Time `mcfg build` on the shared benchmark workload and check its output.

usage: python3 bench/measure.py --mcfg target/release/mcfg --work bench/work [--runs 7]
           [--jrsonnet PATH] [--out DIR] N [N ...]

For every N: `mcfg check` of the one-file layout, then `mcfg build` of each
layout (mcfg = one file, mcfg-split = one file per 100 models): median wall
time and median CPU time (user+sys, all threads) over --runs runs of the
whole process, peak RSS (GNU time %M), and whether the gathered artifacts
equal expected.json (check_equal.py semantics). With --jrsonnet, the same
for the peer `jrsonnet -o OUT jsonnet/main.jsonnet` on the same workload
(sources written by the shared gen.py), in the same sitting.
Also times `mcfg check` of one small file. Prints a Markdown table and writes
bench/work/results.json.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

SHARED = os.environ.get("MCFG_SHARED_BENCH", "/work/shared/bench")
sys.path.insert(0, SHARED)
import gen  # noqa: E402
import gen_mcfg  # noqa: E402
import check_equal  # noqa: E402

SMALL = '''schema S {
  lr: float(> 0, <= 1) = 0.001
  epochs: int(>= 1) = 10
  name: string
}

config small: S {
  name = "small"
  epochs = 20
}
'''


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(cmd, cpu):
    c0 = cpu_children()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    cpu.append(cpu_children() - c0)
    if p.returncode != 0:
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.decode()[:300].strip()))
    return dt


def peak_rss_kib(cmd):
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(p.stderr.decode().strip().splitlines()[-1])


def timed(cmd, runs, setup=None):
    times, cpu = [], []
    for _ in range(runs):
        if setup:
            setup()
        times.append(run_once(cmd, cpu))
    if setup:
        setup()
    return statistics.median(times), statistics.median(cpu), peak_rss_kib(cmd)


def jrsonnet_row(a, n, d, expected, results):
    """Times the peer jrsonnet on the same workload and checks its output."""
    main_jsonnet = os.path.join(d, "jsonnet", "main.jsonnet")
    if not os.path.exists(main_jsonnet):
        subprocess.run([sys.executable, os.path.join(SHARED, "gen.py"), "--out", a.work, str(n)],
                       check=True, stdout=subprocess.DEVNULL)
    out = a.out + ".json"
    cmd = [os.path.abspath(a.jrsonnet), "-o", out, main_jsonnet]
    med, cpu, rss = timed(cmd, a.runs)
    with open(out, encoding="utf-8") as fh:
        ok = check_equal.norm(json.load(fh)) == expected
    os.remove(out)
    results.append({"n": n, "layout": "jrsonnet", "median_s": med, "median_cpu_s": cpu,
                    "rss_kib": rss, "equal": ok})
    return "| %d | jrsonnet | %.1f ms | %.1f ms | %.1f MiB | %s |" % (
        n, med * 1000, cpu * 1000, rss / 1024, "yes" if ok else "NO")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mcfg", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", default="/tmp/mcfg-bench-out")
    ap.add_argument("--jrsonnet", help="path of a jrsonnet binary to time side by side")
    ap.add_argument("ns", nargs="+", type=int)
    a = ap.parse_args()
    mcfg = os.path.abspath(a.mcfg)
    rows, results = [], []

    def clean():
        shutil.rmtree(a.out, ignore_errors=True)

    for n in a.ns:
        d = os.path.join(a.work, "N%d" % n)
        exp_path = os.path.join(d, "expected.json")
        if not os.path.exists(exp_path):
            gen.write(exp_path, json.dumps(gen.resolve(gen.models(n)), indent=1, sort_keys=True) + "\n")
        with open(exp_path, encoding="utf-8") as fh:
            expected = check_equal.norm(json.load(fh))
        med, cpu, rss = timed([mcfg, "check", os.path.join(d, "mcfg")], a.runs)
        results.append({"n": n, "layout": "check", "median_s": med, "median_cpu_s": cpu,
                        "rss_kib": rss, "equal": True})
        rows.append("| %d | `mcfg check` one file | %.1f ms | %.1f ms | %.1f MiB | - |" % (
            n, med * 1000, cpu * 1000, rss / 1024))
        print(rows[-1], flush=True)
        if a.jrsonnet:
            rows.append(jrsonnet_row(a, n, d, expected, results))
            print(rows[-1], flush=True)
        for layout in ("mcfg", "mcfg-split"):
            cmd = [mcfg, "build", os.path.join(d, layout), "-o", a.out]
            try:
                med, cpu, rss = timed(cmd, a.runs, clean)
            except RuntimeError as err:
                print("N=%d %s FAILED: %s" % (n, layout, err), flush=True)
                results.append({"n": n, "layout": layout, "error": str(err), "equal": False})
                rows.append("| %d | %s | failed: %s | | | NO |" % (n, layout, err))
                continue
            got = check_equal.norm(gen_mcfg.collect(a.out))
            ok = got == expected
            if not ok:
                print("N=%d %s: output differs: %s" % (n, layout, check_equal.diffs(expected, got)[:3]))
            results.append({"n": n, "layout": layout, "median_s": med, "median_cpu_s": cpu,
                            "rss_kib": rss, "equal": ok})
            rows.append("| %d | %s | %.1f ms | %.1f ms | %.1f MiB | %s |" % (
                n, layout, med * 1000, cpu * 1000, rss / 1024, "yes" if ok else "NO"))
            print(rows[-1], flush=True)
    small = os.path.join(a.work, "small", "small.mcfg")
    gen.write(small, SMALL)
    med, cpu, rss = timed([mcfg, "check", small], max(a.runs, 21))
    results.append({"n": 0, "layout": "check-small", "median_s": med, "median_cpu_s": cpu,
                    "rss_kib": rss, "equal": True})
    rows.append("| 1 file | `check` | %.2f ms | %.2f ms | %.1f MiB | - |" % (
        med * 1000, cpu * 1000, rss / 1024))
    print("| N | layout | median wall | median CPU (user+sys) | peak RSS | output == expected |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    with open(os.path.join(a.work, "results.json"), "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=1)
    clean()
    sys.exit(0 if all(r["equal"] for r in results) else 1)


if __name__ == "__main__":
    main()
