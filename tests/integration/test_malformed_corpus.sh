#!/usr/bin/env bash
# The malformed-input corpus (tests/fixtures/malformed/, see MANIFEST.tsv there) through
# Kafka and the real daemon: every corpus file is produced as one message, with a good article
# (JSON or Confluent Avro) after each. The daemon must dead-letter each corpus file exactly once
# with the manifest's ne.reason and an ne.detail holding the manifest's substring, pass the
# input bytes through unchanged, enrich every good article exactly once, keep running under the
# same PID and exit 0 on SIGTERM. Schema ids are those make.py documents.
source "$(dirname "$0")/lib/common.sh"

CORPUS=$NE_SOURCE_DIR/tests/fixtures/malformed
start_cluster in:4 out:2 dlq:2
"$PY" "$LIB/malformed_inputs.py" --corpus "$CORPUS" --out "$WORK/mal.in" \
        --expect "$WORK/mal.expect.json"
produce mal
n_bad=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["dead_letters"]))' \
        "$WORK/mal.expect.json")
n_good=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["ids"]))' \
        "$WORK/mal.expect.json")
((n_bad >= 40)) || fail "only $n_bad corpus files"
inputs=$(count in)
((inputs == n_bad + n_good)) || fail "produced $inputs messages, want $((n_bad + n_good))"
echo "produced: corpus=$n_bad good=$n_good"

PORT=$((20000 + RANDOM % 20000))
write_config "$WORK/run.conf" "http.port = $PORT" \
        "schema.3 = $CORPUS/schemas/no_body.avsc" \
        "schema.4 = $NE_SOURCE_DIR/tests/fixtures/codec/article_int_id.avsc" \
        "schema.5 = $CORPUS/schemas/not_record.avsc"
t0=$SECONDS
start_daemon 1 "$WORK/run.conf"
pid=$DPID
wait_count dlq "$n_bad" 90 || fail "dead letters missing"
wait_count out "$n_good" 60 || fail "outputs missing"
sleep 1
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || fail "GET /metrics failed"
grep -E '^newsenrichd_messages_(consumed_total|dead_lettered_total)' "$WORK/metrics"
grep -qx "newsenrichd_messages_consumed_total $inputs" "$WORK/metrics" || fail "consumed metric"
kill -0 "$pid" 2>/dev/null || fail "daemon died"
[[ $DPID == "$pid" ]] || fail "daemon PID changed"
stop_daemon || fail "daemon exited with status $? after SIGTERM"
echo "processed in $((SECONDS - t0)) s (includes the ~3 s group join)"
if grep -q 'pipeline: stopping:' "$WORK/daemon-1.log"; then fail "pipeline reported an error"; fi
grep 'pipeline: stopped:' "$WORK/daemon-1.log"
grep -q "pipeline: stopped: consumed=$inputs enriched=$n_good dead_lettered=$n_bad " \
        "$WORK/daemon-1.log" || fail "shutdown summary disagrees"

dump dlq "$WORK/dlq.dump"
dump out "$WORK/out.dump"
"$PY" "$LIB/check_malformed.py" --expect "$WORK/mal.expect.json" --dlq-dump "$WORK/dlq.dump" \
        --out-dump "$WORK/out.dump" || fail "dead-letter audit"
echo "PASS"
