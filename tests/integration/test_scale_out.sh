#!/usr/bin/env bash
# Scale-out and churn in one consumer group: three daemons share six input partitions while
# ~3000 articles keyed by 50 keys (per batch) arrive in three batches; meanwhile one instance
# is SIGKILLed and restarted and a fourth joins and leaves. At the end nothing is lost,
# duplicates are counted, the malformed inputs are dead-lettered, and per key the first
# occurrences in the (single-partition) output keep the input order (extra.seq, checked by
# check_outputs.py --key-order). The daemons are throttled so the churn hits work in flight.
source "$(dirname "$0")/lib/common.sh"

start_cluster in:6 out:1 dlq:1
for b in 1 2 3; do
        if ((b == 1)); then m=--malformed; else m=; fi
        gen "b$b" --json 1000 --keys 50 --prefix "b$b-" --seed "$b" $m
done
write_config "$WORK/run.conf" "pipeline.max_in_flight = 50" "kafka.producer.linger.ms = 50"

start_daemon a "$WORK/run.conf"
A=$DPID
start_daemon b "$WORK/run.conf"
B=$DPID
start_daemon c "$WORK/run.conf"
C=$DPID
t0=$SECONDS
produce b1
wait_count out 200 60 || fail "no progress with three instances"

kill -KILL "$B"
wait "$B" 2>/dev/null || true
echo "killed b (SIGKILL) at outputs=$(count out)"
produce b2
sleep 2
start_daemon b2 "$WORK/run.conf"
B=$DPID
wait_count out 1200 60 || fail "no progress after the kill"

start_daemon d "$WORK/run.conf"
D=$DPID
echo "added d at outputs=$(count out)"
produce b3
sleep 6 # d joins (rebalance) and takes some partitions
DPID=$D
stop_daemon || fail "d exited with status $? after SIGTERM"
echo "removed d at outputs=$(count out)"
grep 'pipeline: stopped:' "$WORK/daemon-d.log"

wait_distinct out 3000 90 || fail "outputs missing"
wait_stable out || fail "outputs keep coming"
for p in "$A" "$B" "$C"; do
        DPID=$p
        stop_daemon || fail "daemon $p exited with status $? after SIGTERM"
done
echo "churn run took $((SECONDS - t0)) s"
if grep -h 'pipeline: stopping:' "$WORK"/daemon-*.log; then fail "a pipeline reported an error"; fi
check b1 b2 b3 -- --key-order --low-watermarks
echo "PASS"
