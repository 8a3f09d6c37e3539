#!/usr/bin/env bash
# Schema Registry wiring, against tests/python/fake_registry.py: the daemon registers its output
# schema under out-value at start-up and writes the registry's id in every frame; input Avro
# whose schema id only the registry knows (77, 78) is decoded after one lookup per id; an id the
# registry does not know either (99) is dead-lettered as unknown_schema; 500s from the registry
# while an id is fetched delay the input but lose nothing.
source "$(dirname "$0")/lib/common.sh"

"$PY" "$NE_SOURCE_DIR/tests/python/fake_registry.py" --port-file "$WORK/reg.port" \
        >"$WORK/registry.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
        [[ -s $WORK/reg.port ]] && break
        sleep 0.1
done
[[ -s $WORK/reg.port ]] || fail "fake registry did not start"
REG=http://127.0.0.1:$(cat "$WORK/reg.port")
control() {
        curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- "$REG/_control/$1" \
                >/dev/null || fail "registry control $1 failed"
}
for id in 77 78; do
        "$PY" -c 'import json,sys; print(json.dumps({"id": int(sys.argv[1]),
                "schema": open(sys.argv[2]).read()}))' "$id" \
                "$NE_SOURCE_DIR/schemas/article_published.avsc" | control schemas
done

start_cluster in:4 out:3 dlq:1 alerts:1
echo '{"rules": [{"id": "r", "keywords": ["article"]}]}' >"$WORK/rules.json"
gen r1 --json 20 --avro 100 --schema-id 77 --malformed --seed 21
produce r1
write_config "$WORK/run.conf" "registry.url = $REG" "registry.timeout_ms = 2000" \
        "registry.max_attempts = 2" "schema.3 = $NE_SOURCE_DIR/schemas/entity_alert.avsc" \
        "alerts.rules_file = $WORK/rules.json" "alerts.topic = alerts" "alerts.schema_id = 3"
start_daemon 1 "$WORK/run.conf"
wait_count out 120 90 || fail "outputs missing"
wait_count dlq 9 30 || fail "dead letters missing"

# 500s while id 78 is first fetched: the input is retried, not lost.
echo '{"fail": 3, "fail_status": 500, "fail_code": 50001}' | control faults
gen r2 --avro 50 --schema-id 78 --prefix b- --seed 22
produce r2
wait_count out 170 90 || fail "outputs after registry errors missing"
wait_stable out || fail "outputs keep coming"
curl -sf "$REG/_control/stats" >"$WORK/stats.json" || fail "registry stats"
stop_daemon || fail "daemon exited with status $? after SIGTERM"

grep -E 'run: registry:' "$WORK/daemon-1.log"
out_id=$(sed -n 's/.*run: registry: out-value is schema id \([0-9]*\) .*/\1/p' \
        "$WORK/daemon-1.log")
[[ -n $out_id ]] || fail "no registration line in the log"
alert_id=$(sed -n 's/.*run: registry: alerts-value is schema id \([0-9]*\) .*/\1/p' \
        "$WORK/daemon-1.log")
[[ -n $alert_id && $alert_id != "$out_id" ]] || fail "alert schema not registered"
# Where the pipeline produces alerts, their frames carry the registry's id.
if (($(count alerts) > 0)); then
        "$KCAT" -C -b "$BS" -t alerts -e -q -c 1 -f '%s' | head -c 5 | od -An -tu1 |
                tr -s ' ' | grep -qx " 0 0 0 0 $alert_id" || fail "alert frame id"
fi
"$PY" - "$WORK/stats.json" <<'PY' || fail "registry request counts"
import json, sys
hits = json.load(open(sys.argv[1]))["hits"]
print("registry hits:", hits)
assert hits.get("GET /schemas/ids/77") == 1, "id 77 fetched once (then cached)"
assert hits.get("GET /schemas/ids/78", 0) >= 4, "id 78: three 500s then an answer"
assert hits.get("POST /subjects/alerts-value/versions") == 1, "alert schema registered"
PY
check r1 r2 -- --schema-id "$out_id" --max-duplicates 0
grep -q 'reason=unknown_schema' "$WORK/daemon-1.log" || fail "id 99 not dead-lettered"
echo "PASS"
