using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MessagePlatform.Bench;

public sealed record ServerMemoryResult(int Asked, int Connections, long WorkingSetBefore, long WorkingSetAfter, string? Failure)
{
    public double PerConnection => (WorkingSetAfter - WorkingSetBefore) / (double)Connections;
}

/// <summary>
/// The server's own share of an idle connection: a second API node in a process of its own, on
/// the same database (so the tokens this bench issues are valid there too), its working set read
/// before and after the clients of this process connect to it.
/// </summary>
public static class ServerProcessMemory
{
    public static async Task<ServerMemoryResult> MeasureAsync(PlatformClient api, string postgres, int count, CancellationToken ct)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "MessagePlatform.Api.dll"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["MP_POSTGRES"] = postgres;
        start.Environment["MP_ADMIN_KEY"] = PlatformUnderTest.AdminKey;
        start.Environment["MP_NODE_ID"] = "77";
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var address = new Uri($"http://127.0.0.1:{port}");
            await WaitUntilLiveAsync(address, ct);
            await using var issuer = new ClientFleet(api);
            var tokens = await issuer.IssueTokensAsync([.. Enumerable.Range(1, count).Select(i => $"srv-idle-{i}")], ct);
            await using var fleet = new ClientFleet(new PlatformClient(new HttpClient { BaseAddress = address }));
            // A fresh process pays JIT and thread-pool growth on its first connections: warm it with a
            // tenth of them, then count only what the rest add.
            var warm = Math.Max(1, count / 10);
            var failure = await fleet.ConnectAsync(tokens[..warm], room: null, ct);
            var before = await WorkingSetAsync(server);
            failure ??= await fleet.ConnectAsync(tokens[warm..], room: null, ct);
            var after = await WorkingSetAsync(server);
            return new ServerMemoryResult(count - warm, fleet.Count - warm, before, after, failure?.Message);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    private static async Task<long> WorkingSetAsync(Process server)
    {
        // Let the connects' transient buffers go and the server's GC run at its own pace.
        await Task.Delay(TimeSpan.FromSeconds(3));
        server.Refresh();
        return server.WorkingSet64;
    }

    private static async Task WaitUntilLiveAsync(Uri address, CancellationToken ct)
    {
        using var probe = new HttpClient();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(250, ct))
        {
            try
            {
                if ((await probe.GetAsync(new Uri(address, "/health/live"), ct)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
        }
        throw new TimeoutException("the second API process did not start within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
