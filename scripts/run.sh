#!/usr/bin/env bash
# README command 1: install what is needed, build, and run the service on its
# embedded default (SQLite under ./data/, decoy tokens, console alerts,
# 127.0.0.1). Arguments are passed to `spacecrab serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./build/src/cli/spacecrab serve "$@"
