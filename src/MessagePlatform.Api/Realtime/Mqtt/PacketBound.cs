using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;
using MQTTnet.Exceptions;

namespace MessagePlatform.Api.Realtime.Mqtt;

/// <summary>
/// Follows the MQTT framing of the bytes read so far (fixed header byte, remaining length, body) and
/// says when a packet declares more than the limit. Fed before the bytes reach MQTTnet, which
/// allocates the declared length as soon as it has decoded it.
/// </summary>
public struct PacketFraming
{
    private int _phase; // 0: fixed header byte, 1: remaining length, 2: body
    private int _length, _lengthBytes;
    private long _bodyLeft;

    /// <returns>false as soon as the packet being read declares more than <paramref name="maxPacketBytes"/>.</returns>
    public bool Admit(ReadOnlySpan<byte> bytes, int maxPacketBytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            switch (_phase)
            {
                case 0:
                    (_phase, _length, _lengthBytes) = (1, 0, 0);
                    break;
                case 1:
                    var b = bytes[i];
                    _length += (b & 127) << (7 * _lengthBytes);
                    _lengthBytes++;
                    // Judged on every length byte: a declared size past the limit is refused before its last byte.
                    if (1 + _lengthBytes + (long)_length > maxPacketBytes || (_lengthBytes == 4 && (b & 128) != 0)) return false;
                    if ((b & 128) != 0) break;
                    (_phase, _bodyLeft) = _length == 0 ? (0, 0) : (2, _length);
                    break;
                default:
                    var take = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    _bodyLeft -= take;
                    i += take - 1;
                    if (_bodyLeft == 0) _phase = 0;
                    break;
            }
        }
        return true;
    }
}

/// <summary>
/// A client's byte channel with <see cref="PacketFraming"/> in front of MQTTnet: a packet declaring more
/// than <see cref="MaxPacketBytes"/> fails the read, which closes the connection before anything is allocated.
/// </summary>
public sealed class PacketBound(IMqttChannel channel, int maxPacketBytes) : IMqttChannel
{
    private PacketFraming _framing;

    /// <summary>Raised once the client has authenticated (the CONNECT limit is smaller).</summary>
    public int MaxPacketBytes { get; set; } = maxPacketBytes;

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await channel.ReadAsync(buffer, offset, count, cancellationToken);
        if (!_framing.Admit(buffer.AsSpan(offset, read), MaxPacketBytes))
            throw new MqttProtocolViolationException($"A packet declared more than {MaxPacketBytes} bytes.");
        return read;
    }

    public X509Certificate2 ClientCertificate => channel.ClientCertificate;
    public EndPoint RemoteEndPoint => channel.RemoteEndPoint;
    public EndPoint LocalEndPoint => channel.LocalEndPoint;
    public bool IsSecureConnection => channel.IsSecureConnection;
    public Task ConnectAsync(CancellationToken cancellationToken) => channel.ConnectAsync(cancellationToken);
    public Task DisconnectAsync(CancellationToken cancellationToken) => channel.DisconnectAsync(cancellationToken);
    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        channel.WriteAsync(buffer, isEndOfPacket, cancellationToken);
    public void Dispose() => channel.Dispose();
}
