using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MessagePlatform.Bench.Chaos;

/// <summary>
/// One node of the chaos cluster: an API process on RabbitMQ that can be SIGKILLed (its whole
/// process tree, no shutdown) and started again with the same MP_NODE_ID on a new port.
/// </summary>
public sealed class ChaosNode(int nodeId, string postgres, string rabbitMq) : IAsyncDisposable
{
    private Process? _process;

    public int NodeId => nodeId;
    public Uri? Address { get; private set; }
    public bool Up => _process is { HasExited: false } && Address is not null;
    public int Starts { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "MessagePlatform.Api.dll"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Testing: a plain key ring and the development defaults; the send limits are the load's, not the node's.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["MP_POSTGRES"] = postgres;
        start.Environment["MP_TRANSPORT"] = "rabbitmq";
        start.Environment["MP_RABBITMQ"] = rabbitMq;
        start.Environment["MP_ADMIN_KEY"] = ChaosRun.AdminKey;
        start.Environment["MP_NODE_ID"] = nodeId.ToString();
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        start.Environment["Messages__SenderMessagesPerSecond"] = "0";
        // The killed node's claim on its id goes with its connection; give the restart time to see it go.
        start.Environment["Node__ClaimWaitSeconds"] = "30";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200, ct))
        {
            if (process.HasExited) throw new InvalidOperationException($"node {nodeId} exited with {process.ExitCode} while starting");
            try
            {
                if ((await probe.GetAsync(new Uri(address, "/health/live"), ct)).StatusCode == HttpStatusCode.OK)
                {
                    Address = address;
                    Starts++;
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
        }
        throw new TimeoutException($"node {nodeId} did not start within 60 s");
    }

    /// <summary>SIGKILL, as a crashed machine.</summary>
    public void Kill()
    {
        Address = null;
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
