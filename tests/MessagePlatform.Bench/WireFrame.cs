using System.Text;
using System.Text.Json;

namespace MessagePlatform.Bench;

/// <summary>The few frames of the realtime protocol a bench client writes, and what it reads of the server's.</summary>
public static class WireFrame
{
    public static readonly byte[] Ping = """{"type":"ping"}"""u8.ToArray();

    public static byte[] Ack(string msgId) => Encoding.UTF8.GetBytes($$"""{"type":"ack","msgId":"{{msgId}}"}""");

    public static byte[] Join(string room) => Encoding.UTF8.GetBytes($$"""{"type":"join","sessionId":"{{room}}"}""");

    /// <summary>
    /// Only the two fields a client needs to route and ack a frame, without building a document:
    /// at 100,000 frames a second the clients share the CPU with the server.
    /// </summary>
    public static (string? Type, string? MsgId) Read(ReadOnlySpan<byte> frame)
    {
        string? type = null, msgId = null;
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return (null, null);
        // The server writes type first and msgId third, so a message frame stops early.
        while ((type is null || msgId is null) && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8) && reader.Read()) type = reader.GetString();
            else if (reader.ValueTextEquals("msgId"u8) && reader.Read()) msgId = reader.GetString();
            else reader.Skip();
        }
        return (type, msgId);
    }

    /// <summary>
    /// Whether a broadcast frame is online-only (no ack wanted). Reads the whole frame: broadcasts
    /// come one at a time, not at message rates, so this costs nothing that matters.
    /// </summary>
    public static bool IsOnlineOnly(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("onlineOnly"u8)) return reader.Read() && reader.TokenType == JsonTokenType.True;
            reader.Skip();
        }
        return false;
    }
}
