#!/usr/bin/env bash
# Authenticated read throughput with wrk (issue 19), as an integrator would see it, on the demo
# data of a fresh database, SQLite then PostgreSQL:
#   - GET /api/v1/organisations/{id}/rdvs for one week of MDS Arras (the reference's nested shape);
#   - GET /api/v1/users?search=mart.
# Usage: scripts/bench-reads.sh [SECONDS] [BACKEND]   (release binary built by `just bench`;
# BACKEND: sqlite, postgres or both, the default). Needs wrk (Debian package `wrk`).
set -euo pipefail
seconds="${1:-15}"
only="${2:-both}"
target="${CARGO_TARGET_DIR:-target}"
bin="${RDV_BENCH_BIN:-$target/release/rdv}"
dir="$target/bench/reads"
port=8093
connections=64
base="http://127.0.0.1:$port"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
mkdir -p "$dir"

# Prints "<requests/s> <p50> <p99> <non-2xx>" for one wrk run on $1.
measure() {
  local url="$1" out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$url")
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps req/s, p50 $p50, p99 $p99, non-2xx ${bad:-0}"
}

run_backend() {
  local name="$1" url="$2"
  echo "════ authenticated reads, $name, wrk $connections connections, ${seconds}s each ════"
  DATABASE_URL="$url" "$bin" migrate >/dev/null
  DATABASE_URL="$url" "$bin" seed demo >/dev/null
  DATABASE_URL="$url" RDV_DATA_DIR="$dir" RDV_SIGN_IN_PER_MINUTE_IP=1000 RDV_DAILY_JOBS=false \
    "$bin" serve --bind "127.0.0.1:$port" --workers 2 >"$dir/$name.log" 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN
  for _ in $(seq 1 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.2; done
  token=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d '{"email":"camille.martin@demo.rdv-solidarites.fr","password":"Rdv-Demo-2026!"}' \
    "$base/api/v1/auth/sign_in" | awk 'tolower($1) == "access-token:" {print $2}' | tr -d '\r')
  local org monday sunday week
  org=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/organisations" \
    | python3 -c 'import json,sys; print(next(o["id"] for o in json.load(sys.stdin)["organisations"] if o["name"] == "MDS Arras"))')
  # The fullest week of the demo: the past one (its RDVs are all there, statuses filled in).
  monday=$(date -d "last monday -7 days" +%F)
  sunday=$(date -d "$monday +7 days" +%F)
  week="$base/api/v1/organisations/$org/rdvs?starts_after=$monday&starts_before=$sunday"
  curl -sf -H "Authorization: Bearer $token" "$week" -o "$dir/week.json"
  echo "week $monday: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rdvs"]))' "$dir/week.json") RDVs, $(wc -c <"$dir/week.json") bytes"
  curl -sf -H "Authorization: Bearer $token" "$base/api/v1/users?search=mart" -o "$dir/search.json"
  echo "search 'mart': $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["users"]))' "$dir/search.json") usagers, $(wc -c <"$dir/search.json") bytes"
  # Warm-up, then the two measures.
  wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "$week" >/dev/null
  echo "week's RDVs:    $(measure "$week")"
  echo "usager search:  $(measure "$base/api/v1/users?search=mart")"
}

if [ "$only" != postgres ]; then
  rm -f "$dir"/reads.sqlite3*
  run_backend sqlite "$dir/reads.sqlite3"
fi
if [ "$only" != sqlite ]; then
  psql -d postgres -qc "DROP DATABASE IF EXISTS rdv_bench_reads WITH (FORCE)"
  psql -d postgres -qc "CREATE DATABASE rdv_bench_reads"
  run_backend postgres "postgres:///rdv_bench_reads"
fi
