#!/bin/sh
# test.sh: builds mlc (Release, into build/), checks the formatting of the C sources
# (clang-format) and runs the whole test suite with CTest; then builds it again with
# AddressSanitizer and UndefinedBehaviorSanitizer (Debug, into build-asan/) and runs the
# unit, grad, fuzz, e2e and firmware tests there, the generated programs sanitized too. Installs
# missing Debian packages first (scripts/install-deps.sh).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
cmake --build build --target format-check
ctest --test-dir build --output-on-failure -j "$(nproc)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug
cmake --build build-asan -j "$(nproc)"
# (not the int8 firmware tests: mlc's check of the int8 code over the test images takes
# minutes under the sanitizers; nor the CNN under QEMU, whose Cortex-M code is not sanitized)
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L 'unit|grad|fuzz|e2e|firmware' \
    -E 'firmware/(int8|qemu_int8|qemu_cnn|cnn_int8|qemu_cnn_int8)'
