#!/usr/bin/env bash
# Statistics and exports benchmarks (issue 17), on SQLite then PostgreSQL, each on a fresh
# database: MDS Arras with RDVS RDVs over two years (default 1 000 000); the organisation
# dashboard for a year (target p95 ≤ 300 ms) and an XLSX export of about ROWS RDVs (default
# 100 000; target ≤ 20 s with the process's resident memory growing by ≤ 100 MB).
# Usage: scripts/bench-stats.sh [RDVS] [ROWS] [BACKENDS]
set -euo pipefail
rdvs="${1:-1000000}"
rows="${2:-100000}"
backends="${3:-sqlite postgres}"
target="${CARGO_TARGET_DIR:-target}"
load="$target/release/examples/stats_load"
mkdir -p "$target/bench"

fresh_sqlite() { rm -f "$target/bench/stats.sqlite3"*; echo "$target/bench/stats.sqlite3"; }
fresh_postgres() {
  psql -d postgres -qc "DROP DATABASE IF EXISTS rdv_stats" >/dev/null
  psql -d postgres -qc "CREATE DATABASE rdv_stats" >/dev/null
  echo "postgres:///rdv_stats"
}

for b in $backends; do
  echo "════ statistics and exports, $b ════"
  url=$(fresh_$b)
  DATABASE_URL="$url" "$load" setup "$rdvs"
  DATABASE_URL="$url" "$load" dashboard 20
  DATABASE_URL="$url" "$load" export "$rows"
done
