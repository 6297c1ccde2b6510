#!/bin/sh
# vendor-assets.sh copies the pinned third-party web assets (htmx, Apache
# ECharts) from the npm registry into internal/web/static/vendor/ and records
# name, version, file and SHA-256 of each in internal/web/static/vendor/VERSIONS.
#
# The copied files are committed: building rooted needs no npm and running it
# needs no CDN. Run this only to change a version (edit the pins below), then
# commit the files and VERSIONS together; TestVendorChecksums checks that
# VERSIONS matches what is embedded.
#
# usage: scripts/vendor-assets.sh     (from anywhere; needs npm, tar, sha256sum)
set -eu

HTMX_VERSION=2.0.11    # the 2.x line: the stable, documented hx-* API
ECHARTS_VERSION=6.1.0

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/internal/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$out"
# fetch NAME VERSION PATH-IN-PACKAGE TARGET-FILE
fetch() {
	(cd "$work" && npm pack --silent "$1@$2" >/dev/null)
	tgz=$(ls "$work"/*.tgz)
	mkdir -p "$work/x"
	tar -xzf "$tgz" -C "$work/x" "package/$3"
	cp "$work/x/package/$3" "$out/$4"
	sum=$(sha256sum "$out/$4" | cut -d' ' -f1)
	printf '%s %s %s %s\n' "$1" "$2" "$4" "$sum" >>"$work/VERSIONS"
	rm -rf "$tgz" "$work/x"
}

: >"$work/VERSIONS"
fetch htmx.org "$HTMX_VERSION" dist/htmx.min.js htmx.min.js
fetch echarts "$ECHARTS_VERSION" dist/echarts.min.js echarts.min.js
{
	echo "# name version file sha256 — written by scripts/vendor-assets.sh; do not edit"
	cat "$work/VERSIONS"
} >"$out/VERSIONS"
cat "$out/VERSIONS"
