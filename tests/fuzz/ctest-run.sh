#!/usr/bin/env bash
# The CTest fuzz run of one harness (label "fuzz"), deterministic so that CI turns red only when
# a change breaks something, never because the fuzzer happened to find an old bug today:
#   1. replay: every committed input of tests/fuzz/corpus/<name>/ (seeds and regress-* inputs
#      of fixed findings) runs once, whole (no -max_len cut);
#   2. fuzz: a fixed number of inputs (RUNS) from a fixed -seed on a throw-away copy of that
#      corpus, with the harness's dictionary (tests/fuzz/<name>.dict) when there is one. Same
#      binary + same corpus + same seed = the same inputs in the same order, or nearly (see
#      -use_cmp below; tests/fuzz/README.md gives the drift measured); no time limit decides
#      how far it gets (only CTest's TIMEOUT as a safety net).
# Open-ended exploration with random seeds is tests/fuzz/run-long.sh's job. A crash, leak,
# timeout or out-of-memory input fails the test and is kept under ARTIFACT_DIR; the seed and
# run count in the log reproduce the fuzzing step.
#
# Usage: ctest-run.sh HARNESS_BINARY RUNS SEED ARTIFACT_DIR
set -euo pipefail
bin=$1 runs=$2 seed=$3 artifacts=$4
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$bin")
name=${name#fuzz_}

work=$(mktemp -d "${TMPDIR:-/tmp}/ne-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$artifacts"
seeds=()
if [[ -d $here/corpus/$name ]]; then
        cp -r "$here/corpus/$name/." "$work/corpus/"
        seeds=("$here/corpus/$name"/*)
fi
common=(-timeout=20 -rss_limit_mb=2048 -artifact_prefix="$artifacts/$name-")

if ((${#seeds[@]} > 0)); then
        echo "fuzz: $name: replay ${#seeds[@]} committed input(s)"
        if ! "$bin" "${common[@]}" "${seeds[@]}" >"$work/replay.log" 2>&1; then
                cat "$work/replay.log"
                echo "fuzz: $name: a committed input fails (see above)"
                exit 1
        fi
fi

# -use_cmp=0 -use_memmem=0: the operands of traced comparisons and intercepted strcmp/memmem
# calls include values that change from run to run (addresses, the hash order of the JSON
# library inside avro-c), and mutations built from them made two runs with one seed diverge.
args=("${common[@]}" -seed="$seed" -runs="$runs" -max_len=4096 -reload=0 -use_cmp=0
        -use_memmem=0 -print_final_stats=1)
if [[ -f $here/$name.dict ]]; then
        args+=(-dict="$here/$name.dict")
fi
echo "fuzz: $name: $runs inputs, -seed=$seed, from ${#seeds[@]} seed(s)"
"$bin" "${args[@]}" "$work/corpus"
