using System.Net;
using MessagePlatform.Domain.Outbound;

namespace MessagePlatform.UnitTests.Outbound;

public sealed class OutboundAddressesTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.1")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("100::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:10::1")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2002:c0a8:101::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe")] // Teredo whose client is 10.0.0.1
    [InlineData("3fff::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    public void a_non_public_address_is_not_public(string address) =>
        Assert.False(OutboundAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("193.0.0.1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7")] // Teredo whose client is 8.8.8.8
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001::1")]
    public void a_public_address_is_public(string address) =>
        Assert.True(OutboundAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void the_operators_list_allows_its_networks_and_no_others()
    {
        var allowed = OutboundAddresses.Parse(" 127.0.0.0/8, ::1/128 ,10.5.0.0/16");
        Assert.True(allowed.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(allowed.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(allowed.IsAllowed(IPAddress.Parse("::1")));
        Assert.True(allowed.IsAllowed(IPAddress.Parse("10.5.200.1")));
        Assert.True(allowed.IsAllowed(IPAddress.Parse("8.8.8.8")));
        Assert.False(allowed.IsAllowed(IPAddress.Parse("10.6.0.1")));
        Assert.False(allowed.IsAllowed(IPAddress.Parse("169.254.169.254")));
        Assert.False(OutboundAddresses.Parse(null).IsAllowed(IPAddress.Loopback));
        Assert.Empty(OutboundAddresses.Parse("").Allowed);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/33")]
    [InlineData("localhost/8")]
    [InlineData("127.0.0.0/8,nonsense")]
    public void a_wrong_cidr_is_refused(string list) =>
        Assert.Throws<FormatException>(() => OutboundAddresses.Parse(list));
}
