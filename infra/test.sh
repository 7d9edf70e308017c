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
# The TypeScript SDK: its unit tests, then its integration tests against API processes it starts from
# the Release build above (on databases it creates in the same PostgreSQL).
# Plain output: vitest and Playwright colour it even into a pipe, which the closing count reads.
export NO_COLOR=1
echo "TypeScript SDK (clients/typescript) ..."
(cd clients/typescript && npm ci --no-audit --no-fund && npm run build && npm test && npm run test:integration) 2>&1 | tee -a "$log"
sdk_status=${PIPESTATUS[0]}
[ "$status" = 0 ] && status=$sdk_status
# The web chat on the SDK, in Debian's Chromium (installed when missing): two browser contexts chat
# through an API process the tests start, kill and start again (on a database of their own).
echo "Web chat (clients/web-chat) in Chromium ..."
(bash infra/chromium.sh install && cd clients/web-chat && npm ci --no-audit --no-fund && npm run build && npm run test:browser) 2>&1 | tee -a "$log"
web_status=${PIPESTATUS[0]}
[ "$status" = 0 ] && status=$web_status
set -e
# One closing line over all test assemblies, the SDK's vitest runs ("Tests  26 passed (26)") and
# Playwright's summary ("  3 passed (41.9s)", "  1 failed": a count first, which vitest's lines never have).
awk '{ gsub(/\033\[[0-9;]*m/, "") }
     /(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1) } }
     /^ *Tests +[0-9]/ { for (i = 2; i <= NF; i++) { if ($i == "passed") p += $(i-1); if ($i == "failed") f += $(i-1) } }
     /^ +[0-9]+ passed \([0-9.]+[a-z]+\)$/ { p += $1 }
     /^ +[0-9]+ failed$/ { f += $1 }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$status"
