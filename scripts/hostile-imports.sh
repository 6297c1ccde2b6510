#!/usr/bin/env bash
# Hostile inputs for `rooted import`, and the peak memory of importing each
# (BENCHMARKS.md, "Imports: memory on hostile inputs").
#
#   ./scripts/hostile-imports.sh DIR            # make the inputs in DIR and measure
#   ROOTED=/path/to/rooted ./scripts/hostile-imports.sh DIR
#
# Inputs:
#   flat.csv    200 MiB with no line break
#   nul.csv     400 MiB of NUL bytes
#   bomb.xlsx   a workbook of about 1 MiB whose sheet unzips to about 600 MiB
#   city/       a normal 100,000-person city (rooted gen), for comparison
# Each import runs on a fresh SQLite database under /usr/bin/time -v; the
# script prints the exit status, the peak RSS and the first line of stderr.
set -euo pipefail
dir=${1:?usage: hostile-imports.sh DIR}
mkdir -p "$dir"
cd "$(dirname "$0")/.."
rooted=${ROOTED:-}
if [ -z "$rooted" ]; then
  rooted="$dir/rooted"
  go build -o "$rooted" ./cmd/rooted
fi

[ -f "$dir/flat.csv" ] || head -c $((200 << 20)) /dev/zero | tr '\0' 'a' >"$dir/flat.csv"
[ -f "$dir/nul.csv" ] || head -c $((400 << 20)) /dev/zero >"$dir/nul.csv"
if [ ! -f "$dir/bomb.xlsx" ]; then
  python3 - "$dir/bomb.xlsx" <<'PY'
import sys, zipfile
ct = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
wb = '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
wbrels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
row = '<row><c t="inlineStr"><is><t>110101199003071234</t></is></c><c t="inlineStr"><is><t>张三</t></is></c></row>'
head = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>身份证号</t></is></c><c t="inlineStr"><is><t>姓名</t></is></c></row>'
block = (row * 8192).encode()
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("[Content_Types].xml", ct)
    z.writestr("_rels/.rels", rels)
    z.writestr("xl/workbook.xml", wb)
    z.writestr("xl/_rels/workbook.xml.rels", wbrels)
    with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as w:
        w.write(head.encode())
        for _ in range(600):  # about 1 MiB of rows each: 4.9 million rows
            w.write(block)
        w.write(b"</sheetData></worksheet>")
PY
fi
[ -d "$dir/city" ] || "$rooted" gen --persons 100000 --seed 7 --out "$dir/city" >/dev/null

measure() {
  local name=$1; shift
  local db="$dir/$name.db"
  rm -f "$db" "$db"-*
  local q="$dir/quarantine-$name"
  rm -rf "$q"; mkdir -p "$q"
  set +e
  /usr/bin/time -v "$rooted" import --db "$db" --quarantine "$q" "$@" >"$dir/$name.out" 2>"$dir/$name.err"
  local rc=$?
  set -e
  local rss
  rss=$(grep "Maximum resident set size" "$dir/$name.err" | awk '{print $NF}')
  local wall
  wall=$(grep "Elapsed (wall clock)" "$dir/$name.err" | awk '{print $NF}')
  printf '%-10s exit %d  peak RSS %6d MiB  wall %s  %s\n' "$name" "$rc" $((rss / 1024)) "$wall" "$(grep -v '^\s' "$dir/$name.err" | grep -v 'Command being timed' | head -1 | cut -c1-160)"
}

ls -l "$dir/flat.csv" "$dir/nul.csv" "$dir/bomb.xlsx" | awk '{print $5, $9}'
measure flat "$dir/flat.csv"
measure nul "$dir/nul.csv"
measure bomb "$dir/bomb.xlsx"
measure city $(ls "$dir"/city/*.csv)
