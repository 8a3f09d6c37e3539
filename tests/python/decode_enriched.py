#!/usr/bin/python3
"""Independent decode of one enriched event, with python3-avro instead of avro-c.

usage: /usr/bin/python3 decode_enriched.py SCHEMA.avsc EVENT.avro [EXPECTED.json]

EVENT.avro is one Confluent-framed event (magic 0, 4-byte big-endian schema id, Avro binary).
Checks the frame, decodes it with SCHEMA, checks that mention_count equals the number of
mentions and that every mention's code point offsets lie inside its field, and prints one line
per mention: "TYPE|name|FIELD|text", text being the field sliced by the offsets as Python str
(code points). With EXPECTED.json (the same event as the JSON encoder wrote it), the decoded
record must equal it field by field (floats to float32 precision).
Exit status: 0 ok, 1 a check failed, 2 usage, 3 python3-avro missing."""
import datetime
import io
import json
import math
import struct
import sys

try:
    import avro.io
    import avro.schema
except ImportError:
    sys.stderr.write("decode_enriched.py: python3-avro is not importable by %s "
                     "(apt-get install python3-avro; see .ci/packages)\n" % sys.executable)
    sys.exit(3)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def fail(msg):
    sys.stderr.write("decode_enriched.py: %s\n" % msg)
    sys.exit(1)


def plain(value):
    """timestamp-millis decodes to datetime; compare as epoch milliseconds."""
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def same(got, want, path):
    if isinstance(want, float) or isinstance(got, float):
        if not isinstance(got, (int, float)) or not isinstance(want, (int, float)):
            fail("%s: %r != %r" % (path, got, want))
        f32 = struct.unpack("<f", struct.pack("<f", want))[0]
        if not math.isclose(got, f32, rel_tol=1e-6, abs_tol=1e-9):
            fail("%s: %r != %r" % (path, got, want))
        return
    if isinstance(want, dict):
        if not isinstance(got, dict) or list(got.keys()) != list(want.keys()):
            fail("%s: keys %r != %r" % (path, list(got), list(want)))
        for k in want:
            same(got[k], want[k], "%s.%s" % (path, k))
        return
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            fail("%s: %r != %r" % (path, got, want))
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, "%s[%d]" % (path, i))
        return
    if got != want or type(got) is not type(want):
        fail("%s: %r != %r" % (path, got, want))


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        schema = avro.schema.parse(f.read())
    with open(argv[2], "rb") as f:
        data = f.read()
    if len(data) < 5 or data[0] != 0:
        fail("not a Confluent frame (magic byte %r)" % data[:1])
    schema_id = struct.unpack(">i", data[1:5])[0]
    body = io.BytesIO(data[5:])
    rec = plain(avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(body)))
    if body.tell() != len(data) - 5:
        fail("%d trailing bytes after the record" % (len(data) - 5 - body.tell()))

    print("schema_id %d" % schema_id)
    for ent in rec["entities"]:
        if ent["mention_count"] != len(ent["mentions"]):
            fail("entity %r: mention_count %d != %d mentions"
                 % (ent["name"], ent["mention_count"], len(ent["mentions"])))
        for m in ent["mentions"]:
            text = rec["title"] if m["field"] == "TITLE" else rec["body"]
            if not 0 <= m["start"] <= m["end"] <= len(text):
                fail("entity %r: mention %r outside its field" % (ent["name"], m))
            print("%s|%s|%s|%s" % (ent["type"], ent["name"], m["field"],
                                   text[m["start"]:m["end"]]))
    if len(argv) == 4:
        with open(argv[3], encoding="utf-8") as f:
            same(rec, json.load(f), "event")
        print("json equal")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
