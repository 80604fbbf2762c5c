#!/usr/bin/env bash
# Runs README's client example against a real sorn-server on a free port.
#   run_quickstart.sh SERVER QUICKSTART
set -euo pipefail
server=$1
client=$2
out=$(mktemp)
"$server" --port=0 > "$out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$out" && break
  sleep 0.05
done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out")
"$client" --address="127.0.0.1:$port"
