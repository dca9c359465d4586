#!/usr/bin/env python3
"""Scaling benchmark of long chains (issue #13, finding 9).

usage: python3 bench/chains.py --mcfg target/release/mcfg [--runs 3] [--build]
           [--shapes a,b] [N ...]            (default N: 500 1000 2000 4000)

For every shape and N, writes one project to a temporary folder and runs
`mcfg check` on it (`mcfg build` too with --build) --runs times: median wall
time, median CPU time (user+sys of the child, all threads) and the largest
peak RSS (ru_maxrss of the child). Prints a Markdown table with the growth
exponent k between successive N (k = log(t2/t1) / log(N2/N1); k = 1 is
linear, 2 quadratic). Figures under ~20 ms are noise-dominated: their k
means little.

Shapes:
  env-chain      `env e_i extends e_{i-1}`, one config of one field
  env-blocks     the same chain, the config has an `env e_i` block per env
  inherit        `config c_i extends c_{i-1}`, each sets the same field
  inherit-fields `config c_i extends c_{i-1}`, each adds its own field
  ref-chain      `config c_i { v = c_{i-1}.v + 1 }`
  wide           N independent configs of one field (control)
"""
import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def env_decl(n):
    lines = ["environments {", "  e0"]
    lines += [f"  e{i} extends e{i - 1}" for i in range(1, n)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def env_chain(n):
    return env_decl(n) + "config one {\n  v = 1\n}\n"


def env_blocks(n):
    body = "\n".join(f"  env e{i} {{ v = {i} }}" for i in range(n))
    return env_decl(n) + "config one {\n  v = 0\n" + body + "\n}\n"


def inherit(n):
    out = ["config c0 {\n  v = 0\n}"]
    out += [f"config c{i} extends c{i - 1} {{\n  v = {i}\n}}" for i in range(1, n)]
    return "\n".join(out) + "\n"


def inherit_fields(n):
    out = ["config c0 {\n  f0 = 0\n}"]
    out += [f"config c{i} extends c{i - 1} {{\n  f{i} = {i}\n}}" for i in range(1, n)]
    return "\n".join(out) + "\n"


def ref_chain(n):
    out = ["config c0 {\n  v = 0\n}"]
    out += [f"config c{i} {{\n  v = c{i - 1}.v + 1\n}}" for i in range(1, n)]
    return "\n".join(out) + "\n"


def wide(n):
    return "\n".join(f"config c{i} {{\n  v = {i}\n}}" for i in range(n)) + "\n"


SHAPES = {
    "env-chain": env_chain,
    "env-blocks": env_blocks,
    "inherit": inherit,
    "inherit-fields": inherit_fields,
    "ref-chain": ref_chain,
    "wide": wide,
}


def measure(argv):
    """Run `argv` in a fresh Python child so ru_maxrss is its own peak."""
    helper = (
        "import resource,subprocess,sys,time\n"
        "s=time.perf_counter()\n"
        "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE)\n"
        "w=time.perf_counter()-s\n"
        "r=resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stderr.buffer.write(p.stderr[-2000:])\n"
        "print(w, r.ru_utime+r.ru_stime, r.ru_maxrss, p.returncode)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", helper] + argv, capture_output=True, text=True
    )
    wall, cpu, rss, rc = proc.stdout.split()
    return float(wall), float(cpu), int(rss), int(rc), proc.stderr


def k(a, b, na, nb):
    if a <= 0 or b <= 0:
        return float("nan")
    return math.log(b / a) / math.log(nb / na)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mcfg", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build", action="store_true", help="also time `mcfg build`")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("ns", nargs="*", type=int)
    args = ap.parse_args()
    ns = args.ns or [500, 1000, 2000, 4000]
    mcfg = os.path.abspath(args.mcfg)
    cmds = ["check"] + (["build"] if args.build else [])
    print("| shape | cmd | N | wall s | CPU s | RSS MiB | k time | k RSS |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    failed = False
    with tempfile.TemporaryDirectory(prefix="mcfg-chains-") as tmp:
        for shape in args.shapes.split(","):
            gen = SHAPES[shape]
            for cmd in cmds:
                prev = None
                for n in ns:
                    folder = os.path.join(tmp, f"{shape}-{n}")
                    os.makedirs(folder, exist_ok=True)
                    path = os.path.join(folder, "main.mcfg")
                    with open(path, "w") as f:
                        f.write(gen(n))
                    argv = [mcfg, cmd, path]
                    if cmd == "build":
                        argv += ["-o", os.path.join(folder, "out")]
                    walls, cpus, rsss = [], [], []
                    for _ in range(args.runs):
                        wall, cpu, rss, rc, err = measure(argv)
                        if rc != 0:
                            failed = True
                            print(f"{shape} {cmd} N={n}: exit {rc}\n{err}", file=sys.stderr)
                        walls.append(wall)
                        cpus.append(cpu)
                        rsss.append(rss)
                    wall = statistics.median(walls)
                    cpu = statistics.median(cpus)
                    rss = max(rsss) / 1024
                    if prev:
                        kt = f"{k(prev[1], wall, prev[0], n):.2f}"
                        km = f"{k(prev[2], rss, prev[0], n):.2f}"
                    else:
                        kt = km = ""
                    print(
                        f"| {shape} | {cmd} | {n} | {wall:.3f} | {cpu:.3f} | {rss:.1f} | {kt} | {km} |",
                        flush=True,
                    )
                    prev = (n, wall, rss)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
