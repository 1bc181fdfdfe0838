#!/usr/bin/env bash
# Contract fuzzing (issue 18): Schemathesis drives every operation of openapi.yaml against a
# debug `rdv serve` on a fresh demo database, signed in as a demo admin (territorial admin of
# Pas-de-Calais). Usage: scripts/fuzz-api.sh [max-examples] [extra st options…]
# Operations that end the session (sign out, revoke all sessions) are left out: they would
# turn every later request into a 401.
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-20}"
shift || true
bin="${CARGO_TARGET_DIR:-target}/debug/rdv"
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
export DATABASE_URL="$dir/rdv.sqlite3" RDV_DATA_DIR="$dir" RDV_SPA_DIR="$dir" RUST_LOG=warn \
  RDV_SIGN_IN_PER_MINUTE_EMAIL=1000 RDV_SIGN_IN_PER_MINUTE_IP=1000 RDV_PUBLIC_PER_MINUTE_IP=100000 RDV_GEOCODER_URL=
"$bin" migrate >/dev/null 2>&1
"$bin" seed demo >/dev/null
"$bin" serve --bind "127.0.0.1:$port" > "$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
token=$(curl -fs -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"email":"camille.martin@demo.rdv-solidarites.fr","password":"Rdv-Demo-2026!"}' \
  "http://127.0.0.1:$port/api/v1/auth/sign_in" | tr -d '\r' | sed -n 's/^access-token: //Ip')
command -v st >/dev/null || { pip install -q schemathesis; hash -r; }
st run openapi.yaml --url "http://127.0.0.1:$port" -H "Authorization: Bearer $token" \
  --exclude-operation-id sign_out --exclude-operation-id delete_sessions \
  --max-examples "$examples" --workers 2 --suppress-health-check all "$@"
status=$?
if grep -q "panicked" "$dir/server.log"; then echo "server panicked:"; grep -A5 panicked "$dir/server.log"; exit 1; fi
exit $status
