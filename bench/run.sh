#!/bin/sh
# make bench: the engine's speed and memory on the bundled baseline.
set -e
build/bench/bench scenarios/baseline.yaml 100000
rm -rf build/bench-out
