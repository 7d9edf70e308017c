using System.Diagnostics;
using Npgsql;

namespace MessagePlatform.Bench;

/// <summary>
/// A throwaway database on the repo's private PostgreSQL (infra/postgres.sh). The server is
/// stopped at the end only if this run had to start it.
/// </summary>
public sealed class BenchDatabase(string repoRoot, string serverConnection, string name, bool startedServer) : IAsyncDisposable
{
    public string Name { get; } = name;

    public string ConnectionString { get; } =
        new NpgsqlConnectionStringBuilder(serverConnection) { Database = name }.ConnectionString;

    public static async Task<BenchDatabase> CreateAsync(string? suffix = null)
    {
        var root = FindRepoRoot();
        var server = (await RunScriptAsync(root, "url")).Trim();
        var startedServer = !await AnswersAsync(server);
        if (startedServer) await RunScriptAsync(root, "start");

        var name = $"mp_bench_{DateTime.UtcNow:yyyyMMdd_HHmmss}{(suffix is null ? "" : "_" + suffix)}";
        await ExecuteAsync(server, $"create database {name}");
        return new BenchDatabase(root, server, name, startedServer);
    }

    public async ValueTask DisposeAsync()
    {
        // FORCE: the API's data sources are not disposed with the host and may still hold connections.
        await ExecuteAsync(serverConnection, $"drop database if exists {Name} with (force)");
        if (startedServer) await RunScriptAsync(repoRoot, "stop");
    }

    internal static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MessagePlatform.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No MessagePlatform.sln above {AppContext.BaseDirectory}.");
    }

    private static async Task<bool> AnswersAsync(string server)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Timeout = 3 }.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> RunScriptAsync(string root, string command)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine("infra", "postgres.sh"), command },
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var script = Process.Start(start) ?? throw new InvalidOperationException("could not run bash");
        var output = script.StandardOutput.ReadToEndAsync();
        var errors = script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync();
        if (script.ExitCode != 0)
            throw new InvalidOperationException($"infra/postgres.sh {command} failed ({script.ExitCode}): {await errors}");
        return await output;
    }
}
