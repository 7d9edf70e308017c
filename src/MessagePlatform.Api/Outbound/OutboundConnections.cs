using System.Net;
using System.Net.Sockets;

namespace MessagePlatform.Api.Outbound;

/// <summary>An outbound connection refused because its address is neither public nor allowed.</summary>
public sealed class OutboundRefusedException(string message) : Exception(message);

/// <summary>
/// The handler under every outbound HttpClient: connects only to allowed addresses (resolving the
/// host itself, then checking the socket's peer), follows no redirects, uses no proxy (a proxy would
/// make the checked address the proxy's), and bounds headers, drains and connect time.
/// </summary>
public sealed class OutboundConnections(OutboundTargets targets)
{
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = connectTimeout,
        MaxResponseHeadersLength = 16, // KiB
        MaxResponseDrainSize = 16 * 1024,
        ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var candidates = await targets.ResolveAsync(host, ct)
            ?? throw new HttpRequestException(HttpRequestError.NameResolutionError, "The outbound host did not resolve.");
        var allowed = candidates.Where(targets.IsAllowed).ToArray();
        if (allowed.Length == 0) throw new OutboundRefusedException($"No allowed address for outbound host {host}.");

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            // What was reached, not what was meant: the last word before a byte is sent.
            if (socket.RemoteEndPoint is not IPEndPoint peer || !targets.IsAllowed(peer.Address))
                throw new OutboundRefusedException($"Outbound host {host} connected to an address not allowed.");
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
