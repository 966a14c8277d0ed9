#!/bin/sh
# make bench: issue 11's figures for the bundled baseline and bench/v2.yaml
# (every version-2 feature), a table here and build/bench.json.
# BENCH_BIG=1 also measures 10^7 futures (about 1.4 GiB and many minutes);
# BENCH_SMOKE=1 runs tiny sizes (tests/bench/smoke.sh).  Figures only: this
# never fails on a slow machine.
#
# The NumPy peer's rate is measured here, not taken from another machine:
# the engine of revision PEER_REV (the one issue 11 measured at 8-10 times
# the peer) is built as a shared library (bench/ab.sh -b) and timed on its
# own baseline in the bench's turns (bench.c, BENCH_PEER_*).  Without git
# or that revision (a shallow clone, a tarball), the peer is the issue's
# fixed 5,500 futures a second, and the bench says so.
set -e
REV=${PEER_REV:-3e84987}
# Built with its own Makefile's flags, as the issue measured it.
if sha=$(git rev-parse --verify --quiet "$REV^{commit}" 2>/dev/null) &&
    popt=$(git show "$sha:Makefile" | sed -n 's/^OPT ?= //p') && [ -n "$popt" ] &&
    lib=$(OPT="$popt" sh bench/ab.sh -b "$sha") &&
    git show "$sha:scenarios/baseline.yaml" >build/ab/peer-baseline.yaml; then
    BENCH_PEER_LIB=$lib BENCH_PEER_SCENARIO=build/ab/peer-baseline.yaml BENCH_PEER_REV=$REV
    export BENCH_PEER_LIB BENCH_PEER_SCENARIO BENCH_PEER_REV
else
    echo "make bench: no build of revision $REV (issue 11's engine; it needs the git history):" \
        "the NumPy peer is the issue's fixed 5,500/s, measured on another machine" >&2
fi
build/bench/bench scenarios/baseline.yaml bench/v2.yaml
rm -rf build/bench-out
