#!/usr/bin/env bash
# End to end: `newsenrichd mock-cluster` in its own process, a few hundred JSON and
# Confluent-Avro articles plus one malformed payload per dead-letter reason, `newsenrichd run`
# until all are handled, SIGTERM (must exit 0). Every article must come out enriched (Avro,
# decoded independently with python3-avro), every malformed payload must be dead-lettered with
# its reason; the counts are printed.
source "$(dirname "$0")/lib/common.sh"

start_cluster in:4 out:3 dlq:1
gen batch --json 250 --avro 150 --malformed
produce batch
inputs=$(count in)
echo "produced: inputs=$inputs"

PORT=$((20000 + RANDOM % 20000))
write_config "$WORK/run.conf" "http.port = $PORT"
t0=$SECONDS
start_daemon 1 "$WORK/run.conf"
wait_count out 400 90 || fail "outputs missing"
wait_count dlq 9 30 || fail "dead letters missing"
sleep 1 # let the last offsets be stored and auto-committed

# The metrics agree with what the topics hold.
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || fail "GET /metrics failed"
curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null || fail "GET /ready is not 200"
grep -E '^newsenrichd_(messages_(consumed|produced)_total|messages_dead_lettered_total\{reason="bad_(json|avro)"\}|in_flight_messages|assigned_partitions) ' "$WORK/metrics"
grep -qx 'newsenrichd_messages_consumed_total 409' "$WORK/metrics" || fail "consumed metric"
grep -qx 'newsenrichd_messages_produced_total 400' "$WORK/metrics" || fail "produced metric"
grep -qx 'newsenrichd_messages_dead_lettered_total{reason="bad_avro"} 1' "$WORK/metrics" ||
        fail "dead-letter metric"
grep -qx 'newsenrichd_in_flight_messages 0' "$WORK/metrics" || fail "in-flight gauge"
grep -qx 'newsenrichd_assigned_partitions 4' "$WORK/metrics" || fail "assigned partitions"
stop_daemon || fail "daemon exited with status $? after SIGTERM"
echo "processed in $((SECONDS - t0)) s (includes the ~3 s group join)"
grep -q 'pipeline: stopped:' "$WORK/daemon-1.log" || fail "no shutdown summary in the log"
grep -q 'pipeline: dead-lettered: reason=' "$WORK/daemon-1.log" || fail "no dead-letter log line"
grep -q 'pipeline: stats:' "$WORK/daemon-1.log" || fail "no periodic stats line"
if grep -q 'pipeline: stopping:' "$WORK/daemon-1.log"; then fail "pipeline reported an error"; fi
grep -E 'pipeline: (stopped|dead-lettered):' "$WORK/daemon-1.log"

check batch

# A restart must find everything committed: nothing is processed again.
start_daemon 2 "$WORK/run.conf"
sleep 8
stop_daemon || fail "second daemon exited with status $?"
grep 'pipeline: stopped:' "$WORK/daemon-2.log"
grep -q 'pipeline: stopped: consumed=0 ' "$WORK/daemon-2.log" || fail "restart re-consumed inputs"
echo "PASS"
