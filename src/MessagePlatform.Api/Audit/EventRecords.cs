using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePlatform.Api.Access;
using MessagePlatform.Api.Platform;
using Npgsql;

namespace MessagePlatform.Api.Audit;

/// <summary>
/// A stored event on the wire: <c>type</c> is the store's event name with dots
/// (<c>message.sent</c>, <c>session.opened</c>, <c>audit.accessed</c>), <c>data</c> the event as stored
/// (retracted bodies included), camelCased. <c>causedBy</c> is null for events stored before callers were recorded.
/// </summary>
public sealed record AuditEvent(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StreamKey,
    long Version, long Sequence, string Type, DateTimeOffset Timestamp, JsonElement Data,
    string? CausedBy, string? CorrelationId, string? CausationId, bool Archived);

/// <summary>
/// Reads events straight from Marten's event table: the audit answers with what is stored, whatever
/// slice wrote it, including event types this node has no projection for.
/// </summary>
public sealed class EventRecords(NpgsqlDataSource db)
{
    public static readonly string Table = $"{EventStoreConfig.Schema}.mt_events";

    public const string Columns =
        "seq_id, stream_id, version, type, timestamp, data, mt_dotnet_type, is_archived, correlation_id, causation_id, headers";

    /// <summary>The stream's current version, or null when this tenant has no such stream.</summary>
    public async Task<long?> StreamVersionAsync(string tenantId, string streamKey, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select version from {EventStoreConfig.Schema}.mt_streams where tenant_id = $1 and id = $2", tenantId, streamKey);
        return await cmd.ExecuteScalarAsync(ct) is long version ? version : null;
    }

    /// <summary>Events of one stream from a version on, in version order; one more than the limit tells whether there are more.</summary>
    public async Task<List<AuditEvent>> ReadStreamAsync(
        string tenantId, string streamKey, long fromVersion, int limit, CancellationToken ct)
    {
        await using var cmd = db.Command(
            $"select {Columns} from {Table} where tenant_id = $1 and stream_id = $2 and version >= $3 order by version limit $4",
            tenantId, streamKey, fromVersion, limit + 1);
        var events = new List<AuditEvent>(limit + 1);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) events.Add(Read(reader, withStreamKey: false));
        return events;
    }

    public static AuditEvent Read(NpgsqlDataReader r, bool withStreamKey) => new(
        withStreamKey ? r.GetString(1) : null,
        r.GetInt64(2),
        r.GetInt64(0),
        WireType(r.GetString(3)),
        r.GetFieldValue<DateTimeOffset>(4),
        WireData(r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)),
        r.IsDBNull(10) ? null : CausedBy(r.GetString(10)),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        !r.IsDBNull(7) && r.GetBoolean(7));

    /// <summary>
    /// Marten's event name with dots: <c>message_sent</c> is <c>message.sent</c>; a generic such as
    /// the compacted head <c>Compacted&lt;Session&gt;</c> is <c>session.compacted</c>.
    /// </summary>
    public static string WireType(string stored)
    {
        var open = stored.IndexOf('<');
        if (open > 0 && stored.EndsWith('>'))
            stored = $"{stored[(open + 1)..^1]}_{stored[..open]}";
        return stored.Replace('_', '.').ToLowerInvariant();
    }

    /// <summary>Web defaults without escaping '+' and the like: export lines are read by people and scripts, not embedded in HTML.</summary>
    public static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly ConcurrentDictionary<string, Type?> ClrTypes = new();

    // As Marten stores them: property names as declared, enums by their own converters.
    private static readonly JsonSerializerOptions Stored = new() { PropertyNameCaseInsensitive = true };

    /// <summary>
    /// The stored JSON keeps C# property names; the API speaks camelCase. Events of a type this
    /// process knows go through it (user-supplied bodies are JsonElements and pass untouched);
    /// any other is shown exactly as stored.
    /// </summary>
    private static JsonElement WireData(string json, string? dotNetType)
    {
        var type = dotNetType is null ? null : ClrTypes.GetOrAdd(dotNetType, name => Type.GetType(name, throwOnError: false));
        if (type is not null)
        {
            try
            {
                return JsonSerializer.SerializeToElement(JsonSerializer.Deserialize(json, type, Stored), type, Wire);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException)
            {
                // A shape the type no longer reads (say, masked by erasure): fall through to the stored JSON.
            }
        }
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static string? CausedBy(string headers)
    {
        using var doc = JsonDocument.Parse(headers);
        return doc.RootElement.ValueKind == JsonValueKind.Object
               && doc.RootElement.TryGetProperty(CommandOrigin.CausedByHeader, out var by) && by.ValueKind == JsonValueKind.String
            ? by.GetString()
            : null;
    }
}
