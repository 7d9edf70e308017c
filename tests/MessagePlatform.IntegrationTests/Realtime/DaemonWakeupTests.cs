using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using MessagePlatform.Api.Platform;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Realtime;

/// <summary>Issue 12, point 3: the daemon wakes on commits, coalesced, and never misses one.</summary>
public sealed class DaemonWakeupTests
{
    private static DaemonWakeup Wakeup(AppendSignal signal, out Func<long> wakes)
    {
        var factory = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        long count = 0;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "mp.daemon.wakeups" && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref count, value));
        listener.Start();
        wakes = () => Interlocked.Read(ref count);
        // No other node here: its LISTEN fails quietly and retries, which these tests do not need.
        return new DaemonWakeup(signal, NpgsqlDataSource.Create("Host=127.0.0.1;Port=9;Timeout=1"),
            new PlatformOptions("", "inmemory", "", null, 1, 1), new PlatformMeters(factory), NullLogger<DaemonWakeup>.Instance);
    }

    [Fact]
    public async Task a_commit_while_the_daemon_is_busy_wakes_its_next_wait_at_once()
    {
        var signal = new AppendSignal();
        await using var wakeup = Wakeup(signal, out var wakes);
        signal.Appended();
        await wakeup.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(1, wakes());

        // The daemon is off reading what woke it when the next commit lands: a drained flag would
        // forget it and sleep until the poll; the generation it last woke for remembers.
        signal.Appended();
        var waited = Stopwatch.StartNew();
        await wakeup.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.InRange(waited.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(2, wakes());

        // Nothing new: it waits for the poll.
        waited.Restart();
        await wakeup.WaitAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.True(waited.Elapsed >= TimeSpan.FromMilliseconds(250));
        Assert.Equal(2, wakes());
    }

    [Fact]
    public async Task a_burst_of_commits_wakes_the_daemon_at_most_once_per_coalescing_window()
    {
        var signal = new AppendSignal();
        await using var wakeup = Wakeup(signal, out var wakes);
        using var done = new CancellationTokenSource();
        var daemon = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested) await wakeup.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        });
        const int commits = 2_000;
        var burst = Stopwatch.StartNew();
        for (var i = 0; i < commits; i++)
        {
            signal.Appended();
            if (i % 20 == 0) await Task.Delay(1);
        }
        await done.CancelAsync();
        // One more commit ends the daemon loop's last wait.
        signal.Appended();
        await daemon;
        burst.Stop();
        var woken = wakes();
        Assert.InRange(woken, 1, (long)(burst.Elapsed / DaemonWakeup.Coalesce) + 3);
        Assert.True(woken < commits / 10, $"{woken} wakes for {commits} commits");
    }

    [Fact]
    public async Task a_send_right_after_a_wake_is_pushed_without_waiting_for_a_poll()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        // A poll a minute apart: only a wake-up can bring these pushes within seconds.
        await using var host = new PlatformHost(postgres, nodeId: 41, settings: new Dictionary<string, string> { ["Daemon:PollMilliseconds"] = "60000" });
        var tenant = await PlatformFixture.NewTenantAsync(host, host.ClientWith(PlatformHost.AdminKey));
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        await using var bob = await SocketClient.ConnectAsync(host, await tenant.App.TokenAsync("bob"));
        for (var i = 0; i < 5; i++)
        {
            var sent = (await tenant.App.SendAsync("c2c:ann:bob", "ann", $"m{i}").ExpectAsync(HttpStatusCode.Created)).GetProperty("msgId").GetString();
            var (pushed, _) = await bob.ReceiveUntilAsync("message", TimeSpan.FromSeconds(10));
            Assert.Equal(sent, pushed.GetProperty("msgId").GetString());
            await bob.SendAsync(new { type = "ack", msgId = sent });
        }
    }
}
