using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Webhooks;

[Collection(PlatformCollection.Name)]
public sealed class WebhookTests(PlatformFixture platform)
{
    private const string Secret = "the-webhook-secret";
    private static readonly string[] AllEvents = ["message.sent", "message.retracted", "session.closed"];

    private static async Task Eventually(Func<bool> condition, int seconds = 20)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(seconds); DateTime.UtcNow < deadline; await Task.Delay(100))
            if (condition()) return;
        Assert.Fail("the condition did not hold in time");
    }

    [Fact]
    public async Task a_receiver_that_fails_twice_still_gets_every_event_once_per_delivery_signed_and_in_order()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        receiver.FlakyFailuresLeft = 2;
        var tenant = await platform.NewTenantAsync("live");
        await tenant.App.OpenAsync(new { sessionId = "live-1", type = "room", members = Array.Empty<string>() });
        await tenant.App.PutAsJsonAsync("/v1/sessions/live-1/webhook", new { url = receiver.Url("flaky"), secret = Secret, events = AllEvents })
            .ExpectAsync(HttpStatusCode.OK);

        var first = await tenant.App.SendAsync("live-1", "host", "m1").ExpectAsync(HttpStatusCode.Created);
        await Task.WhenAll(Enumerable.Range(2, 4).Select(i => tenant.App.SendAsync("live-1", $"viewer{i}", $"m{i}").ExpectAsync(HttpStatusCode.Created)));
        await tenant.App.PostAsJsonAsync($"/v1/sessions/live-1/messages/{first.GetProperty("msgId").GetString()}/retract", new { by = "host" })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.PostAsync("/v1/sessions/live-1/close", null).ExpectAsync(HttpStatusCode.OK);

        List<JsonElement> Events() => [.. receiver.Delivered.SelectMany(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("events").EnumerateArray())];
        await Eventually(() => Events().Any(e => e.GetProperty("type").GetString() == "session.closed"));

        var events = Events();
        Assert.Equal(5, events.Count(e => e.GetProperty("type").GetString() == "message.sent"));
        Assert.Single(events, e => e.GetProperty("type").GetString() == "message.retracted");
        var seqs = events.Where(e => e.GetProperty("type").GetString() != "message.retracted").Select(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(receiver.Delivered.Count, receiver.Delivered.Select(d => d.DeliveryId).Distinct().Count());
        Assert.Contains(receiver.Delivered, d => d.Attempt == 3);
        Assert.All(receiver.Calls, c => Assert.True(c.SignatureValid));
        Assert.All(receiver.Delivered, d => Assert.Equal(tenant.TenantId, JsonDocument.Parse(d.Body).RootElement.GetProperty("tenantId").GetString()));
    }

    [Fact]
    public async Task a_delivery_that_fails_every_try_is_parked_and_an_operator_can_replay_it()
    {
        await using var receiver = await HookReceiver.StartAsync(Secret);
        receiver.FlakyFailuresLeft = 1_000;
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "a" } });
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = receiver.Url("flaky"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("g", "a", "m1").ExpectAsync(HttpStatusCode.Created);

        JsonElement parked = default;
        await Eventually(() =>
        {
            parked = tenant.App.GetAsync("/v1/webhooks/parked").ExpectAsync(HttpStatusCode.OK).GetAwaiter().GetResult();
            return parked.GetArrayLength() == 1;
        });
        var deliveryId = parked[0].GetProperty("deliveryId").GetString()!;
        Assert.Equal(3, parked[0].GetProperty("attempts").GetInt32());
        Assert.Contains("503", parked[0].GetProperty("lastError").GetString());

        receiver.FlakyFailuresLeft = 0;
        await tenant.App.PostAsync($"/v1/webhooks/parked/{deliveryId}/replay", null).ExpectAsync(HttpStatusCode.OK);
        await Eventually(() => receiver.Delivered.Any(d => d.DeliveryId == deliveryId));
        Assert.Equal(0, (await tenant.App.GetAsync("/v1/webhooks/parked").ExpectAsync(HttpStatusCode.OK)).GetArrayLength());
        await tenant.App.PostAsync($"/v1/webhooks/parked/{deliveryId}/replay", null).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task bad_webhooks_are_refused()
    {
        var tenant = await platform.NewTenantAsync();
        var problem = await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = "nope", secret = "short", events = new[] { "message.exploded" } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(3, problem.GetProperty("errors").EnumerateObject().Count());
        await tenant.App.PutAsJsonAsync("/v1/sessions/nowhere/webhook", new { url = "http://127.0.0.1:1/x", secret = Secret, events = AllEvents })
            .ExpectAsync(HttpStatusCode.NotFound);
    }
}
