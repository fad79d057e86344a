#!/usr/bin/env bash
# Builds GoToSocial, a real Mastodon-compatible server the Mastodon connector
# is tested against (../shared/peers.md), and caches the binary and its web/
# templates under $TRIBUNE_PEERS_DIR/gotosocial-<version>. The module comes
# from the Go module proxy into a scratch GOPATH, so Tribune's go.mod and
# module cache are never touched; the build (5–9 minutes on two cores) is paid
# once per machine, a second run only checks the marker file.
set -euo pipefail
DIR="${TRIBUNE_PEERS_DIR:-$HOME/.cache/tribune-peers}"
VERSION="${GOTOSOCIAL_VERSION:-0.19.2}"
# GoToSocial 0.19 does not build with Go 1.26; the go command fetches this
# toolchain through the module proxy.
TOOLCHAIN="${GOTOSOCIAL_TOOLCHAIN:-go1.24.11}"
OUT="$DIR/gotosocial-$VERSION"
MARK="$OUT/.installed-$TOOLCHAIN"
if [ -f "$MARK" ] && [ -x "$OUT/gotosocial" ] && [ -d "$OUT/web/template" ]; then
  echo "peers: GoToSocial $VERSION already in $OUT"
  exit 0
fi
mkdir -p "$DIR"
WORK="$(mktemp -d "$DIR/gotosocial-build.XXXXXX")"
cleanup() { chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
# A scratch GOPATH keeps the download (GoToSocial, its ~1 GB of
# dependencies and the Go 1.24 toolchain) and the build cache away from the
# developer's, and goes with the scratch folder once the binary is cached.
# GOTOSOCIAL_GOMODCACHE keeps the downloads somewhere for the next version.
export GOPATH="$WORK/gopath"
export GOMODCACHE="${GOTOSOCIAL_GOMODCACHE:-$WORK/gopath/pkg/mod}"
export GOFLAGS=-mod=mod
cd "$WORK"
SRC="$(GOTOOLCHAIN=local go mod download -json "github.com/superseriousbusiness/gotosocial@v$VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$SRC" ] || [ ! -d "$SRC" ]; then
  echo "peers: go mod download gave no source directory for GoToSocial $VERSION" >&2
  exit 1
fi
cp -r "$SRC" "$WORK/src"
chmod -R u+w "$WORK/src"
# The module zip carries a stub vendor/ that -mod=mod must not see.
rm -rf "$WORK/src/vendor"
cd "$WORK/src"
GOTOOLCHAIN="$TOOLCHAIN" CGO_ENABLED=0 GOCACHE="$WORK/gocache" \
  go build -mod=mod -trimpath -tags "netgo osusergo static_build kvformat timetzdata" \
  -o "$WORK/gotosocial" ./cmd/gotosocial
rm -rf "$OUT.new"
mkdir -p "$OUT.new"
mv "$WORK/gotosocial" "$OUT.new/gotosocial"
cp -r "$WORK/src/web" "$OUT.new/web"
cp "$WORK/src/example/config.yaml" "$OUT.new/config.example.yaml" 2>/dev/null || true
rm -rf "$OUT"
mv "$OUT.new" "$OUT"
touch "$MARK"
echo "peers: built GoToSocial $VERSION with $TOOLCHAIN in $OUT"
