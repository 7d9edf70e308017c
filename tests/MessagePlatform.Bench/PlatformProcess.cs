using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MessagePlatform.Bench;

/// <summary>
/// An API node in a process of its own, run as in production, on a database of its own (the bench's
/// in-process node runs the in-memory bus, beside which no other node may start on the same
/// database): one tenant created, its app key's client ready. Killed, and its database dropped, on dispose.
/// </summary>
public sealed class PlatformProcess : IAsyncDisposable
{
    private readonly BenchDatabase _database;
    private readonly Process _server;
    private readonly string _keyRing;
    private readonly SocketsHttpHandler _handler = new() { MaxConnectionsPerServer = 1000 };

    private PlatformProcess(BenchDatabase database, Process server, string keyRing, Uri address)
    {
        (_database, _server, _keyRing, Address) = (database, server, keyRing, address);
        App = new HttpClient(_handler, disposeHandler: false) { BaseAddress = address };
    }

    public Uri Address { get; }

    /// <summary>The tenant's app key once <see cref="CreateTenantAsync"/> ran; no credentials before.</summary>
    public HttpClient App { get; }

    public Process Server => _server;

    /// <param name="name">Suffix of its database's name: "idle", "pipeline_on".</param>
    /// <param name="settings">Settings beyond the documented variables, as environment variables (`Section__Key`).</param>
    public static async Task<PlatformProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        var database = await BenchDatabase.CreateAsync(name);
        // Production refuses to start without a certificate for its key ring.
        var keyRing = Path.Combine(Path.GetTempPath(), $"mp-bench-keyring-{Guid.NewGuid():N}.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=MessagePlatform bench key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(keyRing, certificate.Export(X509ContentType.Pfx), ct);
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
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var node = new PlatformProcess(database, server, keyRing, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await node.WaitUntilLiveAsync(ct);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the tenant and puts its app key on <see cref="App"/>.</summary>
    public async Task CreateTenantAsync(object tenant)
    {
        using var admin = new HttpClient { BaseAddress = Address };
        App.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await PlatformUnderTest.CreateTenantAsync(admin, tenant));
    }

    private async Task WaitUntilLiveAsync(CancellationToken ct)
    {
        using var probe = new HttpClient();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(250, ct))
        {
            if (_server.HasExited) throw new InvalidOperationException($"the API process exited with {_server.ExitCode} while starting");
            try
            {
                if ((await probe.GetAsync(new Uri(Address, "/health/live"), ct)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
        }
        throw new TimeoutException("the API process did not start within 60 s");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        App.Dispose();
        _handler.Dispose();
        if (!_server.HasExited) _server.Kill(entireProcessTree: true);
        await _server.WaitForExitAsync(CancellationToken.None);
        _server.Dispose();
        File.Delete(_keyRing);
        await _database.DisposeAsync();
    }
}
