#!/usr/bin/env bash
# usage: group-plain.sh <worktree> <label>   realtime bench without profilers; stops it after the "group of 200 @500/s" cell
set -u
tree=$1; label=$2; out=/tmp/prof/$label; mkdir -p $out
cd $tree
export MP_PGPORT=55532 MP_RABBIT_PORT=56830
dotnet run -c Release --no-build --project tests/MessagePlatform.Bench -- --realtime --seconds 10 > $out/bench.log 2>&1 &
runner=$!
sleep 5
for i in $(seq 600); do pid=$(pgrep -P $runner -f MessagePlatform.Bench | head -1); [ -n "$pid" ] && break; sleep 1; done
until grep -q "group of 200 @500/s:" $out/bench.log; do sleep 1; kill -0 $runner 2>/dev/null || break; done
sleep 1; kill -TERM $pid; wait $runner
echo done >> $out/driver.log
