#!/usr/bin/env bash
# Runs the integration tests (tests/integration/test_*.sh) with every newsenrichd process except
# the mock cluster under valgrind's memcheck, and fails if any process reports a memory error or
# a definitely/indirectly lost block. By hand, not in CI: under valgrind the suite takes far
# longer than CI's budget (model loading alone slows ~20-50x).
#
#   tests/valgrind/run.sh                      # every test, the slow ones last
#   tests/valgrind/run.sh test_run_e2e test_check_config    # a subset, by name
#
# Needs valgrind (installed with apt-get when missing, which needs root) plus what the
# integration tests need (kcat, python3-avro, curl). Builds the binary with the dev preset
# (RelWithDebInfo, no sanitizers: valgrind cannot run an ASan binary) unless NE_VG_BINARY names
# one. Environment:
#   NE_IT_TIMEOUT_SCALE  multiplier for the tests' waits (default 20; see lib/common.sh)
#   NE_VG_OUT            where the valgrind logs are kept (default build/valgrind)
# Prints one line per test (status, wall time, errors, definitely/indirectly/possibly lost
# bytes summed over its processes). Exit status: 0 when every test passed and was clean.
# Processes a test kills with SIGKILL on purpose leave a log without a leak summary; their
# memory errors still count, their leaks cannot be known ("unchecked" in the table).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"

# Not run under valgrind: test_deb_package builds and installs its own Release package, and
# test_systemd_units only hands the binary's path to systemd-analyze; neither runs our code.
skip_re='^test_(deb_package|systemd_units)$'
# The slowest under valgrind go last, so a run cut short has covered the most.
heavy=(test_run_reload test_scale_out test_chaos_small)

if ! command -v valgrind >/dev/null; then
        echo "== installing valgrind"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind >/dev/null ||
                { apt-get update -q >/dev/null && apt-get install -y -q valgrind >/dev/null; }
fi

real=${NE_VG_BINARY:-}
if [[ -z $real ]]; then
        echo "== build (dev preset)"
        cmake --preset dev >/dev/null
        cmake --build --preset dev --target newsenrichd >/dev/null
        real=$src/build/dev/newsenrichd
fi
real=$(readlink -f "$real")
if nm -an "$real" 2>/dev/null | grep -q '__asan_init'; then
        echo "$real is built with AddressSanitizer; valgrind cannot run it" >&2
        exit 2
fi

if (($#)); then
        tests=("$@")
else
        tests=()
        for f in tests/integration/test_*.sh; do
                t=$(basename "$f" .sh)
                [[ $t =~ $skip_re || " ${heavy[*]} " == *" $t "* ]] || tests+=("$t")
        done
        tests+=("${heavy[@]}")
fi

out=${NE_VG_OUT:-$src/build/valgrind}
rm -rf "$out"
mkdir -p "$out"
export NE_SOURCE_DIR=$src NE_FIXTURES=$src/tests/fixtures NE_VG_REAL=$real
export NEWSENRICHD=$src/tests/valgrind/newsenrichd-vg
export NE_IT_TIMEOUT_SCALE=${NE_IT_TIMEOUT_SCALE:-20}

# sum_logs LOGS...: errors, definitely, indirectly and possibly lost bytes, unchecked logs
# (no leak summary: the process was killed) and logs, over the given valgrind logs.
sum_logs() {
        awk '
                FNR == 1 { files++ }
                /ERROR SUMMARY:/ { errs += $4; summary[FILENAME] = 1 }
                /Invalid (read|write|free)|uninitialised|Mismatched free|Syscall param|overlap/ {
                        live[FILENAME]++
                }
                /definitely lost:/ { gsub(",", "", $4); def += $4 }
                /indirectly lost:/ { gsub(",", "", $4); ind += $4 }
                /possibly lost:/ { gsub(",", "", $4); pos += $4 }
                END {
                        for (f in live) if (!(f in summary)) errs += live[f]
                        unchecked = files
                        for (f in summary) unchecked--
                        printf "%d %d %d %d %d %d\n", errs, def, ind, pos, unchecked, files
                }' "$@" /dev/null
}

failed=0
printf '%-28s %-6s %7s %6s %9s %9s %9s %6s\n' test result wall_s errors def_lost ind_lost \
        pos_lost procs >"$out/summary.txt"
for t in "${tests[@]}"; do
        script=tests/integration/$t.sh
        [[ -f $script ]] || { echo "no such test: $t" >&2; exit 2; }
        export NE_VG_LOGDIR=$out/$t
        mkdir -p "$NE_VG_LOGDIR"
        echo "== $t"
        t0=$(date +%s)
        rc=0
        nice bash "$script" >"$out/$t.out" 2>&1 || rc=$?
        wall=$(($(date +%s) - t0))
        read -r errs def ind pos unchecked files < <(sum_logs "$NE_VG_LOGDIR"/*.log)
        result=pass
        if ((rc != 0)); then
                result=FAIL
                tail -n 40 "$out/$t.out"
        fi
        if ((errs > 0 || def > 0 || ind > 0)); then
                result=FAIL
                grep -l -E 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|indirectly lost: [1-9]' \
                        "$NE_VG_LOGDIR"/*.log || true
        fi
        [[ $result == pass ]] || failed=1
        procs=$files
        ((unchecked == 0)) || procs="$files ($unchecked unchecked)"
        printf '%-28s %-6s %7d %6d %9d %9d %9d %s\n' "$t" "$result" "$wall" "$errs" "$def" \
                "$ind" "$pos" "$procs" | tee -a "$out/summary.txt"
done
echo
cat "$out/summary.txt"
echo "logs: $out"
exit "$failed"
