using MessagePlatform.Api.Realtime.Mqtt;

namespace MessagePlatform.IntegrationTests.Security;

/// <summary>The pure rules under the MQTT doors: no servers involved.</summary>
public sealed class PacketFramingTests
{
    [Fact]
    public void a_connect_declaring_256_mib_is_refused_before_its_last_length_byte()
    {
        var framing = new PacketFraming();
        Assert.True(framing.Admit([0x10], 16 * 1024));
        Assert.True(framing.Admit([0xFF], 16 * 1024));
        // 0xFF 0xFF already declares more than 16 KiB: refused with two length bytes still to come.
        Assert.False(framing.Admit([0xFF], 16 * 1024));
    }

    [Fact]
    public void packets_under_the_limit_pass_one_after_another_whatever_the_read_sizes()
    {
        // PUBLISH of 200 bytes body (length 0xC8 0x01), then PINGREQ, then a 3-byte packet, read in odd pieces.
        byte[] stream = [0x30, 0xC8, 0x01, .. new byte[200], 0xC0, 0x00, 0x82, 0x03, 1, 2, 3, 0x30, 0x7F];
        var framing = new PacketFraming();
        foreach (var piece in stream.Chunk(7)) Assert.True(framing.Admit(piece, 1024));
        // After a PINGREQ, a packet declaring 127 bytes is refused at once under a limit of 100.
        var tight = new PacketFraming();
        Assert.True(tight.Admit([0xC0, 0x00, 0x30], 100));
        Assert.False(tight.Admit([0x7F], 100));
    }

    [Fact]
    public void a_remaining_length_of_more_than_four_bytes_is_refused()
    {
        var framing = new PacketFraming();
        Assert.False(framing.Admit([0x30, 0x80, 0x80, 0x80, 0x80, 0x01], int.MaxValue));
    }

    [Fact]
    public void client_ids_are_scoped_so_no_tenant_or_user_shares_another_ones()
    {
        Assert.NotEqual(MqttClientIds.Scoped("t1", "ann", "phone"), MqttClientIds.Scoped("t2", "ann", "phone"));
        Assert.NotEqual(MqttClientIds.Scoped("t1", "ann", "phone"), MqttClientIds.Scoped("t1", "bob", "phone"));
        // Separators inside ids cannot forge another user's prefix.
        Assert.NotEqual(MqttClientIds.Scoped("t", "a/1:b", "c"), MqttClientIds.Scoped("t", "a", "1:b/c"));
        Assert.True(MqttClientIds.Belongs(MqttClientIds.Scoped("t1", "ann", "x"), "t1", "ann"));
        Assert.False(MqttClientIds.Belongs(MqttClientIds.Scoped("t1", "ann", "x"), "t1", "an"));
    }
}
