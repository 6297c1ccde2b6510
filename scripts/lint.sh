#!/usr/bin/env bash
# golangci-lint at a pinned version, with the project's .golangci.yml.
# Installs it into $(go env GOPATH)/bin from the Go module proxy when that
# version is not there yet (about 2-3 minutes on 2 cores, once).
#
#   ./scripts/lint.sh            # every package
#   ./scripts/lint.sh ./internal/web/...
set -euo pipefail
cd "$(dirname "$0")/.."
version=v2.15.0
bin="$(go env GOPATH)/bin/golangci-lint"
if ! [ -x "$bin" ] || ! "$bin" version 2>/dev/null | grep -q "version ${version#v} "; then
  echo "== installing golangci-lint $version"
  go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
fi
exec "$bin" run "${@:-./...}"
