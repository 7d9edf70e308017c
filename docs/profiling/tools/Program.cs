using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

// heapdiff run <apiDll> <postgres> <N> <outdir> [extra env K=V ...]
// heapdiff analyze <before.dmp> <after.dmp> <N>
if (args[0] == "run") return await Run(args[1], args[2], int.Parse(args[3]), args[4], args[5..]);
if (args[0] == "analyze") { Analyze(args[1], args[2], int.Parse(args[3])); return 0; }
return 2;

static async Task<int> Run(string apiDll, string postgres, int n, string outDir, string[] extraEnv)
{
    Directory.CreateDirectory(outDir);
    var port = 5600 + Random.Shared.Next(300);
    var start = new ProcessStartInfo("dotnet", apiDll) { WorkingDirectory = Path.GetDirectoryName(apiDll)!, RedirectStandardOutput = true, RedirectStandardError = true };
    start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
    start.Environment["MP_POSTGRES"] = postgres;
    start.Environment["MP_ADMIN_KEY"] = "bench-admin";
    start.Environment["MP_NODE_ID"] = "77";
    start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
    foreach (var kv in extraEnv) { var i = kv.IndexOf('='); start.Environment[kv[..i]] = kv[(i + 1)..]; }
    using var server = Process.Start(start)!;
    server.OutputDataReceived += (_, e) => { if (e.Data?.Contains("rror") == true) Console.WriteLine("api: " + e.Data); };
    server.ErrorDataReceived += (_, e) => Console.WriteLine("api! " + e.Data);
    server.BeginOutputReadLine(); server.BeginErrorReadLine();
    Console.WriteLine($"api pid {server.Id} port {port}");
    var baseUri = new Uri($"http://127.0.0.1:{port}");
    var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = baseUri };
    try
    {
        for (var t = 0; ; t++)
        {
            try { if ((await http.GetAsync("/health/live")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
            if (t > 240) throw new TimeoutException("api did not start");
            await Task.Delay(250);
        }
        var tenantId = "hd" + DateTime.UtcNow.Ticks % 1000000;
        using (var req = new HttpRequestMessage(HttpMethod.Post, "/v1/tenants") { Content = JsonContent.Create(new { tenantId, name = "HD", scenario = "enterprise" }) })
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "bench-admin");
            var resp = await http.SendAsync(req);
            var body = await resp.Content.ReadFromJsonAsync<Dictionary<string, object>>();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body!["appKey"].ToString());
        }
        var warm = Math.Max(1, n / 10);
        var tokens = new string[warm + n];
        await Parallel.ForEachAsync(Enumerable.Range(0, tokens.Length), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var resp = await http.PostAsJsonAsync($"/v1/users/idle-{i}/tokens", new { }, ct);
            var body = await resp.Content.ReadFromJsonAsync<Dictionary<string, object>>(ct);
            tokens[i] = body!["token"].ToString()!;
        });
        var clients = new List<ClientWebSocket>();
        async Task Connect(IEnumerable<string> toks) => await Parallel.ForEachAsync(toks, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (tok, ct) =>
        {
            var ws = new ClientWebSocket();
            ws.Options.KeepAliveInterval = TimeSpan.Zero;
            await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/v1/connect?access_token={Uri.EscapeDataString(tok)}"), ct);
            await ws.SendAsync("""{"type":"ping"}"""u8.ToArray(), WebSocketMessageType.Text, true, ct);
            var buf = new byte[256];
            var r = await ws.ReceiveAsync(buf, ct);
            if (!Encoding.UTF8.GetString(buf, 0, r.Count).Contains("pong")) throw new Exception("no pong");
            lock (clients) clients.Add(ws);
        });
        await Connect(tokens[..warm]);
        var before = await Snapshot(server, Path.Combine(outDir, "before.dmp"));
        await Connect(tokens[warm..]);
        var after = await Snapshot(server, Path.Combine(outDir, "after.dmp"));
        Console.WriteLine($"connected {clients.Count - warm} measured (+{warm} warm)");
        foreach (var key in before.Keys)
            Console.WriteLine($"{key,-14} before {before[key] / 1024.0,10:N0} KiB  after {after[key] / 1024.0,10:N0} KiB  per conn {(after[key] - before[key]) / (double)n / 1024:N2} KiB");
        return 0;
    }
    finally { server.Kill(true); }
}

