#!/bin/sh
# bench-web.sh measures the citizen points page under load, as BENCHMARKS.md
# ("Web") reports it: a demo city served by `rooted demo`, 1,000 signed-in
# citizens, and wrk (Debian package wrk) at 200 connections, with and
# without gzip, with one and two wrk threads. It prints one line per run:
# requests/s, latency percentiles, and the server's CPU time per request
# (from /proc). The demo database is kept in DIR between runs (the first
# build of the 100,000-person city takes about 30 s).
#
# usage: scripts/bench-web.sh [-p PERSONS] [-d SECONDS] [-r REPEATS] [DIR]
#        (defaults: 100000 persons, 30 s, 1 repeat, DIR /tmp/rooted-bench)
set -eu

persons=100000 secs=30 repeats=1
while getopts p:d:r: opt; do
	case $opt in
	p) persons=$OPTARG ;;
	d) secs=$OPTARG ;;
	r) repeats=$OPTARG ;;
	*) echo "usage: $0 [-p PERSONS] [-d SECONDS] [-r REPEATS] [DIR]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
dir=${1:-/tmp/rooted-bench}
command -v wrk >/dev/null || { echo "bench-web: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
addr=127.0.0.1:8097
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

# 1,000 citizen sessions and a wrk script that spreads requests over them;
# the second script asks for gzip, as every browser does.
(cd "$root" && ROOTED_BENCH_DB="$dir/rooted.db" ROOTED_BENCH_SCRIPT="$dir/points.lua" \
	go test ./internal/web -run '^TestWriteBenchSessions$' -count=1 >/dev/null)
sed 's/\["Accept-Language"\] = "zh-CN" }/["Accept-Language"] = "zh-CN", ["Accept-Encoding"] = "gzip, deflate, br" }/' \
	"$dir/points.lua" >"$dir/points-gz.lua"
grep -q gzip "$dir/points-gz.lua" || { echo "bench-web: could not write the gzip script" >&2; exit 1; }

url=http://$addr
# Warm the caches: every session's page, plain and gzipped.
wrk -t1 -c10 -d5s -s "$dir/points.lua" "$url" >/dev/null
wrk -t1 -c10 -d5s -s "$dir/points-gz.lua" "$url" >/dev/null

cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # user + system, in clock ticks
hz=$(getconf CLK_TCK)
printf '%-8s %-9s %9s %9s %9s %9s %9s %14s\n' threads script req/s p50 p90 p99 max "server µs/req"
n=0
while [ $n -lt "$repeats" ]; do
	n=$((n + 1))
	for threads in 1 2; do
		for script in points points-gz; do
			before=$(cpu)
			out=$(wrk -t$threads -c200 -d"${secs}s" --latency -s "$dir/$script.lua" "$url")
			after=$(cpu)
			echo "$out" | awk -v t=$threads -v s=$script -v ticks=$((after - before)) -v hz="$hz" '
				/ 50%/ {p50 = $2} / 90%/ {p90 = $2} / 99%/ {p99 = $2}
				/Latency/ && NF == 5 {max = $4}
				/requests in/ {reqs = $1}
				/Requests\/sec/ {rps = $2}
				/Non-2xx|Socket errors/ {bad = bad " " $0}
				END {
					printf "%-8s %-9s %9.0f %9s %9s %9s %9s %14.1f%s\n", t, s, rps, p50, p90, p99, max,
						ticks / hz * 1e6 / reqs, (bad == "" ? "" : "  !" bad)
				}'
		done
	done
done
