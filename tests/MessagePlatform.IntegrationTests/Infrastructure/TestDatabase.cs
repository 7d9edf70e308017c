using Npgsql;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>Looks straight at the tables, for what no endpoint shows (rows a sweeper should have removed).</summary>
public static class TestDatabase
{
    /// <summary>Runs <paramref name="sql"/> with positional values ($1 …); a count's value, or for other statements 0.</summary>
    public static async Task<long> CountAsync(string postgres, string sql, params object[] values)
    {
        await using var db = new NpgsqlConnection(postgres);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        foreach (var value in values) cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return await cmd.ExecuteScalarAsync() is { } scalar and not DBNull ? Convert.ToInt64(scalar) : 0;
    }
}
