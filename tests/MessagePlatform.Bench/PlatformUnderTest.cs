using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using MessagePlatform.Api.Platform;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace MessagePlatform.Bench;

/// <summary>
/// The real API host booted in process on Kestrel, driven over loopback HTTP as any client would:
/// one tenant, <see cref="Workload.SessionCount"/> group sessions and one hot session; more tenants
/// on request (<see cref="AddTenantAsync"/>).
/// </summary>
public sealed class PlatformUnderTest(ApiHost host, SocketsHttpHandler handler, HttpClient client) : IAsyncDisposable
{
    public const string AdminKey = "bench-admin";

    public string Postgres => host.Postgres;

    private readonly List<HttpClient> _tenantClients = [];

    public Uri Address => client.BaseAddress!;

    /// <summary>Every wait for the readers, by any tenant's client of this platform, in order.</summary>
    public LagJournal Lags { get; } = new();

    public PlatformClient Client => _client ??= new PlatformClient(client, host.MqttPort, Lags);

    private PlatformClient? _client;

    /// <param name="openSendSessions">False when only the sync section runs: it opens sessions of its own.</param>
    public static async Task<PlatformUnderTest> StartAsync(string postgres, bool openSendSessions)
    {
        // MQTT over TCP as `MP_MQTT_PORT` serves it: the bench's MQTT clients are cheaper on TCP than over /mqtt.
        var host = new ApiHost(postgres, FreeTcpPort());
        host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        var address = host.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();

        // One client for every worker; the default 2-per-server cap would queue requests client-side.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1000 };
        var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri(address) };
        var tenant = new { tenantId = "bench", name = "Bench", scenario = "enterprise" };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateTenantAsync(client, tenant));
        if (openSendSessions) await OpenSessionsAsync(client);
        return new PlatformUnderTest(host, handler, client);
    }

    /// <summary>Another tenant, on the same connection pool, for a section that needs other settings (e.g. its limits).</summary>
    /// <param name="tenant">The body of <c>POST /v1/tenants</c>.</param>
    public async Task<PlatformClient> AddTenantAsync(object tenant)
    {
        var tenantClient = new HttpClient(handler, disposeHandler: false) { BaseAddress = Address };
        _tenantClients.Add(tenantClient);
        tenantClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateTenantAsync(client, tenant));
        return new PlatformClient(tenantClient, host.MqttPort, Lags);
    }

    public Task SendSpreadAsync() => SendAsync(client, Workload.RandomSessionId());

    public Task SendHotAsync() => SendAsync(client, Workload.HotSession);

    /// <summary>One durable send as the sends table measures it, through any API's client (a second process's too).</summary>
    internal static async Task SendAsync(HttpClient client, string sessionId)
    {
        // Formatted by hand: the client shares the CPU with the server, so it should spend as little as it can.
        var json = $$"""{"from":"{{Workload.Sender}}","clientMsgId":"{{Workload.NextClientMsgId()}}","type":"text","body":{{Workload.BodyJson}}}""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync($"/v1/sessions/{sessionId}/messages", content);
        // Only 201 is a durable new message; 200 would mean a duplicate that stored nothing.
        if (response.StatusCode != HttpStatusCode.Created)
            throw new OperationFailedException($"HTTP {(int)response.StatusCode}", await response.Content.ReadAsStringAsync());
    }

    internal static async Task<string> CreateTenantAsync(HttpClient client, object tenant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tenants") { Content = JsonContent.Create(tenant) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await ExpectCreatedAsync(client.SendAsync(request));
        var created = await response.Content.ReadFromJsonAsync<CreatedTenant>();
        return created?.AppKey ?? throw new InvalidOperationException("POST /v1/tenants answered no appKey");
    }

    internal static async Task OpenSessionsAsync(HttpClient client)
    {
        var sessionIds = Enumerable.Range(1, Workload.SessionCount).Select(Workload.SessionId).Append(Workload.HotSession);
        // A few at a time: setup is not measured, it should just not take long.
        await Parallel.ForEachAsync(sessionIds, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (sessionId, _) =>
        {
            var session = new { sessionId, type = "group", members = new[] { Workload.Sender, "u2" } };
            using var response = await ExpectCreatedAsync(client.PostAsJsonAsync("/v1/sessions", session));
        });
    }

    // MQTTnet's listener binds every interface, so probe the port the same way.
    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Any, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public static async Task<HttpResponseMessage> ExpectCreatedAsync(Task<HttpResponseMessage> call)
    {
        var response = await call;
        if (response.StatusCode == HttpStatusCode.Created) return response;
        using (response)
            throw new InvalidOperationException(
                $"{response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: " +
                await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var tenantClient in _tenantClients) tenantClient.Dispose();
        client.Dispose();
        handler.Dispose();
        await host.DisposeAsync();
    }

    private sealed record CreatedTenant(string AppKey);
}

/// <summary>
/// The API configured only through its documented variables. Any type of the API assembly locates
/// its entry point; its <c>Program</c> would clash with this console's own top-level Program.
/// </summary>
public sealed class ApiHost(string postgres, int? mqttPort) : WebApplicationFactory<PlatformOptions>
{
    public string Postgres => postgres;

    public int? MqttPort => mqttPort;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The factory finds the API's folder through a manifest it looks for in the working directory,
        // which is the repo root under `dotnet run`, not bin/; so name the folder outright.
        builder.UseSolutionRelativeContentRoot(Path.Combine("src", "MessagePlatform.Api"));
        builder.UseEnvironment("Development");
        builder.UseSetting("MP_POSTGRES", postgres);
        builder.UseSetting("MP_ADMIN_KEY", PlatformUnderTest.AdminKey);
        builder.UseSetting("MP_TRANSPORT", "inmemory");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        // The bench sends thousands a second as one user: the per-sender send limit would be all it measured.
        builder.UseSetting("Messages:SenderMessagesPerSecond", "0");
        // Its client fleets connect 32 at a time from one address, MQTT ones included.
        builder.UseSetting("Mqtt:MaxUnauthenticatedPerAddress", "256");
        if (mqttPort is { } port) builder.UseSetting("MP_MQTT_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
