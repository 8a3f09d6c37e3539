#!/usr/bin/env bash
# One short, bounded libFuzzer run of a harness for CTest (label "fuzz"): the harness fuzzes a
# throw-away copy of its seed corpus (tests/fuzz/corpus/<name>/) with its dictionary
# (tests/fuzz/<name>.dict) when there is one, so the committed corpus never changes. A crash,
# leak, timeout or out-of-memory input is kept under ARTIFACT_DIR and fails the test.
#
# Usage: ctest-run.sh HARNESS_BINARY SECONDS ARTIFACT_DIR
set -euo pipefail
bin=$1 secs=$2 artifacts=$3
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$bin")
name=${name#fuzz_}

work=$(mktemp -d "${TMPDIR:-/tmp}/ne-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$artifacts"
if [[ -d $here/corpus/$name ]]; then
        cp -r "$here/corpus/$name/." "$work/corpus/"
fi
args=(-max_total_time="$secs" -runs=5000000 -max_len=4096 -timeout=20 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$artifacts/$name-")
if [[ -f $here/$name.dict ]]; then
        args+=(-dict="$here/$name.dict")
fi
echo "fuzz: $name: ${secs}s on $(ls "$work/corpus" | wc -l) seed(s)"
"$bin" "${args[@]}" "$work/corpus"
