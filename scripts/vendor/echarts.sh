#!/usr/bin/env bash
# Re-vendors ECharts from npm at a pinned version: dist/echarts.min.js, the
# French locale and the licence files, under internal/web/static/files/vendor.
# The tarball's integrity is checked against the value pinned here, so a
# re-vendor gives byte-for-byte what was reviewed. To upgrade: change VERSION
# and INTEGRITY (npm view echarts@X dist.integrity), run, update the
# constant static.ECharts and commit the new files with the old ones removed.
set -euo pipefail

VERSION=6.1.0
INTEGRITY='sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=='

root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/internal/web/static/files/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
tgz=$(npm pack --silent "echarts@$VERSION")
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
	echo "echarts $VERSION: integrity $got, want $INTEGRITY" >&2
	exit 1
fi
tar xzf "$tgz"
cp package/dist/echarts.min.js "$out/echarts-$VERSION.min.js"
cp package/i18n/langFR.js "$out/echarts-$VERSION.langFR.js"
cp package/LICENSE "$out/echarts.LICENSE"
cp package/NOTICE "$out/echarts.NOTICE"
printf 'echarts %s %s (npm)\n' "$VERSION" "$INTEGRITY" >"$out/echarts.lock"
echo "vendored echarts $VERSION into $out"
