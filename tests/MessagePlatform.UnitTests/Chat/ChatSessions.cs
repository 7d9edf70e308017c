using System.Text.Json;
using MessagePlatform.Domain;

namespace MessagePlatform.UnitTests.Chat;

/// <summary>The sessions and times the chat rules' tests share: a group of a and b with a one-hour edit window.</summary>
internal static class ChatSessions
{
    public static readonly DateTimeOffset SentAt = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static Session Group(int editWindowSeconds = 3600, params string[] members) => Session.Open(new SessionOpened(
        "g", SessionType.Group, members.Length > 0 ? members : ["a", "b"],
        new SessionPolicy("forever", "keep", 120, EditWindowSeconds: editWindowSeconds), Diffusion.Write, SentAt));

    public static Session Room() => Session.Open(new SessionOpened(
        "r", SessionType.Room, [], new SessionPolicy("last:1000", "delete", 120), Diffusion.Read, SentAt));

    public static Session Closed(Session session) => session.Evolve(new SessionClosed(SentAt));

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
