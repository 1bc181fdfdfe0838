# RDV — tasks. `just run` to try it, `just test` to check everything. See README.md.

set shell := ["bash", "-euo", "pipefail", "-c"]

# One target dir for every recipe; CI points it at a cache outside the clone.
export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", justfile_directory() / "target")
# PostgreSQL used by the test suite's PostgreSQL pass (each test creates and drops its own database).
export RDV_TEST_PG_URL := env_var_or_default("RDV_TEST_PG_URL", "postgres:///postgres")

wasm_target := "wasm32-unknown-unknown"
dist := justfile_directory() / "frontend/dist"

# List the recipes.
default:
    @just --list

# Install what building the SPA needs: the wasm32 target and the wasm-bindgen CLI of Cargo.lock.
setup:
    rustup target list --installed | grep -qx {{wasm_target}} || rustup target add {{wasm_target}}
    version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p'); \
    if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$version" ]; then \
      echo "Installing wasm-bindgen-cli $version (about 2 minutes, once)…"; \
      cargo install wasm-bindgen-cli --version "$version"; \
    fi

# Build the SPA in release mode into frontend/dist: the agents' app (frontend.js) and the
# usagers' booking app (public.js, no agent screen; see frontend/src/lib.rs).
build-frontend: setup
    cargo build -p rdv-frontend --target {{wasm_target}} --profile wasm-release --bins
    rm -rf {{dist}} && mkdir -p {{dist}}
    wasm-bindgen --target web --no-typescript --out-dir {{dist}} --out-name frontend \
      "$CARGO_TARGET_DIR/{{wasm_target}}/wasm-release/rdv-frontend.wasm"
    wasm-bindgen --target web --no-typescript --out-dir {{dist}} --out-name public \
      "$CARGO_TARGET_DIR/{{wasm_target}}/wasm-release/rdv-public.wasm"
    # wasm-opt (npm binaryen) when npm is available: about a third smaller. Optional: Rust alone suffices.
    if command -v npm >/dev/null; then \
      (cd frontend && (test -x node_modules/.bin/wasm-opt || npm ci --no-audit --no-fund --silent)) && \
      for app in frontend public; do \
        frontend/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
          --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
          {{dist}}/${app}_bg.wasm -o {{dist}}/${app}_bg.wasm || exit 1; \
      done; \
    else echo "npm not found: skipping wasm-opt (the SPA works, only larger)"; fi
    cp frontend/index.html frontend/public/* {{dist}}/
    # The booking app's page: index.html starting public.js instead of the agents' app.
    sed -e 's#/boot.js#/public-boot.js#' -e 's#<title>RDV Solidarités</title>#<title>Prendre rendez-vous — RDV Solidarités</title>#' \
      frontend/index.html > {{dist}}/public.html
    # Precompressed copies (brotli 11, gzip 9) the server prefers to compressing on the fly.
    if command -v node >/dev/null; then node frontend/compress.mjs {{dist}}; fi
    @echo "SPA built in frontend/dist: $(du -sh {{dist}} | cut -f1)"

# Build everything, create and seed data/rdv.sqlite3 if empty, serve on http://127.0.0.1:8080.
run: build-frontend
    cargo build --release -p rdv-api
    mkdir -p data
    "$CARGO_TARGET_DIR/release/rdv" migrate
    "$CARGO_TARGET_DIR/release/rdv" seed demo --if-empty
    @echo ""
    @echo "RDV : ouvrez http://127.0.0.1:8080 (documentation de l'API : http://127.0.0.1:8080/api-docs/)"
    "$CARGO_TARGET_DIR/release/rdv" serve --bind 127.0.0.1:8080

# Everything CI checks: formatting, lints, Rust tests on SQLite and on PostgreSQL, browser tests.
test: fmt-check clippy openapi-check test-sqlite test-postgres e2e fuzz

# openapi.yaml must be valid OpenAPI (its equality with the served document is a Rust test).
openapi-check:
    command -v openapi-spec-validator >/dev/null || pip install -q openapi-spec-validator
    openapi-spec-validator openapi.yaml

fmt-check:
    cargo fmt --all --check

clippy: setup
    cargo clippy --all-targets -- -D warnings
    cargo clippy -p rdv-frontend --target {{wasm_target}} -- -D warnings

# Rust tests (unit + HTTP integration) on SQLite.
test-sqlite:
    @echo "════ Rust tests on SQLite ════"
    RDV_TEST_BACKEND=sqlite cargo nextest run --no-fail-fast

# Rust tests (unit + HTTP integration) on PostgreSQL ($RDV_TEST_PG_URL).
test-postgres:
    @echo "════ Rust tests on PostgreSQL ($RDV_TEST_PG_URL) ════"
    RDV_TEST_BACKEND=postgres cargo nextest run --no-fail-fast

# Browser tests: Playwright driving Chromium against the real server on a fresh database.
e2e: build-frontend
    cargo build -p rdv-api
    cd e2e && (test -d node_modules/axe-core || npm ci --no-audit --no-fund)
    @echo "════ Browser tests (Chromium) ════"
    cd e2e && RDV_BIN="$CARGO_TARGET_DIR/debug/rdv" RDV_SPA_DIR={{dist}} node --test --test-concurrency=1 tests/

# Contract fuzzing: Schemathesis drives every operation of openapi.yaml against a debug server on a
# fresh demo database (a fixed seed in CI, so a red run replays; `just fuzz 0` for a random one).
# Every check runs; schemathesis.toml lists the operations whose business rules a schema cannot say.
fuzz seed="20261208":
    cargo build -p rdv-api
    command -v st >/dev/null || pip install -q schemathesis
    @echo "════ Contract fuzzing (Schemathesis) ════"
    if [ "{{seed}}" = "0" ]; then seed_opt=""; else seed_opt="--seed {{seed}}"; fi; \
      scripts/fuzz-api.sh 5 --phases examples,coverage,fuzzing --max-time 150 $seed_opt

# Benchmarks: criterion on the pure search code, then an HTTP load run of usager search over
# `users` usagers on SQLite and PostgreSQL (p50/p95/p99; seeding is kept between runs).
bench users="200000":
    cargo bench -p rdv-shared --bench usager_search
    cargo bench -p rdv-shared --bench slots
    cargo build --release -p rdv-api --bin rdv --example search_load --example slots_load --example outbox_load --example integrations_load --example stats_load
    scripts/bench-search.sh {{users}}
    scripts/bench-slots.sh {{users}}
    scripts/bench-outbox.sh
    scripts/bench-integrations.sh
    scripts/bench-stats.sh
    scripts/bench-durability.sh
    scripts/bench-reads.sh

# Regenerate openapi.yaml from the code (a test fails when it is stale).
openapi:
    cargo run -q -p rdv-api -- openapi > openapi.yaml
