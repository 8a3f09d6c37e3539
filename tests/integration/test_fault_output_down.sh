#!/usr/bin/env bash
# Slow or absent output: the broker leading every output partition goes down for a while
# under a backlog of thousands of articles. Promised: back-pressure (pipeline.max_in_flight,
# default 1000) pauses consumption, so memory stays bounded and the lag waits in Kafka; the
# daemon rides the outage out in the same process and drains the backlog when the broker is
# back; and nothing is committed that was not delivered: a daemon SIGKILLed during a second
# outage, restarted after it, loses nothing. Prints VmRSS before, during (max) and after.
# OUTAGE_S sets the first outage (default 20 s).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

OUTAGE_S=${OUTAGE_S:-20}
N1=300 N2=3000 N3=1000
start_fault_cluster in:4 out:3 dlq:1
# Broker 3 leads the output and nothing else: inputs and dead letters on broker 1, the
# group coordinator on broker 2, so kcat and the consumer never need broker 3.
for p in 0 1 2 3; do ctl leader in "$p" 1; done
for p in 0 1 2; do ctl leader out "$p" 3; done
ctl leader dlq 0 1
ctl coordinator group "$GROUP" 2
gen b1 --json $N1 --malformed --prefix b1- --seed 1 &
g1=$!
gen b2 --json $N2 --prefix b2- --seed 2 &
g2=$!
gen b3 --json $N3 --prefix b3- --seed 3
wait $g1 && wait $g2 || fail "gen"
write_config "$WORK/run.conf" "http.port = $PORT" "kafka.consumer.fetch.wait.max.ms = 50"
T0=$SECONDS
start_daemon 1 "$WORK/run.conf"
FAULT_PID=$DPID
produce b1
wait_count out $N1 60 || fail "first batch not through"
wait_count dlq 9 30 || fail "dead letters missing"
sleep 1
rss_before=$(rss "$DPID")
echo "rss before: ${rss_before} KiB"

# Outage 1: the daemon keeps running; the backlog arrives while the output is down.
ctl broker-down 3
produce b2
rss_max=0
for ((i = 0; i < OUTAGE_S; i++)); do
        sleep 1
        r=$(rss "$DPID") || fail "the daemon died during the outage"
        ((r > rss_max)) && rss_max=$r
done
consumed=$(metric newsenrichd_messages_consumed_total)
in_flight=$(metric newsenrichd_in_flight_messages)
lag=$(awk '$1 ~ /^newsenrichd_consumer_lag\{/ { s += $2 } END { print s + 0 }' "$WORK/metrics.now")
produced=$(metric newsenrichd_messages_produced_total)
echo "during the outage (${OUTAGE_S} s): rss max=${rss_max} KiB consumed=$consumed" \
        "produced=$produced in_flight=$in_flight consumer_lag=$lag"
grep -E 'pipeline: stats:' "$WORK/daemon-1.log" | tail -n 1
((in_flight <= 1000)) || fail "in-flight $in_flight over pipeline.max_in_flight"
((consumed < N1 + 9 + N2)) || fail "consumption did not pause: consumed=$consumed"
((lag > 0)) || fail "no consumer lag while the output is down"
((produced <= N1)) || fail "outputs produced while their broker was down?"
# Bounded: a backlog of 3,000 articles must not all sit in memory. librdkafka's own buffers
# and the 1,000 in flight take a few MiB; 100 MiB over the start is far beyond a leak.
((rss_max < rss_before + 102400)) || fail "memory grew by $((rss_max - rss_before)) KiB"

ctl broker-up 3
wait_distinct out $((N1 + N2)) 120 || fail "the backlog did not drain after the outage"
kill -0 "$FAULT_PID" || fail "the daemon died"
drained=$((SECONDS - T0))
sleep 1
rss_after=$(rss "$DPID")
echo "backlog drained (t=$drained s); rss after: ${rss_after} KiB"
metric newsenrichd_kafka_client_errors_total >/dev/null
grep -E '^newsenrichd_(messages_(consumed|produced)_total|kafka_client_errors_total|produce_errors_total|in_flight_messages) ' \
        "$WORK/metrics.now"
grep -qx 'newsenrichd_produce_errors_total 0' "$WORK/metrics.now" || fail "a delivery failed"
grep -q 'pipeline: stopping:' "$WORK/daemon-1.log" && fail "the pipeline stopped"

# Outage 2: SIGKILL while the output is down; restart once it is back. Nothing consumed in
# the outage was delivered, so none of it may have been committed.
consumed=$(metric newsenrichd_messages_consumed_total)
ctl broker-down 3
produce b3
sleep 3
consumed2=$(metric newsenrichd_messages_consumed_total)
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null || true
echo "killed (SIGKILL) during outage 2 after consuming $((consumed2 - consumed)) undeliverable inputs"
((consumed2 > consumed)) || fail "nothing consumed during outage 2: the kill tests nothing"
ctl broker-up 3
start_daemon 2 "$WORK/run.conf"
wait_distinct out $((N1 + N2 + N3)) 120 || fail "outputs missing after the restart"
stop_daemon || fail "restarted daemon exited with status $?"
check b1 b2 b3 | tee "$WORK/check.out"
echo "rss KiB: before=$rss_before during_max=$rss_max after=$rss_after"
echo PASS
