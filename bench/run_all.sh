#!/usr/bin/env bash
# Every benchmark of bench/RESULTS.md, in a few minutes, after README's build:
#   bash bench/run_all.sh [--quick]
# Prints each figure, the limit it is compared with and the command.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=""
steps=1000000
if [ "${1:-}" = "--quick" ]; then quick="--quick"; steps=20000; fi
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(free -g | awk '/Mem:/{print $2}') GiB; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "== build/bench/core_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true"
build/bench/core_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  ${quick:+--benchmark_filter=BM_Step/200/} 2>&1 | grep -E "median|^BM" || true
echo "== build/bench/service_bench $quick"
build/bench/service_bench $quick
echo "== python3 bench/python_simulate_bench.py --steps=$steps"
SORN_SERVER=build/server/sorn-server PYTHONPATH=client/python:build/python \
  /usr/bin/python3 bench/python_simulate_bench.py --steps="$steps" \
  --service_bench=build/bench/service_bench
