#!/usr/bin/env bash
# The chaos run (issue 13, point 10): three API nodes on RabbitMQ under sends with WebSocket
# receivers, a random node SIGKILLed every 3-6 s and started again, for two minutes; then every
# acknowledged send must be in its members' syncs exactly once, in seq order, and every frame must
# have arrived or been covered by a `sync` hint or a reconnect. Exits 1 on a violation.
#   bash infra/chaos.sh [seconds]     (default 120)
# Its own PostgreSQL (data in .local/chaos-pgdata) and RabbitMQ, on ports of their own
# (MP_CHAOS_PGPORT, MP_CHAOS_RABBIT_PORT: 55480 and 56780), started and stopped here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds="${1:-120}"
export MP_PGPORT="${MP_CHAOS_PGPORT:-55480}" MP_PGDATA="$root/.local/chaos-pgdata" MP_RABBIT_PORT="${MP_CHAOS_RABBIT_PORT:-56780}"
bash infra/rabbitmq.sh install
started_pg=0; started_rmq=0
bash infra/postgres.sh status 2>/dev/null || { bash infra/postgres.sh start; started_pg=1; }
bash infra/rabbitmq.sh status 2>/dev/null || { bash infra/rabbitmq.sh start; started_rmq=1; }
cleanup() {
  [ "$started_rmq" = 1 ] && bash infra/rabbitmq.sh stop || true
  [ "$started_pg" = 1 ] && bash infra/postgres.sh stop || true
}
trap cleanup EXIT
MP_CHAOS_POSTGRES="$(bash infra/postgres.sh url)" MP_CHAOS_RABBITMQ="$(bash infra/rabbitmq.sh url)" \
  dotnet run -c Release --project tests/MessagePlatform.Bench -- --chaos "$seconds"
