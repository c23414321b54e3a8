#!/usr/bin/env bash
# Browser tests: starts mainlevee with demo data in a temporary store, then
# runs tests/browser/*.test.mjs in Debian's chromium (TAP on stdout).
# usage: run.sh PATH/TO/mainlevee SCREENSHOT-DIR [NAME-FILTER]
set -uo pipefail
bin=$1; shots=$2; filter=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "1..1"; echo "not ok 1 - playwright-core is installed (run scripts/install-deps.sh)"; exit 1
fi
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "1..1"; echo "not ok 1 - chromium is installed at $chromium (run scripts/install-deps.sh)"; exit 1
fi
work=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null; wait "${server_pid:-}" 2>/dev/null; rm -rf "$work"' EXIT
export MLV_STORE_PATH="$work/browser.db"
export MLV_STORE_SYNCHRONOUS_FULL=false
export MLV_AUDIT_KEY_FILE="$work/audit.key"
export MLV_LIMITS_PUBLIC_RATE=0
password="browser-test-password-1"
# People for each role the tests sign in as (the demo adds 'officer').
for role in analyst supervisor auditor partner admin; do
  printf '%s\n' "$password" | "$bin" user set --username "$role" --role "$role" \
    --name "Test ${role^}" >/dev/null || { echo "1..1"; echo "not ok 1 - user set $role"; exit 1; }
done
"$bin" serve --port 0 --demo --demo-count 300 > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'url=http://[^ ]*' "$work/serve.err" | head -1 | cut -d= -f2)
  [ -n "$url" ] && grep -q "password" "$work/serve.out" && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "1..1"; echo "not ok 1 - the server started"; sed 's/^/# /' "$work/serve.err"; exit 1
fi
export MLV_URL="$url"
export MLV_KEY=$(grep -o 'mlv_[A-Za-z0-9_-]\{32\}' "$work/serve.out" | head -1)
export MLV_OFFICER_PASSWORD=$(grep -o 'start): .*' "$work/serve.out" | cut -d' ' -f2)
export MLV_PASSWORD="$password"
export MLV_SCREENSHOTS="$shots"
export CHROMIUM="$chromium"
node "$here/run.mjs" "$filter"
status=$?
[ $status -ne 0 ] && sed 's/^/# server: /' "$work/serve.err" | tail -30
exit $status
