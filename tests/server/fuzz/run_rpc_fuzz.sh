#!/usr/bin/env bash
# Short libFuzzer run of the JSON-RPC framing + dispatch target (ctest: server_rpc_fuzz_short).
# Builds the target in a separate clang build folder, runs it for N seconds on the seeds, and
# fails on any crash, sanitizer report, or abort (invalid output / request left unanswered).
#
# Usage: run_rpc_fuzz.sh <source dir> <build dir> [seconds=45]
# Long run: after one short run, from the repository root:
#   <build dir>/rpc-fuzz-build/tests/server/rpc_fuzz -max_len=65536 -timeout=10 \
#       -jobs=2 -workers=2 -max_total_time=3600 <corpus dir> tests/server/fuzz/seeds
set -uo pipefail

src=${1:?source dir}
build=${2:?build dir}
seconds=${3:-45}
fuzz_build="$build/rpc-fuzz-build"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "run_rpc_fuzz.sh: clang++ not found; skipping"
  exit 77
fi
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f "$fuzz_build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$src" -B "$fuzz_build" "${generator[@]}" -DSDNDB_BUILD_TESTS=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSDNDB_WERROR=ON >"$build/rpc-fuzz-configure.log" 2>&1 || {
    cat "$build/rpc-fuzz-configure.log"
    echo "run_rpc_fuzz.sh: configuring the clang build failed"
    exit 1
  }
fi
cmake --build "$fuzz_build" --target rpc_fuzz -j 2 || {
  echo "run_rpc_fuzz.sh: building rpc_fuzz failed"
  exit 1
}
work="$build/rpc-fuzz-run"
rm -rf "$work"
mkdir -p "$work/corpus"
cp "$src"/tests/server/fuzz/seeds/* "$work/corpus/"
cd "$work" || exit 1
"$fuzz_build/tests/server/rpc_fuzz" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 corpus
status=$?
if ls crash-* timeout-* oom-* leak-* >/dev/null 2>&1 || [ $status -ne 0 ]; then
  echo "run_rpc_fuzz.sh: the fuzzer found a problem (exit $status); inputs kept in $work"
  exit 1
fi
echo "run_rpc_fuzz.sh: no crash in ${seconds}s"
