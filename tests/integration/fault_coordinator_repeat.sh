#!/usr/bin/env bash
# By hand (not in CTest): the group coordinator's broker goes down for 5 s, CYCLES times, each
# time while a batch of 1,200 articles is in flight. Every outage outlasts the 3 s session, so
# the daemon loses its assignment, drops the work in flight, rejoins and reads again from the
# last commit: the path where a consumer can skip or stall. At the end every input id must be
# out (duplicates are counted, not failed). NE_IT_KEEP_LOGS=DIR keeps the logs of a failure;
# DEBUG=1 adds librdkafka's cgrp,topic,fetch debug to the daemon's log.
#   NEWSENRICHD=build/asan/newsenrichd tests/integration/fault_coordinator_repeat.sh 8
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

CYCLES=${1:-8}
N=1200
start_fault_cluster in:4 out:3 dlq:1
ctl coordinator group "$GROUP" 2 >/dev/null
pids=()
for c in $(seq "$CYCLES"); do
        gen "c$c" --json "$N" --prefix "c$c-" --seed $((10 + c)) >/dev/null &
        pids+=($!)
done
wait "${pids[@]}" || fail "gen"
extra=()
[[ ${DEBUG:-0} == 1 ]] && extra=("kafka.consumer.debug = cgrp,topic,fetch" "log.level = debug")
write_config "$WORK/run.conf" "${FAULT_CONF[@]}" "${extra[@]}"
start_daemon 1 "$WORK/run.conf"
T0=$SECONDS
names=()
for c in $(seq "$CYCLES"); do
        produce "c$c"
        names+=("c$c")
        echo "cycle $c: outputs=$(count out) of $((c * N)) before the outage"
        ctl broker-down 2
        sleep 5
        ctl broker-up 2
        wait_distinct out $((c * N)) 180 || { lag_report; fail "outputs missing after cycle $c"; }
done
kill -0 "$DPID" 2>/dev/null || fail "the daemon died"
grep -q 'pipeline: stopping:' "$WORK/daemon-1.log" && fail "the pipeline stopped"
stop_daemon || fail "daemon exited with status $? after SIGTERM"
echo "sessions lost: $(grep -c 'revoked: count=[0-9]* lost=1' "$WORK/daemon-1.log" || true)," \
        "skipped redeliveries: $(grep -c 'skipped a redelivered input' "$WORK/daemon-1.log" || true)," \
        "time: $((SECONDS - T0)) s"
check "${names[@]}" | tee "$WORK/check.out"
grep -q '^counts:' "$WORK/check.out" || fail "no audit counts"
echo PASS
