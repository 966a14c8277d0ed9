#!/bin/sh
# Installs the Debian packages tcosim needs, when they are missing.
# As root (or with sudo) it runs apt-get; otherwise it prints the command.
set -e
need=""
pkg-config --exists gsl 2>/dev/null || need="$need libgsl-dev"
pkg-config --exists yaml-0.1 2>/dev/null || need="$need libyaml-dev"
pkg-config --exists check 2>/dev/null || need="$need check"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v gnuplot >/dev/null 2>&1 || need="$need gnuplot-nox"
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
# The fuzz targets need clang with its libFuzzer runtime and OpenMP library
# (Debian: libclang-rt-dev -> libclang-rt-14-dev, libomp-dev).  They are
# optional: without them the corpora are still replayed by the plain build.
fuzz=""
if ! sh "$(dirname "$0")/../tests/fuzz/have_fuzzer.sh" clang; then
    fuzz="clang libclang-rt-dev libomp-dev"
fi
if [ -z "$need" ] && [ -n "$fuzz" ] && [ "$(id -u)" != 0 ]; then
    echo "tcosim: for make fuzz: sudo apt-get install -y $fuzz" >&2
    exit 0
fi
need="$need${fuzz:+ $fuzz}"
[ -z "$need" ] && exit 0
echo "tcosim: installing missing packages:$need" >&2
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "tcosim: please run: sudo apt-get install -y$need" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq $need >&2
