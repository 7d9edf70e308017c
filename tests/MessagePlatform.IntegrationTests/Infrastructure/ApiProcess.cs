using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>
/// A platform node in a process of its own, so a test can kill it the hard way (no shutdown, its
/// database sessions dropped by the kernel), as a crashed machine would.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>What the node wrote to stdout and stderr, line by line (its log: Warning and up unless a test's settings say otherwise).</summary>
    public ConcurrentQueue<string> Output { get; }

    private ApiProcess(Process process, Uri address, ConcurrentQueue<string> output) => (_process, Address, Output) = (process, address, output);

    public static async Task<ApiProcess> StartAsync(string postgres, int nodeId, IReadOnlyDictionary<string, string>? environment = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "MessagePlatform.Api.dll"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["MP_POSTGRES"] = postgres;
        start.Environment["MP_ADMIN_KEY"] = PlatformHost.AdminKey;
        start.Environment["MP_NODE_ID"] = nodeId.ToString();
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        start.Environment["MP_OUTBOUND_ALLOW"] = PlatformHost.LoopbackAllowed; // the tests' hook receivers are on loopback
        start.Environment["Messages__SenderMessagesPerSecond"] = "0";
        start.Environment["Intake__Enabled"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => { if (line.Data is { } text) output.Enqueue(text); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { } text) output.Enqueue(text); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            Assert.False(process.HasExited, $"node {nodeId} exited with {(process.HasExited ? process.ExitCode : 0)}: {string.Join('\n', output.TakeLast(20))}");
            try
            {
                if ((await probe.GetAsync(new Uri(address, "/health/live"))).StatusCode == HttpStatusCode.OK)
                    return new ApiProcess(process, address, output);
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"node {nodeId} did not start within 60 s");
    }

    public HttpClient ClientWith(string credential)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", credential);
        return client;
    }

    /// <summary>A new tenant made through this node's admin key, its app client on this node.</summary>
    public async Task<TestTenant> NewTenantAsync(string scenario = "enterprise")
    {
        using var admin = ClientWith(PlatformHost.AdminKey);
        var tenantId = $"p-{Guid.NewGuid():N}"[..20];
        var created = await admin.PostAsJsonAsync("/v1/tenants", new { tenantId, name = "Test tenant", scenario }).ExpectAsync(HttpStatusCode.Created);
        var appKey = created.GetProperty("appKey").GetString()!;
        return new TestTenant(tenantId, appKey, created.GetProperty("auditorKey").GetString()!, ClientWith(appKey));
    }

    /// <summary>SIGKILL: no graceful shutdown, no chance to release anything itself.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as an orchestrator stopping the node would send: the node drains and exits by itself.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to end by itself; its exit code, or null if it still ran after <paramref name="within"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
