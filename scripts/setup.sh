#!/usr/bin/env bash
# Install everything exodus needs on a fresh Debian machine: the npm packages (npm ci) and the Debian
# packages the tests use (Chromium for the HTML report check, Jupyter's nbconvert for the notebooks,
# redis-server for the job-queue tests, which start their own server on a free loopback port).
# Debian packages are installed only when missing, and only when we can (root, apt-get present).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v jupyter-nbconvert >/dev/null 2>&1 || need+=(jupyter-core jupyter-nbconvert jupyter-client)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages (as root): ${need[*]}" >&2
    echo "setup:   apt-get update && apt-get install -y --no-install-recommends ${need[*]}" >&2
  fi
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error
node scripts/notebooks/setup-kernel.mjs --quiet
echo "setup: done"
