#!/usr/bin/env bash
# The performance figures of README "Performance", reproducible on any machine.
#
#   examples/bench.sh tree    [SIZE_MIB=200] [RUNS=5]   text tree: sladd vs rg, medians, ratio
#   examples/bench.sh large   [SIZE_MIB=2048]           one big file: throughput, peak memory
#   examples/bench.sh office  [DOCX=1200] [XLSX=800]    office documents: files/s, MiB/s
#   examples/bench.sh startup [RUNS=30]                 an empty folder, rule compilation included
#   examples/bench.sh all
#
# Runs are alternated (sladd, rg, sladd, rg...) on a warm page cache; the median is reported.
# Needs rg (Debian: ripgrep), GNU time (/usr/bin/time) and bc; hyperfine, if present, times
# start-up; `office` needs python-docx, openpyxl and reportlab (pip). Inputs are generated
# deterministically into target/bench/ and reused; every planted synthetic number must be
# found, or the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."

sladd=./target/release/sladd
rg_pattern='(?-u:\b)[0-9]{11}(?-u:\b)'
export SLADD_FINGERPRINT_KEY=bench-not-secret

build() { cargo build --release --quiet --bin sladd --example gen_corpus; }

now_ns() { date +%s%N; }
# Wall seconds of "$@", output discarded, exit status ignored (sladd exits 1 on findings).
seconds() {
  local t0 t1
  t0=$(now_ns)
  "$@" > /dev/null 2>&1 || true
  t1=$(now_ns)
  echo "scale=4; ($t1 - $t0) / 1000000000" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# Peak resident MiB of "$@" (its exit status is ignored: sladd exits 1 on findings).
peak_mib() {
  local out
  out=$({ /usr/bin/time -f %M "$@" > /dev/null; } 2>&1) || true
  tail -n 1 <<< "$out" | awk '{printf "%.1f", $1 / 1024}'
}
warm() { find "$1" -type f -exec cat {} + > /dev/null; }

# Fails unless every value in PLANTED (one per line, first column) is among the findings.
check_planted() {
  local planted=$1 found=$2 missing
  missing=$(comm -23 <(cut -f1 "$planted" | sort -u) <(sort -u "$found") | wc -l)
  echo "planted numbers: $(cut -f1 "$planted" | sort -u | wc -l), missed: $missing"
  [ "$missing" -eq 0 ]
}
found_values() { grep -o '"value":"[^"]*"' | cut -d'"' -f4 | tr -d ' .-'; }

tree() {
  local size=${1:-200} runs=${2:-5} dir
  dir=target/bench/tree-$size
  build
  [ -d "$dir" ] || ./target/release/examples/gen_corpus "$dir" "$size"
  warm "$dir"
  local st=() rt=()
  for _ in $(seq "$runs"); do
    st+=("$(seconds "$sladd" scan --format jsonl -q "$dir")")
    rt+=("$(seconds rg -c "$rg_pattern" "$dir")")
  done
  local s r bytes files
  s=$(printf '%s\n' "${st[@]}" | median)
  r=$(printf '%s\n' "${rt[@]}" | median)
  bytes=$(du -sb "$dir" | cut -f1)
  files=$(find "$dir" -type f | wc -l)
  echo "## text tree: $files files, $((bytes >> 20)) MiB ($dir), $runs runs each, $(nproc) cores"
  echo "| command | median s | MiB/s | peak RSS MiB |"
  echo "|---|---:|---:|---:|"
  printf '| `sladd scan --format jsonl` (all default rules) | %.3f | %.0f | %s |\n' "$s" \
    "$(echo "$bytes / 1048576 / $s" | bc -l)" "$(peak_mib "$sladd" scan --format jsonl -q "$dir")"
  printf "| \`rg -c '%s'\` | %.3f | %.0f | %s |\n" "$rg_pattern" "$r" \
    "$(echo "$bytes / 1048576 / $r" | bc -l)" "$(peak_mib rg -c "$rg_pattern" "$dir")"
  printf 'ratio sladd/rg: %.2f\n' "$(echo "$s / $r" | bc -l)"
  "$sladd" scan --format jsonl --reveal -q "$dir" | found_values > target/bench/found.txt || true
  check_planted "$dir.planted.tsv" target/bench/found.txt
}

large() {
  local size=${1:-2048} file
  file=target/bench/large-$size.txt
  build
  [ -f "$file" ] || ./target/release/examples/gen_corpus --single "$file" "$size"
  warm "$file"
  local s r peak
  s=$(seconds "$sladd" scan --format jsonl -q "$file")
  r=$(seconds rg -c "$rg_pattern" "$file")
  peak=$(peak_mib "$sladd" scan --format jsonl -q "$file")
  echo "## one file of $size MiB ($file)"
  printf '| sladd | %.2f s | %.0f MiB/s | peak RSS %s MiB |\n' "$s" "$(echo "$size / $s" | bc -l)" "$peak"
  printf '| rg    | %.2f s | %.0f MiB/s |\n' "$r" "$(echo "$size / $r" | bc -l)"
  "$sladd" scan --format jsonl --reveal -q "$file" | found_values > target/bench/found.txt || true
  check_planted "$file.planted.tsv" target/bench/found.txt
}

office() {
  local docx=${1:-1200} xlsx=${2:-800} dir
  dir=target/bench/office-$docx-$xlsx
  build
  [ -d "$dir" ] || python3 tools/gen_office_tree.py "$dir" "$docx" "$xlsx" 0
  warm "$dir"
  local t=() s files bytes
  for _ in 1 2 3 4 5; do t+=("$(seconds "$sladd" scan --format jsonl -q "$dir")"); done
  s=$(printf '%s\n' "${t[@]}" | median)
  files=$(find "$dir" -type f | wc -l)
  bytes=$(du -sb "$dir" | cut -f1)
  echo "## office documents: $files files ($docx DOCX, $xlsx XLSX), $((bytes >> 20)) MiB"
  printf '| sladd | %.3f s | %.0f files/s | %.1f MiB/s | peak RSS %s MiB |\n' "$s" \
    "$(echo "$files / $s" | bc -l)" "$(echo "$bytes / 1048576 / $s" | bc -l)" \
    "$(peak_mib "$sladd" scan --format jsonl -q "$dir")"
}

startup() {
  local runs=${1:-30} dir=target/bench/empty
  build
  mkdir -p "$dir"
  if command -v hyperfine > /dev/null; then
    # hyperfine times the process alone; the fallback below also counts two `date` calls.
    hyperfine -N -i --warmup 3 --runs "$runs" --export-json target/bench/startup.json \
      "$sladd scan -q $dir" > /dev/null
    printf '## start-up: sladd scan on an empty folder: median %.1f ms (%s runs, hyperfine)\n' \
      "$(grep -o '"median": *[0-9.e-]*' target/bench/startup.json | awk '{print $2 * 1000}')" "$runs"
    return
  fi
  local t=()
  for _ in $(seq "$runs"); do t+=("$(seconds "$sladd" scan -q "$dir")"); done
  printf '## start-up: sladd scan on an empty folder: median %.1f ms (%s runs)\n' \
    "$(printf '%s\n' "${t[@]}" | median | awk '{print $1 * 1000}')" "$runs"
}

case "${1:-tree}" in
  tree) shift || true; tree "$@" ;;
  large) shift; large "$@" ;;
  office) shift; office "$@" ;;
  startup) shift; startup "$@" ;;
  all) startup; tree; large; office ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
