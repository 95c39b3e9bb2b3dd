#!/usr/bin/env bash
# One command to run CareRoute with the demo office on http://127.0.0.1:8000 :
# installs what is missing, starts PostgreSQL+PostGIS and Redis, migrates, loads the demo
# (idempotent: a second run adds nothing), serves, and walks today's approved routes through
# the real gateway so the supervisor's map shows workers moving (SIMULATE=0 turns that off).
# Ctrl+C stops the server and the simulation; `bash infra/services.sh stop` stops the rest.
# Logins are signed with SECRET_KEY, or else with a random key made on first start and kept in
# $CAREROUTE_DATA_DIR/secret_key (mode 0600): there is no development key to forge tokens with.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

bash infra/install.sh
bash infra/services.sh start
export ENVIRONMENT="${ENVIRONMENT:-production}"
"$VENV/bin/careroute" migrate
"$VENV/bin/careroute" demo || log "the demo loaded with problems (see above); serving anyway"

if [ "${SIMULATE:-1}" = "1" ]; then
  "$VENV/bin/careroute" simulate --url "http://$HOST:$PORT" --quiet &
  simulation=$!
  trap 'kill "$simulation" 2>/dev/null || true' EXIT
fi
log "serving on http://$HOST:$PORT (API docs at /docs)"
"$VENV/bin/careroute" serve --host "$HOST" --port "$PORT"
