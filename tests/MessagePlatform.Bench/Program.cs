using MessagePlatform.Bench;
using static MessagePlatform.Bench.Progress;

// Durable sends over real HTTP against the two floors they are judged by: a bare INSERT and a
// bare Marten append, all on one database in one run so the numbers are comparable, and what the
// push pipeline costs them. Then how long a sent message takes to show up in a member's sync, and
// the highest rate that stays under a second. Then the WebSocket side: how long a sent message
// takes to reach connected clients, at fixed rates and at the most the node accepts, how many a
// room holds, and what an idle connection costs. Last, one broadcast to every online connection.
// Every run ends by writing docs/benchmarks.md, its JSON and its charts.
// `--chaos [seconds]`: a mode of its own (infra/chaos.sh), not a section of the report.
if (args is ["--chaos", ..]) return await MessagePlatform.Bench.Chaos.ChaosRun.MainAsync(args[1..]);

BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchSettings.Usage);
    return 2;
}
if (settings.ReportOnly is { } json)
{
    await BenchReport.RedrawAsync(json);
    return 0;
}

// Ctrl+C finishes the current cell and still drops the database (and stops a server we started).
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupted.Cancel(); };

Log("starting PostgreSQL and creating the bench database");
await using var database = await BenchDatabase.CreateAsync();
var machine = await MachineInfo.ReadAsync(BenchDatabase.FindRepoRoot(), database.ConnectionString, args);
Log(settings.Runs(Sections.Sends)
    ? $"database {database.Name}; booting the API on Kestrel and opening {Workload.SessionCount:N0} sessions"
    : $"database {database.Name}; booting the API on Kestrel");
await using var platform = await PlatformUnderTest.StartAsync(database.ConnectionString, openSendSessions: settings.Runs(Sections.Sends));
Log($"API at {platform.Address}; {settings.Duration.TotalSeconds:0.#} s per cell after {settings.Warmup.TotalSeconds:0.#} s warm-up");

IReadOnlyList<ResultRow>? sends = null;
PipelineResult? pipeline = null;
TracingResult? tracing = null;
SyncReport? sync = null;
RealtimeReport? realtime = null;
BroadcastReport? broadcast = null;
RoomReactionsReport? reactions = null;
if (settings.Runs(Sections.Sends))
{
    sends = await RunSendsAsync();
    ResultsTable.Print(sends, Console.Out);
    if (!interrupted.IsCancellationRequested)
        pipeline = await new PipelineCost(settings, platform.Lags, interrupted.Token).RunAsync();
    if (!interrupted.IsCancellationRequested)
    {
        await using var sink = OtlpSink.Start();
        if (await new PipelineCost(settings, platform.Lags, interrupted.Token, CostVariant.Tracing(sink.Endpoint)).RunAsync() is { } cost)
            tracing = new TracingResult(cost, sink.Exports, sink.Bytes);
    }
}
if (settings.Runs(Sections.Sync) && !interrupted.IsCancellationRequested)
    SyncTable.Print(sync = await new SyncSection(platform.Client, settings, interrupted.Token).RunAsync(), Console.Out);
if (settings.Runs(Sections.Realtime) && !interrupted.IsCancellationRequested)
    RealtimeTable.Print(realtime = await new RealtimeSection(platform, settings, interrupted.Token).RunAsync(), Console.Out);
if (settings.Runs(Sections.Broadcast) && !interrupted.IsCancellationRequested)
    BroadcastTable.Print(broadcast = await new BroadcastSection(platform, settings, interrupted.Token).RunAsync(), Console.Out);

if (settings.Runs(Sections.Reactions) && !interrupted.IsCancellationRequested)
    RoomReactionsSection.Print(reactions = await new RoomReactionsSection(platform, settings, interrupted.Token).RunAsync(), Console.Out);

var results = new BenchResults(machine, settings.Quick, settings.Sections.ToString(), sends, pipeline, sync, realtime, broadcast, platform.Lags.Records,
    reactions, tracing);
await BenchReport.WriteAsync(results, Path.Combine(BenchDatabase.FindRepoRoot(), "docs"));
return 0;

async Task<IReadOnlyList<ResultRow>> RunSendsAsync()
{
    await using var baselines = await Baselines.CreateAsync(database.ConnectionString);
    var rows = new List<ResultRow>();
    foreach (var concurrency in settings.Concurrencies)
    {
        if (interrupted.IsCancellationRequested) break;
        // Baselines first and the platform right after, at the same level, so they see the same table sizes.
        rows.Add(new ResultRow(
            concurrency,
            Raw: await RunAsync("raw INSERT", concurrency, baselines.InsertAsync),
            Marten: await RunAsync("Marten append", concurrency, baselines.AppendAsync),
            Spread: await RunAsync("spread sends", concurrency, platform.SendSpreadAsync),
            Hot: await RunAsync("hot sends", concurrency, platform.SendHotAsync)));
    }
    return rows;
}

async Task<CellResult> RunAsync(string name, int concurrency, Func<Task> operation)
{
    Log($"{name,-14} x{concurrency,-4} running");
    var result = await new LoadCell(name, concurrency, settings.Warmup, settings.Duration).RunAsync(operation);
    var errors = result.ErrorCount == 0 ? "" : $", {result.ErrorCount:N0} errors";
    Log($"{name,-14} x{concurrency,-4} {result.OpsPerSecond,9:N0} ops/s  p50 {result.P50Ms:0.0} ms  p99 {result.P99Ms:0.0} ms{errors}");
    // The next cell starts only once the readers of this one's events have caught up.
    await platform.Client.WaitForProjectionAsync(RealtimeSection.DrainTimeout, interrupted.Token, $"after {name.Trim()} x{concurrency}");
    return result;
}
