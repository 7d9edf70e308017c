using System.Net;

namespace MessagePlatform.Bench;

/// <summary>
/// Where the tracing cell's node exports its spans: an OTLP/HTTP endpoint on loopback that reads each
/// export whole and answers 200 (an empty body is a valid export response), so the node pays for
/// making, batching, encoding and sending its spans, as it would to a collector, and nothing waits on one.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private long _exports;
    private long _bytes;

    private OtlpSink(int port)
    {
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add($"{Endpoint}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Endpoint { get; }

    public long Exports => Interlocked.Read(ref _exports);

    public long Bytes => Interlocked.Read(ref _bytes);

    public static OtlpSink Start() => new(PlatformProcess.FreePort());

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return; // stopped
            }
            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var read = 0L;
            var buffer = new byte[16 * 1024];
            for (int n; (n = await context.Request.InputStream.ReadAsync(buffer)) > 0;) read += n;
            Interlocked.Add(ref _bytes, read);
            Interlocked.Increment(ref _exports);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The node went away mid-export.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
