#!/usr/bin/env bash
# Sets up, builds and runs every test: the GoogleTest unit tests (ctest) and the end-to-end
# suite (pytest driving the real binary with the real aws CLI and boto3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test-tools
scripts/build.sh release
ctest --preset release -j2
export PATH="$PWD/.venv/bin:$PATH"
export ORCHESTERA_BIN="$PWD/build/release/src/cli/orchestera"
python -m pytest tests/e2e -q -p no:cacheprovider
