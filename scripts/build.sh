#!/usr/bin/env bash
# Builds one CMake preset (default: release) with ccache.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
