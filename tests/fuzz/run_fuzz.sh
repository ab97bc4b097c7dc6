#!/usr/bin/env bash
# Short libFuzzer run of one fuzz target, for ctest (sdn_fuzz_short, server_rpc_fuzz_short).
# Builds the target in a clang build folder shared by all fuzz targets (<build>/fuzz-build; the
# ctest tests hold a RESOURCE_LOCK on it), fuzzes for SECONDS seeded with the seed folders, and
# fails on any crash, sanitizer report, timeout, leak or abort. Exit 77 (skipped) without clang.
#
# Usage: run_fuzz.sh <source dir> <build dir> <target> <seconds> <seed dir>...
#   targets: sdn_parse_fuzz (tests/fuzz), rpc_fuzz (tests/server/fuzz)
#
# Long run (hours, both cores), from the repository root:
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DSDNDB_BUILD_FUZZERS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-fuzz --target sdn_parse_fuzz
#   mkdir -p fuzz-corpus && cp tests/data/corpus/*.sdn fuzz-corpus/   # the corpus grows here
#   build-fuzz/tests/fuzz/sdn_parse_fuzz -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
#       -jobs=2 -workers=2 -max_total_time=14400 fuzz-corpus
# (rpc_fuzz likewise: build-fuzz/tests/fuzz/rpc_fuzz ... rpc-corpus tests/server/fuzz/seeds)
# A finding is written as crash-<sha1> (or timeout-/oom-/leak-) in the current directory;
# reproduce it with: build-fuzz/tests/fuzz/sdn_parse_fuzz crash-<sha1>
set -uo pipefail

src=${1:?source dir}
build=${2:?build dir}
target=${3:?fuzz target}
seconds=${4:?seconds}
shift 4
fuzz_build="$build/fuzz-build"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "run_fuzz.sh: clang++ not found; skipping"
  exit 77
fi

generator=()
if command -v ninja >/dev/null 2>&1 && [ ! -f "$fuzz_build/CMakeCache.txt" ]; then generator=(-G Ninja); fi
# Configured every time (cheap when nothing changed) so an older fuzz-build gets the current options.
# SDNDB_CMAKE_ARGS (e.g. a ccache launcher) is passed on as in .ci/build.
# shellcheck disable=SC2086
CC=clang CXX=clang++ cmake -S "$src" -B "$fuzz_build" "${generator[@]}" -DSDNDB_BUILD_FUZZERS=ON \
    -DSDNDB_BUILD_TESTS=OFF -DSDNDB_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSDNDB_WERROR=ON \
    ${SDNDB_CMAKE_ARGS:-} >"$build/fuzz-configure.log" 2>&1 || {
  cat "$build/fuzz-configure.log"
  echo "run_fuzz.sh: configuring the clang build failed"
  exit 1
}
cmake --build "$fuzz_build" --target "$target" -j 2 || {
  echo "run_fuzz.sh: building $target failed"
  exit 1
}
binary="$fuzz_build/tests/fuzz/$target"
[ -x "$binary" ] || binary=""
[ -n "$binary" ] || { echo "run_fuzz.sh: $target not found after the build"; exit 1; }

work="$build/fuzz-run-$target"
rm -rf "$work"
mkdir -p "$work/corpus"
for seeds in "$@"; do cp "$seeds"/* "$work/corpus/" 2>/dev/null; done
cd "$work" || exit 1
"$binary" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 corpus
status=$?
if ls crash-* timeout-* oom-* leak-* >/dev/null 2>&1 || [ $status -ne 0 ]; then
  echo "run_fuzz.sh: the fuzzer found a problem (exit $status); inputs kept in $work"
  exit 1
fi
echo "run_fuzz.sh: $target: no crash in ${seconds}s"
