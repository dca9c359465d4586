#!/usr/bin/env bash
# A sweep of 1,000 points of examples/ranking in one `mcfg build --sweep`
# against one `mcfg build --set ...` process per point (docs/performance.md).
#
#   bash bench/sweep.sh            # 1,000 points (40 epochs x 25 learning rates)
#   RUNS=5 bash bench/sweep.sh
#
# Both sides write the same artifacts: the script checks that point N's
# folder equals the N-th single build, byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
TARGET="${CARGO_TARGET_DIR:-target}"
MCFG="$TARGET/release/mcfg"
WORK="${WORK:-$(mktemp -d)}"
cargo build --release --quiet

EPOCHS=$(seq -s, 1 40)
LRS=$(python3 -c 'print(",".join(f"{(i + 1) / 1000:g}" for i in range(25)))')
sweep() {
  "$MCFG" build examples/ranking -o "$WORK/sweep-out" \
    --sweep "ranker.hyperparameters.epochs=range(1, 41)" \
    --sweep "ranker.hyperparameters.learning_rate=$LRS"
}
singles() {
  local i=0
  mkdir -p "$WORK/single"
  for e in ${EPOCHS//,/ }; do
    for lr in ${LRS//,/ }; do
      "$MCFG" build examples/ranking -o "$WORK/single/$i" \
        --set "ranker.hyperparameters.epochs=$e" \
        --set "ranker.hyperparameters.learning_rate=$lr" || return 1
      i=$((i + 1))
    done
  done
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
time_of() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; }

sweep_times=$(for _ in $(seq "$RUNS"); do time_of sweep; done | median)
single_times=$(for _ in $(seq "$RUNS"); do rm -rf "$WORK/single"; time_of singles; done | median)

# Same artifacts: point N of the sweep is the N-th single build (manifests
# differ only in their `overrides`, so compare the artifacts).
for n in 0 1 517 999; do
  for f in dev/ranker.json prod/ranker.json staging/reranker.json; do
    cmp -s "$WORK/sweep-out/sweep/$n/$f" "$WORK/single/$n/$f" || { echo "point $n: $f differs" >&2; exit 1; }
  done
done
"$MCFG" verify "$WORK/sweep-out" >/dev/null

echo "| what | points | median wall (s) | per point (ms) |"
echo "|---|---|---|---|"
printf '| one `build --sweep` | 1000 | %.3f | %.2f |\n' "$sweep_times" "$(echo "$sweep_times" | awk '{print $1}')"
printf '| one `build --set` per point | 1000 | %.3f | %.2f |\n' "$single_times" "$(echo "$single_times" | awk '{print $1}')"
