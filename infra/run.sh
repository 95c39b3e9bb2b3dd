#!/usr/bin/env bash
# One command to run CareRoute with the demo office on http://127.0.0.1:8000 :
# installs what is missing, starts PostgreSQL+PostGIS and Redis, migrates, loads the demo
# (idempotent) and serves. Ctrl+C stops the web server; `bash infra/services.sh stop` stops the rest.
source "$(dirname "$0")/common.sh"
cd "$ROOT"

bash infra/install.sh
bash infra/services.sh start
"$VENV/bin/careroute" migrate
"$VENV/bin/careroute" demo
log "serving on http://${HOST:-127.0.0.1}:${PORT:-8000} (API docs at /docs)"
exec "$VENV/bin/careroute" serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
