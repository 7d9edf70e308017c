using Npgsql;

namespace MessagePlatform.Api.Platform;

/// <summary>Read models and outbox tables are plain SQL: one way to make a command with its positional ($1, $2 …) values.</summary>
public static class Sql
{
    public static NpgsqlCommand Command(this NpgsqlDataSource db, string sql, params object[] values)
    {
        var cmd = db.CreateCommand(sql);
        foreach (var value in values) cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return cmd;
    }

    /// <summary>The same on a connection a unit of work holds, so the command runs in its transaction.</summary>
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, params object[] values)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        foreach (var value in values) cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return cmd;
    }

    public static async Task<T?> ScalarAsync<T>(this NpgsqlCommand cmd, CancellationToken ct)
    {
        await using (cmd)
        {
            var value = await cmd.ExecuteScalarAsync(ct);
            return value is null or DBNull ? default : (T)value;
        }
    }
}
