using System.Net.WebSockets;
using System.Text;
using CsCheck;

namespace MessagePlatform.IntegrationTests.Fuzz;

/// <summary>One piece a fuzz client writes on its WebSocket: a whole frame or a fragment of one.</summary>
public sealed record WsPiece(WebSocketMessageType Type, byte[] Bytes, bool EndOfMessage)
{
    public override string ToString() =>
        $"{Type} {Bytes.Length} B{(EndOfMessage ? "" : " (fragment)")}: {Encoding.UTF8.GetString(Bytes[..Math.Min(120, Bytes.Length)])}";
}

/// <summary>How a fuzz client leaves: a clean close, an abort, or an abort in the middle of a frame.</summary>
public enum Leaving { Close, Abort, AbortMidFrame }

/// <summary>A fuzz WebSocket connection: as which fuzz user (-1: no token), over a real client or raw TCP after the upgrade.</summary>
public sealed record WsCase(int User, WsPiece[] Pieces, byte[]? RawAfterUpgrade, Leaving Leaving)
{
    public override string ToString() => RawAfterUpgrade is { } raw
        ? $"user {User}, raw after upgrade: {Convert.ToHexString(raw[..Math.Min(64, raw.Length)])}… ({raw.Length} B)"
        : $"user {User}, {Leaving}:\n  " + string.Join("\n  ", Pieces.Select(p => p.ToString()));
}

/// <summary>A fuzz MQTT connection over TCP: the bytes it writes (in the pieces given), then it hangs up.</summary>
public sealed record MqttCase(string Kind, byte[][] Writes)
{
    public override string ToString() => $"{Kind}: " + string.Join(" | ", Writes.Select(w => Convert.ToHexString(w[..Math.Min(48, w.Length)]) + $"…({w.Length} B)"));
}

/// <summary>The generators of the realtime fuzz: WebSocket frames (API.md "Realtime") and MQTT 3.1.1 / 5 packets.</summary>
public static class RealtimeFuzzInputs
{
    public static readonly string[] FrameTypes = ["send", "ack", "ping", "join", "leave", "message", "sync", "pong", "sent", "error", "", "SEND", "send\u0000"];
    public static readonly string[] Sessions = ["g", "room", "c2c:ann:bob", "closed", "nope", "c2c:f0:ann", "g\u0000", "../g"];

