#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer harnesses into tests/fuzz/corpus/<harness>/.

Every seed is written here from scratch (no data set, no fixture copied), so the corpus can be
regenerated and reviewed: `python3 tests/fuzz/make-seeds.py`. The Avro seeds are encoded by
hand (zig-zag varints, length-prefixed strings) for schemas/article_published.avsc, so no Avro
library is needed. Seeds are small on purpose: libFuzzer grows its own corpus from them."""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- Avro binary encoding of ArticlePublished --------------------------------------------

def zigzag(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def avro_str(s):
    b = s.encode("utf-8") if isinstance(s, str) else s
    return zigzag(len(b)) + b


def article(id, body, url="", source="", title="", authors=(), language=None,
            published_at=0, extra=None):
    out = avro_str(id) + avro_str(url) + avro_str(source) + avro_str(title) + avro_str(body)
    if authors:
        out += zigzag(len(authors)) + b"".join(avro_str(a) for a in authors)
    out += zigzag(0)
    out += zigzag(0) if language is None else zigzag(1) + avro_str(language)
    out += zigzag(published_at)
    if extra:
        out += zigzag(len(extra)) + b"".join(avro_str(k) + avro_str(v) for k, v in extra.items())
    out += zigzag(0)
    return out


def frame(schema_id, payload):
    return b"\x00" + struct.pack(">i", schema_id) + payload


AVRO_ARTICLES = [
    article("a-1", "Short body.", published_at=1714564800000),
    article("a-2", "Satya Nadella visited Zürich on Monday.\nMicrosoft said so.",
            url="https://example.org/a/2", source="wire", title="Nadella in Zürich",
            authors=["A. Writer", "B. Editor"], language="en", published_at=1714564800250,
            extra={"desk": "tech", "tier": "1"}),
    article("a-3", "Москва 東京 🚀 — “quotes”", language="ru", published_at=-1),
    article("a-4", "x", published_at=(1 << 53)),
]

for i, p in enumerate(AVRO_ARTICLES):
    write("avro_decode", f"payload-{i}", b"\x00" + p)            # fixed header + payload
    write("codec_decode", f"avro-{i}", frame(1, p))
write("avro_decode", "frame-id1", b"\x01" + frame(1, AVRO_ARTICLES[1]))
write("avro_decode", "frame-id9", b"\x01" + frame(9, AVRO_ARTICLES[0]))
write("avro_decode", "frame-badmagic", b"\x01" + b"\x01" + AVRO_ARTICLES[0])
write("avro_decode", "truncated", b"\x00" + AVRO_ARTICLES[1][:40])
write("avro_decode", "huge-len", b"\x00" + zigzag(1 << 40) + b"abc")

# ---- JSON articles ------------------------------------------------------------------------

JSON_ARTICLES = [
    {"id": "j-1", "body": "Short body.", "published_at": 1714564800000},
    {"id": "j-2", "url": "https://example.org/j/2", "source": "wire",
     "title": "Nadella in Zürich 🚀", "body": "Satya Nadella visited Zürich.\n\nMore text.",
     "authors": ["A. Writer"], "language": "de", "published_at": 1714564800250,
     "extra": {"desk": "tech"}},
    {"id": "j-3", "body": "ISO date", "published_at": "2024-05-01T14:00:00+02:00",
     "language": None},
]
for i, a in enumerate(JSON_ARTICLES):
    text = json.dumps(a, ensure_ascii=(i == 2))
    write("json_decode", f"article-{i}.json", text)
    write("codec_decode", f"json-{i}.json", text)
write("json_decode", "escapes.json",
      '{"id":"e\\u00e9","body":"a\\nb\\t\\"c\\" \\ud83d\\ude80 \\\\","published_at":1}')
write("json_decode", "deep.json", '{"id":"d","body":"b","published_at":1,"extra":'
      + '{"k":' * 4 + '"v"' + "}" * 4 + "}")
write("json_decode", "wrong-types.json", '{"id":7,"body":["x"],"published_at":1.5e300}')

# ---- config -------------------------------------------------------------------------------

CONFIG_BASE = """# minimal
input.topics = articles.published
output.topic = articles.enriched
output.schema_id = 1
dead_letter.topic = articles.dead-letter
schema.1 = schemas/article_enriched.avsc
kafka.bootstrap.servers = localhost:9092
kafka.consumer.group.id = newsenrichd
"""
write("config", "minimal.conf", CONFIG_BASE)
write("config", "full.conf", CONFIG_BASE + """input.max_bytes = 2MiB
input.json_max_depth = 32
output.format = json
schema.2 = /usr/share/newsenrichd/schemas/article_published.avsc
models.ner = models/ner.model
models.topics =
enrich.topic_threshold = 0.35
enrich.topic_top_k = 3
enrich.max_entities = 50
pipeline.workers = 2
pipeline.max_in_flight = 1000
pipeline.shutdown_timeout_ms = 30000
log.level = debug
log.stats_interval_s = 60
http.listen = 127.0.0.1
http.port = 9464
kafka.producer.message.max.bytes = 2000000
kafka.acks = all
""")
write("config", "quoted.conf", 'input.topics = " a , b "\noutput.topic=x\n\t# c\n\n'
      'kafka.sasl.password = p#ss "word"\r\n')
write("config", "errors.conf", "outptu.topic = x\nschema.0 = a\nschema.01 = b\n"
      "input.max_bytes = 12XB\nkafka.no.such.property = 1\n= v\nkey without value\n")

# ---- NER text (title line, then body) -----------------------------------------------------

write("ner", "dateline.txt",
      "EU rejects German call to boycott British lamb\n"
      "BRUSSELS, Aug 22 (Reuters) - The European Commission said on Thursday it "
      "disagreed with German advice to consumers to shun British lamb.\n\n"
      "Germany's representative to the EU, Werner Zwingmann, said on Wednesday ...")
write("ner", "company.txt",
      "MICROSOFT BUYS STARTUP\nMicrosoft Corp. said Satya Nadella met Acme Inc. "
      "in Redmond, Wash. Nadella's talks with the U.S.-led group ended at 10:30 a.m. "
      "Shares rose 3.5% to $ 3.5bn; \"We're pleased,\" Mr. Nadella said.")
write("ner", "unicode.txt",
      "Zürich – Łódź: “Москва” 東京 🚀👍🏽\nO'Brien visited d'Italia (Reuters) … "
      "rock'n'roll @handle #Brexit https://example.org/x?y=1 e-mail: a.b@example.org\u2028"
      "next\u2029para\u00a0nbsp")
write("ner", "no-title.txt", "Angela Merkel met Emmanuel Macron in Paris on Friday.")
write("ner", "invalid.bin", b"Bad \xc3\x28 UTF-8 \xed\xa0\x80 and NUL \x00 here")

# ---- topic text (first byte: threshold and result count, then the text) -------------------

write("topic", "economy.txt", b"\x60" + "Shares fell on Wall Street as the central bank raised "
      "interest rates; inflation and unemployment figures worried investors.".encode())
write("topic", "sport.txt", b"\x00" + "The striker scored twice as United beat City 3-1 in the "
      "league match on Saturday; the coach praised the goalkeeper.".encode())
write("topic", "politics.txt", b"\xff" + "Parliament passed the election bill after the prime "
      "minister and the opposition leader debated the vote.\n\nMinisters resigned.".encode())
write("topic", "mixed.bin", b"\x80" + "Zürich 東京 Москва 🚀 — “quotes”".encode()
      + b" bad \xc3\x28 bytes \x00 NUL")

# ---- schema-check -------------------------------------------------------------------------

SCHEMAS = {
    "record.avsc": {
        "type": "record", "name": "A", "namespace": "io.x", "fields": [
            {"name": "id", "type": "string"},
            {"name": "n", "type": "int", "default": 0},
            {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
            {"name": "lang", "type": ["null", "string"], "default": None},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "m", "type": {"type": "map", "values": "double"}, "default": {}}]},
    "every-type.avsc": {
        "type": "record", "name": "L", "fields": [
            {"name": "next", "type": ["null", "L"], "default": None},
            {"name": "f", "type": {"type": "fixed", "name": "F", "size": 16}},
            {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"],
                                   "default": "A"}},
            {"name": "b", "type": "boolean", "default": True},
            {"name": "y", "type": "bytes", "default": "\u00ff"},
            {"name": "fl", "type": "float", "default": 1.5},
            {"name": "r", "type": {"type": "record", "name": "R", "aliases": ["io.y.Old"],
                                   "fields": [{"name": "x", "type": "F"}]}},
            {"name": "u", "type": ["int", "long", "string", "E"]}]},
    "primitive.avsc": "string",
    "union.avsc": ["null", "int", {"type": "array", "items": "long"}],
}
for name, s in SCHEMAS.items():
    write("schema_compat", name, json.dumps(s, indent=1))
write("schema_compat", "published-like.avsc", json.dumps({
    "type": "record", "name": "ArticlePublished", "namespace": "io.newsenrichd", "fields": [
        {"name": "id", "type": "string"}, {"name": "body", "type": "string"},
        {"name": "title", "type": "string", "default": ""},
        {"name": "language", "type": ["null", "string"], "default": None},
        {"name": "published_at", "type": "long"},
        {"name": "extra", "type": {"type": "map", "values": "string"}, "default": {}}]}))
write("schema_compat", "bad.avsc", '{"type":"record","name":"B","fields":[{"name":"x"}]}')

# ---- alert rules --------------------------------------------------------------------------

write("alerts", "rules.json", json.dumps({"rules": [
    {"id": "merkel", "description": "d", "entities": [{"name": "Angela Merkel", "type": "PER"}],
     "topics": [{"code": "medtop:11000000", "min_score": 0.5}], "match": "all"},
    {"id": "munich", "entities": [{"name": "münchen"}], "keywords": ["Oktoberfest", "Wiesn"],
     "match": "any"},
    {"id": "economy", "topics": [{"code": "medtop:04000000"}]},
    {"id": "moscow", "keywords": ["МОСКВА", "former  chancellor", "東京"]}]}, indent=1,
    ensure_ascii=False))
write("alerts", "one.json", '{"rules":[{"id":"e","keywords":["election"]}]}')
write("alerts", "errors.json", '{"rules":[{"id":"x","match":"some","topics":'
      '[{"code":"c","min_score":2}],"unknown":1},{"id":"x"}]}')
write("alerts", "syntax.json", '{"rules":[{"id":"a",\n"keywords":["k"]')

# ---- traceparent --------------------------------------------------------------------------

write("traceparent", "v00", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
write("traceparent", "v00-unsampled", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")
write("traceparent", "v01-suffix",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-what-the-future-holds")
write("traceparent", "upper", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")
write("traceparent", "zero-ids", "00-00000000000000000000000000000000-0000000000000000-00")
write("traceparent", "vff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")

if __name__ == "__main__":
    total = sum(os.path.getsize(os.path.join(dp, f))
                for dp, _, fs in os.walk(OUT) for f in fs)
    print(f"seeds written to {OUT}: {total} bytes")
