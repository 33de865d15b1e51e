#!/usr/bin/env bash
# Makes the local sandbox base image (Debian bookworm + git + ripgrep + the host's node) without any image
# registry: debootstrap from the Debian mirror, then `docker import`. Use it where `docker pull` fails.
# Usage: containers/make-base.sh [--force] [TAG]   (TAG defaults to tourney-base:bookworm)
set -euo pipefail

FORCE=0
TAG=tourney-base:bookworm
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "make-base: unknown option $arg" >&2; exit 2 ;;
    *) TAG=$arg ;;
  esac
done

die() { echo "make-base: $*" >&2; exit 1; }

command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running?)"

# Bump when the base's contents change (2: npm added), so an older base on a machine is rebuilt.
BASE_VERSION=2
have=$(docker image inspect -f '{{index .Config.Labels "dev.tourney.base-version"}}' "$TAG" 2>/dev/null || true)
if [ "$FORCE" -eq 0 ] && [ "$have" = "$BASE_VERSION" ]; then
  echo "make-base: $TAG already exists (pass --force to rebuild)"
  exit 0
fi

command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install -y debootstrap"
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root: run this script with sudo"
NODE_BIN=$(command -v node) || die "node is not on PATH: the base image reuses the host's node binary"
NODE_BIN=$(readlink -f "$NODE_BIN")

# Reuse the mirror apt already uses on this host: it is the one known to be reachable.
mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}
MIRROR=${DEBIAN_MIRROR:-$(mirror)}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tourney-base.XXXXXX")
ROOTFS=$WORK/rootfs
LOG=$WORK/debootstrap.log
# A failed debootstrap can leave proc/sys mounted inside the rootfs: unmount before deleting,
# and never cross into another filesystem while deleting.
cleanup() {
  local m
  for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
echo "make-base: debootstrap bookworm from $MIRROR into $ROOTFS (about 30-60 s)"
# ripgrep: opencode otherwise downloads rg from GitHub the first time an agent searches.
debootstrap --variant=minbase --include=git,ca-certificates,ripgrep bookworm "$ROOTFS" "$MIRROR" >"$LOG" 2>&1 || {
  tail -n 20 "$LOG" >&2; die "debootstrap failed (log tail above)"
}

echo "make-base: adding node $("$NODE_BIN" --version) from $NODE_BIN"
install -m 0755 "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
# Most JavaScript projects test with "npm test": bring the npm that ships beside this node.
NPM_DIR=$(cd "$(dirname "$(readlink -f "$NODE_BIN")")/../lib/node_modules/npm" 2>/dev/null && pwd) ||
  NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")") ||
  die "cannot find the npm that goes with $NODE_BIN"
[ -f "$NPM_DIR/bin/npm-cli.js" ] || die "no npm-cli.js under $NPM_DIR"
echo "make-base: adding npm $(node "$NPM_DIR/bin/npm-cli.js" --version 2>/dev/null) from $NPM_DIR"
mkdir -p "$ROOTFS/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

# Caches and logs only add size; the image never runs apt offline anyway.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
  "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/* "$ROOTFS"/tmp/* \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/*

echo "make-base: importing into Docker as $TAG"
# The label tells src/sandbox/image.ts that a build on this base needs no network.
tar -C "$ROOTFS" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' \
  -c 'LABEL dev.tourney.offline-base=true' -c "LABEL dev.tourney.base-version=$BASE_VERSION" - "$TAG" >/dev/null

# The host's node is dynamically linked: prove it finds its libraries in the new root.
docker run --rm --network none "$TAG" node --version >/dev/null ||
  die "node does not run inside $TAG (missing shared libraries?)"
docker run --rm --network none "$TAG" npm --version >/dev/null || die "npm does not run inside $TAG"

echo "make-base: done in $(( $(date +%s) - start )) s: $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1/1e6}'))"
