#!/usr/bin/env bash
# Builds the libFuzzer target for ImportState's data (readouts included),
# CreateSession's parameters and the session files of --data_dir (see
# fuzz/README.md) with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# in build-fuzz/, writes a seed corpus, and fuzzes for a bounded time
# (FUZZ_SECONDS, default 60). Any crash, sanitizer report, leak, wrong
# readout score or broken round trip fails the run and leaves the input in
# build-fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DSORN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSORN_BUILD_TESTS=OFF -DSORN_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
cmake --build build-fuzz -j"$(nproc)" --target sorn_import_state_fuzzer sorn_fuzz_corpus \
  > build-fuzz.log 2>&1 || { tail -40 build-fuzz.log; exit 1; }
rm -rf build-fuzz/corpus && mkdir -p build-fuzz/corpus
build-fuzz/fuzz/sorn_fuzz_corpus build-fuzz/corpus
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# -rss_limit_mb: the target keeps networks under 64 MB, far below it.
build-fuzz/fuzz/sorn_import_state_fuzzer -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build-fuzz/ \
  build-fuzz/corpus fuzz/regressions > build-fuzz/fuzz.log 2>&1 ||
  { tail -60 build-fuzz/fuzz.log; exit 1; }
tail -8 build-fuzz/fuzz.log
echo "fuzz: ${seconds}s without a crash, sanitizer report, wrong score or broken round trip"
