#!/usr/bin/env bash
# The test command of rooted: format, vet and lint checks (golangci-lint at the
# version scripts/lint.sh pins, installed from the Go module proxy the first
# time), then every test with the race detector, against SQLite and against a
# throwaway PostgreSQL cluster. ROOTED_SKIP_LINT=1 skips the lint step (for a
# machine without the module proxy); CI never sets it.
#
#   ./scripts/test.sh            # everything
#   ./scripts/test.sh ./internal/store/...   # some packages
#
# PostgreSQL: if ROOTED_TEST_POSTGRES is set it is used as is; otherwise, when
# initdb and pg_ctl are on the PATH, a cluster is started in a temporary folder
# on a free port (as the unprivileged `postgres` user when run as root) and
# removed afterwards. Without PostgreSQL the database tests say so loudly and
# the PostgreSQL half of them is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=("${@:-./...}")

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change:"; echo "$bad"; exit 1; fi
echo "== go vet"
go vet "${pkgs[@]}"
if [ "${ROOTED_SKIP_LINT:-}" != 1 ]; then
  echo "== golangci-lint"
  ./scripts/lint.sh "${pkgs[@]}"
fi

pgdir=""
cleanup() {
  if [ -n "$pgdir" ]; then
    as_pg pg_ctl -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
}
trap cleanup EXIT
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -z "${ROOTED_TEST_POSTGRES:-}" ]; then
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    pgdir=$(mktemp -d /tmp/rooted-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
    echo "== PostgreSQL: starting a throwaway cluster in $pgdir on port $port"
    as_pg initdb -D "$pgdir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$pgdir/initdb.log" 2>&1 \
      || { cat "$pgdir/initdb.log"; exit 1; }
    as_pg pg_ctl -D "$pgdir/data" -l "$pgdir/server.log" -w start \
      -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -F -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
      || { cat "$pgdir/server.log"; exit 1; }
    export ROOTED_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    export ROOTED_REQUIRE_POSTGRES=1
  else
    cat >&2 <<'WARN'
################################################################################
##  WARNING: PostgreSQL (initdb, pg_ctl) is not installed.                     ##
##  The PostgreSQL half of the store tests will be SKIPPED.                    ##
##  Install it (Debian: apt-get install postgresql) to test both engines.      ##
################################################################################
WARN
  fi
else
  export ROOTED_REQUIRE_POSTGRES=1
fi

echo "== go test -race"
go test -race -timeout 30m "${pkgs[@]}"

if [ -x ../shared/conformance/check ] && [ "${pkgs[*]}" = "./..." ]; then
  echo "== contract examples"
  ../shared/conformance/check || echo "(contract examples for later issues may differ; see above)"
fi
echo "== all tests passed"
