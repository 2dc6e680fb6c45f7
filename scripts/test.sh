#!/usr/bin/env bash
# README command 2: install what is needed, build, and run every test: unit
# tests, integration tests against the real server, and (unless
# SPACECRAB_SKIP_SANITIZE=1) the unit tests again under ASan+UBSan.
# The libFuzzer targets run separately (`bash fuzz/run.sh`) until the open
# gzip finding in fuzz/known-failures/ is fixed; then they join this script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure -j "${JOBS:-2}" --timeout 900)
if [ "${SPACECRAB_SKIP_SANITIZE:-0}" != 1 ]; then
  BUILD_DIR=build-asan bash scripts/build.sh -DSPACECRAB_SANITIZE=ON
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "${JOBS:-2}" -L unit --timeout 900)
fi
