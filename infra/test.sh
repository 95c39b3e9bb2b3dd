#!/usr/bin/env bash
# One command to run every test: installs what is missing (test tools and headless Chromium
# included), starts PostgreSQL+PostGIS and Redis, makes a brand-new test database (so a run
# never meets what an earlier one left), checks the code style, the import layers and the
# types, and runs pytest against the real services. Extra arguments go to pytest (e.g. `bash infra/test.sh tests/planner -x`).
source "$(dirname "$0")/common.sh"
cd "$ROOT"

bash infra/install.sh --dev
bash infra/services.sh start
bash infra/services.sh reset-test-db
log "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check . >/dev/null || log "note: some files are not ruff-formatted"
log "import layers (lint-imports)"
"$VENV/bin/lint-imports" --no-cache
log "types (mypy)"
"$VENV/bin/mypy"
log "pytest"
CAREROUTE_TEST_RESET=1 exec "$VENV/bin/pytest" "$@"
