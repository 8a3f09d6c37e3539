#!/usr/bin/env bash
# Long fuzzing campaign: builds the `fuzz` preset, then runs every harness in turn for
# SECONDS_PER_HARNESS (default 300) with one job and one worker, nice'd, each on a working
# corpus under build/fuzz/long/<harness>/corpus that starts from the committed seeds and is
# kept between campaigns (delete it to start over). Prints a table of executions per second,
# total executions and coverage (cov: edges, ft: features, from libFuzzer's last status line)
# per harness. Exit status: 0 when no harness produced a crash, leak, timeout or OOM artifact;
# 1 otherwise (artifacts under build/fuzz/long/<harness>/, logs in fuzz-0.log there).
#
# Usage: tests/fuzz/run-long.sh [SECONDS_PER_HARNESS] [HARNESS...]
set -euo pipefail
secs=${1:-300}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

nice cmake --preset fuzz >/dev/null
nice cmake --build --preset fuzz >/dev/null

bindir=$root/build/fuzz/tests/fuzz
if (($# > 0)); then
        harnesses=("$@")
else
        harnesses=()
        for src in tests/fuzz/fuzz_*.c; do
                h=$(basename "$src" .c)
                harnesses+=("${h#fuzz_}")
        done
fi

export NE_SOURCE_DIR=$root
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=0
rows=()
for h in "${harnesses[@]}"; do
        work=$root/build/fuzz/long/$h
        mkdir -p "$work/corpus"
        if [[ -d tests/fuzz/corpus/$h ]]; then
                cp -n tests/fuzz/corpus/"$h"/* "$work/corpus/" 2>/dev/null || true
        fi
        rm -f "$work"/fuzz-*.log
        args=(-max_total_time="$secs" -print_final_stats=1 -jobs=1 -workers=1 -max_len=4096
                -timeout=20 -rss_limit_mb=2048 -artifact_prefix="$work/")
        if [[ -f tests/fuzz/$h.dict ]]; then
                args+=(-dict="$root/tests/fuzz/$h.dict")
        fi
        echo "== $h: ${secs}s" >&2
        status=0
        # -jobs=1 runs the fuzzer in a child writing fuzz-0.log in the current directory.
        (cd "$work" && nice -n 10 "$bindir/fuzz_$h" "${args[@]}" corpus >/dev/null 2>&1) ||
                status=$?
        log=$work/fuzz-0.log
        last=$(grep -E '^#[0-9]+.*cov: ' "$log" 2>/dev/null | tail -1 || true)
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" 2>/dev/null | tail -1)
        cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
        ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
        corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
        artifacts=$(find "$work" -maxdepth 1 -type f \
                \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) |
                wc -l)
        result=ok
        if ((artifacts > 0 || status != 0)); then
                result="FAIL($artifacts artifacts, exit $status)"
                failed=1
        fi
        rows+=("$(printf '| %-14s | %9s | %12s | %6s | %7s | %-12s | %s |' "$h" "${rate:-?}" \
                "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done

printf '\nlibFuzzer, %ss per harness, -jobs=1 -workers=1, %s, %s\n\n' "$secs" "$(date -u +%F)" \
        "$(uname -m)"
printf '| %-14s | %9s | %12s | %6s | %7s | %-12s | %s |\n' harness exec/s executions cov ft \
        corpus result
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------------- ----------: -------------: -------: \
        --------: -------------- --------
printf '%s\n' "${rows[@]}"
exit $failed
