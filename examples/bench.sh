#!/usr/bin/env bash
# Times `sladd scan` beside ripgrep on the same generated tree, alternating runs on a warm page
# cache, and checks that sladd found every planted synthetic number.
#
#   examples/bench.sh [SIZE_MIB=200] [RUNS=5]
#
# Needs rg (Debian: ripgrep) and GNU time (/usr/bin/time). The tree is generated
# deterministically by examples/gen_corpus.rs into target/bench/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-200}
runs=${2:-5}
dir=target/bench/tree-$size
sladd=./target/release/sladd
rg_pattern='(?-u:\b)[0-9]{11}(?-u:\b)'

cargo build --release --quiet --bin sladd --example gen_corpus
[ -d "$dir" ] || ./target/release/examples/gen_corpus "$dir" "$size"
export SLADD_FINGERPRINT_KEY=bench-not-secret

# Warm the page cache so both tools read from memory.
find "$dir" -type f -exec cat {} + > /dev/null

seconds() { # prints wall seconds of "$@", output discarded, exit status ignored
  local t0 t1
  t0=$(date +%s%N)
  "$@" > /dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo "scale=4; ($t1 - $t0) / 1000000000" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 > /dev/null | tail -n 1; }

sladd_times=(); rg_times=()
for _ in $(seq "$runs"); do
  sladd_times+=("$(seconds "$sladd" scan --format jsonl -q "$dir")")
  rg_times+=("$(seconds rg -c "$rg_pattern" "$dir")")
done
s_med=$(printf '%s\n' "${sladd_times[@]}" | median)
r_med=$(printf '%s\n' "${rg_times[@]}" | median)
bytes=$(du -sb "$dir" | cut -f1)
files=$(find "$dir" -type f | wc -l)

# Every planted number must be found.
planted="$dir.planted.tsv"
found=$("$sladd" scan --format jsonl --reveal -q "$dir" | grep -o '"value":"[^"]*"' | tr -d ' .-' | sort -u) || true
missing=0
while IFS=$'\t' read -r value _; do
  grep -q "\"value\":\"$value\"" <<< "$found" || missing=$((missing + 1))
done < "$planted"

echo
echo "tree: $dir, $files files, $((bytes / 1048576)) MiB, $(wc -l < "$planted") planted numbers"
echo "| tool | median s ($runs runs) | MiB/s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
printf '| sladd scan --format jsonl (all rules) | %s | %.0f | %.1f |\n' "$s_med" \
  "$(echo "$bytes / 1048576 / $s_med" | bc -l)" "$(echo "$(peak_kib "$sladd" scan --format jsonl -q "$dir") / 1024" | bc -l)"
printf "| rg -c '%s' | %s | %.0f | %.1f |\n" "$rg_pattern" "$r_med" \
  "$(echo "$bytes / 1048576 / $r_med" | bc -l)" "$(echo "$(peak_kib rg -c "$rg_pattern" "$dir") / 1024" | bc -l)"
printf 'ratio sladd/rg: %.2f\n' "$(echo "$s_med / $r_med" | bc -l)"
echo "planted numbers missed: $missing"
[ "$missing" -eq 0 ]
