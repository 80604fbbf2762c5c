#!/usr/bin/env bash
# Builds the C++ tests, the server and the conformance tool with
# AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer in
# build-asan/, and runs them (the server tests start the sanitized server).
# Any report fails the run. Takes about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSORN_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
cmake --build build-asan -j"$(nproc)" --target sorn_core_test sorn_conformance sorn-server \
  sorn_server_test sorn_client_test > build-asan.log 2>&1 || { tail -40 build-asan.log; exit 1; }
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build-asan/tests/sorn_core_test --gtest_brief=1
build-asan/tests/sorn_conformance tests/data/golden
build-asan/tests/sorn_server_test --gtest_brief=1
build-asan/tests/sorn_client_test --gtest_brief=1
echo "sanitizers: every test binary ran clean"
