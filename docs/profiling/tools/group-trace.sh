#!/usr/bin/env bash
# usage: group-trace.sh <worktree> <label>   runs the realtime bench, profiles the "group of 200 @500/s" cell, stops after it
set -u
tree=$1; label=$2; out=/tmp/prof/$label; mkdir -p $out
cd $tree
export MP_PGPORT=55532 MP_RABBIT_PORT=56830 DOTNET_PerfMapEnabled=1
dotnet run -c Release --no-build --project tests/MessagePlatform.Bench -- --realtime --seconds 20 > $out/bench.log 2>&1 &
runner=$!
sleep 5
pid=""
for i in $(seq 600); do
  pid=$(pgrep -P $runner -f MessagePlatform.Bench | head -1)
  [ -n "$pid" ] && break; sleep 1
done
echo "bench pid $pid" >> $out/driver.log
until grep -q "group of 200 @500/s running" $out/bench.log; do sleep 1; kill -0 $runner 2>/dev/null || exit 1; done
sleep 3   # past the 1 s warm-up into the measured window
/tmp/dtools/dotnet-trace collect -p $pid --profile dotnet-sampled-thread-time,dotnet-common --duration 00:00:00:08 -o $out/group500.nettrace >> $out/driver.log 2>&1
perf record -F 499 -g -p $pid -o $out/perf.data -- sleep 6 >> $out/driver.log 2>&1
until grep -q "group of 200 @500/s:" $out/bench.log; do sleep 1; kill -0 $runner 2>/dev/null || break; done
kill -INT $pid
wait $runner
echo done >> $out/driver.log
