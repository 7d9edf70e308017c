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
/// a slow reader holds back the next page instead of the server buffering the export. It runs
/// on <see cref="ExportPool"/>'s connections and within its time budget.
/// </summary>
public sealed class TenantExport(ExportPool pool, ILogger<TenantExport> log)
{
    public const string ContentType = "application/x-ndjson";
    public const int PageSize = 1_000;

    public async Task WriteAsync(HttpContext http, string tenantId, DateTimeOffset? from, DateTimeOffset? to)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        budget.CancelAfter(TimeSpan.FromSeconds(pool.Options.ExportMaxSeconds));
        var clock = Stopwatch.StartNew();
        try
        {
            await WriteAsync(http, tenantId, from, to, clock, budget.Token);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            // Out of time: cut the response off, so the client cannot take a part for the whole.
            log.LogWarning("Export of {TenantId} stopped after its {BudgetSeconds} s budget ({ElapsedMs} ms)",
                tenantId, pool.Options.ExportMaxSeconds, clock.ElapsedMilliseconds);
            http.Abort();
        }
    }

    private async Task WriteAsync(HttpContext http, string tenantId, DateTimeOffset? from, DateTimeOffset? to, Stopwatch clock, CancellationToken ct)
    {
        http.Response.ContentType = ContentType;
        await using var connection = await pool.DataSource.OpenConnectionAsync(ct);
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
        // A flush cut short by the budget reports itself as canceled rather than throwing.
        ct.ThrowIfCancellationRequested();
        await snapshot.CommitAsync(ct);
        log.LogInformation("Exported {Count} events of {TenantId} (from {From}, to {To}) in {ElapsedMs} ms",
            count, tenantId, from, to, clock.ElapsedMilliseconds);
    }
}

/// <summary>The export as an endpoint result: it writes itself once the request has been validated and given a slot.</summary>
public sealed class ExportResult(string tenantId, DateTimeOffset? from, DateTimeOffset? to, ExportSlot slot) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        using (slot)
            await http.RequestServices.GetRequiredService<TenantExport>().WriteAsync(http, tenantId, from, to);
    }
}
