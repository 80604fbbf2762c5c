#!/usr/bin/env bash
# Runs the three experiments of docs/SCIENCE.md in full and writes their PNG
# figures and JSON results to docs/figures/ (about 15 minutes on 2 cores).
# With --quick: the short versions CI runs (under a minute), into $OUT
# (default build/experiments), which check the pipeline, not the science.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PYTHONPATH="client/python:build/python${PYTHONPATH:+:$PYTHONPATH}"
export MPLCONFIGDIR="${MPLCONFIGDIR:-build/matplotlib}"
python=/usr/bin/python3
if [[ "${1:-}" == "--quick" ]]; then
  out="${OUT:-build/experiments}"
  $python examples/experiments/counting_task.py --quick --out "$out"
  $python examples/experiments/counting_task.py --quick --noise off --out "$out"
  $python examples/experiments/synaptic_weights.py --quick --out "$out"
  $python examples/experiments/avalanches.py --quick --out "$out"
  echo "experiments: quick versions ran; figures in $out"
  exit 0
fi
$python examples/experiments/counting_task.py
$python examples/experiments/counting_task.py --noise off
$python examples/experiments/synaptic_weights.py
$python examples/experiments/avalanches.py
$python examples/experiments/avalanches.py --noise-sd 0.04
