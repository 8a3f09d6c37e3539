#!/usr/bin/env bash
# systemd notify protocol from the real daemon over a NOTIFY_SOCKET datagram socket this test
# owns: READY=1 only after start-up, STATUS= lines, WATCHDOG=1 at least every half of
# WATCHDOG_USEC while it runs, and STOPPING=1 on SIGTERM, in that order.
source "$(dirname "$0")/lib/common.sh"

start_cluster in:2 out:2 dlq:1
gen batch --json 50 --seed 5
produce batch

sock=$WORK/notify.sock
$PY "$LIB/notify_listen.py" "$sock" "$WORK/notify.txt" "$WORK/notify.ready" &
PIDS+=($!)
for _ in $(seq 50); do [[ -e $WORK/notify.ready ]] && break; sleep 0.1; done
[[ -e $WORK/notify.ready ]] || fail "notify listener did not start"

write_config "$WORK/run.conf"
# WATCHDOG_USEC of 2 s: the daemon must ping at least once a second; MAINPID tells sd_notify
# which process the watchdog applies to.
NOTIFY_SOCKET=$sock WATCHDOG_USEC=2000000 start_daemon n "$WORK/run.conf"
wait_count out 50 60 || fail "outputs missing"
sleep 3
stop_daemon || fail "daemon exited with status $? after SIGTERM"
sleep 0.5

cat "$WORK/notify.txt" | cut -c1-120
first() { grep -n -m1 "$1" "$WORK/notify.txt" | cut -d: -f1; }
ready=$(first 'READY=1')
watchdog=$(first 'WATCHDOG=1')
stopping=$(first 'STOPPING=1')
[[ -n $ready ]] || fail "no READY=1"
[[ -n $watchdog ]] || fail "no WATCHDOG=1"
[[ -n $stopping ]] || fail "no STOPPING=1"
((ready < stopping)) || fail "READY=1 after STOPPING=1"
((watchdog < stopping)) || fail "no WATCHDOG=1 before STOPPING=1"
grep -qE "STATUS=rate=[0-9]+/s lag=-?[0-9]+ " "$WORK/notify.txt" || fail "no STATUS= line with rate and lag"
n_wd=$(grep -c 'WATCHDOG=1' "$WORK/notify.txt")
# at least one ping per second over the >= 3 s the daemon ran
((n_wd >= 3)) || fail "only $n_wd WATCHDOG=1 pings"
[[ $(grep -c 'READY=1' "$WORK/notify.txt") -ge 1 ]]
echo "notify: ready_line=$ready first_watchdog_line=$watchdog watchdog_pings=$n_wd stopping_line=$stopping"
echo "PASS"
