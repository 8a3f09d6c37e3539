#!/usr/bin/env bash
# Graceful shutdown mid-stream: SIGTERM while inputs are in flight must drain them, flush the
# producer, commit, and exit 0; a restart then finishes the stream with nothing lost and nothing
# processed twice.
source "$(dirname "$0")/lib/common.sh"

start_cluster in:4 out:3 dlq:1
gen batch --json 300 --avro 200 --malformed --seed 3
produce batch
echo "produced: inputs=$(count in)"

# Slow, so that SIGTERM lands mid-stream (see test_run_kill.sh).
write_config "$WORK/slow.conf" "pipeline.max_in_flight = 10" "kafka.producer.linger.ms = 100"
start_daemon slow "$WORK/slow.conf"
wait_count out 100 60 || fail "no progress before SIGTERM"
stop_daemon || fail "daemon exited with status $? after SIGTERM"
at_term=$(count out)
echo "stopped with SIGTERM after outputs=$at_term"
((at_term < 500)) || fail "too late to stop mid-stream (outputs=$at_term)"
grep 'pipeline: stopped:' "$WORK/daemon-slow.log"
grep -q 'pipeline: stopped: .* uncommitted=0$' "$WORK/daemon-slow.log" || fail "left inputs uncommitted"

write_config "$WORK/run.conf"
start_daemon again "$WORK/run.conf"
wait_count out 500 90 || fail "outputs missing after restart"
wait_stable out || fail "outputs keep coming"
stop_daemon || fail "restarted daemon exited with status $?"
grep 'pipeline: stopped:' "$WORK/daemon-again.log"

check batch -- --max-duplicates 0
echo "PASS"
