#!/usr/bin/env bash
# Debian's redis-server for the scale-out tests and bench (tests start their own server on a
# free port in a temp dir; nothing listens beyond 127.0.0.1).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "install-redis: not root and no sudo: the Redis tests will be skipped" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# the package starts a system service on port 6379 on some systems; the tests don't use it
redis-server --version
