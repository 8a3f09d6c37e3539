#!/usr/bin/env bash
# Topic classification benchmark (not a CI test): our classifier, fastText and scikit-learn
# TF-IDF + LinearSVC side by side on the same 5-fold CV splits of the BBC, 20 Newsgroups and
# Reuters-21578 train files (record i is in test fold i % 5). Prints accuracy (BBC, 20NG) or
# micro-F1 (Reuters), warm one-thread prediction docs/s, model bytes and training seconds, and
# the ratios against the targets. Each system gets a small hyper-parameter grid, chosen by mean
# CV score (fastText's grid is run on fold 0, then all folds with the best).
#
# Needs: apt-get install -y fasttext python3-sklearn ; a built newsenrichd.
# Environment: NEWSENRICHD (binary; default build/release, then build/dev), NE_TOPIC_DATA
# (default /work/shared/data/topic), NE_BENCH_WORK (default /tmp/ne-topic-bench),
# REUSE_PEERS=1 to keep peers' results already in the work directory, SYSTEMS (default
# "ours sklearn fasttext"), DATASETS (default "bbc 20ng reuters").
# Takes tens of minutes on two cores; run it under nice.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${NEWSENRICHD:-}
if [[ -z $bin ]]; then
        for b in "$root/build/release/newsenrichd" "$root/build/dev/newsenrichd"; do
                [[ -x $b ]] && { bin=$b; break; }
        done
fi
[[ -x $bin ]] || { echo "topics.sh: build newsenrichd first (or set NEWSENRICHD)" >&2; exit 1; }
data=${NE_TOPIC_DATA:-/work/shared/data/topic}
work=${NE_BENCH_WORK:-/tmp/ne-topic-bench}
systems=${SYSTEMS:-ours sklearn fasttext}
datasets=${DATASETS:-bbc 20ng reuters}
folds=5
py=/usr/bin/python3 # Debian's python3-sklearn is only seen by this interpreter
mkdir -p "$work"

file_of() {
        case $1 in
        bbc) echo "$data/bbc/bbc.train.tsv.gz" ;;
        20ng) echo "$data/20newsgroups/20ng.train.tsv.gz" ;;
        reuters) echo "$data/reuters21578/reuters.modapte.train.tsv.gz" ;;
        esac
}
kind_of() { [[ $1 == reuters ]] && echo multi || echo single; }

# Our grid: SVM cost, the weight of bigrams against unigrams, compound words.
ours_grid=("--c 1 --bigram-weight 1" "--c 3 --bigram-weight 1" "--c 1 --bigram-weight 0.3"
        "--c 3 --bigram-weight 0.3" "--c 3 --bigram-weight 0.2"
        "--c 3 --bigram-weight 0.3 --compound")

run_ours() {
        local ds=$1 f out model t0 t1 line
        f=$(file_of "$ds")
        out="$work/ours_$ds.tsv"
        : >"$out"
        model="$work/ours.model"
        for cfg in "${ours_grid[@]}"; do
                for ((k = 0; k < folds; k++)); do
                        t0=$(date +%s.%N)
                        # shellcheck disable=SC2086 # cfg is a word list on purpose
                        "$bin" train-topics --train "$f" --folds $folds --fold $k --out "$model" \
                                --threads 2 $cfg 2>/dev/null
                        t1=$(date +%s.%N)
                        line=$("$bin" eval-topics --model "$model" --folds $folds --fold $k \
                                --bench-seconds $([[ $k == 0 ]] && echo 3 || echo 0) "$f" | tail -1)
                        # accuracy=A micro_f1=M docs_per_sec=N
                        read -r acc mf1 dps <<<"$(sed -E 's/[a-z_]+=//g' <<<"$line")"
                        printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\n' "$cfg" $k "$acc" "$mf1" "$dps" \
                                "$(echo "$t1 - $t0" | bc)" "$(stat -c %s "$model")" >>"$out"
                        echo "ours $ds [$cfg] fold $k: $line" >&2
                done
        done
        rm -f "$model"
}

for ds in $datasets; do
        for s in $systems; do
                case $s in
                ours) run_ours "$ds" ;;
                sklearn | fasttext)
                        if [[ ${REUSE_PEERS:-0} == 1 && -s $work/${s}_$ds.json ]]; then
                                continue
                        fi
                        $py "$here/topics_peers.py" "$s" "$(file_of "$ds")" $folds "$(kind_of "$ds")" \
                                "$work/${s}_$ds.json" "$work/ft_$ds"
                        ;;
                esac
        done
done
$py "$here/topics_peers.py" table "$work"
