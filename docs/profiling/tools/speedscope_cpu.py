import json, sys, re, collections
# Time-weighted stacks from dotnet-trace's speedscope export (sampled thread time); samples whose leaf is a
# blocking wait are set aside, the rest approximate CPU (a thread in a send() syscall counts as running).
d = json.load(open(sys.argv[1])); frames = [f['name'] for f in d['shared']['frames']]
WAIT = re.compile(r"WaitHandle\.Wait|Monitor\.Wait|LowLevelLifoSemaphore\.Wait|ManualResetEventSlim\.Wait|WaitForSocketEvents|Thread\.Sleep|SpinWait|Interop\+Sys\.Read\(|LowLevelMonitor|WaitOne|Monitor\.Enter_Slowpath|Lock\.TryEnterSlow|Thread\.Yield|Interop\+Sys\.Poll|Interop\+Sys\.ReadStdin")
sys.path.insert(0, '/tmp/prof'); 
rules = [  # per frame; the innermost (closest to the leaf) frame that matches one names the owner
 ("bench client: ack send (ClientWebSocket.SendAsync)", r"RealtimeClient\+<SendAsync>"),
 ("bench client: frame receive (ClientWebSocket via HttpConnection)", r"RealtimeClient\+<ReceiveAsync>|HttpConnection\+RawConnectionStream"),
 ("bench client: REST sends, bookkeeping", r"MessagePlatform\.Bench|System\.Net\.Http\."),
 ("ours: PushBatchConsumer (frame JSON once per batch, enqueue per recipient)", r"PushBatchConsumer"),
 ("ours: FanOutConsumer (session cache, registry query, PushBatch send)", r"FanOutConsumer"),
 ("ours: ClientConnection.WriteLoopAsync (WebSocket send into Kestrel's pipe)", r"ClientConnection\+<WriteLoopAsync>"),
 ("ours: ConnectApi receive loop (ack read, JSON parse, unacked remove)", r"ConnectApi"),
 ("ours: other MessagePlatform.Api (sends, publisher, projections)", r"MessagePlatform\.Api|MessagePlatform\.Projections"),
 ("Kestrel socket send (SocketConnection.DoSend: send syscalls)", r"SocketConnection\+<DoSend>|SocketSender"),
 ("Kestrel socket receive (SocketConnection.DoReceive: recv syscalls)", r"SocketConnection\+<DoReceive>|SocketReceiver"),
 ("Marten/Npgsql (daemon, appends, queries)", r"Marten|Npgsql|Weasel|JasperFx"),
 ("MassTransit (in-memory bus plumbing)", r"MassTransit"),
 ("Kestrel/ASP.NET (HTTP request pipeline)", r"Kestrel|AspNetCore"),
 ("socket engine (epoll loop, dispatch)", r"SocketAsyncEngine|SocketAsyncContext"),
 ("GC", r"GarbageCollect|GC\.|gc_heap|PollGC"),
]
cats = collections.Counter(); incl = collections.Counter(); excl = collections.Counter(); waiting = 0.0; total = 0.0
for p in d['profiles']:
    stack = []; last = None
    for e in p['events']:
        t = e['at']
        if last is not None and stack and t > last:
            dt = t - last; names = [frames[i] for i in stack]; total += dt
            if any(WAIT.search(n) for n in names[-3:]): waiting += dt
            else:
                cat = next((c for n in reversed(names) if not n.startswith(("Process64", "Threads", "Thread (", "(Non-Activities)")) for c, rx in rules if re.search(rx, n)), "other (thread pool, runtime)")
                cats[cat] += dt; excl[(names[-1] if names[-1] not in ('CPU_TIME','UNMANAGED_CODE_TIME') or len(names) < 2 else names[-2] + '  [' + names[-1] + ']')[:160]] += dt
                for n in set(x[:140] for x in names): incl[n] += dt
        last = t
        if e['type'] == 'O': stack.append(e['frame'])
        else:
            if stack and stack[-1] == e['frame']: stack.pop()
            elif e['frame'] in stack: stack = stack[:len(stack) - 1 - stack[::-1].index(e['frame'])]
run = total - waiting
print(f"thread time {total/1000:.1f} s, blocked {waiting/1000:.1f} s, running {run/1000:.1f} s (over all threads)")
print("| where (running samples) | share |\n| --- | ---: |")
for k, v in cats.most_common(): print(f"| {k} | {100*v/run:.1f}% |")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 30
print("\n| inclusive (running) | share |\n| --- | ---: |")
for k, v in incl.most_common(N): print(f"| `{k}` | {100*v/run:.1f}% |")
print("\n| exclusive (running) | share |\n| --- | ---: |")
for k, v in excl.most_common(N): print(f"| `{k}` | {100*v/run:.1f}% |")
