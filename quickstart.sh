#!/usr/bin/env bash
# geogrid's setup-and-run script: the two README commands are `./quickstart.sh demo` and
# `./quickstart.sh test`. On Debian 12 (and Ubuntu 22.04+ with PostgreSQL 15 available) as
# root it installs what is missing through apt, makes .venv with geogrid and its test extras
# at the versions in requirements.lock, then runs. A second run skips the install work.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  postgresql-15 postgresql-15-postgis-3   # the embedded store of record
  python3 python3-venv                    # the virtual environment
  util-linux                              # setpriv: runs postgres as 'postgres' under root
  fonts-wqy-microhei                      # the CJK font embedded in printed maps (TrueType)
  poppler-utils                           # pdftotext/pdfinfo: the print tests read the PDFs
  fonts-noto-cjk                          # Chinese in the browser, and the maps' fallback font
  chromium                                # headless browser test of the air-gapped maps
)
# npm ci of the maps' browser libraries without a wheel: Debian's, unless an npm is on PATH
# already (NodeSource's nodejs carries its own npm, which Debian's npm package would fight)
NODE_PACKAGES=(nodejs npm)
VENV=.venv
STAMP="$VENV/.geogrid-installed"
VENDOR=geogrid/maps/vendor              # package.json + package-lock.json (Leaflet.VectorGrid)

log() { printf '\033[1m[quickstart]\033[0m %s\n' "$*" >&2; }

missing_apt_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
      || printf '%s\n' "$pkg"
  done
  command -v npm >/dev/null || printf '%s\n' "${NODE_PACKAGES[@]}"
}

install_system_packages() {
  command -v dpkg-query >/dev/null || {
    log "not a Debian-like system: install PostgreSQL 15+ with PostGIS 3 and Python 3.11+"
    log "yourself (or set GEOGRID_DATABASE_URL to a PostGIS server), then run me again"
    command -v python3 >/dev/null && return 0 || exit 1
  }
  local missing
  mapfile -t missing < <(missing_apt_packages)
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root to apt-get install: ${missing[*]}"; exit 1; }
    sudo="sudo"
  fi
  log "installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

python_ok() {
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

install_venv() {
  local want
  want=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/geogrid" ]; then
    return 0
  fi
  python_ok python3 || { log "python3 must be 3.11 or newer"; exit 1; }
  log "making $VENV with geogrid and its test extras (pinned by requirements.lock)"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q -c requirements.lock -e '.[test]' \
    >"$VENV/install.log" 2>&1 || { tail -40 "$VENV/install.log"; exit 1; }
  printf '%s' "$want" >"$STAMP"
}

install_npm_packages() {
  local want stamp="$VENDOR/node_modules/.geogrid-installed"
  want=$(sha256sum "$VENDOR/package-lock.json" | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  command -v npm >/dev/null || { log "npm is missing: install Node.js with npm, run me again"; exit 1; }
  log "installing the maps' npm packages (pinned by $VENDOR/package-lock.json)"
  (cd "$VENDOR" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
  printf '%s' "$want" >"$stamp"
}

main() {
  local what="${1:-}"
  shift || true
  case "$what" in
    demo | test) ;;
    *) echo "usage: $0 demo | test [pytest arguments]" >&2; exit 2 ;;
  esac
  install_system_packages
  install_venv
  install_npm_packages
  if [ "$what" = demo ]; then
    exec "$VENV/bin/geogrid" demo "$@"
  fi
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  exec "$VENV/bin/pytest" "$@"
}

main "$@"
