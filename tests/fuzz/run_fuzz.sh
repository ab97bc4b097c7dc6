#!/usr/bin/env bash
# Short libFuzzer run of the SDN parser target (ctest: sdn_fuzz_short). Fails when the fuzzer
# finds a crash, a sanitizer report, or a round-trip/edit violation.
#
# Usage: run_fuzz.sh <source dir> <build dir> <seed corpus dir> [seconds=60]
#
# Long run (hours, both cores), from the repository root:
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DSDNDB_BUILD_TESTS=ON \
#       -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-fuzz --target sdn_parse_fuzz
#   mkdir -p fuzz-corpus && cp ../shared/corpus/*.sdn fuzz-corpus/   # the corpus grows here
#   build-fuzz/tests/fuzz/sdn_parse_fuzz -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
#       -jobs=2 -workers=2 -max_total_time=14400 fuzz-corpus
# A finding is written as crash-<sha1> (or timeout-/oom-/leak-) in the current directory;
# reproduce it with: build-fuzz/tests/fuzz/sdn_parse_fuzz crash-<sha1>
set -uo pipefail

src=${1:?source dir}
build=${2:?build dir}
seeds=${3:?seed corpus dir}
seconds=${4:-60}
fuzz_build="$build/fuzz-build"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "run_fuzz.sh: clang++ not found; skipping"
  exit 77
fi

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f "$fuzz_build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$src" -B "$fuzz_build" "${generator[@]}" -DSDNDB_BUILD_TESTS=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSDNDB_WERROR=ON >"$build/fuzz-configure.log" 2>&1 || {
    cat "$build/fuzz-configure.log"
    echo "run_fuzz.sh: configuring the clang build failed"
    exit 1
  }
fi
cmake --build "$fuzz_build" --target sdn_parse_fuzz -j 2 || {
  echo "run_fuzz.sh: building sdn_parse_fuzz failed"
  exit 1
}

work="$build/fuzz-run"
rm -rf "$work"
mkdir -p "$work/corpus"
cp "$seeds"/*.sdn "$work/corpus/"
cd "$work" || exit 1
"$fuzz_build/tests/fuzz/sdn_parse_fuzz" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 corpus
status=$?
if ls crash-* timeout-* oom-* leak-* >/dev/null 2>&1 || [ $status -ne 0 ]; then
  echo "run_fuzz.sh: the fuzzer found a problem (exit $status); inputs kept in $work"
  exit 1
fi
echo "run_fuzz.sh: no crash in ${seconds}s"
