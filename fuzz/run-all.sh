#!/bin/sh
# Long fuzz runs (never part of `cargo test`): every target for SECS seconds, one after
# another, on one core. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
#   fuzz/run-all.sh [SECS] [TARGET...]     # default 600 s each, all targets
#
# Corpora grow in fuzz/corpus/TARGET (seeded from tests/fixtures by seeds.sh), crashes land
# in fuzz/artifacts/TARGET, logs in fuzz/logs/TARGET.log; the last lines of each log say how
# many executions ran in how many seconds. Reproduce a crash with
#   cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...
# minimise it with `cargo +nightly fuzz tmin TARGET FILE`, then fix it and add the input to
# tests/regressions.rs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"detect_bytes detect_segments text csv markup xml_flow rtf mail tar_gzip zip_office office_parts pdf ole doc"}
cd "$here"
./seeds.sh >/dev/null
cargo +nightly fuzz build >/dev/null
mkdir -p logs
for t in $targets; do
    extra=""
    case $t in
        # Parser crashes, hangs and OOMs here are what the worker subprocess contains: keep
        # going after one and record them all.
        pdf|ole) extra="-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1" ;;
    esac
    case $t in
        zip_office|office_parts|pdf|ole) len=65536 ;;
        *) len=16384 ;;
    esac
    echo "== $t: $secs s"
    # shellcheck disable=SC2086
    cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
        -timeout=10 -max_len=$len -print_final_stats=1 $extra >"logs/$t.log" 2>&1 || true
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)|SUMMARY|ERROR: libFuzzer" \
        "logs/$t.log" | tail -5 || true
    ls "artifacts/$t" 2>/dev/null | sed 's/^/  artifact: /' || true
done
