#!/usr/bin/env bash
# Broker fault: every broker answers 600 ms late for 4 s mid-stream. Throughput drops, nothing
# fails: same process, nothing lost, and the produce-stage histogram shows the slow deliveries.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

fault_start
fault_traffic
mid_stream
for b in 1 2 3; do ctl rtt "$b" 600; done
sleep 4
for b in 1 2 3; do ctl rtt "$b" 0; done
fault_finish
slow=$(awk '$1 ~ /^newsenrichd_stage_duration_seconds_bucket\{stage="produce",le="0.5"\}$/ { le = $2 }
        $1 ~ /^newsenrichd_stage_duration_seconds_count\{stage="produce"\}$/ { n = $2 }
        END { print n - le }' "$WORK/metrics")
echo "produce stage: $slow deliveries took longer than 0.5 s"
((slow > 0)) || fail "the added latency does not show in the produce-stage histogram"
grep -qx 'newsenrichd_produce_errors_total 0' "$WORK/metrics" || fail "a delivery failed"
echo PASS
