using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own, from the same script as the test run's, so the test can
/// stop it under load and start it again: an outage no other test sees.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _data;
    private readonly int _port;

    private PrivatePostgres(string data, int port) => (_data, _port) = (data, port);

    /// <summary>The connection string, pooled as the platform's own is.</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=100";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), $"mp-pg-{Guid.NewGuid():N}"[..16]);
        var server = new PrivatePostgres(data, FreePort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again), waiting until it accepts connections.</summary>
    public async Task StartAgainAsync() => Assert.Equal(0, await RunAsync("start"));

    /// <summary>
    /// Stops the server: <c>fast</c> ends every session at once, as a failing server does;
    /// <c>immediate</c> does not even checkpoint, as a crashed one does.
    /// </summary>
    public async Task StopAsync(string mode = "fast") => Assert.Equal(0, await RunAsync($"stop {mode}"));

    /// <summary>Ends every session but ours, as a restarted pooler or a failover does, without stopping the server.</summary>
    public async Task TerminateSessionsAsync()
    {
        await using var db = new NpgsqlConnection(ConnectionString);
        await db.OpenAsync();
        await using var terminate = new NpgsqlCommand(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'", db);
        await terminate.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("stop");
        try { Directory.Delete(_data, recursive: true); }
        catch (IOException) { /* a server that would not stop keeps its folder; the temp folder is swept elsewhere */ }
        catch (UnauthorizedAccessException) { }
    }

    private Task<int> RunAsync(string verb) =>
        TestServers.RunInfraScriptAsync("postgres.sh", verb, new Dictionary<string, string> { ["MP_PGDATA"] = _data, ["MP_PGPORT"] = _port.ToString() });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
