using MassTransit;
using System.Net;
using System.Net.Http.Json;
using MessagePlatform.Api.Daemon;
using MessagePlatform.Api.Messages;
using MessagePlatform.Api.Platform;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Messages;

/// <summary>
/// Issue 12, point 5 (intake): when pushes trail the store, sends are refused with 503 and
/// Retry-After, low priority first, and taken again once pushes catch up. Each test has its own
/// database: holding the realtime publisher would refuse every other test's sends.
/// </summary>
public sealed class IntakeBackpressureTests
{
    private static readonly string Progression = $"{EventStoreConfig.Schema}.mt_event_progression";

    [Fact]
    public async Task while_the_realtime_publisher_is_held_low_priority_sends_are_refused_first_then_every_send_until_it_catches_up()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var host = new PlatformHost(postgres, settings: new Dictionary<string, string>
        {
            ["Intake:Enabled"] = "true",
            // A wide gap between the two thresholds, so the low-priority phase is seen on a loaded machine.
            ["Intake:ShedLowPriorityAtMs"] = "300",
            ["Intake:RefuseAllAtMs"] = "2500",
            ["Intake:SampleEveryMs"] = "50",
            ["Intake:RetryAfterSeconds"] = "2",
        });
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann", "bob" } });
        await SendAsync(tenant, "normal", "warm-up").ExpectAsync(HttpStatusCode.Created);
        var backlog = host.Services.GetRequiredService<PushBacklog>();
        var shed = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = ShedListener(host, shed);
        // Both pushing readers have recorded progress past every event (a backlog of zero alone may
        // be the gate's value before its first measurement), and the gate has seen it.
        await using (var progressed = new NpgsqlConnection(postgres))
        {
            await progressed.OpenAsync();
            await Poll.UntilAsync(async () =>
            {
                await using var count = new NpgsqlCommand(
                    $"select count(*) from {Progression} where name in ('RealtimePublisher:All', 'WebhookOutbox:All') " +
                    $"and last_seq_id >= (select max(seq_id) from {EventStoreConfig.Schema}.mt_events)", progressed);
                return (long)(await count.ExecuteScalarAsync())!;
            }, n => n == 2);
        }
        await Poll.UntilAsync(() => Task.FromResult(backlog.Trailing), t => t == TimeSpan.Zero);
        await using var ann = await SocketClient.ConnectAsync(host, await tenant.App.TokenAsync("ann"));
        var (mqtt, _) = await MqttTestClient.OverWebSocketAsync(host, "ann", await tenant.App.TokenAsync("ann"));
        await using var _mqtt = mqtt;
        await mqtt.SubscribeAsync("single/ann");

