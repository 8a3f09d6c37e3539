# Helpers for the broker-fault tests (tests/integration/test_fault_*.sh; sourced after
# common.sh). The mock cluster runs with --control, so a test injects faults with `ctl CMD`
# (grammar: `newsenrichd mock-cluster --help`) and knows each was applied. The usual shape:
#   fault_start         cluster (in:4 out:3 dlq:1, 3 brokers), daemon, first batch through
#   fault_traffic       the second, larger batch starts flowing (kcat in the background)
#   ctl ...             the fault, while that batch is in flight
#   fault_finish        every input has its output (distinct ids), the daemon is still the
#                       same process, its metrics are saved in $WORK/metrics, SIGTERM exits 0,
#                       and the audit (check_outputs.py) finds every input id and counts
#                       duplicates

CTL=$WORK/ctl
T0=$SECONDS
FAULT_N1=${FAULT_N1:-200}  # first batch: before the fault
FAULT_N2=${FAULT_N2:-1200} # second batch: the fault hits it
PORT=$((20000 + RANDOM % 20000))
# The daemon's settings under a fault. The mock holds every fetch for fetch.wait.max.ms
# (README, "Performance"): 50 ms keeps the pauses of back-pressure short. 100 in flight and
# 20 ms linger stretch a batch over a few seconds, so a fault lands in its middle.
FAULT_CONF=("http.port = $PORT" "kafka.consumer.fetch.wait.max.ms = 50"
        "pipeline.max_in_flight = 100" "kafka.producer.linger.ms = 20")

start_fault_cluster() {
        MOCK_ARGS=(--control "$CTL")
        start_cluster "$@"
}

# ctl CMD...: sends one control command and waits (5 s) for its "ok" answer.
ctl() {
        local n
        n=$(grep -cE '^(ok|error) ' "$WORK/cluster.out" || true)
        echo "$*" >"$CTL"
        for _ in $(seq 100); do
                (($(grep -cE '^(ok|error) ' "$WORK/cluster.out" || true) > n)) && break
                sleep 0.05
        done
        local reply
        reply=$(grep -E '^(ok|error) ' "$WORK/cluster.out" | tail -n 1)
        [[ $reply == "ok $*" ]] || fail "control '$*': ${reply:-no answer}"
        echo "fault: $* (t=$((SECONDS - T0)) s)"
}

# metric NAME_WITH_LABELS: its value in a fresh GET /metrics (0 when absent).
metric() {
        curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics.now" || fail "GET /metrics"
        awk -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' \
                "$WORK/metrics.now"
}

# leaders TOPIC: "partition leader" lines from the cluster's metadata.
leaders() {
        "$KCAT" -L -b "$BS" -t "$1" 2>/dev/null |
                sed -nE 's/.*partition ([0-9]+), leader ([0-9]+).*/\1 \2/p'
}

