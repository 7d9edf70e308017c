using System.Buffers.Text;
using System.Text;

namespace MessagePlatform.Domain;

/// <summary>
/// Where a user's sync stands: the last position taken from its user chain, from its tenant's read
/// feed and from its tenant's broadcasts. Opaque to clients: "v2.{user}.{feed}.{broadcast}" in
/// base64url; a "v1" cursor (before broadcasts) still reads, with broadcasts from their start.
/// </summary>
public sealed record SyncCursor(long UserPosition, long FeedPosition, long BroadcastPosition = 0)
{
    public static readonly SyncCursor Start = new(0, 0);

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"v2.{UserPosition}.{FeedPosition}.{BroadcastPosition}"));

    public static bool TryDecode(string? text, out SyncCursor cursor)
    {
        cursor = Start;
        if (string.IsNullOrEmpty(text)) return true;
        if (text.Length > 96 || !Base64Url.IsValid(text)) return false;
        var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
        var positions = parts switch
        {
            ["v1", var user, var feed] => new[] { user, feed, "0" },
            ["v2", var user, var feed, var broadcast] => [user, feed, broadcast],
            _ => null,
        };
        if (positions is null) return false;
        var numbers = new long[3];
        for (var i = 0; i < 3; i++)
            if (!long.TryParse(positions[i], out numbers[i]) || numbers[i] < 0) return false;
        cursor = new SyncCursor(numbers[0], numbers[1], numbers[2]);
        return true;
    }
}
