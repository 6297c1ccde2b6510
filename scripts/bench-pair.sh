#!/bin/sh
# bench-pair.sh N 'AFTER' 'BEFORE' — time two shell commands in turn
# (A B A B …, N pairs, after one warm-up each) with /usr/bin/time, and print
# each run's wall and CPU (user + system) seconds and the medians of the
# pair-by-pair ratios A/B. Pairing keeps a ratio meaningful on a machine
# whose speed drifts (other work, thermal limits). Needs Debian's `time`.
# Example:
#   scripts/bench-pair.sh 7 '/tmp/rooted-new facts --db a.db >/dev/null' '/tmp/rooted-old facts --db b.db >/dev/null'
set -eu
[ $# -eq 3 ] || { echo "usage: $0 N 'AFTER' 'BEFORE'" >&2; exit 2; }
n=$1 a=$2 b=$3
t=$(mktemp); trap 'rm -f "$t"' EXIT
run() { /usr/bin/time -f '%e %U %S' -o "$t" sh -c "$1" >/dev/null; awk '{printf "%s %.3f\n", $1, $2 + $3}' "$t"; }
run "$a" >/dev/null; run "$b" >/dev/null
i=0
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	ra=$(run "$a"); rb=$(run "$b")
	echo "$i $ra $rb"
done | awk '
	{ wa[NR]=$2; ca[NR]=$3; wb[NR]=$4; cb[NR]=$5; rw[NR]=($4>0?$2/$4:0); rc[NR]=($5>0?$3/$5:0)
	  printf "pair %d: A wall %.2f s cpu %.2f s   B wall %.2f s cpu %.2f s\n", $1, $2, $3, $4, $5 }
	function median(x, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && x[j-1] > x[j]; j--) { t = x[j]; x[j] = x[j-1]; x[j-1] = t }
		return n % 2 ? x[(n+1)/2] : (x[n/2] + x[n/2+1]) / 2 }
	END { printf "median A/B: wall %.3f, cpu %.3f (%d pairs)\n", median(rw, NR), median(rc, NR), NR }'
