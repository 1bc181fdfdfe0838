#!/usr/bin/env bash
# Cost of SQLite's synchronous=FULL (the default since issue 18) against NORMAL on booking
# throughput. Usage: scripts/bench-durability.sh USERS   (binaries built by `just bench`)
# One database (`rdv seed scale` + `rdv seed slots`), copied with `rdv backup` before each run so
# that every run books the same free slots; 64 clients book 2 000 distinct slots with each
# setting, alternately, twice: FULL fsyncs the WAL at every commit, NORMAL only at checkpoints.
set -euo pipefail
users="${1:-20000}"
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/rdv"
load="$target/release/examples/slots_load"
mkdir -p "$target/bench"
port=8093
db="$target/bench/rdv-durability.sqlite3"
run="$target/bench/rdv-durability-run.sqlite3"
rm -f "$db"* "$run"*
DATABASE_URL="$db" "$bin" migrate >/dev/null
DATABASE_URL="$db" "$bin" seed scale --users "$users" >/dev/null
DATABASE_URL="$db" "$bin" seed slots --history-factor 1 >/dev/null
for round in 1 2; do
  for mode in FULL NORMAL; do
    rm -f "$run"*
    DATABASE_URL="$db" "$bin" backup "$run" 2>/dev/null
    RDV_SQLITE_SYNCHRONOUS=$mode DATABASE_URL="$run" RDV_DATA_DIR="$target/bench" RDV_SIGN_IN_PER_MINUTE_IP=100000 \
      RDV_PUBLIC_PER_MINUTE_IP=10000000 RDV_GEOCODER_URL= "$bin" serve --bind "127.0.0.1:$port" --workers 2 \
      >"$target/bench/durability-$mode.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
    echo "round $round, synchronous=$mode: $(DATABASE_URL="$run" "$load" "http://127.0.0.1:$port" book-distinct 2000 64)"
    kill $server; wait $server 2>/dev/null || true
  done
done
