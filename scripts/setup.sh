#!/usr/bin/env bash
# Makes a fresh Debian/Ubuntu machine ready for tourney: Docker engine (installed and started if
# missing), Chromium (for the report tests), npm packages, and the sandbox image built offline.
# Idempotent: each step is skipped when already done. Needs root (or sudo) for the apt steps.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
need_pkg() { # need_pkg COMMAND PACKAGE...
  command -v "$1" >/dev/null 2>&1 && return 0
  shift
  if [ -z "$apt_updated" ]; then log "apt-get update"; as_root apt-get update -q >/dev/null; apt_updated=1; fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

need_pkg dockerd docker.io
need_pkg debootstrap debootstrap
if [ "${TOURNEY_SKIP_BROWSER:-}" != 1 ]; then need_pkg chromium chromium; fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/tourney-dockerd.log)"
  as_root sh -c 'nohup dockerd >/var/log/tourney-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/tourney-dockerd.log"; tail -20 /var/log/tourney-dockerd.log >&2 || true; exit 1; }
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Not "npm ci": opencode-ai lists a binary package per platform as optional dependencies, and a
  # registry mirror that lacks the other platforms' packages leaves them out of the lock, which
  # "npm ci" then rejects. "npm install --no-save" installs exactly the locked versions and skips them.
  log "npm install (from package-lock.json)"
  npm install --no-save --no-audit --no-fund --loglevel=error
fi
[ -f dist/cli/main.js ] || npm run build --silent

# The sandbox image starts from node:22-bookworm-slim where a registry is reachable; where none is
# (as on air-gapped CI), a base is bootstrapped from Debian's packages instead.
if [ -z "${TOURNEY_BASE_IMAGE:-}" ] && ! docker image inspect node:22-bookworm-slim >/dev/null 2>&1; then
  if ! docker pull -q node:22-bookworm-slim >/dev/null 2>&1; then
    log "no image registry reachable: bootstrapping a local Debian base"
    bash containers/make-base.sh
  fi
fi
node bin/tourney.js image build
log "ready"
