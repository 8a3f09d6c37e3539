#!/usr/bin/env bash
# test_run_e2e.sh with pipeline.workers = 2: the worker pool and its in-order ring must give
# the same outputs, metrics, dead letters and commits as the inline path.
NE_WORKERS=2 exec bash "$(dirname "$0")/test_run_e2e.sh"
