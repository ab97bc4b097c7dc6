#!/usr/bin/env bash
# Installs code-server (the real VS Code 1.100.3 workbench, served to a browser) from npm into a cache
# folder, offline except for the npm registry. Idempotent: a marker file records a finished install.
# Usage: install-code-server.sh CACHE_DIR   -> prints the path of the code-server binary on success.
# Needs: node 20, npm, Debian ripgrep, build-essential, python3, libkrb5-dev, libxkbfile-dev, libsecret-1-dev.
set -euo pipefail
CACHE=${1:?usage: install-code-server.sh CACHE_DIR}
VERSION=4.100.3            # = VS Code 1.100.3; the last code-server line for Node 20
RG_PKG_VERSION=1.15.11     # @vscode/ripgrep pinned by code-server's lib/vscode shrinkwrap
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
DIR="$CACHE/code-server-$VERSION"
BIN="$DIR/node_modules/.bin/code-server"
if [ -f "$DIR/.installed" ] && [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
# One installer at a time (two test runs on the same machine share the cache).
mkdir -p "$CACHE"
exec 9>"$CACHE/.install.lock"
flock 9
if [ -f "$DIR/.installed" ] && [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

RG=$(command -v rg || true)
if [ -z "$RG" ]; then echo "install-code-server: Debian 'ripgrep' (rg) is required" >&2; exit 1; fi
rm -rf "$DIR"
mkdir -p "$DIR/tmp"
# @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds this cached asset in os.tmpdir().
# Seed it with Debian's rg so the install never leaves the npm registry.
RGCACHE="$DIR/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
mkdir -p "$RGCACHE" "$DIR/tmp/rg"
cp "$RG" "$DIR/tmp/rg/rg"
tar -C "$DIR/tmp/rg" -czf "$RGCACHE/$RG_ASSET" rg
cd "$DIR"
echo '{"name":"sdndb-code-server-host","private":true}' > package.json
# --unsafe-perm: code-server's postinstall refuses to run as root without it.
# npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which a user npmrc with yes=false cancels.
# XDG_*: keep code-server from writing into $HOME during its postinstall.
TMPDIR="$DIR/tmp" npm_config_yes=true XDG_CONFIG_HOME="$DIR/tmp/xdg" XDG_DATA_HOME="$DIR/tmp/xdg" \
  npm install --no-audit --no-fund --unsafe-perm=true "code-server@$VERSION" >&2
rm -rf "$DIR/tmp"
[ -x "$BIN" ] || { echo "install-code-server: $BIN missing after install" >&2; exit 1; }
touch "$DIR/.installed"
echo "$BIN"
