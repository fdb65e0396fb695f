#!/usr/bin/env bash
# Install a Java runtime (Debian's default-jre-headless) for the independent file check:
# the tests read Podium's Microsoft Project and Primavera files with MPXJ, a Java library.
set -euo pipefail
if command -v java >/dev/null 2>&1; then exit 0; fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
java -version
