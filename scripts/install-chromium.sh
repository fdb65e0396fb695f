#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests: the browser, and its headless shell
# (the same build without the desktop browser around it), which Playwright drives.
# With the browser there but no way to add the shell, the tests run in the browser.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromium-headless-shell >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if ! { $SUDO apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    chromium chromium-headless-shell fonts-dejavu-core >/dev/null; }; then
  if command -v chromium >/dev/null 2>&1; then
    echo "chromium-headless-shell could not be installed: the browser tests run in chromium"
    exit 0
  fi
  exit 1
fi
chromium --version
