#!/usr/bin/env bash
# measure-officer-pages.sh BIN PORT DB [PORT2]: the officer pages' first views on a fresh server
# of DB (a demo city: the officers' password is read from the output of `rooted demo`, in
# $DEMO_OUT), until each result is in, the next views, and, with PORT2, the first views on a
# second server on the same database. See BENCHMARKS.md, "Officer pages: first view".
set -u
BIN=$1; PORT=$2; DB=$3; PORT2=${4:-}
PW=$(grep -o "password for all: [A-Za-z0-9]*" "${DEMO_OUT:?the output of rooted demo}" | awk '{print $4}')
base=http://127.0.0.1:$PORT
work=$(mktemp -d /tmp/pages-measure.XXXX)
$BIN serve --db "$DB" --addr 127.0.0.1:$PORT > $work/serve.log 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null; [ -n "${pid2:-}" ] && kill $pid2 2>/dev/null; wait 2>/dev/null' EXIT
until curl -sf -o /dev/null $base/healthz; do sleep 0.2; done
until [ "$(curl -s -o /dev/null -w '%{http_code}' $base/api/v1/figures)" = 200 ]; do sleep 0.3; done
curl -s -c $work/jar -o /dev/null -d "name=demo-admin&password=$PW" $base/signin
pages="/officer /officer/forecast /officer/housing /officer/schemes"
echo "first views:"
for p in $pages; do
  curl -s -b $work/jar -o $work/body -w "  $p %{http_code} %{time_total}s %{size_download}B" $base$p
  grep -q 'id="view-status"' $work/body && echo " (progress)" || echo " (result)"
done
echo "until each result is in (polling every 50 ms):"
for p in $pages; do
  start=$(date +%s.%N)
  while curl -s -b $work/jar $base$p | grep -q 'id="view-status"'; do sleep 0.05; done
  echo "  $p ready after $(echo "$(date +%s.%N) - $start" | bc) s (counted from the end of the first views)"
done
echo "next views (the stored result):"
for p in $pages; do
  curl -s -b $work/jar -o /dev/null -w "  $p %{http_code} %{time_total}s\n" $base$p
done
if [ -n "$PORT2" ]; then
  base2=http://127.0.0.1:$PORT2
  $BIN serve --db "$DB" --addr 127.0.0.1:$PORT2 > $work/serve2.log 2>&1 & pid2=$!
  until curl -sf -o /dev/null $base2/healthz; do sleep 0.2; done
  until [ "$(curl -s -o /dev/null -w '%{http_code}' $base2/api/v1/figures)" = 200 ]; do sleep 0.3; done
  curl -s -c $work/jar2 -o /dev/null -d "name=demo-admin&password=$PW" $base2/signin
  echo "a second server on the same database, first views:"
  for p in $pages; do
    curl -s -b $work/jar2 -o $work/body -w "  $p %{http_code} %{time_total}s" $base2$p
    grep -q 'id="view-status"' $work/body && echo " (progress)" || echo " (result)"
  done
fi
