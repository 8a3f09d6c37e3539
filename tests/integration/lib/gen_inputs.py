#!/usr/bin/python3
"""Writes input events for the integration tests as one kcat -l file (key and value split by
KEY_DELIM, events by MSG_DELIM): synthetic articles as JSON and as Confluent-framed Avro
(schemas/article_published.avsc), plus malformed payloads each meant for one dead-letter
reason. Also writes the expectations (ids that must come out enriched, keys that must be
dead-lettered and why) as JSON for check_outputs.py. Needs /usr/bin/python3 with python3-avro."""
import argparse
import datetime
import io
import json
import random
import struct

import avro.io
import avro.schema

MSG_DELIM = b"\n<<ne-msg-3f9c1b>>\n"
KEY_DELIM = b"<<ne-key-3f9c1b>>"

WORDS = ("the council said on monday that the new port terminal in rotterdam would open "
         "next year while analysts at ing warned that costs were rising across europe and "
         "the european central bank kept rates unchanged in frankfurt as ministers met in "
         "brussels to discuss energy prices and trade with china").split()


def body(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def article(rng, ident, i, extra=None):
    return {
        "id": ident,
        "url": f"https://news.example.org/it/{ident}",
        "source": "integration-test",
        "title": f"Test article {i}: " + body(rng, 6),
        "body": body(rng, rng.randint(40, 160)),
        "authors": ["Test Writer"] if i % 3 else [],
        "language": "en" if i % 2 else None,
        "published_at": 1760000000000 + i * 60000,
        "extra": extra if extra is not None else ({"seq": str(i)} if i % 4 == 0 else {}),
    }


def avro_payload(schema, art, schema_id):
    rec = dict(art)
    rec["published_at"] = datetime.datetime.fromtimestamp(art["published_at"] / 1000,
                                                           tz=datetime.timezone.utc)
    buf = io.BytesIO()
    avro.io.DatumWriter(schema).write(rec, avro.io.BinaryEncoder(buf))
    return b"\x00" + struct.pack(">i", schema_id) + buf.getvalue()


def malformed(schema, rng, max_bytes):
    """(key, payload, expected reason) for every dead-letter reason we can provoke."""
    good = avro_payload(schema, article(rng, "bad-avro-src", 0), 1)
    big = json.dumps({"id": "bad-big", "body": "x" * (max_bytes + 100)}).encode()
    return [
        ("bad-empty", b"", "empty"),
        ("bad-text", b"hello, this is not an article", "unknown_format"),
        ("bad-json", b'{"id": "bad-json", "body": ', "bad_json"),
        ("bad-missing", b'{"id": "bad-missing", "title": "no body"}', "missing_field"),
        ("bad-type", b'{"id": "bad-type", "body": 42}', "bad_type"),
        ("bad-utf8", b'{"id": "bad-utf8", "body": "caf\xc3\x28 au lait"}', "invalid_utf8"),
        ("bad-schema", b"\x00" + struct.pack(">i", 99) + good[5:], "unknown_schema"),
        ("bad-avro", good[: len(good) // 2], "bad_avro"),
        ("bad-big", big, "too_large"),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", required=True, help="article_published.avsc")
    ap.add_argument("--json", type=int, default=0)
    ap.add_argument("--avro", type=int, default=0)
    ap.add_argument("--malformed", type=int, nargs="?", const=1, default=0,
                    help="this many copies of the malformed set (keys get -C for copy C > 0)")
    ap.add_argument("--keys", type=int, default=0,
                    help="key the JSON articles by K group keys (k-NN) instead of their ids, "
                         "carry extra {group, seq} and keep them in order (no shuffle)")
    ap.add_argument("--max-bytes", type=int, default=65536)
    ap.add_argument("--prefix", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--schema-id", type=int, default=1,
                    help="schema id in the frame of the good Avro articles")
    ap.add_argument("--out", required=True)
    ap.add_argument("--expect", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    schema = avro.schema.parse(open(a.schema).read())
    events, ids, bad = [], [], {}
    for i in range(a.json):
        ident = f"{a.prefix}j-{i:05d}"
        key, extra = ident, None
        if a.keys:
            key = f"{a.prefix}k-{i % a.keys:02d}"
            extra = {"group": key, "seq": str(i)}
        art = article(rng, ident, i, extra)
        events.append((key, json.dumps(art, ensure_ascii=False).encode()))
        ids.append(ident)
    for i in range(a.avro):
        ident = f"{a.prefix}a-{i:05d}"
        events.append((ident, avro_payload(schema, article(rng, ident, i), a.schema_id)))
        ids.append(ident)
    for c in range(a.malformed):
        for key, payload, reason in malformed(schema, rng, a.max_bytes):
            key = a.prefix + key + (f"-{c}" if c else "")
            events.append((key, payload))
            bad[key] = reason
    if a.keys:  # order matters per key: malformed ones go in at random places, articles in order
        good, rest = events[:a.json], events[a.json:]
        for ev in rest:
            good.insert(rng.randint(0, len(good)), ev)
        events = good
    else:
        rng.shuffle(events)
    with open(a.out, "wb") as f:
        for key, payload in events:
            assert MSG_DELIM not in payload and KEY_DELIM not in payload
            f.write(key.encode() + KEY_DELIM + payload + MSG_DELIM)
    with open(a.expect, "w") as f:
        json.dump({"ids": ids, "dead_letters": bad}, f)
    print(f"generated: json={a.json} avro={a.avro} malformed={len(bad)}")


if __name__ == "__main__":
    main()
