using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using MessagePlatform.Api.Platform;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MessagePlatform.IntegrationTests.Operations;

/// <summary>The write path and the stream readers measure themselves, on the host's own meter.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PlatformMetersTests(PlatformFixture platform)
{
    [Fact]
    public async Task a_send_is_measured_through_its_lane_the_stream_readers_and_the_push()
    {
        var factory = platform.Host.Services.GetRequiredService<IMeterFactory>();
        var seen = new ConcurrentDictionary<string, ConcurrentBag<(double Value, string? Subscription)>>();
        using var listener = new MeterListener();
        // Only this host's meter: other hosts of the test run measure into meters of their own.
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PlatformMeters.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? subscription = null;
            foreach (var tag in tags) if (tag.Key == "subscription") subscription = tag.Value as string;
            seen.GetOrAdd(instrument.Name, _ => []).Add((value, subscription));
        }
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "measured", type = "group", members = new[] { "ann", "bob" } });
        await using var bob = await SocketClient.ConnectAsync(platform.Host, await tenant.App.TokenAsync("bob"));
        await tenant.App.SendAsync("measured", "ann", "m1").ExpectAsync(HttpStatusCode.Created);
        // Bob does not ack: the gateway sends the frame again after its ack timeout.
        await bob.ReceiveUntilAsync("message");
        await platform.Host.ProjectionsCaughtUpAsync();

        Assert.Contains(seen["mp.messages.sent"], m => m.Value == 1);
        Assert.Contains(seen["mp.send.duration"], m => m.Value > 0);
        Assert.Contains(seen["mp.lane.batch.size"], m => m.Value >= 1);
        Assert.Contains(seen["mp.lane.commit.duration"], m => m.Value > 0);
        Assert.NotEmpty(seen["mp.lane.queue.wait"]);
        await Poll.UntilAsync(() => Task.FromResult(seen.GetValueOrDefault("mp.subscription.batch.size")?.ToList() ?? []),
            pages => pages.Any(p => p.Subscription == "RealtimePublisher") && pages.Any(p => p.Subscription == "WebhookOutbox"));
        Assert.Contains(seen["mp.fanout.batch.size"], m => m.Value >= 1);
        Assert.Contains(seen["mp.push.frames"], m => m.Value >= 1);
        await Poll.UntilAsync(() => Task.FromResult(seen.GetValueOrDefault("mp.push.retransmits")?.Count ?? 0), n => n > 0);
    }

    [Fact]
    public async Task readiness_shows_how_far_every_reader_of_the_store_trails()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "lagging", type = "group", members = new[] { "ann" } });
        await tenant.App.SendAsync("lagging", "ann", "m1").ExpectAsync(HttpStatusCode.Created);
        await platform.Host.ProjectionsCaughtUpAsync();
        using var probe = platform.Host.CreateClient();
        var readers = await Poll.UntilAsync(async () =>
        {
            using var response = await probe.GetAsync("/health/ready");
            var data = (await response.Json()).GetProperty("checks").GetProperty("projections").GetProperty("data");
            return data.EnumerateObject().Where(p => p.Name.StartsWith("lag.")).ToDictionary(p => p.Name[4..], p => p.Value.GetInt64());
        }, r => r.ContainsKey("RealtimePublisher") && r.ContainsKey("WebhookOutbox") && r.Keys.Any(k => k.StartsWith("UserChain")));
        Assert.All(readers.Values, lag => Assert.True(lag >= 0));
    }
}
