#!/usr/bin/env bash
# Builds the project twice (dev: warnings as errors; asan: AddressSanitizer + UBSan) and runs the
# whole CTest suite in both; then builds the libFuzzer harnesses with clang (fuzz preset) and
# has each replay its committed corpus and fuzz a fixed number of inputs from a fixed seed
# (CTest label fuzz; tests/fuzz/README.md). Expects the packages of .ci/packages to be
# installed (the README's second command installs them first).
# Exit status: non-zero if any build or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

for preset in dev asan; do
        echo "== build ($preset)"
        cmake --preset "$preset" >/dev/null
        cmake --build --preset "$preset" -j "$jobs"
        echo "== test ($preset)"
        ctest --preset "$preset" --timeout 900
done

echo "== build (fuzz)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
echo "== test (fuzz)"
ctest --preset fuzz
