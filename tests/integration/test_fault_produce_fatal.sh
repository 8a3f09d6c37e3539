#!/usr/bin/env bash
# Broker fault: a produce request fails with a non-retriable error (TOPIC_AUTHORIZATION_FAILED)
# mid-stream. The daemon's promise (daemon/pipeline.c): a failed delivery is final, its input is
# never acknowledged, the pipeline stops and the process exits non-zero for its supervisor to
# restart it. After a restart (as systemd's Restart=on-failure does) nothing is lost: no offset
# was committed past the undelivered inputs. The error is queued on the output's broker (which
# leads nothing else) before the second batch, so it hits the daemon's produce requests.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

FAULT_SPLIT=1 fault_start
ctl broker-errors 3 produce 1 TOPIC_AUTHORIZATION_FAILED
fault_traffic
rc=0
timeout 60 tail --pid="$DPID" -f /dev/null || fail "the daemon did not stop on a failed delivery"
wait "$DPID" || rc=$?
echo "daemon exited by itself: status=$rc outputs=$(count out)"
((rc != 0)) || fail "exit status 0 after a failed delivery"
daemon_log 'pipeline: stopping: delivery failed'
daemon_log 'pipeline: stopped:'
FAULT_RESTARTED=1
start_daemon restarted "$WORK/run.conf"
fault_finish
echo PASS
