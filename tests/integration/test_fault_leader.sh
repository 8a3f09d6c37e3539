#!/usr/bin/env bash
# Broker fault: every input and output partition gets a new leader mid-stream (each moves to
# the next broker). The clients learn it from NOT_LEADER answers and fresh metadata: same
# process, nothing lost, no failed delivery.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

fault_start
fault_traffic
mid_stream
for topic in in out; do
        while read -r p l; do
                ctl leader "$topic" "$p" $((l % 3 + 1))
        done < <(leaders "$topic")
done
echo "leaders now: in: $(leaders in | tr '\n' ' ')| out: $(leaders out | tr '\n' ' ')"
fault_finish
grep -qx 'newsenrichd_produce_errors_total 0' "$WORK/metrics" || fail "a delivery failed"
echo PASS
