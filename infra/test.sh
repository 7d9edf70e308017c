#!/usr/bin/env bash
# Runs the whole test suite against a private PostgreSQL and RabbitMQ, installing RabbitMQ when
# missing, and stops what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

pg_was_up=0; rabbit_was_up=0
bash infra/postgres.sh status && pg_was_up=1
bash infra/rabbitmq.sh install
bash infra/rabbitmq.sh status && rabbit_was_up=1

cleanup() {
  [ "$rabbit_was_up" = 1 ] || bash infra/rabbitmq.sh stop || true
  [ "$pg_was_up" = 1 ] || bash infra/postgres.sh stop || true
}
trap cleanup EXIT INT TERM

echo "Starting PostgreSQL and RabbitMQ ..."
bash infra/postgres.sh start
bash infra/rabbitmq.sh start
export MP_TEST_POSTGRES="$(bash infra/postgres.sh url)"
export MP_TEST_RABBITMQ="$(bash infra/rabbitmq.sh url)"

log=$(mktemp)
set +e
dotnet test MessagePlatform.sln -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over all test assemblies.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1) } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$status"
