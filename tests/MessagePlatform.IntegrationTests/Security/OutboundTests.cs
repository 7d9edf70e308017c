using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>A node that allows no private address (as in production), on a database of its own.</summary>
public sealed class PublicOnlyFixture : IAsyncLifetime
{
    public string Postgres { get; private set; } = "";
    public PlatformHost Host { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await TestServers.CreateDatabaseAsync();
        Host = new PlatformHost(Postgres, outboundAllow: null);
        Admin = Host.ClientWith(PlatformHost.AdminKey);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Webhook and before-send URLs aimed at the platform's own network (SSRF).</summary>
public sealed class OutboundTests(PublicOnlyFixture publicOnly) : IClassFixture<PublicOnlyFixture>
{
    private const string Secret = "an-outbound-secret";

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://0.0.0.0/")]
    [InlineData("http://localhost/")]
    [InlineData("http://user:password@8.8.8.8/")]
    [InlineData("file:///etc/passwd")]
    public async Task a_url_that_is_or_resolves_to_a_non_public_address_is_refused_when_set(string url)
    {
        var tenant = await PlatformFixture.NewTenantAsync(publicOnly.Host, publicOnly.Admin);
        await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });
        foreach (var call in new[]
                 {
                     tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url, secret = Secret, events = new[] { "message.sent" } }),
                     tenant.App.PutAsJsonAsync("/v1/sessions/s/webhook", new { url, secret = Secret, events = new[] { "message.sent" } }),
                     tenant.App.PutAsJsonAsync("/v1/hooks/before-send", new { url, secret = Secret }),
                 })
        {
            var problem = await call.ExpectAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), problem.GetRawText());
        }
        // Nothing was set: a send goes through without a hook and makes no delivery.
        await tenant.App.SendAsync("s", "ann", "1").ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(0, await TestDatabase.CountAsync(publicOnly.Postgres,
            "select count(*) from mp.mp_webhooks where tenant_id = $1", tenant.TenantId));
    }

    [Fact]
    public async Task a_node_with_a_wrong_allow_list_does_not_start()
    {
        using var host = new PlatformHost(await TestServers.CreateDatabaseAsync(), nodeId: 6, outboundAllow: "127.0.0.1,10.0.0.0/8");
        var failure = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("MP_OUTBOUND_ALLOW", failure.ToString());
    }

    [Fact]
    public async Task a_webhook_whose_host_now_resolves_to_a_non_allowed_address_is_never_connected_to()
    {
        // Set while the operator allowed loopback (the set-time check passes), then delivered by a node
        // that does not: as a name that resolved to a public address when set and to loopback when sent.
        await using var receiver = await HookReceiver.StartAsync(Secret);
        var port = new Uri(receiver.Url("hook")).Port;
        TestTenant tenant;
        // One node after the other on a database of their own: an in-memory node lets no other start beside it.
        var postgres = await TestServers.CreateDatabaseAsync();
        await using (var allowing = new PlatformHost(postgres, nodeId: 1, outboundAllow: "127.0.0.0/8,::1/128"))
        {
            tenant = await PlatformFixture.NewTenantAsync(allowing, allowing.ClientWith(PlatformHost.AdminKey));
            await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = $"http://localhost:{port}/hook", secret = Secret, events = new[] { "message.sent" } })
                .ExpectAsync(HttpStatusCode.OK);
            await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });
        }
        await using var delivering = new PlatformHost(postgres, nodeId: 2, outboundAllow: null);
        var app = delivering.ClientWith(tenant.AppKey);
        await app.SendAsync("s", "ann", "1").ExpectAsync(HttpStatusCode.Created);

        var parked = await Poll.UntilAsync(() => app.GetAsync("/v1/webhooks/parked").ExpectAsync(HttpStatusCode.OK), p => p.GetArrayLength() == 1);
        Assert.Equal("address not allowed", parked[0].GetProperty("lastError").GetString());
        Assert.Empty(receiver.Calls);
    }

}

/// <summary>What an allowed receiver can make of the platform's calls: redirects, huge answers, error text.</summary>
[Collection(PlatformCollection.Name)]
public sealed class OutboundCallTests(PlatformFixture platform)
{
    private const string Secret = "an-outbound-secret";

