#!/usr/bin/env bash
# Installs Debian's `chromium` (what the browser tests under test/e2e drive through playwright-core)
# when /usr/bin/chromium is missing. Needs root (or sudo) and apt-get; prints one line either way.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: $CHROMIUM is missing and apt-get is not available; install Chromium by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "chromium: installing needs root (or sudo)" >&2
    exit 1
  fi
fi

# Quiet, but keep the output of a failed step so it can be read.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "chromium: apt-get install failed" >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "chromium: installed, but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "at $CHROMIUM")"
