#!/usr/bin/env bash
# A private PostgreSQL from the system binaries, in a project-local folder, on loopback.
#   infra/postgres.sh start [port]   initdb once, start; prints nothing else on success
#   infra/postgres.sh stop [mode]    mode: fast (default) or immediate (no checkpoint, as a crash)
#   infra/postgres.sh status         exit 0 when it runs
#   infra/postgres.sh url            the Npgsql connection string
# Runs the server as the `postgres` OS user when invoked as root (postgres refuses to run as root).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data="${MP_PGDATA:-$root/.local/pgdata}"
port="${MP_PGPORT:-55432}"
sock="$root/.local/pgsock"

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    # runuser keeps the environment minimal; pass the command as one string.
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

bin_of() {
  command -v "$1" 2>/dev/null && return
  local d; d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/$1" ] && echo "$d/$1" && return
  echo "PostgreSQL binary '$1' not found (apt-get install -y postgresql)" >&2; exit 1
}

start() {
  mkdir -p "$root/.local" "$sock"
  if [ "$(id -u)" = 0 ]; then as_pg true; chown postgres "$root/.local" "$sock"; fi
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
    as_pg "$(bin_of initdb)" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
shared_buffers = 256MB
CONF
  fi
  if as_pg "$(bin_of pg_ctl)" -D "$data" status >/dev/null 2>&1; then return 0; fi
  # Given at each start, so a data directory made earlier gets it too: the test suite runs many hosts
  # side by side, each with its pools, and 400 connections ran out in a full run.
  as_pg "$(bin_of pg_ctl)" -D "$data" -o "-p $port -c max_connections=1000" -l "$data/server.log" -w -t 60 start >/dev/null
}

stop() {
  [ -s "$data/PG_VERSION" ] || return 0
  as_pg "$(bin_of pg_ctl)" -D "$data" status >/dev/null 2>&1 || return 0
  as_pg "$(bin_of pg_ctl)" -D "$data" -m "${1:-fast}" -w stop >/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-fast}" ;;
  status) [ -s "$data/PG_VERSION" ] && as_pg "$(bin_of pg_ctl)" -D "$data" status >/dev/null 2>&1 ;;
  url) echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=100" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
