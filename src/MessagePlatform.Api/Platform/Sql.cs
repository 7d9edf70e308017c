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
}