    /// <summary>A JSON value for a field: a hostile string, a number past every range, another JSON type, or nesting deep enough to hurt.</summary>
    private static Gen<string> Value(IReadOnlyList<string> plausible) => Gens.Weighted(
        (6, HostileValues.String(plausible).Select(HostileValues.JsonText)),
        (2, Gen.OneOf(HostileValues.NumberTexts)),
        (2, Gen.OneOf("null", "true", "false", "[]", "{}", "{\"text\":\"hi\"}", "[1,2,3]", "{\"a\":{\"b\":[null]}}")),
        (1, Gen.Int[1, 5000].Select(depth => new string('[', depth) + new string(']', depth))),
        (1, Gen.Int[1, 5000].Select(depth => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth))));

    /// <summary>A frame of the documented shape, its fields picked and filled with hostile values (duplicate keys included).</summary>
    public static readonly Gen<string> JsonFrame =
        Gen.Select(Value(FrameTypes), Gen.Select(Gen.OneOf("sessionId", "clientMsgId", "msgType", "body", "priority", "msgId", "type", "seq", "x"),
                Value(Sessions.Concat(["fz-1", "text", "high", "low", "1", "0"]).ToArray()), (name, value) => $"\"{name}\":{value}").Array[0, 6],
            (type, fields) => "{" + string.Join(",", fields.Prepend($"\"type\":{type}")) + "}");

    private static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 2048];

    /// <summary>Text that is not UTF-8: lone continuation bytes, overlongs, encoded surrogates, truncated sequences.</summary>
    private static readonly Gen<byte[]> InvalidUtf8 = Gen.Select(Gen.OneOf<byte[]>([0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0xFE, 0xFF]),
        Gen.Select(JsonFrame, Gen.Int[0, 100], (json, at) => (json, at)), byte[] (bad, frame) =>
        {
            var text = Encoding.UTF8.GetBytes(frame.json);
            var at = Math.Min(frame.at, text.Length);
            return [.. text[..at], .. bad, .. text[at..]];
        });

    private static Gen<WsPiece> Whole(WebSocketMessageType type, Gen<byte[]> bytes) => bytes.Select(b => new WsPiece(type, b, true));

    /// <summary>A frame past the gateway's 128 KiB limit, in one piece.</summary>
    private static readonly Gen<WsPiece> Huge = Gen.Int[128 * 1024, 600 * 1024].Select(n =>
        new WsPiece(WebSocketMessageType.Text, Encoding.UTF8.GetBytes("{\"type\":\"send\",\"body\":\"" + new string('a', n) + "\"}"), true));

    /// <summary>A frame cut in fragments: a valid-shaped one, split at random places.</summary>
    private static readonly Gen<WsPiece[]> Fragmented = Gen.Select(JsonFrame, Gen.Int[1, 8], (json, parts) =>
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var size = Math.Max(1, bytes.Length / parts);
        var chunks = bytes.Chunk(size).ToArray();
        return chunks.Select((c, i) => new WsPiece(WebSocketMessageType.Text, c, i == chunks.Length - 1)).ToArray();
    });

    private static readonly Gen<WsPiece[]> Pieces = Gens.Weighted(
        (10, Whole(WebSocketMessageType.Text, JsonFrame.Select(Encoding.UTF8.GetBytes)).Array[1, 1]),
        (2, Whole(WebSocketMessageType.Text, InvalidUtf8).Array[1, 1]),
        (2, Whole(WebSocketMessageType.Binary, Gens.Either(RandomBytes, JsonFrame.Select(Encoding.UTF8.GetBytes))).Array[1, 1]),
        (1, Huge.Array[1, 1]),
        (2, Fragmented)).Array[1, 8].Select(groups => groups.SelectMany(g => g).ToArray());

    /// <summary>WebSocket frame headers no client may send: unmasked, reserved bits and opcodes, lengths up to 2^63, control frames too long or fragmented, continuations without a start.</summary>
    private static readonly Gen<byte[]> RawFrames = Gen.Select(
        Gen.OneOf<byte[]>(
            [0x81, 0x05, .. "hello"u8], // unmasked text
            [0xF1, 0x80, 0, 0, 0, 0], // RSV bits set
            [0x83, 0x80, 0, 0, 0, 0], // reserved opcode
            [0x81, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4], // 2^63 - 1 bytes declared
            [0x81, 0xFF, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 2, 3, 4], // 256 MiB declared
            [0x89, 0xFE, 0x01, 0x00, 1, 2, 3, 4], // ping of 256 bytes
            [0x09, 0x80, 1, 2, 3, 4], // fragmented ping
            [0x80, 0x81, 1, 2, 3, 4, 0x55], // continuation with nothing to continue
            [0x01, 0x81, 1, 2, 3, 4, 0x55, 0x81, 0x81, 1, 2, 3, 4, 0x55], // a new text frame inside a fragmented one
            [0x88, 0x81, 1, 2, 3, 4, 0x55], // close with a one-byte body
            [0x81, 0xFE]), // cut in the length
        RandomBytes, (head, tail) => (head, tail)).Select(p => (byte[])[.. p.head, .. p.tail[..Math.Min(64, p.tail.Length)]]);

    public static Gen<WsCase> Ws(int users) => Gens.Weighted(
        (8, Gen.Select(Gen.Int[0, users - 1], Pieces, Gen.Enum<Leaving>(), (u, p, l) => new WsCase(u, p, null, l))),
        (1, Gen.Select(Gen.Int[0, users - 1], Pieces, (u, p) => new WsCase(-1, p, null, Leaving.Close))),
        (3, Gen.Select(Gen.Int[0, users - 1], Gens.Either(RawFrames, RandomBytes), (u, raw) => new WsCase(u, [], raw, Leaving.Abort))));

    // ---- MQTT ----

    private static byte[] Varint(int length)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(length % 128);
            length /= 128;
            bytes.Add(length > 0 ? (byte)(b | 0x80) : b);
        } while (length > 0);
        return [.. bytes];
    }

    /// <summary>An MQTT UTF-8 string as the wire carries it; lone surrogates become the bytes of one (ED A0 80), which MQTT forbids.</summary>
    private static byte[] MqttString(string text)
    {
        var bytes = new List<byte>();
        foreach (var c in text)
        {
            if (char.IsSurrogate(c)) bytes.AddRange([0xED, 0xA0, 0x80]);
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        var n = Math.Min(bytes.Count, ushort.MaxValue);
        return [(byte)(n >> 8), (byte)n, .. bytes.Take(n)];
    }

    private static byte[] Packet(byte header, byte[] body) => [header, .. Varint(body.Length), .. body];

    public static byte[] Connect(int version, string clientId, string userName, string password) => Packet(0x10,
        [0, 4, .. "MQTT"u8, (byte)version, 0xC2, 0, 30, .. (version == 5 ? new byte[] { 0 } : []),
         .. MqttString(clientId), .. MqttString(userName), .. MqttString(password)]);

    private static byte[] Publish(int version, string topic, byte[] payload) =>
        Packet(0x32, [.. MqttString(topic), 0, 7, .. (version == 5 ? new byte[] { 0 } : []), .. payload]);

    private static byte[] Subscribe(int version, string filter) =>
        Packet(0x82, [0, 9, .. (version == 5 ? new byte[] { 0 } : []), .. MqttString(filter), 1]);

    private static readonly string[] Topics = ["send/g", "send/room", "send/nope", "single/ann", "single/f0", "group/g", "global", "business/tag_vip", "#", "+/+", "send/#", "$SYS/#", "send/", "/", ""];

    private static readonly Gen<byte[]> Payload = Gens.Weighted(
        (4, JsonFrame.Select(Encoding.UTF8.GetBytes)),
        (2, Gen.Select(HostileValues.String(["fz-1"]), HostileValues.String(["text"]), (id, type) =>
            Encoding.UTF8.GetBytes($"{{\"clientMsgId\":{HostileValues.JsonText(id)},\"msgType\":{HostileValues.JsonText(type)},\"body\":{{\"text\":\"hi\"}}}}"))),
        (1, InvalidUtf8), (1, RandomBytes));

    /// <summary>What follows a CONNECT: publishes, subscribes, pings, acks for nothing, a second CONNECT, bad lengths, packets past the limit, noise.</summary>
    private static Gen<byte[]> AfterConnect(int version) => Gens.Weighted(
        (5, Gen.Select(HostileValues.String(Topics), Payload, (t, p) => Publish(version, t, p))),
        (3, HostileValues.String(Topics).Select(t => Subscribe(version, t))),
        (1, Gen.OneOf<byte[]>([0xC0, 0x00], [0x40, 0x02, 0x12, 0x34], [0xA2, 0x05, 0, 1, 0, 1, 0x23], [0xE0, 0x00], [0xF0, 0x00], [0x00, 0x00], [0x62, 0x02, 0, 1])),
        (1, Gen.Const(Connect(version, "again", "f0", "x"))),
        (1, Gen.OneOf<byte[]>([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], [0x30, 0x80, 0x80, 0x80, 0x80], [0x30, 0xFF, 0xFF, 0xFF, 0x7F])),
        (1, Gen.Int[128 * 1024, 300 * 1024].Select(n => Publish(version, "send/g", new byte[n]))),
        (1, RandomBytes));

    /// <summary>Flips one byte, or cuts the packets short (a connection dropped mid-packet), or leaves them as they are.</summary>
    private static Gen<byte[]> Mutated(Gen<byte[]> bytes) => Gen.Select(bytes, Gen.Int[0, 9], Gen.Int, Gen.Byte, (b, how, at, value) =>
    {
        if (b.Length == 0) return b;
        var i = (int)((uint)at % b.Length);
        return how switch
        {
            0 or 1 => b[..i],
            2 or 3 => [.. b[..i], value, .. b[(i + 1)..]],
            _ => b,
        };
    });

    /// <param name="token">Which fuzz user's credentials a CONNECT carries: (userName, password).</param>
    public static Gen<MqttCase> Mqtt(IReadOnlyList<(string User, string Token)> users) => Gens.Weighted(
        (1, RandomBytes.Select(b => new MqttCase("random", [b]))),
        (3, Gen.Select(Gen.OneOf(4, 5), HostileValues.String(["fz"]), Gen.OneOf([.. users]), HostileValues.String(["ann"]), Gen.Int[0, 2],
            (v, id, u, hostile, which) => Connect(v, id, which == 1 ? hostile : u.User, which == 2 ? hostile : u.Token))
            .Apply(Mutated).Select(b => new MqttCase("connect", [b]))),
        (6, Gen.Select(Gen.OneOf(4, 5), Gen.OneOf([.. users]), Gen.Int[0, 100_000], (v, u, n) => (v, u, n)).SelectMany(c =>
            Mutated(AfterConnect(c.v)).Array[1, 6].Select(after =>
                new MqttCase("session", [Connect(c.v, $"fz-{c.n}", c.u.User, c.u.Token), .. after])))));

    private static Gen<T> Apply<T>(this Gen<T> gen, Func<Gen<T>, Gen<T>> f) => f(gen);
}
