#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: the C++ suite (GoogleTest
# through ctest) and the Python suite (pytest). Long validations are not part of it
# (see docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j"$jobs"
NEURODYN_BUILD_DIR="$PWD/build" PYTHONPATH="$PWD/build/python${PYTHONPATH:+:$PYTHONPATH}" \
  /usr/bin/python3 -m pytest -q python/tests
