#!/usr/bin/env bash
# Cold start of `mcfg check` on a 10-line file against starting /bin/true:
# medians of 50 runs each, interleaved (docs/performance.md, "Incremental
# builds, bundles and cold start").
# Usage: bash bench/cold_start.sh [path/to/mcfg]
set -euo pipefail
MCFG=$(realpath "${1:-target/release/mcfg}")
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
cat > "$DIR/small.mcfg" <<'MCFG'
// a small project
environments { dev; prod }
schema Svc {
  replicas: int(>= 1) = 1
  name: string = "svc"
}
config svc: Svc {
  env prod { replicas = 3 }
}
// ten lines in all
MCFG
python3 - "$MCFG" "$DIR/small.mcfg" <<'PY'
import statistics, subprocess, sys, time
mcfg, src = sys.argv[1], sys.argv[2]
def once(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
for _ in range(5):
    once([mcfg, "check", src]); once(["/bin/true"])
check, true = [], []
for _ in range(50):
    check.append(once([mcfg, "check", src]))
    true.append(once(["/bin/true"]))
c, t = statistics.median(check) * 1000, statistics.median(true) * 1000
print(f"mcfg check (10 lines) median {c:.2f} ms; /bin/true median {t:.2f} ms; above /bin/true {c - t:.2f} ms")
PY
