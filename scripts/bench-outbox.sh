#!/usr/bin/env bash
# Outbox benchmarks (issue 15), on SQLite then PostgreSQL, each on a fresh database:
# throughput of the delivery pipeline to a local SMTP server (target ≥ 500 messages/s), and the
# J-2 reminder planning of 50 000 RDVs in one day (target ≤ 10 s), then turning those reminder
# jobs into their messages. Usage: scripts/bench-outbox.sh [MESSAGES] [RDVS] [BACKENDS]
set -euo pipefail
messages="${1:-10000}"
rdvs="${2:-50000}"
backends="${3:-sqlite postgres}"
target="${CARGO_TARGET_DIR:-target}"
load="$target/release/examples/outbox_load"
mkdir -p "$target/bench"

run_backend() {
  local name="$1" fresh="$2"
  echo "════ outbox, $name ════"
  url=$($fresh throughput); DATABASE_URL="$url" "$load" throughput "$messages" 4
  url=$($fresh reminders); DATABASE_URL="$url" "$load" reminders "$rdvs"
}

fresh_sqlite() { rm -f "$target/bench/outbox-$1.sqlite3"*; echo "$target/bench/outbox-$1.sqlite3"; }
fresh_postgres() {
  psql -d postgres -qc "DROP DATABASE IF EXISTS rdv_outbox_$1" >/dev/null
  psql -d postgres -qc "CREATE DATABASE rdv_outbox_$1" >/dev/null
  echo "postgres:///rdv_outbox_$1"
}

for b in $backends; do run_backend "$b" "fresh_$b"; done
