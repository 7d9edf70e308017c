#!/usr/bin/env bash
# Runs the platform on its embedded default: a private PostgreSQL in .local/, MassTransit's
# in-memory transport, one API node. Ctrl-C stops the API and the database it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
export MP_ADMIN_KEY="${MP_ADMIN_KEY:-dev-admin-key}"
export MP_TRANSPORT="${MP_TRANSPORT:-inmemory}"
export MP_POSTGRES="${MP_POSTGRES:-$(bash infra/postgres.sh url)}"
# On your own machine a webhook receiver is usually on localhost, which nodes otherwise refuse (API.md "Outbound calls").
export MP_OUTBOUND_ALLOW="${MP_OUTBOUND_ALLOW:-127.0.0.0/8,::1/128}"
url="${ASPNETCORE_URLS%%;*}"

# The web chat (clients/web-chat, on the SDK), served by the API at /chat/ in Development only.
echo "Building the web chat (clients/typescript, then clients/web-chat) ..."
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
(cd clients/web-chat && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent >/dev/null)
export Demo__Enabled="${Demo__Enabled:-true}"
export Demo__WebChatPath="$root/clients/web-chat/dist"

echo "Starting PostgreSQL in .local/pgdata ..."
bash infra/postgres.sh start
api=""
cleanup() {
  # Ignore further signals while stopping, so a second Ctrl-C cannot leave PostgreSQL running.
  trap - EXIT; trap '' INT TERM
  if [ -n "$api" ]; then kill "$api" 2>/dev/null || true; wait "$api" 2>/dev/null || true; fi
  bash infra/postgres.sh stop || true
}
trap cleanup EXIT INT TERM

echo "Building and starting the API ..."
dotnet build src/MessagePlatform.Api -c Release --nologo -v quiet -clp:ErrorsOnly
# The built assembly itself, not `dotnet run`, so the trap stops the process that serves.
dotnet src/MessagePlatform.Api/bin/Release/net10.0/MessagePlatform.Api.dll &
api=$!
for _ in $(seq 1 120); do
  curl -fs "$url/health/live" >/dev/null 2>&1 && break
  kill -0 "$api" 2>/dev/null || { echo "The API exited; see its log above." >&2; exit 1; }
  sleep 0.5
done

cat <<INFO

MessagePlatform is running at $url   (OpenAPI: $url/openapi/v1.json)
Admin key (development): $MP_ADMIN_KEY
Web chat: $url/chat/   (tenant "demo": sign in as any user id, a second window as another, and chat)

Try it (copy and paste into another shell):

  B=$url
  APP=\$(curl -s -X POST \$B/v1/tenants -H "Authorization: Bearer $MP_ADMIN_KEY" -H 'Content-Type: application/json' \\
        -d '{"tenantId":"demo-'\$RANDOM'","name":"Demo","scenario":"social"}' | sed -E 's/.*"appKey":"([^"]+)".*/\1/')
  curl -s -X POST \$B/v1/sessions -H "Authorization: Bearer \$APP" -H 'Content-Type: application/json' \\
        -d '{"type":"c2c","members":["alice","bob"]}'; echo
  curl -s -X POST \$B/v1/sessions/c2c:alice:bob/messages -H "Authorization: Bearer \$APP" -H 'Content-Type: application/json' \\
        -d '{"from":"alice","clientMsgId":"hello-1","type":"text","body":{"text":"hi bob"}}'; echo
  curl -s \$B/v1/sessions/c2c:alice:bob/messages -H "Authorization: Bearer \$APP"; echo

Ctrl-C stops the API and PostgreSQL.
INFO
wait "$api"
