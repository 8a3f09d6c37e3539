#!/usr/bin/env bash
# SIGHUP under traffic: the daemon re-reads its alert rules and models between messages. A
# valid rules file (and a retrained NER model, whose version then shows in model_info) reloads ("reload: ok", reloads_total{result="ok"}), a broken one is refused
# with its reason ("reload: failed", result="failed") and the rules in use stay. No restart, so
# every input must come out exactly once: nothing lost, nothing duplicated.
source "$(dirname "$0")/lib/common.sh"

start_cluster in:4 out:3 dlq:1 alerts:1
gen b1 --json 150 --avro 100 --prefix a- --seed 11
gen b2 --json 150 --avro 100 --prefix b- --seed 12 --malformed
gen b3 --json 150 --avro 100 --prefix c- --seed 13

RULES=$WORK/rules.json
good_rules() {
        printf '{"rules": [{"id": "r-%s", "keywords": ["%s"]}]}\n' "$1" "$1" >"$RULES.tmp"
        mv "$RULES.tmp" "$RULES"
}
bad_rules() {
        printf '{"rules": [{"id": "no-condition"}]}\n' >"$RULES.tmp"
        mv "$RULES.tmp" "$RULES"
}
hup() {
        kill -HUP "$DPID"
        nap 1.5 # the main loop takes it on its next one-second tick
}

train() {
        "$NEWSENRICHD" train-ner --train "$NE_SOURCE_DIR/tests/fixtures/ner/tiny_iob2.conll" \
                --out "$1" --no-lexicons --epochs "$2" --seed 7 >>"$WORK/train.log" 2>&1 ||
                fail "train-ner failed: $(tail -3 "$WORK/train.log")"
}
train "$WORK/ner-v1.model" 2
train "$WORK/ner-v2.model" 9
cp "$WORK/ner-v1.model" "$WORK/ner.model"

good_rules election
PORT=$((20000 + RANDOM % 20000))
# Slow, so that the reloads land while inputs are in flight.
write_config "$WORK/run.conf" "http.port = $PORT" "pipeline.max_in_flight = 10" \
        "kafka.producer.linger.ms = 50" "schema.3 = $NE_SOURCE_DIR/schemas/entity_alert.avsc" \
        "alerts.rules_file = $RULES" "alerts.topic = alerts" "alerts.schema_id = 3" \
        "models.ner = $WORK/ner.model"
start_daemon 1 "$WORK/run.conf"
nap 2
curl -sf "http://127.0.0.1:$PORT/metrics" | grep '^newsenrichd_model_info{model="ner"' \
        >"$WORK/model-v1" || fail "no model_info for ner"
produce b1
wait_count out 20 60 || fail "no progress before the first SIGHUP"
good_rules Wahl
cp "$WORK/ner-v2.model" "$WORK/ner.model.tmp" && mv "$WORK/ner.model.tmp" "$WORK/ner.model"
hup
bad_rules
hup
produce b2
hup
good_rules Oktoberfest
hup
produce b3
bad_rules
hup
mid=$(count out)
echo "outputs after the last SIGHUP: $mid"
wait_count out 750 120 || fail "outputs missing"
wait_stable out || fail "outputs keep coming"
sleep 1

curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || fail "GET /metrics failed"
grep -E '^newsenrichd_(reloads_total|model_info)' "$WORK/metrics" || true
grep -qx 'newsenrichd_reloads_total{result="ok"} 2' "$WORK/metrics" || fail "reloads ok metric"
grep -qx 'newsenrichd_reloads_total{result="failed"} 3' "$WORK/metrics" ||
        fail "reloads failed metric"
curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null || fail "not ready after the reloads"
grep '^newsenrichd_model_info{model="ner"' "$WORK/metrics" >"$WORK/model-v2"
cat "$WORK/model-v1" "$WORK/model-v2"
[[ -s $WORK/model-v2 ]] && ! cmp -s "$WORK/model-v1" "$WORK/model-v2" ||
        fail "model_info did not change with the reloaded model"
stop_daemon || fail "daemon exited with status $? after SIGTERM"

grep -E 'reload: ' "$WORK/daemon-1.log"
[[ $(grep -c 'reload: ok: ' "$WORK/daemon-1.log") -eq 2 ]] || fail "expected 2 'reload: ok' lines"
[[ $(grep -c 'reload: failed, keeping the models and rules in use: .*rules\[0\]' \
        "$WORK/daemon-1.log") -eq 3 ]] || fail "expected 3 'reload: failed' lines naming the rule"
if grep -q 'pipeline: stopping:' "$WORK/daemon-1.log"; then fail "pipeline reported an error"; fi

check b1 b2 b3 -- --max-duplicates 0
echo "PASS"
