#!/usr/bin/env bash
# Wrapper for `MCFG_BIN` in tests/it/limits.rs: runs the release binary under GNU
# time and appends "cwd user sys maxrss_kib wall" to $MCFG_TIMES (default /tmp/mcfg-times.txt).
#   MCFG_BIN=$PWD/bench/timed-mcfg.sh cargo test --test it limits -- --nocapture
BIN="${MCFG_REAL_BIN:-${CARGO_TARGET_DIR:-target}/release/mcfg}"
exec /usr/bin/time -a -o "${MCFG_TIMES:-/tmp/mcfg-times.txt}" -f "$PWD %U %S %M %e" "$BIN" "$@"
