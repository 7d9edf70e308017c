#!/usr/bin/env bash
# A private RabbitMQ node from Debian's rabbitmq-server, with its data, logs and epmd on
# project-local paths and ports, so it never meets a system broker.
#   infra/rabbitmq.sh install   apt-get install rabbitmq-server when missing
#   infra/rabbitmq.sh start     start the node and wait until it accepts connections
#   infra/rabbitmq.sh stop      stop the node and its epmd
#   infra/rabbitmq.sh status    exit 0 when it runs
#   infra/rabbitmq.sh url       the amqp:// address
#   infra/rabbitmq.sh vhost N   add virtual host N (guest may use it) and print its amqp:// address
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base="$root/.local/rabbitmq"
port="${MP_RABBIT_PORT:-56720}"
export RABBITMQ_NODENAME="mp-$port@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT="$port"
export RABBITMQ_DIST_PORT="$((port + 1))"
export ERL_EPMD_PORT="$((port + 2))"
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE="$base/mnesia"
export RABBITMQ_LOG_BASE="$base/log"
export RABBITMQ_PID_FILE="$base/node.pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$base/rabbitmq"
export RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"

install() {
  command -v rabbitmq-server >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || { echo "rabbitmq-server is missing; install it as root: apt-get install -y rabbitmq-server" >&2; exit 1; }
  # policy-rc.d keeps the package from starting a system-wide broker we would then have to stop.
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  RUNLEVEL=1 apt-get install -y -qq rabbitmq-server >/dev/null
  command -v rabbitmq-server >/dev/null 2>&1
}

running() { rabbitmqctl -q -n "$RABBITMQ_NODENAME" status >/dev/null 2>&1; }

start() {
  install
  mkdir -p "$base/mnesia" "$base/log"
  echo '[].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "$port" > "$RABBITMQ_CONFIG_FILE.conf"
  echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
  if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then chown -R rabbitmq:rabbitmq "$base"; fi
  running && return 0
  rabbitmq-server -detached >/dev/null 2>&1 || true
  # The node registers with epmd a few seconds after -detached returns; only then can it be awaited.
  for _ in $(seq 1 120); do running && break; sleep 1; done
  rabbitmqctl -q -n "$RABBITMQ_NODENAME" await_startup --timeout 120 >/dev/null
}

stop() {
  if running; then rabbitmqctl -q -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true; fi
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) command -v rabbitmqctl >/dev/null 2>&1 && running ;;
  url) echo "amqp://guest:guest@127.0.0.1:$port/" ;;
  vhost)
    name="${2:?usage: $0 vhost NAME}"
    rabbitmqctl -q -n "$RABBITMQ_NODENAME" add_vhost "$name" >/dev/null
    rabbitmqctl -q -n "$RABBITMQ_NODENAME" set_permissions -p "$name" guest '.*' '.*' '.*' >/dev/null
    echo "amqp://guest:guest@127.0.0.1:$port/$name" ;;
  *) echo "usage: $0 install|start|stop|status|url|vhost NAME" >&2; exit 2 ;;
esac
