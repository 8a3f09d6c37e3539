#!/usr/bin/env bash
# A small run of chaos_crash.sh for CI: 3000 articles, 3 SIGKILLs at random moments.
CHAOS_MIN_MS=${CHAOS_MIN_MS:-100} CHAOS_MAX_MS=${CHAOS_MAX_MS:-1500} \
        exec "$(dirname "$0")/chaos_crash.sh" 3000 3
