#!/usr/bin/env bash
# Source line coverage of the fuzz corpora: how much of its target module each harness's
# corpus reaches. Builds the harnesses once more in build/fuzz-cov with clang's source-based
# coverage (-fprofile-instr-generate -fcoverage-mapping, on top of the fuzz preset's flags),
# runs every input of a corpus once (libFuzzer -runs=0, no fuzzing), merges the profiles with
# llvm-profdata and prints, per harness, the share of lines of its target module (the source
# files listed below) that ran, as `llvm-cov report` counts them. By hand, not CI.
#
# Needs, besides .ci/packages: llvm-14 (llvm-profdata-14, llvm-cov-14).
#
# Usage: tests/fuzz/coverage.sh [seeds|long] [HARNESS...]
#   seeds: the committed corpus, tests/fuzz/corpus/<harness>/ (default)
#   long:  run-long.sh's working corpus, build/fuzz/long/<harness>/corpus/
# Reports (per file, `llvm-cov report`) go to build/fuzz-cov/report/<harness>-<which>.txt.
set -euo pipefail
which=${1:-seeds}
shift || true
case $which in
seeds | long) ;;
*)
        echo "usage: $0 [seeds|long] [HARNESS...]" >&2
        exit 2
        ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
profdata=$(command -v llvm-profdata-14 || command -v llvm-profdata || true)
llvmcov=$(command -v llvm-cov-14 || command -v llvm-cov || true)
if [[ -z $profdata || -z $llvmcov ]]; then
        echo "coverage.sh: needs llvm-profdata and llvm-cov (Debian: apt-get install llvm-14)" >&2
        exit 2
fi

# The module each harness is meant to exercise (tests/fuzz/README.md, "Harnesses").
declare -A module=(
        [json_decode]="daemon/codec/json_decode.c daemon/codec/decoder.c"
        [avro_decode]="daemon/codec/avro_decode.c daemon/codec/avro_validate.c
                daemon/codec/framing.c"
        [codec_decode]="daemon/codec/decoder.c daemon/codec/json_decode.c
                daemon/codec/avro_decode.c daemon/codec/avro_validate.c daemon/codec/framing.c
                daemon/codec/encoder.c daemon/codec/json_encode.c daemon/codec/avro_encode.c"
        [config]="daemon/config.c daemon/config_map.c daemon/config_print.c"
        [schema_compat]="$(echo daemon/codec/schema_compat*.c)"
        [ner]="daemon/enrich/tokenize.c daemon/enrich/sentence.c daemon/enrich/token_norm.c
                daemon/enrich/ner_decode.c daemon/enrich/ner_features.c
                daemon/enrich/ner_lexicon.c daemon/enrich/ner_map.c daemon/enrich/entities.c"
        [topic]="daemon/enrich/topic_feat.c daemon/enrich/topic_predict.c"
        [alerts]="daemon/alerts_rules.c daemon/alerts.c"
        [traceparent]="daemon/traceparent.c"
)
if (($# > 0)); then
        harnesses=("$@")
else
        harnesses=(schema_compat json_decode avro_decode codec_decode config alerts traceparent
                ner topic)
fi

bdir=$root/build/fuzz-cov
flags="-fprofile-instr-generate -fcoverage-mapping"
nice cmake -S "$root" -B "$bdir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
        -DNE_FUZZ=ON -DNE_WERROR=ON -DCMAKE_C_FLAGS="$flags" \
        -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate" >/dev/null
targets=()
for h in "${harnesses[@]}"; do
        targets+=("fuzz_$h")
done
nice cmake --build "$bdir" -j2 --target "${targets[@]}" >/dev/null

export NE_SOURCE_DIR=$root
export ASAN_OPTIONS=detect_leaks=0
mkdir -p "$bdir/report"
printf '| %-14s | %-6s | %7s | %6s | %7s | %s |\n' harness corpus inputs lines covered \
        "% lines (target module)"
printf '|%s|%s|%s|%s|%s|%s|\n' ---------------- -------- --------: -------: --------: -------------------------:
for h in "${harnesses[@]}"; do
        if [[ -z ${module[$h]:-} ]]; then
                echo "coverage.sh: no module listed for harness $h" >&2
                exit 2
        fi
        if [[ $which == long ]]; then
                corpus=$root/build/fuzz/long/$h/corpus
        else
                corpus=$root/tests/fuzz/corpus/$h
        fi
        if [[ ! -d $corpus ]]; then
                echo "coverage.sh: $h: no corpus at $corpus (run tests/fuzz/run-long.sh first)" >&2
                continue
        fi
        prof=$(mktemp -d "${TMPDIR:-/tmp}/ne-cov-$h.XXXXXX")
        # -runs=0: run each input of the corpus once and stop; a whole file, no -max_len cut
        LLVM_PROFILE_FILE="$prof/%p.profraw" nice "$bdir/tests/fuzz/fuzz_$h" -runs=0 \
                -max_len=1048576 -timeout=60 "$corpus" >"$prof/run.log" 2>&1 || {
                tail -20 "$prof/run.log" >&2
                echo "coverage.sh: $h: the corpus run failed" >&2
        }
        "$profdata" merge -sparse -o "$prof/merged.profdata" "$prof"/*.profraw
        # shellcheck disable=SC2086 # the module list is meant to split into files
        "$llvmcov" report "$bdir/tests/fuzz/fuzz_$h" -instr-profile="$prof/merged.profdata" \
                ${module[$h]} >"$bdir/report/$h-$which.txt"
        # TOTAL row: regions, missed, %, functions, missed, %, lines, missed lines, %, ...
        read -r lines missed < <(awk '$1 == "TOTAL" {print $8, $9}' "$bdir/report/$h-$which.txt")
        inputs=$(find "$corpus" -type f | wc -l)
        printf '| %-14s | %-6s | %7s | %6s | %7s | %s |\n' "$h" "$which" "$inputs" "$lines" \
                "$((lines - missed))" "$(awk -v l="$lines" -v m="$missed" \
                'BEGIN { printf "%.1f", l ? 100 * (l - m) / l : 0 }')"
        rm -rf "$prof"
done