static async Task<Dictionary<string, long>> Snapshot(Process server, string dump)
{
    await Task.Delay(3000);
    var result = new Dictionary<string, long>();
    foreach (var line in File.ReadLines($"/proc/{server.Id}/status"))
        foreach (var k in new[] { "VmRSS", "RssAnon", "RssFile" })
            if (line.StartsWith(k + ":")) result[k] = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    var client = new DiagnosticsClient(server.Id);
    if (Environment.GetEnvironmentVariable("NODUMP") != "1") client.WriteDump(DumpType.WithHeap, dump);
    Console.WriteLine($"dumped {dump}");
    return result;
}

static void Analyze(string beforePath, string afterPath, int n)
{
    var b = Heap(beforePath); var a = Heap(afterPath);
    foreach (var k in b.Totals.Keys)
        Console.WriteLine($"{k,-28} before {b.Totals[k] / 1024.0,12:N0} KiB  after {a.Totals[k] / 1024.0,12:N0} KiB  per conn {(a.Totals[k] - b.Totals[k]) / (double)n,10:N0} B");
    Console.WriteLine();
    Console.WriteLine("| type | objects/conn | bytes/conn |");
    Console.WriteLine("| --- | ---: | ---: |");
    var rows = a.ByType.Keys.Union(b.ByType.Keys).Select(t =>
    {
        a.ByType.TryGetValue(t, out var x); b.ByType.TryGetValue(t, out var y);
        return (Type: t, Count: (x.Count - y.Count) / (double)n, Bytes: (x.Bytes - y.Bytes) / (double)n);
    }).OrderByDescending(r => r.Bytes).ToList();
    var types = rows.Where(r => !r.Type.StartsWith("CAT ") && !r.Type.StartsWith("VIA ") && !r.Type.StartsWith("PAR ")).ToList();
    foreach (var r in types.Where(r => Math.Abs(r.Bytes) >= 1).Take(int.Parse(Environment.GetEnvironmentVariable("TOP") ?? "60"))) Console.WriteLine($"| `{r.Type}` | {r.Count:N2} | {r.Bytes:N0} |");
    Console.WriteLine($"| (all types) | {types.Sum(r => r.Count):N1} | {types.Sum(r => r.Bytes):N0} |");
    Console.WriteLine($"| (MessagePlatform.* types) | | {types.Where(r => r.Type.Contains("MessagePlatform")).Sum(r => r.Bytes):N0} |");
    Console.WriteLine("\n| category | objects/conn | bytes/conn |\n| --- | ---: | ---: |");
    foreach (var r in rows.Where(r => r.Type.StartsWith("CAT "))) Console.WriteLine($"| {r.Type[4..]} | {r.Count:N2} | {r.Bytes:N0} |");
    Console.WriteLine("\n| BCL type <- first referrer's type | objects/conn | bytes/conn |\n| --- | ---: | ---: |");
    var owners = (Environment.GetEnvironmentVariable("OWNERS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
    foreach (var r in rows.Where(r => r.Type.StartsWith("PAR ") && owners.Any(o => r.Type.StartsWith("PAR " + o + " <-")))) Console.WriteLine($"OWNER {r.Type[4..]}  {r.Count:N2}/conn {r.Bytes:N0} B/conn");
    foreach (var r in rows.Where(r => r.Type.StartsWith("VIA ")).Take(40)) Console.WriteLine($"| `{r.Type[4..]}` | {r.Count:N2} | {r.Bytes:N0} |");
}


static string Category(string t) =>
    t.Contains("MessagePlatform") ? "ours (MessagePlatform.*)" :
    t.Contains("Marten") || t.Contains("Npgsql") || t.Contains("Weasel") || t.Contains("JasperFx") ? "Marten/Npgsql" :
    t.Contains("Serilog") ? "Serilog" :
    t.Contains("WebSocket") ? "WebSocket" :
    t.Contains("Pipelines") ? "pipes" :
    t.Contains("Kestrel") || t.Contains("AspNetCore.Http") || t.Contains("AspNetCore.Hosting") || t.Contains("AspNetCore.Routing") ? "Kestrel/HttpContext" :
    t.Contains("Authentication") || t.Contains("Authorization") || t.Contains("Claims") || t.Contains("DataProtection") ? "auth/claims" :
    t.Contains("System.Diagnostics.Activity") ? "Activity (tracing)" :
    t.Contains("System.Net.Sockets") ? "sockets" :
    t.Contains("Microsoft.Extensions.DependencyInjection") || t.Contains("ServiceProvider") ? "DI scope" :
    "";

static (Dictionary<string, (long Count, long Bytes)> ByType, Dictionary<string, long> Totals) Heap(string path)
{
    using var target = DataTarget.LoadDump(path);
    using var runtime = target.ClrVersions[0].CreateRuntime("/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libmscordaccore.so", ignoreMismatch: true);
    var heap = runtime.Heap;
    // Live = reachable from the roots, as a GC would see it (the dump may hold garbage not yet collected).
    // Each object is attributed to its own category, or (plain BCL types) to the category of whoever reached it first.
    var cat = new Dictionary<ulong, string>();
    var parentType = new Dictionary<ulong, string>();
    var stack = new Stack<ulong>();
    foreach (var root in heap.EnumerateRoots())
    {
        var a = root.Object.Address;
        if (a == 0 || cat.ContainsKey(a)) continue;
        var c = Category(root.Object.Type?.Name ?? "");
        cat[a] = c == "" ? "BCL, reached from a root" : c; parentType[a] = "(root)"; stack.Push(a);
    }
    while (stack.Count > 0)
    {
        var addr = stack.Pop();
        var obj = heap.GetObject(addr);
        if (!obj.IsValid) continue;
        var myCat = cat[addr]; var myType = obj.Type?.Name ?? "?";
        foreach (var r in obj.EnumerateReferenceAddresses(carefully: true, considerDependantHandles: true))
        {
            if (r == 0 || cat.ContainsKey(r)) continue;
            var c = Category(heap.GetObjectType(r)?.Name ?? "");
            cat[r] = c == "" ? myCat : c; parentType[r] = myType; stack.Push(r);
        }
    }
    var byType = new Dictionary<string, (long, long)>();
    long all = 0, liveBytes = 0;
    void Add(string key, long size) { byType.TryGetValue(key, out var c); byType[key] = (c.Item1 + 1, c.Item2 + size); }
    foreach (var obj in heap.EnumerateObjects())
    {
        if (!obj.IsValid || obj.IsFree) continue;
        var size = (long)obj.Size; all += size;
        if (!cat.TryGetValue(obj.Address, out var c)) continue;
        liveBytes += size;
        var name = obj.Type?.Name ?? "?";
        Add(name, size);
        Add("CAT " + c, size);
        Add($"PAR {name} <- {parentType[obj.Address]}", size);
        if (name is "System.String" or "System.Byte[]" or "System.Object[]" or "System.Int32[]" or "System.Object" or "System.Threading.Lock"
            || name.StartsWith("System.Threading.CancellationTokenSource") || name.StartsWith("System.Collections"))
            Add($"VIA {name} <- {parentType[obj.Address]}", size);
    }
    var totals = new Dictionary<string, long>
    {
        ["live objects"] = liveBytes,
        ["all objects (incl. garbage)"] = all,
        ["GC committed"] = heap.Segments.Sum(s => (long)s.CommittedMemory.Length),
        ["GC segments reserved"] = heap.Segments.Sum(s => (long)s.ReservedMemory.Length),
    };
    return (byType, totals);
}
