using System.Text.Json;
using Npgsql;

namespace MessagePlatform.Api.Messages;

/// <summary>Reads a message of the session chain (mp_session_chain) from a data reader, columns in this order.</summary>
public static class MessageRows
{
    /// <summary>Prefix every column with the table alias <paramref name="alias"/>. Callers put these last, so columns can be added.</summary>
    public static string Columns(string alias) =>
        $"{alias}.seq, {alias}.msg_id, {alias}.sender, {alias}.type, {alias}.body, {alias}.priority, {alias}.sent_at, {alias}.retracted, " +
        $"{alias}.edited_at, {alias}.reply_to, {alias}.mentions";

    public static MessageView Read(NpgsqlDataReader reader, int first)
    {
        var retracted = reader.GetBoolean(first + 7);
        DateTimeOffset? editedAt = reader.IsDBNull(first + 8) ? null : reader.GetFieldValue<DateTimeOffset>(first + 8);
        return new MessageView(
            reader.GetInt64(first + 1).ToString(),
            reader.GetInt64(first),
            reader.GetString(first + 2),
            reader.GetString(first + 3),
            // A retracted body is never shown again; auditors read the original from the events.
            retracted || reader.IsDBNull(first + 4) ? null : JsonDocument.Parse(reader.GetString(first + 4)).RootElement.Clone(),
            reader.GetString(first + 5),
            reader.GetFieldValue<DateTimeOffset>(first + 6),
            retracted,
            editedAt is not null,
            editedAt,
            reader.IsDBNull(first + 9) ? null : reader.GetInt64(first + 9).ToString(),
            reader.IsDBNull(first + 10) ? null : reader.GetFieldValue<string[]>(first + 10));
    }
}
