#!/usr/bin/env bash
# Sets up, builds and runs every test: the GoogleTest unit tests (ctest), the end-to-end suite
# (pytest driving the real binary with the real aws CLI, boto3 and kubectl) and the benchmarks'
# smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test-tools
scripts/build.sh release
ctest --preset release -j2
export PATH="$PWD/.venv/bin:$PATH"
export ORCHESTERA_BIN="$PWD/build/release/src/cli/orchestera"
python -m pytest tests/e2e -q -p no:cacheprovider
# The benchmarks at tiny sizes, on the release build, so they cannot rot (figures: bench/run).
ORCH_BENCH_BUILD="$PWD/build/release" bench/run --smoke
