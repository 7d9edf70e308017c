using System.Net;
using MessagePlatform.IntegrationTests.Infrastructure;

namespace MessagePlatform.IntegrationTests.Fuzz;

/// <summary>
/// One node in its own process (its memory can be read and its death seen), MQTT over TCP, a group
/// "g" of ann and bob, a room, and fuzz users with tokens; ann is also a fuzz user, so the fuzz
/// shares a user with the healthy client.
/// </summary>
public sealed class RealtimeFuzzNode : IAsyncLifetime
{
    public static readonly string[] FuzzUsers = ["f0", "f1", "f2", "f3", "f4", "ann"];

    public ApiProcess Node { get; private set; } = null!;
    public TestTenant Tenant { get; private set; } = null!;
    public int MqttPort { get; } = Security.MqttDoorNode.FreePort();
    public List<(string User, string Token)> Users { get; } = [];

    public async Task InitializeAsync()
    {
        Node = await ApiProcess.StartAsync(await TestServers.CreateDatabaseAsync(), nodeId: 73,
            new Dictionary<string, string> { ["MP_MQTT_PORT"] = MqttPort.ToString() });
        Tenant = await Node.NewTenantAsync();
        await Tenant.App.OpenAsync(new { sessionId = "g", type = "group", members = new[] { "ann", "bob" } });
        await Tenant.App.OpenAsync(new { sessionId = "room", type = "room", members = Array.Empty<string>() });
        await Tenant.App.OpenAsync(new { sessionId = "closed", type = "group", members = new[] { "f0" } });
        await Tenant.App.PostAsync("/v1/sessions/closed/close", null).ExpectAsync(HttpStatusCode.OK);
        foreach (var user in FuzzUsers) Users.Add((user, await Tenant.App.TokenAsync(user)));
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();

    /// <summary>
    /// The node's Error and Fatal log lines after the first <paramref name="mark"/> lines of its output:
    /// an exception a connection's handling did not expect is logged there (the realtime doors' 5xx).
    /// </summary>
    public List<string> ErrorsSince(int mark) =>
        [.. Node.Output.Skip(mark).Where(line => line.Contains(" ERR] ", StringComparison.Ordinal) || line.Contains(" FTL] ", StringComparison.Ordinal))];

    /// <summary>VmRSS of the node, in MiB; a failed test if the process is gone.</summary>
    public long ResidentMiB()
    {
        var status = $"/proc/{Node.ProcessId}/status";
        Assert.True(File.Exists(status), $"the node exited: {string.Join('\n', Node.Output.TakeLast(30))}");
        var line = File.ReadLines(status).Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }
}
