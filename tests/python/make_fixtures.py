#!/usr/bin/python3
"""Writes the Avro fixtures of the codec tests with python3-avro, an encoder independent of
avro-c, so the C tests check our bytes against another implementation's.

Run from the repository root with Debian's interpreter (the one that sees python3-avro):
    /usr/bin/python3 tests/python/make_fixtures.py
It rewrites tests/fixtures/codec/*.avro and enriched_golden.json and prints the code point offsets that
tests/unit/test_codec_encode.c hard-codes. Commit the outputs; tests never run this."""
import io
import json
import os
import struct
import sys

import avro.io
import avro.schema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "codec")

TITLE = "Zürich: Satya Nadella meets 日本 officials 🚀"
BODY = ("🚀 Launch day in Zürich. Microsoft's Satya Nadella spoke with officials from 日本 "
        "about AI.\nLater, Nadella said the café was \"crowded\".")

ARTICLE = {
    "id": "art-1",
    "url": "https://example.com/a/1",
    "source": "example-times",
    "title": TITLE,
    "body": BODY,
    "authors": ["Anna Müller", "Bob"],
    "language": "en",
    "published_at": 1714564800250,
    "extra": {"section": "tech", "desk": "zürich"},
}


def mention(field, text, nth=0):
    s = TITLE if field == "TITLE" else BODY
    start = -1
    for _ in range(nth + 1):
        start = s.index(text, start + 1)
    return {"field": field, "start": start, "end": start + len(text)}


ENRICHED = {
    "id": ARTICLE["id"], "url": ARTICLE["url"], "source": ARTICLE["source"],
    "title": TITLE, "body": BODY, "authors": ARTICLE["authors"],
    "published_at": ARTICLE["published_at"], "language": "en",
    "entities": [
        {"type": "PER", "name": "Satya Nadella",
         "mentions": [mention("TITLE", "Satya Nadella"), mention("BODY", "Satya Nadella"),
                      mention("BODY", "Nadella", 1)],
         "mention_count": 3, "confidence": 0.875, "salience": 0.75},
        {"type": "LOC", "name": "Zürich",
         "mentions": [mention("TITLE", "Zürich"), mention("BODY", "Zürich")],
         "mention_count": 2, "confidence": 0.5, "salience": 0.5},
        {"type": "LOC", "name": "日本", "mentions": [mention("BODY", "日本")],
         "mention_count": 1, "confidence": 0.625, "salience": 0.25},
    ],
    "topics": [
        {"code": "medtop:13000000", "label": "science and technology", "score": 0.625},
        {"code": "medtop:04000000", "label": "economy, business and finance", "score": 0.25},
    ],
    "model_versions": {"ner": "ner-test-1", "topics": "topics-test-1"},
    "processed_at": 1714564900000,
    "lineage": {"topic": "articles", "partition": 3, "offset": 12345},
    "extra": ARTICLE["extra"],
}


def framed(schema, schema_id, datum):
    buf = io.BytesIO()
    buf.write(b"\x00" + struct.pack(">i", schema_id))
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(buf))
    return buf.getvalue()


def strip_logical(node):
    """timestamp-millis makes python3-avro want datetimes; the bytes are the same long."""
    if isinstance(node, dict):
        return {k: strip_logical(v) for k, v in node.items() if k != "logicalType"}
    if isinstance(node, list):
        return [strip_logical(v) for v in node]
    return node


def load(path):
    with open(path) as f:
        return avro.schema.parse(json.dumps(strip_logical(json.load(f))))


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    published = load(os.path.join(ROOT, "schemas", "article_published.avsc"))
    enriched = load(os.path.join(ROOT, "schemas", "article_enriched.avsc"))
    v2 = load(os.path.join(OUT, "article_v2.avsc"))
    no_url = load(os.path.join(OUT, "article_no_url.avsc"))
    int_id = load(os.path.join(OUT, "article_int_id.avsc"))

    write("article_v1.avro", framed(published, 1, ARTICLE))
    a2 = dict(ARTICLE, word_count=21, meta={"rev": 7, "tags": ["a", "b"]}, published_at=1714564800)
    a2["language"] = None
    write("article_v2.avro", framed(v2, 2, a2))
    a3 = {k: v for k, v in ARTICLE.items() if k not in ("url", "authors", "extra")}
    write("article_no_url.avro", framed(no_url, 3, a3))
    write("article_int_id.avro", framed(int_id, 4, dict(ARTICLE, id=42)))
    write("enriched_golden.avro", framed(enriched, 7, ENRICHED))
    # The JSON encoder's golden: same content, schema field order, compact, UTF-8 unescaped.
    text = json.dumps(ENRICHED, ensure_ascii=False, separators=(",", ":")) + "\n"
    write("enriched_golden.json", text.encode("utf-8"))

    for e in ENRICHED["entities"]:
        for m in e["mentions"]:
            print(e["name"], m["field"], m["start"], m["end"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
