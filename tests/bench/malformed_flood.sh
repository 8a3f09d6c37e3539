#!/usr/bin/env bash
# RSS under a flood of malformed input (not CI; run by hand):
#   tests/bench/malformed_flood.sh [N]          (default N = 1000000)
# Produces N messages cycling through the malformed corpus (tests/fixtures/malformed/, every
# file up to FLOOD_MAX_BYTES, default 32768: all but the two too_large ones; FLOOD_MATCH=avro_
# keeps the files whose name contains it) into a mock
# cluster, runs one daemon over them, samples the daemon's VmRSS from /proc every 2 s, and
# prints RSS after the warm-up (the first sample past WARMUP messages, default 100000), at the
# end, the peak after warm-up and the growth, plus messages/s. Every message must be
# dead-lettered (the metrics are the count: the mock's retention of 5 MiB per partition drops
# old dead letters, so the topic itself cannot be counted).
# The input goes in rounds of ROUND messages (default 100000) over 16 partitions, each round
# produced once the daemon has dead-lettered the previous one, so the mock never drops input
# the daemon has not read; after each round, with the daemon idle for 2 s, its RSS "at rest"
# is printed too: that series is the cleanest leak signal, as RSS while busy swings with
# librdkafka's fetch queue (queued.max.messages.kbytes, 64 MiB by default; set QUEUE_KB to
# bound it). HEAP=1 adds malloc's bytes in use at rest (through gdb), which tells a leak from
# the allocator keeping freed pages; TRIM=1 then calls malloc_trim(0) in the daemon (gdb again)
# and prints the RSS left. NEWSENRICHD defaults to build/dev/newsenrichd; run it under `nice`.
set -euo pipefail
N=${1:-1000000}
ROUND=${ROUND:-100000}
WARMUP=${WARMUP:-100000}
HERE=$(cd "$(dirname "$0")" && pwd)
export NE_SOURCE_DIR=${NE_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
export NEWSENRICHD=${NEWSENRICHD:-$NE_SOURCE_DIR/build/dev/newsenrichd}
source "$NE_SOURCE_DIR/tests/integration/lib/common.sh"

CORPUS=$NE_SOURCE_DIR/tests/fixtures/malformed
((ROUND > N)) && ROUND=$N
start_cluster in:16 out:1 dlq:16
gen_flood() {
        "$PY" "$LIB/malformed_inputs.py" --corpus "$CORPUS" --out "$WORK/flood.in" \
                --flood "$ROUND" --flood-max-bytes "${FLOOD_MAX_BYTES:-32768}" \
                --flood-match "${FLOOD_MATCH:-}"
}
gen_flood
# A round must fit the mock's retention with room to spare (3 of its 5 MiB per partition, over
# 16 partitions), or input is dropped before the daemon reads it and the round never ends.
fit=$((16 * 3 * 1024 * 1024 * ROUND / $(stat -c %s "$WORK/flood.in")))
if ((fit < ROUND)); then
        ROUND=$fit
        echo "round size lowered to $ROUND messages for the mock's retention"
        gen_flood
fi

PORT=$((20000 + RANDOM % 20000))
write_config "$WORK/run.conf" "http.port = $PORT" \
        "schema.3 = $CORPUS/schemas/no_body.avsc" \
        "schema.4 = $NE_SOURCE_DIR/tests/fixtures/codec/article_int_id.avsc" \
        "schema.5 = $CORPUS/schemas/not_record.avsc" \
        ${QUEUE_KB:+"kafka.consumer.queued.max.messages.kbytes = $QUEUE_KB"}
start_daemon 1 "$WORK/run.conf"
pid=$DPID

metric() { # metric NAME_REGEX: sum of the matching samples
        curl -sf "http://127.0.0.1:$PORT/metrics" 2>/dev/null |
                awk -v re="^($1)[ {]" '$0 ~ re { s += $NF } END { printf "%d\n", s }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
# heap_kb: bytes malloc has handed out and not got back, over all arenas (glibc malloc_stats()
# called through gdb, which prints to the daemon's stderr): what RSS is, minus the pages the
# allocator keeps. With HEAP=1 after every round; needs gdb and ptrace rights.
heap_kb() {
        gdb -p "$pid" -batch -ex 'call (void)malloc_stats()' >/dev/null 2>&1 || true
        sleep 0.2
        awk '/in use bytes/ { v = $NF } END { printf "%d\n", v / 1024 }' "$WORK/daemon-1.log"
}

# The sampler: "seconds consumed rss_kb" every 2 s.
(
        t0=$SECONDS
        while kill -0 "$pid" 2>/dev/null; do
                echo "$((SECONDS - t0)) $(metric newsenrichd_messages_consumed_total) $(rss_kb)"
                sleep 2
        done
) >"$WORK/samples" 2>/dev/null &
sampler=$!

produced=0
t_busy=0
while ((produced < N)); do
        t_round=$(date +%s.%N)
        n=$ROUND
        ((produced + n > N)) && n=$((N - produced))
        if ((n == ROUND)); then
                produce flood
        else
                head -c "$(python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
delim = b"\n<<ne-msg-3f9c1b>>\n"
pos = 0
for _ in range(int(sys.argv[2])):
        pos = d.index(delim, pos) + len(delim)
print(pos)' "$WORK/flood.in" "$n")" "$WORK/flood.in" >"$WORK/flood_tail.in"
                produce flood_tail
        fi
        produced=$((produced + n))
        deadline=$((SECONDS + 900))
        while :; do
                kill -0 "$pid" 2>/dev/null || fail "daemon died"
                c=$(metric newsenrichd_messages_dead_lettered_total)
                ((c >= produced)) && break
                ((SECONDS >= deadline)) && fail "dead-lettered $c of $produced after 900 s"
                sleep 1
        done
        t_busy=$(echo "$t_busy + $(date +%s.%N) - $t_round" | bc)
        sleep 2
        rest=$(rss_kb)
        heap=
        if [[ -n ${HEAP:-} ]]; then heap=" heap_in_use_kb=$(heap_kb)"; fi
        if [[ -n ${TRIM:-} ]]; then
                gdb -p "$pid" -batch -ex 'call (int)malloc_trim(0)' >/dev/null 2>&1 || true
                heap+=" rss_after_malloc_trim_kb=$(rss_kb)"
        fi
        echo "round: produced=$produced dead_lettered=$c rss_at_rest_kb=$rest$heap"
        echo "$produced $rest" >>"$WORK/rest"
done
deadline=$((SECONDS + 120))
while (($(metric 'newsenrichd_messages_dead_lettered_total') < N)); do
        ((SECONDS >= deadline)) && fail "dead letters: $(metric newsenrichd_messages_dead_lettered_total) of $N"
        sleep 1
done
sleep 3 # two more samples at rest
rss_end=$(rss_kb)
dl=$(metric newsenrichd_messages_dead_lettered_total)
enr=$(metric newsenrichd_messages_produced_total)
stop_daemon || fail "daemon exited with status $? after SIGTERM"
wait "$sampler" 2>/dev/null || true
grep 'pipeline: stopped:' "$WORK/daemon-1.log"

awk -v warm="$WARMUP" -v end="$rss_end" -v n="$N" -v dl="$dl" -v enr="$enr" \
        -v secs="$t_busy" -v rest1="$(awk 'NR == 1 { print $2 }' "$WORK/rest")" \
        -v restmax="$(awk '$2 > m { m = $2 } END { print m }' "$WORK/rest")" '
        $2 >= warm && !w { w = $3; wt = $1; wc = $2 }
        w && $3 > peak { peak = $3 }
        END {
                if (!w) { print "no sample past the warm-up"; exit 1 }
                printf "messages: %d malformed, dead_lettered=%d, enriched events=%d\n", n, dl, enr
                printf "duration: %.1f s producing and processing (rests excluded), %.0f messages/s\n", secs, n / secs
                printf "RSS after warm-up (%d consumed, t=%d s): %d KiB\n", wc, wt, w
                printf "RSS at the end: %d KiB; peak after warm-up: %d KiB\n", end, peak
                printf "growth: %+d KiB (%+.1f%%)\n", end - w, 100 * (end - w) / w
                printf "RSS at rest: after round 1 %d KiB, at the end %d KiB (%+d KiB), " \
                       "highest %d KiB\n", rest1, end, end - rest1, restmax
        }' "$WORK/samples"
((dl == N)) || fail "dead-lettered $dl of $N"
cp "$WORK/samples" "${FLOOD_SAMPLES:-/tmp/malformed_flood.samples}"
echo "samples (seconds consumed rss_kb): ${FLOOD_SAMPLES:-/tmp/malformed_flood.samples}"