    [Fact]
    public async Task a_redirect_from_an_allowed_receiver_is_not_followed()
    {
        await using var target = await HookReceiver.StartAsync(Secret);
        await using var receiver = (await HookReceiver.StartAsync(Secret)).Answer("redirect", http =>
        {
            http.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            http.Response.Headers.Location = target.Url(http.Request.Query["to"].ToString());
            return Task.CompletedTask;
        });
        var tenant = await platform.NewTenantAsync();
        await tenant.App.PutAsJsonAsync("/v1/hooks/before-send", new { url = receiver.Url("redirect?to=deny"), secret = Secret, failurePolicy = "closed" })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = receiver.Url("redirect?to=hook"), secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });

        await tenant.App.SendAsync("s", "ann", "1").ExpectAsync(HttpStatusCode.ServiceUnavailable);
        await tenant.App.DeleteAsync("/v1/hooks/before-send").ExpectAsync(HttpStatusCode.NoContent);
        await tenant.App.SendAsync("s", "ann", "2").ExpectAsync(HttpStatusCode.Created);
        var parked = await Poll.UntilAsync(() => tenant.App.GetAsync("/v1/webhooks/parked").ExpectAsync(HttpStatusCode.OK), p => p.GetArrayLength() == 1);
        Assert.Equal("HTTP 307", parked[0].GetProperty("lastError").GetString());
        Assert.Empty(target.Calls);
    }

    [Fact]
    public async Task a_huge_or_endless_hook_answer_is_cut_and_follows_the_failure_policy()
    {
        await using var receiver = (await HookReceiver.StartAsync(Secret))
            .Answer("huge", http => http.Response.WriteAsJsonAsync(new { action = "deny", reason = "huge", pad = new string('x', 300_000) }))
            .Answer("endless", async http =>
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"action\":\"deny\",\"pad\":\"", http.RequestAborted);
                var chunk = new string('x', 8192);
                while (!http.RequestAborted.IsCancellationRequested) await http.Response.WriteAsync(chunk, http.RequestAborted);
            });
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });

        await tenant.App.PutAsJsonAsync("/v1/hooks/before-send", new { url = receiver.Url("huge"), secret = Secret, failurePolicy = "open" })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("s", "ann", "1").ExpectAsync(HttpStatusCode.Created);

        await tenant.App.PutAsJsonAsync("/v1/hooks/before-send", new { url = receiver.Url("endless"), secret = Secret, failurePolicy = "closed", timeoutMs = 10_000 })
            .ExpectAsync(HttpStatusCode.OK);
        var clock = Stopwatch.StartNew();
        await tenant.App.SendAsync("s", "ann", "2").ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the endless answer was read for {clock.Elapsed}");
    }

    [Theory]
    [InlineData("text/html", "<html>internal admin page</html>", "open", HttpStatusCode.Created)]
    [InlineData("text/html", "<html>internal admin page</html>", "closed", HttpStatusCode.ServiceUnavailable)]
    [InlineData("application/json", "[\"allow\"]", "open", HttpStatusCode.Created)]
    [InlineData("application/json", "[\"allow\"]", "closed", HttpStatusCode.ServiceUnavailable)]
    [InlineData("application/json", "\"allow\"", "closed", HttpStatusCode.ServiceUnavailable)]
    [InlineData("application/json", "{\"action\":5}", "closed", HttpStatusCode.ServiceUnavailable)]
    [InlineData("application/json", "{\"action\":\"explode\"}", "open", HttpStatusCode.Created)]
    [InlineData("application/json", "{\"action\":\"modify\"}", "closed", HttpStatusCode.ServiceUnavailable)]
    [InlineData("application/json", "{\"action\":\"modify\",\"body\":null}", "open", HttpStatusCode.Created)]
    [InlineData("application/json", "{\"action\":\"deny\",\"reason\":7}", "closed", HttpStatusCode.ServiceUnavailable)]
    public async Task a_malformed_hook_answer_follows_the_failure_policy_and_its_text_is_not_shown(
        string contentType, string answer, string policy, HttpStatusCode expected)
    {
        await using var receiver = (await HookReceiver.StartAsync(Secret)).Answer("odd", async http =>
        {
            http.Response.ContentType = contentType;
            await http.Response.WriteAsync(answer);
        });
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });
        await tenant.App.PutAsJsonAsync("/v1/hooks/before-send", new { url = receiver.Url("odd"), secret = Secret, failurePolicy = policy })
            .ExpectAsync(HttpStatusCode.OK);

        var result = await tenant.App.SendAsync("s", "ann", "1", new { text = "as sent" }).ExpectAsync(expected);
        var stored = (await tenant.App.HistoryAsync("s")).GetProperty("messages");
        if (expected == HttpStatusCode.Created)
            Assert.Equal("as sent", stored[0].GetProperty("body").GetProperty("text").GetString());
        else
        {
            Assert.Equal(0, stored.GetArrayLength());
            Assert.DoesNotContain("internal", result.GetProperty("detail").GetString());
            Assert.DoesNotContain("'", result.GetProperty("detail").GetString()); // no JsonException text quoting the answer
        }
    }

    [Fact]
    public async Task a_tenant_sees_no_exception_text_from_a_failed_outbound_call()
    {
        var tenant = await platform.NewTenantAsync();
        await tenant.App.OpenAsync(new { sessionId = "s", type = "group", members = new[] { "ann" } });
        // Nothing listens on port 1: the connection is refused, with a message naming the address.
        await tenant.App.PutAsJsonAsync("/v1/hooks/before-send", new { url = "http://127.0.0.1:1/", secret = Secret, failurePolicy = "closed" })
            .ExpectAsync(HttpStatusCode.OK);
        var problem = await tenant.App.SendAsync("s", "ann", "1").ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.DoesNotContain("127.0.0.1", problem.GetProperty("detail").GetString());

        await tenant.App.DeleteAsync("/v1/hooks/before-send").ExpectAsync(HttpStatusCode.NoContent);
        await tenant.App.PutAsJsonAsync("/v1/webhooks/default", new { url = "http://127.0.0.1:1/", secret = Secret, events = new[] { "message.sent" } })
            .ExpectAsync(HttpStatusCode.OK);
        await tenant.App.SendAsync("s", "ann", "2").ExpectAsync(HttpStatusCode.Created);
        var parked = await Poll.UntilAsync(() => tenant.App.GetAsync("/v1/webhooks/parked").ExpectAsync(HttpStatusCode.OK), p => p.GetArrayLength() == 1);
        var lastError = parked[0].GetProperty("lastError").GetString()!;
        Assert.DoesNotContain("127.0.0.1", lastError);
        Assert.DoesNotContain("refused", lastError, StringComparison.OrdinalIgnoreCase);
    }
}
