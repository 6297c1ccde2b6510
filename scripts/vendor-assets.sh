#!/bin/sh
# vendor-assets.sh copies the pinned third-party web assets (htmx, Apache
# ECharts) from the npm registry into internal/web/static/vendor/ and records
# name, version, file and SHA-256 of each in internal/web/static/vendor/VERSIONS.
# It also copies axe-core, which only the accessibility test injects into the
# pages it checks, into internal/web/testdata/axe/ with a VERSIONS of the same
# form: it is not embedded, so the binary never serves it.
#
# The copied files are committed: building rooted needs no npm and running it
# needs no CDN. Run this only to change a version (edit the pins below), then
# commit the files and VERSIONS together; TestVendorChecksums checks that
# both VERSIONS files match their files.
#
# usage: scripts/vendor-assets.sh     (from anywhere; needs npm, tar, sha256sum)
set -eu

HTMX_VERSION=2.0.11    # the 2.x line: the stable, documented hx-* API
ECHARTS_VERSION=6.1.0
AXE_VERSION=4.14.1     # axe-core: the rules of internal/web/a11y_test.go

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/internal/web/static/vendor"
testout="$root/internal/web/testdata/axe"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$out" "$testout"
# fetch NAME VERSION PATH-IN-PACKAGE TARGET-FILE [TARGET-DIR]
# copies the file into TARGET-DIR (default $out) and adds its line to
# $work/VERSIONS-<basename of TARGET-DIR>.
fetch() {
	dir=${5:-$out}
	(cd "$work" && npm pack --silent "$1@$2" >/dev/null)
	tgz=$(ls "$work"/*.tgz)
	mkdir -p "$work/x"
	tar -xzf "$tgz" -C "$work/x" "package/$3"
	cp "$work/x/package/$3" "$dir/$4"
	sum=$(sha256sum "$dir/$4" | cut -d' ' -f1)
	printf '%s %s %s %s\n' "$1" "$2" "$4" "$sum" >>"$work/VERSIONS-$(basename "$dir")"
	rm -rf "$tgz" "$work/x"
}

: >"$work/VERSIONS-vendor"
: >"$work/VERSIONS-axe"
fetch htmx.org "$HTMX_VERSION" dist/htmx.min.js htmx.min.js
fetch echarts "$ECHARTS_VERSION" dist/echarts.min.js echarts.min.js
fetch axe-core "$AXE_VERSION" axe.min.js axe.min.js "$testout"
for v in vendor axe; do
	case $v in vendor) dir=$out ;; axe) dir=$testout ;; esac
	{
		echo "# name version file sha256 — written by scripts/vendor-assets.sh; do not edit"
		cat "$work/VERSIONS-$v"
	} >"$dir/VERSIONS"
	cat "$dir/VERSIONS"
done
