using System.Buffers.Text;
using System.Text;

namespace MessagePlatform.Domain;

/// <summary>
/// Where a user's sync stands: the last position taken from its user chain and from its tenant's
/// read feed. Opaque to clients: "v1.{user}.{feed}" in base64url, so it can change shape later.
/// </summary>
public sealed record SyncCursor(long UserPosition, long FeedPosition)
{
    public static readonly SyncCursor Start = new(0, 0);

    public string Encode() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"v1.{UserPosition}.{FeedPosition}"));

    public static bool TryDecode(string? text, out SyncCursor cursor)
    {
        cursor = Start;
        if (string.IsNullOrEmpty(text)) return true;
        if (text.Length > 64 || !Base64Url.IsValid(text)) return false;
        var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
        if (parts is not ["v1", var user, var feed]
            || !long.TryParse(user, out var u) || !long.TryParse(feed, out var f) || u < 0 || f < 0)
            return false;
        cursor = new SyncCursor(u, f);
        return true;
    }
}
