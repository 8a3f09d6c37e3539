#!/usr/bin/env python3
"""Deterministic news-like articles for tests/bench/throughput.sh.

Builds articles of 300-1,500 words from a small template vocabulary written for this
benchmark (people, organisations, places, news phrasing), so the text has capitalised names
for the tagger and topic words for the classifier. Same seed, same bytes.

Writes:
  --bodies FILE   the article texts (title, blank line, body), separated by a form feed line
  --kcat FILE     JSON ArticlePublished events for `kcat -P -K <<ne-key>> -D <<ne-msg>>`
"""
import argparse
import json
import random

FIRST = ["Maria", "John", "Angela", "Pierre", "Yuki", "Ahmed", "Elena", "David", "Sofia",
         "Carlos", "Ingrid", "Rahul", "Fatima", "Tom", "Lucia", "Viktor", "Grace", "Kenji",
         "Amara", "Oliver", "Hannah", "Mateo", "Chloe", "Dmitri", "Nadia", "Samuel"]
LAST = ["Schmidt", "Okafor", "Rossi", "Tanaka", "Dubois", "Kowalski", "Haddad", "Lindqvist",
        "Moreno", "Fischer", "Nakamura", "Brennan", "Petrov", "Silva", "Novak", "Chen",
        "Mensah", "Larsen", "Costa", "Weber", "Ibrahim", "Walsh", "Janssen", "Herrera"]
TITLES = ["Prime Minister", "President", "Finance Minister", "chief executive",
          "spokeswoman", "spokesman", "coach", "striker", "Governor", "Senator", "analyst"]
ORGS = ["European Commission", "United Nations", "World Health Organization",
        "Northwind Energy", "Helios Motors", "Banco Atlantico", "Meridian Airlines",
        "Federal Reserve", "Bank of England", "International Monetary Fund",
        "Red Cross", "Orion Telecom", "Vantage Pharma", "Real Madrid", "Bayern Munich",
        "Supreme Court", "World Bank", "NATO", "Greenfield Foods", "Atlas Shipping"]
PLACES = ["Brussels", "Berlin", "Paris", "Tokyo", "Nairobi", "Sao Paulo", "Toronto",
          "Madrid", "Warsaw", "Cairo", "Sydney", "Mumbai", "Geneva", "Lisbon", "Oslo",
          "Chicago", "Lagos", "Seoul", "Mexico City", "Istanbul", "Germany", "France",
          "Japan", "Kenya", "Brazil", "Canada", "Spain", "Poland", "Egypt", "India"]
TOPICS = {
    "economy": ["inflation", "interest rates", "quarterly profit", "shares", "bond yields",
                "the central bank", "investors", "exports", "the budget deficit", "growth",
                "unemployment", "consumer prices", "the stock market", "revenue"],
    "politics": ["the election", "parliament", "the coalition", "voters", "the opposition",
                 "a referendum", "the cabinet", "lawmakers", "the treaty", "sanctions",
                 "the ministry", "a new law", "the campaign", "diplomats"],
    "sport": ["the match", "the championship", "the league", "the final", "fans",
              "the stadium", "the season", "a penalty", "the title", "the tournament",
              "the squad", "a transfer", "the goalkeeper", "the World Cup"],
    "health": ["the vaccine", "hospitals", "patients", "the outbreak", "doctors",
               "clinical trials", "the virus", "public health", "nurses", "the treatment",
               "infections", "the clinic", "researchers", "the epidemic"],
    "science": ["the satellite", "researchers", "the telescope", "climate data", "the study",
                "scientists", "the laboratory", "emissions", "the experiment", "the mission",
                "the discovery", "the journal", "rainfall", "the glacier"],
}
VERBS = ["said", "told reporters", "announced", "warned", "confirmed", "added", "argued",
         "stressed", "noted", "insisted"]
LINKS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday",
         "last week", "this year", "in a statement", "at a news conference", "late on Sunday"]
CLAUSES = ["{t0} would rise sharply before the end of the year",
           "{t0} and {t1} remained the main concern",
           "talks about {t0} had made little progress",
           "{t0} was expected to improve as {t1} recovered",
           "the decision on {t0} could be delayed until {month}",
           "{org} would review {t0} with officials in {place}",
           "{t0} fell by {pct} percent compared with a year earlier",
           "nobody had expected {t0} to change so quickly",
           "{t0} in {place} was the highest since {year}",
           "more than {num} people were affected by {t0}"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def person(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def sentence(rng, topic):
    words = TOPICS[topic]
    clause = rng.choice(CLAUSES).format(
        t0=rng.choice(words), t1=rng.choice(words), org=rng.choice(ORGS),
        place=rng.choice(PLACES), month=rng.choice(MONTHS), pct=rng.randint(2, 40),
        year=rng.randint(1990, 2022), num=f"{rng.randint(2, 900)},{rng.randint(100, 999)}")
    form = rng.randrange(4)
    if form == 0:
        return f"{person(rng)}, {rng.choice(TITLES)} of {rng.choice(ORGS)}, " \
               f"{rng.choice(VERBS)} {rng.choice(LINKS)} that {clause}."
    if form == 1:
        return f"In {rng.choice(PLACES)}, {rng.choice(ORGS)} {rng.choice(VERBS)} " \
               f"that {clause}."
    if form == 2:
        return f"\u201c{clause[0].upper() + clause[1:]},\u201d {person(rng)} " \
               f"{rng.choice(VERBS)}."
    return f"{clause[0].upper() + clause[1:]}, according to {rng.choice(ORGS)} " \
           f"in {rng.choice(PLACES)}."


def article(rng, i):
    topic = rng.choice(sorted(TOPICS))
    target = rng.randint(300, 1500)
    paras, words = [], 0
    while words < target:
        para = " ".join(sentence(rng, topic) for _ in range(rng.randint(2, 5)))
        paras.append(para)
        words += len(para.split())
    place = rng.choice(PLACES)
    title = f"{rng.choice(ORGS)} {rng.choice(VERBS)} {rng.choice(TOPICS[topic])} in {place}"
    body = f"{place.upper()} (Bench Wire) - " + "\n".join(paras)
    return {"id": f"bench-{i:06d}", "url": f"https://news.example/{i}", "source": "bench-wire",
            "title": title, "body": body, "authors": [person(rng)], "language": "en",
            "published_at": 1700000000000 + i * 1000, "extra": {}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bodies")
    ap.add_argument("--kcat")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    arts = [article(rng, i) for i in range(a.n)]
    if a.bodies:
        with open(a.bodies, "w", encoding="utf-8") as f:
            for art in arts:
                f.write(art["title"] + "\n\n" + art["body"] + "\n\f\n")
    if a.kcat:
        with open(a.kcat, "wb") as f:
            for art in arts:
                f.write(art["id"].encode() + b"<<ne-key-3f9c1b>>" +
                        json.dumps(art, ensure_ascii=False).encode() + b"\n<<ne-msg-3f9c1b>>\n")
    words = sum(len(x["body"].split()) for x in arts)
    print(f"articles={a.n} words={words} words/article={words / a.n:.0f}")


if __name__ == "__main__":
    main()
