#!/usr/bin/env bash
# Debian's Chromium for the web chat's browser tests (Playwright drives it; it never downloads a browser).
#   infra/chromium.sh install   apt-get install chromium when /usr/bin/chromium is missing
#   infra/chromium.sh path      the browser's path
set -euo pipefail
browser=/usr/bin/chromium

install() {
  [ -x "$browser" ] && return 0
  [ "$(id -u)" = 0 ] || { echo "chromium is missing; install it as root: apt-get install -y chromium" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  [ -x "$browser" ]
}

case "${1:-}" in
  install) install ;;
  path) echo "$browser" ;;
  *) echo "usage: $0 install|path" >&2; exit 2 ;;
esac
