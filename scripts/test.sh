#!/bin/sh
# test.sh: builds mlc (Release, into build/), checks the formatting of the C sources
# (clang-format) and runs the whole test suite with CTest. Installs missing Debian packages
# first (scripts/install-deps.sh).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
cmake --build build --target format-check
ctest --test-dir build --output-on-failure -j "$(nproc)"
