#!/usr/bin/env bash
# `mcfg log` and `mcfg blame` over a long history (issue: a fast `log`).
#
# Builds a repository holding examples/ranking with COMMITS commits (default
# 1,000), each changing one value of the prod environment (every tenth also
# touches a non-.mcfg file), then times `log` and `blame` with the release
# binary: median of RUNS runs (default 5), wall time.
#
#   bash bench/history.sh              # 1,000 commits
#   COMMITS=5000 RUNS=3 bash bench/history.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS=${COMMITS:-1000}
RUNS=${RUNS:-5}
MCFG=${MCFG:-$PWD/target/release/mcfg}
[ -x "$MCFG" ] || cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$work/repo
cp -r examples/ranking "$repo"
cd "$repo"
export GIT_CONFIG_NOSYSTEM=1 HOME=$work
git init -q
git config user.name "Bench"
git config user.email bench@example.com
git add -A && git commit -qm "ranking models"
# fast-import writes the commits in one process (1,000 `git commit`s take ~10 s).
python3 - "$COMMITS" "$(git rev-parse HEAD)" <<'PY' | git fast-import --quiet
import sys, pathlib
n, base = int(sys.argv[1]), sys.argv[2]
text = pathlib.Path("models/ranker.mcfg").read_text()
for i in range(n):
    body = text.replace("serving.replicas = 8", f"serving.replicas = {8 + i % 7}")
    data = body.encode()
    msg = f"commit {i}".encode()
    sys.stdout.write("commit refs/heads/bench\n")
    sys.stdout.write(f"committer Bench <bench@example.com> {1790000000 + i * 60} +0000\n")
    sys.stdout.write(f"data {len(msg)}\n{msg.decode()}\n")
    if i == 0:
        sys.stdout.write(f"from {base}\n")
    sys.stdout.write(f"M 100644 inline models/ranker.mcfg\ndata {len(data)}\n{body}\n")
    if i % 10 == 0:
        note = f"note {i}\n"
        sys.stdout.write(f"M 100644 inline NOTES\ndata {len(note)}\n{note}\n")
PY
git checkout -q bench
count=$(git rev-list --count HEAD)
echo "history: $count commits ($(git log --oneline -- '*.mcfg' | wc -l) change a .mcfg file)"
time_it() {
  python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
print(f"{' '.join(cmd[1:4]):40s} median {statistics.median(times):.3f} s  (min {min(times):.3f}, max {max(times):.3f}, {runs} runs)")
PY
}
time_it "$MCFG" log ranker.serving.replicas --env prod
time_it "$MCFG" blame ranker --env prod
