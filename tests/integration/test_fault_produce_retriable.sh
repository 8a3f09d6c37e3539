#!/usr/bin/env bash
# Broker fault: produce requests fail with retriable errors (NOT_LEADER_OR_FOLLOWER,
# REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS) while a batch flows. The idempotent producer retries
# them: the daemon rides it out in the same process, nothing is lost, no delivery fails, and
# newsenrichd_kafka_produce_retries_total says it retried. The errors are queued on the
# output's broker (which leads nothing else) before the second batch, so they hit the
# daemon's produce requests for it, whatever the timing.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

FAULT_SPLIT=1 fault_start
ctl broker-errors 3 produce 10 NOT_LEADER_OR_FOLLOWER
ctl broker-errors 3 produce 10 REQUEST_TIMED_OUT
ctl broker-errors 3 produce 10 NOT_ENOUGH_REPLICAS
fault_traffic
fault_finish
grep -qx 'newsenrichd_produce_errors_total 0' "$WORK/metrics" || fail "a delivery failed"
retries=$(awk '$1 == "newsenrichd_kafka_produce_retries_total" { print $2 }' "$WORK/metrics")
((retries >= 30)) || fail "produce retries metric: ${retries:-none} (30 errors injected)"
echo PASS
