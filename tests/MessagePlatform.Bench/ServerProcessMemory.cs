using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MessagePlatform.Bench;

public sealed record ServerMemoryResult(int Asked, int Connections, long WorkingSetBefore, long WorkingSetAfter, string? Failure)
{
    public double PerConnection => (WorkingSetAfter - WorkingSetBefore) / (double)Connections;
}

/// <summary>
/// The server's own share of an idle connection: an API node in a process of its own, run as in
/// production, its working set read before and after the clients of this process connect to it.
/// It has a database of its own: the bench's node runs the in-memory bus, beside which no other
/// node may start on the same database.
/// </summary>
public static class ServerProcessMemory
{
    public static async Task<ServerMemoryResult> MeasureAsync(int count, CancellationToken ct)
    {
        await using var database = await BenchDatabase.CreateAsync("idle");
        // Production refuses to start without a certificate for its key ring.
        var keyRing = Path.Combine(Path.GetTempPath(), $"mp-bench-keyring-{Guid.NewGuid():N}.pfx");
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=MessagePlatform bench key ring", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256,
                System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(keyRing, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), ct);
        }
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "MessagePlatform.Api.dll"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["MP_POSTGRES"] = database.ConnectionString;
        start.Environment["MP_KEYRING_CERT"] = keyRing;
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
            using var admin = new HttpClient { BaseAddress = address };
            var appKey = await PlatformUnderTest.CreateTenantAsync(admin, new { tenantId = "idle", name = "Idle connections", scenario = "enterprise" });
            var app = new HttpClient { BaseAddress = address };
            app.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", appKey);
            await using var issuer = new ClientFleet(new PlatformClient(app));
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
            await server.WaitForExitAsync(CancellationToken.None);
            File.Delete(keyRing);
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
