#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for
# SPACECRAB_FUZZ_SECONDS (default 60). Exits 0 when clang is missing (says so).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; skipped" >&2
  exit 0
fi
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DSPACECRAB_FUZZ=ON -DSPACECRAB_TESTS=OFF \
  -DSPACECRAB_FUZZ_SECONDS="${SPACECRAB_FUZZ_SECONDS:-60}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" --target fuzz_gzip_decoder fuzz_log_file fuzz_decoy_request -j "${JOBS:-2}"
ctest --test-dir "$BUILD_DIR/fuzz" --output-on-failure -L fuzz
