#!/usr/bin/env bash
# Installs the Debian 12 packages Mainlevée needs to build, test and run,
# only when one is missing. Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build
  libmicrohttpd-dev libcjson-dev libsqlite3-dev libsodium-dev libinih-dev
  libzstd-dev libcmocka-dev libcurl4-openssl-dev
  curl ca-certificates
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists when they are absent or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  $sudo apt-get update -qq
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
