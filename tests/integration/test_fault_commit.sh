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
# librdkafka retries a failed commit by itself and reports only the last attempt: 3 + 3 errors
# surfaced once in most runs and not at all in 1 CI run. 10 + 10 outlast its retries.
ctl commit-errors 10 REQUEST_TIMED_OUT
ctl commit-errors 10 COORDINATOR_NOT_AVAILABLE
fault_finish
metric_at_least newsenrichd_kafka_commit_errors_total 1
daemon_log 'kafka: consumer: offset commit failed'
restart_check
echo PASS
