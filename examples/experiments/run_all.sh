#!/usr/bin/env bash
# Runs the three experiments of docs/SCIENCE.md as published and writes their
# PNG figures and JSON results to docs/figures/: the counting task (20 seeds,
# ~20 min on one core), Zheng 2013's weights (5 x 5,000,000 steps, ~7 min)
# and Del Papa 2017's avalanches (50 x 5,000,000 steps, ~50 min), each with
# its controls and the sorn package's rules as a second column; about 1.5
# hours on this machine's two cores. Run data is kept in $DATA (default
# build/experiments/data), so that a run that stops resumes.
# With --quick: the short versions CI runs (under a minute), into $OUT
# (default build/experiments), which check the pipeline and the shape of the
# results, not the science.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PYTHONPATH="client/python:build/python${PYTHONPATH:+:$PYTHONPATH}"
export MPLCONFIGDIR="${MPLCONFIGDIR:-build/matplotlib}"
python=/usr/bin/python3
experiments=examples/experiments
if [[ "${1:-}" == "--quick" ]]; then
  out="${OUT:-build/experiments}"
  $python -m pytest -q -p no:cacheprovider $experiments/test_analysis.py \
    $experiments/test_analysis_counting.py
  $python $experiments/counting_task.py --quick --out "$out"
  $python $experiments/synaptic_weights.py --quick --out "$out"
  $python $experiments/avalanches.py --quick --out "$out"
  echo "experiments: quick versions ran; figures in $out"
  exit 0
fi
data="${DATA:-build/experiments/data}"
mkdir -p "$data"
$python $experiments/counting_task.py                       # and the sorn-rules column
$python $experiments/synaptic_weights.py --runs 5 --data-dir "$data/weights"
$python $experiments/synaptic_weights.py --variants sorn_default --runs 2 --data-dir "$data/weights"
$python $experiments/avalanches.py --variants delpapa2017 --runs 50 --data-dir "$data/avalanches"
$python $experiments/avalanches.py --variants noise_0.005,noise_5 --runs 3 --data-dir "$data/avalanches"
# The last call analyses every variant in the data folder and writes the figure.
$python $experiments/avalanches.py --variants sorn_default --runs 5 --data-dir "$data/avalanches"