        // The publisher can publish but not record its progress: as if the broker were down, pushes stop.
        await using var hold = new NpgsqlConnection(postgres);
        await hold.OpenAsync();
        var held = await hold.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"select 1 from {Progression} where name = 'RealtimePublisher:All' for update", hold, held))
            Assert.Equal(1, await lockRow.ExecuteScalarAsync());
        await SendAsync(tenant, "normal", "held-1").ExpectAsync(HttpStatusCode.Created);

        var n = 0;
        var lowRefused = await Poll.UntilAsync(() => SendAsync(tenant, "low", $"low-{n++}"), r => r.StatusCode != HttpStatusCode.Created);
        await AssertPushesBehindAsync(lowRefused);
        // Past the low threshold only: a normal send is still taken, a low one over the socket is not.
        await SendAsync(tenant, "normal", "normal-while-low-shed").ExpectAsync(HttpStatusCode.Created);
        await ann.SendAsync(new { type = "send", sessionId = "g", clientMsgId = "ws-low", msgType = "text", body = "x", priority = "low" });
        var (wsLow, _) = await ann.ReceiveUntilAsync("error");
        Assert.Equal(("ws-low", 503, "Pushes are behind", 2.0), (wsLow.GetProperty("clientMsgId").GetString(), wsLow.GetProperty("status").GetInt32(),
            wsLow.GetProperty("title").GetString(), wsLow.GetProperty("retryAfterSeconds").GetDouble()));

        var allRefused = await Poll.UntilAsync(() => SendAsync(tenant, "high", $"high-{n++}"), r => r.StatusCode != HttpStatusCode.Created);
        await AssertPushesBehindAsync(allRefused);
        var puback = await mqtt.PublishAsync("send/g", new { clientMsgId = "mqtt-1", msgType = "text", body = "x" });
        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, puback.ReasonCode);
        var mqttError = await mqtt.ReceiveUntilAsync("error");
        Assert.Equal(("mqtt-1", 503), (mqttError.Frame.GetProperty("clientMsgId").GetString(), mqttError.Frame.GetProperty("status").GetInt32()));

        // Refused sends stored nothing: only what was answered 201 is in the session, and a retry of one of those still gets its first answer.
        // Of the n polled sends, all but the two refused ones; besides them warm-up, held-1 and normal-while-low-shed.
        var stored = (await tenant.App.HistoryAsync("g", "?limit=500")).GetProperty("messages").GetArrayLength();
        Assert.Equal(n - 2 + 3, stored);
        await SendAsync(tenant, "normal", "held-1").ExpectAsync(HttpStatusCode.OK);

        await held.RollbackAsync();
        Assert.Equal(["high", "low", "low", "normal"], shed.Order());

        // Caught up: even low priority is taken again.
        await Poll.UntilAsync(() => SendAsync(tenant, "low", $"after-{n++}"), r => r.StatusCode == HttpStatusCode.Created);
        await SendAsync(tenant, "normal", "normal-after").ExpectAsync(HttpStatusCode.Created);
    }

    /// <summary>The priorities of the sends this host's intake refused, from its own meter.</summary>
    private static System.Diagnostics.Metrics.MeterListener ShedListener(PlatformHost host, System.Collections.Concurrent.ConcurrentBag<string> shed)
    {
        var factory = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "mp.intake.shed" && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "priority") shed.Add((string)tag.Value!);
        });
        listener.Start();
        return listener;
    }

    private static async Task AssertPushesBehindAsync(HttpResponseMessage refused)
    {
        var problem = await Task.FromResult(refused).ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Pushes are behind", problem.GetProperty("title").GetString());
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task a_backlog_that_cannot_be_measured_opens_intake()
    {
        // The two tables the measurement reads, with an event no reader has processed, ten seconds old.
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(postgres);
        await using (var create = db.CreateCommand(
            $"create schema {EventStoreConfig.Schema}; " +
            $"create table {EventStoreConfig.Schema}.mt_events (seq_id bigint primary key, timestamp timestamptz not null); " +
            $"create table {Progression} (name varchar primary key, last_seq_id bigint not null); " +
            $"insert into {EventStoreConfig.Schema}.mt_events values (1, now() - interval '10 seconds')"))
            await create.ExecuteNonQueryAsync();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var intake = Options.Create(new IntakeOptions { SampleEveryMs = 20 });
        using var progress = new ReaderProgress(db, intake, Options.Create(new DaemonOptions()), NullLogger<ReaderProgress>.Instance);
        // A bus never started: its publisher's lag is excused as in an outage, and the outbox's still counts.
        var broker = new MessagePlatform.Api.Realtime.BrokerLink(Bus.Factory.CreateUsingInMemory(_ => { }));
        var backlog = new PushBacklog(progress, intake, broker, TimeProvider.System,
            services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NullLogger<PushBacklog>.Instance);
        await progress.StartAsync(CancellationToken.None);
        try
        {
            await Poll.UntilAsync(() => Task.FromResult(backlog.Refuses("high")), r => r is not null);
            await using (var drop = db.CreateCommand($"drop table {Progression}")) await drop.ExecuteNonQueryAsync();
            await Poll.UntilAsync(() => Task.FromResult(backlog.Refuses("low")), r => r is null);
        }
        finally
        {
            await progress.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task a_node_without_the_pushing_readers_takes_sends_however_old_its_events()
    {
        // Found by the benchmark's "pipeline off" node: with no publisher there is no progress row,
        // and every stored event read as an ever older backlog, so every send got 503.
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var host = new PlatformHost(postgres, settings: new Dictionary<string, string>
        {
            ["Intake:Enabled"] = "true",
            ["Intake:ShedLowPriorityAtMs"] = "100",
            ["Intake:RefuseAllAtMs"] = "200",
            ["Intake:SampleEveryMs"] = "20",
            ["Daemon:Subscriptions"] = "false",
        });
        using var admin = host.ClientWith(PlatformHost.AdminKey);
        var tenant = await PlatformFixture.NewTenantAsync(host, admin);
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann", "bob" } });
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        for (var i = 0; i < 5; i++) await SendAsync(tenant, i % 2 == 0 ? "low" : "normal", $"m-{i}").ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(TimeSpan.Zero, host.Services.GetRequiredService<PushBacklog>().Trailing);
    }

    [Theory]
    [InlineData("ShedLowPriorityAtMs", "2000")]
    [InlineData("SampleEveryMs", "0")]
    [InlineData("RetryAfterSeconds", "0")]
    public void intake_settings_out_of_range_are_refused_at_start(string key, string value)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{IntakeOptions.Section}:{key}"] = value });
        builder.AddPushBacklog();
        using var services = builder.Services.BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<IntakeOptions>>().Value);
    }

    private static Task<HttpResponseMessage> SendAsync(TestTenant tenant, string priority, string clientMsgId) =>
        tenant.App.PostAsJsonAsync("/v1/sessions/g/messages",
            new { from = "ann", clientMsgId, type = "text", body = new { text = clientMsgId }, priority });
}
