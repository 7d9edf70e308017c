using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;

namespace MessagePlatform.Api.Sync;

/// <summary>One item of a user's sync: a message, retraction or broadcast (<see cref="SyncItem"/>), or a chat item.</summary>
[JsonDerivedType(typeof(SyncItem))]
[JsonDerivedType(typeof(SyncEditItem))]
[JsonDerivedType(typeof(SyncReactionItem))]
[JsonDerivedType(typeof(SyncPinItem))]
[JsonDerivedType(typeof(SyncReadItem))]
public abstract record SyncEntry;

/// <summary>`seq` is the edited message's seq; the body is null once that message is retracted or erased.</summary>
public sealed record SyncEditItem(string Kind, string SessionId, string MsgId, long Seq, JsonElement? Body, DateTimeOffset EditedAt, string By) : SyncEntry;

public sealed record SyncReactionItem(string Kind, string SessionId, string MsgId, long Seq, string Reaction, string By, bool Added) : SyncEntry;

/// <summary>Kind `pin` or `unpin`.</summary>
public sealed record SyncPinItem(string Kind, string SessionId, string MsgId, string By, DateTimeOffset At) : SyncEntry;

/// <summary>A member's read mark (c2c, and groups within `ReadItems:MaxMembers`); also in the reader's own sync, for its other devices.</summary>
public sealed record SyncReadItem(string Kind, string SessionId, string UserId, long Seq) : SyncEntry;

/// <summary>Reads the chat items (mp_chat_items) a sync row points at, columns in <see cref="Columns"/>'s order.</summary>
public static class SyncChatItems
{
    public const int Count = 9;

    public static string Columns(string a) =>
        $"{a}.version, {a}.msg_id, {a}.msg_seq, {a}.by_user, {a}.reaction, {a}.added, {a}.body, {a}.read_seq, {a}.at";

    /// <returns>null when the row is no chat item (a message or retraction) or its item is gone.</returns>
    public static (SyncEntry Item, DateTimeOffset At, long MsgId)? Read(NpgsqlDataReader r, int first, string kind, string sessionId)
    {
        if (r.IsDBNull(first)) return null;
        var msgId = r.IsDBNull(first + 1) ? 0 : r.GetInt64(first + 1);
        var by = r.GetString(first + 3);
        var at = r.GetFieldValue<DateTimeOffset>(first + 8);
        SyncEntry item = kind switch
        {
            "edit" => new SyncEditItem(kind, sessionId, msgId.ToString(), r.GetInt64(first + 2),
                r.IsDBNull(first + 6) ? null : JsonDocument.Parse(r.GetString(first + 6)).RootElement.Clone(), at, by),
            "reaction" => new SyncReactionItem(kind, sessionId, msgId.ToString(), r.GetInt64(first + 2), r.GetString(first + 4), by,
                r.GetBoolean(first + 5)),
            "read" => new SyncReadItem(kind, sessionId, by, r.GetInt64(first + 7)),
            _ => new SyncPinItem(kind, sessionId, msgId.ToString(), by, at),
        };
        return (item, at, msgId);
    }
}
