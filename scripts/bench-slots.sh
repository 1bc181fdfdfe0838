#!/usr/bin/env bash
# HTTP load run of slot search and booking on département-scale data (issue 7), on SQLite then
# PostgreSQL. Usage: scripts/bench-slots.sh USERS   (binaries built by `just bench`)
# Each backend gets a fresh database: `rdv seed scale` (usagers) then `rdv seed slots` (300
# agents, 60 lieux, 50 motifs, plages, ≈ 1 M past RDVs); agent search, public département
# search and next availability are measured; the history is then topped up to ×10 and agent
# search measured again (the ratio); last, 64 clients book concurrently (each slot wanted twice,
# then distinct slots) and overlaps are counted.
set -euo pipefail
users="${1:-200000}"
backends="${2:-sqlite postgres}"
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/rdv"
load="$target/release/examples/slots_load"
mkdir -p "$target/bench"
port=8092

serve() {
  DATABASE_URL="$1" RDV_DATA_DIR="$target/bench" RDV_SIGN_IN_PER_MINUTE_IP=100000 RDV_PUBLIC_PER_MINUTE_IP=10000000 \
    RDV_GEOCODER_URL= "$bin" serve --bind "127.0.0.1:$port" --workers 2 >"$target/bench/slots-$2.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
}

run_backend() {
  local name="$1" url="$2"
  echo "════ slot search, $name, $users usagers ════"
  DATABASE_URL="$url" "$bin" migrate >/dev/null
  DATABASE_URL="$url" "$bin" seed scale --users "$users"
  DATABASE_URL="$url" "$bin" seed slots --history-factor 1
  serve "$url" "$name"
  "$load" "http://127.0.0.1:$port" agent 200 4 >/dev/null   # warm-up
  x1=$("$load" "http://127.0.0.1:$port" agent 2000 4); echo "×1 history  $x1"
  "$load" "http://127.0.0.1:$port" public 500 4
  "$load" "http://127.0.0.1:$port" next 1000 4
  kill $server; wait $server 2>/dev/null || true
  DATABASE_URL="$url" "$bin" seed slots --history-factor 10
  serve "$url" "$name"
  "$load" "http://127.0.0.1:$port" agent 200 4 >/dev/null
  x10=$("$load" "http://127.0.0.1:$port" agent 2000 4); echo "×10 history $x10"
  p95() { sed -E 's/.*p95 ([0-9.]+) ms.*/\1/' <<<"$1"; }
  awk -v a="$(p95 "$x1")" -v b="$(p95 "$x10")" 'BEGIN { printf "history ratio (p95 ×10 / ×1): %.2f\n", b / a }'
  DATABASE_URL="$url" "$load" "http://127.0.0.1:$port" book 2000 64
  DATABASE_URL="$url" "$load" "http://127.0.0.1:$port" book-distinct 2000 64
  kill $server; wait $server 2>/dev/null || true
}

if [[ " $backends " == *" sqlite "* ]]; then
  rm -f "$target/bench/rdv-slots.sqlite3"*
  run_backend sqlite "$target/bench/rdv-slots.sqlite3"
fi
if [[ " $backends " == *" postgres "* ]]; then
  psql -d postgres -qc "DROP DATABASE IF EXISTS rdv_slots" && psql -d postgres -qc "CREATE DATABASE rdv_slots"
  run_backend postgres "postgres:///rdv_slots"
fi
