#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in their own build dir
# ($FUZZ_BUILD_DIR, default build-fuzz) and runs each for
# SPACECRAB_FUZZ_SECONDS (default 60; three targets, so about 3 minutes after
# the build). Every run first replays the checked-in seeds, including the
# regression inputs seeds/*/regress_*. Exits non-zero when a target crashes,
# reports a sanitizer error or breaks an invariant (the reproducer is written
# to $FUZZ_BUILD_DIR/fuzz/[decoy/]crash-*). Exits 0 when clang is missing
# (says so).
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
touch "$BUILD_DIR/fuzz/.run-started"
if ! ctest --test-dir "$BUILD_DIR/fuzz" --output-on-failure -L fuzz; then
  echo "fuzz: a target failed; reproducers:" >&2
  find "$BUILD_DIR/fuzz" -maxdepth 2 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) -newer "$BUILD_DIR/fuzz/.run-started" -print >&2 || true
  exit 1
fi
