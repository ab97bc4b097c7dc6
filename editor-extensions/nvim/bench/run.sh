#!/usr/bin/env bash
# Neovim plugin benchmark on a generated 5,000-record database (prints figures; see bench.lua).
# Usage: editor-extensions/nvim/bench/run.sh   (BENCH_RECORDS=N for another size;
#        SDNDB_NVIM=path for another Neovim, e.g. SDNDB_NVIM=$(bash .ci/nvim-newer) for 0.10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
export SDNDB_BIN="${SDNDB_BIN:-$root/build/server/sdndb}"
[ -x "$SDNDB_BIN" ] || { echo "bench: $SDNDB_BIN is missing (run bash .ci/build)"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdndb-nvim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export BENCH_DIR="$tmp/db" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
       XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
nvim=${SDNDB_NVIM:-nvim}
echo "$("$nvim" --version | head -n1), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$nvim" --headless -u NONE -i NONE -n --cmd "set rtp^=$here/.." ${BENCH_PRE:+-c "luafile $BENCH_PRE"} -c "luafile $here/bench.lua" </dev/null
