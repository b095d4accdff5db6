#!/usr/bin/env bash
# Installs the real services the tests and the demo run against, from Debian:
# Redis, ZooKeeper (with its Java runtime), OpenSSH (sshd, ssh-keygen), bubblewrap
# (bwrap, the sandbox repository code runs in), Chromium (the deploy page's browser tests)
# and systemd (systemd-analyze, which checks deploy/systemd/*.service).
# Idempotent: packages already installed are left alone; when nothing is missing it
# returns at once without touching apt. Must run as root (as in CI).
#
#   bash scripts/install-services.sh                  every package below
#   bash scripts/install-services.sh redis-server     only these (the demo asks for Redis alone)
#   bash scripts/install-services.sh --dry-run [pkg…] say what would be installed, change nothing
#
# Services are never started by the install: a temporary policy-rc.d refuses every
# service start, so no system sshd/redis/zookeeper ends up listening on 0.0.0.0.
# Tests and the demo start their own instances on 127.0.0.1 (src/services/).
set -euo pipefail

PACKAGES=(redis-server zookeeper openssh-server openssh-client bubblewrap chromium systemd)

dry_run=no
if [ "${1:-}" = "--dry-run" ]; then
  dry_run=yes
  shift
fi
if [ "$#" -gt 0 ]; then
  PACKAGES=("$@")
fi

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! is_installed "$pkg"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-services: all present (${PACKAGES[*]})"
  exit 0
fi

if [ "$dry_run" = yes ]; then
  echo "install-services: would install ${missing[*]}"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-services: missing ${missing[*]}; run this script as root: sudo bash scripts/install-services.sh" >&2
  exit 1
fi

echo "install-services: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive

policy=/usr/sbin/policy-rc.d
created_policy=no
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# temporary, from deploybot scripts/install-services.sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  created_policy=yes
fi
cleanup() {
  if [ "$created_policy" = yes ]; then rm -f "$policy"; fi
}
trap cleanup EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# what each package must leave behind
declare -A PROVIDES=(
  [redis-server]=/usr/bin/redis-server [openssh-server]=/usr/sbin/sshd [openssh-client]=/usr/bin/ssh-keygen
  [zookeeper]=/usr/share/java/zookeeper.jar [bubblewrap]=/usr/bin/bwrap [chromium]=/usr/bin/chromium
  [systemd]=/usr/bin/systemd-analyze
)
for pkg in "${missing[@]}"; do
  bin="${PROVIDES[$pkg]:-}"
  if [ -n "$bin" ] && [ ! -e "$bin" ]; then
    echo "install-services: $bin still missing after installing $pkg" >&2
    exit 1
  fi
  if [ "$pkg" = zookeeper ] && ! command -v java >/dev/null; then
    echo "install-services: java still missing after installing zookeeper" >&2
    exit 1
  fi
done
echo "install-services: done"
