using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>One platform node booted in process, configured only through the variables of API.md.</summary>
/// <remarks>Outbound calls may reach loopback (the tests' hook receivers) unless <c>outboundAllow</c> says otherwise (null: public only).</remarks>
public sealed class PlatformHost(string postgres, int nodeId = 0, string transport = "inmemory", TimeProvider? clock = null, int? mqttPort = null,
    string? outboundAllow = PlatformHost.LoopbackAllowed, IReadOnlyDictionary<string, string>? settings = null, string? rabbitMq = null,
    Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key";
    public const string LoopbackAllowed = "127.0.0.0/8";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("MP_POSTGRES", postgres);
        builder.UseSetting("MP_ADMIN_KEY", AdminKey);
        builder.UseSetting("MP_NODE_ID", nodeId.ToString());
        builder.UseSetting("MP_TRANSPORT", transport);
        builder.UseSetting("MP_RABBITMQ", rabbitMq ?? TestServers.RabbitMq);
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        // Webhook retries on a test's time scale: 3 tries, 100 ms then 200 ms apart.
        builder.UseSetting("Webhooks:MaxAttempts", "3");
        builder.UseSetting("Webhooks:FirstRetryMs", "100");
        // A small room push budget, so a test can make a room hot with a handful of messages.
        builder.UseSetting("Realtime:RoomPushBudgetPerSecond", "5");
        // GC passes only when a test asks (POST /v1/admin/gc/run), so tests sharing a database never race one.
        builder.UseSetting("Gc:IntervalSeconds", "86400");
        if (outboundAllow is not null) builder.UseSetting("MP_OUTBOUND_ALLOW", outboundAllow);
        // Tests send bursts as one user; the per-sender send limit has tests of its own (Security/).
        builder.UseSetting("Messages:SenderMessagesPerSecond", "0");
        // Pushes trail by seconds when the whole suite loads two cores; intake backpressure has tests of its own (Messages/).
        builder.UseSetting("Intake:Enabled", "false");
        if (mqttPort is { } port) builder.UseSetting("MP_MQTT_PORT", port.ToString());
        // A test's own settings last, so they win over the defaults above.
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        if (clock is not null) builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock));
        // A test's own services (an in-memory trace exporter), added after the host's.
        if (services is not null) builder.ConfigureServices(services);
    }

    /// <summary>Waits until the async projections have caught up with every event appended so far.</summary>
    public Task ProjectionsCaughtUpAsync(TimeSpan? within = null) =>
        Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(within ?? TimeSpan.FromSeconds(60));

    /// <summary>
    /// Stops the host, waiting at most <see cref="StopWithin"/>. About one suite run in five, a host
    /// once never finished stopping after its test had passed (cause not found yet: see the README's
    /// "Known issues"); a test run must not hang on it for hours, so such a host is left behind, and
    /// said so on the console, instead.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        var stopping = base.DisposeAsync().AsTask();
        if (await Task.WhenAny(stopping, Task.Delay(StopWithin)) == stopping)
        {
            await stopping;
            return;
        }
        Console.Error.WriteLine($"PlatformHost (node {nodeId}) did not stop within {StopWithin.TotalSeconds:0} s; left running");
    }

    public static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(90);

    public HttpClient ClientWith(string credential)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", credential);
        return client;
    }
}
