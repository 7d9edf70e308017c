import sys, re, collections
# perf script output -> CPU share per category (first matching rule over the whole stack), and top inclusive frames
rules = [
 ("bench clients (RealtimeClient, ClientWebSocket, HttpClient sends)", r"MessagePlatform\.Bench|System\.Net\.Http\.|ClientWebSocket|WebSocketHandle"),
 ("push: PushBatchConsumer (frame JSON + enqueue per recipient)", r"PushBatchConsumer"),
 ("push: FanOutConsumer (registry lookup, PushBatch send)", r"FanOutConsumer"),
 ("push: ClientConnection.WriteLoopAsync (WebSocket send into Kestrel pipe)", r"ClientConnection\+<WriteLoopAsync>"),
 ("gateway: ConnectApi receive loop (acks: read, parse, dictionary remove)", r"ConnectApi"),
 ("retransmit timer", r"RetransmitTimer|Retransmit\("),
 ("realtime publisher (Marten subscription -> bus)", r"RealtimePublisher"),
 ("Marten/Npgsql (daemon projections, appends, queries)", r"Marten|Npgsql|Weasel|JasperFx"),
 ("MassTransit (in-memory bus, other)", r"MassTransit"),
 ("Kestrel socket send (SocketConnection.DoSend)", r"SocketConnection\+<DoSend>|SocketSender"),
 ("Kestrel socket receive / HTTP request processing", r"Kestrel|AspNetCore"),
 ("socket engine (epoll thread, dispatch)", r"SocketAsyncEngine|epoll_wait"),
 ("JIT (tiered compilation)", r"libclrjit|TieredCompilation"),
]
samples = collections.Counter(); total = 0
incl = collections.Counter()
comm_filter = None
def flush(comm, frames):
    global total
    if not frames: return
    total += 1
    stack = "\n".join(frames)
    cat = None
    if "Tiered Com" in comm: cat = "JIT (tiered compilation)"
    if cat is None:
        for name, rx in rules:
            if re.search(rx, stack): cat = name; break
    if cat is None:
        if "gc_heap" in stack or "GCHeap" in stack or "BGC" in comm: cat = "GC"
        elif all("[kernel" in f for f in frames): cat = "kernel only (no managed frame: softirq, scheduler, page faults)"
        else: cat = "other (threadpool, runtime, unresolved native)"
    samples[cat] += 1
    seen = set()
    for f in frames:
        m = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", f)
        sym = m.group(1) if m else f.strip()
        sym = re.sub(r"\[Optimized.*?\]|\[QuickJitted\]|\[Tier.*?\]", "", sym)
        sym = re.sub(r"^instance |^static ", "", sym)[:150]
        if sym not in seen: seen.add(sym); incl[sym] += 1
comm, frames = "", []
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip():
        flush(comm, frames); frames = []; continue
    if not line.startswith("\t") and not line.startswith(" "):
        comm = line; frames = []
    else:
        frames.append(line)
flush(comm, frames)
print(f"samples: {total}")
print("| where | share of the process's CPU samples |\n| --- | ---: |")
for k, v in samples.most_common(): print(f"| {k} | {100*v/total:.1f}% |")
print("\ntop inclusive frames:")
for k, v in incl.most_common(int(sys.argv[1]) if len(sys.argv) > 1 else 40): print(f"{100*v/total:6.1f}%  {k}")
