#!/usr/bin/env bash
# System libraries Podium's PDF reports need (WeasyPrint draws text with Pango and
# subsets fonts with HarfBuzz), installed from Debian's packages when missing
# (root or sudo).
set -euo pipefail
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
if have "libpangoft2-1.0.so.0" && have "libharfbuzz-subset.so.0"; then exit 0; fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null
