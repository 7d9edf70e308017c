using System.Net;
using System.Net.Sockets;

namespace MessagePlatform.Domain.Outbound;

/// <summary>
/// Which addresses the platform may call (API.md "Outbound calls"): public ones, and those the operator
/// lists in `MP_OUTBOUND_ALLOW`. Pure, so the set-time check and the connect-time check agree.
/// </summary>
public sealed class OutboundAddresses(IReadOnlyList<IPNetwork> allowed)
{
    public static readonly OutboundAddresses PublicOnly = new([]);

    public IReadOnlyList<IPNetwork> Allowed => allowed;

    /// <summary>Reads a comma-separated list of CIDRs; a wrong one throws, so a node does not start with it.</summary>
    public static OutboundAddresses Parse(string? list)
    {
        var networks = new List<IPNetwork>();
        foreach (var item in (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            networks.Add(IPNetwork.TryParse(item, out var network)
                ? network
                : throw new FormatException($"MP_OUTBOUND_ALLOW: '{item}' is not a CIDR such as 127.0.0.0/8 or ::1/128."));
        return new OutboundAddresses(networks);
    }

    public bool IsAllowed(IPAddress address)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IsPublic(plain) || allowed.Any(n => n.Contains(plain));
    }

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return IsPublic(address.MapToIPv4());
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => !NonPublicV4.Any(n => n.Contains(address)),
            AddressFamily.InterNetworkV6 => IsPublicV6(address),
            _ => false,
        };
    }

    // RFC 6890 and its successors: everything not globally reachable, plus multicast and broadcast.
    private static readonly IPNetwork[] NonPublicV4 = Networks(
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4");

    // Inside 2000::/3 (the only global unicast range today), the blocks that are not reachable or not for hosts.
    private static readonly IPNetwork[] NonPublicV6 = Networks(
        "2001::/23", "2001:db8::/32", "3fff::/20");

    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork Teredo = IPNetwork.Parse("2001::/32");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    private static bool IsPublicV6(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        // Prefixes that carry an IPv4 address are as public as the address they carry.
        if (Nat64.Contains(address)) return IsPublic(new IPAddress(bytes[12..16]));
        if (SixToFour.Contains(address)) return IsPublic(new IPAddress(bytes[2..6]));
        if (Teredo.Contains(address))
            return IsPublic(new IPAddress(bytes[4..8])) && IsPublic(new IPAddress(bytes[12..16].Select(b => (byte)~b).ToArray()));
        return GlobalUnicast.Contains(address) && !NonPublicV6.Any(n => n.Contains(address));
    }

    private static IPNetwork[] Networks(params string[] cidrs) => [.. cidrs.Select(c => IPNetwork.Parse(c))];
}
