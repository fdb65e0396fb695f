#!/usr/bin/env bash
# TaskJuggler (tj3), the named peer in the CPM benchmark (`make bench`); optional.
set -euo pipefail
command -v tj3 >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq tj3 >/dev/null || echo "tj3 could not be installed: the benchmark reports without it" >&2
