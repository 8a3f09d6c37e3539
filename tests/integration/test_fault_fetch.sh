#!/usr/bin/env bash
# Broker fault: fetch requests fail (NOT_LEADER_OR_FOLLOWER, then REQUEST_TIMED_OUT) while the
# daemon works through a backlog. The consumer fetches again by itself: same process, nothing
# lost, no pipeline error.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

fault_start
fault_traffic
mid_stream
ctl fetch-errors 20 NOT_LEADER_OR_FOLLOWER
ctl fetch-errors 10 REQUEST_TIMED_OUT
# The errors apply to every client of the mock: let the daemon's fetches (20/s per broker) use
# them all up before kcat reads the topics again.
sleep 2
fault_finish
echo PASS
