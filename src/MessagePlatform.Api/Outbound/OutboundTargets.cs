using System.Net;
using System.Net.Sockets;
using MessagePlatform.Domain.Outbound;

namespace MessagePlatform.Api.Outbound;

/// <summary>
/// Where the platform may call out to (webhooks, the before-send hook): checked when a URL is set and
/// again for the address each connection actually reaches (<see cref="OutboundConnections"/>), so a name
/// that resolves elsewhere later (DNS rebinding) is still never connected to.
/// </summary>
public sealed class OutboundTargets(OutboundAddresses addresses, ILogger<OutboundTargets> log)
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    public bool IsAllowed(IPAddress address) => addresses.IsAllowed(address);

    /// <summary>Why <paramref name="url"/> may not be called, for a 400's errors; null when it may.</summary>
    public async Task<string?> RefusalAsync(string? url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return "must be an absolute http or https URL";
        if (uri.UserInfo.Length > 0) return "must not carry a user name or password";
        var addresses = await ResolveAsync(uri.IdnHost, ct);
        if (addresses is not { Length: > 0 }) return "must name a host that resolves";
        return addresses.All(IsAllowed) ? null : "must be a public address (or one the operator allows with MP_OUTBOUND_ALLOW)";
    }

    /// <summary>The host's addresses (a literal is its own); null when it does not resolve in time.</summary>
    public async Task<IPAddress[]?> ResolveAsync(string host, CancellationToken ct)
    {
        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var literal)) return [literal];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ResolveTimeout);
        try
        {
            return await Dns.GetHostAddressesAsync(bare, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or ArgumentException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            log.LogInformation("Outbound host {Host} did not resolve: {Error}", bare, e.Message);
            return null;
        }
    }
}
