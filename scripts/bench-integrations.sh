#!/usr/bin/env bash
# Integrations benchmarks (issue 16), on SQLite then PostgreSQL, each on a fresh database:
# webhook delivery throughput to a local HTTP receiver (target ≥ 1 000 events/s on PostgreSQL),
# and the calendar feed of an agent with two years of RDVs served by `rdv serve` (target p95
# ≤ 50 ms). Usage: scripts/bench-integrations.sh [EVENTS] [RDVS] [BACKENDS]
set -euo pipefail
events="${1:-10000}"
rdvs="${2:-4000}"
backends="${3:-sqlite postgres}"
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/rdv"
load="$target/release/examples/integrations_load"
mkdir -p "$target/bench"
port=8093

run_backend() {
  local name="$1" fresh="$2"
  echo "════ integrations, $name ════"
  url=$($fresh webhooks); DATABASE_URL="$url" "$load" webhooks "$events" 4
  url=$($fresh feed); path=$(DATABASE_URL="$url" "$load" feed-setup "$rdvs")
  DATABASE_URL="$url" RDV_DATA_DIR="$target/bench" RDV_PUBLIC_PER_MINUTE_IP=100000 "$bin" serve --bind "127.0.0.1:$port" --workers 2 \
    >"$target/bench/feed-$name.log" 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
  "$load" feed-load "http://127.0.0.1:$port" "$path" 200 1
  "$load" feed-load "http://127.0.0.1:$port" "$path" 400 4
}

fresh_sqlite() { rm -f "$target/bench/integrations-$1.sqlite3"*; echo "$target/bench/integrations-$1.sqlite3"; }
fresh_postgres() {
  psql -d postgres -qc "DROP DATABASE IF EXISTS rdv_integrations_$1" >/dev/null
  psql -d postgres -qc "CREATE DATABASE rdv_integrations_$1" >/dev/null
  echo "postgres:///rdv_integrations_$1"
}

for b in $backends; do run_backend "$b" "fresh_$b"; done
