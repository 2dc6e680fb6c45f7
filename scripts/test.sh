#!/usr/bin/env bash
# README command 2: install what is needed, build, and run every test: unit
# tests, integration tests against the real server, (unless
# SPACECRAB_SKIP_SANITIZE=1) the unit tests again under ASan+UBSan, and the
# libFuzzer targets for SPACECRAB_FUZZ_SECONDS each (default 30 here; they
# build in build-fuzz and replay the regression seeds first; skipped without clang).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure -j "${JOBS:-2}" --timeout 900)
if [ "${SPACECRAB_SKIP_SANITIZE:-0}" != 1 ]; then
  BUILD_DIR=build-asan bash scripts/build.sh -DSPACECRAB_SANITIZE=ON
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "${JOBS:-2}" -L unit --timeout 900)
fi
SPACECRAB_FUZZ_SECONDS=${SPACECRAB_FUZZ_SECONDS:-30} bash fuzz/run.sh
