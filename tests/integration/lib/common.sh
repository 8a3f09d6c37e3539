# Shared helpers for the integration tests (sourced, bash). Everything runs on 127.0.0.1 in a
# temporary directory; every process started here is killed by the EXIT trap. Needs
# $NEWSENRICHD, kcat, and /usr/bin/python3 with python3-avro.
set -euo pipefail

: "${NEWSENRICHD:?set NEWSENRICHD to the newsenrichd binary}"
NE_SOURCE_DIR=${NE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
LIB=$NE_SOURCE_DIR/tests/integration/lib
PY=/usr/bin/python3
KCAT=${KCAT:-kcat}
WORK=$(mktemp -d /tmp/ne-it.XXXXXX)
PIDS=()
GROUP=ne-it-$$
# NE_IT_TIMEOUT_SCALE multiplies every wait below (default 1); tests/valgrind/run.sh raises it,
# since the daemon runs 20-50x slower under valgrind.
SCALE=${NE_IT_TIMEOUT_SCALE:-1}
[[ $SCALE =~ ^[1-9][0-9]*$ ]] || { echo "NE_IT_TIMEOUT_SCALE must be a positive integer" >&2; exit 2; }

cleanup() {
        local rc=$? i pid
        for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do # daemons first, the cluster last
                pid=${PIDS[i]}
                kill -TERM "$pid" 2>/dev/null || continue
                for _ in $(seq $((50 * SCALE))); do
                        kill -0 "$pid" 2>/dev/null || break
                        sleep 0.1
                done
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        # The processes' stderr went to files: surface sanitizer reports (CTest fails on them).
        if grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$WORK"/*.log \
                2>/dev/null; then
                grep -hE -A30 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
                        "$WORK"/*.log | head -n 200
                rc=1
        fi
        if [[ $rc -ne 0 ]]; then
                echo "--- daemon logs (last 30 lines each) ---"
                for f in "$WORK"/daemon*.log; do
                        [[ -f $f ]] && { echo "== $f"; tail -n 30 "$f"; }
                done
        fi
        # NE_IT_KEEP_LOGS=DIR keeps every log of a failed run for a post-mortem.
        if [[ $rc -ne 0 && -n ${NE_IT_KEEP_LOGS:-} ]]; then
                mkdir -p "$NE_IT_KEEP_LOGS" && cp "$WORK"/*.log "$NE_IT_KEEP_LOGS"/ || true
        fi
        [[ -n ${NE_IT_KEEP_WORK:-} ]] || rm -rf "$WORK"
        exit "$rc"
}
trap cleanup EXIT

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

# start_cluster TOPIC[:PARTITIONS]... : starts `newsenrichd mock-cluster`, sets $BS. Extra
# mock-cluster options (e.g. --control FIFO) go in the array MOCK_ARGS.
MOCK_ARGS=()
start_cluster() {
        local args=("${MOCK_ARGS[@]}")
        for t in "$@"; do args+=(--topic "$t"); done
        "$NEWSENRICHD" mock-cluster --brokers 3 "${args[@]}" \
                --bootstrap-file "$WORK/bootstrap" >"$WORK/cluster.out" 2>"$WORK/cluster.log" &
        PIDS+=($!)
        for _ in $(seq 100); do
                [[ -s $WORK/bootstrap ]] && break
                sleep 0.1
        done
        [[ -s $WORK/bootstrap ]] || fail "mock cluster did not start"
        BS=$(cat "$WORK/bootstrap")
}

# write_config FILE [EXTRA LINES...]: a daemon config for the test cluster.
write_config() {
        local file=$1
        shift
        {
                echo "input.topics = in"
                echo "output.topic = out"
                echo "output.format = avro"
                echo "output.schema_id = 2"
                echo "dead_letter.topic = dlq"
                echo "schema.1 = $NE_SOURCE_DIR/schemas/article_published.avsc"
                echo "schema.2 = $NE_SOURCE_DIR/schemas/article_enriched.avsc"
                echo "input.max_bytes = 65536"
                echo "log.stats_interval_s = 2"
                echo "kafka.bootstrap.servers = $BS"
                echo "kafka.consumer.group.id = $GROUP"
                echo "kafka.consumer.session.timeout.ms = 3000"
                echo "kafka.consumer.heartbeat.interval.ms = 500"
                echo "kafka.consumer.auto.commit.interval.ms = ${COMMIT_MS:-500}"
                for line in "$@"; do echo "$line"; done
        } >"$file"
}

# gen NAME ARGS...: generates $WORK/NAME.in and $WORK/NAME.expect.json.
gen() {
        local name=$1
        shift
        "$PY" "$LIB/gen_inputs.py" --schema "$NE_SOURCE_DIR/schemas/article_published.avsc" \
                --out "$WORK/$name.in" --expect "$WORK/$name.expect.json" "$@"
}

# produce NAME: writes $WORK/NAME.in to the input topic (keys as given, default partitioner).
produce() {
        "$KCAT" -P -b "$BS" -t in -D '\n<<ne-msg-3f9c1b>>\n' -K '<<ne-key-3f9c1b>>' \
                -l "$WORK/$1.in" || fail "kcat produce failed"
}

# count TOPIC: number of messages in the topic now.
count() {
        "$KCAT" -C -b "$BS" -t "$1" -e -q -f 'x\n' 2>/dev/null | wc -l
}

# wait_at_least COUNTER TOPIC N SECONDS: waits until `COUNTER TOPIC` (count or distinct) prints
# at least N (SECONDS scaled).
wait_at_least() {
        local deadline=$((SECONDS + $4 * SCALE)) n
        while :; do
                n=$("$1" "$2")
                ((n >= $3)) && return 0
                ((SECONDS >= deadline)) && { echo "$2: $1 $n of $3 after $(($4 * SCALE)) s" >&2; return 1; }
                sleep 0.5
        done
}

# wait_count TOPIC N SECONDS: waits until TOPIC holds at least N messages.
wait_count() {
        wait_at_least count "$@"
}

# distinct TOPIC: number of distinct message keys in the topic now (every input has its own key,
# and its events carry it).
distinct() {
        "$KCAT" -C -b "$BS" -t "$1" -e -q -f '%k\n' 2>/dev/null | sort -u | wc -l
}

# wait_distinct TOPIC N SECONDS: waits until TOPIC holds N distinct keys. Use it, not
# wait_count, before an audit wherever duplicates can happen (restarts, rebalances, retries):
# duplicates bring the message count to N while inputs are still on their way, and the audit
# would then report them lost.
wait_distinct() {
        wait_at_least distinct "$@"
}

# lag_report: the running daemon's non-zero lag, in-flight and assignment series (its HTTP
# endpoint on $PORT), to tell a stalled consumer (lag > 0, nothing moving) from offsets
# committed past lost work (lag 0) when outputs are missing.
lag_report() {
        curl -sf "http://127.0.0.1:$PORT/metrics" | grep -E '^newsenrichd_(consumer_lag|in_flight|assigned)' |
                awk '$2 != 0' | head -n 80 || echo "no /metrics from the daemon"
}

# wait_stable TOPIC: waits (up to 30 s, scaled) until TOPIC's count has not changed for 3 s.
wait_stable() {
        local last=-1 n same=0
        for _ in $(seq $((60 * SCALE))); do
                n=$(count "$1")
                if ((n == last)); then
                        same=$((same + 1))
                        ((same >= 6)) && return 0
                else
                        same=0
                        last=$n
                fi
                sleep 0.5
        done
        return 1
}

# dump TOPIC FILE: every message with partition, offset, key, value and headers.
dump() {
        "$KCAT" -C -b "$BS" -t "$1" -e -q -f '%p %o %K %S\n%k%s\n%h\n' >"$2"
}

# start_daemon NAME CONFIG: starts `newsenrichd run`, log in $WORK/daemon-NAME.log; sets $DPID.
start_daemon() {
        "$NEWSENRICHD" run --config "$2" --allow-root >"$WORK/daemon-$1.log" 2>&1 &
        DPID=$!
        PIDS+=("$DPID")
}

# nap SECONDS: sleep SECONDS times NE_IT_TIMEOUT_SCALE, for waits that give the daemon time to
# act (join a group, commit), not for waits that let the clock move on.
nap() {
        sleep "$(awk -v s="$1" -v k="$SCALE" 'BEGIN { print s * k }')"
}

# stop_daemon: SIGTERM and wait; returns the exit status.
stop_daemon() {
        kill -TERM "$DPID"
        local rc=0
        wait "$DPID" || rc=$?
        return $rc
}

# check NAME... [-- CHECK_OPTIONS...]: runs check_outputs.py on the out and dlq topics against
# the expectations.
check() {
        local expects=() opts=()
        while (($#)); do
                if [[ $1 == -- ]]; then
                        shift
                        opts=("$@")
                        break
                fi
                expects+=(--expect "$WORK/$1.expect.json")
                shift
        done
        dump out "$WORK/out.dump"
        dump dlq "$WORK/dlq.dump"
        "$PY" "$LIB/check_outputs.py" "${expects[@]}" --out-dump "$WORK/out.dump" \
                --dlq-dump "$WORK/dlq.dump" --schema "$NE_SOURCE_DIR/schemas/article_enriched.avsc" \
                "${opts[@]}"
}
