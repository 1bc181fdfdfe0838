#!/usr/bin/env bash
# HTTP load run of usager search on département-scale data, on SQLite then PostgreSQL.
# Usage: scripts/bench-search.sh USERS   (binaries built by `just bench`)
# The bench databases are kept between runs (seeding 200 000 usagers takes minutes):
# $CARGO_TARGET_DIR/bench/rdv-bench.sqlite3 and postgres:///rdv_bench. `rdv seed scale` tops up.
set -euo pipefail
users="${1:-200000}"
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/rdv"
load="$target/release/examples/search_load"
mkdir -p "$target/bench"
port=8091

run_backend() {
  local name="$1" url="$2"
  echo "════ usager search, $name, $users usagers ════"
  DATABASE_URL="$url" "$bin" migrate >/dev/null
  DATABASE_URL="$url" "$bin" seed scale --users "$users"
  DATABASE_URL="$url" RDV_DATA_DIR="$target/bench" RDV_SIGN_IN_PER_MINUTE_IP=1000 \
    "$bin" serve --bind "127.0.0.1:$port" --workers 2 >"$target/bench/$name.log" 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
  "$load" "http://127.0.0.1:$port" 2000 1
  "$load" "http://127.0.0.1:$port" 4000 4
}

run_backend sqlite "$target/bench/rdv-bench.sqlite3"
psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'rdv_bench'" | grep -q 1 \
  || psql -d postgres -qc "CREATE DATABASE rdv_bench"
run_backend postgres "postgres:///rdv_bench"
