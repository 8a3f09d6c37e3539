#!/usr/bin/env bash
# Crash safety: the daemon is SIGKILLed mid-stream (slowed down so there is a middle) and
# restarted; every article must still come out enriched and every malformed payload be
# dead-lettered. Duplicates are allowed (at-least-once) and counted.
source "$(dirname "$0")/lib/common.sh"

start_cluster in:4 out:3 dlq:1
gen batch --json 300 --avro 200 --malformed
produce batch
echo "produced: inputs=$(count in)"

# Slow: at most 10 inputs in flight, 100 ms linger per produce batch; commits only every 5 s,
# so the kill leaves acknowledged but uncommitted inputs behind (duplicates after restart).
COMMIT_MS=5000 write_config "$WORK/slow.conf" "pipeline.max_in_flight = 10" \
        "kafka.producer.linger.ms = 100"
start_daemon slow "$WORK/slow.conf"
wait_count out 100 60 || fail "no progress before the kill"
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null || true
at_kill=$(count out)
echo "killed with SIGKILL after outputs=$at_kill"
((at_kill < 500)) || fail "too late to kill mid-stream (outputs=$at_kill)"

write_config "$WORK/run.conf"
start_daemon again "$WORK/run.conf"
wait_distinct out 500 90 || fail "outputs missing after restart"
wait_stable out || fail "outputs keep coming"
stop_daemon || fail "restarted daemon exited with status $? after SIGTERM"
grep 'pipeline: stopped:' "$WORK/daemon-again.log"

check batch
echo "PASS"
