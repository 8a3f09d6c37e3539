#!/usr/bin/env bash
# Extra outputs end to end: with an alert rules file, every matching article yields one
# EntityAlert on the alert topic (Confluent Avro with the alert schema id, keyed by the alert id,
# ne.schema = io.newsenrichd.EntityAlert); with a route on an entity, matching articles are also
# produced, as the same enriched event, to the route's topic; every output carries a W3C
# traceparent (a child of the input's when it had one). Nothing lost, nothing duplicated.
source "$(dirname "$0")/lib/common.sh"

"$NEWSENRICHD" train-ner --train "$NE_SOURCE_DIR/tests/fixtures/ner/tiny_iob2.conll" \
        --out "$WORK/ner.model" --no-lexicons --epochs 8 --seed 7 >"$WORK/train.log" 2>&1 ||
        fail "train-ner failed: $(tail -3 "$WORK/train.log")"

start_cluster in:2 out:2 dlq:1 alerts:1 people:1
gen b --json 60 --avro 40 --seed 31
# Ten articles about a person the tiny model knows, with no "article" in them.
"$PY" - "$WORK/k.in" "$WORK/k.expect.json" <<'PY'
import json, sys
ids = [f"k-{i}" for i in range(10)]
with open(sys.argv[1], "wb") as f:
    for i, ident in enumerate(ids):
        art = {"id": ident, "title": "Osloria votes",
               "body": "Prime minister Karin Lundqvist said on Tuesday that Osloria would "
                       f"vote ({i}).", "published_at": 1760000000000 + i}
        f.write(ident.encode() + b"<<ne-key-3f9c1b>>" + json.dumps(art).encode()
                + b"\n<<ne-msg-3f9c1b>>\n")
json.dump({"ids": ids, "dead_letters": {}}, open(sys.argv[2], "w"))
PY
produce b
produce k

echo '{"rules": [{"id": "test-articles", "keywords": ["article"]}]}' >"$WORK/rules.json"
write_config "$WORK/run.conf" "models.ner = $WORK/ner.model" \
        "schema.3 = $NE_SOURCE_DIR/schemas/entity_alert.avsc" \
        "alerts.rules_file = $WORK/rules.json" "alerts.topic = alerts" "alerts.schema_id = 3" \
        "route.people.topic = people" "route.people.entity = PER:Karin Lundqvist"
start_daemon 1 "$WORK/run.conf"
wait_count out 110 90 || fail "outputs missing"
wait_count alerts 100 30 || fail "alerts missing"
wait_count people 10 30 || fail "routed copies missing"
wait_stable out || fail "outputs keep coming"
sleep 1
stop_daemon || fail "daemon exited with status $? after SIGTERM"

check b k -- --max-duplicates 0
dump alerts "$WORK/alerts.dump"
dump people "$WORK/people.dump"
grep -q 'traceparent=00-[0-9a-f]\{32\}-[0-9a-f]\{16\}-0[01]' "$WORK/out.dump" ||
        fail "outputs carry no traceparent"
"$PY" - "$LIB" "$NE_SOURCE_DIR/schemas" "$WORK" <<'PY' || fail "extra events"
import io, json, struct, sys
sys.path.insert(0, sys.argv[1])
import avro.io, avro.schema
from check_outputs import parse_dump
schemas, work = sys.argv[2], sys.argv[3]
alert_schema = avro.schema.parse(open(f"{schemas}/entity_alert.avsc").read())
enriched = avro.schema.parse(open(f"{schemas}/article_enriched.avsc").read())

def decode(schema, v, want_id):
    assert v[0] == 0 and struct.unpack(">i", v[1:5])[0] == want_id, "frame"
    return avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(v[5:])))

b_ids = set(json.load(open(f"{work}/b.expect.json"))["ids"])
alerts = parse_dump(f"{work}/alerts.dump")
seen = {}
for m in alerts:
    assert "ne.schema=io.newsenrichd.EntityAlert" in m["headers"], m["headers"]
    assert "traceparent=00-" in m["headers"], m["headers"]
    a = decode(alert_schema, m["value"], 3)
    assert a["alert_id"] == m["key"].decode(), (a["alert_id"], m["key"])
    assert a["rule_id"] == "test-articles"
    seen[a["article_id"]] = seen.get(a["article_id"], 0) + 1
assert set(seen) == b_ids, f"alerted {len(seen)} articles, expected {len(b_ids)}"
assert max(seen.values()) == 1, "duplicate alerts"
people = parse_dump(f"{work}/people.dump")
keys = sorted(m["key"].decode() for m in people)
assert keys == sorted(f"k-{i}" for i in range(10)), keys
for m in people:
    assert "ne.schema=io.newsenrichd.ArticleEnriched" in m["headers"]
    e = decode(enriched, m["value"], 2)
    assert any(x["name"] == "Karin Lundqvist" for x in e["entities"]), e["entities"]
print(f"alerts={len(alerts)} routed={len(people)}")
PY
echo "PASS"
