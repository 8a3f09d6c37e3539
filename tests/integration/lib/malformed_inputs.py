#!/usr/bin/python3
"""Turns the malformed corpus (tests/fixtures/malformed/, MANIFEST.tsv) into one kcat input
file (`kcat -P -K KEY_DELIM -D MSG_DELIM -l FILE`), each corpus file one message keyed
"mal-<file>", with good articles (JSON and Confluent Avro) interleaved, keyed by their ids.
Writes the expectations as JSON for check_malformed.py. With --flood N it writes N malformed
messages cycling through the corpus instead (keys "f-<n>", no good articles, no expectations),
leaving out files over --flood-max-bytes. Deterministic."""
import argparse
import json
import os
import sys

MSG_DELIM = b"\n<<ne-msg-3f9c1b>>\n"
KEY_DELIM = b"<<ne-key-3f9c1b>>"


def corpus(dirname):
    rows = []
    with open(os.path.join(dirname, "MANIFEST.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            name, reason, detail, covers = line.rstrip("\n").split("\t")
            with open(os.path.join(dirname, name), "rb") as g:
                rows.append((name, reason, detail, g.read()))
    return rows


def good_json(i):
    return json.dumps({
        "id": f"good-j-{i:03d}", "url": f"https://news.example.org/good/{i}",
        "source": "malformed-test", "title": f"Good article {i}",
        "body": "The council in Rotterdam said on Monday that the new port terminal would "
                f"open next year, while analysts at ING warned about costs ({i}).",
        "authors": ["A Writer"], "language": "en", "published_at": 1760000000000 + i,
        "extra": {"seq": str(i)}}).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--expect")
    ap.add_argument("--flood", type=int, default=0)
    ap.add_argument("--flood-max-bytes", type=int, default=4096)
    ap.add_argument("--flood-match", default="",
                    help="only corpus files whose name contains this (to bisect a flood)")
    a = ap.parse_args()
    rows = corpus(a.corpus)
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, a.corpus)
    import make  # the corpus generator's hand-written Avro encoder, for good Avro articles

    with open(a.out, "wb") as f:
        def put(key, payload):
            assert MSG_DELIM not in payload and KEY_DELIM not in payload, key
            f.write(key.encode() + KEY_DELIM + payload + MSG_DELIM)

        if a.flood:
            small = [r for r in rows
                     if len(r[3]) <= a.flood_max_bytes and a.flood_match in r[0]]
            for n in range(a.flood):
                put(f"f-{n}", small[n % len(small)][3])
            print(f"flood: {a.flood} messages cycling through {len(small)} corpus files")
            return
        ids, bad = [], {}
        for i, (name, reason, detail, payload) in enumerate(rows):
            key = f"mal-{name}"
            put(key, payload)
            bad[key] = {"file": name, "reason": reason, "detail": detail,
                        "value": payload.hex()}
            if i % 2 == 0:
                ident = f"good-j-{i:03d}"
                put(ident, good_json(i))
            else:
                ident = f"good-a-{i:03d}"
                put(ident, make.Rec(ident, body="Analysts in Frankfurt said the European "
                                    f"Central Bank kept rates unchanged ({i}).").msg(1))
            ids.append(ident)
    with open(a.expect, "w") as f:
        json.dump({"ids": ids, "dead_letters": bad}, f)
    print(f"generated: corpus={len(bad)} good={len(ids)}")


if __name__ == "__main__":
    main()
