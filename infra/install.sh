#!/usr/bin/env bash
# Installs what CareRoute needs on a Debian/Ubuntu machine: system packages, a Python >= 3.12
# virtualenv with the project, and the web pages' npm packages. Safe to run again.
#   infra/install.sh            platform only
#   infra/install.sh --dev      also test tools: Chromium, Playwright, pytest, ruff, bench extras
source "$(dirname "$0")/common.sh"

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1

system_packages() {
  local pkgs=(postgresql-$PG_VERSION postgresql-$PG_VERSION-postgis-3 postgresql-contrib
              redis-server ca-certificates)
  command -v npm >/dev/null || pkgs+=(nodejs npm)
  [ $DEV = 1 ] && pkgs+=(chromium fonts-dejavu-core)
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

# Finds a Python >= 3.12 (3.12 first: every wheel the project uses is built for it):
# $PYTHON, then PATH, then pyenv, then uv.
find_python() {
  local c
  for c in "${PYTHON:-}" python3.12 python3.13 python3; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null && PYENV_VERSION="" "$c" -c \
        'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  if command -v pyenv >/dev/null; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[2-9]' | sort -V); do
      c="$(pyenv root)/versions/$v/bin/python3"
      [ -x "$c" ] && { echo "$c"; return 0; }
    done
  fi
  if command -v uv >/dev/null && uv python install 3.12 >/dev/null 2>&1; then
    uv python find 3.12; return 0
  fi
  return 1
}

python_env() {
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    local py
    py="$(find_python)" || die "CareRoute needs Python >= 3.12 and none was found.
  Install one, e.g.: apt-get install python3.12 python3.12-venv (Ubuntu 24.04+ / Debian 13),
  or 'pyenv install 3.12', or 'uv python install 3.12'; then run this again
  (or point PYTHON=/path/to/python3.12 at it)."
    log "creating virtualenv with $py"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
    "$VENV/bin/pip" install -q -U pip
  fi
  local extras="" stamp="$VENV/.installed"
  [ $DEV = 1 ] && extras="[dev,bench]"
  local want; want="$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)$extras"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Python packages${extras:+ with $extras}"
    "$VENV/bin/pip" install -q -e "$ROOT$extras"
    echo "$want" > "$stamp"
  fi
}

web_packages() {
  local web="$ROOT/api/web"
  [ -f "$web/package.json" ] || return 0
  if [ ! -d "$web/node_modules" ] || [ "$web/package.json" -nt "$web/node_modules" ]; then
    log "installing web packages (npm)"
    (cd "$web" && npm install --no-audit --no-fund --silent) && touch "$web/node_modules"
  fi
}

system_packages
python_env
web_packages
log "installed"
