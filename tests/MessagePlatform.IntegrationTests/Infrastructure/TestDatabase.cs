using Npgsql;

namespace MessagePlatform.IntegrationTests.Infrastructure;

/// <summary>Looks straight at the tables, for what no endpoint shows (rows a sweeper should have removed).</summary>
public static class TestDatabase
{
    public static async Task<long> CountAsync(string postgres, string sql, params object[] values)
    {
        await using var db = new NpgsqlConnection(postgres);
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        foreach (var value in values) cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
