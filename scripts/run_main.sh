#!/usr/bin/env bash
# The main job: installs what is needed, builds, simulates the Brunel (2000) balanced
# network of 12,500 neurons for 1 s, prints a summary, and writes
# results/brunel.h5 (spikes, SONATA layout) and results/brunel.png (raster + rates).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p results
./build/neurodyn run examples/brunel.toml -o results/brunel.h5 --summary-json results/brunel_summary.json
/usr/bin/python3 scripts/plot_results.py results/brunel.h5 -o results/brunel.png
echo "wrote results/brunel.h5, results/brunel_summary.json and results/brunel.png"
