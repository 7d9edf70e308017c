using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MessagePlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MessagePlatform.IntegrationTests.Demo;

/// <summary>
/// The web chat demo's host side: in Development it serves the page, mints demo users' tokens and
/// opens their chats; in any other environment, with the very same settings, none of it exists.
/// </summary>
public sealed class DemoChatTests : IAsyncLifetime
{
    private readonly string _page = Directory.CreateTempSubdirectory("mp-web-chat-").FullName;
    private readonly string _pfx = Path.Combine(Path.GetTempPath(), $"mp-demo-keyring-{Guid.NewGuid():N}.pfx");
    private const string Password = "demo-keyring-password";

    public Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_page, "index.html"), "<!doctype html><title>web chat</title>");
        // Production refuses to start without a key ring certificate (README "Configuration").
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=demo test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllBytes(_pfx, certificate.Export(X509ContentType.Pfx, Password));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_page, recursive: true);
        File.Delete(_pfx);
        return Task.CompletedTask;
    }

    private WebApplicationFactory<Program> Host(string postgres, string environment) =>
        new PlatformHost(postgres).WithWebHostBuilder(b => b
            .UseEnvironment(environment)
            .UseSetting("Demo:Enabled", "true")
            .UseSetting("Demo:WebChatPath", _page)
            .UseSetting("MP_KEYRING_CERT", _pfx)
            .UseSetting("MP_KEYRING_CERT_PASSWORD", Password));

    [Fact]
    public async Task in_development_the_page_is_served_and_a_demo_user_gets_a_token_that_reads_its_own_chats()
    {
        await using var host = Host(await TestServers.CreateDatabaseAsync(), "Development");
        using var anonymous = host.CreateClient();

        var page = await anonymous.GetAsync("/chat/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("web chat", await page.Content.ReadAsStringAsync());

        var signIn = await anonymous.PostAsJsonAsync("/demo/token", new { userId = "alice" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("alice", signIn.GetProperty("userId").GetString());
        var opened = await anonymous.PostAsJsonAsync("/demo/sessions", new { userId = "bob", peer = "alice" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("c2c:alice:bob", opened.GetProperty("sessionId").GetString());

        using var alice = host.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new("Bearer", signIn.GetProperty("token").GetString());
        await alice.SendAsync("c2c:alice:bob", "alice", "demo-1").ExpectAsync(HttpStatusCode.Created);
        // The conversation list is a projection, caught up shortly after the commit (CI failed reading it at once).
        var conversations = await Poll.UntilAsync(() => alice.GetAsync("/v1/users/alice/conversations").ExpectAsync(HttpStatusCode.OK),
            c => c.GetArrayLength() > 0);
        Assert.Equal("c2c:alice:bob", Assert.Single(conversations.EnumerateArray()).GetProperty("sessionId").GetString());
        // The token is the demo tenant's user's, and only its own.
        await alice.GetAsync("/v1/users/bob/conversations").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task bad_demo_requests_are_refused_with_a_problem()
    {
        await using var host = Host(await TestServers.CreateDatabaseAsync(), "Development");
        using var anonymous = host.CreateClient();
        Calls.AssertProblem(await anonymous.PostAsJsonAsync("/demo/token", new { userId = "no spaces" }).ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await anonymous.PostAsJsonAsync("/demo/sessions", new { userId = "ann", peer = "ann" }).ExpectAsync(HttpStatusCode.BadRequest), 400);
        Calls.AssertProblem(await anonymous.PostAsJsonAsync("/demo/presence", new { userIds = Array.Empty<string>() }).ExpectAsync(HttpStatusCode.BadRequest), 400);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Testing")]
    public async Task outside_development_the_same_settings_open_neither_the_page_nor_the_demo_endpoints(string environment)
    {
        await using var host = Host(await TestServers.CreateDatabaseAsync(), environment);
        using var anonymous = host.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/chat/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsJsonAsync("/demo/token", new { userId = "alice" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsJsonAsync("/demo/sessions", new { userId = "a", peer = "b" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsJsonAsync("/demo/presence", new { userIds = new[] { "a" } })).StatusCode);
    }
}