# rss PID: resident set size in KiB.
rss() {
        awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# split_leaders: broker 1 leads the input and dead-letter partitions, broker 2 coordinates the
# group, broker 3 leads the output partitions and nothing else; so a fault on broker 3 hits
# the daemon's producer alone, never kcat.
split_leaders() {
        local p
        for p in 0 1 2 3; do ctl leader in "$p" 1; done
        for p in 0 1 2; do ctl leader out "$p" 3; done
        ctl leader dlq 0 1
        ctl coordinator group "$GROUP" 2
}

# fault_start [EXTRA CONFIG LINES...]: cluster, both batches generated, daemon running and the
# first batch through it. Sets $DPID, $T0. Before any traffic: FAULT_SPLIT=1 runs
# split_leaders; a test that defines fault_layout() has it run (to place leaders and the
# coordinator where its fault will hit them).
fault_start() {
        start_fault_cluster in:4 out:3 dlq:1
        if [[ ${FAULT_SPLIT:-0} == 1 ]]; then split_leaders >/dev/null; fi
        if declare -F fault_layout >/dev/null; then fault_layout >/dev/null; fi
        gen b1 --json "$FAULT_N1" --malformed --prefix b1- --seed 1 &
        gen b2 --json "$FAULT_N2" --prefix b2- --seed 2
        wait $! || fail "gen b1"
        write_config "$WORK/run.conf" "${FAULT_CONF[@]}" "$@"
        T0=$SECONDS
        start_daemon 1 "$WORK/run.conf"
        FAULT_PID=$DPID
        produce b1
        wait_count out "$FAULT_N1" 60 || fail "first batch not through"
}

# fault_traffic: produces the second batch and returns once its first outputs appear and
# kcat is done, while the daemon still works through the rest: what follows hits traffic in
# flight, and kcat never meets the fault (request errors apply to every client of the mock).
fault_traffic() {
        produce b2
}

# mid_stream: fails unless the daemon is still working through the second batch (call it
# just before the fault).
mid_stream() {
        local n
        n=$(count out)
        ((n < FAULT_N1 + FAULT_N2)) || fail "the fault came too late: outputs=$n already"
        echo "mid-stream: outputs=$n of $((FAULT_N1 + FAULT_N2)) (t=$((SECONDS - T0)) s)"
}

# fault_finish [SECONDS]: waits for every output (default 90 s), checks the daemon recovered by
# itself (same PID, no pipeline error), saves its metrics, stops it and audits the topics.
fault_finish() {
        wait_distinct out $((FAULT_N1 + FAULT_N2)) "${1:-90}" || { lag_report; fail "outputs missing"; }
        wait_distinct dlq 9 30 || fail "dead letters missing"
        kill -0 "$DPID" 2>/dev/null || fail "the daemon died"
        # FAULT_RESTARTED=1: the test restarted it on purpose (the fault is one it stops on).
        if [[ ${FAULT_RESTARTED:-0} == 0 && $DPID != "$FAULT_PID" ]]; then
                fail "the daemon was restarted"
        fi
        curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || fail "GET /metrics"
        grep -E '^newsenrichd_(messages_(consumed|produced)_total|produce_errors_total|kafka_(client_errors|commit_errors|produce_retries)_total|in_flight_messages|rebalances_total) ' \
                "$WORK/metrics" || true
        grep -q '^newsenrichd_in_flight_messages 0$' "$WORK/metrics" || fail "in-flight not 0"
        if [[ ${FAULT_RESTARTED:-0} == 0 ]] && grep -q 'pipeline: stopping:' "$WORK/daemon-1.log"
        then
                fail "the pipeline stopped on a fault it should ride out"
        fi
        # SIGTERM drains and commits: any late duplicate is in the topic before the audit.
        stop_daemon || fail "daemon exited with status $? after SIGTERM"
        echo "recovered: pid $DPID (first $FAULT_PID), all outputs after $((SECONDS - T0)) s"
        check b1 b2 | tee "$WORK/check.out"
        grep -q '^counts:' "$WORK/check.out" || fail "no audit counts"
}

# daemon_log PATTERN: the first daemon's lines matching PATTERN (extended regex), at most 5;
# fails when there is none.
daemon_log() {
        grep -E "$1" "$WORK/daemon-1.log" | head -n 5 | cut -c1-200 | grep . ||
                fail "no log line matching '$1'"
}

# metric_at_least NAME MIN: the saved metrics ($WORK/metrics) show NAME >= MIN.
metric_at_least() {
        local v
        v=$(awk -v n="$1" '$1 == n { print $2 }' "$WORK/metrics")
        ((${v:-0} >= $2)) || fail "metric $1 is ${v:-absent}, expected >= $2"
}

# restart_check: a fresh daemon must find every offset committed (nothing consumed again).
restart_check() {
        start_daemon again "$WORK/run.conf"
        sleep 5 # the group join (~3 s), then fetches
        stop_daemon || fail "the restarted daemon exited with status $?"
        grep -q 'pipeline: stopped: consumed=0 ' "$WORK/daemon-again.log" ||
                fail "inputs consumed again: $(grep 'pipeline: stopped:' "$WORK/daemon-again.log")"
        echo "restart: nothing consumed again (every offset was committed)"
}
