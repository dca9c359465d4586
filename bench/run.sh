#!/usr/bin/env bash
# End-to-end timing of `mcfg build` on the shared peer workload (see docs/performance.md).
#
#   bash bench/run.sh                 # N = 100 1000 5000 10000, 7 runs each
#   NS="100 1000" RUNS=5 bash bench/run.sh
#   JRSONNET=/path/to/jrsonnet bash bench/run.sh   # also time the peer jrsonnet side by side
#   OUT=/dev/shm/mcfg-bench-out bash bench/run.sh  # write artifacts to tmpfs
#
# Generates bench/work/N<n>/{mcfg,mcfg-split,expected.json} with
# /work/shared/bench/gen_mcfg.py (override with MCFG_SHARED_BENCH), builds the
# release binary, then times every build (median wall, peak RSS via GNU time),
# checks the artifacts against expected.json and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${MCFG_SHARED_BENCH:-/work/shared/bench}"
NS="${NS:-100 1000 5000 10000}"
RUNS="${RUNS:-7}"
TARGET="${CARGO_TARGET_DIR:-target}"

[ -x /usr/bin/time ] || { echo "GNU time missing: apt-get install -y time" >&2; exit 1; }
# shellcheck disable=SC2086
python3 "$SHARED/gen_mcfg.py" --out bench/work $NS
cargo build --release --quiet
EXTRA=()
[ -n "${JRSONNET:-}" ] && EXTRA+=(--jrsonnet "$JRSONNET")
[ -n "${OUT:-}" ] && EXTRA+=(--out "$OUT")
# shellcheck disable=SC2086
MCFG_SHARED_BENCH="$SHARED" python3 bench/measure.py --mcfg "$TARGET/release/mcfg" "${EXTRA[@]}" \
  --work bench/work --runs "$RUNS" $NS
