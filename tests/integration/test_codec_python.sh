#!/usr/bin/env bash
# `newsenrichd enrich` end to end: good lines become enriched JSON lines on stdout (checked with
# /usr/bin/python3's json module), bad lines are reported on stderr by file and line number
# with their reason code, processing continues, and the exit status is 1. Also checks --help,
# usage errors, stdin input and an over-long line.
set -euo pipefail
: "${NEWSENRICHD:?}" "${NE_SOURCE_DIR:?}"
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "FAIL: $PY is missing (install python3, see .ci/packages)"; exit 1; }
in="$NE_SOURCE_DIR/tests/fixtures/codec/enrich_input.jsonl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

rc=0
"$NEWSENRICHD" enrich --no-models --processed-at 1700000000000 "$in" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "exit status $rc, want 1 (two bad lines)"
grep -q "enrich_input.jsonl:4: unknown_format:" "$tmp/err" || fail "line 4 not reported: $(cat "$tmp/err")"
grep -q "enrich_input.jsonl:5: invalid_utf8:" "$tmp/err" || fail "line 5 not reported: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" = 2 ] || fail "unexpected stderr: $(cat "$tmp/err")"

"$PY" - "$tmp/out" <<'PYEOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 3, lines
ev = [json.loads(l) for l in lines]
keys = ["id", "url", "source", "title", "body", "authors", "published_at", "language", "entities",
        "topics", "model_versions", "processed_at", "lineage", "extra"]
for e in ev:
    assert list(e) == keys, list(e)
    assert e["lineage"] is None and e["processed_at"] == 1700000000000
    assert e["model_versions"] == {"ner": "none", "topics": "none"}
    assert e["entities"] == [] and e["topics"] == []
assert [e["id"] for e in ev] == ["e-1", "e-2", "e-5"]
assert ev[0]["title"] == "Zürich 🚀" and ev[0]["language"] == "de"
assert ev[0]["authors"] == ["A. Writer"] and ev[0]["extra"] == {"desk": "tech"}
assert ev[0]["published_at"] == 1714564800250
assert ev[1]["published_at"] == 1714564800000 and ev[1]["url"] == "" and ev[1]["language"] is None
PYEOF

# stdin, and '-' as a file name.
printf '{"id":"s","body":"b","published_at":1}\n' | "$NEWSENRICHD" enrich --no-models >"$tmp/s1"
printf '{"id":"s","body":"b","published_at":1}\n' | "$NEWSENRICHD" enrich --no-models - >"$tmp/s2"
[ "$(wc -l <"$tmp/s1")" = 1 ] && [ "$(wc -l <"$tmp/s2")" = 1 ] || fail "stdin input"

# A line over --max-bytes is refused as too_large; the next line still goes through.
{ printf '{"id":"big","body":"'; head -c 5000 /dev/zero | tr '\0' x; printf '","published_at":1}\n'
  printf '{"id":"after","body":"b","published_at":1}\n'; } >"$tmp/big"
rc=0
"$NEWSENRICHD" enrich --no-models --max-bytes 1000 "$tmp/big" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q ":1: too_large:" "$tmp/err" && grep -q '"id":"after"' "$tmp/out" \
        || fail "over-long line: rc=$rc $(cat "$tmp/err")"

# A NUL byte inside a line is that line's invalid_utf8, not the end of the line.
printf '{"id":"n","body":"a\0b","published_at":1}\n{"id":"after-nul","body":"b","published_at":1}\n' >"$tmp/nul"
rc=0
"$NEWSENRICHD" enrich --no-models "$tmp/nul" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q ":1: invalid_utf8:" "$tmp/err" && grep -q '"id":"after-nul"' "$tmp/out" \
        && [ "$(wc -l <"$tmp/out")" = 1 ] || fail "NUL in a line: rc=$rc $(cat "$tmp/err")"

# A missing file is reported; usage errors exit 2; --help exits 0.
rc=0; "$NEWSENRICHD" enrich --no-models "$tmp/nonexistent" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q nonexistent "$tmp/err" || fail "missing file: rc=$rc"
rc=0; "$NEWSENRICHD" enrich --bogus </dev/null >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "unknown option: rc=$rc"
rc=0; "$NEWSENRICHD" enrich --no-models --ner-model x </dev/null >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--no-models with --ner-model: rc=$rc"
"$NEWSENRICHD" enrich --help | grep -q "usage: newsenrichd enrich" || fail "--help"
echo "PASS"
