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
# A comma-decimal locale for the test that numbers ignore the locale.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    command -v localedef >/dev/null 2>&1 || need="$need locales"
    [ "$(id -u)" = 0 ] && [ -z "$need" ] && localedef -i de_DE -f UTF-8 de_DE.UTF-8 >&2 || true
fi
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
locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' || $SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8 >&2
