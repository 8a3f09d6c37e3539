#!/usr/bin/env bash
# Broker fault: one of the three brokers goes down for 5 s mid-stream and comes back (the mock
# does not move leaders away from a down broker, so its input and output partitions stall).
# That broker leads input and output partition 0 and coordinates the group, so the 3 s session
# times out: the daemon loses its assignment, rejoins and reads again from the last commit.
# It rides this out in the same process, nothing is lost, and the client errors are counted
# (newsenrichd_kafka_client_errors_total) and logged.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

# Left to chance, broker 2 led nothing the daemon used in 1 run of 12, and nothing failed.
fault_layout() {
        ctl leader in 0 2
        ctl leader out 0 2
        ctl coordinator group "$GROUP" 2
}

fault_start
echo "leaders: in: $(leaders in | tr '\n' ' ')| out: $(leaders out | tr '\n' ' ')"
fault_traffic
mid_stream
ctl broker-down 2
sleep 5
ctl broker-up 2
fault_finish
metric_at_least newsenrichd_kafka_client_errors_total 1
daemon_log 'kafka: (producer|consumer): '
daemon_log 'partitions revoked: count=[0-9]+ lost=1' # the session did time out
echo PASS
