#!/usr/bin/env bash
# `newsenrichd demo` prints one enriched JSON event per bundled sample article and a summary;
# `run` refuses root without --allow-root; `mock-cluster` rejects bad arguments with status 2
# and writes its bootstrap file atomically.
source "$(dirname "$0")/lib/common.sh"

cd "$WORK" # the demo must find its data through NE_SOURCE_DIR, not the cwd
t0=$SECONDS
"$NEWSENRICHD" demo >"$WORK/demo.out" 2>"$WORK/demo.log" || {
        cat "$WORK/demo.log"
        fail "demo exited with $?"
}
echo "demo took $((SECONDS - t0)) s: $(tail -n 1 "$WORK/demo.log")"
grep -q '^demo: articles=10 enriched=10 dead_lettered=0 ' "$WORK/demo.log" || fail "demo summary"
"$PY" - "$WORK/demo.out" "$NE_SOURCE_DIR/config/samples/articles.jsonl" <<'PYEOF'
import json, sys
outs = [json.loads(l) for l in open(sys.argv[1])]
ins = {a["id"]: a for a in map(json.loads, open(sys.argv[2]))}
assert len(outs) == len(ins) == 10, (len(outs), len(ins))
for o in outs:
    a = ins[o["id"]]
    assert o["body"] == a["body"] and o["title"] == a["title"], o["id"]
    assert o["lineage"]["topic"] == "articles", o["lineage"]
    assert "entities" in o and "topics" in o and "model_versions" in o, sorted(o)
print("demo events: ok:", ", ".join(sorted(o["id"] for o in outs)))
PYEOF

rc=0
"$NEWSENRICHD" mock-cluster --brokers 0 --topic t 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "mock-cluster --brokers 0: status $rc"
rc=0
"$NEWSENRICHD" mock-cluster --topic t:0 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "mock-cluster --topic t:0: status $rc"
start_cluster a:2 b
[[ $(head -n 1 "$WORK/cluster.out") == "$BS" ]] || fail "stdout and bootstrap file differ"
[[ $BS =~ ^127\.0\.0\.1:[0-9]+(,127\.0\.0\.1:[0-9]+){2}$ ]] || fail "bootstrap list: $BS"
"$KCAT" -L -b "$BS" -t a | grep -q 'topic "a" with 2 partitions' || fail "topic a"
echo "mock-cluster: ok ($BS)"

if [[ $(id -u) -eq 0 ]]; then
        write_config "$WORK/any.conf"
        rc=0
        "$NEWSENRICHD" run --config "$WORK/any.conf" 2>"$WORK/root.log" || rc=$?
        [[ $rc -eq 1 ]] || fail "run as root without --allow-root: status $rc"
        grep -q 'refusing to run as root' "$WORK/root.log" || fail "no root refusal message"
        echo "run refuses root: ok"
fi
echo "PASS"
