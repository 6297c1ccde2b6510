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
#                             [-t "THREADS …"] [-u PATH|public]... [-n SERVERS] [DIR]
#        (defaults: 100000 persons, 30 s, 1 repeat, 200 connections,
#        threads "1 2", the points page, DIR /tmp/rooted-bench)
# e.g.   scripts/bench-web.sh -u public              every public page
#        scripts/bench-web.sh -u / -u /signin -t 2   two pages, wrk -t2 only
#        scripts/bench-web.sh -n 2 -t 2              points page, two servers behind nginx
set -eu

PUBLIC="/ /signin /citizen/signin /api/v1/figures /api/v1/stats /api/v1/openapi.json /healthz /static/rooted.css /static/rooted.js"

persons=100000 secs=30 repeats=1 conns=200 threadsList="1 2" pages="" servers=""
usage() {
	echo "usage: $0 [-p PERSONS] [-d SECONDS] [-r REPEATS] [-c CONNECTIONS] [-t \"THREADS …\"] [-u PATH|public]... [-n SERVERS] [DIR]" >&2
	exit 2
}
while getopts p:d:r:c:t:u:n: opt; do
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
	n)
		case $OPTARG in
		1 | 2) servers=$OPTARG ;;
		*) echo "bench-web: -n takes 1 or 2 servers, not $OPTARG" >&2; usage ;;
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

pids=$pid
if [ -n "$servers" ]; then
	command -v nginx >/dev/null || { echo "bench-web: nginx is missing (apt-get install -y nginx-light)" >&2; exit 2; }
	upstream="server $addr;"
	if [ "$servers" = 2 ]; then
		# The second server: the same binary and database, another port,
		# no demo steps (the first server built the city).
		addr2=127.0.0.1:8098
		"$dir/rooted" serve --db "$dir/rooted.db" --addr "$addr2" >"$dir/serve2.out" 2>"$dir/serve2.err" &
		pid2=$!
		pids="$pid $pid2"
		trap 'kill $pids 2>/dev/null || true; [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true' EXIT INT TERM
		i=0
		until grep -q "serving on" "$dir/serve2.out" 2>/dev/null; do
			kill -0 $pid2 2>/dev/null || { echo "bench-web: the second server stopped:" >&2; cat "$dir/serve2.err" >&2; exit 1; }
			i=$((i + 1)); [ $i -lt 600 ] || { echo "bench-web: the second server did not start" >&2; exit 1; }
			sleep 1
		done
		upstream="$upstream server $addr2;"
	fi
	cat >"$dir/nginx.conf" <<CONF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/nginx.err warn;
events { worker_connections 4096; }
http {
	access_log off;
	upstream rooted { $upstream keepalive 256; }
	server {
		listen 127.0.0.1:8096;
		location / {
			proxy_pass http://rooted;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
		}
	}
}
CONF
	nginx -p "$dir" -c "$dir/nginx.conf" || { cat "$dir/nginx.err" >&2; exit 1; }
	trap 'kill $pids 2>/dev/null || true; [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true' EXIT INT TERM
	sleep 1
	url=http://127.0.0.1:8096
fi

# The public figures are computed in the background once the server is
# up; until then the home page says they are being prepared.
for a in $addr ${addr2:-}; do
	i=0
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$a/api/v1/figures")" = 200 ]; do
		i=$((i + 1)); [ $i -lt 300 ] || { echo "bench-web: the figures of $a were not ready after 300 s" >&2; exit 1; }
		sleep 1
	done
done

cpu() { # user + system of every rooted process, in clock ticks
	t=0
	for p in $pids; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
	echo $t
}
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
