#!/bin/sh
# make bench: issue 11's figures for the bundled baseline and bench/v2.yaml
# (every version-2 feature), a table here and build/bench.json.
# BENCH_BIG=1 also measures 10^7 futures (about 1.4 GiB and many minutes);
# BENCH_SMOKE=1 runs tiny sizes (tests/bench/smoke.sh).  Figures only: this
# never fails on a slow machine.
set -e
build/bench/bench scenarios/baseline.yaml bench/v2.yaml
rm -rf build/bench-out
