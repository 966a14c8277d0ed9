#!/bin/sh
# Installs the Debian packages tcosim needs, when they are missing, and the
# de_DE.UTF-8 locale its locale tests use (numbers must not follow a locale's
# decimal comma).  As root (or with sudo) it runs apt-get; otherwise it prints
# the command.  Usage: tools/deps.sh [--fuzz]
set -e
need=""
pkg-config --exists gsl 2>/dev/null || need="$need libgsl-dev"
pkg-config --exists yaml-0.1 2>/dev/null || need="$need libyaml-dev"
pkg-config --exists check 2>/dev/null || need="$need check"
# results.xlsx; older packagings of libxlsxwriter have no .pc file.
pkg-config --exists xlsxwriter 2>/dev/null || [ -e /usr/include/xlsxwriter.h ] ||
    need="$need libxlsxwriter-dev"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v gnuplot >/dev/null 2>&1 || need="$need gnuplot-nox"
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
# The fuzz targets need clang with its libFuzzer runtime and OpenMP library
# (Debian: libclang-rt-dev -> libclang-rt-14-dev, libomp-dev).  They are
# optional: without them the corpora are still replayed by the plain build.
# Asked for by `make check` (tools/deps.sh --fuzz), not by `make demo`.
if [ "${1:-}" = --fuzz ] && ! sh "$(dirname "$0")/../tests/fuzz/have_fuzzer.sh" clang; then
    fuzz="clang libclang-rt-dev libomp-dev"
else
    fuzz=""
fi
# The workbook test reads results.xlsx with python3 (it skips without it):
# asked for by `make check` too, and optional in the same way.
if [ "${1:-}" = --fuzz ] && ! command -v python3 >/dev/null 2>&1; then
    fuzz="${fuzz:+$fuzz }python3"
fi
# The board pack's tests read report.pdf back as text with pdftotext
# (poppler-utils; they skip without it): asked for by `make check` alike.
if [ "${1:-}" = --fuzz ] && ! command -v pdftotext >/dev/null 2>&1; then
    fuzz="${fuzz:+$fuzz }poppler-utils"
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    SUDO="none"
fi
# The locales package is optional: asked for only where it can be installed.
if [ "$SUDO" != none ] && ! command -v localedef >/dev/null 2>&1; then
    need="$need locales"
fi
# Fuzzing is optional too: installed only where it can be.
[ "$SUDO" != none ] && need="$need${fuzz:+ $fuzz}"
if [ -n "$need" ]; then
    echo "tcosim: installing missing packages:$need" >&2
    if [ "$SUDO" = none ]; then
        echo "tcosim: please run: sudo apt-get install -y$need" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq $need >&2
fi
# The locale tests skip, saying so, when the locale cannot be made.
if [ "$SUDO" != none ] && ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    $SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8 >/dev/null 2>&1 || true
fi
exit 0
