#!/bin/sh
# bench-web.sh measures rooted's pages under load, as BENCHMARKS.md ("Web")
# reports it: a demo city served by `rooted demo`, and wrk (Debian package
# wrk) at 200 connections (-c), with one and two wrk threads (-t).
#
# By default it loads the citizen points page: 1,000 signed-in citizens,
# with and without gzip. With -u PATH it loads that public page instead, as
# a browser without a session asks for it (Accept-Encoding: gzip,
# Accept-Language: zh-CN); -u may be given more than once, and -u public
# stands for every public page (PUBLIC below). It prints one line per run:
# requests/s, latency percentiles, and the server's CPU time per request
# (from /proc). The demo database is kept in DIR between runs (the first
# build of the 100,000-person city takes about 30 s).
#
# usage: scripts/bench-web.sh [-p PERSONS] [-d SECONDS] [-r REPEATS] [-c CONNECTIONS]
#                             [-t "THREADS …"] [-u PATH|public]... [DIR]
#        (defaults: 100000 persons, 30 s, 1 repeat, 200 connections,
#        threads "1 2", the points page, DIR /tmp/rooted-bench)
# e.g.   scripts/bench-web.sh -u public              every public page
#        scripts/bench-web.sh -u / -u /signin -t 2   two pages, wrk -t2 only
set -eu

PUBLIC="/ /signin /citizen/signin /api/v1/figures /api/v1/stats /api/v1/openapi.json /healthz /static/rooted.css /static/rooted.js"

persons=100000 secs=30 repeats=1 conns=200 threadsList="1 2" pages=""
usage() {
	echo "usage: $0 [-p PERSONS] [-d SECONDS] [-r REPEATS] [-c CONNECTIONS] [-t \"THREADS …\"] [-u PATH|public]... [DIR]" >&2
	exit 2
}
while getopts p:d:r:c:t:u: opt; do
	case $opt in
	p) persons=$OPTARG ;;
	d) secs=$OPTARG ;;
	r) repeats=$OPTARG ;;
	c) conns=$OPTARG ;;
	t) threadsList=$OPTARG ;;
	u)
		case $OPTARG in
		public) pages="$pages $PUBLIC" ;;
		/*) pages="$pages $OPTARG" ;;
		*) echo "bench-web: -u takes a path (/signin) or public, not $OPTARG" >&2; usage ;;
		esac
		;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
dir=${1:-/tmp/rooted-bench}
command -v wrk >/dev/null || { echo "bench-web: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "bench-web: curl is missing (apt-get install -y curl)" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
addr=127.0.0.1:8097
url=http://$addr
(cd "$root" && go build -o "$dir/rooted" ./cmd/rooted)

"$dir/rooted" demo --persons "$persons" --db "$dir/rooted.db" --addr "$addr" >"$dir/serve.out" 2>"$dir/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT INT TERM
i=0
until grep -q "serving on" "$dir/serve.out" 2>/dev/null; do
	kill -0 $pid 2>/dev/null || { echo "bench-web: the server stopped:" >&2; cat "$dir/serve.err" >&2; exit 1; }
	i=$((i + 1)); [ $i -lt 600 ] || { echo "bench-web: the server did not start" >&2; exit 1; }
	sleep 1
done
# The public figures are computed in the background once the server is
# up; until then the home page says they are being prepared.
i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/figures")" = 200 ]; do
	i=$((i + 1)); [ $i -lt 300 ] || { echo "bench-web: the figures were not ready after 300 s" >&2; exit 1; }
	sleep 1
done

cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # user + system, in clock ticks
hz=$(getconf CLK_TCK)

# run LABEL WHAT WRK-ARGS…: one wrk run, one line of figures.
run() {
	label=$1 what=$2
	shift 2
	before=$(cpu)
	out=$(wrk -c"$conns" -d"${secs}s" --latency "$@")
	after=$(cpu)
	echo "$out" | awk -v t="$label" -v s="$what" -v ticks=$((after - before)) -v hz="$hz" '
		/ 50%/ {p50 = $2} / 90%/ {p90 = $2} / 99%/ {p99 = $2}
		/Latency/ && NF == 5 {max = $4}
		/requests in/ {reqs = $1}
		/Requests\/sec/ {rps = $2}
		/Non-2xx|Socket errors/ {bad = bad " " $0}
		END {
			printf "%-8s %-22s %9.0f %9s %9s %9s %9s %14.1f%s\n", t, s, rps, p50, p90, p99, max,
				(reqs > 0 ? ticks / hz * 1e6 / reqs : 0), (bad == "" ? "" : "  !" bad)
		}'
}

if [ -n "$pages" ]; then
	# Public pages, as a browser without a session asks for them.
	for page in $pages; do # warm: one request each
		curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$url$page"
	done
	printf '%-8s %-22s %9s %9s %9s %9s %9s %14s\n' threads page req/s p50 p90 p99 max "server µs/req"
	n=0
	while [ $n -lt "$repeats" ]; do
		n=$((n + 1))
		for page in $pages; do
			for threads in $threadsList; do
				run "$threads" "$page" -t"$threads" -H 'Accept-Encoding: gzip, deflate, br' \
					-H 'Accept-Language: zh-CN,zh;q=0.9,en;q=0.8' "$url$page"
			done
		done
	done
	exit 0
fi

# 1,000 citizen sessions and a wrk script that spreads requests over them;
# the second script asks for gzip, as every browser does.
(cd "$root" && ROOTED_BENCH_DB="$dir/rooted.db" ROOTED_BENCH_SCRIPT="$dir/points.lua" \
	go test ./internal/web -run '^TestWriteBenchSessions$' -count=1 >/dev/null)
sed 's/\["Accept-Language"\] = "zh-CN" }/["Accept-Language"] = "zh-CN", ["Accept-Encoding"] = "gzip, deflate, br" }/' \
	"$dir/points.lua" >"$dir/points-gz.lua"
grep -q gzip "$dir/points-gz.lua" || { echo "bench-web: could not write the gzip script" >&2; exit 1; }

# Warm the caches: every session's page, plain and gzipped.
wrk -t1 -c10 -d5s -s "$dir/points.lua" "$url" >/dev/null
wrk -t1 -c10 -d5s -s "$dir/points-gz.lua" "$url" >/dev/null

printf '%-8s %-22s %9s %9s %9s %9s %9s %14s\n' threads script req/s p50 p90 p99 max "server µs/req"
n=0
while [ $n -lt "$repeats" ]; do
	n=$((n + 1))
	for threads in $threadsList; do
		for script in points points-gz; do
			run "$threads" "$script" -t"$threads" -s "$dir/$script.lua" "$url"
		done
	done
done
