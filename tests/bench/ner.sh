#!/usr/bin/env bash
# Benchmark for the named-entity tagger: dev F1 (eng.testa, conlleval-compatible), tokens/s on
# one core (thread CPU time inside ne_ner_tag), model load time and size, and a held-out
# check on a slice carved from eng.train. Prints figures; it is not a pass/fail test.
#
# usage: tests/bench/ner.sh [--retrain]
#   NEWSENRICHD  binary (default build/dev/newsenrichd)
#   NE_DATA      data root (default /work/shared/data, else ../shared/data)
#   MODEL        model to measure (default models/ner.model)
#   --retrain    also train on the first 85% of eng.train documents and report F1 on the
#                last 15% (how features and epochs were chosen), and rebuild the full model
#                into a temporary file to check that training is deterministic.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${NEWSENRICHD:-build/dev/newsenrichd}
DATA=${NE_DATA:-/work/shared/data}
[ -d "$DATA" ] || DATA=../shared/data
MODEL=${MODEL:-models/ner.model}
TRAIN=$DATA/ner/conll2003/eng.train
DEV=$DATA/ner/conll2003/eng.testa
for f in "$BIN" "$MODEL" "$TRAIN" "$DEV"; do
        [ -e "$f" ] || { echo "ner.sh: missing $f" >&2; exit 2; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== model"
ls -l "$MODEL" | awk '{printf "size_bytes=%s\n", $5}'

echo "== eng.testa (dev)"
"$BIN" eval-ner --model "$MODEL" "$DEV" | tee "$TMP/dev.txt"

# Title Case headlines, as much news text writes them: the all-caps lines of eng.testa with
# every word of 3+ letters and no digits title-cased (acronyms of 2 letters stay).
titlecase() {
        awk 'function flush(   i, w, caps) {
                caps = 0
                for (i = 1; i <= n; i++) { w = tok[i]; if (w ~ /[a-z]/) { caps = -1; break }
                        if (w ~ /[A-Z]/) caps = 1 }
                for (i = 1; i <= n; i++) {
                        w = tok[i]
                        if (caps == 1 && w !~ /[0-9]/ && gsub(/[A-Za-z]/, "&", w) >= 3)
                                w = substr(w, 1, 1) tolower(substr(w, 2))
                        print w rest[i]
                }
                n = 0
        }
        /^-DOCSTART-/ || NF == 0 { flush(); print; next }
        { n++; tok[n] = $1; rest[n] = substr($0, length($1) + 1) }
        END { flush() }' "$1"
}
echo "== eng.testa with title-cased headlines"
titlecase "$DEV" > "$TMP/dev_title.conll"
"$BIN" eval-ner --model "$MODEL" "$TMP/dev_title.conll" | tail -1

echo "== throughput: eng.testa x4, best of 5 runs (thread CPU time in ne_ner_tag)"
cat "$DEV" "$DEV" "$DEV" "$DEV" > "$TMP/dev4.conll"
best=0
best_load=999999
for i in 1 2 3 4 5; do
        out=$("$BIN" eval-ner --model "$MODEL" "$TMP/dev4.conll")
        tps=$(tail -1 <<<"$out" | sed 's/.*tokens_per_sec=//')
        load=$(head -1 <<<"$out" | sed 's/.*loaded in \([0-9.]*\) ms.*/\1/')
        [ "$tps" -gt "$best" ] && best=$tps
        best_load=$(awk -v a="$load" -v b="$best_load" 'BEGIN{print (a<b)?a:b}')
        echo "run $i: tokens_per_sec=$tps load_ms=$load"
done
echo "best tokens_per_sec=$best  best load_ms=$best_load  (machine load: $(cut -d' ' -f1-3 /proc/loadavg))"

if [ "${1:-}" = "--retrain" ]; then
        echo "== held-out slice of eng.train (documents 805..946 of 946)"
        awk 'BEGIN{d=0} /^-DOCSTART-/{d++} {print d"\t"$0}' "$TRAIN" > "$TMP/tagged"
        awk -F'\t' '$1<=804' "$TMP/tagged" | cut -f2- > "$TMP/tr85.conll"
        awk -F'\t' '$1>804' "$TMP/tagged" | cut -f2- > "$TMP/ho15.conll"
        "$BIN" train-ner --train "$TMP/tr85.conll" --dev "$TMP/ho15.conll" \
                --out "$TMP/tr85.model" --lexicon-dir "$DATA" --epochs 10 --seed 1
        "$BIN" eval-ner --model "$TMP/tr85.model" "$TMP/ho15.conll" | tail -6
        titlecase "$TMP/ho15.conll" > "$TMP/ho15_title.conll"
        echo "held-out slice with title-cased headlines:"
        "$BIN" eval-ner --model "$TMP/tr85.model" "$TMP/ho15_title.conll" | tail -1
        echo "== determinism: retrain the full model"
        start=$(date +%s.%N)
        "$BIN" train-ner --train "$TRAIN" --out "$TMP/full.model" --lexicon-dir "$DATA" \
                --epochs 10 --seed 1 2>/dev/null
        end=$(date +%s.%N)
        awk -v s="$start" -v e="$end" 'BEGIN{printf "train_seconds=%.1f\n", e-s}'
        if cmp -s "$TMP/full.model" "$MODEL"; then
                echo "deterministic=yes (identical to $MODEL)"
        else
                echo "deterministic=no ($MODEL differs from a fresh build)"
        fi
fi
