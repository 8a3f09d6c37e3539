#!/usr/bin/python3
"""Audits the dead-letter and output topics after test_malformed_corpus.sh: exactly one dead
letter per corpus file (matched by key), with the manifest's ne.reason, an ne.detail holding
the manifest's substring, the input bytes unchanged and the source headers set; no other dead
letter; every good article enriched exactly once and nothing else in the output. Reads kcat
dumps in check_outputs.py's format. Prints a line per problem; exits 1 on any."""
import argparse
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_outputs import parse_dump  # noqa: E402

HDRS = re.compile(r"^ne\.reason=(.*?),ne\.detail=(.*),ne\.source\.topic=(.*?),"
                  r"ne\.source\.partition=(\d+),ne\.source\.offset=(\d+)$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", required=True)
    ap.add_argument("--dlq-dump", required=True)
    ap.add_argument("--out-dump", required=True)
    a = ap.parse_args()
    exp = json.load(open(a.expect))
    problems = []
    seen = collections.Counter()
    for m in parse_dump(a.dlq_dump):
        key = (m["key"] or b"").decode("utf-8", "replace")
        seen[key] += 1
        want = exp["dead_letters"].get(key)
        if want is None:
            problems.append(f"stray dead letter key={key!r} headers={m['headers']!r}")
            continue
        h = HDRS.match(m["headers"])
        if not h:
            problems.append(f"{want['file']}: headers not as expected: {m['headers']!r}")
            continue
        reason, detail, topic = h.group(1), h.group(2), h.group(3)
        if reason != want["reason"]:
            problems.append(f"{want['file']}: reason {reason}, want {want['reason']} "
                            f"(detail: {detail})")
        if want["detail"] not in detail:
            problems.append(f"{want['file']}: detail {detail!r} lacks {want['detail']!r}")
        if (m["value"] or b"") != bytes.fromhex(want["value"]):
            problems.append(f"{want['file']}: dead letter value differs from the input")
        if topic != "in":
            problems.append(f"{want['file']}: ne.source.topic={topic}")
    for key, want in exp["dead_letters"].items():
        if seen[key] != 1:
            problems.append(f"{want['file']}: {seen[key]} dead letters, want 1")

    out = collections.Counter((m["key"] or b"").decode() for m in parse_dump(a.out_dump))
    for ident in exp["ids"]:
        if out[ident] != 1:
            problems.append(f"good article {ident}: {out[ident]} enriched events, want 1")
    for key in set(out) - set(exp["ids"]):
        problems.append(f"stray output event key={key!r}")

    for p in problems:
        print("PROBLEM:", p)
    print(f"audit: corpus={len(exp['dead_letters'])} dead_letters={sum(seen.values())} "
          f"good={len(exp['ids'])} enriched={sum(out.values())} problems={len(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
