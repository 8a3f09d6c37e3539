#!/usr/bin/python3
"""Checks what the daemon produced against gen_inputs.py's expectations. Reads kcat dumps
written with -f '%p %o %K %S\\n%k%s\\n%h\\n' of the output and dead-letter topics; decodes every
output event as Confluent-framed Avro with schemas/article_enriched.avsc (an independent
decoder: python3-avro, not the daemon's codec); checks headers, keys, lineage; prints the
counts; exits 1 on any loss, stray event or wrong reason. Duplicates are allowed and counted."""
import argparse
import collections
import io
import json
import re
import struct
import sys

import avro.io
import avro.schema

REC = re.compile(rb"(\d+) (\d+) (-?\d+) (-?\d+)\n")  # match() anchors at pos


def parse_dump(path):
    data = open(path, "rb").read()
    pos, out = 0, []
    while pos < len(data):
        m = REC.match(data, pos)
        if not m:
            raise SystemExit(f"{path}: cannot parse dump at byte {pos}")
        part, off, klen, vlen = (int(x) for x in m.groups())
        pos = m.end()
        key = data[pos:pos + klen] if klen >= 0 else None
        pos += max(klen, 0)
        val = data[pos:pos + vlen] if vlen >= 0 else None
        pos += max(vlen, 0)
        assert data[pos:pos + 1] == b"\n", f"{path}: framing at {pos}"
        pos += 1
        end = data.find(b"\n", pos)
        hdrs = data[pos:end]
        pos = end + 1
        out.append({"partition": part, "offset": off, "key": key, "value": val,
                    "headers": hdrs.decode("utf-8", "replace")})
    return out


def header(hdrs, name):
    """Value of `name` in kcat's n=v CSV; good enough for values without commas."""
    for item in hdrs.split(","):
        if item.startswith(name + "="):
            return item[len(name) + 1:]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", required=True, action="append")
    ap.add_argument("--out-dump", required=True)
    ap.add_argument("--dlq-dump", required=True)
    ap.add_argument("--schema", required=True, help="article_enriched.avsc")
    ap.add_argument("--schema-id", type=int, default=2)
    ap.add_argument("--format", choices=["avro", "json"], default="avro")
    ap.add_argument("--max-duplicates", type=int, default=-1,
                    help="fail above this many duplicates (default: any number is fine)")
    ap.add_argument("--low-watermarks", action="store_true",
                    help="fail unless every partition in the dumps still starts at offset 0 "
                         "(the mock cluster's retention deleted nothing)")
    ap.add_argument("--in-dump", help="dump of the input topic, for --low-watermarks")
    ap.add_argument("--key-order", action="store_true",
                    help="per extra.group, the first occurrences in the output (one partition, "
                         "offset order) must keep the input order of extra.seq")
    a = ap.parse_args()
    ids, bad = [], {}
    for e in a.expect:
        exp = json.load(open(e))
        ids += exp["ids"]
        bad.update(exp["dead_letters"])
    schema = avro.schema.parse(open(a.schema).read())
    reader = avro.io.DatumReader(schema)
    errors = []

    outs = parse_dump(a.out_dump)
    seen = collections.Counter()
    firsts = []
    for m in outs:
        key = m["key"].decode() if m["key"] is not None else None
        if header(m["headers"], "ne.schema") != "io.newsenrichd.ArticleEnriched":
            errors.append(f"output {key}: ne.schema header missing: {m['headers']}")
        v = m["value"]
        if a.format == "avro":
            if len(v) < 5 or v[0] != 0 or struct.unpack(">i", v[1:5])[0] != a.schema_id:
                errors.append(f"output {key}: not Confluent-framed with id {a.schema_id}")
                continue
            try:
                rec = reader.read(avro.io.BinaryDecoder(io.BytesIO(v[5:])))
            except Exception as ex:  # noqa: BLE001 - any decode failure is a test failure
                errors.append(f"output {key}: Avro decode failed: {ex}")
                continue
        else:
            rec = json.loads(v)
        if rec["id"] != key:
            errors.append(f"output key {key} != id {rec['id']}")
        if not rec.get("lineage") or rec["lineage"]["topic"] != "in":
            errors.append(f"output {key}: lineage {rec.get('lineage')}")
        seen[rec["id"]] += 1
        if a.key_order and seen[rec["id"]] == 1:
            firsts.append((m["partition"], m["offset"], rec.get("extra") or {}))

    lost = [i for i in ids if seen[i] == 0]
    stray = [k for k in seen if k not in set(ids)]
    dups = sum(c - 1 for c in seen.values() if c > 1)

    dlqs = parse_dump(a.dlq_dump)
    dseen = collections.Counter()
    for m in dlqs:
        key = m["key"].decode() if m["key"] is not None else None
        reason = header(m["headers"], "ne.reason")
        dseen[key] += 1
        if key not in bad:
            errors.append(f"unexpected dead letter {key}: reason={reason}")
            continue
        if reason != bad[key]:
            errors.append(f"dead letter {key}: reason={reason}, expected {bad[key]}")
        for h in ("ne.detail", "ne.source.topic", "ne.source.partition", "ne.source.offset"):
            if header(m["headers"], h) is None:
                errors.append(f"dead letter {key}: header {h} missing")
    dlost = [k for k in bad if dseen[k] == 0]
    ddups = sum(c - 1 for c in dseen.values() if c > 1)

    if a.low_watermarks:
        dumps = [("out", outs), ("dlq", dlqs)]
        if a.in_dump:
            dumps.append(("in", parse_dump(a.in_dump)))
        for name, msgs in dumps:
            low = {}
            for m in msgs:
                low[m["partition"]] = min(low.get(m["partition"], m["offset"]), m["offset"])
            for p, o in sorted(low.items()):
                if o != 0:
                    errors.append(f"{name} partition {p}: low watermark {o}, not 0 (retention)")
        print(f"low watermarks: all 0 in {', '.join(n for n, _ in dumps)}"
              if not any("low watermark" in e for e in errors) else "low watermarks: NOT all 0")

    if a.key_order:
        if len({p for p, _, _ in firsts}) > 1:
            errors.append("--key-order needs a single output partition")
        last, groups, inversions = {}, set(), 0
        for _, _, extra in sorted(firsts, key=lambda t: t[1]):
            g, seq = extra.get("group"), int(extra.get("seq", -1))
            groups.add(g)
            if g in last and seq < last[g]:
                inversions += 1
                if inversions <= 20:
                    errors.append(f"key {g}: seq {seq} came out after seq {last[g]}")
            last[g] = max(seq, last.get(g, -1))
        print(f"key order: groups={len(groups)} first_occurrences={len(firsts)} "
              f"inversions={inversions}")

    print(f"counts: inputs={len(ids) + len(bad)} expected_outputs={len(ids)} "
          f"outputs={len(outs)} distinct_outputs={len(seen)} duplicates={dups} lost={len(lost)} "
          f"stray={len(stray)} expected_dead_letters={len(bad)} dead_letters={len(dlqs)} "
          f"dead_letter_duplicates={ddups} dead_letters_lost={len(dlost)}")
    errors += [f"lost: {i}" for i in lost[:20]] + [f"stray output: {k}" for k in stray[:20]]
    errors += [f"dead letter lost: {k} ({bad[k]})" for k in dlost]
    if a.max_duplicates >= 0 and dups + ddups > a.max_duplicates:
        errors.append(f"{dups + ddups} duplicates, at most {a.max_duplicates} allowed")
    for e in errors[:50]:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
