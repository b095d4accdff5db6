#!/usr/bin/env bash
# Installs the real services the tests and the demo run against, from Debian:
# Redis, ZooKeeper (with its Java runtime), OpenSSH (sshd, ssh-keygen), bubblewrap
# (bwrap, the sandbox repository code runs in), Chromium (the deploy page's browser tests)
# and systemd (systemd-analyze, which checks deploy/systemd/*.service).
# Idempotent: packages already installed are left alone; when nothing is missing it
# returns at once without touching apt. Must run as root (as in CI).
#
# Services are never started by the install: a temporary policy-rc.d refuses every
# service start, so no system sshd/redis/zookeeper ends up listening on 0.0.0.0.
# Tests and the demo start their own instances on 127.0.0.1 (src/services/).
set -euo pipefail

PACKAGES=(redis-server zookeeper openssh-server openssh-client bubblewrap chromium systemd)

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

for bin in /usr/bin/redis-server /usr/sbin/sshd /usr/bin/ssh-keygen /usr/share/java/zookeeper.jar /usr/bin/bwrap /usr/bin/chromium; do
  if [ ! -e "$bin" ]; then
    echo "install-services: $bin still missing after install" >&2
    exit 1
  fi
done
if ! command -v java >/dev/null; then
  echo "install-services: java still missing after installing zookeeper" >&2
  exit 1
fi
echo "install-services: done"
