#!/usr/bin/env bash
# Broker fault: one of the three brokers goes down for 5 s mid-stream and comes back (the mock
# does not move leaders away from a down broker, so its input and output partitions stall).
# The daemon rides it out in the same process, nothing is lost, and the client errors are
# counted (newsenrichd_kafka_client_errors_total) and logged.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

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
echo PASS
