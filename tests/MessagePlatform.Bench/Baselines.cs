using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace MessagePlatform.Bench;

public sealed record BenchBody(string Text);

public sealed record BenchEvent(string From, string ClientMsgId, string Type, BenchBody Body);

/// <summary>
/// The floors the platform is measured against, on the bench database: one autocommitted INSERT
/// per op, and one plain Marten append per transaction. No batching, no lanes, no receipts.
/// </summary>
public sealed class Baselines(NpgsqlDataSource dataSource, DocumentStore store) : IAsyncDisposable
{
    private const string Insert =
        "insert into bench_raw (session_id, sender, client_msg_id, body, sent_at) values ($1, $2, $3, $4, $5)";

    public static async Task<Baselines> CreateAsync(string connectionString)
    {
        // One pool for both baselines: they never run at the same time, and at concurrency 128
        // every worker gets its own connection without the two pools together crowding max_connections.
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = 200;
        var dataSource = builder.Build();

        await using (var create = dataSource.CreateCommand("""
            create table if not exists bench_raw (
                id bigserial primary key, session_id text, sender text, client_msg_id text, body jsonb, sent_at timestamptz)
            """))
            await create.ExecuteNonQueryAsync();

        var store = DocumentStore.For(o =>
        {
            o.Connection(dataSource);
            o.DatabaseSchemaName = "bench_marten";
            o.Events.StreamIdentity = StreamIdentity.AsString;
            o.AutoCreateSchemaObjects = AutoCreate.All;
        });
        // Create the event tables now, so the first measured append does not pay for DDL.
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new Baselines(dataSource, store);
    }

    public async Task InsertAsync()
    {
        await using var command = dataSource.CreateCommand(Insert);
        command.Parameters.Add(new NpgsqlParameter { Value = Workload.RandomSessionId() });
        command.Parameters.Add(new NpgsqlParameter { Value = Workload.Sender });
        command.Parameters.Add(new NpgsqlParameter { Value = Workload.NextClientMsgId() });
        command.Parameters.Add(new NpgsqlParameter { Value = Workload.BodyJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = DateTimeOffset.UtcNow });
        await command.ExecuteNonQueryAsync();
    }

    public async Task AppendAsync()
    {
        await using var session = store.LightweightSession();
        session.Events.Append(Workload.RandomSessionId(),
            new BenchEvent(Workload.Sender, Workload.NextClientMsgId(), "text", new BenchBody(Workload.Text)));
        await session.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        store.Dispose();
        await dataSource.DisposeAsync();
    }
}
