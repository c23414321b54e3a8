#!/usr/bin/env bash
# Installs the Debian 12 packages Mainlevée needs to build, test and run,
# only when one is missing. Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build
  libmicrohttpd-dev libcjson-dev libsqlite3-dev libsodium-dev libinih-dev
  libzstd-dev libcmocka-dev libcurl4-openssl-dev
  curl ca-certificates
  chromium fonts-dejavu-core
)
# Node.js and npm run the browser tests; any Node.js 18 or later will do
# (Debian's or one already installed), so they are added only when absent.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# playwright-core for the browser tests, at the version package-lock.json pins
# (it drives Debian's chromium; it never downloads a browser).
browser_modules() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    echo "install-deps: npm ci in tests/browser" >&2
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}
if [ ${#missing[@]} -eq 0 ]; then
  browser_modules
  exit 0
fi

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
browser_modules
