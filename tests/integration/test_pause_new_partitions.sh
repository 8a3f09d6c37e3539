#!/usr/bin/env bash
# Back-pressure right after an assignment: 60 input partitions and pipeline.max_in_flight = 8,
# so the consumer pauses before most partitions have started fetching. librdkafka 2.0 loses
# the fetch start of a partition paused (or resumed) in that window and never fetches it again
# (see daemon/kafka/part_state.h); the 100,000-article chaos run with models left one
# partition's worth of inputs unconsumed that way, most likely. The window is narrow, so this
# test does not hit it on every run of the old code; it guards the path (pauses before most
# partitions start). Every input must come out, and every non-empty partition must have a
# consumer position (a lag series in /metrics).
source "$(dirname "$0")/lib/common.sh"

start_cluster in:60 out:4 dlq:1
gen batch --json 300 --seed 11
produce batch
PORT=$((20000 + RANDOM % 20000))
write_config "$WORK/run.conf" "pipeline.max_in_flight = 8" "http.port = $PORT"
t0=$SECONDS
start_daemon 1 "$WORK/run.conf"
ok=1
wait_distinct out 300 120 || ok=0
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || fail "GET /metrics failed"
series=$(grep -c '^newsenrichd_consumer_lag{topic="in"' "$WORK/metrics" || true)
# A partition the keys left empty never gets a position: compare with the non-empty ones.
nonempty=$("$KCAT" -C -b "$BS" -t in -e -q -f '%p\n' | sort -u | wc -l)
pauses=$(grep -o 'pauses=[0-9]*' "$WORK/daemon-1.log" | tail -n 1)
echo "outputs=$(count out) partitions_with_position=$series/$nonempty $pauses after $((SECONDS - t0)) s"
((ok)) || fail "outputs missing: a partition never started fetching"
((series == nonempty)) || fail "only $series of $nonempty partitions have a position"
stop_daemon || fail "daemon exited with status $? after SIGTERM"
check batch
echo "PASS"
