using System.Buffers;
using System.Data;
using System.Diagnostics;
using System.Text.Json;
using MessagePlatform.Api.Platform;
using Npgsql;

namespace MessagePlatform.Api.Audit;

/// <summary>
/// Every event of a tenant as NDJSON, in global (sequence) order, in constant memory: pages of
/// events are read by keyset on the sequence, written, and flushed before the next is read, so
/// a slow reader holds back the next page instead of the server buffering the export.
/// </summary>
public sealed class TenantExport(NpgsqlDataSource db, ILogger<TenantExport> log)
{
    public const string ContentType = "application/x-ndjson";
    public const int PageSize = 1_000;

    public async Task WriteAsync(HttpContext http, string tenantId, DateTimeOffset? from, DateTimeOffset? to)
    {
        var ct = http.RequestAborted;
        var clock = Stopwatch.StartNew();
        http.Response.ContentType = ContentType;
        await using var connection = await db.OpenConnectionAsync(ct);
        // One snapshot for the whole export: the global sequence does not follow commit order, so
        // pages read at different moments could miss an event committed late below a page already sent.
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using (var readOnly = new NpgsqlCommand("set transaction read only", connection, snapshot))
            await readOnly.ExecuteNonQueryAsync(ct);

        var bounds = new List<DateTimeOffset>();
        var sql = $"select {EventRecords.Columns} from {EventRecords.Table} where tenant_id = $1 and seq_id > $2";
        if (from is { } f) { bounds.Add(f); sql += $" and timestamp >= ${bounds.Count + 3}"; }
        if (to is { } t) { bounds.Add(t); sql += $" and timestamp < ${bounds.Count + 3}"; }
        sql += " order by seq_id limit $3";
        var body = http.Response.BodyWriter;
        await using var json = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true, Encoder = EventRecords.Wire.Encoder });
        long after = 0, count = 0;
        while (true)
        {
            var read = 0;
            await using (var page = new NpgsqlCommand(sql, connection, snapshot))
            {
                page.Parameters.Add(new NpgsqlParameter { Value = tenantId });
                page.Parameters.Add(new NpgsqlParameter { Value = after });
                page.Parameters.Add(new NpgsqlParameter { Value = PageSize });
                foreach (var bound in bounds) page.Parameters.Add(new NpgsqlParameter { Value = bound });
                await using var reader = await page.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var e = EventRecords.Read(reader, withStreamKey: true);
                    JsonSerializer.Serialize(json, e, EventRecords.Wire);
                    json.Flush();
                    body.Write("\n"u8);
                    // Each line is a JSON document of its own, not the next item of one.
                    json.Reset();
                    after = e.Sequence;
                    read++;
                }
            }
            count += read;
            var flushed = await body.FlushAsync(ct);
            if (read < PageSize || flushed.IsCompleted || flushed.IsCanceled) break;
        }
        await snapshot.CommitAsync(ct);
        log.LogInformation("Exported {Count} events of {TenantId} (from {From}, to {To}) in {ElapsedMs} ms",
            count, tenantId, from, to, clock.ElapsedMilliseconds);
    }
}

/// <summary>The export as an endpoint result: it writes itself once the request has been validated.</summary>
public sealed class ExportResult(string tenantId, DateTimeOffset? from, DateTimeOffset? to) : IResult
{
    public Task ExecuteAsync(HttpContext http) =>
        http.RequestServices.GetRequiredService<TenantExport>().WriteAsync(http, tenantId, from, to);
}
