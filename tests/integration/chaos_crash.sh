#!/usr/bin/env bash
# Crash-safety soak, run by hand (not a CTest entry; test_chaos_small.sh runs a small one):
#   NEWSENRICHD=build/dev/newsenrichd tests/integration/chaos_crash.sh [N_ARTICLES] [KILLS]
# Produces N JSON articles plus four copies of the malformed set (36 dead letters), runs the
# daemon and SIGKILLs it KILLS times at random moments (restarting it each time), lets the last
# one finish, then audits: every input id came out, duplicates counted, the dead-letter topic
# holds exactly the malformed inputs with their reasons, and no partition lost data to the mock
# cluster's retention (5 MiB or 100,000 message sets per partition, so the partition counts
# scale with N). Pass-through by default; NE_MODELS_NER / NE_MODELS_TOPICS name model files to
# enrich for real. Each kill waits for the restarted daemon's first new output (so it lands
# mid-stream, not during the group join), then a random CHAOS_MIN_MS..CHAOS_MAX_MS more.
# The daemons that get killed are throttled (100 in flight, 50 ms linger) so every kill has a
# middle to land in; CHAOS_SLOW=0 turns that off. The last daemon always runs at full speed.
# CHAOS_SPREAD=1 instead spreads the kills evenly over the outputs of full-speed daemons.
# Prints `produced=… kills=… outputs=… distinct=… duplicates=… lost=… dead_letters=…`; exits
# non-zero on any loss or dead-letter mismatch.
source "$(dirname "$0")/lib/common.sh"

N=${1:-100000}
KILLS=${2:-10}
MIN_MS=${CHAOS_MIN_MS:-200}
MAX_MS=${CHAOS_MAX_MS:-3000}
# ~1 KB per input and per pass-through output (more with models), duplicates on top: keep each
# partition far below 5 MiB.
P_IN=$((N / 2000 + 4))
P_OUT=$((N / 1000 + 4))
start_cluster "in:$P_IN" "out:$P_OUT" dlq:1
gen batch --json "$N" --malformed 4 --seed "${CHAOS_SEED:-$$}"
produce batch
produced=$(count in)
echo "produced: inputs=$produced partitions in=$P_IN out=$P_OUT"

PORT=$((20000 + RANDOM % 20000))
conf=("models.ner = ${NE_MODELS_NER:-}" "models.topics = ${NE_MODELS_TOPICS:-}"
        "pipeline.workers = ${NE_WORKERS:-1}" "http.port = $PORT")
write_config "$WORK/run.conf" "${conf[@]}"
# CHAOS_SPREAD=1 places kill k near output k*N/(KILLS+1) (+-1/4 step, then 0-199 ms) with
# every daemon at full speed, so the kills cover the whole run rather than its first minutes.
SPREAD=${CHAOS_SPREAD:-0}
slow=()
if ((${CHAOS_SLOW:-1} && !SPREAD)); then slow=("pipeline.max_in_flight = 100" "kafka.producer.linger.ms = 50"); fi
write_config "$WORK/kill.conf" "${conf[@]}" "${slow[@]}"
t0=$SECONDS
start_daemon 0 "$WORK/kill.conf"
outs=0
rand() { echo $(((RANDOM * 32768 + RANDOM) % $1)); }
# produced_now: events the running daemon has had acknowledged (its /metrics; 0 before it serves).
produced_now() {
        curl -sf "http://127.0.0.1:$PORT/metrics" 2>/dev/null |
                awk '$1 == "newsenrichd_messages_produced_total" { print $2; f = 1 } END { if (!f) print 0 }'
}
# wait_produced N: until the running daemon has produced N events, or, once it has produced
# some, nothing new for 5 s (it is done, or held up by a rebalance). Reads the daemon's counter
# every 50 ms: counting the output topic with kcat takes seconds at 100,000 messages, and a
# full-speed daemon outruns it by thousands. The group join before its first event (the killed
# member's session must time out first) does not count as idle.
wait_produced() {
        local n last=-1 idle=0
        while :; do
                n=$(produced_now)
                ((n >= $1)) && return 0
                if ((n == last && n > 0)); then idle=$((idle + 1)); else idle=0; last=$n; fi
                ((idle >= 100)) && return 1
                sleep 0.05
        done
}
for ((k = 1; k <= KILLS; k++)); do
        if ((SPREAD)); then
                # Around the k-th of KILLS+1 equal steps through the outputs, +-1/4 step, and
                # never before the restarted daemon's first new output.
                step=$((N / (KILLS + 1)))
                target=$((k * step - step / 4 + $(rand $((step / 2 + 1)))))
                ((target > outs)) || target=$((outs + 1))
                wait_produced $((target - outs)) || echo "warning: the daemon went idle before $target outputs"
                ms=$(rand 200)
        else
                wait_count out $((outs + 1)) 20 || echo "warning: no new output after restart $((k - 1))"
                ms=$((MIN_MS + $(rand $((MAX_MS - MIN_MS + 1)))))
        fi
        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
        kill -KILL "$DPID"
        wait "$DPID" 2>/dev/null || true
        outs=$(count out)
        echo "kill $k ${ms} ms after $( ((SPREAD)) && echo "reaching $target outputs" || echo "the first new output"): outputs=$outs"
        ((outs < N)) || echo "warning: kill $k came after the last output"
        start_daemon "$k" "$WORK/$( ((k < KILLS)) && echo kill || echo run).conf"
done
wait_distinct out "$N" $((120 + N / 200)) || { lag_report; fail "outputs missing after the last restart"; }
wait_distinct dlq 36 60 || fail "dead letters missing"
wait_stable out || fail "outputs keep coming"
stop_daemon || fail "last daemon exited with status $? after SIGTERM"
echo "finished in $((SECONDS - t0)) s"
grep -h 'pipeline: stopping:' "$WORK"/daemon-*.log && fail "a pipeline reported an error"

dump in "$WORK/in.dump"
rc=0
check batch -- --low-watermarks --in-dump "$WORK/in.dump" | tee "$WORK/check.out" || rc=$?
line=$(grep '^counts:' "$WORK/check.out") || fail "no counts from check_outputs.py"
field() { sed -E "s/.* $1=([0-9]+).*/\\1/" <<<"$line"; }
echo "produced=$produced kills=$KILLS outputs=$(field outputs) distinct=$(field distinct_outputs)" \
        "duplicates=$(field duplicates) lost=$(field lost) dead_letters=$(field dead_letters)" \
        "dead_letter_duplicates=$(field dead_letter_duplicates)" \
        "dead_letters_expected=$(field expected_dead_letters)"
((rc == 0)) || fail "audit failed"
echo "PASS"
