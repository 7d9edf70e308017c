#!/usr/bin/env bash
# Rebuilds infra/nuget-local/patched.distributedlock.postgres.1.3.3.nupkg (committed, so a plain
# restore needs no pre-step). Run it only if the shim itself must change.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dotnet pack "$here/Patched.DistributedLock.Postgres.csproj" -c Release -o "$here/../nuget-local" \
  -p:RestorePackagesPath="$here/obj/packages" --nologo
