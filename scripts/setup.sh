#!/usr/bin/env bash
# Installs what building and testing Orchestera needs on a fresh Debian 12 machine:
# the C++ toolchain and libraries (apt-get), and the test tools in a venv (.venv).
# Safe to run again: it installs only what is missing.
#   --with-test-tools  also the Python test tools (.venv)
#   --with-fuzz        also clang-16 and its libFuzzer runtime (scripts/fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(cmake ninja-build g++ ccache pkg-config
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libssl-dev libsqlite3-dev libcli11-dev libspdlog-dev libfmt-dev
      libgtest-dev libbenchmark-dev faketime python3-venv)
flags=" $* "
# The fuzz targets are built with clang (libFuzzer is part of its compiler runtime).
[[ "$flags" == *" --with-fuzz "* ]] && DEBS+=(clang-16 libclang-rt-16-dev)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "$flags" == *" --with-test-tools "* ]]; then
  if [ ! -x .venv/bin/pytest ] || ! cmp -s requirements-test.txt .venv/.requirements 2>/dev/null; then
    echo "setup: creating .venv with the test tools"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
    cp requirements-test.txt .venv/.requirements
  fi
fi
