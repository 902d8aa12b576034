#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the dashboard's browser test (playwright-core drives it;
# we never download a browser of Playwright's own). Installs it with apt-get when it is missing and we
# run as root; otherwise says what to do and exits non-zero. Prints the browser's path on success.
# CHROMIUM_PATH overrides the expected location (default /usr/bin/chromium).
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$chromium" ]; then
  echo "chromium: $chromium"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "chromium is missing ($chromium) and this is not root, so it cannot be installed here." >&2
  echo "Install Debian's package first: sudo apt-get update && sudo apt-get install -y chromium" >&2
  exit 2
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing ($chromium) and there is no apt-get: install Chromium and set CHROMIUM_PATH." >&2
  exit 2
fi

echo "chromium is missing ($chromium): installing Debian's package (apt-get install chromium) ..."
# Another process (a parallel test JVM) may hold the dpkg lock: wait for it rather than fail.
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -q
apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends chromium

if [ ! -x "$chromium" ]; then
  echo "apt-get finished but $chromium is still missing." >&2
  exit 3
fi
echo "chromium: $chromium ($("$chromium" --version 2>/dev/null || echo 'version unknown'))"
