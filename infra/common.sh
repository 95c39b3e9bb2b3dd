# Shared helpers for the set-up scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
if [ "$(id -u)" = "0" ]; then
  DATA_DIR="${CAREROUTE_DATA_DIR:-/var/lib/careroute}"
else
  DATA_DIR="${CAREROUTE_DATA_DIR:-$HOME/.local/share/careroute}"
fi
# The platform keeps its files here too: the login-signing secret is made on first start in
# $DATA_DIR/secret_key (mode 0600) unless SECRET_KEY is set.
export CAREROUTE_DATA_DIR="$DATA_DIR"
PG_PORT="${CAREROUTE_PG_PORT:-54329}"
REDIS_PORT="${CAREROUTE_REDIS_PORT:-63799}"
PG_VERSION=15

log() { printf '\033[1;34m[careroute]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[careroute] error:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root or sudo to run: $*"
  fi
}

# Run a command as the PostgreSQL service user (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() { echo "/usr/lib/postgresql/$PG_VERSION/bin/$1"; }
