using System.Net;
using System.Net.Http.Json;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>One caller going fast is refused alone: its sends, its requests, its broadcasts.</summary>
[Collection(FairUseCollection.Name)]
public sealed class FairUseTests(FairUseFixture fair)
{
    [Fact]
    public async Task one_member_sending_40_a_second_into_a_room_is_refused_alone_while_another_member_still_sends()
    {
        var tenant = await fair.NewTenantAsync("live");
        await tenant.App.OpenAsync(new { sessionId = "stage", type = "room", members = Array.Empty<string>() });

        // The noisy member fires a second's worth of the room's whole budget (40) at once, then the calm one sends.
        var noisy = Enumerable.Range(0, 40).Select(i => tenant.App.SendAsync("stage", "noisy", $"n{i}")).ToList();
        var calm = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => tenant.App.SendAsync("stage", "calm", $"c{i}")));
        var noisyAnswers = await Task.WhenAll(noisy);

        Assert.All(calm, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var refused = noisyAnswers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, a => Assert.True(a.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        var problem = await refused[0].Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Calls.AssertProblem(problem, 429);
        var stored = (await tenant.App.HistoryAsync("stage", "?limit=100")).GetProperty("messages").GetArrayLength();
        Assert.Equal(noisyAnswers.Count(a => a.StatusCode == HttpStatusCode.Created) + calm.Length, stored);
    }

    [Fact]
    public async Task a_user_token_calling_past_its_rate_gets_429_problems_while_other_credentials_and_health_still_answer()
    {
        var tenant = await fair.NewTenantAsync();
        await tenant.App.OpenAsync(new { type = "c2c", members = new[] { "ann", "bob" } });
        using var ann = fair.ClientWith(await tenant.App.TokenAsync("ann"));
        using var bob = fair.ClientWith(await tenant.App.TokenAsync("bob"));

        var answers = await Task.WhenAll(Enumerable.Range(0, FairUseFixture.UserRequestsPerSecond * 2)
            .Select(_ => ann.GetAsync("/v1/users/ann/sync")));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.Equal("application/problem+json", refused[0].Content.Headers.ContentType?.MediaType);
        Assert.True(refused[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Calls.AssertProblem(await refused[0].Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(), 429);

        // Another user's token, the tenant's app key and the probes have budgets of their own.
        await bob.GetAsync("/v1/users/bob/sync").ExpectAsync(HttpStatusCode.OK);
        await tenant.App.GetAsync("/v1/users/ann/sync").ExpectAsync(HttpStatusCode.OK);
        using var anonymous = fair.Host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task a_tenant_broadcasting_past_its_limit_gets_429_with_retry_after()
    {
        var tenant = await fair.NewTenantAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => tenant.App.PostAsJsonAsync("/v1/broadcasts",
            new { clientMsgId = $"b{i}", type = "system", body = new { text = "maintenance" } })));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
        Assert.All(refused, a => Assert.True(a.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        // The burst (10) and at most a few seconds' refill (5/s) while the twenty were answered.
        Assert.InRange(answers.Count(a => a.StatusCode == HttpStatusCode.Created), 10, 15);
    }
}
