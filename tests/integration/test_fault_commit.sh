#!/usr/bin/env bash
# Broker fault: offset commits fail (REQUEST_TIMED_OUT, COORDINATOR_NOT_AVAILABLE) mid-stream.
# A failed commit costs duplicates after a restart, never a loss, and the next auto-commit
# retries: same process, nothing lost, the failures are counted
# (newsenrichd_kafka_commit_errors_total) and logged, and a restart afterwards finds every
# offset committed.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fault.sh"

fault_start
fault_traffic
mid_stream
ctl commit-errors 3 REQUEST_TIMED_OUT
ctl commit-errors 3 COORDINATOR_NOT_AVAILABLE
fault_finish
metric_at_least newsenrichd_kafka_commit_errors_total 1
daemon_log 'kafka: consumer: offset commit failed'
restart_check
echo PASS
