#!/usr/bin/env bash
# Broker fault: the consumer group's coordinator moves to another broker mid-stream (heartbeats
# and commits to the old one get NOT_COORDINATOR). The consumer finds the new coordinator by
# itself: same process, nothing lost, and a restart afterwards finds every offset committed.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

fault_start
fault_traffic
mid_stream
ctl coordinator group "$GROUP" 1
sleep 2
ctl coordinator group "$GROUP" 3
fault_finish
restart_check
echo PASS
