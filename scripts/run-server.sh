#!/usr/bin/env bash
# Sets up, builds and runs the Orchestera server with its embedded defaults
# (data in ~/.orchestera, AWS API on https://127.0.0.1:9443). Extra arguments go to
# `orchestera server` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
exec build/release/src/cli/orchestera server "$@"
