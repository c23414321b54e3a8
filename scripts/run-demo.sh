#!/usr/bin/env bash
# Starts the server with the embedded SQLite store under var/ and demo data.
# usage: run-demo.sh PATH/TO/mainlevee [PORT] [CONFIG]
set -euo pipefail
bin=$1; port=${2:-8080}; config=${3:-}
mkdir -p var
args=(serve --demo --port "$port" --db var/mainlevee.db)
[ -n "$config" ] && args+=(--config "$config")
echo "Mainlevée: starting on http://127.0.0.1:$port (Ctrl-C stops it)"
exec "$bin" "${args[@]}"
